/*
 * Strict JSON validation (cJSON reads "01", control bytes and invalid
 * UTF-8), escape fixes cJSON cannot parse, and raw lookups in JSON text.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "util.h"

/* ---- strict validation ------------------------------------------------ */

static const char *json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string at p (its opening quote): escapes, no raw control characters,
 * valid UTF-8. Returns the end of the string or NULL. */
static const char *valid_string(const char *p, const char *end)
{
	size_t n;
	int i;

	for (p++; p < end;) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\') {
			n = utf8_char_len((const unsigned char *)p, (size_t)(end - p));
			if (!n)
				return NULL;
			p += n;
			continue;
		}
		if (++p >= end)
			return NULL;
		if (*p != 'u') {
			if (!*p || !strchr("\"\\/bfnrt", *p))
				return NULL;
			p++;
			continue;
		}
		for (i = 1; i <= 4; i++)
			if (p + i >= end || !isxdigit((unsigned char)p[i]))
				return NULL;
		p += 5;
	}
	return NULL;
}

static const char *digits(const char *p, const char *end)
{
	const char *start = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p == start ? NULL : p;
}

/* A number by the JSON grammar: no leading zeros, "+", ".5" or "1.". */
static const char *valid_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p = digits(p, end)))
		return NULL;
	if (p < end && *p == '.' && !(p = digits(p + 1, end)))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = digits(p, end);
	}
	return p;
}

static const char *valid_scalar(const char *p, const char *end)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t i, n;

	if (*p == '"')
		return valid_string(p, end);
	if (*p == '-' || (*p >= '0' && *p <= '9'))
		return valid_number(p, end);
	for (i = 0; i < ARRAY_SIZE(literals); i++) {
		n = strlen(literals[i]);
		if ((size_t)(end - p) >= n && !memcmp(p, literals[i], n))
			return p + n;
	}
	return NULL;
}

/* An object member's key and colon; returns where its value starts. */
static const char *valid_key(const char *p, const char *end)
{
	p = json_ws(p, end);
	if (p >= end || *p != '"' || !(p = valid_string(p, end)))
		return NULL;
	p = json_ws(p, end);
	return p < end && *p == ':' ? p + 1 : NULL;
}

int json_valid(const char *json, size_t len)
{
	const char *p = json, *end = json + len;
	char open[JSON_MAX_DEPTH];
	int depth = 0, need_value = 1;
	char close;

	/* Iterative, so nesting costs no stack: open[] holds the brackets. */
	while (need_value || depth) {
		p = json_ws(p, end);
		if (p >= end)
			return 0;
		close = depth && open[depth - 1] == '{' ? '}' : ']';
		if (need_value && (*p == '{' || *p == '[')) {
			if (depth == JSON_MAX_DEPTH)
				return 0;
			open[depth++] = *p;
			p = json_ws(p + 1, end);
			if (p < end && *p == (open[depth - 1] == '{' ? '}' : ']')) {
				depth--;
				p++;
				need_value = 0;
			} else if (open[depth - 1] == '{' && !(p = valid_key(p, end))) {
				return 0;
			}
		} else if (need_value) {
			if (!(p = valid_scalar(p, end)))
				return 0;
			need_value = 0;
		} else if (*p == ',') {
			p++;
			if (open[depth - 1] == '{' && !(p = valid_key(p, end)))
				return 0;
			need_value = 1;
		} else if (*p == close) {
			depth--;
			p++;
		} else {
			return 0;
		}
	}
	return json_ws(p, end) == end;
}

/* ---- raw JSON scanning ------------------------------------------------ */

struct cursor {
	const char *p;
	const char *end;
};

static void skip_ws(struct cursor *c)
{
	c->p = json_ws(c->p, c->end);
}

static int skip_string(struct cursor *c)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	for (c->p++; c->p < c->end; c->p++) {
		if (*c->p == '\\')
			c->p++;
		else if (*c->p == '"') {
			c->p++;
			return 0;
		}
	}
	return -1;
}

/* Skips one value; nesting is bounded by the caller's parse with cJSON. */
static int skip_value(struct cursor *c, int depth)
{
	char open, close;

	skip_ws(c);
	if (c->p >= c->end || depth > 1000)
		return -1;
	if (*c->p == '"')
		return skip_string(c);
	if (*c->p != '{' && *c->p != '[') {
		while (c->p < c->end && !strchr(",}] \t\r\n", *c->p))
			c->p++;
		return 0;
	}
	open = *c->p;
	close = open == '{' ? '}' : ']';
	c->p++;
	for (;;) {
		skip_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			return 0;
		}
		if (open == '{') {
			if (skip_string(c) < 0)
				return -1;
			skip_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return -1;
		}
		if (skip_value(c, depth + 1) < 0)
			return -1;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else if (c->p >= c->end || *c->p != close)
			return -1;
	}
}

/* Within the object at c, finds the value of key; c ends at the value. */
static int find_key(struct cursor *c, const char *key)
{
	size_t klen = strlen(key);
	const char *k, *kend;

	skip_ws(c);
	if (c->p >= c->end || *c->p != '{')
		return -1;
	c->p++;
	for (;;) {
		skip_ws(c);
		k = c->p;
		if (skip_string(c) < 0)
			return -1;
		kend = c->p;
		skip_ws(c);
		if (c->p >= c->end || *c->p++ != ':')
			return -1;
		skip_ws(c);
		if ((size_t)(kend - k) == klen + 2 && !memcmp(k + 1, key, klen))
			return 0;
		if (skip_value(c, 0) < 0)
			return -1;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else
			return -1;
	}
}

const char *json_raw_lookup(const char *json, size_t len,
			    const char *const *keys, size_t nkeys, size_t *vlen)
{
	struct cursor c = { json, json + len };
	const char *start;
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (find_key(&c, keys[i]) < 0)
			return NULL;
	skip_ws(&c);
	start = c.p;
	if (skip_value(&c, 0) < 0)
		return NULL;
	*vlen = (size_t)(c.p - start);
	return start;
}

int json_raw_array_each(const char *json, size_t len,
			void (*fn)(const char *el, size_t ellen, void *ctx),
			void *ctx)
{
	struct cursor c = { json, json + len };
	const char *start;
	int count = 0;

	skip_ws(&c);
	if (c.p >= c.end || *c.p != '[')
		return -1;
	c.p++;
	for (;;) {
		skip_ws(&c);
		if (c.p < c.end && *c.p == ']')
			return count;
		start = c.p;
		if (skip_value(&c, 0) < 0)
			return -1;
		fn(start, (size_t)(c.p - start), ctx);
		count++;
		skip_ws(&c);
		if (c.p < c.end && *c.p == ',')
			c.p++;
		else if (c.p >= c.end || *c.p != ']')
			return -1;
	}
}

/* ---- escapes ---------------------------------------------------------- */

/* The value of the four hex digits at p, or -1. */
static long hex4(const char *p, const char *end)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (p + i >= end || !isxdigit((unsigned char)p[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)p[i]) ? p[i] - '0' :
			      (tolower((unsigned char)p[i]) - 'a' + 10));
	}
	return v;
}

/*
 * Calls fn for every \uXXXX escape inside the strings of valid JSON text,
 * with a pointer to its backslash; stops when fn returns nonzero.
 */
static int each_unicode_escape(char *json, size_t len,
			       int (*fn)(char *esc, char *end, void *ctx),
			       void *ctx)
{
	char *p = json, *end = json + len;
	int in_string = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			in_string = !in_string;
		} else if (in_string && *p == '\\') {
			if (p + 1 < end && p[1] == 'u' && fn(p, end, ctx))
				return 1;
			p++;	/* the escaped character is not a quote */
		}
	}
	return 0;
}

static int is_nul_escape(char *esc, char *end, void *ctx)
{
	(void)ctx;
	return hex4(esc + 2, end) == 0;
}

int json_has_nul_escape(const char *json, size_t len)
{
	/* the walk only reads: the cast lets it share the fixer's walk */
	return each_unicode_escape((char *)json, len, is_nul_escape, NULL);
}

struct surrogates {
	size_t fixed;
	const char *pair_low;	/* the low half of the last pair seen */
};

static int fix_surrogate(char *esc, char *end, void *ctx)
{
	struct surrogates *st = ctx;
	long v = hex4(esc + 2, end), next;

	if (v < 0xD800 || v > 0xDFFF || esc == st->pair_low)
		return 0;
	if (v <= 0xDBFF && end - esc >= 12 && esc[6] == '\\' &&
	    esc[7] == 'u') {
		next = hex4(esc + 8, end);
		if (next >= 0xDC00 && next <= 0xDFFF) {
			st->pair_low = esc + 6;
			return 0;
		}
	}
	memcpy(esc + 2, "fffd", 4);
	st->fixed++;
	return 0;
}

size_t json_fix_lone_surrogates(char *json, size_t len)
{
	struct surrogates st = { 0, NULL };

	each_unicode_escape(json, len, fix_surrogate, &st);
	return st.fixed;
}

cJSON *json_raw_reference(const char *text)
{
	cJSON *item = cJSON_CreateRaw("");

	if (item) {
		cJSON_free(item->valuestring);
		item->valuestring = (char *)text;
		item->type |= cJSON_IsReference;	/* delete leaves it */
	}
	return item;
}
