/*
 * Shared by the libFuzzer targets in test/fuzz/ and by replay.c, which runs
 * the same targets over the seed corpora in `make check` (gcc, valgrind and
 * sanitizer builds included). A broken property aborts with a message.
 */
#ifndef FUZZ_H
#define FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define FUZZ_ASSERT(cond, ...) do { \
	if (!(cond)) \
		fuzz_fail(__FILE__, __LINE__, __VA_ARGS__); \
} while (0)

void fuzz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* Loads a configuration with a clean environment plus the given
 * NULL-terminated "NAME=value" strings; stderr logging only for errors. */
void fuzz_setup(const char *const *env);

/* 1 when s is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
int fuzz_utf8_valid(const char *s, size_t len);

/* A copy of JSON text (malloc'd) where every \uD800-\uDFFF escape reads
 * \uFFFD: JSON's grammar allows lone surrogates (an id is echoed as sent)
 * but cJSON does not parse them. */
char *fuzz_unsurrogate(const char *s, size_t len);

/* 1 when v is an object with "jsonrpc": "2.0" and exactly one of a
 * method (a request or notification), a result or an error (a response
 * with an id member). */
int fuzz_is_jsonrpc(const cJSON *v);

/* The targets (libFuzzer's entry points). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
