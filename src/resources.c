/*
 * MCP resources over Gumloop's data. Each kind of resource is a URI
 * template with at most one variable and the tool that reads it; reading
 * calls that tool through tool_call_run, so whatever hides or refuses the
 * tool hides or refuses the resource too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "json.h"
#include "writer.h"
#include "log.h"
#include "policy.h"
#include "resources.h"
#include "util.h"

#define RESOURCES_PAGE_SIZE 50
#define FLOW_INPUTS_TEMPLATE "gumloop://flows/{saved_item_id}/inputs"

struct resource_kind {
	const char *uri;	/* a URI, or a template with one {variable} */
	const char *name;
	const char *title;
	const char *description;
	const char *tool;	/* reads it; the variable is its argument */
	const char *extra_args;	/* JSON object merged into the arguments */
	long ttl_ms;		/* how long a client may cache a read */
};

static const struct resource_kind kinds[] = {
	{ "gumloop://flows", "flows", "Gumloop flows",
	  "The flows (saved items) the user can run: saved_item_id, name, "
	  "description.", "list_all_gumloop_flows", NULL, 60000 },
	{ FLOW_INPUTS_TEMPLATE, "flow-inputs", "A flow's inputs",
	  "The inputs a flow takes (name, data_type, description): what "
	  "create_a_gumloop_flow_run expects.",
	  "get_single_gumloop_automation_by_id", NULL, 60000 },
	{ "gumloop://runs/{run_id}", "flow-run", "A flow run",
	  "A flow run's state, outputs and log.",
	  "get_single_gumloop_flow_run_by_id", NULL, 0 },
	{ "gumloop://sessions/{session_id}", "agent-session",
	  "An agent session", "An agent session's state and messages.",
	  "get_single_gumloop_session_by_id", NULL, 0 },
	{ "gumloop://artifacts/{artifact_id}", "artifact", "An artifact",
	  "A file an agent produced: its bytes (text, or a base64 blob).",
	  "get_single_gumloop_artifact_by_id", "{\"fetch\":true}", 0 },
#ifdef CONFORMANCE_FIXTURES
	/* The conformance suite's fixtures (test/interop/fixtures.c). */
	{ "test://static-text", "static-text", "Static text", "A fixture.",
	  "test_resource_static_text", NULL, 0 },
	{ "test://static-binary", "static-binary", "Static binary",
	  "A fixture.", "test_resource_static_binary", NULL, 0 },
	{ "test://template/{id}/data", "template-data", "Template data",
	  "A fixture.", "test_resource_template_data", NULL, 0 },
#endif
};

/* ---- shared with prompts.c -------------------------------------------- */

const struct tool_def *resources_visible_tool(const char *name)
{
	const struct tool_def *def = tool_find(name);

	return def && !policy_hidden_by(def) ? def : NULL;
}

/* The CallToolResult of tool, or NULL (*why set, caller frees) when the
 * tool cannot be called here. */
static cJSON *call_tool(struct server *srv, const char *tool,
			const cJSON *args, char **why)
{
	struct call_env env = { NULL, NULL, NULL, 0 };
	int protocol_error = 0;
	cJSON *result;

	*why = NULL;
	if (!resources_visible_tool(tool)) {
		*why = xasprintf("'%s' is not available in this server's "
				 "configuration", tool);
		return NULL;
	}
	/* in flight, it answers pings and sees its own cancellation */
	env.hooks = srv->current ? &mcp_request_hooks : NULL;
	env.owner = srv->current;
	env.version = mcp_version(srv);
	result = tool_call_run_env(tool, args, &env, &protocol_error, why);
	if (protocol_error) {
		cJSON_Delete(result);
		return NULL;
	}
	free(*why);
	*why = NULL;
	return result;
}

cJSON *resources_tool_json(struct server *srv, const char *tool,
			   const cJSON *args)
{
	char *why = NULL;
	cJSON *result = call_tool(srv, tool, args, &why), *out = NULL;

	if (result && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result,
								   "isError")))
		out = cJSON_DetachItemFromObjectCaseSensitive(result,
							      "structuredContent");
	else
		log_debug("internal call of %s failed: %s", tool,
			  why ? why : "the tool reported an error");
	free(why);
	cJSON_Delete(result);
	return out;
}

cJSON *resources_pluck(const cJSON *obj, const char *field)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *list = NULL, *m, *v;

	cJSON_ArrayForEach(m, obj)
		if (!list && cJSON_IsArray(m))
			list = m;
	cJSON_ArrayForEach(m, list) {
		v = cJSON_GetObjectItemCaseSensitive(m, field);
		if (cJSON_IsString(v))
			cJSON_AddItemToArray(out, cJSON_CreateString(v->valuestring));
	}
	return out;
}

/* ---- URIs ------------------------------------------------------------- */

static int visible(const struct resource_kind *k)
{
	return resources_visible_tool(k->tool) != NULL;
}

static int is_template(const struct resource_kind *k)
{
	return strchr(k->uri, '{') != NULL;
}

/* The variable's name of a template ("run_id"); caller frees. */
static char *variable_of(const struct resource_kind *k)
{
	const char *open = strchr(k->uri, '{');

	return xstrndup(open + 1, strcspn(open + 1, "}"));
}

/* Fills the template with value, percent-encoded; caller frees. */
static char *expand(const struct resource_kind *k, const char *value)
{
	const char *open = strchr(k->uri, '{');
	struct buf b = BUF_INIT;

	buf_add(&b, k->uri, (size_t)(open - k->uri));
	http_percent_encode(&b, value);
	buf_addstr(&b, strchr(open, '}') + 1);
	return buf_detach(&b, NULL);
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	       c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes %XX in s[0..n); NULL for a bad escape or a NUL; caller frees. */
static char *percent_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[len++] = s[i];
			continue;
		}
		if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0 ||
		    (hex(s[i + 1]) | hex(s[i + 2])) == 0) {
			free(out);
			return NULL;
		}
		out[len++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
		i += 2;
	}
	out[len] = '\0';
	return out;
}

/*
 * The kind uri belongs to, with its variable's value in *value (caller
 * frees; NULL for a plain URI), or NULL.
 */
static const struct resource_kind *match(const char *uri, char **value)
{
	size_t i, n = strlen(uri), pre, post;
	const char *open;

	*value = NULL;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct resource_kind *k = &kinds[i];

		if (!is_template(k)) {
			if (!strcmp(uri, k->uri))
				return k;
			continue;
		}
		open = strchr(k->uri, '{');
		pre = (size_t)(open - k->uri);
		post = strlen(strchr(open, '}') + 1);
		if (n <= pre + post || strncmp(uri, k->uri, pre) ||
		    strcmp(uri + n - post, strchr(open, '}') + 1) ||
		    memchr(uri + pre, '/', n - pre - post))
			continue;
		*value = percent_decode(uri + pre, n - pre - post);
		return *value && **value ? k : NULL;
	}
	return NULL;
}

/* ---- resources/list --------------------------------------------------- */

/* The modern era's caching hint, when it must differ from the default. */
static void cache_hint(struct server *srv, cJSON *result, long ttl_ms)
{
	if (!mcp_modern(srv))
		return;
	cJSON_AddNumberToObject(result, "ttlMs", (double)ttl_ms);
	cJSON_AddStringToObject(result, "cacheScope", "private");
}

static cJSON *describe(const char *uri, const char *name, const char *title,
		       const char *description)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "uri", uri);
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "title", title);
	if (description)
		cJSON_AddStringToObject(r, "description", description);
	cJSON_AddStringToObject(r, "mimeType", "application/json");
	return r;
}

/* gumloop://flows/{id}/inputs for every flow, when those can be read. */
static void add_flow_inputs(struct server *srv, cJSON *all)
{
	const struct resource_kind *k = &kinds[1];
	cJSON *flows = resources_tool_json(srv, "list_all_gumloop_flows", NULL);
	const cJSON *f, *list = cJSON_GetObjectItemCaseSensitive(flows,
								 "saved_items");
	char *uri, *title;

	cJSON_ArrayForEach(f, list) {
		const char *id = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(f, "saved_item_id"));
		const char *name = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(f, "name"));

		if (!id || !*id)
			continue;
		uri = expand(k, id);
		title = xasprintf("Inputs of %s", name ? name : id);
		cJSON_AddItemToArray(all, describe(uri, id, title,
						   k->description));
		free(uri);
		free(title);
	}
	cJSON_Delete(flows);
}

/* Cuts one page out of all (taken) under the cursor prefix. */
static cJSON *page_of(cJSON *all, const cJSON *params, const char *prefix,
		      const char *member, struct rpc_error *err)
{
	long offset, total = cJSON_GetArraySize(all), i;
	cJSON *result, *page;
	char cursor[48];

	if (mcp_parse_cursor(params, prefix, &offset) < 0 ||
	    offset >= total + (total == 0)) {
		cJSON_Delete(all);
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid "
				"params.cursor: pass a nextCursor this server "
				"returned, or none for the first page");
	}
	result = cJSON_CreateObject();
	page = cJSON_AddArrayToObject(result, member);
	for (i = offset; i < total && i < offset + RESOURCES_PAGE_SIZE; i++)
		cJSON_AddItemToArray(page, cJSON_Duplicate(
			cJSON_GetArrayItem(all, (int)i), 1));
	if (i < total) {
		snprintf(cursor, sizeof(cursor), "%s:%ld", prefix, i);
		cJSON_AddStringToObject(result, "nextCursor", cursor);
	}
	cJSON_Delete(all);
	return result;
}

cJSON *resources_list(struct server *srv, const cJSON *params,
		      struct rpc_error *err)
{
	cJSON *all = cJSON_CreateArray(), *result;
	const struct resource_kind *flows = &kinds[0];
	long offset;

	if (mcp_parse_cursor(params, "resources", &offset) < 0) {
		cJSON_Delete(all);
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid "
				"params.cursor: pass a nextCursor this server "
				"returned, or none for the first page");
	}
	if (visible(flows))
		cJSON_AddItemToArray(all, describe(flows->uri, flows->name,
						   flows->title,
						   flows->description));
	if (visible(&kinds[1]))
		add_flow_inputs(srv, all);
	result = page_of(all, params, "resources", "resources", err);
	/* the list follows the user's flows: no hour-long cache */
	if (result)
		cache_hint(srv, result, flows->ttl_ms);
	return result;
}

cJSON *resources_templates_list(struct server *srv, const cJSON *params,
				struct rpc_error *err)
{
	cJSON *all = cJSON_CreateArray(), *t;
	size_t i;

	(void)srv;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!is_template(&kinds[i]) || !visible(&kinds[i]))
			continue;
		t = describe(kinds[i].uri, kinds[i].name, kinds[i].title,
			     kinds[i].description);
		/* a template names its pattern uriTemplate, not uri */
		cJSON_AddItemToObject(t, "uriTemplate", cJSON_DetachItemFromObject(
			t, "uri"));
		if (!strcmp(kinds[i].name, "artifact"))
			cJSON_DeleteItemFromObject(t, "mimeType");
		cJSON_AddItemToArray(all, t);
	}
	return page_of(all, params, "templates", "resourceTemplates", err);
}

/* ---- resources/read --------------------------------------------------- */

static cJSON *not_found(struct server *srv, struct rpc_error *err,
			const char *uri, const char *why)
{
	int modern = mcp_version_at_least(srv, MCP_MODERN_VERSION);

	rpc_fail(err, modern ? JSONRPC_INVALID_PARAMS : MCP_RESOURCE_NOT_FOUND,
		 "resource not found: '%s'%s%s", uri, why ? ": " : "",
		 why ? why : "");
	err->data = cJSON_CreateObject();
	cJSON_AddStringToObject(err->data, "uri", uri);
	return NULL;
}

/* The tool's arguments for a read of kind k with the variable's value. */
static cJSON *read_args(const struct resource_kind *k, const char *value)
{
	cJSON *args = k->extra_args ? cJSON_Parse(k->extra_args)
				    : cJSON_CreateObject();
	char *var;

	if (value) {
		var = variable_of(k);
		cJSON_AddStringToObject(args, var, value);
		free(var);
	}
	return args;
}

/* One contents item from a content block of a download result. */
static cJSON *content_item(const char *uri, const cJSON *block,
			   const char *media_type)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(block, "resource");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
	cJSON *item = cJSON_CreateObject();

	cJSON_AddStringToObject(item, "uri", uri);
	if (res) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(res, "mimeType");
		const cJSON *blob = cJSON_GetObjectItemCaseSensitive(res, "blob");
		const cJSON *rtext = cJSON_GetObjectItemCaseSensitive(res, "text");

		if (cJSON_IsString(type))
			cJSON_AddStringToObject(item, "mimeType", type->valuestring);
		if (cJSON_IsString(blob))
			cJSON_AddStringToObject(item, "blob", blob->valuestring);
		else
			cJSON_AddStringToObject(item, "text",
				cJSON_IsString(rtext) ? rtext->valuestring : "");
		return item;
	}
	if (media_type)
		cJSON_AddStringToObject(item, "mimeType", media_type);
	cJSON_AddStringToObject(item, "text", cJSON_IsString(text) ?
				text->valuestring : "");
	return item;
}

/*
 * The contents of a successful tool result: the JSON result as one text
 * item, or for a download (structuredContent holds file_name) the bytes.
 */
static cJSON *contents_of(const char *uri, const cJSON *result)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(result,
							   "structuredContent");
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(result, "content");
	const char *media = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(sc, "media_type"));
	cJSON *contents = cJSON_CreateArray(), *item;
	const cJSON *b;
	char *text;

	if (cJSON_HasObjectItem(sc, "file_name")) {
		cJSON_ArrayForEach(b, blocks)
			cJSON_AddItemToArray(contents, content_item(uri, b, media));
		return contents;
	}
	item = cJSON_CreateObject();
	text = cJSON_PrintUnformatted(sc);
	cJSON_AddStringToObject(item, "uri", uri);
	cJSON_AddStringToObject(item, "mimeType", "application/json");
	cJSON_AddStringToObject(item, "text", text ? text : "{}");
	free(text);
	cJSON_AddItemToArray(contents, item);
	return contents;
}

/* A failed read: 404 means the resource does not exist; else the tool's
 * message as an internal error, with its structured error as data. */
static cJSON *read_failed(struct server *srv, struct rpc_error *err,
			  const char *uri, cJSON *result)
{
	cJSON *sc = cJSON_GetObjectItemCaseSensitive(result, "structuredContent");
	cJSON *e = cJSON_GetObjectItemCaseSensitive(sc, "error");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(e, "status");
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(result, "content");
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(blocks, 0), "text"));

	if (cJSON_IsNumber(status) && status->valueint == 404) {
		not_found(srv, err, uri, "Gumloop has nothing with that id");
	} else {
		rpc_fail(err, JSONRPC_INTERNAL_ERROR, "cannot read '%s': %s", uri,
			 text ? text : "the read failed");
		err->data = cJSON_DetachItemViaPointer(sc, e);
	}
	cJSON_Delete(result);
	return NULL;
}

cJSON *resources_read(struct server *srv, const cJSON *params,
		      struct rpc_error *err)
{
	const char *uri = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(params, "uri"));
	const struct resource_kind *k;
	char *value = NULL, *why = NULL;
	cJSON *args, *result, *out;

	if (!uri)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "resources/read "
				"needs params.uri, e.g. \"gumloop://flows\"");
	k = match(uri, &value);
	if (!k || !visible(k)) {
		free(value);
		return not_found(srv, err, uri, k ? "its tool is not available "
				 "in this server's configuration" : NULL);
	}
	args = read_args(k, value);
	free(value);
	result = call_tool(srv, k->tool, args, &why);
	cJSON_Delete(args);
	if (!result) {
		not_found(srv, err, uri, why);
		free(why);
		return NULL;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError")))
		return read_failed(srv, err, uri, result);
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "contents", contents_of(uri, result));
	cJSON_Delete(result);
	cache_hint(srv, out, k->ttl_ms);
	return out;
}

/* ---- completion ------------------------------------------------------- */

cJSON *resources_complete(struct server *srv, const char *uri_template,
			  const char *arg)
{
	cJSON *flows, *values;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (is_template(&kinds[i]) && visible(&kinds[i]) &&
		    !strcmp(kinds[i].uri, uri_template))
			break;
	if (i == ARRAY_SIZE(kinds))
		return NULL;
	if (strcmp(uri_template, FLOW_INPUTS_TEMPLATE) ||
	    strcmp(arg, "saved_item_id"))
		return cJSON_CreateArray();
	flows = resources_tool_json(srv, "list_all_gumloop_flows", NULL);
	values = resources_pluck(flows, "saved_item_id");
	cJSON_Delete(flows);
	return values;
}
