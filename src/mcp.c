/*
 * The MCP protocol on top of the transport: envelope checks, the method
 * table, version negotiation for both eras, tools/call with its waits
 * answered out of order, progress and log notifications.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "json.h"
#include "log.h"
#include "mcp.h"
#include "policy.h"
#include "prompts.h"
#include "resources.h"
#include "tasks.h"
#include "tool.h"
#include "version.h"

/* The whole catalog fits one page: many clients read only the first. */
#define TOOLS_PAGE_SIZE 100
#define LIST_TTL_MS 3600000

static const char *const legacy_versions[] = {
	"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25",
};

static const char *const mcp_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency",
};

static const char instructions[] =
	"This server drives the Gumloop automation platform. Flows: find the "
	"flow with list_all_gumloop_flows, read its input schema with "
	"get_single_gumloop_automation_by_id, then start it with "
	"create_a_gumloop_flow_run, passing inputs by the names the schema "
	"gives. Runs and agent work are asynchronous: wait with the "
	"wait_for_gumloop_* tools (timeout_seconds, default 50; or "
	"wait_seconds, default 0, on the create tools) instead of polling by "
	"hand, and call them again when a result says timed_out. Lists page "
	"with page_size (default 20) and cursor (the next_cursor of the page "
	"before). Writes spend credits: pass an idempotency_key (1 to 128 "
	"characters) when you may retry (a repeat with the same key replays "
	"the first result); "
	"an identical write within 10 s is not sent again unless force is "
	"true. A session in approval_required waits for a person: ask them, "
	"then send their decisions with resolve_gumloop_session_approvals. "
	"messages_limit keeps a session's newest N messages. An argument "
	"named X_id without a description comes from list_all_gumloop_Xs. "
	"team_id, user_id and project_id are optional: they default to "
	"GUMLOOP_TEAM_ID, GUMLOOP_USER_ID and GUMLOOP_PROJECT_ID (the "
	"organization tools want an organization admin's user_id).";

cJSON *rpc_fail(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err->code = code;
	free(err->message);
	err->message = xvasprintf(fmt, ap);
	va_end(ap);
	return NULL;
}

static int level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mcp_levels); i++)
		if (!strcmp(s, mcp_levels[i]))
			return (int)i;
	return -1;
}
/* ---- server state ----------------------------------------------------- */

void mcp_init(struct server *srv)
{
	memset(srv, 0, sizeof(*srv));
	srv->log_level = MCP_LOG_OFF;
	calls_init(srv);
}

const char *mcp_version(const struct server *srv)
{
	if (srv->current && srv->current->version)
		return srv->current->version;
	return srv->version ? srv->version : MCP_LATEST_LEGACY;
}

int mcp_version_at_least(const struct server *srv, const char *v)
{
	return strcmp(mcp_version(srv), v) >= 0;
}

int mcp_modern(const struct server *srv)
{
	return srv->current && srv->current->modern;
}

/* ---- notifications ---------------------------------------------------- */

void mcp_progress(struct mcp_request *req, const char *message)
{
	cJSON *params;

	if (!req->progress_token || req->cancelled)
		return;
	req->progress += 1;
	params = cJSON_CreateObject();
	cJSON_AddItemToObject(params, "progressToken",
			      cJSON_Duplicate(req->progress_token, 1));
	cJSON_AddNumberToObject(params, "progress", req->progress);
	if (message && req->version && strcmp(req->version, "2025-03-26") >= 0)
		cJSON_AddStringToObject(params, "message", message);
	writer_notify("notifications/progress", params);
}

void mcp_log_to(const struct server *srv, const struct mcp_request *req,
		   enum mcp_log_level level, const char *logger,
		   const char *text)
{
	int threshold = req && req->modern ? req->log_level : srv->log_level;
	cJSON *params;

	if ((int)level < threshold || threshold >= MCP_LOG_OFF)
		return;
	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "level", mcp_levels[level]);
	if (logger)
		cJSON_AddStringToObject(params, "logger", logger);
	cJSON_AddStringToObject(params, "data", text);
	writer_notify("notifications/message", params);
}

void mcp_log(struct server *srv, enum mcp_log_level level, const char *logger,
	     const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	mcp_log_to(srv, srv->current, level, logger, text);
	free(text);
}

/* ---- methods ---------------------------------------------------------- */

static cJSON *server_info(void)
{
	cJSON *info = cJSON_CreateObject();

	cJSON_AddStringToObject(info, "name", "gumloop-mcp");
	cJSON_AddStringToObject(info, "title", "Gumloop");
	cJSON_AddStringToObject(info, "version", GUMLOOP_MCP_VERSION);
	return info;
}

/* Tasks: a core capability in 2025-11-25, an extension in 2026-07-28. */
static void add_tasks_capability(cJSON *caps, const char *version)
{
	cJSON *t;

	if (!strcmp(version, MCP_MODERN_VERSION)) {
		cJSON_AddObjectToObject(cJSON_AddObjectToObject(caps, "extensions"),
					TASKS_EXTENSION);
		return;
	}
	if (strcmp(version, "2025-11-25") < 0)
		return;
	t = cJSON_AddObjectToObject(caps, "tasks");
	cJSON_AddObjectToObject(t, "list");
	cJSON_AddObjectToObject(t, "cancel");
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		t, "requests"), "tools"), "call");
}

static cJSON *server_capabilities(const char *version)
{
	cJSON *caps = cJSON_CreateObject(), *caps_resources;

	cJSON_AddItemToObject(cJSON_AddObjectToObject(caps, "tools"),
			      "listChanged", cJSON_CreateFalse());
	cJSON_AddObjectToObject(caps, "logging");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(caps, "prompts"),
			      "listChanged", cJSON_CreateFalse());
	caps_resources = cJSON_AddObjectToObject(caps, "resources");
	cJSON_AddFalseToObject(caps_resources, "subscribe");
	cJSON_AddFalseToObject(caps_resources, "listChanged");
	cJSON_AddObjectToObject(caps, "completions");
	add_tasks_capability(caps, version);
	return caps;
}

static const char *negotiate(const char *requested)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(legacy_versions); i++)
		if (!strcmp(requested, legacy_versions[i]))
			return legacy_versions[i];
	return MCP_LATEST_LEGACY;
}

static cJSON *m_initialize(struct server *srv, const cJSON *params,
			   struct rpc_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, "protocolVersion");
	const cJSON *caps;
	cJSON *result;

	if (srv->initialized)
		return rpc_fail(err, JSONRPC_INVALID_REQUEST,
				"already initialized with protocol version %s",
				srv->version);
	if (!cJSON_IsString(v))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"initialize needs params.protocolVersion "
				"(a string such as \"%s\")", MCP_LATEST_LEGACY);
	srv->version = negotiate(v->valuestring);
	srv->initialized = 1;
	/* form mode: {} before 2025-11-25, or with "form" (or nothing) */
	caps = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		params, "capabilities"), "elicitation");
	srv->elicitation = cJSON_IsObject(caps) &&
			   (!caps->child || cJSON_HasObjectItem(caps, "form"));
	result = cJSON_CreateObject();
	cJSON_AddStringToObject(result, "protocolVersion", srv->version);
	cJSON_AddItemToObject(result, "capabilities",
			      server_capabilities(srv->version));
	cJSON_AddItemToObject(result, "serverInfo", server_info());
	cJSON_AddStringToObject(result, "instructions", instructions);
	return result;
}

static cJSON *m_discover(struct server *srv, const cJSON *params,
			 struct rpc_error *err)
{
	cJSON *result = cJSON_CreateObject(), *versions;

	(void)srv; (void)params; (void)err;
	/* only what a modern request may name in its _meta: the legacy
	 * versions are reached through initialize */
	versions = cJSON_AddArrayToObject(result, "supportedVersions");
	cJSON_AddItemToArray(versions, cJSON_CreateString(MCP_MODERN_VERSION));
	cJSON_AddItemToObject(result, "capabilities",
			      server_capabilities(MCP_MODERN_VERSION));
	cJSON_AddItemToObject(result, "serverInfo", server_info());
	cJSON_AddStringToObject(result, "instructions", instructions);
	return result;
}

static cJSON *m_ping(struct server *srv, const cJSON *params,
		     struct rpc_error *err)
{
	(void)srv; (void)params; (void)err;
	return cJSON_CreateObject();
}

static cJSON *m_set_level(struct server *srv, const cJSON *params,
			  struct rpc_error *err)
{
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(params, "level");
	int n = cJSON_IsString(level) ? level_parse(level->valuestring) : -1;

	if (n < 0)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"invalid params.level: use one of debug, info, "
				"notice, warning, error, critical, alert, emergency");
	srv->log_level = n;
	return cJSON_CreateObject();
}

/* Cursors are "tools:<offset>", opaque to clients. */
int mcp_parse_cursor(const cJSON *params, const char *prefix, long *offset)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(params, "cursor");
	size_t n = strlen(prefix);
	char *end;

	*offset = 0;
	if (!c || cJSON_IsNull(c))
		return 0;
	if (!cJSON_IsString(c) || strncmp(c->valuestring, prefix, n) ||
	    c->valuestring[n] != ':')
		return -1;
	*offset = strtol(c->valuestring + n + 1, &end, 10);
	return *end || *offset <= 0 ? -1 : 0;
}

/* What tools/list shows in this era: the title where it fits, and task
 * support where tasks are per tool (2025-11-25; the extension is not). */
static unsigned list_how(const struct server *srv)
{
	const char *v = mcp_version(srv);

	if (strcmp(v, "2025-06-18") < 0)
		return LIST_TITLED;
	return !strcmp(v, "2025-11-25") ? LIST_TASKS : 0;
}

static cJSON *m_tools_list(struct server *srv, const cJSON *params,
			   struct rpc_error *err)
{
	long offset, total = tool_listed_count(), end;
	cJSON *result;
	char cursor[32];

	if (mcp_parse_cursor(params, "tools", &offset) < 0 || offset >= total + (total == 0))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"invalid params.cursor: pass a nextCursor this "
				"server returned, or none for the first page");
	result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "tools", json_raw_reference(
		tool_listed_page(offset, TOOLS_PAGE_SIZE, list_how(srv))));
	end = offset + TOOLS_PAGE_SIZE;
	if (end < total) {
		snprintf(cursor, sizeof(cursor), "tools:%ld", end);
		cJSON_AddStringToObject(result, "nextCursor", cursor);
	}
	return result;
}
/* Method flags. */
#define M_LEGACY	(1u << 0)	/* legacy era only (-32601 when modern) */
#define M_MODERN	(1u << 1)	/* modern era only */
#define M_ANYTIME	(1u << 2)	/* allowed before initialize */
#define M_LIST		(1u << 3)	/* carries ttlMs / cacheScope */
#define M_TASKS		(1u << 4)	/* needs the tasks capability */

struct method {
	const char *name;
	mcp_method_fn fn;
	unsigned flags;
};

static const struct method methods[] = {
	{ "initialize", m_initialize, M_LEGACY | M_ANYTIME },
	{ "ping", m_ping, M_LEGACY | M_ANYTIME },
	{ "logging/setLevel", m_set_level, M_LEGACY },
	{ "server/discover", m_discover, M_MODERN | M_ANYTIME | M_LIST },
	{ "tools/list", m_tools_list, M_LIST },
	{ "tools/call", mcp_tools_call, 0 },
	{ "resources/list", resources_list, M_LIST },
	{ "resources/templates/list", resources_templates_list, M_LIST },
	{ "resources/read", resources_read, M_LIST },
	{ "prompts/list", prompts_list, M_LIST },
	{ "prompts/get", prompts_get, 0 },
	{ "completion/complete", completion_complete, 0 },
	{ "tasks/get", tasks_get, M_TASKS },
	{ "tasks/cancel", tasks_cancel, M_TASKS },
	{ "tasks/result", tasks_result, M_TASKS | M_LEGACY },
	{ "tasks/list", tasks_list, M_TASKS | M_LEGACY },
	{ "tasks/update", tasks_update, M_TASKS | M_MODERN },
};

static const struct method *find_method(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(methods); i++)
		if (!strcmp(methods[i].name, name))
			return &methods[i];
	return NULL;
}
/* ---- requests --------------------------------------------------------- */

struct message {
	const char *raw;
	size_t len;
	cJSON *json;
	const cJSON *params;
	const char *method;
	int is_request;
};

static void request_release(struct mcp_request *req)
{
	cJSON_Delete(req->id);
	cJSON_Delete(req->progress_token);
}


/* The line as received when lone surrogates were fixed in a copy: ids
 * and tokens are echoed as sent (same offsets: a fix keeps the length). */
static struct line_sent {
	const char *fixed, *sent;
	size_t len;
} line_sent;

static cJSON *raw_copy(const struct message *m, const char *const *path,
		       size_t n)
{
	size_t len;
	const char *v = json_raw_lookup(m->raw, m->len, path, n, &len);
	char *text;
	cJSON *node;

	if (!v)
		return NULL;
	if (line_sent.fixed && v >= line_sent.fixed &&
	    v < line_sent.fixed + line_sent.len)
		v = line_sent.sent + (v - line_sent.fixed);
	text = xstrndup(v, len);
	node = cJSON_CreateRaw(text);
	free(text);
	return node;
}

/* Ids are strings or integers; the raw text tells 1 from 1.0. */
static cJSON *read_id(const struct message *m, int *valid)
{
	static const char *const path[] = { "id" };
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m->json, "id");
	cJSON *raw;

	*valid = 0;
	if (!cJSON_IsString(id) && !cJSON_IsNumber(id))
		return NULL;
	raw = raw_copy(m, path, 1);
	if (!raw)
		return NULL;
	if (cJSON_IsNumber(id) && strpbrk(raw->valuestring, ".eE")) {
		cJSON_Delete(raw);
		return NULL;
	}
	*valid = 1;
	return raw;
}

static void send_rpc_error(const cJSON *id, struct rpc_error *err)
{
	writer_send_error(id, err->code, err->message, err->data);
	free(err->message);
	err->message = NULL;
	err->data = NULL;
}

/* Reads the modern _meta; fills req, or *err for a bad request. */
static int modern_setup(struct mcp_request *req, const cJSON *meta,
			struct rpc_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta,
				"io.modelcontextprotocol/protocolVersion");
	const cJSON *caps = cJSON_GetObjectItemCaseSensitive(meta,
				"io.modelcontextprotocol/clientCapabilities");
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(meta,
				"io.modelcontextprotocol/logLevel");
	cJSON *data;

	req->modern = 1;
	req->log_level = MCP_LOG_OFF;
	if (!cJSON_IsString(v) || strcmp(v->valuestring, MCP_MODERN_VERSION)) {
		rpc_fail(err, MCP_UNSUPPORTED_VERSION,
			 "unsupported protocol version: this server speaks %s "
			 "per request, or 2024-11-05 to %s after initialize",
			 MCP_MODERN_VERSION, MCP_LATEST_LEGACY);
		data = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(data, "supported"),
				     cJSON_CreateString(MCP_MODERN_VERSION));
		cJSON_AddItemToObject(data, "requested", v ? cJSON_Duplicate(v, 1)
							   : cJSON_CreateNull());
		err->data = data;
		return -1;
	}
	req->version = MCP_MODERN_VERSION;
	if (!cJSON_IsObject(caps)) {
		rpc_fail(err, JSONRPC_INVALID_PARAMS, "missing params._meta"
			 "[\"io.modelcontextprotocol/clientCapabilities\"]: every "
			 "%s request carries the client's capabilities",
			 MCP_MODERN_VERSION);
		return -1;
	}
	req->tasks_ext = cJSON_HasObjectItem(cJSON_GetObjectItemCaseSensitive(
		caps, "extensions"), TASKS_EXTENSION);
	if (level && (!cJSON_IsString(level) ||
		      (req->log_level = level_parse(level->valuestring)) < 0)) {
		rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid params._meta"
			 "[\"io.modelcontextprotocol/logLevel\"]: use a syslog "
			 "level such as debug or info");
		return -1;
	}
	return 0;
}

void mcp_decorate_modern(cJSON *result, unsigned flags)
{
	cJSON *meta;

	if (!cJSON_HasObjectItem(result, "resultType"))
		cJSON_AddStringToObject(result, "resultType", "complete");
	if ((flags & M_LIST) && !cJSON_HasObjectItem(result, "ttlMs")) {
		cJSON_AddNumberToObject(result, "ttlMs", LIST_TTL_MS);
		cJSON_AddStringToObject(result, "cacheScope", "private");
	}
	meta = cJSON_GetObjectItemCaseSensitive(result, "_meta");
	if (!meta)
		meta = cJSON_AddObjectToObject(result, "_meta");
	cJSON_AddItemToObject(meta, "io.modelcontextprotocol/serverInfo",
			      server_info());
}

/* The tasks methods: 2025-11-25 on, and for a modern request only when
 * its client declared the extension (-32021 names it). */
static int tasks_allowed(const struct mcp_request *req, struct rpc_error *err)
{
	cJSON *ext;

	if (!req->modern && (!req->version ||
			     strcmp(req->version, "2025-11-25") < 0)) {
		rpc_fail(err, JSONRPC_METHOD_NOT_FOUND, "tasks exist from "
			 "protocol 2025-11-25 on; this session negotiated %s",
			 req->version ? req->version : "none");
		return 0;
	}
	if (!req->modern || req->tasks_ext)
		return 1;
	rpc_fail(err, MCP_MISSING_CAPABILITY, "missing required client "
		 "capability: declare the %s extension in clientCapabilities",
		 TASKS_EXTENSION);
	err->data = cJSON_CreateObject();
	ext = cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		err->data, "requiredCapabilities"), "extensions");
	cJSON_AddObjectToObject(ext, TASKS_EXTENSION);
	return 0;
}

/* Checks era and lifecycle rules; NULL with *err when the call is refused. */
static const struct method *admit(struct server *srv, const struct message *m,
				  const struct mcp_request *req,
				  struct rpc_error *err)
{
	const struct method *mt = find_method(m->method);

	if (!mt)
		return rpc_fail(err, JSONRPC_METHOD_NOT_FOUND,
				"method not found: '%s'", m->method), NULL;
	if (req->modern && (mt->flags & M_LEGACY))
		return rpc_fail(err, JSONRPC_METHOD_NOT_FOUND,
				"method '%s' does not exist in protocol %s",
				m->method, MCP_MODERN_VERSION), NULL;
	if (!req->modern && (mt->flags & M_MODERN))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"'%s' needs params._meta with "
				"io.modelcontextprotocol/protocolVersion \"%s\" "
				"and clientCapabilities", m->method,
				MCP_MODERN_VERSION), NULL;
	if (!req->modern && !srv->initialized && !(mt->flags & M_ANYTIME))
		return rpc_fail(err, JSONRPC_INVALID_REQUEST,
				"server not initialized: send initialize first "
				"(or a %s request with its _meta)",
				MCP_MODERN_VERSION), NULL;
	if ((mt->flags & M_TASKS) && !tasks_allowed(req, err))
		return NULL;
	return mt;
}

static void handle_request(struct server *srv, const struct message *m,
			   cJSON *id)
{
	static const char *const token_path[] = { "params", "_meta",
						  "progressToken" };
	struct mcp_request req = { .id = id, .log_level = MCP_LOG_OFF };
	struct mcp_request *outer = srv->current;
	struct rpc_error err = { 0, NULL, NULL };
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->params, "_meta");
	const struct method *mt = NULL;
	cJSON *result = NULL, *tok;

	tok = cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	if (cJSON_IsString(tok) || cJSON_IsNumber(tok))
		req.progress_token = raw_copy(m, token_path, 3);
	if (cJSON_HasObjectItem(meta, "io.modelcontextprotocol/protocolVersion") &&
	    strcmp(m->method, "initialize")) {
		if (modern_setup(&req, meta, &err) < 0)
			goto out;
	} else {
		req.version = srv->version;
	}
	mt = admit(srv, m, &req, &err);
	if (!mt)
		goto out;
	srv->current = &req;
	result = mt->fn(srv, m->params, &err);
	srv->current = outer;
	if (result && req.modern)
		mcp_decorate_modern(result, mt->flags);
out:
	if (req.cancelled || req.deferred)
		cJSON_Delete(result);	/* no response now, or never */
	else if (result)
		writer_send_result(req.id, result);
	else
		send_rpc_error(req.id, &err);
	free(err.message);
	cJSON_Delete(err.data);
	request_release(&req);
}

static void handle_notification(struct server *srv, const struct message *m)
{
	static const char *const cancel_path[] = { "params", "requestId" };
	const char *rid;
	size_t rlen;

	if (!strcmp(m->method, "notifications/initialized"))
		log_debug("client sent notifications/initialized");
	/* one naming nothing pending has nothing left to do */
	if (!strcmp(m->method, "notifications/cancelled") &&
	    (rid = json_raw_lookup(m->raw, m->len, cancel_path, 2, &rlen)))
		mcp_cancel(srv, rid, rlen);
}

static int only_space(const char *p, const char *end)
{
	while (p < end && *p && strchr(" \t\r\n", *p))
		p++;
	return p == end;
}

/* Parses one message: -1 (reply sent) when it is not valid JSON. */
static int parse_message(struct message *m, const char *raw, size_t len)
{
	const char *end = raw + len;

	m->raw = raw;
	m->len = len;
	m->json = memchr(raw, '\0', len) ? NULL
		  : cJSON_ParseWithLengthOpts(raw, len, &end, 0);
	if (m->json && !only_space(end, raw + len)) {
		cJSON_Delete(m->json);
		m->json = NULL;
	}
	if (!m->json) {
		writer_send_error(NULL, JSONRPC_PARSE_ERROR,
				   "parse error: the line is not valid JSON", NULL);
		return -1;
	}
	return 0;
}

static void handle_message(struct server *srv, const char *raw, size_t len)
{
	struct message m = { 0 };
	const cJSON *method, *version;
	cJSON *id = NULL;
	int has_id, valid;

	if (parse_message(&m, raw, len) < 0)
		return;
	if (!cJSON_IsObject(m.json)) {
		writer_send_error(NULL, JSONRPC_INVALID_REQUEST,
				   "invalid request: expected a JSON-RPC object",
				   NULL);
		goto out;
	}
	has_id = cJSON_HasObjectItem(m.json, "id");
	method = cJSON_GetObjectItemCaseSensitive(m.json, "method");
	version = cJSON_GetObjectItemCaseSensitive(m.json, "jsonrpc");
	if (!method && has_id && (cJSON_HasObjectItem(m.json, "result") ||
				  cJSON_HasObjectItem(m.json, "error"))) {
		static const char *const id_path[] = { "id" };
		size_t rlen;
		const char *rid = json_raw_lookup(raw, len, id_path, 1, &rlen);

		if (rid)	/* the answer to a form a call asked, if any */
			mcp_client_response(srv, rid, rlen, m.json);
		goto out;
	}
	id = has_id ? read_id(&m, &valid) : NULL;
	if (has_id && !valid) {
		writer_send_error(NULL, JSONRPC_INVALID_REQUEST,
				   "invalid request: id must be a string or an "
				   "integer", NULL);
		goto out;
	}
	if (!cJSON_IsString(version) || strcmp(version->valuestring, "2.0") ||
	    !cJSON_IsString(method)) {
		/* Not a notification either: JSON-RPC answers with a null id. */
		writer_send_error(id, JSONRPC_INVALID_REQUEST,
				   "invalid request: needs \"jsonrpc\": "
				   "\"2.0\" and a string \"method\"", NULL);
		goto out;
	}
	m.method = method->valuestring;
	m.params = cJSON_GetObjectItemCaseSensitive(m.json, "params");
	if (m.params && !cJSON_IsObject(m.params)) {
		if (has_id)
			writer_send_error(id, JSONRPC_INVALID_PARAMS,
					   "invalid params: must be an object",
					   NULL);
		goto out;
	}
	if (!has_id) {
		handle_notification(srv, &m);
		goto out;
	}
	if (json_has_nul_escape(raw, len)) {
		writer_send_error(id, JSONRPC_INVALID_PARAMS,
				   "invalid params: strings must not contain "
				   "NUL characters (\\u0000)", NULL);
		goto out;
	}
	handle_request(srv, &m, id);
	id = NULL;	/* handle_request released it */
out:
	cJSON_Delete(id);
	cJSON_Delete(m.json);
}

static void handle_batch_element(const char *el, size_t len, void *ctx)
{
	struct server *srv = ctx;
	cJSON *j = cJSON_ParseWithLength(el, len);
	const cJSON *mth = cJSON_GetObjectItemCaseSensitive(j, "method");

	/* initialize may not be batched: refuse it without running it. */
	if (cJSON_IsString(mth) && !strcmp(mth->valuestring, "initialize") &&
	    cJSON_HasObjectItem(j, "id"))
		writer_send_error(cJSON_GetObjectItemCaseSensitive(j, "id"),
				   JSONRPC_INVALID_REQUEST,
				   "initialize cannot be part of a batch", NULL);
	else
		handle_message(srv, el, len);
	cJSON_Delete(j);
}

static void handle_batch(struct server *srv, const char *line, size_t len)
{
	cJSON *whole = cJSON_ParseWithLength(line, len);

	if (!whole) {
		writer_send_error(NULL, JSONRPC_PARSE_ERROR,
				   "parse error: the line is not valid JSON", NULL);
		return;
	}
	if (cJSON_GetArraySize(whole) == 0 || !srv->version ||
	    strcmp(srv->version, "2025-03-26")) {
		writer_send_error(NULL, JSONRPC_INVALID_REQUEST,
				   cJSON_GetArraySize(whole) == 0 ?
				   "invalid request: empty batch" :
				   "invalid request: JSON-RPC batches exist only "
				   "in protocol version 2025-03-26", NULL);
		cJSON_Delete(whole);
		return;
	}
	cJSON_Delete(whole);
	writer_batch_begin();
	json_raw_array_each(line, len, handle_batch_element, srv);
	writer_batch_end();
}

void mcp_handle_line(struct server *srv, const char *line, size_t len)
{
	char *fixed = NULL;
	/* a ping answered while a batch's request is in flight nests here */
	struct line_sent outer = line_sent;

	/* A UTF-8 byte order mark is not part of the message. */
	if (len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3;
		len -= 3;
	}
	if (only_space(line, line + len))
		return;
	if (!json_valid(line, len)) {
		writer_send_error(NULL, JSONRPC_PARSE_ERROR, "parse error: the "
				  "line is not one valid JSON value (RFC 8259, "
				  "UTF-8)", NULL);
		return;
	}
	/* JavaScript cuts an emoji into a lone surrogate: cJSON refuses it */
	if (memmem(line, len, "\\u", 2)) {
		fixed = xstrndup(line, len);
		if (json_fix_lone_surrogates(fixed, len)) {
			line_sent.fixed = fixed;
			line_sent.sent = line;
			line_sent.len = len;
			line = fixed;
		}
	}
	while (strchr(" \t\r\n", *line)) {	/* valid JSON: no NUL here */
		line++;
		len--;
	}
	if (*line == '[')
		handle_batch(srv, line, len);
	else
		handle_message(srv, line, len);
	line_sent = outer;
	free(fixed);
}
