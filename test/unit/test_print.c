/*
 * The compact printer: json_print() writes exactly what
 * cJSON_PrintUnformatted writes; secrets are redacted in the values (an
 * escaped-only one takes its whole token); a message over 256 KiB goes out
 * in pieces that join into the same line, valid UTF-8 even where a piece
 * boundary falls inside a UTF-8 sequence. A text-of item prints as the
 * string of its tree's JSON, the same line a string of that text gives.
 */
#include <stdlib.h>
#include <string.h>
#include "jsonrpc.h"
#include "log.h"
#include "tap.h"

static struct buf written = BUF_INIT;
static int pieces;

static int to_memory(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	pieces++;
	return buf_add(&written, data, len);
}

static void test_same_as_cjson(void)
{
	static const char *const docs[] = {
		"{}", "[]", "null", "true", "false", "0", "-0", "1", "-17",
		"0.1", "1e300", "-2.5e-7", "9007199254740993", "123456789012",
		"3.141592653589793", "\"\"", "\"a\\\"b\\\\c\\/d\"",
		"\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"",
		"\"caf\\u00e9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		"{\"a\":[1,{\"b\":null,\"c\":[[],{}]}],\"\\u0000k\":\"v\"}",
		"[1,\"two\",[3,[4,[5]]],{\"six\":6.5},true,false,null]",
		"{\"nested\":{\"deeper\":{\"x\":\"\\\"quoted\\\"\"}},\"n\":-1e-300}",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		cJSON *v = cJSON_Parse(docs[i]);
		char *want = v ? cJSON_PrintUnformatted(v) : NULL;
		char *got = v ? json_print(v) : NULL;

		CHECK(want && got && !strcmp(want, got), "prints %s as cJSON does",
		      docs[i]);
		free(want);
		free(got);
		cJSON_Delete(v);
	}
}

/* Escapes packed at the edges of the printer's 4 KiB chunks, through both
 * the fast path and the careful, streamed one. */
static void test_dense_escapes(void)
{
	static const char *const units[] = { "\"", "a\"", "\x01", "ab\\\n",
					     "\"abcdefghijklmnopqrstuvwxyz0123456789",
					     "\xe2\x82\xac\t" };
	size_t u, i, total = 0;
	cJSON *arr = cJSON_CreateArray(), *id = cJSON_CreateRaw("4");
	char *want, *got, *line;
	struct buf b = BUF_INIT;

	for (u = 0; u < sizeof(units) / sizeof(*units); u++) {
		buf_reset(&b);
		for (i = 0; b.len < 70000; i++)
			buf_addstr(&b, units[u]);
		cJSON_AddItemToArray(arr, cJSON_CreateString(b.data));
		total += b.len;
	}
	/* an escape that ends past the chunk, then a run */
	buf_reset(&b);
	for (i = 0; i < 4094; i++)
		buf_add(&b, "a", 1);
	buf_addstr(&b, "\"");
	for (i = 0; i < 100; i++)
		buf_add(&b, "b", 1);
	cJSON_AddItemToArray(arr, cJSON_CreateString(b.data));
	want = cJSON_PrintUnformatted(arr);
	got = json_print(arr);
	CHECK(want && got && !strcmp(want, got),
	      "dense escapes print as cJSON prints them (%zu bytes)", total);
	redact_register("never-in-the-text");
	pieces = 0;
	jsonrpc_set_sink(to_memory, NULL);
	jsonrpc_send_result(id, cJSON_Duplicate(arr, 1));
	line = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":%s}\n", want);
	CHECK(pieces > 1 && written.len == strlen(line) &&
	      !memcmp(written.data, line, written.len),
	      "and streamed carefully in %d pieces, the same line", pieces);
	jsonrpc_set_sink(NULL, NULL);
	redact_wipe();
	buf_release(&written);
	buf_release(&b);
	free(line);
	free(want);
	free(got);
	cJSON_Delete(arr);
	cJSON_Delete(id);
}

static void test_raw_and_failure(void)
{
	cJSON *o = cJSON_CreateObject(), *bad = cJSON_CreateObject();
	char *got;

	cJSON_AddRawToObject(o, "r", "[1,2]");
	got = json_print(o);
	CHECK(got && !strcmp(got, "{\"r\":[1,2]}"), "a raw member is copied as is");
	free(got);
	cJSON_AddRawToObject(bad, "x", "1");
	free(cJSON_GetObjectItem(bad, "x")->valuestring);
	cJSON_GetObjectItem(bad, "x")->valuestring = NULL;
	got = json_print(bad);
	CHECK(!got, "a raw member without text fails, as in cJSON");
	free(got);
	cJSON_Delete(o);
	cJSON_Delete(bad);
}

/*
 * A 3 MiB string dense with secrets and UTF-8 characters, so the cuts
 * between pieces fall inside them (no escapes: pieces end mid-run).
 */
static char *big_text(const char *secret, size_t size)
{
	char *s = malloc(size + 1);
	size_t pos, n = strlen(secret);

	memset(s, 'x', size);
	s[size] = '\0';
	for (pos = 0; pos + n < size; pos += n + 23)
		memcpy(s + pos, secret, n);
	for (pos = 7; pos + 3 < size; pos += 61)
		memcpy(s + pos, "\xe2\x82\xac", 3);
	return s;
}

static void test_streamed_message(void)
{
	const char *secret = "sk-live-0123456789abcdef0123456789abcdef";
	size_t size = 3u << 20;
	char *text = big_text(secret, size), *whole, *want;
	cJSON *id = cJSON_CreateRaw("1"), *res = cJSON_CreateObject(), *msg;

	redact_register(secret);
	cJSON_AddStringToObject(res, "text", text);
	cJSON_AddItemToObject(res, "same", cJSON_Parse("{\"k\":[1,2,3]}"));
	msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id", cJSON_Duplicate(id, 1));
	cJSON_AddItemToObject(msg, "result", cJSON_Duplicate(res, 1));
	whole = cJSON_PrintUnformatted(msg);
	want = redact_string(whole);
	pieces = 0;
	jsonrpc_set_sink(to_memory, NULL);
	jsonrpc_send_result(id, res);
	CHECK(pieces > 2, "a 3 MiB message goes out in pieces (%d)", pieces);
	CHECK(written.len == strlen(want) + 1 &&
	      !memcmp(written.data, want, written.len - 1) &&
	      written.data[written.len - 1] == '\n',
	      "the pieces join into the line cJSON prints, redacted");
	CHECK(!memmem(written.data, written.len, secret, strlen(secret)),
	      "no secret crosses a piece boundary unredacted");
	jsonrpc_set_sink(NULL, NULL);
	redact_wipe();
	buf_release(&written);
	free(whole);
	free(want);
	free(text);
	cJSON_Delete(msg);
	cJSON_Delete(id);
}

/* Secrets go in the values; one that only the escaped text shows takes
 * its whole string (or number) with it, and the line stays JSON. */
static void test_redaction(void)
{
	cJSON *id = cJSON_CreateRaw("2"), *res = cJSON_CreateObject(), *back;

	redact_register("fuzz-key-123");
	redact_register("98765432");
	cJSON_AddStringToObject(res, "plain", "a fuzz-key-123 b");
	cJSON_AddStringToObject(res, "escaped", "\fuzz-key-123");
	cJSON_AddNumberToObject(res, "n", 98765432);
	cJSON_AddRawToObject(res, "raw", "{\"k\":\"fuzz-key-123\"}");
	jsonrpc_set_sink(to_memory, NULL);
	jsonrpc_send_result(id, res);
	back = cJSON_Parse(written.data);
	CHECK(back && !strstr(written.data, "fuzz-key-123") &&
	      !strstr(written.data, "98765432"), "no secret in %s", written.data);
	CHECK(strstr(written.data, "\"plain\":\"a [redacted] b\"") &&
	      strstr(written.data, "\"escaped\":\"[redacted]\"") &&
	      strstr(written.data, "\"n\":\"[redacted]\"") &&
	      strstr(written.data, "\"raw\":\"{\\\"k\\\":\\\"[redacted]\\\"}\""),
	      "values are redacted in place, escaped-only secrets whole");
	jsonrpc_set_sink(NULL, NULL);
	buf_release(&written);
	cJSON_Delete(back);
	cJSON_Delete(id);
}

/* The escaped-only secret across the 256 KiB windows it is checked in. */
static void test_redaction_across_windows(void)
{
	size_t pad = (256u << 10) - 3;
	char *s = malloc(pad + 32);
	cJSON *id = cJSON_CreateRaw("3"), *res = cJSON_CreateObject();

	memset(s, 'x', pad);
	strcpy(s + pad, "\fuzz-key-123 tail");
	cJSON_AddStringToObject(res, "long", s);
	jsonrpc_set_sink(to_memory, NULL);
	jsonrpc_send_result(id, res);
	CHECK(!strstr(written.data, "fuzz-key-123") &&
	      strstr(written.data, "\"long\":\"[redacted]\""),
	      "a secret shown by an escape at a window edge takes its string");
	jsonrpc_set_sink(NULL, NULL);
	redact_wipe();
	buf_release(&written);
	cJSON_Delete(id);
	free(s);
}

/* The line msg gives when every text-of item in it is replaced by a plain
 * string of json_text: what a text-of item must print as. */
static char *line_with_plain_text(const cJSON *msg, const char *path_key)
{
	cJSON *copy = cJSON_Duplicate(msg, 1);
	cJSON *res = cJSON_GetObjectItemCaseSensitive(copy, "result");
	cJSON *item = cJSON_GetObjectItemCaseSensitive(res, path_key);
	char *text = json_text(item), *line, *clean;

	cJSON_ReplaceItemInObjectCaseSensitive(res, path_key,
					       cJSON_CreateString(text));
	line = cJSON_PrintUnformatted(copy);
	clean = redact_string(line);
	free(line);
	free(text);
	cJSON_Delete(copy);
	return clean;
}

static void send_text_of(cJSON *tree, const char *secret, const char *label)
{
	cJSON *id = cJSON_CreateRaw("5"), *res = cJSON_CreateObject(), *msg, *dup;
	char *want;

	if (secret)
		redact_register(secret);
	cJSON_AddItemToObject(res, "text", json_text_of(tree));
	/* the tree as structure too, after its text (printed once, reused) */
	cJSON_AddItemToObject(res, "structuredContent", tree);
	msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id", cJSON_Duplicate(id, 1));
	cJSON_AddItemToObject(msg, "result", res);
	want = line_with_plain_text(msg, "text");
	jsonrpc_set_sink(to_memory, NULL);
	jsonrpc_send(msg);
	CHECK(written.len == strlen(want) + 1 && !memcmp(written.data, want,
	      written.len - 1), "%s: prints as the string of its JSON", label);
	CHECK(!secret || !memmem(written.data, written.len, secret,
				 strlen(secret)), "%s: no secret", label);
	dup = cJSON_Duplicate(msg, 1);	/* owns a copy of the tree */
	buf_reset(&written);
	jsonrpc_send(dup);
	CHECK(written.len == strlen(want) + 1 && !memcmp(written.data, want,
	      written.len - 1), "%s: a duplicate prints the same", label);
	jsonrpc_set_sink(NULL, NULL);
	redact_wipe();
	buf_release(&written);
	cJSON_Delete(dup);
	cJSON_DetachItemFromObject(res, "structuredContent");
	cJSON_Delete(msg);	/* leaves tree to its owner */
	cJSON_Delete(id);
	free(want);
}

static void test_text_of(void)
{
	const char *secret = "sk-live-0123456789abcdef0123456789abcdef";
	cJSON *small = cJSON_Parse("{\"s\":\"a \\\"q\\\" \\\\ b\\n\\u0001\","
				   "\"n\":[1,2.5,null,true],\"u\":\"\\u00e9\"}");
	cJSON *big = cJSON_CreateObject();
	char *text = big_text(secret, 1u << 20), *printed;

	send_text_of(small, NULL, "a small tree");
	cJSON_AddStringToObject(small, "leak", "key sk-live-0123456789abcdef0123456789abcdef!");
	send_text_of(small, secret, "a small tree with a secret");
	printed = json_text(cJSON_GetObjectItemCaseSensitive(small, "s"));
	CHECK(printed && !strcmp(printed, "a \"q\" \\ b\n\x01"),
	      "json_text of a plain string is its value");
	free(printed);
	cJSON_AddStringToObject(big, "text", text);
	cJSON_AddStringToObject(big, "quotes", "\"\\\"\t");
	send_text_of(big, secret, "a 1 MiB tree with secrets");
	cJSON_Delete(small);
	cJSON_Delete(big);
	free(text);
}

/* The bound the write-behind trusts: never under the printed length (a
 * line it calls short must really be short), exact for plain ASCII. */
static void check_bound(cJSON *v, const char *what)
{
	char *printed = json_print(v);
	size_t len = printed ? strlen(printed) : 0;

	CHECK(printed && json_print_bound(v, 1u << 30) >= len,
	      "the bound of %s is at least its %zu printed bytes", what, len);
	free(printed);
}

static void test_print_bound(void)
{
	static const char *const docs[] = {
		"{}", "[]", "null", "-1e-300", "9007199254740993", "\"\"",
		"\"\\b\\f\\n\\u0001\\\"\\\\\"",
		"\"caf\\u00e9 \xe2\x82\xac\"", "\"bad \\u00ff\"",
		"{\"a\":[1,{\"b\":null,\"c\":[[],{}]}],\"\\u0000k\":\"v\"}",
		"{\"q\":\"\\\"quoted\\\" \\\\ \\t\",\"n\":[1.5,true,false]}",
	};
	cJSON *plain = cJSON_Parse("{\"run_id\":\"run_1\",\"log\":[\"a\",\"b\"]}");
	cJSON *result = cJSON_CreateObject(), *item, *v;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		v = cJSON_Parse(docs[i]);
		check_bound(v, docs[i]);
		cJSON_Delete(v);
	}
	v = cJSON_CreateString("\xff\xfe not UTF-8 \x80");	/* U+FFFD each */
	check_bound(v, "a string that is not UTF-8");
	cJSON_Delete(v);
	/* a result: the text of its structure, then the structure */
	item = cJSON_AddArrayToObject(result, "content");
	cJSON_AddItemToArray(item, v = cJSON_CreateObject());
	cJSON_AddItemToObject(v, "text", json_text_of(plain));
	cJSON_AddItemToObject(result, "structuredContent", plain);
	check_bound(result, "a result with a text-of item");
	text = json_print(result);
	CHECK(text && json_print_bound(result, 1u << 30) < 2 * strlen(text),
	      "the bound of a plain result is close to its length");
	CHECK(json_print_bound(result, 10) > 10, "a bound past cap says so");
	free(text);
	cJSON_Delete(result);
}

int main(void)
{
	test_same_as_cjson();
	test_dense_escapes();
	test_raw_and_failure();
	test_redaction();
	test_redaction_across_windows();
	test_streamed_message();
	test_text_of();
	test_print_bound();
	return tap_done();
}
