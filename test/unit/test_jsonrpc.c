/*
 * The transport: the bounded line reader (CRLF, over-long lines dropped
 * whole, a last line without newline), the raw id scanner, and the writer
 * (one line per message, invalid UTF-8 replaced, batches collected).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jsonrpc.h"
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

	jsonrpc_set_sink(to_memory, NULL);
	cJSON_AddStringToObject(res, "text", "a\nb\"c\xff");
	jsonrpc_send_result(id, res);
	CHECK(!strcmp(written.data, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":"
		      "{\"text\":\"a\\nb\\\"c\xEF\xBF\xBD\"}}\n"),
	      "one escaped line, invalid UTF-8 replaced");
	buf_reset(&written);
	jsonrpc_batch_begin();
	jsonrpc_send_error(id, -32601, "nope", NULL);
	jsonrpc_notify("notifications/progress", NULL);
	jsonrpc_send_result(id, NULL);
	jsonrpc_batch_end();
	CHECK(!strcmp(written.data,
		      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n"
		      "[{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32601,"
		      "\"message\":\"nope\"}},{\"jsonrpc\":\"2.0\",\"id\":7,"
		      "\"result\":{}}]\n"),
	      "a batch's responses go out as one array line");
	cJSON_Delete(id);
	buf_release(&written);
	jsonrpc_set_sink(NULL, NULL);
}

int main(void)
{
	test_reader();
	test_raw_lookup();
	test_array_each();
	test_writer();
	return tap_done();
}
