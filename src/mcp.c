/*
 * The MCP protocol on top of the transport: envelope checks, the method
 * table, version negotiation for both eras, requests queued during waits,
 * progress and log notifications.
 */
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "http.h"
#include "log.h"
#include "mcp.h"
#include "prompts.h"
#include "resources.h"
#include "tool.h"
#include "version.h"

/* The whole catalog fits one page: many clients read only the first. */
#define TOOLS_PAGE_SIZE 100
#define LIST_TTL_MS 3600000
#define HOLD_LINE_MAX 4096	/* a longer line flushes a held reply first */

volatile sig_atomic_t mcp_stop;

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
	"messages_limit keeps a session's newest N messages. "
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

void mcp_init(struct server *srv, int fd)
{
	memset(srv, 0, sizeof(*srv));
	reader_init(&srv->in, fd, JSONRPC_MAX_LINE_DEFAULT);
	srv->log_level = MCP_LOG_OFF;
}

void mcp_release(struct server *srv)
{
	size_t i;

	for (i = srv->queue_head; i < srv->nqueue; i++)
		free(srv->queue[i].data);
	free(srv->queue);
	reader_release(&srv->in);
	buf_release(&srv->ahead);
	cJSON_Delete(srv->ahead_json);
	srv->ahead_json = NULL;
	srv->queue = NULL;
	srv->nqueue = srv->queue_cap = srv->queue_head = 0;
}

static const char *request_version(const struct server *srv)
{
	if (srv->current && srv->current->version)
		return srv->current->version;
	return srv->version ? srv->version : MCP_LATEST_LEGACY;
}

int mcp_version_at_least(const struct server *srv, const char *v)
{
	return strcmp(request_version(srv), v) >= 0;
}

/* ---- notifications ---------------------------------------------------- */

void mcp_progress(struct server *srv, double total, const char *message)
{
	struct mcp_request *req = srv->current;
	cJSON *params;

	if (!req || !req->progress_token || req->cancelled)
		return;
	req->progress += 1;
	params = cJSON_CreateObject();
	cJSON_AddItemToObject(params, "progressToken",
			      cJSON_Duplicate(req->progress_token, 1));
	cJSON_AddNumberToObject(params, "progress", req->progress);
	if (total > 0)
		cJSON_AddNumberToObject(params, "total", total);
	if (message && strcmp(request_version(srv), "2025-03-26") >= 0)
		cJSON_AddStringToObject(params, "message", message);
	jsonrpc_notify("notifications/progress", params);
}

void mcp_log(struct server *srv, enum mcp_log_level level, const char *logger,
	     const char *fmt, ...)
{
	int threshold = srv->current && srv->current->modern ?
			srv->current->log_level : srv->log_level;
	cJSON *params;
	va_list ap;
	char *text;

	if ((int)level < threshold || threshold >= MCP_LOG_OFF)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "level", mcp_levels[level]);
	if (logger)
		cJSON_AddStringToObject(params, "logger", logger);
	cJSON_AddStringToObject(params, "data", text);
	free(text);
	jsonrpc_notify("notifications/message", params);
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

static cJSON *server_capabilities(void)
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
	result = cJSON_CreateObject();
	cJSON_AddStringToObject(result, "protocolVersion", srv->version);
	cJSON_AddItemToObject(result, "capabilities", server_capabilities());
	cJSON_AddItemToObject(result, "serverInfo", server_info());
	cJSON_AddStringToObject(result, "instructions", instructions);
	return result;
}

static cJSON *m_discover(struct server *srv, const cJSON *params,
			 struct rpc_error *err)
{
	cJSON *result = cJSON_CreateObject(), *versions;
	size_t i;

	(void)srv; (void)params; (void)err;
	versions = cJSON_AddArrayToObject(result, "supportedVersions");
	cJSON_AddItemToArray(versions, cJSON_CreateString(MCP_MODERN_VERSION));
	for (i = ARRAY_SIZE(legacy_versions); i-- > 0;)
		cJSON_AddItemToArray(versions, cJSON_CreateString(legacy_versions[i]));
	cJSON_AddItemToObject(result, "capabilities", server_capabilities());
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
		tool_listed_page(offset, TOOLS_PAGE_SIZE,
				 !mcp_version_at_least(srv, "2025-06-18"))));
	end = offset + TOOLS_PAGE_SIZE;
	if (end < total) {
		snprintf(cursor, sizeof(cursor), "tools:%ld", end);
		cJSON_AddStringToObject(result, "nextCursor", cursor);
	}
	return result;
}

static cJSON *m_tools_call(struct server *srv, const cJSON *params,
			   struct rpc_error *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	int protocol_error = 0;
	char *cause = NULL;
	cJSON *result;

	if (!cJSON_IsString(name))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"tools/call needs params.name, the tool's name "
				"as tools/list gives it");
	if (args && !cJSON_IsNull(args) && !cJSON_IsObject(args))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"params.arguments must be an object of named "
				"arguments");
	result = tool_call_run(srv, name->valuestring,
			       cJSON_IsObject(args) ? args : NULL,
			       &protocol_error, &cause);
	if (protocol_error) {
		rpc_fail(err, JSONRPC_INVALID_PARAMS, "%s", cause);
		free(cause);
		cJSON_Delete(result);
		return NULL;
	}
	free(cause);
	return result;
}

/* Method flags. */
#define M_LEGACY	(1u << 0)	/* legacy era only (-32601 when modern) */
#define M_MODERN	(1u << 1)	/* modern era only */
#define M_ANYTIME	(1u << 2)	/* allowed before initialize */
#define M_LIST		(1u << 3)	/* carries ttlMs / cacheScope */

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
	{ "tools/call", m_tools_call, 0 },
	{ "resources/list", resources_list, M_LIST },
	{ "resources/templates/list", resources_templates_list, M_LIST },
	{ "resources/read", resources_read, M_LIST },
	{ "prompts/list", prompts_list, M_LIST },
	{ "prompts/get", prompts_get, 0 },
	{ "completion/complete", completion_complete, 0 },
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


static cJSON *raw_copy(const struct message *m, const char *const *path,
		       size_t n)
{
	size_t len;
	const char *v = json_raw_lookup(m->raw, m->len, path, n, &len);
	char *text;
	cJSON *node;

	if (!v)
		return NULL;
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
	jsonrpc_send_error(id, err->code, err->message, err->data);
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
	if (level && (!cJSON_IsString(level) ||
		      (req->log_level = level_parse(level->valuestring)) < 0)) {
		rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid params._meta"
			 "[\"io.modelcontextprotocol/logLevel\"]: use a syslog "
			 "level such as debug or info");
		return -1;
	}
	return 0;
}

static void decorate_modern(cJSON *result, const struct method *mt)
{
	cJSON *meta;

	if (!cJSON_HasObjectItem(result, "resultType"))
		cJSON_AddStringToObject(result, "resultType", "complete");
	if ((mt->flags & M_LIST) && !cJSON_HasObjectItem(result, "ttlMs")) {
		cJSON_AddNumberToObject(result, "ttlMs", LIST_TTL_MS);
		cJSON_AddStringToObject(result, "cacheScope", "private");
	}
	meta = cJSON_GetObjectItemCaseSensitive(result, "_meta");
	if (!meta)
		meta = cJSON_AddObjectToObject(result, "_meta");
	cJSON_AddItemToObject(meta, "io.modelcontextprotocol/serverInfo",
			      server_info());
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
	if (strcmp(m->method, "tools/call"))
		jsonrpc_flush();	/* only a tool's request flushes on its own */
	srv->current = &req;
	result = mt->fn(srv, m->params, &err);
	srv->current = outer;
	if (result && req.modern)
		decorate_modern(result, mt);
out:
	if (req.cancelled)
		cJSON_Delete(result);	/* no response for a cancelled request */
	else if (result && mt->fn == m_tools_call)
		jsonrpc_send_result_behind(id, result);	/* owns what it shows */
	else if (result)
		jsonrpc_send_result(id, result);
	else
		send_rpc_error(id, &err);
	free(err.message);
	cJSON_Delete(err.data);
	request_release(&req);
}

static void handle_notification(struct server *srv, const struct message *m)
{
	if (!strcmp(m->method, "notifications/initialized"))
		log_debug("client sent notifications/initialized");
	(void)srv;
}

static int only_space(const char *p, const char *end)
{
	while (p < end && *p && strchr(" \t\r\n", *p))
		p++;
	return p == end;
}

/* Parses one message (unless read ahead: parsed): -1 (reply sent) when it
 * is not valid JSON. */
static int parse_message(struct message *m, const char *raw, size_t len,
			 cJSON *parsed)
{
	const char *end = raw + len;

	m->raw = raw;
	m->len = len;
	m->json = parsed ? parsed : memchr(raw, '\0', len) ? NULL
		  : cJSON_ParseWithLengthOpts(raw, len, &end, 0);
	if (m->json && !only_space(end, raw + len)) {
		cJSON_Delete(m->json);
		m->json = NULL;
	}
	if (!m->json) {
		jsonrpc_send_error(NULL, JSONRPC_PARSE_ERROR,
				   "parse error: the line is not valid JSON", NULL);
		return -1;
	}
	return 0;
}

static void handle_message(struct server *srv, const char *raw, size_t len,
			   cJSON *parsed)
{
	struct message m = { 0 };
	const cJSON *method, *version;
	cJSON *id = NULL;
	int has_id, valid;

	if (parse_message(&m, raw, len, parsed) < 0)
		return;
	if (!cJSON_IsObject(m.json)) {
		jsonrpc_send_error(NULL, JSONRPC_INVALID_REQUEST,
				   "invalid request: expected a JSON-RPC object",
				   NULL);
		goto out;
	}
	has_id = cJSON_HasObjectItem(m.json, "id");
	method = cJSON_GetObjectItemCaseSensitive(m.json, "method");
	version = cJSON_GetObjectItemCaseSensitive(m.json, "jsonrpc");
	if (!method && has_id && (cJSON_HasObjectItem(m.json, "result") ||
				  cJSON_HasObjectItem(m.json, "error")))
		goto out;	/* a response nobody asked for: ignore */
	id = has_id ? read_id(&m, &valid) : NULL;
	if (has_id && !valid) {
		jsonrpc_send_error(NULL, JSONRPC_INVALID_REQUEST,
				   "invalid request: id must be a string or an "
				   "integer", NULL);
		goto out;
	}
	if (!cJSON_IsString(version) || strcmp(version->valuestring, "2.0") ||
	    !cJSON_IsString(method)) {
		/* Not a notification either: JSON-RPC answers with a null id. */
		jsonrpc_send_error(id, JSONRPC_INVALID_REQUEST,
				   "invalid request: needs \"jsonrpc\": "
				   "\"2.0\" and a string \"method\"", NULL);
		goto out;
	}
	m.method = method->valuestring;
	m.params = cJSON_GetObjectItemCaseSensitive(m.json, "params");
	if (m.params && !cJSON_IsObject(m.params)) {
		if (has_id)
			jsonrpc_send_error(id, JSONRPC_INVALID_PARAMS,
					   "invalid params: must be an object",
					   NULL);
		goto out;
	}
	if (!has_id) {
		handle_notification(srv, &m);
		goto out;
	}
	if (memmem(raw, len, "\\u0000", 6)) {
		jsonrpc_send_error(id, JSONRPC_INVALID_PARAMS,
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
		jsonrpc_send_error(cJSON_GetObjectItemCaseSensitive(j, "id"),
				   JSONRPC_INVALID_REQUEST,
				   "initialize cannot be part of a batch", NULL);
	else
		handle_message(srv, el, len, NULL);
	cJSON_Delete(j);
}

static void handle_batch(struct server *srv, const char *line, size_t len)
{
	cJSON *whole = cJSON_ParseWithLength(line, len);

	if (!whole) {
		jsonrpc_send_error(NULL, JSONRPC_PARSE_ERROR,
				   "parse error: the line is not valid JSON", NULL);
		return;
	}
	if (cJSON_GetArraySize(whole) == 0 || !srv->version ||
	    strcmp(srv->version, "2025-03-26")) {
		jsonrpc_send_error(NULL, JSONRPC_INVALID_REQUEST,
				   cJSON_GetArraySize(whole) == 0 ?
				   "invalid request: empty batch" :
				   "invalid request: JSON-RPC batches exist only "
				   "in protocol version 2025-03-26", NULL);
		cJSON_Delete(whole);
		return;
	}
	cJSON_Delete(whole);
	jsonrpc_batch_begin();
	json_raw_array_each(line, len, handle_batch_element, srv);
	jsonrpc_batch_end();
}

/*
 * Reading ahead: while a request waits for Gumloop, the line the client
 * sent after it is checked and parsed, which takes that work off the path
 * between one answer and the next request. The tree is used only for
 * exactly those bytes (a cancellation may drop the line, a ping jump the
 * queue).
 */
static void read_ahead(struct server *srv)
{
	const struct pending_line *next = srv->queue_head < srv->nqueue ?
					  &srv->queue[srv->queue_head] : NULL;
	const char *line;
	size_t len;

	if (srv->ahead_json)
		return;
	if (next) {
		line = next->data;
		len = next->len;
	} else if (!reader_peek(&srv->in, &line, &len)) {
		return;
	}
	if (!line || !len || len > HOLD_LINE_MAX || *line != '{' ||
	    !json_valid(line, len))
		return;
	srv->ahead_json = cJSON_ParseWithLength(line, len);
	buf_reset(&srv->ahead);
	buf_add(&srv->ahead, line, len);
}

/* The tree read ahead for exactly this line (the caller's now), or NULL. */
static cJSON *take_ahead(struct server *srv, const char *line, size_t len)
{
	cJSON *json = srv->ahead_json;

	srv->ahead_json = NULL;
	if (json && srv->ahead.len == len && !memcmp(srv->ahead.data, line, len))
		return json;
	cJSON_Delete(json);
	return NULL;
}

void mcp_handle_line(struct server *srv, const char *line, size_t len)
{
	cJSON *ahead = take_ahead(srv, line, len);

	if (ahead) {	/* checked and parsed already */
		handle_message(srv, line, len, ahead);
		return;
	}
	if (len > HOLD_LINE_MAX)
		jsonrpc_flush();	/* a long line takes long to read */
	/* A UTF-8 byte order mark is not part of the message. */
	if (len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3;
		len -= 3;
	}
	if (only_space(line, line + len))
		return;
	if (!json_valid(line, len)) {
		jsonrpc_send_error(NULL, JSONRPC_PARSE_ERROR, "parse error: the "
				   "line is not one valid JSON value (RFC 8259, "
				   "UTF-8)", NULL);
		return;
	}
	while (strchr(" \t\r\n", *line)) {	/* valid JSON: no NUL here */
		line++;
		len--;
	}
	if (*line == '[')
		handle_batch(srv, line, len);
	else
		handle_message(srv, line, len, NULL);
}

/* ---- the loop and waits ----------------------------------------------- */

static void queue_line(struct server *srv, const char *data, size_t len)
{
	if (srv->nqueue == srv->queue_cap && srv->queue_head) {
		/* drop the handled entries rather than grow */
		srv->nqueue -= srv->queue_head;
		memmove(srv->queue, srv->queue + srv->queue_head,
			srv->nqueue * sizeof(*srv->queue));
		srv->queue_head = 0;
	}
	if (srv->nqueue == srv->queue_cap) {
		srv->queue_cap = srv->queue_cap ? srv->queue_cap * 2 : 8;
		srv->queue = xrealloc(srv->queue,
				      srv->queue_cap * sizeof(*srv->queue));
	}
	srv->queue[srv->nqueue].data = data ? xstrndup(data, len) : NULL;
	srv->queue[srv->nqueue].len = len;
	srv->nqueue++;
	srv->queued_bytes += len;
}

static void send_too_long(void)
{
	jsonrpc_send_error(NULL, JSONRPC_INVALID_REQUEST,
			   "invalid request: line longer than the 16 MiB limit "
			   "was discarded", NULL);
}

/* 1 when two raw JSON ids are the same id: same type, same value. */
static int same_id(const char *a, size_t alen, const char *b, size_t blen)
{
	cJSON *x, *y;
	int same;

	if (alen == blen && !memcmp(a, b, alen))
		return 1;
	x = cJSON_ParseWithLength(a, alen);
	y = cJSON_ParseWithLength(b, blen);
	/* strings may differ only in escapes; integers are compared as text */
	same = cJSON_IsString(x) && cJSON_IsString(y) &&
	       !strcmp(x->valuestring, y->valuestring);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

/* Drops the queued request whose id is the raw rid; 1 when found. */
static int unqueue_request(struct server *srv, const char *rid, size_t rlen)
{
	static const char *const id_path[] = { "id" };
	struct pending_line *q;
	const char *id;
	size_t i, len;

	for (i = srv->queue_head; i < srv->nqueue; i++) {
		q = &srv->queue[i];
		id = q->data ? json_raw_lookup(q->data, q->len, id_path, 1, &len)
			     : NULL;
		if (!id || !same_id(id, len, rid, rlen))
			continue;
		log_debug("cancelled before it started: dropped a queued request");
		free(q->data);
		srv->queued_bytes -= q->len;
		memmove(q, q + 1, (srv->nqueue - i - 1) * sizeof(*q));
		srv->nqueue--;
		return 1;
	}
	return 0;
}

/*
 * Whether a line can be a ping or a cancellation: its method spelled out,
 * or escaped (a backslash). Only those are parsed while a request runs; a
 * piped burst of other requests is queued without parsing each twice.
 */
static int may_be_ping_or_cancel(const char *line, size_t len)
{
	return memmem(line, len, "ping", 4) || memmem(line, len, "cancelled", 9) ||
	       memchr(line, '\\', len);
}

/*
 * Looks at a line read during a request: a ping is answered, a
 * cancellation marks the current request or drops a queued one, anything
 * else is queued.
 */
static void triage(struct server *srv, const char *line, size_t len)
{
	static const char *const cancel_path[] = { "params", "requestId" };
	cJSON *j;
	const cJSON *mth;
	struct mcp_request *cur = srv->current;
	const char *rid = NULL;
	size_t rlen = 0;

	if (!may_be_ping_or_cancel(line, len)) {
		queue_line(srv, line, len);
		return;
	}
	j = cJSON_ParseWithLength(line, len);
	mth = cJSON_GetObjectItemCaseSensitive(j, "method");
	if (cJSON_IsString(mth) && !strcmp(mth->valuestring, "ping") &&
	    cJSON_HasObjectItem(j, "id")) {
		mcp_handle_line(srv, line, len);
	} else if (cJSON_IsString(mth) &&
		   !strcmp(mth->valuestring, "notifications/cancelled") &&
		   !cJSON_HasObjectItem(j, "id") &&
		   (rid = json_raw_lookup(line, len, cancel_path, 2, &rlen))) {
		if (cur && same_id(rid, rlen, cur->id->valuestring,
				   strlen(cur->id->valuestring)))
			cur->cancelled = 1;
		else
			unqueue_request(srv, rid, rlen);
		/* one naming nothing pending has nothing left to do */
	} else {
		queue_line(srv, line, len);
	}
	cJSON_Delete(j);
}

/* Triages every complete line already read; 1 when input has ended. */
static int triage_buffered(struct server *srv)
{
	struct buf line = BUF_INIT;
	enum read_status st;

	while ((st = reader_next(&srv->in, &line)) == READ_LINE ||
	       st == READ_TOO_LONG) {
		if (st == READ_TOO_LONG)
			queue_line(srv, NULL, 0);
		else
			triage(srv, line.data, line.len);
	}
	buf_release(&line);
	return st == READ_EOF;
}

static int pump_status(const struct server *srv)
{
	if (srv->current && srv->current->cancelled)
		return 1;
	return srv->eof || mcp_stop || jsonrpc_output_closed() ? -1 : 0;
}

int mcp_pump(struct server *srv, int timeout_ms)
{
	int rc;

	if (timeout_ms)
		jsonrpc_flush();

	/* Lines read with an earlier chunk come first: no waiting for them. */
	if (triage_buffered(srv))
		srv->eof = 1;
	if (pump_status(srv))
		return pump_status(srv);
	if (srv->queued_bytes >= MCP_QUEUE_MAX) {
		/* far enough ahead: nothing more is read until the queue drains */
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms);
		return pump_status(srv);
	}
	rc = reader_fill(&srv->in, timeout_ms);
	if (triage_buffered(srv) || rc < 0)
		srv->eof = 1;
	return pump_status(srv);
}

int mcp_sleep(struct server *srv, long ms)
{
	long long deadline = now_ms() + ms;
	long long left;
	int rc = 0;

	jsonrpc_flush();
	while ((left = deadline - now_ms()) > 0) {
		if (srv->eof || srv->in.fd < 0) {
			/* nothing to read: just let the time pass */
			struct timespec ts = { left / 1000, (left % 1000) * 1000000 };

			if (srv->eof)
				return -1;
			nanosleep(&ts, NULL);
			break;
		}
		rc = mcp_pump(srv, left > 1000 ? 1000 : (int)left);
		if (rc)
			return rc;
	}
	return rc;
}

static void drain_queue(struct server *srv)
{
	struct pending_line p;

	/* Taken off the queue first: handling it may queue (or cancel) more.
	 * The head moves instead of the entries: a long burst stays linear. */
	while (srv->queue_head < srv->nqueue && !jsonrpc_output_closed()) {
		p = srv->queue[srv->queue_head++];
		srv->queued_bytes -= p.len;
		if (p.data)
			mcp_handle_line(srv, p.data, p.len);
		else
			send_too_long();
		free(p.data);
	}
	while (srv->nqueue > srv->queue_head)	/* nobody is reading any more */
		free(srv->queue[--srv->nqueue].data);
	srv->nqueue = srv->queue_head = 0;
	srv->queued_bytes = 0;
}

/* While a request is on its way: the held result goes out, the next line
 * is read ahead. */
static struct server *waiting_srv;

static void on_http_wait(void)
{
	jsonrpc_flush_ready();
	if (waiting_srv)
		read_ahead(waiting_srv);
}

int mcp_run(struct server *srv)
{
	struct buf line = BUF_INIT;
	enum read_status st;

	jsonrpc_write_behind(1);
	waiting_srv = srv;
	http_set_wait_hook(on_http_wait);
	while (!jsonrpc_output_closed() && !mcp_stop) {
		drain_queue(srv);
		st = reader_next(&srv->in, &line);
		if (st == READ_LINE)
			mcp_handle_line(srv, line.data, line.len);
		else if (st == READ_TOO_LONG)
			send_too_long();
		else if (st == READ_EOF)
			break;
		else if (jsonrpc_flush() < 0 || reader_fill(&srv->in, -1) < 0)
			srv->eof = 1;
	}
	drain_queue(srv);
	jsonrpc_write_behind(0);
	waiting_srv = NULL;
	buf_release(&line);
	return 0;
}
