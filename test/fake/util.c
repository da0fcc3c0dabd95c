/*
 * util.c: the helpers areas use to answer (fake.h) and the small pieces
 * the core shares: time, ids, the state lock, allocation, url decoding.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong id_counter;

void *fake_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("fake-gumloop: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *fake_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("fake-gumloop: out of memory\n", stderr);
		abort();
	}
	return q;
}

char *fake_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(fake_xmalloc(n), s, n);
}

void fake_lock(void)
{
	pthread_mutex_lock(&state_lock);
}

void fake_unlock(void)
{
	pthread_mutex_unlock(&state_lock);
}

long long fake_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *fake_iso_time(long long ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char buf[64];

	gmtime_r(&secs, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return fake_xstrdup(buf);
}

char *fake_new_id(const char *prefix)
{
	unsigned long n = atomic_fetch_add(&id_counter, 1) + 1;
	size_t len = strlen(prefix) + 32;
	char *id = fake_xmalloc(len);

	snprintf(id, len, "%s_%010lu", prefix, n);
	return id;
}

void fake_nap(long ms)
{
	struct timespec ts;

	while (ms > 0 && !atomic_load(&fake_stopping)) {
		long step = ms < 20 ? ms : 20;

		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

void fake_raw(struct fake_resp *resp, int status, const char *content_type,
	      const char *body, size_t len)
{
	free(resp->body);
	free(resp->content_type);
	resp->status = status;
	resp->content_type = fake_xstrdup(content_type);
	resp->body = fake_xmalloc(len + 1);
	memcpy(resp->body, body, len);
	resp->body[len] = '\0';
	resp->body_len = len;
}

void fake_json(struct fake_resp *resp, int status, cJSON *take)
{
	char *text = cJSON_PrintUnformatted(take);

	cJSON_Delete(take);
	if (!text) {
		fake_raw(resp, 500, "text/plain", "cannot print json", 17);
		return;
	}
	fake_raw(resp, status, "application/json", text, strlen(text));
	cJSON_free(text);
}

void fake_error_legacy(struct fake_resp *resp, int status, const char *msg)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "error", msg);
	fake_json(resp, status, root);
}

void fake_error_new(struct fake_resp *resp, int status, const char *code,
		    const char *msg, const char *type)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");

	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	cJSON_AddStringToObject(err, "type", type);
	cJSON_AddNullToObject(err, "param");
	cJSON_AddObjectToObject(err, "details");
	fake_json(resp, status, root);
}

void fake_header(struct fake_resp *resp, const char *name, const char *value)
{
	if (!resp->headers)
		resp->headers = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(resp->headers, name);
	cJSON_AddStringToObject(resp->headers, name, value);
}

void fake_resp_release(struct fake_resp *resp)
{
	free(resp->content_type);
	free(resp->body);
	cJSON_Delete(resp->headers);
	memset(resp, 0, sizeof(*resp));
}

static const char *string_of(const cJSON *item)
{
	if (cJSON_IsArray(item))
		item = cJSON_GetArrayItem(item, 0);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

const char *fake_param(const struct fake_req *req, const char *name)
{
	return string_of(cJSON_GetObjectItemCaseSensitive(req->params, name));
}

const char *fake_query(const struct fake_req *req, const char *name)
{
	return string_of(cJSON_GetObjectItemCaseSensitive(req->query, name));
}

const char *fake_body_str(const struct fake_req *req, const char *name)
{
	const cJSON *item;

	if (!cJSON_IsObject(req->json))
		return NULL;
	item = cJSON_GetObjectItemCaseSensitive(req->json, name);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

const char *fake_arg(const struct fake_req *req, const char *name)
{
	const char *v = fake_query(req, name);

	return v ? v : fake_body_str(req, name);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *fake_url_decode(const char *s, size_t len, int plus, size_t *out_len)
{
	char *out = fake_xmalloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (plus && s[i] == '+') {
			out[n++] = ' ';
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	if (out_len)
		*out_len = n;
	return out;
}

int fake_page(const struct fake_req *req, struct fake_resp *resp, size_t n,
	      size_t def, cJSON *root, size_t *start, size_t *end)
{
	const char *size = fake_query(req, "page_size");
	const char *cursor = fake_query(req, "cursor");
	long want = size ? strtol(size, NULL, 10) : (long)def;
	char *stop = NULL, next[32];
	unsigned long at = 0;

	if (cursor && *cursor) {
		at = cursor[0] == 'c' ? strtoul(cursor + 1, &stop, 10) : 0;
		if (!stop || *stop || stop == cursor + 1 || at > n) {
			fake_error_new(resp, 400, "invalid_cursor",
				       "cursor is not valid",
				       "invalid_request_error");
			return -1;
		}
	}
	want = want < 1 ? 1 : want > 100 ? 100 : want;
	*start = at;
	*end = at + (size_t)want < n ? at + (size_t)want : n;
	if (*end < n) {
		snprintf(next, sizeof(next), "c%zu", *end);
		cJSON_AddStringToObject(root, "next_cursor", next);
	} else {
		cJSON_AddNullToObject(root, "next_cursor");
	}
	return 0;
}

int fake_knob(const cJSON *in, cJSON *out, const char *name, long *value,
	      const char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, name);

	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 0)) {
		*cause = "timing and limit knobs must be numbers >= 0";
		return -1;
	}
	if (v)
		*value = (long)v->valuedouble;
	cJSON_AddNumberToObject(out, name, (double)*value);
	return 0;
}
