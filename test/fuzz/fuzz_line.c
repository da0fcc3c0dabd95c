/*
 * libFuzzer target: the protocol, one input line at a time.
 *
 * The input is split on '\n' and each line goes to mcp_handle_line() of a
 * fresh server, with stdout swapped for memory (writer_set_sink). So one
 * input can initialize first and reach the states after it (batches need
 * 2025-03-26). Checked for every line the server writes: it ends with the
 * only newline, it is valid UTF-8, it parses as JSON, and every message in
 * it is a JSON-RPC 2.0 object. Checked per input line: a notification
 * gets no response, a request with a valid id gets exactly one, carrying
 * that id, and a single message never produces more than one response.
 *
 * Tool calls stop at the credential check (no key is configured), so no
 * network is ever touched; the HTTP side has its own target, fuzz_http.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "fuzz.h"
#include "json.h"
#include "writer.h"
#include "mcp.h"

struct capture {
	struct buf out;
};

static int capture_sink(const char *data, size_t len, void *ctx)
{
	struct capture *c = ctx;

	buf_add(&c->out, data, len);
	return 0;
}

/*
 * The line as one whole JSON value, or NULL. The server decides what is
 * JSON with its strict json_valid(); cJSON, more lenient, must agree, so
 * the two checks together mark the lines the rest of the oracle judges.
 */
static cJSON *parse_whole(const char *line, size_t len)
{
	const char *end = NULL;
	char *text;
	cJSON *j;

	if (!json_valid(line, len))
		return NULL;
	/* a lone surrogate is JSON; the server answers it (and echoes it) */
	text = fuzz_unsurrogate(line, len);
	j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	while (j && end < text + len && strchr(" \t\r\n", *end))
		end++;
	if (j && end != text + len) {
		cJSON_Delete(j);
		j = NULL;
	}
	free(text);
	return j;
}

/* jsonrpc "2.0", a string method and no id member (params unchecked). */
static int is_notification(const cJSON *j)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "jsonrpc");

	return cJSON_IsObject(j) && !cJSON_HasObjectItem(j, "id") &&
	       cJSON_IsString(v) && !strcmp(v->valuestring, "2.0") &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "method"));
}

/* An integer id as JSON-RPC means it: digits only, no fraction or
 * exponent (the first "id" member, as the parser takes it). */
static int plain_integer_id(const char *line, size_t len)
{
	static const char *const path[] = { "id" };
	size_t n;
	const char *raw = json_raw_lookup(line, len, path, 1, &n);
	size_t i;

	if (!raw)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("-0123456789", raw[i]))
			return 0;
	return n < 16;
}

/* A request the server must answer: valid UTF-8, jsonrpc 2.0, a method,
 * a string or integer id, params absent or an object, no "\u0000". */
static const cJSON *answerable_id(const cJSON *j, const char *line, size_t len)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "jsonrpc");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "params");

	if (!cJSON_IsObject(j) || !cJSON_IsString(v) ||
	    strcmp(v->valuestring, "2.0") || !cJSON_IsString(m) ||
	    (p && !cJSON_IsObject(p)) || memmem(line, len, "\\u0000", 6) ||
	    !fuzz_utf8_valid(line, len) ||
	    cJSON_HasObjectItem(j, "result") || cJSON_HasObjectItem(j, "error"))
		return NULL;
	if (cJSON_IsString(id) ||
	    (cJSON_IsNumber(id) && plain_integer_id(line, len)))
		return id;
	return NULL;
}

/* Checks one output line; returns how many responses it holds. */
static int check_output_line(const char *line, size_t len, const cJSON *want_id)
{
	cJSON *j, *el;
	int responses = 0;
	char *text;

	FUZZ_ASSERT(!memchr(line, '\n', len), "raw newline inside a message");
	FUZZ_ASSERT(!memchr(line, '\0', len), "NUL byte in the output");
	FUZZ_ASSERT(fuzz_utf8_valid(line, len), "output is not valid UTF-8");
	text = fuzz_unsurrogate(line, len);
	j = cJSON_ParseWithLength(text, len);
	free(text);
	FUZZ_ASSERT(j, "output line is not JSON");
	if (cJSON_IsArray(j)) {
		FUZZ_ASSERT(cJSON_GetArraySize(j) > 0, "empty batch response");
		cJSON_ArrayForEach(el, j) {
			FUZZ_ASSERT(fuzz_is_jsonrpc(el), "batch element is not JSON-RPC");
			FUZZ_ASSERT(!cJSON_HasObjectItem(el, "method"),
				    "notification inside a batch response");
		}
		cJSON_Delete(j);
		return 1;
	}
	FUZZ_ASSERT(fuzz_is_jsonrpc(j), "output is not a JSON-RPC 2.0 message");
	if (!cJSON_HasObjectItem(j, "method")) {
		responses = 1;
		if (want_id)
			FUZZ_ASSERT(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(j, "id"),
						  want_id, 1),
				    "response id differs from the request id");
	}
	cJSON_Delete(j);
	return responses;
}

static void run_line(struct server *srv, struct capture *cap,
		     const char *line, size_t len)
{
	cJSON *parsed = parse_whole(line, len);
	int notification = is_notification(parsed);
	const cJSON *want = answerable_id(parsed, line, len);
	size_t at = 0;
	int responses = 0;
	char *nl;

	buf_reset(&cap->out);
	mcp_handle_line(srv, line, len);
	while (at < cap->out.len) {
		nl = memchr(cap->out.data + at, '\n', cap->out.len - at);
		FUZZ_ASSERT(nl, "output does not end with a newline");
		responses += check_output_line(cap->out.data + at,
					       (size_t)(nl - cap->out.data) - at,
					       want);
		at = (size_t)(nl - cap->out.data) + 1;
	}
	if (notification)
		FUZZ_ASSERT(responses == 0, "a notification was answered");
	if (want)
		FUZZ_ASSERT(responses == 1, "a request got %d responses", responses);
	if (cJSON_IsObject(parsed))
		FUZZ_ASSERT(responses <= 1, "one message got %d responses", responses);
	cJSON_Delete(parsed);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* A few tools keep tools/list small: listing is the same code for
	 * any count, and a page of 50 schemas would cost most of each run. */
	static const char *const env[] = {
		"GUMLOOP_MCP_TOOLS=list_all_gumloop_flows,"
		"get_single_gumloop_flow_run_by_id,create_a_gumloop_flow_run",
		NULL
	};

	(void)argc; (void)argv;
	fuzz_setup(env);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct capture cap = { BUF_INIT };
	const char *p = (const char *)data, *end = p + size, *nl;
	struct server srv;

	mcp_init(&srv);
	writer_set_sink(capture_sink, &cap);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		run_line(&srv, &cap, p, (size_t)(nl - p));
		p = nl + 1;
	}
	writer_set_sink(NULL, NULL);
	mcp_release(&srv);
	buf_release(&cap.out);
	return 0;
}
