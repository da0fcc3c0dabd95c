/*
 * Parsing a response body; see jsonbody.h for why large ones are read in
 * two steps. Long string values are swapped for numbered placeholders
 * (MARK and a number) that the body is known not to contain.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "jsonbody.h"
#include "jsonrpc.h"

#define MARK "gumloop-mcp-long-string-"
#define RELEASE_STEP ((size_t)1 << 20)	/* give pages back this many at once */

struct lean {
	char *s;		/* the body, compacted in place as it is read */
	size_t len;
	size_t w;		/* the compacted text ends here */
	uintptr_t released;	/* pages below this address went back already */
	char **strings;		/* the long strings, by placeholder number */
	size_t nstrings;
};

/* Just past the closing quote of the string literal that starts at i. */
static size_t literal_end(const char *s, size_t i, size_t len)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

static int is_key(const char *s, size_t end, size_t len)
{
	while (end < len && (s[end] == ' ' || s[end] == '\t' ||
			     s[end] == '\n' || s[end] == '\r'))
		end++;
	return end < len && s[end] == ':';
}

/* The value of one string literal (valid JSON), decoded as cJSON does. */
static char *decode(const char *literal, size_t len)
{
	cJSON *item = cJSON_ParseWithLength(literal, len);
	char *value = NULL;

	if (cJSON_IsString(item)) {
		value = item->valuestring;
		item->valuestring = NULL;
	}
	cJSON_Delete(item);
	return value ? value : xstrdup("");
}

/*
 * Hands back the whole pages between the compacted text and the read
 * position r: what they held is read, and the write position only reaches
 * them again by a few bytes at a time (a page written again is a fresh
 * zero page).
 */
static void release_read_pages(struct lean *l, size_t r)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)(l->s + l->w) + page - 1) & ~(page - 1);
	uintptr_t to = (uintptr_t)(l->s + r) & ~(page - 1);

	if (from < l->released)
		from = l->released;
	if (to <= from || to - from < RELEASE_STEP)
		return;
	if (madvise((void *)from, to - from, MADV_DONTNEED) == 0)
		l->released = to;
}

/* Replaces the long string literal [r, end) with its placeholder. */
static void take_long_string(struct lean *l, size_t r, size_t end)
{
	char mark[sizeof(MARK) + 24];
	int n;

	l->strings = xrealloc(l->strings, (l->nstrings + 1) * sizeof(char *));
	l->strings[l->nstrings] = decode(l->s + r, end - r);
	n = snprintf(mark, sizeof(mark), "\"%s%zu\"", MARK, l->nstrings++);
	memcpy(l->s + l->w, mark, (size_t)n);	/* w <= r: the literal is read */
	l->w += (size_t)n;
}

/* Compacts the body, taking out its long string values. */
static void compact(struct lean *l)
{
	size_t r = 0, end;

	while (r < l->len) {
		if (l->s[r] != '"') {
			l->s[l->w++] = l->s[r++];
			continue;
		}
		end = literal_end(l->s, r, l->len);
		if (end - r < JSON_BODY_LONG_STRING || is_key(l->s, end, l->len)) {
			memmove(l->s + l->w, l->s + r, end - r);
			l->w += end - r;
		} else {
			take_long_string(l, r, end);
			release_read_pages(l, end);
		}
		r = end;
	}
}

/* Puts each long string back in place of its placeholder. */
static void restore(cJSON *v, struct lean *l)
{
	size_t k;

	for (; v; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring &&
		    !strncmp(v->valuestring, MARK, sizeof(MARK) - 1)) {
			k = strtoul(v->valuestring + sizeof(MARK) - 1, NULL, 10);
			if (k < l->nstrings && l->strings[k]) {
				cJSON_free(v->valuestring);
				v->valuestring = l->strings[k];
				l->strings[k] = NULL;
			}
		}
		restore(v->child, l);	/* depth: at most JSON_MAX_DEPTH */
	}
}

cJSON *json_parse_body(struct buf *body)
{
	struct lean l = { body->data, body->len, 0, 0, NULL, 0 };
	cJSON *json;
	size_t k;

	/* Small, not strictly JSON, or holding the mark: the plain way. */
	if (body->len < JSON_BODY_LEAN_FROM ||
	    memmem(body->data, body->len, MARK, sizeof(MARK) - 1) ||
	    !json_valid(body->data, body->len))
		return cJSON_ParseWithLength(body->data, body->len);
	compact(&l);
	body->len = l.w;
	body->data[body->len] = '\0';
	json = cJSON_ParseWithLength(body->data, body->len);
	restore(json, &l);
	for (k = 0; k < l.nstrings; k++)
		cJSON_free(l.strings[k]);
	free(l.strings);
	return json;
}
