/*
 * mcp_catalog.c: Gumloop's connector catalog (gumloop-api.md 2.8).  Three
 * seeded servers: gmail (connected: two tools, five resources, one
 * prompt), slack (unauthenticated: lists nothing, points at its auth URL)
 * and crm (a custom MCP server whose use is restricted: 403).  Tool calls
 * run per call; a batch with mixed outcomes answers 207.
 *
 * Knob (POST /_fake/config): omit_auth_url (bool) leaves gumloop_auth_url
 * out of unauthenticated call results, as an older API might.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define MAX_CALLS 5
#define AUTH_URL_BASE "https://www.gumloop.com/connect/"

struct mcp_tool {
	const char *name;
	const char *description;
	const char *schema;	/* input_schema as JSON text */
	const char *required;	/* an argument the call needs, or NULL */
};

struct mcp_resource {
	const char *uri;
	const char *name;
	const char *mime_type;
	const char *text;	/* or NULL: blob below */
	const char *blob;	/* base64 */
};

struct mcp_server {
	const char *id;
	const char *name;
	const char *type;
	const char *status;
	const char *description;
	const struct mcp_tool *tools;		/* NULL-name terminated */
	const struct mcp_resource *resources;	/* NULL-uri terminated */
	int restricted;
};

static const struct mcp_tool gmail_tools[] = {
	{ "send_email", "Send an email from the user's Gmail account",
	  "{\"type\":\"object\",\"properties\":{\"to\":{\"type\":\"string\"},"
	  "\"subject\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"}},"
	  "\"required\":[\"to\"]}", "to" },
	{ "search_emails", "Search the user's mailbox",
	  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}}}",
	  NULL },
	{ 0 }
};

static const struct mcp_tool crm_tools[] = {
	{ "lookup_customer", "Find a customer by email", "{}", "email" },
	{ 0 }
};

static const struct mcp_tool no_tools[] = { { 0 } };

static const struct mcp_resource gmail_resources[] = {
	{ "gmail://labels/INBOX", "Inbox", "text/plain",
	  "12 messages, 3 unread", NULL },
	{ "gmail://labels/SENT", "Sent", "text/plain", "40 messages", NULL },
	{ "gmail://labels/DRAFTS", "Drafts", "text/plain", "2 drafts", NULL },
	{ "gmail://labels/SPAM", "Spam", "text/plain", "0 messages", NULL },
	{ "gmail://attachments/logo.png", "logo.png", "image/png", NULL,
	  "iVBORw0KGgo=" },
	{ 0 }
};

static const struct mcp_resource no_resources[] = { { 0 } };

static const struct mcp_server servers[] = {
	{ "gmail", "Gmail", "gumcp_server", "connected",
	  "Read and send email", gmail_tools, gmail_resources, 0 },
	{ "slack", "Slack", "gumcp_server", "unauthenticated",
	  "Post and read messages", no_tools, no_resources, 0 },
	{ "crm", "Internal CRM", "mcp_server", "connected",
	  "The sales team's customer records", crm_tools, no_resources, 1 },
	{ 0 }
};

static int omit_auth_url;

static int connected(const struct mcp_server *s)
{
	return !strcmp(s->status, "connected");
}

static char *auth_url(const struct mcp_server *s)
{
	size_t n = strlen(AUTH_URL_BASE) + strlen(s->id) + 1;
	char *url = fake_xmalloc(n);

	snprintf(url, n, "%s%s", AUTH_URL_BASE, s->id);
	return url;
}

static void add_auth_url(cJSON *obj, const struct mcp_server *s)
{
	char *url = auth_url(s);

	cJSON_AddStringToObject(obj, "gumloop_auth_url", url);
	free(url);
}

static const struct mcp_server *find_server(const char *id)
{
	const struct mcp_server *s;

	for (s = servers; id && s->id; s++)
		if (!strcmp(s->id, id))
			return s;
	return NULL;
}

static const struct mcp_tool *find_tool(const struct mcp_server *s,
					const char *name)
{
	const struct mcp_tool *t;

	for (t = s->tools; name && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static size_t count_tools(const struct mcp_server *s)
{
	size_t n = 0;

	while (s->tools[n].name)
		n++;
	return n;
}

static cJSON *server_object(const struct mcp_server *s)
{
	cJSON *obj = cJSON_CreateObject();

	cJSON_AddStringToObject(obj, "server_id", s->id);
	cJSON_AddStringToObject(obj, "name", s->name);
	cJSON_AddStringToObject(obj, "type", s->type);
	cJSON_AddStringToObject(obj, "status", s->status);
	cJSON_AddNullToObject(obj, "icon_url");
	cJSON_AddStringToObject(obj, "description", s->description);
	add_auth_url(obj, s);
	if (!strcmp(s->type, "mcp_server"))
		cJSON_AddStringToObject(obj, "mcp_url",
					"https://crm.example.com/mcp");
	cJSON_AddNumberToObject(obj, "tool_count", (double)count_tools(s));
	return obj;
}

/* The server named in the path, or NULL after answering 404 / 403. */
static const struct mcp_server *server_or_error(struct fake_req *req,
						struct fake_resp *resp)
{
	const struct mcp_server *s = find_server(fake_param(req, "server_id"));

	if (!s) {
		fake_error_new(resp, 404, "mcp_server_not_found",
			       "MCP server not found", "not_found_error");
		return NULL;
	}
	if (s->restricted && strcmp(req->method, "GET")) {
		fake_error_new(resp, 403, "mcp_server_restricted",
			       "this MCP server is restricted by an admin",
			       "permission_error");
		return NULL;
	}
	return s;
}

/* {server_id, status, gumloop_auth_url} of a per-server listing. */
static cJSON *listing(const struct mcp_server *s)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "server_id", s->id);
	cJSON_AddStringToObject(root, "status", s->status);
	add_auth_url(root, s);
	return root;
}

static void list_servers(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "servers");
	const struct mcp_server *s;

	(void)req;
	for (s = servers; s->id; s++)
		cJSON_AddItemToArray(list, server_object(s));
	fake_json(resp, 200, root);
}

static void get_server(struct fake_req *req, struct fake_resp *resp)
{
	const struct mcp_server *s = server_or_error(req, resp);
	cJSON *root, *server, *ids;
	const struct mcp_tool *t;
	char id[128];

	if (!s)
		return;
	root = cJSON_CreateObject();
	server = server_object(s);
	cJSON_AddItemToObject(root, "server", server);
	ids = cJSON_AddArrayToObject(server, "allowed_tool_call_ids");
	for (t = s->tools; t->name && !s->restricted; t++) {
		snprintf(id, sizeof(id), "%s__%s", s->id, t->name);
		cJSON_AddItemToArray(ids, cJSON_CreateString(id));
	}
	fake_json(resp, 200, root);
}

static void list_tools(struct fake_req *req, struct fake_resp *resp)
{
	const struct mcp_server *s = server_or_error(req, resp);
	cJSON *root, *list, *obj;
	const struct mcp_tool *t;
	char id[128];

	if (!s)
		return;
	root = listing(s);
	list = cJSON_AddArrayToObject(root, "tools");
	for (t = s->tools; t->name && connected(s); t++) {
		obj = cJSON_CreateObject();
		cJSON_AddItemToArray(list, obj);
		snprintf(id, sizeof(id), "%s__%s", s->id, t->name);
		cJSON_AddStringToObject(obj, "tool_call_id", id);
		cJSON_AddStringToObject(obj, "name", t->name);
		cJSON_AddStringToObject(obj, "description", t->description);
		cJSON_AddItemToObject(obj, "input_schema", cJSON_Parse(t->schema));
		cJSON_AddStringToObject(obj, "server_id", s->id);
		cJSON_AddStringToObject(obj, "server_type", s->type);
		cJSON_AddStringToObject(obj, "server", s->name);
	}
	fake_json(resp, 200, root);
}

/* ---- tool calls ------------------------------------------------------- */

static void call_error(cJSON *result, const char *code, const char *msg,
		       const char *type)
{
	cJSON *err = cJSON_AddObjectToObject(result, "error");

	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	cJSON_AddStringToObject(err, "type", type);
	cJSON_AddNullToObject(err, "param");
	cJSON_AddObjectToObject(err, "details");
}

static void call_success(cJSON *result, const struct mcp_tool *t,
			 const cJSON *args)
{
	cJSON *content = cJSON_AddArrayToObject(result, "content");
	cJSON *item = cJSON_CreateObject();
	char *printed = cJSON_PrintUnformatted(args);
	size_t n = strlen(t->name) + strlen(printed) + 16;
	char *text = fake_xmalloc(n);

	snprintf(text, n, "%s done: %s", t->name, printed);
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text);
	cJSON_AddItemToArray(content, item);
	cJSON_AddNullToObject(result, "error");
	free(text);
	cJSON_free(printed);
}

/* Runs one call; returns 1 when it succeeded. */
static int run_call(const cJSON *c, int index, cJSON *result)
{
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(c, "server_id");
	const cJSON *tname = cJSON_GetObjectItemCaseSensitive(c, "tool_name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(c, "arguments");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(c, "ref");
	const struct mcp_server *s = find_server(cJSON_GetStringValue(sid));
	const struct mcp_tool *t = s ? find_tool(s, cJSON_GetStringValue(tname))
				     : NULL;
	const char *status = "error";

	cJSON_AddItemToObject(result, "ref", ref ? cJSON_Duplicate(ref, 1)
						 : cJSON_CreateNumber(index));
	cJSON_AddItemToObject(result, "server_id", sid ? cJSON_Duplicate(sid, 1)
							: cJSON_CreateNull());
	cJSON_AddItemToObject(result, "tool_name", tname ?
			      cJSON_Duplicate(tname, 1) : cJSON_CreateNull());
	if (!s) {
		call_error(result, "mcp_server_not_found", "MCP server not found",
			   "not_found_error");
	} else if (!connected(s)) {
		status = "unauthenticated";
		call_error(result, "auth_required", "connect this service in "
			   "Gumloop first", "permission_error");
		if (!omit_auth_url)
			add_auth_url(result, s);
	} else if (s->restricted) {
		call_error(result, "mcp_server_restricted", "this MCP server is "
			   "restricted by an admin", "permission_error");
	} else if (!t) {
		call_error(result, "tool_not_found", "no such tool on this "
			   "server", "not_found_error");
	} else if (t->required && !cJSON_HasObjectItem(args, t->required)) {
		call_error(result, "invalid_arguments", "a required argument "
			   "is missing", "invalid_request_error");
	} else {
		status = "success";
		call_success(result, t, args);
	}
	cJSON_AddStringToObject(result, "status", status);
	return !strcmp(status, "success");
}

static void call_tools(struct fake_req *req, struct fake_resp *resp)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(req->json, "calls");
	int n = cJSON_GetArraySize(calls), ok = 0, i = 0;
	cJSON *root, *results;
	const cJSON *c;

	if (!cJSON_IsArray(calls) || n < 1 || n > MAX_CALLS) {
		fake_error_new(resp, 400, "invalid_request", "calls must hold "
			       "1 to 5 tool calls", "invalid_request_error");
		return;
	}
	root = cJSON_CreateObject();
	results = cJSON_AddArrayToObject(root, "results");
	cJSON_ArrayForEach(c, calls) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddItemToArray(results, r);
		ok += run_call(c, i++, r);
	}
	fake_json(resp, ok == 0 || ok == n ? 200 : 207, root);
}

/* ---- resources and prompts -------------------------------------------- */

#define RESOURCES_PAGE 2

static void list_resources(struct fake_req *req, struct fake_resp *resp)
{
	const struct mcp_server *s = server_or_error(req, resp);
	size_t n = 0, start, end, i;
	cJSON *root, *list;

	if (!s)
		return;
	while (connected(s) && s->resources[n].uri)
		n++;
	root = listing(s);
	/* Gumloop picks the page size (there is no page_size); the fake's is
	 * small so that a cursor shows */
	if (fake_page(req, resp, n, RESOURCES_PAGE, root, &start, &end) < 0) {
		cJSON_Delete(root);
		return;
	}
	list = cJSON_AddArrayToObject(root, "resources");
	for (i = start; i < end; i++) {
		const struct mcp_resource *r = &s->resources[i];
		cJSON *obj = cJSON_CreateObject();

		cJSON_AddItemToArray(list, obj);
		cJSON_AddStringToObject(obj, "uri", r->uri);
		cJSON_AddStringToObject(obj, "name", r->name);
		cJSON_AddStringToObject(obj, "mime_type", r->mime_type);
		cJSON_AddStringToObject(obj, "server_id", s->id);
	}
	fake_json(resp, 200, root);
}

static void read_resource(struct fake_req *req, struct fake_resp *resp)
{
	const struct mcp_server *s = server_or_error(req, resp);
	const char *uri = fake_query(req, "uri");
	const struct mcp_resource *r;
	cJSON *root, *item;

	if (!s)
		return;
	if (!uri) {
		fake_error_new(resp, 400, "invalid_request", "uri is required",
			       "invalid_request_error");
		return;
	}
	for (r = s->resources; r->uri && strcmp(r->uri, uri); r++)
		;
	if (!r->uri || !connected(s)) {
		fake_error_new(resp, 404, "resource_not_found",
			       "no such resource", "not_found_error");
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "server_id", s->id);
	cJSON_AddStringToObject(root, "uri", r->uri);
	item = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "contents"), item);
	cJSON_AddStringToObject(item, "uri", r->uri);
	cJSON_AddStringToObject(item, "mime_type", r->mime_type);
	cJSON_AddStringToObject(item, r->text ? "text" : "blob",
				r->text ? r->text : r->blob);
	fake_json(resp, 200, root);
}

static cJSON *prompt_argument(const char *name, const char *desc, int req)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "name", name);
	cJSON_AddStringToObject(a, "description", desc);
	cJSON_AddBoolToObject(a, "required", req);
	return a;
}

static void list_prompts(struct fake_req *req, struct fake_resp *resp)
{
	const struct mcp_server *s = server_or_error(req, resp);
	cJSON *root, *list, *p, *args;

	if (!s)
		return;
	root = listing(s);
	list = cJSON_AddArrayToObject(root, "prompts");
	if (strcmp(s->id, "gmail")) {
		fake_json(resp, 200, root);
		return;
	}
	p = cJSON_CreateObject();
	cJSON_AddItemToArray(list, p);
	cJSON_AddStringToObject(p, "name", "draft_reply");
	cJSON_AddStringToObject(p, "description", "Draft a reply to a thread");
	args = cJSON_AddArrayToObject(p, "arguments");
	cJSON_AddItemToArray(args, prompt_argument("thread_id",
						   "the thread to answer", 1));
	cJSON_AddItemToArray(args, prompt_argument("tone", "e.g. friendly", 0));
	cJSON_AddStringToObject(p, "server_id", s->id);
	fake_json(resp, 200, root);
}

static void team_prompt(struct fake_req *req, struct fake_resp *resp,
			const struct mcp_server *s)
{
	const char *team = fake_body_str(req, "team_id");
	cJSON *root, *msg, *content;

	if (!team || strcmp(team, "team_growth")) {
		fake_error_new(resp, 404, "prompt_not_found", "no such prompt",
			       "not_found_error");
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "server_id", s->id);
	cJSON_AddStringToObject(root, "name", "team_digest");
	cJSON_AddStringToObject(root, "description", "The growth team's "
				"weekly digest");
	msg = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "messages"), msg);
	cJSON_AddStringToObject(msg, "role", "user");
	content = cJSON_AddObjectToObject(msg, "content");
	cJSON_AddStringToObject(content, "type", "text");
	cJSON_AddStringToObject(content, "text", "Summarize this week's "
				"growth team threads.");
	fake_json(resp, 200, root);
}

static void get_prompt(struct fake_req *req, struct fake_resp *resp)
{
	const struct mcp_server *s = server_or_error(req, resp);
	const char *name = fake_body_str(req, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(req->json,
							     "arguments");
	const char *thread = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(args, "thread_id"));
	cJSON *root, *msg, *content;
	char text[256];

	if (!s)
		return;
	/* a team's prompt, looked up in the team named in the body: Gumloop
	 * reads team_id there, and the query's does not reach it */
	if (name && !strcmp(s->id, "gmail") && !strcmp(name, "team_digest")) {
		team_prompt(req, resp, s);
		return;
	}
	if (!name || strcmp(s->id, "gmail") || strcmp(name, "draft_reply")) {
		fake_error_new(resp, 404, "prompt_not_found", "no such prompt",
			       "not_found_error");
		return;
	}
	if (!thread) {
		fake_error_new(resp, 400, "invalid_request", "argument thread_id "
			       "is required", "invalid_request_error");
		return;
	}
	snprintf(text, sizeof(text), "Draft a reply to thread %s.", thread);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "server_id", s->id);
	cJSON_AddStringToObject(root, "name", name);
	cJSON_AddStringToObject(root, "description", "Draft a reply to a thread");
	msg = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "messages"), msg);
	cJSON_AddStringToObject(msg, "role", "user");
	content = cJSON_AddObjectToObject(msg, "content");
	cJSON_AddStringToObject(content, "type", "text");
	cJSON_AddStringToObject(content, "text", text);
	fake_json(resp, 200, root);
}

static void mcp_reset(void)
{
	omit_auth_url = 0;
}

static int mcp_config(const cJSON *in, cJSON *out, const char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "omit_auth_url");

	if (v && !cJSON_IsBool(v)) {
		*cause = "omit_auth_url must be a boolean";
		return -1;
	}
	if (v)
		omit_auth_url = cJSON_IsTrue(v);
	cJSON_AddBoolToObject(out, "omit_auth_url", omit_auth_url);
	return 0;
}

static const struct fake_route mcp_routes[] = {
	{ .method = "GET", .pattern = "/mcp/servers", .handle = list_servers },
	{ .method = "GET", .pattern = "/mcp/servers/{server_id}",
	  .handle = get_server },
	{ .method = "GET", .pattern = "/mcp/servers/{server_id}/tools",
	  .handle = list_tools },
	{ .method = "POST", .pattern = "/mcp/tools/call", .handle = call_tools },
	{ .method = "GET", .pattern = "/mcp/servers/{server_id}/resources",
	  .handle = list_resources },
	{ .method = "GET", .pattern = "/mcp/servers/{server_id}/resources/read",
	  .handle = read_resource },
	{ .method = "GET", .pattern = "/mcp/servers/{server_id}/prompts",
	  .handle = list_prompts },
	{ .method = "POST", .pattern = "/mcp/servers/{server_id}/prompts/get",
	  .handle = get_prompt },
	{ 0 }
};

const struct fake_area fake_mcp_catalog_area = {
	.name = "mcp_catalog",
	.routes = mcp_routes,
	.reset = mcp_reset,
	.config = mcp_config,
};
