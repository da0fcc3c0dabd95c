/*
 * json_parse_body: a large body gives the tree cJSON gives for it, its
 * long strings decoded exactly (escapes, \u, surrogate pairs, at the
 * edges of the placeholders), long keys left alone; a body that is not
 * strict JSON, or holds the placeholder mark, goes the plain way.
 */
#include <stdlib.h>
#include <string.h>
#include "jsonbody.h"
#include "tap.h"

/* A JSON string literal of about size bytes, dense with escapes. */
static void add_long_literal(struct buf *b, size_t size, const char *unit)
{
	size_t n = strlen(unit);

	buf_add(b, "\"", 1);
	for (; size > n; size -= n)
		buf_add(b, unit, n);
	buf_add(b, "\"", 1);
}

/* Parses text both ways; 1 when the trees print the same. */
static int same_as_cjson(const char *text, size_t len)
{
	cJSON *want = cJSON_ParseWithLength(text, len);
	struct buf body = BUF_INIT;
	cJSON *got;
	char *a, *b;
	int same;

	buf_add(&body, text, len);
	got = json_parse_body(&body);
	a = want ? cJSON_PrintUnformatted(want) : NULL;
	b = got ? cJSON_PrintUnformatted(got) : NULL;
	same = (!a && !b) || (a && b && !strcmp(a, b));
	free(a);
	free(b);
	cJSON_Delete(want);
	cJSON_Delete(got);
	buf_release(&body);
	return same;
}

static void test_long_strings(void)
{
	static const char *const units[] = {
		"Row 1: \\\"quoted\\\", a tab\\tand a newline\\n",
		"caf\\u00e9 \\ud83d\\ude00 \xe2\x82\xac \\\\ \\/ ",
		"plain text with no escapes at all ",
	};
	struct buf b = BUF_INIT;
	size_t i;

	buf_addstr(&b, "{\"session\":{\"messages\":[");
	for (i = 0; i < 3; i++) {
		buf_addstr(&b, i ? ",{\"content\":" : "{\"content\":");
		add_long_literal(&b, 400 << 10, units[i]);
		buf_addstr(&b, ",\"parts\":[{\"type\":\"text\",\"text\":");
		add_long_literal(&b, 300 << 10, units[(i + 1) % 3]);
		buf_addstr(&b, "}]}");
	}
	buf_addstr(&b, "]},");
	add_long_literal(&b, 70 << 10, "a long key ");	/* a key stays */
	buf_addstr(&b, ":1,\"short\":\"s\",\"n\":[1.5,-2,null,true,\"\"]}");
	CHECK(b.len > JSON_BODY_LEAN_FROM, "the body is large (%zu)", b.len);
	CHECK(same_as_cjson(b.data, b.len),
	      "a large body with long strings parses as cJSON parses it");
	buf_reset(&b);
	add_long_literal(&b, 2 << 20, "\\u0041\\n");
	CHECK(same_as_cjson(b.data, b.len), "a body that is one long string");
	buf_release(&b);
}

static void test_plain_way(void)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "{\"a\":\"gumloop-mcp-long-string-0\",\"b\":");
	add_long_literal(&b, 2 << 20, "x");
	buf_addstr(&b, ",\"c\":\"\\u0067umloop-mcp-long-string-0\",\"d\":"
		   "\"\\u00ffgumloop-mcp-long-string-0\"}");
	CHECK(same_as_cjson(b.data, b.len),
	      "strings that look like a placeholder, plain or escaped, stay");
	buf_reset(&b);
	buf_addstr(&b, "{\"lone\":");
	add_long_literal(&b, 2 << 20, "\\ud800 y");	/* cJSON refuses it */
	buf_addstr(&b, "}");
	CHECK(same_as_cjson(b.data, b.len),
	      "a long string cJSON refuses makes the body not JSON");
	buf_reset(&b);
	buf_addstr(&b, "{\"lenient\":01,\"b\":");	/* cJSON reads 01 */
	add_long_literal(&b, 2 << 20, "y");
	buf_addstr(&b, "}");
	CHECK(same_as_cjson(b.data, b.len), "a body cJSON alone accepts");
	buf_reset(&b);
	buf_addstr(&b, "{\"cut\":");
	add_long_literal(&b, 2 << 20, "z");
	CHECK(same_as_cjson(b.data, b.len - 1), "a cut body is not JSON");
	buf_release(&b);
}

int main(void)
{
	test_long_strings();
	test_plain_way();
	return tap_done();
}
