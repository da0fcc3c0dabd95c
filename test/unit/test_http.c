/*
 * The HTTP layer's pure parts: percent-encoding and URL building (an id can
 * never change the path), the http:// refusal, and the error object made
 * from both Gumloop error body styles and the rate-limit headers.
 */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "http.h"
#include "tap.h"

static const char *err_str(const cJSON *e, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double err_num(const cJSON *e, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void test_urls(void)
{
	struct buf url = BUF_INIT;

	http_url_begin(&url, "https://api.gumloop.com/api/v1");
	http_url_add_path(&url, "/agents/");
	http_url_add_segment(&url, "../x?y#z %\n");
	http_url_add_query(&url, "q", "a&b=c");
	http_url_add_query(&url, "user_id", "u 1");
	CHECK(!strcmp(url.data, "https://api.gumloop.com/api/v1/agents/"
		      "..%2Fx%3Fy%23z%20%25%0A?q=a%26b%3Dc&user_id=u%201"),
	      "segments and query values are percent-encoded: %s", url.data);
	http_url_begin(&url, "http://h");
	http_url_add_segment(&url, "..");
	CHECK(!strcmp(url.data, "http://h%2E%2E"), "'..' cannot climb: %s", url.data);
	buf_release(&url);
}

static void test_allowed(void)
{
	static const struct { const char *url; int ok; } cases[] = {
		{ "https://api.gumloop.com/api/v1", 1 },
		{ "http://127.0.0.1:8080/api/v1", 1 },
		{ "http://localhost/api", 1 },
		{ "http://[::1]:9/api", 1 },
		{ "http://api.gumloop.com/api/v1", 0 },
		{ "http://127.0.0.1.evil.test/api", 0 },
		{ "http://user@10.0.0.1/api", 0 },
		{ "ftp://127.0.0.1/", 0 },
	};
	char *cause;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cause = NULL;
		CHECK((http_url_allowed(cases[i].url, &cause) == 0) == cases[i].ok,
		      "credentials %s to %s", cases[i].ok ? "may go" : "refused",
		      cases[i].url);
		free(cause);
	}
}

static cJSON *error_for(long status, const char *body)
{
	struct http_response r;
	cJSON *e;

	http_response_init(&r);
	r.status = status;
	buf_addstr(&r.body, body);
	e = http_error_object(&r);
	http_response_release(&r);
	return e;
}

static void test_errors(void)
{
	struct http_response r;
	cJSON *e;

	e = error_for(404, "{\"error\":\"gummie_not_found\"}");
	CHECK(err_num(e, "status") == 404 &&
	      !strcmp(err_str(e, "code"), "gummie_not_found"),
	      "legacy string error: the slug is the code");
	cJSON_Delete(e);
	e = error_for(400, "{\"error\":\"project_id or user_id is required\"}");
	CHECK(!cJSON_HasObjectItem(e, "code") &&
	      !strcmp(err_str(e, "message"), "project_id or user_id is required"),
	      "legacy sentence error: message only");
	cJSON_Delete(e);
	e = error_for(409, "{\"error\":{\"code\":\"session_already_exists\","
		      "\"message\":\"exists\",\"type\":\"x\"}}");
	CHECK(!strcmp(err_str(e, "code"), "session_already_exists") &&
	      !strcmp(err_str(e, "message"), "exists"), "envelope error");
	cJSON_Delete(e);
	e = error_for(502, "<html>Bad Gateway</html>");
	CHECK(!strcmp(err_str(e, "code"), "non_json_response"),
	      "an HTML 502 is named as such");
	cJSON_Delete(e);

	http_response_init(&r);
	r.status = 429;
	r.retry_after = 3;
	r.rl_limit = 10;
	r.rl_remaining = 0;
	r.rl_reset = 3;
	e = http_error_object(&r);
	CHECK(err_num(e, "retry_after") == 3 &&
	      err_num(cJSON_GetObjectItemCaseSensitive(e, "ratelimit"),
		      "remaining") == 0, "429 carries retry_after and ratelimit");
	cJSON_Delete(e);
	http_response_release(&r);

	http_response_init(&r);
	r.failure = HTTP_TIMEOUT;
	r.detail = strdup("Operation timed out");
	e = http_error_object(&r);
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "status")) &&
	      !strcmp(err_str(e, "code"), "timeout"), "a timeout has no status");
	cJSON_Delete(e);
	http_response_release(&r);
}

int main(void)
{
	test_urls();
	test_allowed();
	test_errors();
	return tap_done();
}
