/*
 * One tools/call from start to end: the central checks (policy, expiry,
 * credentials, arguments), the handler, and the CallToolResult. Also the
 * request builder and the error texts shared by every handler.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "audit.h"
#include "discovery.h"
#include "http.h"
#include "idempotency.h"
#include "log.h"
#include "policy.h"
#include "tool.h"
#include "wait.h"

#define MAX_AUTO_RETRIES 2
#define MAX_AUTO_RETRY_AFTER 10.0

/* ---- results ---------------------------------------------------------- */

static void set_error(struct tool_call *call, cJSON *take_err, char *take_text)
{
	cJSON_Delete(call->structured);
	cJSON_Delete(call->content);
	free(call->text);
	call->content = NULL;
	call->structured = cJSON_CreateObject();
	cJSON_AddItemToObject(call->structured, "error", take_err);
	call->text = take_text;
	call->is_error = 1;
}

int tool_error(struct tool_call *call, const char *fmt, ...)
{
	va_list ap;
	char *text;
	cJSON *err = cJSON_CreateObject();

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(err, "message", text);
	set_error(call, err, text);
	return -1;
}

void tool_log(struct tool_call *call, enum tool_log_level level,
	      const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (!call->hooks || !call->hooks->log)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	call->hooks->log(call, (int)level, text);
	free(text);
}

int tool_ok(struct tool_call *call, cJSON *take_obj)
{
	cJSON_Delete(call->structured);
	call->structured = take_obj;
	call->is_error = 0;
	return 0;
}

/* What to do after a transport failure, or NULL when it is not one. */
static const char *transport_advice(const struct tool_call *call,
				    enum http_failure f)
{
	int read = call->def->access == TOOL_READ;

	switch (f) {
	case HTTP_TIMEOUT:
		return read ? "Gumloop did not answer in time; retry." :
		       "Gumloop did not answer in time: the write may or may "
		       "not have happened. Check its state before retrying.";
	case HTTP_INCOMPLETE:
		return read ? "The connection broke before Gumloop's answer was "
		       "complete; retry." :
		       "The connection broke before Gumloop's answer was "
		       "complete: the write may or may not have happened. "
		       "Check its state before retrying.";
	case HTTP_DNS:
		return "The host name of the Gumloop URL did not resolve: check "
		       "GUMLOOP_BASE_URL (or --base-url) and the network's DNS.";
	case HTTP_CONNECT:
		return "Nothing accepted the connection: check GUMLOOP_BASE_URL "
		       "(or --base-url), the network and any proxy, then retry.";
	case HTTP_TLS:
		return "The TLS connection could not be verified. If Gumloop is "
		       "reached through a proxy or a private certificate "
		       "authority, name its CA bundle with --cacert FILE or "
		       "GUMLOOP_MCP_CACERT; verification is never switched off.";
	case HTTP_TRANSPORT:
		return "Gumloop could not be reached: check the network and "
		       "GUMLOOP_BASE_URL, then retry.";
	case HTTP_TOO_LARGE:
		return "The response was larger than this server accepts; ask "
		       "for less (a page size, a limit).";
	case HTTP_NO_LIBCURL:
		return "Nothing was sent: install libcurl as the message says, "
		       "then call again.";
	case HTTP_OK:
		return NULL;
	default:
		return "";
	}
}

/* What the model should do next, by failure or status. */
static const char *advice(const struct tool_call *call,
			  const struct http_response *resp)
{
	const char *t = transport_advice(call, resp->failure);

	if (t)
		return t;
	if (resp->status >= 300 && resp->status < 400)
		return "Gumloop answered with a redirect, which this server "
		       "never follows (credentials stay with the configured "
		       "host): check GUMLOOP_BASE_URL (https, the API host).";
	switch (resp->status) {
	case 400: return "Gumloop found the request invalid: check the "
			 "arguments against the tool's input schema.";
	case 401: return cfg.user_id ? "Gumloop did not accept the "
			 "credentials: check GUMLOOP_API_KEY (or the key file / "
			 "GUMLOOP_ACCESS_TOKEN) in the server's environment." :
			 "Gumloop did not accept the credentials. No user id is "
			 "set, and a personal API key needs one: set "
			 "GUMLOOP_USER_ID (or --user-id) to the user id shown in "
			 "Gumloop's settings; else check GUMLOOP_API_KEY (or the "
			 "key file / GUMLOOP_ACCESS_TOKEN).";
	case 402: return "The account is out of credits or the plan does "
			 "not include this.";
	case 403: return "The credentials are valid but may not do this: "
			 "check user_id / project_id / team_id and the key's "
			 "permissions.";
	case 404: return "Nothing has that id: check it, or list the items "
			 "with the matching list_all_gumloop_* tool.";
	case 409: return "The resource is busy or already exists: wait for "
			 "the current work to finish (a wait_for_gumloop_* "
			 "tool), then retry.";
	case 413: return "The upload is over Gumloop's size limit (10 MB).";
	case 429: return "Gumloop's rate or concurrency limit was reached.";
	case 503: return "Gumloop is unavailable for a moment.";
	}
	if (resp->status >= 500)
		return "Gumloop had a server error: retry in a little while.";
	return "";
}

int tool_error_http(struct tool_call *call, const struct http_response *resp)
{
	cJSON *err = http_error_object(resp);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	const cJSON *retry = cJSON_GetObjectItemCaseSensitive(err, "retry_after");
	struct buf text = BUF_INIT;

	if (resp->failure == HTTP_OK)
		buf_addf(&text, "%s failed: HTTP %ld", call->def->name, resp->status);
	else
		buf_addf(&text, "%s failed: %s", call->def->name,
			 http_failure_str(resp->failure));
	if (cJSON_IsString(code) && resp->failure == HTTP_OK)
		buf_addf(&text, " (%s)", code->valuestring);
	if (cJSON_IsString(msg))
		buf_addf(&text, ": %s", msg->valuestring);
	if (cJSON_IsNumber(retry))
		buf_addf(&text, ". Retry after %g s", retry->valuedouble);
	buf_addf(&text, ". %s", advice(call, resp));
	if (resp->failure == HTTP_OK &&
	    (resp->status == 429 || resp->status == 503))
		buf_addf(&text, " %s %s.", call->def->access == TOOL_READ ?
			 "Retry" : "This write was not retried automatically "
			 "(it could run twice): retry", cJSON_IsNumber(retry) ?
			 "after the time given" : "in a little while");
	set_error(call, err, buf_detach(&text, NULL));
	return -1;
}

static int advice_fits(const struct tool_advice *a, long status,
		       const cJSON *code, const cJSON *msg)
{
	if (a->status && a->status != status)
		return 0;
	return !a->code ||
	       (cJSON_IsString(code) && !strcasecmp(code->valuestring, a->code)) ||
	       (cJSON_IsString(msg) && !strcasecmp(msg->valuestring, a->code));
}

int tool_advise(struct tool_call *call, int rc, const struct tool_advice *table)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(call->structured,
							    "error");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(err, "status");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	struct buf text = BUF_INIT;

	if (rc == 0 || !call->is_error || !cJSON_IsNumber(status))
		return rc;
	for (; table->advice; table++)
		if (advice_fits(table, (long)status->valuedouble, code, msg))
			break;
	if (!table->advice)
		return rc;
	buf_addf(&text, "%s failed: HTTP %.0f", call->def->name,
		 status->valuedouble);
	if (cJSON_IsString(code))
		buf_addf(&text, " (%s)", code->valuestring);
	if (cJSON_IsString(msg) && (!cJSON_IsString(code) ||
				    strcmp(msg->valuestring, code->valuestring)))
		buf_addf(&text, ": %s", msg->valuestring);
	buf_addf(&text, ". %s", table->advice);
	free(call->text);
	call->text = buf_detach(&text, NULL);
	return rc;
}

/* ---- arguments -------------------------------------------------------- */

const cJSON *tool_arg(const struct tool_call *call, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(call->args, name);
}

const char *tool_arg_str(const struct tool_call *call, const char *name)
{
	const cJSON *v = tool_arg(call, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double tool_arg_num(const struct tool_call *call, const char *name, double def)
{
	const cJSON *v = tool_arg(call, name);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

int tool_arg_bool(const struct tool_call *call, const char *name, int def)
{
	const cJSON *v = tool_arg(call, name);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* ---- requests --------------------------------------------------------- */

static const char *scope_value(const struct tool_call *call, const char *name,
			       const char *fallback)
{
	const char *v = tool_arg_str(call, name);

	return v && *v ? v : fallback;
}

/* Fails the call whose URL would pass HTTP_MAX_URL: nothing is sent. */
static int url_too_long(struct tool_call *call, const char *name)
{
	if (name)
		return tool_error(call, "invalid argument '%s': too long for the "
				  "request URL (over %u bytes in all); nothing "
				  "was sent", name, HTTP_MAX_URL);
	return tool_error(call, "%s failed: the request URL would be over %u "
			  "bytes; nothing was sent", call->def->name,
			  HTTP_MAX_URL);
}

static int add_query_value(struct buf *url, const char *name, const cJSON *v)
{
	char num[64];

	if (cJSON_IsString(v))
		return http_url_add_query(url, name, v->valuestring);
	if (cJSON_IsBool(v))
		return http_url_add_query(url, name,
					  cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		return http_url_add_query(url, name, num);
	}
	return 0;
}

/* Fills the path template: "{name}" becomes the encoded argument. */
static int fill_path(struct tool_call *call, const char *tmpl, struct buf *url)
{
	const char *p = tmpl, *open, *close;
	char name[64];
	const char *value;

	while ((open = strchr(p, '{'))) {
		close = strchr(open, '}');
		if (!close || (size_t)(close - open - 1) >= sizeof(name))
			return tool_error(call, "internal error: bad path '%s'", tmpl);
		buf_add(url, p, (size_t)(open - p));
		memcpy(name, open + 1, (size_t)(close - open - 1));
		name[close - open - 1] = '\0';
		value = tool_arg_str(call, name);
		if (!value || !*value)
			return tool_error(call, "missing required argument '%s'",
					  name);
		if (http_url_add_segment(url, value) < 0)
			return url_too_long(call, name);
		p = close + 1;
	}
	buf_addstr(url, p);
	return 0;
}

static int add_scope(struct tool_call *call, const char *method,
		     struct http_request *req)
{
	int in_body = strcmp(method, "GET") && strcmp(method, "DELETE");
	const char *user, *project, *team;

	if (call->def->scope == SCOPE_TEAM) {
		team = scope_value(call, "team_id", cfg.team_id);
		if (team)
			http_url_add_query(&req->url, "team_id", team);
		return 0;
	}
	if (call->def->scope == SCOPE_TEAM_BODY) {
		team = scope_value(call, "team_id", cfg.team_id);
		if (team && req->json)
			cJSON_AddStringToObject(req->json, "team_id", team);
		return 0;
	}
	if (call->def->scope == SCOPE_USER) {
		user = scope_value(call, "user_id", cfg.user_id);
		if (!user)
			return tool_error(call, "no user id: pass user_id (an "
					  "organization admin's), or set "
					  "GUMLOOP_USER_ID in the server's "
					  "environment");
		if (in_body)
			cJSON_AddStringToObject(req->json, "user_id", user);
		else
			http_url_add_query(&req->url, "user_id", user);
		return 0;
	}
	if (call->def->scope != SCOPE_LEGACY)
		return 0;
	user = scope_value(call, "user_id", cfg.user_id);
	project = scope_value(call, "project_id", cfg.project_id);
	if (!user && !project)
		return tool_error(call, "no user id: pass user_id (or project_id), "
				  "or start the server with --user-id or "
				  "GUMLOOP_USER_ID (or GUMLOOP_PROJECT_ID)");
	if (in_body) {
		if (user)
			cJSON_AddStringToObject(req->json, "user_id", user);
		if (project)
			cJSON_AddStringToObject(req->json, "project_id", project);
	} else {
		if (user)
			http_url_add_query(&req->url, "user_id", user);
		if (project)
			http_url_add_query(&req->url, "project_id", project);
	}
	return 0;
}

int tool_build_request(struct tool_call *call, const char *method,
		       const char *path, struct http_request *req)
{
	const struct tool_def *def = call->def;
	const struct param *p;
	const cJSON *v;
	int has_body;

	method = method ? method : def->method;
	has_body = strcmp(method, "GET") && strcmp(method, "DELETE");
	req->method = method;
	http_url_begin(&req->url, def->flags & T_STREAM_HOST ?
		       cfg.stream_base_url : cfg.base_url);
	if (fill_path(call, path ? path : def->path, &req->url) < 0)
		return -1;
	if (has_body && !req->json)
		req->json = cJSON_CreateObject();
	for (p = def->params; p && p->name; p++) {
		v = tool_arg(call, p->name);
		if (!v)
			continue;
		if (p->in == IN_QUERY &&
		    add_query_value(&req->url, p->name, v) < 0)
			return url_too_long(call, p->name);
		if (p->in == IN_BODY && req->json)
			cJSON_AddItemToObject(req->json, p->name,
					      cJSON_Duplicate(v, 1));
	}
	if (add_scope(call, method, req) < 0)
		return -1;
	return req->url.overflow ? url_too_long(call, NULL) : 0;
}

/* Lets a cancellation (or, for a wait's poll, the end of input) cut a
 * blocking request short. */
static int abort_check(void *ctx)
{
	struct tool_call *call = ctx;

	return call->hooks && call->hooks->check && call->hooks->check(call);
}

/* A write in flight is never cut short (its outcome would be unknown and
 * it would be lost): it only looks at the input, and a cancelled one ends
 * unanswered once Gumloop has answered. */
static int look_only(void *ctx)
{
	abort_check(ctx);
	return 0;
}

int tool_nap(struct tool_call *call, long ms)
{
	long long deadline = now_ms() + ms, left;

	while ((left = deadline - now_ms()) > 0) {
		if (abort_check(call))
			return 1;
		sleep_ms(left < 50 ? left : 50);
	}
	return 0;
}

static int retryable(const struct tool_call *call,
		     const struct http_response *resp)
{
	/* a wait's poll is delayed by the wait itself, not here */
	return call->def->access == TOOL_READ && !call->wait &&
	       resp->failure == HTTP_OK &&
	       (resp->status == 429 || resp->status == 503) &&
	       resp->retry_after >= 0 && resp->retry_after <= MAX_AUTO_RETRY_AFTER;
}

/* Whether a write request reached Gumloop: a 2xx did, a failure after the
 * connection may have; an HTTP error status did not (safe writes). */
static void note_write(struct tool_call *call, const struct http_request *req,
		       const struct http_response *resp)
{
	if (!strcmp(req->method, "GET"))
		return;
	if (resp->failure == HTTP_OK && resp->status < 300)
		call->wrote |= TOOL_WROTE;
	else if (resp->failure != HTTP_OK && !resp->not_sent)
		call->wrote |= TOOL_MAY_HAVE_WRITTEN;
}

int tool_send(struct tool_call *call, struct http_request *req,
	      struct http_response *resp)
{
	int attempt;

	req->abort_check = call->def->access != TOOL_READ &&
			   strcmp(req->method, "GET") ? look_only : abort_check;
	req->abort_ctx = call;
	req->timeout_ms = wait_poll_timeout_ms(call);
	for (attempt = 0;; attempt++) {
		http_response_init(resp);
		http_perform(req, resp);
		call->status = resp->status;
		if (attempt >= MAX_AUTO_RETRIES || !retryable(call, resp))
			break;
		log_info("%s: HTTP %ld, retrying in %g s", call->def->name,
			 resp->status, resp->retry_after);
		tool_log(call, TOOL_LOG_WARNING, "%s: Gumloop answered HTTP %ld; "
			 "retrying in %g s (retry %d of %d)", call->def->name,
			 resp->status, resp->retry_after, attempt + 1,
			 MAX_AUTO_RETRIES);
		if (tool_nap(call, (long)ceil(resp->retry_after * 1000)))
			break;
		http_response_release(resp);
	}
	note_write(call, req, resp);
	if (resp->failure != HTTP_OK || resp->status >= 300)
		return tool_error_http(call, resp);
	return 0;
}

/* A 2xx answer the tool cannot use: an error naming what was wrong. */
static void unusable_body(struct tool_call *call,
			  const struct http_response *resp, const char *code,
			  const char *what)
{
	cJSON *err = cJSON_CreateObject();
	char *message = xasprintf("Gumloop answered %s", what);

	cJSON_AddNumberToObject(err, "status", (double)resp->status);
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	free(message);
	set_error(call, err, xasprintf("%s failed: Gumloop answered HTTP %ld "
		  "%s. Retry; if it persists, Gumloop may be having trouble.",
		  call->def->name, resp->status, what));
}

cJSON *tool_response_json(struct tool_call *call, struct http_response *resp)
{
	cJSON *json;

	/* 204 No Content is empty by design: the handler knows what it means */
	if (!resp->body.len && (resp->status == 204 ||
				!tool_output_needs_fields(call->def)))
		return cJSON_CreateObject();
	if (!resp->body.len) {
		unusable_body(call, resp, "empty_response", "with an empty body");
		return NULL;
	}
	json = cJSON_ParseWithLength(resp->body.data, resp->body.len);
	buf_release(&resp->body);	/* a large body is not held twice */
	if (!json) {
		unusable_body(call, resp, "non_json_response",
			      "with a body that is not JSON");
		return NULL;
	}
	if (!cJSON_IsObject(json)) {
		cJSON *wrap = cJSON_CreateObject();

		cJSON_AddItemToObject(wrap, "result", json);
		json = wrap;
	}
	return json;
}

cJSON *tool_exchange(struct tool_call *call, struct http_request *req)
{
	struct http_response resp;
	cJSON *json = NULL;

	http_response_init(&resp);
	if (tool_send(call, req, &resp) == 0)
		json = tool_response_json(call, &resp);
	http_response_release(&resp);
	return json;
}

cJSON *tool_request_json(struct tool_call *call)
{
	struct http_request req;
	cJSON *json = NULL;

	http_request_init(&req, call->def->method);
	if (tool_build_request(call, NULL, NULL, &req) == 0)
		json = tool_exchange(call, &req);
	http_request_release(&req);
	return json;
}

int tool_default_handler(struct tool_call *call)
{
	cJSON *json = tool_request_json(call);

	return json ? tool_ok(call, json) : -1;
}

cJSON *tool_get_json(struct tool_call *call, const char *path,
		     const char *const *query)
{
	struct http_request req;
	cJSON *json = NULL;
	int rc;

	http_request_init(&req, "GET");
	rc = tool_build_request(call, "GET", path, &req);
	for (; rc == 0 && query && query[0]; query += 2)
		if (http_url_add_query(&req.url, query[0], query[1]) < 0)
			rc = url_too_long(call, query[0]);
	if (rc == 0)
		json = tool_exchange(call, &req);
	http_request_release(&req);
	return json;
}

/* ---- the call --------------------------------------------------------- */

cJSON *tool_text_item(const cJSON *structured)
{
	cJSON *item = cJSON_CreateObject();
	char *text = cJSON_PrintUnformatted(structured);

	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text ? text : "{}");
	free(text);
	return item;
}

cJSON *tool_call_result(struct tool_call *call)
{
	cJSON *result = cJSON_CreateObject(), *content, *item;

	if (call->content) {
		content = call->content;
		call->content = NULL;
	} else {
		content = cJSON_CreateArray();
		if (call->is_error && call->text) {
			item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "type", "text");
			cJSON_AddStringToObject(item, "text", call->text);
		} else {
			item = tool_text_item(call->structured);
		}
		cJSON_AddItemToArray(content, item);
	}
	cJSON_AddItemToObject(result, "content", content);
	if (call->structured) {
		cJSON_AddItemToObject(result, "structuredContent", call->structured);
		call->structured = NULL;
	}
	if (call->is_error)
		cJSON_AddTrueToObject(result, "isError");
	return result;
}

void tool_note_audit_failure(cJSON *result)
{
	cJSON *content = cJSON_GetObjectItemCaseSensitive(result, "content");
	cJSON *item;
	char *text;

	if (!cJSON_IsArray(content))
		return;
	text = xasprintf("note: this call is not in the audit log: %s. Until "
			 "it can be written again, writes and custom tools are "
			 "refused.", audit_failure());
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text);
	cJSON_AddItemToArray(content, item);
	free(text);
}

static void call_free(struct tool_call *call)
{
	wait_free(call);
	cJSON_Delete(call->structured);
	cJSON_Delete(call->content);
	cJSON_Delete(call->replay);
	cJSON_Delete(call->args);
	free(call->text);
	free(call->name);
	free(call);
}

/* The checks every call passes before its handler runs. */
static int admit_call(struct tool_call *call)
{
	char *why = NULL;

	if ((why = policy_expiry_refusal())) {
		call->refused = 1;
		tool_error(call, "%s", why);
		free(why);
		return -1;
	}
	if (tool_check_args(call->def, call->args, &why) < 0) {
		call->refused = 1;
		/* before 2025-11-25 bad arguments were a protocol error */
		call->protocol_error = call->version &&
				       strcmp(call->version, "2025-11-25") < 0;
		if (call->protocol_error)
			tool_error(call, "invalid arguments for %s: %s",
				   call->def->name, why);
		else
			tool_error(call, "%s", why);
		free(why);
		return -1;
	}
	if (!cfg.api_key) {
		call->refused = 1;
		return tool_error(call, "%s", cfg.credential_problem);
	}
	/* a write is never done unrecorded */
	if (call->def->access != TOOL_READ && audit_ready() < 0) {
		call->refused = 1;
		return tool_error(call, "refused: %s; writes and custom tools are "
				  "refused until it can be written again (reads "
				  "go on)", audit_failure());
	}
	return 0;
}

static const char *outcome_of(const struct tool_call *call)
{
	/* a write cancelled after Gumloop took it did happen */
	return call->refused ? "refused" : call->is_error ||
	       (call->cancelled && !(call->wrote & TOOL_WROTE)) ? "error" : "ok";
}

/*
 * A call that never reaches a handler: unknown, or hidden by a filter. A
 * JSON-RPC error, except through call_gumloop_tool, where the name is an
 * argument and is refused as arguments are (a tool error since 2025-11-25).
 */
static void refuse_unlisted(struct tool_call *call, int dispatched)
{
	const char *filter = call->def ? policy_hidden_by(call->def) : NULL;

	call->refused = 1;
	call->protocol_error = !dispatched || (call->version &&
				strcmp(call->version, "2025-11-25") < 0);
	if (!call->def)
		tool_error(call, "unknown tool '%s': see %s", call->name,
			   cfg.discovery ? "search_gumloop_tools" : "tools/list");
	else
		tool_error(call, "tool '%s' is not available: hidden by %s in "
			   "this server's configuration", call->name, filter);
}

struct tool_call *tool_call_start(const char *name, const cJSON *args,
				  const struct call_env *env)
{
	const struct tool_def *def = discovery_find(name);
	struct tool_call *call = xcalloc(1, sizeof(*call));
	const char *target;
	const cJSON *target_args;
	int dispatched = 0, rc;

	/* call_gumloop_tool runs, and is recorded as, the tool it names */
	if (discovery_unwrap(def, args, &target, &target_args)) {
		name = target;
		args = target_args;
		def = tool_find(target);
		dispatched = 1;
	} else if (!def) {
		def = tool_find(name);
	}
	call->name = xstrdup(name);
	call->args = args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject();
	call->hooks = env->hooks;
	call->owner = env->owner;
	call->version = env->version;
	call->wait_cap_s = env->wait_cap_s;
	call->started = now_ms();
	if (!def || (!discovery_owns(def) && policy_hidden_by(def))) {
		call->def = def;
		refuse_unlisted(call, dispatched);
		return call;
	}
	call->def = def;
	if (admit_call(call) < 0)
		return call;
	if ((call->replay = idempotency_replay(call)))
		return call;
	if (call->is_error)
		return call;
	rc = (def->handler ? def->handler : tool_default_handler)(call);
	if (rc != TOOL_PENDING && call->wait)
		wait_free(call);
	return call;
}

int tool_call_waiting(const struct tool_call *call)
{
	return call->wait != NULL && !call->cancelled;
}

long long tool_call_due(const struct tool_call *call)
{
	return call->wait ? call->wait->due : 0;
}

long long tool_call_deadline(const struct tool_call *call)
{
	return call->wait ? call->wait->deadline : 0;
}

void tool_call_step(struct tool_call *call)
{
	if (call->wait && !call->cancelled)
		wait_step(call);
}

void tool_call_stop(struct tool_call *call)
{
	wait_stop(call);
}

int tool_call_time_up(struct tool_call *call)
{
	return !call->cancelled && wait_time_up(call);
}

void tool_call_answer(struct tool_call *call, const cJSON *answers)
{
	if (call->wait && !call->cancelled)
		wait_answer(call, answers);
}

int tool_call_audit(const struct tool_call *call, const char *outcome)
{
	return audit_record(call->name, call->def ?
			    tool_access_str(call->def->access) : NULL, outcome,
			    call->status, now_ms() - call->started, call->args);
}

cJSON *tool_call_finish(struct tool_call *call, char **cause)
{
	cJSON *result = NULL;
	int replayed = call->replay != NULL;

	*cause = NULL;
	/* a wait still on (cancelled) ends with what it has: a create's id */
	wait_stop(call);
	if (call->protocol_error) {
		*cause = call->text ? xstrdup(call->text) : xstrdup("refused");
	} else if (call->replay) {
		result = call->replay;
		call->replay = NULL;
	} else {
		if (!call->structured && !call->is_error)
			tool_ok(call, cJSON_CreateObject());
		result = tool_call_result(call);
	}
	/* a cancelled write is remembered too: a repeat must not redo it */
	if (call->def && !replayed && !call->protocol_error)
		idempotency_record(call, result);
	if (tool_call_audit(call, outcome_of(call)) < 0) {
		tool_log(call, TOOL_LOG_ERROR, "%.100s: this call is not in the "
			 "audit log: %s. Until it can be written again, writes "
			 "and custom tools are refused.", call->name,
			 audit_failure());
		if (result)
			tool_note_audit_failure(result);
	}
	if (call->cancelled) {
		cJSON_Delete(result);	/* no answer goes out */
		result = NULL;
	}
	call_free(call);
	return result;
}

/* Run to the end in place: a stop signal (Ctrl-C) ends a wait's poll and
 * the wait, which then answers, and is audited, as input's end would. */
static int stop_check(struct tool_call *call)
{
	return call->wait && stop_requested;
}

static const struct call_hooks in_place = { stop_check, NULL, NULL, NULL };

cJSON *tool_call_run(const char *name, const cJSON *args,
		     const char *version, int *protocol_error, char **cause)
{
	struct call_env env = { NULL, NULL, version, 0 };

	return tool_call_run_env(name, args, &env, protocol_error, cause);
}

cJSON *tool_call_run_env(const char *name, const cJSON *args,
			 const struct call_env *env, int *protocol_error,
			 char **cause)
{
	struct call_env in = *env;
	struct tool_call *call;
	long long wait;

	if (!in.hooks)
		in.hooks = &in_place;
	call = tool_call_start(name, args, &in);
	while (tool_call_waiting(call)) {
		wait = tool_call_due(call) - now_ms();
		sleep_ms(wait);
		if (stop_requested)
			tool_call_stop(call);
		else
			tool_call_step(call);
	}
	*protocol_error = call->protocol_error;
	return tool_call_finish(call, cause);
}
