/*
 * The transport: the bounded line reader (CRLF, over-long lines dropped
 * whole, a last line without newline), the raw id scanner, and the writer
 * (one line per message, invalid UTF-8 replaced, batches collected).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "log.h"
#include "reader.h"
#include "writer.h"
#include "tap.h"

static struct buf written = BUF_INIT;

static int to_memory(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	return buf_add(&written, data, len);
}

/* Feeds text through a pipe into a reader with the given cap. */
static void read_lines(const char *text, size_t len, size_t cap,
		       enum read_status *st, char out[][64], int max)
{
	struct line_reader r;
	struct buf line = BUF_INIT;
	int fds[2], n = 0;

	if (pipe(fds) < 0)
		return;
	if (write(fds[1], text, len) != (ssize_t)len)
		return;
	close(fds[1]);
	reader_init(&r, fds[0], cap);
	while (n < max) {
		st[n] = reader_next(&r, &line);
		if (st[n] == READ_NONE) {
			reader_fill(&r, 1000);
			continue;
		}
		snprintf(out[n], 64, "%s", st[n] == READ_LINE ? line.data : "");
		if (st[n++] == READ_EOF)
			break;
	}
	close(fds[0]);
	reader_release(&r);
	buf_release(&line);
}

static void test_reader(void)
{
	enum read_status st[8];
	char out[8][64];
	const char *text = "one\r\n\ntwo\n0123456789abcdef\nthree";

	read_lines(text, strlen(text), 10, st, out, 8);
	CHECK(st[0] == READ_LINE && !strcmp(out[0], "one"), "CRLF is stripped");
	CHECK(st[1] == READ_LINE && !strcmp(out[1], ""), "a blank line is a line");
	CHECK(st[2] == READ_LINE && !strcmp(out[2], "two"), "LF line");
	CHECK(st[3] == READ_TOO_LONG, "an over-long line is reported once");
	CHECK(st[4] == READ_LINE && !strcmp(out[4], "three"),
	      "the line after it, without a final newline, survives");
	CHECK(st[5] == READ_EOF, "then end of input");
}

static void test_raw_lookup(void)
{
	static const char *const id[] = { "id" };
	static const char *const tok[] = { "params", "_meta", "progressToken" };
	const char *json = "{\"a\":{\"id\":1},\"id\" : 9007199254740993,"
			   "\"params\":{\"_meta\":{\"progressToken\":\"t\\\"x\"}}}";
	const char *v;
	size_t n;

	v = json_raw_lookup(json, strlen(json), id, 1, &n);
	CHECK(v && n == 16 && !strncmp(v, "9007199254740993", n),
	      "top-level id found raw, digit for digit");
	v = json_raw_lookup(json, strlen(json), tok, 3, &n);
	CHECK(v && n == 6 && !strncmp(v, "\"t\\\"x\"", n),
	      "nested token found raw with its escapes");
	v = json_raw_lookup("{\"x\":1}", 7, id, 1, &n);
	CHECK(!v, "a missing key is NULL");
	v = json_raw_lookup("[1,2]", 5, id, 1, &n);
	CHECK(!v, "not an object is NULL");
}

static int count;
static void count_el(const char *el, size_t len, void *ctx)
{
	(void)el; (void)len; (void)ctx;
	count++;
}

static void test_array_each(void)
{
	const char *batch = "[{\"a\":[1,2]}, \"x\", 3]";

	CHECK(json_raw_array_each(batch, strlen(batch), count_el, NULL) == 3 &&
	      count == 3,
	      "a batch splits into its elements");
	CHECK(json_raw_array_each("{}", 2, count_el, NULL) == -1,
	      "an object is not a batch");
}

static void test_writer(void)
{
	cJSON *id = cJSON_CreateRaw("7"), *res = cJSON_CreateObject();

	writer_set_sink(to_memory, NULL);
	cJSON_AddStringToObject(res, "text", "a\nb\"c\xff");
	writer_send_result(id, res);
	CHECK(!strcmp(written.data, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":"
		      "{\"text\":\"a\\nb\\\"c\xEF\xBF\xBD\"}}\n"),
	      "one escaped line, invalid UTF-8 replaced");
	buf_reset(&written);
	writer_batch_begin();
	writer_send_error(id, -32601, "nope", NULL);
	writer_notify("notifications/progress", NULL);
	writer_send_result(id, NULL);
	writer_batch_end();
	CHECK(!strcmp(written.data,
		      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n"
		      "[{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32601,"
		      "\"message\":\"nope\"}},{\"jsonrpc\":\"2.0\",\"id\":7,"
		      "\"result\":{}}]\n"),
	      "a batch's responses go out as one array line");
	cJSON_Delete(id);
	buf_release(&written);
	writer_set_sink(NULL, NULL);
}

/* Cleans printed text with secrets registered. */
static char *clean(const char *text)
{
	size_t len;

	return writer_clean(strdup(text), &len);
}

static void test_redaction(void)
{
	char *out;
	cJSON *v;

	redact_register("sk-secret-123");
	redact_register("nkey5678");
	out = clean("{\"a\":\"x sk-secret-123 y\"}");
	CHECK(!strcmp(out, "{\"a\":\"x [redacted] y\"}"), "a secret in a value");
	free(out);
	/* "\nkey5678": only the escaped form shows the secret */
	out = clean("{\"a\":\"\\nkey5678\"}");
	v = cJSON_Parse(out);
	CHECK(v && !strstr(out, "nkey5678"),
	      "a secret the escape makes is cut with its escape: still JSON");
	cJSON_Delete(v);
	free(out);
	out = clean("{\"sk-secret-123\":1}");
	CHECK(!strstr(out, "secret") && (v = cJSON_Parse(out)), "in a key too");
	cJSON_Delete(v);
	free(out);
	out = clean("{\"a\":\"\xff\xfe ok\"}");
	CHECK(!strcmp(out, "{\"a\":\"\xEF\xBF\xBD\xEF\xBF\xBD ok\"}"),
	      "invalid UTF-8 becomes U+FFFD");
	free(out);
	redact_wipe();
}

static void test_escapes(void)
{
	char lone[] = "{\"t\":\"a\\ud83d b \\ud83d\\ude00 \\udc00\"}";
	const char *nul = "{\"t\":\"\\u0000\"}", *not_nul = "{\"t\":\"\\\\u0000\"}";
	cJSON *v;

	CHECK(json_has_nul_escape(nul, strlen(nul)), "\\u0000 is a NUL");
	CHECK(!json_has_nul_escape(not_nul, strlen(not_nul)),
	      "an escaped backslash before u0000 is text, not a NUL");
	CHECK(json_fix_lone_surrogates(lone, strlen(lone)) == 2,
	      "two lone surrogates fixed, the pair kept");
	v = cJSON_Parse(lone);
	CHECK(v && strstr(cJSON_GetObjectItem(v, "t")->valuestring,
			  "\xF0\x9F\x98\x80"), "the pair still reads as one emoji");
	cJSON_Delete(v);
}

int main(void)
{
	test_reader();
	test_raw_lookup();
	test_array_each();
	test_writer();
	test_redaction();
	test_escapes();
	return tap_done();
}
