#ifndef GUMLOOP_UTIL_H
#define GUMLOOP_UTIL_H
/*
 * Allocation that never fails (it aborts on out-of-memory) and a growable
 * byte buffer with a hard cap. Ownership: a struct buf owns its data; the
 * caller releases it with buf_release(). xasprintf() returns a string the
 * caller frees.
 */
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A byte buffer: data is always NUL-terminated once anything was added. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* hard cap on len; 0 means unlimited */
	/* An append was refused: later ones are too, until buf_reset, so
	 * that nothing cut in the middle reads as complete. */
	int overflow;
};
#define BUF_INIT { NULL, 0, 0, 0, 0 }

void buf_init(struct buf *b, size_t max);
/* Appends n bytes; returns -1 (and appends nothing) when max would be
 * passed, or was before (overflow). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Frees the data and returns the buffer to empty (max is kept). */
void buf_release(struct buf *b);
/* Hands the data to the caller (never NULL) and empties the buffer. */
char *buf_detach(struct buf *b, size_t *len);
/* Removes the first n bytes. */
void buf_consume(struct buf *b, size_t n);

/* Length of the valid UTF-8 sequence at p (left > 0 bytes), or 0 when it
 * is not valid: overlong forms, surrogates and > U+10FFFF are invalid. */
size_t utf8_char_len(const unsigned char *p, size_t left);

/*
 * The known names closest to a typo, for "did you mean" messages:
 *
 *	suggest_init(&s, typed);
 *	for each name: suggest_add(&s, name);
 *	text = suggest_text(&s);	"'a'", "'a' or 'b'"; NULL: none close
 */
#define SUGGEST_MAX_LEN 128
#define SUGGEST_FAR ((size_t)-1)
struct suggest {
	const char *word;
	const char *best[3];
	size_t dist[3];
	size_t n;
};
void suggest_init(struct suggest *s, const char *word);
void suggest_add(struct suggest *s, const char *name);
char *suggest_text(const struct suggest *s);

/* Set by SIGTERM, SIGINT and SIGHUP: the server stops at the next chance
 * (a blocked write to stdout gives up). */
extern volatile sig_atomic_t stop_requested;

/* Monotonic clock in milliseconds. */
long long now_ms(void);
/* Sleeps ms (a signal may end it early). */
void sleep_ms(long long ms);

#endif
