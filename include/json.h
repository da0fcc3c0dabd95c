#ifndef GUMLOOP_JSON_H
#define GUMLOOP_JSON_H
/*
 * Strict JSON checks and raw-text helpers around cJSON. cJSON parses and
 * prints; this module only looks at text cJSON is more lenient about, and
 * finds values in raw text without parsing, so that ids are echoed digit
 * for digit. Pointers returned point into the caller's text.
 */
#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * 1 when json is exactly one JSON value by RFC 8259: UTF-8, the four
 * whitespace characters only, no raw control characters in strings, the
 * strict number grammar, nothing after it; at most JSON_MAX_DEPTH nested
 * arrays and objects (cJSON's limit).
 */
#define JSON_MAX_DEPTH 1000
int json_valid(const char *json, size_t len);

/* 1 when a string of valid JSON text holds the escape \u0000 (a NUL
 * character), which C strings cannot carry. "\\u0000" is no such escape. */
int json_has_nul_escape(const char *json, size_t len);

/*
 * Replaces every lone UTF-16 surrogate escape (\ud83d without its pair, as
 * JavaScript emits for a cut emoji) of valid JSON text with \ufffd, in
 * place (same length), so cJSON can parse it. Returns how many.
 */
size_t json_fix_lone_surrogates(char *json, size_t len);

/*
 * Finds the raw text of a value in valid JSON without parsing it. keys is
 * a path of object keys from the top level (first match of each, as cJSON
 * does). Returns a pointer into json and sets *vlen, or NULL.
 */
const char *json_raw_lookup(const char *json, size_t len,
			    const char *const *keys, size_t nkeys, size_t *vlen);
/* Calls fn for each element's raw text of a raw JSON array. Returns the
 * element count, or -1 when json is not an array. */
int json_raw_array_each(const char *json, size_t len,
			void (*fn)(const char *el, size_t ellen, void *ctx),
			void *ctx);

/* A raw JSON item that borrows text (it must outlive the item). */
cJSON *json_raw_reference(const char *text);

#endif
