/*
 * control.c: the unauthenticated /_fake/ endpoints tests drive the fake
 * with, the record of every API request and the queue of faults.
 *
 *   POST /_fake/reset     forget records, faults and runs; reseed
 *   GET  /_fake/requests  {"requests":[{method, path (raw, with prefix),
 *                         query, headers (lowercased), body (JSON or null),
 *                         body_text (first 1 MiB as UTF-8), body_len,
 *                         ts_ms, and for multipart/form-data bodies
 *                         parts: [{name, filename, content_type, size,
 *                         text (null unless UTF-8), base64}]}...]} in
 *                         arrival order
 *   POST /_fake/fault     queue a fault (FIFO, first match applies):
 *                         {path (prefix of the raw path), method, status
 *                         (500), headers, body (string, or JSON printed),
 *                         content_type, delay_ms, trickle_ms, cut, times
 *                         (1; -1 forever), pass_through (delay, trickle,
 *                         cut and headers applied to the real answer),
 *                         body_bytes (pad the body with spaces to N),
 *                         drop (read the request, then close the
 *                         connection without a byte of answer)}
 *   GET  /_fake/fault     {"faults":N}, the faults still queued
 *   DELETE /_fake/fault   drop every queued fault
 *   POST /_fake/config    set knobs, e.g. {"run_ms":N,"queue_ms":N};
 *                         "record":false stops recording requests (long
 *                         benchmark runs), reset turns it back on
 *   GET  /_fake/config    the knobs' current values
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

#define DEFAULT_FAULT_BODY "{\"error\":\"injected fault\"}"

static cJSON *records;
static int recording = 1;
static struct fake_fault **faults;
static size_t nfaults;

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return s[0] ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/*
 * The first FAKE_RECORD_TEXT_MAX bytes of the body as valid UTF-8: NULs
 * and bytes that are not UTF-8 become U+FFFD, so the record stays JSON.
 */
static char *body_text(const struct fake_req *req)
{
	const unsigned char *s = (const unsigned char *)req->body;
	size_t n = req->body_len < FAKE_RECORD_TEXT_MAX ? req->body_len
							: FAKE_RECORD_TEXT_MAX;
	char *text = fake_xmalloc(3 * n + 1);
	size_t i = 0, o = 0;

	while (i < n) {
		size_t len = utf8_len(s + i, n - i);

		if (len) {
			memcpy(text + o, s + i, len);
			o += len;
			i += len;
		} else {
			memcpy(text + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	text[o] = '\0';
	return text;
}

static int is_utf8(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		len = utf8_len((const unsigned char *)s + i, n - i);
		if (!len)
			return 0;
		i += len;
	}
	return 1;
}

static cJSON *string_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The parts of a multipart body, as they arrived, or NULL. */
static cJSON *parts_of(const struct fake_req *req)
{
	struct fake_part *parts;
	int n = fake_multipart(req, &parts), i;
	cJSON *list, *p;

	if (n < 0)
		return NULL;
	list = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		char *b64 = fake_base64(parts[i].data, parts[i].len);
		char *text = NULL;

		p = cJSON_CreateObject();
		cJSON_AddItemToObject(p, "name", string_or_null(parts[i].name));
		cJSON_AddItemToObject(p, "filename",
				      string_or_null(parts[i].filename));
		cJSON_AddItemToObject(p, "content_type",
				      string_or_null(parts[i].content_type));
		cJSON_AddNumberToObject(p, "size", (double)parts[i].len);
		if (is_utf8(parts[i].data, parts[i].len)) {
			text = fake_xmalloc(parts[i].len + 1);
			memcpy(text, parts[i].data, parts[i].len);
			text[parts[i].len] = '\0';
		}
		cJSON_AddItemToObject(p, "text", string_or_null(text));
		cJSON_AddStringToObject(p, "base64", b64);
		cJSON_AddItemToArray(list, p);
		free(text);
		free(b64);
	}
	fake_parts_free(parts, n);
	return list;
}

static cJSON *record_of(const struct fake_req *req)
{
	cJSON *parts = parts_of(req);
	cJSON *rec = cJSON_CreateObject();
	char *text = body_text(req);

	cJSON_AddStringToObject(rec, "method", req->method);
	cJSON_AddStringToObject(rec, "path", req->raw_path);
	cJSON_AddItemToObject(rec, "query", cJSON_Duplicate(req->query, 1));
	cJSON_AddItemToObject(rec, "headers",
			      cJSON_Duplicate(req->headers, 1));
	cJSON_AddItemToObject(rec, "body",
			      req->json ? cJSON_Duplicate(req->json, 1)
					: cJSON_CreateNull());
	cJSON_AddStringToObject(rec, "body_text", text);
	cJSON_AddNumberToObject(rec, "body_len", (double)req->body_len);
	cJSON_AddNumberToObject(rec, "ts_ms", (double)fake_now_ms());
	if (parts)
		cJSON_AddItemToObject(rec, "parts", parts);
	free(text);
	return rec;
}

void control_record(const struct fake_req *req)
{
	if (!recording)
		return;
	if (!records)
		records = cJSON_CreateArray();
	cJSON_AddItemToArray(records, record_of(req));
}

void control_fault_free(struct fake_fault *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->method);
	cJSON_Delete(f->headers);
	free(f->body);
	free(f->content_type);
	free(f);
}

static char *dup_or_null(const char *s)
{
	return s ? fake_xstrdup(s) : NULL;
}

static struct fake_fault *fault_dup(const struct fake_fault *f)
{
	struct fake_fault *d = fake_xmalloc(sizeof(*d));

	*d = *f;
	d->path = dup_or_null(f->path);
	d->method = dup_or_null(f->method);
	d->headers = cJSON_Duplicate(f->headers, 1);
	d->body = fake_xmalloc(f->body_len + 1);
	memcpy(d->body, f->body, f->body_len + 1);
	d->content_type = fake_xstrdup(f->content_type);
	return d;
}

static int fault_fits(const struct fake_fault *f, const char *method,
		      const char *path)
{
	if (f->method && strcasecmp(f->method, method))
		return 0;
	return !f->path || !strncmp(path, f->path, strlen(f->path));
}

static void fault_remove(size_t i)
{
	control_fault_free(faults[i]);
	memmove(faults + i, faults + i + 1,
		(nfaults - i - 1) * sizeof(*faults));
	nfaults--;
}

struct fake_fault *control_take_fault(const char *method, const char *path)
{
	struct fake_fault *copy;
	size_t i;

	for (i = 0; i < nfaults; i++)
		if (fault_fits(faults[i], method, path))
			break;
	if (i == nfaults)
		return NULL;
	copy = fault_dup(faults[i]);
	if (faults[i]->times > 0 && --faults[i]->times == 0)
		fault_remove(i);
	return copy;
}

static void faults_clear(void)
{
	while (nfaults)
		fault_remove(nfaults - 1);
	free(faults);
	faults = NULL;
}

void control_reset(void)
{
	const struct fake_area *const *a;

	cJSON_Delete(records);
	records = NULL;
	recording = 1;
	faults_clear();
	for (a = fake_areas; *a; a++)
		if ((*a)->reset)
			(*a)->reset();
}

void control_release(void)
{
	cJSON_Delete(records);
	records = NULL;
	faults_clear();
}

static const char *opt_string(const cJSON *in, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long opt_long(const cJSON *in, const char *name, long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, name);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : def;
}

static int opt_bool(const cJSON *in, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, name));
}

/* The fault's body: a string as it is, any other JSON value printed. */
static void fault_body(struct fake_fault *f, const cJSON *in)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(in, "body");
	char *text = NULL;
	long pad = opt_long(in, "body_bytes", 0);

	if (cJSON_IsString(b))
		text = fake_xstrdup(b->valuestring);
	else if (b && !cJSON_IsNull(b))
		text = cJSON_PrintUnformatted(b);
	if (!text)
		text = fake_xstrdup(DEFAULT_FAULT_BODY);
	f->body_len = strlen(text);
	if (pad > 0 && (size_t)pad > f->body_len) {
		/* spaces keep a JSON body valid JSON, only bigger */
		text = fake_xrealloc(text, (size_t)pad + 1);
		memset(text + f->body_len, ' ', (size_t)pad - f->body_len);
		text[pad] = '\0';
		f->body_len = (size_t)pad;
	}
	f->body = fake_xmalloc(f->body_len + 1);
	memcpy(f->body, text, f->body_len + 1);
	free(text);
}

static cJSON *fault_headers(const cJSON *in)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(in, "headers");
	cJSON *out = cJSON_CreateObject();
	const cJSON *it;

	cJSON_ArrayForEach(it, h) {
		if (cJSON_IsString(it)) {
			cJSON_AddStringToObject(out, it->string,
						it->valuestring);
		} else if (cJSON_IsNumber(it)) {
			char num[32];

			snprintf(num, sizeof(num), "%.0f", it->valuedouble);
			cJSON_AddStringToObject(out, it->string, num);
		}
	}
	return out;
}

static struct fake_fault *fault_parse(const cJSON *in, const char **cause)
{
	struct fake_fault *f = fake_xmalloc(sizeof(*f));
	const char *ct = opt_string(in, "content_type");

	memset(f, 0, sizeof(*f));
	f->path = dup_or_null(opt_string(in, "path"));
	f->method = dup_or_null(opt_string(in, "method"));
	f->status = (int)opt_long(in, "status", 500);
	f->headers = fault_headers(in);
	fault_body(f, in);
	f->content_type = fake_xstrdup(ct ? ct : "application/json");
	f->delay_ms = opt_long(in, "delay_ms", 0);
	f->drop = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "drop"));
	f->trickle_ms = opt_long(in, "trickle_ms", 0);
	f->cut = opt_bool(in, "cut");
	f->times = (int)opt_long(in, "times", 1);
	f->pass_through = opt_bool(in, "pass_through");
	if (f->status < 100 || f->status > 999)
		*cause = "'status' must be between 100 and 999";
	else if (f->times == 0)
		*cause = "'times' must not be 0";
	else if (f->delay_ms < 0 || f->trickle_ms < 0)
		*cause = "'delay_ms' and 'trickle_ms' must not be negative";
	else
		return f;
	control_fault_free(f);
	return NULL;
}

static void bad_request(struct fake_resp *resp, const char *msg)
{
	fake_error_new(resp, 400, "bad_request", msg, "invalid_request_error");
}

static void ok_count(struct fake_resp *resp, const char *name, size_t n)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddBoolToObject(root, "ok", 1);
	cJSON_AddNumberToObject(root, name, (double)n);
	fake_json(resp, 200, root);
}

static void post_fault(struct fake_req *req, struct fake_resp *resp)
{
	const char *cause = NULL;
	struct fake_fault *f;

	if (!cJSON_IsObject(req->json)) {
		bad_request(resp, "fault must be a json object");
		return;
	}
	f = fault_parse(req->json, &cause);
	if (!f) {
		bad_request(resp, cause);
		return;
	}
	faults = fake_xrealloc(faults, (nfaults + 1) * sizeof(*faults));
	faults[nfaults++] = f;
	ok_count(resp, "faults", nfaults);
}

static void get_requests(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();

	(void)req;
	cJSON_AddItemToObject(root, "requests",
			      records ? cJSON_Duplicate(records, 1)
				      : cJSON_CreateArray());
	fake_json(resp, 200, root);
}

static void config(struct fake_req *req, struct fake_resp *resp)
{
	const struct fake_area *const *a;
	cJSON *in = req->json, *out = cJSON_CreateObject();
	const char *cause = NULL;

	if (!strcmp(req->method, "GET"))
		in = NULL;
	else if (!cJSON_IsObject(in))
		cause = "config must be a json object";
	else if (cJSON_HasObjectItem(in, "record"))
		recording = opt_bool(in, "record");
	cJSON_AddBoolToObject(out, "record", recording);
	for (a = fake_areas; *a && !cause; a++)
		if ((*a)->config && (*a)->config(in, out, &cause))
			break;
	if (cause) {
		cJSON_Delete(out);
		bad_request(resp, cause);
		return;
	}
	fake_json(resp, 200, out);
}

static void reset(struct fake_req *req, struct fake_resp *resp)
{
	(void)req;
	control_reset();
	ok_count(resp, "faults", 0);
}

static void fault_count(struct fake_req *req, struct fake_resp *resp)
{
	(void)req;
	ok_count(resp, "faults", nfaults);
}

static void fault_clear(struct fake_req *req, struct fake_resp *resp)
{
	(void)req;
	faults_clear();
	ok_count(resp, "faults", 0);
}

static const struct fake_route control_routes[] = {
	{ .method = "POST", .pattern = "/_fake/reset", .handle = reset },
	{ .method = "GET", .pattern = "/_fake/requests",
	  .handle = get_requests },
	{ .method = "POST", .pattern = "/_fake/fault", .handle = post_fault },
	{ .method = "GET", .pattern = "/_fake/fault", .handle = fault_count },
	{ .method = "DELETE", .pattern = "/_fake/fault",
	  .handle = fault_clear },
	{ .method = "POST", .pattern = "/_fake/config", .handle = config },
	{ .method = "GET", .pattern = "/_fake/config", .handle = config },
	{ 0 }
};

void control_handle(struct fake_req *req, struct fake_resp *resp)
{
	const struct fake_route *r;

	for (r = control_routes; r->method; r++) {
		if (!strcmp(r->method, req->method) &&
		    !strcmp(r->pattern, req->raw_path)) {
			r->handle(req, resp);
			return;
		}
	}
	fake_error_new(resp, 404, "not_found", "no such control endpoint",
		       "invalid_request_error");
}
