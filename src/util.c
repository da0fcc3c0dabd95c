/*
 * Allocation that aborts on out-of-memory, and the capped byte buffer every
 * module uses for lines, URLs and bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util.h"

static void out_of_memory(size_t n)
{
	fprintf(stderr, "gumloop-mcp: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);

	if (!p)
		out_of_memory(count * n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->overflow = 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->overflow)
		return -1;
	if (b->max && (n > b->max || b->len > b->max - n)) {
		b->overflow = 1;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int ret;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	ret = buf_addstr(b, s);
	free(s);
	return ret;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->overflow = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->data ? b->data : xstrdup("");

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->overflow = 0;
	return p;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

volatile sig_atomic_t stop_requested;

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t utf8_char_len(const unsigned char *p, size_t left)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0)
		n = 2, cp = p[0] & 0x1F;
	else if ((p[0] & 0xF0) == 0xE0)
		n = 3, cp = p[0] & 0x0F;
	else if ((p[0] & 0xF8) == 0xF0)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* Levenshtein distance; SUGGEST_FAR for words too long to be typos. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t row[SUGGEST_MAX_LEN + 1], i, j, diag, up, best;
	size_t na = strlen(a), nb = strlen(b);

	if (na > SUGGEST_MAX_LEN || nb > SUGGEST_MAX_LEN)
		return SUGGEST_FAR;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

void suggest_init(struct suggest *s, const char *word)
{
	memset(s, 0, sizeof(*s));
	s->word = word;
}

void suggest_add(struct suggest *s, const char *name)
{
	size_t d = edit_distance(s->word, name), limit = strlen(s->word) / 3, i;

	if (limit < 2)
		limit = 2;
	if (d > limit)
		return;
	for (i = s->n; i > 0 && s->dist[i - 1] > d; i--) {
		if (i < ARRAY_SIZE(s->best)) {
			s->best[i] = s->best[i - 1];
			s->dist[i] = s->dist[i - 1];
		}
	}
	if (i >= ARRAY_SIZE(s->best))
		return;
	s->best[i] = name;
	s->dist[i] = d;
	if (s->n < ARRAY_SIZE(s->best))
		s->n++;
}

char *suggest_text(const struct suggest *s)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (!s->n)
		return NULL;
	/* Only the names about as close as the closest one. */
	for (i = 0; i < s->n && s->dist[i] <= s->dist[0] + 1; i++)
		buf_addf(&b, "%s'%s'", !i ? "" : i + 1 < s->n &&
			 s->dist[i + 1] <= s->dist[0] + 1 ? ", " : " or ",
			 s->best[i]);
	return buf_detach(&b, NULL);
}
