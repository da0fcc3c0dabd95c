/*
 * serve.c: one HTTP request from the first byte to the answer.  The body
 * is gathered (up to FAKE_BODY_MAX), the request is recorded, a queued
 * fault may replace or slow the answer, and otherwise the route tables of
 * the areas are searched, auth and legacy scope are checked and the
 * handler runs with the state lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "core.h"

#define LEGACY_401 "Authorization header with Bearer token or api_key " \
	"query parameter is required"

struct conn {
	char *body;		/* 0-terminated */
	size_t len;
	size_t cap;
	int too_big;
};

struct slow {			/* a trickled or cut body */
	char *body;
	size_t len;
	long trickle_ms;
	int cut;
};

size_t serve_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	/* keep the raw bytes: paths and queries are decoded per segment */
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void conn_append(struct conn *ctx, const char *data, size_t n)
{
	if (ctx->too_big || n > FAKE_BODY_MAX - ctx->len) {
		ctx->too_big = 1;
		free(ctx->body);
		ctx->body = NULL;
		ctx->len = ctx->cap = 0;
		return;
	}
	if (ctx->len + n + 1 > ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap : 4096;

		while (cap < ctx->len + n + 1)
			cap *= 2;
		ctx->body = fake_xrealloc(ctx->body, cap);
		ctx->cap = cap;
	}
	memcpy(ctx->body + ctx->len, data, n);
	ctx->len += n;
	ctx->body[ctx->len] = '\0';
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *value)
{
	cJSON *obj = cls;
	char *name = fake_xstrdup(key);
	cJSON *old;
	char *p;

	(void)kind;
	for (p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	old = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (cJSON_IsString(old)) {
		size_t n = strlen(old->valuestring) + strlen(value) + 3;
		char *joined = fake_xmalloc(n);

		strcpy(joined, old->valuestring);
		strcat(joined, ", ");
		strcat(joined, value ? value : "");
		cJSON_SetValuestring(old, joined);
		free(joined);
	} else {
		cJSON_AddStringToObject(obj, name, value ? value : "");
	}
	free(name);
	return MHD_YES;
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	cJSON *obj = cls;
	char *name = fake_url_decode(key, strlen(key), 1, NULL);
	char *val = value ? fake_url_decode(value, strlen(value), 1, NULL)
			  : fake_xstrdup("");
	cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, name);

	(void)kind;
	if (cJSON_IsString(old)) {
		cJSON *list = cJSON_CreateArray();

		cJSON_AddItemToArray(list,
				     cJSON_CreateString(old->valuestring));
		cJSON_AddItemToArray(list, cJSON_CreateString(val));
		cJSON_ReplaceItemInObjectCaseSensitive(obj, name, list);
	} else if (cJSON_IsArray(old)) {
		cJSON_AddItemToArray(old, cJSON_CreateString(val));
	} else {
		cJSON_AddStringToObject(obj, name, val);
	}
	free(name);
	free(val);
	return MHD_YES;
}

static void req_init(struct fake_req *req, struct MHD_Connection *c,
		     const char *url, const char *method, struct conn *ctx)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->raw_path = url;
	req->path = url;
	req->params = cJSON_CreateObject();
	req->query = cJSON_CreateObject();
	req->headers = cJSON_CreateObject();
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, req->headers);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query,
				  req->query);
	req->body = ctx->body ? ctx->body : "";
	req->body_len = ctx->len;
	if (ctx->len)
		req->json = cJSON_ParseWithLength(ctx->body, ctx->len);
}

static void req_release(struct fake_req *req)
{
	cJSON_Delete(req->params);
	cJSON_Delete(req->query);
	cJSON_Delete(req->headers);
	cJSON_Delete(req->json);
	memset(req, 0, sizeof(*req));
}

/* Sets req->host and req->path (below the host's prefix, if any). */
static void strip_prefix(struct fake_req *req)
{
	static const struct {
		const char *prefix;
		enum fake_host host;
	} hosts[] = {
		{ FAKE_API_PREFIX, FAKE_HOST_API },
		{ FAKE_STREAM_PREFIX, FAKE_HOST_STREAM },
	};
	size_t i;

	req->host = FAKE_HOST_ROOT;
	req->path = req->raw_path;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		size_t n = strlen(hosts[i].prefix);
		const char *rest = req->raw_path + n;

		if (strncmp(req->raw_path, hosts[i].prefix, n) ||
		    (*rest && *rest != '/'))
			continue;
		req->path = rest;
		req->host = hosts[i].host;
		req->stream = hosts[i].host == FAKE_HOST_STREAM;
		return;
	}
}

static int is_capture(const char *seg, size_t n)
{
	return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

/* Whether path fits pattern; fills params from {name} segments. */
static int match_pattern(const char *p, const char *s, cJSON *params)
{
	while (*p && *s) {
		size_t plen, slen;

		if (*p++ != '/' || *s++ != '/')
			return 0;
		plen = strcspn(p, "/");
		slen = strcspn(s, "/");
		if (is_capture(p, plen)) {
			char *name, *value;

			if (!slen)
				return 0;
			name = fake_xmalloc(plen - 1);
			memcpy(name, p + 1, plen - 2);
			name[plen - 2] = '\0';
			value = fake_url_decode(s, slen, 0, NULL);
			cJSON_AddStringToObject(params, name, value);
			free(name);
			free(value);
		} else if (plen != slen || memcmp(p, s, plen)) {
			return 0;
		}
		p += plen;
		s += slen;
	}
	return !*p && !*s;
}

static int host_fits(enum fake_host route, enum fake_host req)
{
	if (route == FAKE_HOST_ANY)
		return req == FAKE_HOST_API || req == FAKE_HOST_STREAM;
	return route == req;
}

static const struct fake_route *find_route(struct fake_req *req)
{
	const struct fake_area *const *a;
	const struct fake_route *r;

	for (a = fake_areas; *a; a++) {
		for (r = (*a)->routes; r && r->method; r++) {
			cJSON *params;

			if (!host_fits(r->host, req->host) ||
			    strcmp(r->method, req->method))
				continue;
			params = cJSON_CreateObject();
			if (match_pattern(r->pattern, req->path, params)) {
				cJSON_Delete(req->params);
				req->params = params;
				return r;
			}
			cJSON_Delete(params);
		}
	}
	return NULL;
}

static const char *header(const struct fake_req *req, const char *name)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(req->headers, name);

	return cJSON_IsString(h) && *h->valuestring ? h->valuestring : NULL;
}

static const char *bearer_key(const struct fake_req *req)
{
	const char *v = header(req, "authorization");

	if (!v || strncasecmp(v, "Bearer ", 7))
		return NULL;
	for (v += 7; *v == ' '; v++)
		;
	return v;
}

/* The accepted key and its kind, from the header or ?api_key=. */
static enum fake_key_kind find_key(struct fake_req *req,
				   const struct fake_route *r)
{
	const char *key = bearer_key(req);
	enum fake_key_kind kind = key ? fake_key_kind(key) : FAKE_KEY_NONE;

	if (!kind && r->legacy) {
		key = fake_query(req, "api_key");
		kind = key ? fake_key_kind(key) : FAKE_KEY_NONE;
	}
	if (kind) {
		req->api_key = key;
		req->personal_key = kind == FAKE_KEY_PERSONAL;
	}
	return kind;
}

static int authorize(struct fake_req *req, const struct fake_route *r,
		     struct fake_resp *resp)
{
	enum fake_key_kind kind;

	if (r->no_auth)
		return 0;
	kind = find_key(req, r);
	if (kind == FAKE_KEY_PLAIN)
		return 0;
	if (kind == FAKE_KEY_PERSONAL &&
	    (r->legacy || header(req, "x-auth-key")))
		return 0;
	if (r->legacy)
		fake_error_legacy(resp, 401, LEGACY_401);
	else if (kind == FAKE_KEY_PERSONAL)
		fake_error_new(resp, 401, "invalid_token", "x-auth-key header "
			       "is required with a personal api key",
			       "authentication_error");
	else
		fake_error_new(resp, 401, "invalid_token",
			       "missing or invalid api key",
			       "authentication_error");
	return -1;
}

static int check_json(const struct fake_req *req, const struct fake_route *r,
		      struct fake_resp *resp)
{
	const char *ct = header(req, "content-type");

	if (!req->body_len || req->json || !ct || !strstr(ct, "json"))
		return 0;
	if (r->legacy)
		fake_error_legacy(resp, 400, "Invalid JSON body");
	else
		fake_error_new(resp, 400, "invalid_json",
			       "request body is not valid json",
			       "invalid_request_error");
	return -1;
}

/* user_id / project_id: the query, or the JSON body unless a GET. */
static const char *scope_arg(const struct fake_req *req, const char *name)
{
	const char *v = fake_query(req, name);

	if (!v && strcmp(req->method, "GET") && strcmp(req->method, "DELETE"))
		v = fake_body_str(req, name);
	return v && *v ? v : NULL;
}

static int check_scope(struct fake_req *req, struct fake_resp *resp)
{
	req->user_id = scope_arg(req, "user_id");
	req->project_id = scope_arg(req, "project_id");
	if (!req->user_id && !req->project_id) {
		fake_error_legacy(resp, 400,
				  "project_id or user_id is required");
		return -1;
	}
	if ((req->user_id && !strcmp(req->user_id, "user-forbidden")) ||
	    (req->project_id &&
	     !strcmp(req->project_id, "project-forbidden"))) {
		fake_error_legacy(resp, 403, "Unauthorized");
		return -1;
	}
	return 0;
}

static void no_route(const struct fake_req *req, struct fake_resp *resp)
{
	size_t n = strlen(req->method) + strlen(req->raw_path) + 16;
	char *msg = fake_xmalloc(n);

	snprintf(msg, n, "no route for %s %s", req->method, req->raw_path);
	fake_error_new(resp, 404, "not_found", msg, "invalid_request_error");
	free(msg);
}

/* Routes req and runs its handler; the state lock must be held. */
static void dispatch(struct fake_req *req, struct fake_resp *resp)
{
	const struct fake_route *r;

	strip_prefix(req);
	r = find_route(req);
	if (!r) {
		no_route(req, resp);
		return;
	}
	if (authorize(req, r, resp) || check_json(req, r, resp))
		return;
	if (r->legacy && check_scope(req, resp))
		return;
	r->handle(req, resp);
	if (!resp->status)
		fake_error_new(resp, 500, "fake_bug", "handler gave no answer",
			       "api_error");
}

static void add_fault_headers(struct fake_resp *resp,
			      const struct fake_fault *f)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, f->headers)
		if (cJSON_IsString(h))
			fake_header(resp, h->string, h->valuestring);
}

static void answer(struct fake_req *req, struct fake_resp *resp,
		   const struct fake_fault *f, int too_big)
{
	if (f)
		fake_nap(f->delay_ms);
	if (f && !f->pass_through) {
		fake_raw(resp, f->status, f->content_type, f->body,
			 f->body_len);
	} else if (too_big) {
		fake_error_new(resp, 413, "payload_too_large",
			       "request body is too large",
			       "invalid_request_error");
	} else {
		fake_lock();
		dispatch(req, resp);
		fake_unlock();
	}
	if (f)
		add_fault_headers(resp, f);
}

static ssize_t slow_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct slow *s = cls;
	size_t end = s->cut ? s->len / 2 : s->len;
	size_t n;

	if (pos >= end)
		return s->cut ? MHD_CONTENT_READER_END_WITH_ERROR
			      : MHD_CONTENT_READER_END_OF_STREAM;
	n = end - (size_t)pos;
	if (s->trickle_ms > 0) {
		fake_nap(s->trickle_ms);
		if (atomic_load(&fake_stopping))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		n = 1;
	}
	if (n > max)
		n = max;
	memcpy(buf, s->body + pos, n);
	return (ssize_t)n;
}

static void slow_free(void *cls)
{
	struct slow *s = cls;

	free(s->body);
	free(s);
}

static struct MHD_Response *slow_response(struct fake_resp *resp,
					  const struct fake_fault *f)
{
	struct slow *s = fake_xmalloc(sizeof(*s));
	/* a cut of a body too short to halve still breaks the chunking */
	uint64_t size = f->cut && resp->body_len < 2 ? MHD_SIZE_UNKNOWN
						     : resp->body_len;

	s->body = resp->body;
	s->len = resp->body_len;
	s->trickle_ms = f->trickle_ms;
	s->cut = f->cut;
	resp->body = NULL;
	return MHD_create_response_from_callback(size, 4096, slow_read, s,
						 slow_free);
}

static enum MHD_Result send_resp(struct MHD_Connection *c,
				 struct fake_resp *resp,
				 const struct fake_fault *f)
{
	struct MHD_Response *r;
	const cJSON *h;
	enum MHD_Result ret;

	if (!resp->body)
		fake_raw(resp, resp->status ? resp->status : 500,
			 "text/plain", "", 0);
	if (f && (f->trickle_ms > 0 || f->cut)) {
		r = slow_response(resp, f);
	} else {
		r = MHD_create_response_from_buffer(resp->body_len, resp->body,
						    MHD_RESPMEM_MUST_FREE);
		resp->body = NULL;
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type);
	cJSON_ArrayForEach(h, resp->headers)
		MHD_add_response_header(r, h->string, h->valuestring);
	ret = MHD_queue_response(c, (unsigned int)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static int is_control(const char *url)
{
	size_t n = strlen(FAKE_CONTROL_PREFIX) - 1;

	return !strncmp(url, FAKE_CONTROL_PREFIX, n) &&
	       (url[n] == '/' || !url[n]);
}

static enum MHD_Result serve_complete(struct MHD_Connection *c,
				      const char *url, const char *method,
				      struct conn *ctx)
{
	struct fake_req req;
	struct fake_resp resp;
	struct fake_fault *f = NULL;
	enum MHD_Result ret;

	memset(&resp, 0, sizeof(resp));
	req_init(&req, c, url, method, ctx);
	if (is_control(url)) {
		fake_lock();
		control_handle(&req, &resp);
		fake_unlock();
	} else {
		fake_lock();
		control_record(&req);
		f = control_take_fault(method, url);
		fake_unlock();
		if (f && f->drop) {	/* as a dead kept-alive connection */
			fake_nap(f->delay_ms);
			ret = MHD_NO;
			goto out;
		}
		answer(&req, &resp, f, ctx->too_big);
	}
	ret = send_resp(c, &resp, f);
out:
	control_fault_free(f);
	fake_resp_release(&resp);
	req_release(&req);
	return ret;
}

enum MHD_Result serve_request(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct conn *ctx = *con_cls;

	(void)cls;
	(void)version;
	if (!ctx) {
		ctx = fake_xmalloc(sizeof(*ctx));
		memset(ctx, 0, sizeof(*ctx));
		*con_cls = ctx;
		return MHD_YES;
	}
	if (*upload_size) {
		conn_append(ctx, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return serve_complete(conn, url, method, ctx);
}

void serve_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode toe)
{
	struct conn *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (ctx) {
		free(ctx->body);
		free(ctx);
	}
	*con_cls = NULL;
}
