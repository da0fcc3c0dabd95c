/*
 * Parsing a response body; see jsonbody.h for why large ones are read in
 * two steps. Long string values are swapped for numbered placeholders:
 * MARK, a number, nothing after. MARK starts with a byte that is never
 * UTF-8, so no string of a strictly valid body decodes to one (cJSON
 * itself reads the byte as it is).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "jsonbody.h"
#include "jsonrpc.h"

#define MARK "\xffgumloop-mcp-long-string-"
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

/* The value of one string literal, decoded as cJSON does; NULL where
 * cJSON refuses it (a lone surrogate escape, which the strict check
 * lets through), as it would refuse the whole body. */
static char *decode(const char *literal, size_t len)
{
	cJSON *item = cJSON_ParseWithLength(literal, len);
	char *value = NULL;

	if (cJSON_IsString(item)) {
		value = item->valuestring;
		item->valuestring = NULL;
	}
	cJSON_Delete(item);
	return value;
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

/* Replaces the long string literal [r, end) with its placeholder; -1
 * when cJSON refuses the literal. */
static int take_long_string(struct lean *l, size_t r, size_t end)
{
	char mark[sizeof(MARK) + 24];
	char *value = decode(l->s + r, end - r);
	int n;

	if (!value)
		return -1;
	l->strings = xrealloc(l->strings, (l->nstrings + 1) * sizeof(char *));
	l->strings[l->nstrings] = value;
	n = snprintf(mark, sizeof(mark), "\"%s%zu\"", MARK, l->nstrings++);
	memcpy(l->s + l->w, mark, (size_t)n);	/* w <= r: the literal is read */
	l->w += (size_t)n;
	return 0;
}

/* Compacts the body, taking out its long string values; -1 when one of
 * them is not a string cJSON reads (the body is then not JSON to it). */
static int compact(struct lean *l)
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
			if (take_long_string(l, r, end) < 0)
				return -1;
			release_read_pages(l, end);
		}
		r = end;
	}
	return 0;
}

/* Which placeholder s is, exactly, or -1. */
static long placeholder_number(const char *s, size_t nstrings)
{
	char mark[sizeof(MARK) + 24];
	const char *digits;
	char *end;
	unsigned long k;

	if (strncmp(s, MARK, sizeof(MARK) - 1))
		return -1;
	digits = s + sizeof(MARK) - 1;
	k = strtoul(digits, &end, 10);
	if (k >= nstrings || *end)
		return -1;
	snprintf(mark, sizeof(mark), "%s%lu", MARK, k);	/* no "+1", "01" */
	return strcmp(s, mark) ? -1 : (long)k;
}

/* Puts each long string back in place of its placeholder. */
static void restore(cJSON *v, struct lean *l)
{
	long k;

	for (; v; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring &&
		    (k = placeholder_number(v->valuestring, l->nstrings)) >= 0 &&
		    l->strings[k]) {
			cJSON_free(v->valuestring);
			v->valuestring = l->strings[k];
			l->strings[k] = NULL;
		}
		restore(v->child, l);	/* depth: at most JSON_MAX_DEPTH */
	}
}

cJSON *json_parse_body(struct buf *body)
{
	struct lean l = { body->data, body->len, 0, 0, NULL, 0 };
	cJSON *json;
	size_t k;

	/* Small or not strictly JSON: the plain way. */
	if (body->len < JSON_BODY_LEAN_FROM || !json_valid(body->data, body->len))
		return cJSON_ParseWithLength(body->data, body->len);
	json = compact(&l) < 0 ? NULL : cJSON_ParseWithLength(l.s, l.w);
	body->len = l.w;
	body->data[body->len] = '\0';
	restore(json, &l);
	for (k = 0; k < l.nstrings; k++)
		cJSON_free(l.strings[k]);
	free(l.strings);
	return json;
}
