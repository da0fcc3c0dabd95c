/*
 * Gumloop's connector catalog: the MCP servers (Gmail, Slack, ...) a user
 * connected in Gumloop, their tools, resources and prompts, and custom
 * tool calls on the user's behalf. A batch of calls may partly succeed
 * (HTTP 207): the result is reported call by call, and a connector that is
 * not authenticated comes with the URL where the user connects it.
 */
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "tool.h"
#include "util.h"

#define MAX_TOOL_CALLS 5

/* ---- output schemas --------------------------------------------------- */

#define CONNECTION_PROPS \
	"\"status\":{\"type\":[\"string\",\"null\"]}," \
	"\"gumloop_auth_url\":{\"type\":[\"string\",\"null\"]}"

static const char servers_schema[] =
	"{\"type\":\"object\",\"properties\":{\"servers\":{\"type\":\"array\"}},"
	"\"required\":[\"servers\"]}";

static const char server_schema[] =
	"{\"type\":\"object\",\"properties\":{\"server\":{\"type\":\"object\"}},"
	"\"required\":[\"server\"]}";

static const char tools_schema[] =
	"{\"type\":\"object\",\"properties\":{\"tools\":{\"type\":\"array\"},"
	CONNECTION_PROPS "},\"required\":[\"tools\"]}";

static const char tool_call_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"summary\":{\"type\":\"string\"},"
	"\"succeeded\":{\"type\":\"integer\"},"
	"\"unauthenticated\":{\"type\":\"integer\"},"
	"\"failed\":{\"type\":\"integer\"},"
	"\"results\":{\"type\":\"array\"}},"
	"\"required\":[\"results\",\"summary\"]}";

static const char resources_schema[] =
	"{\"type\":\"object\",\"properties\":{\"resources\":{\"type\":\"array\"},"
	CONNECTION_PROPS "},"
	"\"required\":[\"resources\"]}";

static const char resource_schema[] =
	"{\"type\":\"object\",\"properties\":{\"contents\":{\"type\":\"array\"}},"
	"\"required\":[\"contents\"]}";

static const char prompts_schema[] =
	"{\"type\":\"object\",\"properties\":{\"prompts\":{\"type\":\"array\"},"
	CONNECTION_PROPS "},\"required\":[\"prompts\"]}";

static const char prompt_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"description\":{\"type\":[\"string\",\"null\"]},"
	"\"messages\":{\"type\":\"array\"}},"
	"\"required\":[\"messages\"]}";

/* ---- custom tool calls ------------------------------------------------ */

static const char *str_member(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Checks call i of the batch; -1 with the refusal set. */
static int check_one_call(struct tool_call *call, const cJSON *c, int i)
{
	static const char *const strings[] = { "server_id", "tool_name" };
	const cJSON *v;
	size_t k;

	if (!cJSON_IsObject(c))
		return tool_error(call, "invalid argument 'calls[%d]': expected "
				  "an object {server_id, tool_name, arguments}", i);
	for (k = 0; k < ARRAY_SIZE(strings); k++) {
		v = cJSON_GetObjectItemCaseSensitive(c, strings[k]);
		if (!cJSON_IsString(v) || !*v->valuestring)
			return tool_error(call, "invalid argument 'calls[%d]."
					  "%s': a non-empty string is required "
					  "(see list_all_gumloop_mcp_servers and "
					  "list_all_gumloop_mcp_tools)", i,
					  strings[k]);
	}
	v = cJSON_GetObjectItemCaseSensitive(c, "arguments");
	if (v && !cJSON_IsObject(v))
		return tool_error(call, "invalid argument 'calls[%d].arguments': "
				  "expected an object of the tool's arguments", i);
	v = cJSON_GetObjectItemCaseSensitive(c, "ref");
	if (v && !cJSON_IsString(v))
		return tool_error(call, "invalid argument 'calls[%d].ref': "
				  "expected a string", i);
	return 0;
}

/* Refuses a batch Gumloop would refuse, before anything is sent. */
static int check_calls(struct tool_call *call, const cJSON *calls)
{
	int n = cJSON_GetArraySize(calls), i = 0;
	const cJSON *c;

	call->refused = 1;
	if (n < 1 || n > MAX_TOOL_CALLS)
		return tool_error(call, "invalid argument 'calls': give 1 to %d "
				  "calls per request, not %d; split a longer "
				  "batch", MAX_TOOL_CALLS, n);
	cJSON_ArrayForEach(c, calls)
		if (check_one_call(call, c, i++) < 0)
			return -1;
	call->refused = 0;
	return 0;
}

/* The calls as Gumloop takes them: arguments default to {}. */
static cJSON *calls_body(const cJSON *calls)
{
	cJSON *list = cJSON_Duplicate(calls, 1), *c;

	cJSON_ArrayForEach(c, list)
		if (!cJSON_HasObjectItem(c, "arguments"))
			cJSON_AddObjectToObject(c, "arguments");
	return list;
}

/*
 * The auth URL of a server whose result did not carry one, read from the
 * server itself; NULL when it cannot be had (the call result stands).
 */
static char *server_auth_url(struct tool_call *call, const char *server_id)
{
	struct tool_call sub = *call;
	cJSON *args = cJSON_CreateObject(), *json;
	const char *team = tool_arg_str(call, "team_id");
	const cJSON *server;
	const char *url;
	char *out = NULL;

	cJSON_AddStringToObject(args, "server_id", server_id);
	if (team)
		cJSON_AddStringToObject(args, "team_id", team);
	sub.args = args;
	sub.structured = sub.content = NULL;
	sub.text = NULL;
	json = tool_get_json(&sub, "/mcp/servers/{server_id}", NULL);
	server = cJSON_GetObjectItemCaseSensitive(json, "server");
	url = str_member(server ? server : json, "gumloop_auth_url");
	if (url && *url)
		out = xstrdup(url);
	cJSON_Delete(json);
	cJSON_Delete(sub.structured);
	cJSON_Delete(sub.content);
	free(sub.text);
	cJSON_Delete(args);
	return out;
}

struct tally {
	int ok, unauthenticated, failed;
	struct buf text;
};

static const char *error_text(const cJSON *result)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(result, "error");
	const char *msg = str_member(err, "message");

	if (msg)
		return msg;
	return cJSON_IsString(err) ? err->valuestring : "no reason given";
}

/* Counts one result and describes it in the summary. */
static void tally_result(struct tool_call *call, cJSON *result, int i,
			 struct tally *t)
{
	const char *status = str_member(result, "status");
	const char *server = str_member(result, "server_id");
	const char *name = str_member(result, "tool_name");
	const char *url;
	char *looked_up = NULL;

	buf_addf(&t->text, "; call %d (%s/%s): ", i + 1, server ? server : "?",
		 name ? name : "?");
	if (status && !strcmp(status, "success")) {
		t->ok++;
		buf_addstr(&t->text, "success");
		return;
	}
	if (!status || strcmp(status, "unauthenticated")) {
		t->failed++;
		buf_addf(&t->text, "error: %s", error_text(result));
		return;
	}
	t->unauthenticated++;
	url = str_member(result, "gumloop_auth_url");
	if ((!url || !*url) && server) {
		url = looked_up = server_auth_url(call, server);
		if (looked_up) {
			cJSON_DeleteItemFromObjectCaseSensitive(result,
							"gumloop_auth_url");
			cJSON_AddStringToObject(result, "gumloop_auth_url",
						looked_up);
		}
	}
	if (url && *url)
		buf_addf(&t->text, "not connected: the user must connect %s "
			 "at %s, then retry", server ? server : "it", url);
	else
		buf_addf(&t->text, "not connected: the user must connect %s "
			 "in Gumloop, then retry", server ? server : "it");
	free(looked_up);
}

/* The results with counts and a summary sentence; takes json. */
static int report_calls(struct tool_call *call, cJSON *json)
{
	cJSON *results = cJSON_GetObjectItemCaseSensitive(json, "results");
	struct tally t = { 0, 0, 0, BUF_INIT };
	char *summary;
	cJSON *r;
	int i = 0, n = cJSON_GetArraySize(results);

	if (!cJSON_IsArray(results)) {
		cJSON_Delete(json);
		return tool_error(call, "%s failed: Gumloop's answer has no "
				  "results list", call->def->name);
	}
	cJSON_ArrayForEach(r, results)
		tally_result(call, r, i++, &t);
	summary = xasprintf("%d of %d call%s succeeded (HTTP %ld)%s", t.ok, n,
			    n == 1 ? "" : "s", call->status, t.text.data);
	buf_release(&t.text);
	cJSON_AddNumberToObject(json, "succeeded", t.ok);
	cJSON_AddNumberToObject(json, "unauthenticated", t.unauthenticated);
	cJSON_AddNumberToObject(json, "failed", t.failed);
	if (t.ok == 0) {
		/* every call failed: an error the model must act on */
		tool_error(call, "%s", summary);
		cJSON_AddItemToObject(call->structured, "results",
			cJSON_DetachItemViaPointer(json, results));
		free(summary);
		cJSON_Delete(json);
		return -1;
	}
	cJSON_AddStringToObject(json, "summary", summary);
	free(summary);
	return tool_ok(call, json);
}

static int call_mcp_tools(struct tool_call *call)
{
	const cJSON *calls = tool_arg(call, "calls");
	const char *team = tool_arg_str(call, "team_id");
	struct http_request req;
	cJSON *json = NULL;

	if (check_calls(call, calls) < 0)
		return -1;
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		cJSON_AddItemToObject(req.json, "calls", calls_body(calls));
		team = team ? team : cfg.team_id;
		if (team)	/* Gumloop reads the team from the body here */
			cJSON_AddStringToObject(req.json, "team_id", team);
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	return json ? report_calls(call, json) : -1;
}

/* ---- the table -------------------------------------------------------- */

#define SERVER_ID_PARAM \
	{ "server_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_mcp_servers", NULL }

static const struct param server_params[] = {
	SERVER_ID_PARAM,
	{ 0 }
};

/* Gumloop pages MCP resources by cursor alone: no page_size. */
static const struct param resources_params[] = {
	SERVER_ID_PARAM,
	{ "cursor", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ 0 }
};

static const struct param resource_params[] = {
	SERVER_ID_PARAM,
	{ "uri", P_STRING, IN_QUERY, REQUIRED,
	  "from list_all_gumloop_mcp_resources", NULL },
	{ 0 }
};

static const struct param prompt_params[] = {
	SERVER_ID_PARAM,
	{ "name", P_STRING, IN_BODY, REQUIRED,
	  "from list_all_gumloop_mcp_prompts", NULL },
	{ "arguments", P_OBJECT, IN_BODY, 0, NULL, NULL },
	{ 0 }
};

static const struct param call_params[] = {
	{ "calls", P_ARRAY, IN_LOCAL, REQUIRED,
	  "tool_name is the name, not tool_call_id; ref is echoed back",
	  "{\"type\":\"array\",\"minItems\":1,\"maxItems\":5,\"items\":{"
	  "\"type\":\"object\",\"properties\":{"
	  "\"server_id\":{\"type\":\"string\"},"
	  "\"tool_name\":{\"type\":\"string\"},"
	  "\"arguments\":{\"type\":\"object\"},"
	  "\"ref\":{\"type\":\"string\"}},"
	  "\"required\":[\"server_id\",\"tool_name\"]}}" },
	{ 0 }
};

const struct tool_def mcp_catalog_tools[] = {
	{ .name = "list_all_gumloop_mcp_servers",
	  .title = "List connected MCP servers",
	  .description = "List the connectors (MCP servers such as Gmail) "
		"and their status; one not connected has gumloop_auth_url.",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/mcp/servers",
	  .output_schema = servers_schema },
	{ .name = "get_single_gumloop_mcp_server_by_id",
	  .title = "Get an MCP server",
	  .description = "Get a connector: status, auth URL, allowed tools.",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/mcp/servers/{server_id}",
	  .params = server_params, .output_schema = server_schema },
	{ .name = "list_all_gumloop_mcp_tools",
	  .title = "List an MCP server's tools",
	  .description = "List a connector's tools with input schemas: call "
		"before create_a_gumloop_mcp_tool_call.",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/mcp/servers/{server_id}/tools",
	  .params = server_params, .output_schema = tools_schema },
	{ .name = "create_a_gumloop_mcp_tool_call",
	  .title = "Call connector tools",
	  .description = "Run 1 to 5 connector tools (e.g. Gmail send) for "
		"the user; each result is success, error or unauthenticated "
		"(+ gumloop_auth_url).",
	  .access = TOOL_CUSTOM, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/mcp/tools/call", .params = call_params,
	  .output_schema = tool_call_schema, .handler = call_mcp_tools },
	{ .name = "list_all_gumloop_mcp_resources",
	  .title = "List an MCP server's resources",
	  .description = "List a connector's resources (documents, "
		"records).",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/mcp/servers/{server_id}/resources",
	  .params = resources_params, .output_schema = resources_schema },
	{ .name = "get_single_gumloop_mcp_resource",
	  .title = "Read an MCP server's resource",
	  .description = "Read a connector's resource by uri (text or base64 "
		"blob).",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/mcp/servers/{server_id}/resources/read",
	  .params = resource_params, .output_schema = resource_schema },
	{ .name = "list_all_gumloop_mcp_prompts",
	  .title = "List an MCP server's prompts",
	  .description = "List a connector's prompt templates and their "
		"arguments.",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/mcp/servers/{server_id}/prompts",
	  .params = server_params, .output_schema = prompts_schema },
	{ .name = "get_single_gumloop_mcp_prompt",
	  .title = "Get an MCP server's prompt",
	  .description = "Render a connector's prompt with its arguments into "
		"messages.",
	  .access = TOOL_READ, .tag = "mcp", .scope = SCOPE_TEAM_BODY,
	  .method = "POST", .path = "/mcp/servers/{server_id}/prompts/get",
	  .params = prompt_params, .output_schema = prompt_schema },
	{ 0 }
};
