#ifndef GUMLOOP_LOG_H
#define GUMLOOP_LOG_H
/*
 * Diagnostics for the operator, on stderr only (stdout belongs to the
 * protocol). Every message passes through redact_*() so no registered
 * secret, and no signed URL's signature, is ever printed. A failing stderr (closed, /dev/full) is ignored.
 */
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR };

void log_set_level(enum log_level level);
/* Parses "debug", "info", "warning", "error"; returns -1 on anything else. */
int log_level_parse(const char *s, enum log_level *out);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/*
 * Secrets registered here are replaced by "[redacted]" in every string that
 * redact_string() returns. The secret is copied; redact_wipe() zeroizes the
 * copies at exit.
 */
void redact_register(const char *secret);
/* Returns a copy of s (caller frees) where the query of every URL that
 * carries a signature or token is "[redacted]": for logs, not results. */
char *redact_signed_urls(const char *s);
/* Returns a newly allocated copy of s with every secret replaced. */
char *redact_string(const char *s);
/* Returns 1 when s contains a registered secret. */
int redact_contains(const char *s, size_t len);
/* The length of the longest registered secret (0 when none). */
size_t redact_longest(void);
/* The registered secrets, for the writer's pass over printed JSON. */
size_t redact_count(void);
const char *redact_secret(size_t i);
void redact_wipe(void);

#endif
