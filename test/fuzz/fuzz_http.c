/*
 * libFuzzer target: an HTTP response (failure kind, status, headers, body)
 * turned into a tool result, as tool_send() and the default handler do it:
 * http_response_header() for each header, then tool_error_http() for a
 * failure or an error status, else tool_response_json(); the outcome goes
 * through tool_call_result() and out through the JSON-RPC writer.
 *
 * Input: byte 0 picks the failure kind (mostly "a response arrived"),
 * byte 1 the tool, bytes 2-3 the status (0-999), then header lines up to
 * an empty line, then the body (for a failure: the transport's detail).
 *
 * Checked: an error status or failure gives isError with a text and
 * structuredContent.error {status (the number, or null on failure),
 * message, code?, retry_after (finite, >= 0)?, ratelimit {numbers}?}; a
 * success gives an object; the written line is one valid UTF-8 JSON-RPC
 * line that never holds the API key.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "http.h"
#include "json.h"
#include "writer.h"
#include "log.h"
#include "tool.h"

#define SECRET "fuzz-secret-key-4242"

static struct buf out;

static int capture_sink(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	buf_add(&out, data, len);
	return 0;
}

static const struct tool_def *pick_tool(unsigned char b)
{
	static size_t count;

	if (!count)
		while (tool_at(count))
			count++;
	return tool_at(b % count);
}

/* Feeds header lines to the response; returns where the body starts. */
static const char *read_headers(struct http_response *resp, const char *p,
				const char *end)
{
	const char *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl == p || (nl == p + 1 && *p == '\r'))
			return nl < end ? nl + 1 : end;
		http_response_header(resp, p, (size_t)(nl - p));
		p = nl < end ? nl + 1 : end;
	}
	return end;
}

static void check_number(const cJSON *v, const char *what)
{
	FUZZ_ASSERT(cJSON_IsNumber(v), "%s is not a number", what);
	FUZZ_ASSERT(isfinite(v->valuedouble), "%s is not finite", what);
}

static void check_error_object(const cJSON *err, const struct http_response *resp)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(err, "status");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
	const cJSON *retry = cJSON_GetObjectItemCaseSensitive(err, "retry_after");
	const cJSON *rl = cJSON_GetObjectItemCaseSensitive(err, "ratelimit"), *v;

	FUZZ_ASSERT(cJSON_IsObject(err), "structuredContent.error is missing");
	if (resp->failure == HTTP_OK)
		FUZZ_ASSERT(cJSON_IsNumber(status) &&
			    status->valuedouble == (double)resp->status,
			    "error.status is not the HTTP status");
	else
		FUZZ_ASSERT(cJSON_IsNull(status), "error.status is not null");
	FUZZ_ASSERT(cJSON_IsString(msg) && *msg->valuestring,
		    "error.message is missing or empty");
	FUZZ_ASSERT(!code || cJSON_IsString(code), "error.code is not a string");
	if (retry) {
		check_number(retry, "error.retry_after");
		FUZZ_ASSERT(retry->valuedouble >= 0, "error.retry_after < 0");
	}
	if (rl) {
		FUZZ_ASSERT(cJSON_IsObject(rl), "error.ratelimit is not an object");
		cJSON_ArrayForEach(v, rl)
			check_number(v, "a ratelimit member");
	}
}

static void check_result(const cJSON *result, const struct http_response *resp,
			 int want_error)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(result, "content");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(content, 0), "text");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(result,
							   "structuredContent");
	int is_error = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result,
								     "isError"));
	const char *printed = cJSON_GetStringValue(text);

	FUZZ_ASSERT(printed && *printed, "the result has no text");
	FUZZ_ASSERT(cJSON_IsObject(sc), "structuredContent is not an object");
	if (want_error)
		FUZZ_ASSERT(is_error, "an HTTP error gave no isError");
	if (is_error)
		check_error_object(cJSON_GetObjectItemCaseSensitive(sc, "error"),
				   resp);
}

static void check_written(void)
{
	cJSON *msg;

	FUZZ_ASSERT(out.len && out.data[out.len - 1] == '\n' &&
		    memchr(out.data, '\n', out.len) == out.data + out.len - 1,
		    "the result is not written as one line");
	FUZZ_ASSERT(fuzz_utf8_valid(out.data, out.len), "output is not UTF-8");
	FUZZ_ASSERT(!memmem(out.data, out.len, SECRET, strlen(SECRET)),
		    "the API key appears in the output");
	msg = cJSON_ParseWithLength(out.data, out.len - 1);
	FUZZ_ASSERT(fuzz_is_jsonrpc(msg), "output is not a JSON-RPC response");
	cJSON_Delete(msg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const env[] = { "GUMLOOP_API_KEY=" SECRET, NULL };

	(void)argc; (void)argv;
	fuzz_setup(env);
	writer_set_sink(capture_sink, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON empty_args = { .type = cJSON_Object };
	const char *p = (const char *)data, *end = p + size, *body;
	struct http_response resp;
	struct tool_call call;
	cJSON *result, *json, *id;
	int want_error;

	if (size < 4)
		return 0;
	http_response_init(&resp);
	resp.failure = data[0] % 8 < 6 ? (enum http_failure)(data[0] % 8) : HTTP_OK;
	resp.status = (long)((data[2] << 8 | data[3]) % 1000);
	body = read_headers(&resp, p + 4, end);
	if (resp.failure == HTTP_OK) {
		buf_add(&resp.body, body, (size_t)(end - body));
	} else if (body < end && *body) {
		/* as record_failure() keeps curl's text: never empty */
		char *detail = xstrndup(body, (size_t)(end - body));

		resp.detail = redact_string(detail);
		free(detail);
	}
	memset(&call, 0, sizeof(call));
	call.def = pick_tool(data[1]);
	call.args = &empty_args;
	want_error = resp.failure != HTTP_OK || resp.status >= 300;
	if (want_error) {
		tool_error_http(&call, &resp);
	} else if ((json = tool_response_json(&call, &resp))) {
		FUZZ_ASSERT(cJSON_IsObject(json), "a success is not an object");
		tool_ok(&call, json);
	}
	result = tool_call_result(&call);
	id = cJSON_CreateNumber(1);
	check_result(result, &resp, want_error);
	buf_reset(&out);
	writer_send_result(id, result);
	check_written();
	cJSON_Delete(id);
	free(call.text);
	http_response_release(&resp);
	return 0;
}
