/*
 * Teams, models, chat completions (on the stream host), Brain search,
 * organization administration (audit logs, members, data exports) and
 * agent evaluations. All but the export download are plain table entries;
 * a finished export downloaded with download=true arrives as CSV text.
 */
#include <stdlib.h>
#include <string.h>
#include "download.h"
#include "http.h"
#include "tool.h"
#include "util.h"

/* ---- output schemas --------------------------------------------------- */

static const char teams_schema[] =
	"{\"type\":\"object\",\"properties\":{\"teams\":{\"type\":\"array\"}},"
	"\"required\":[\"teams\"]}";

static const char models_schema[] =
	"{\"type\":\"object\",\"properties\":{\"model_groups\":{\"type\":"
	"\"array\"}},\"required\":[\"model_groups\"]}";

static const char chat_schema[] =
	"{\"type\":\"object\",\"properties\":{\"model\":{\"type\":\"string\"},"
	"\"choices\":{\"type\":\"array\"},\"usage\":{\"type\":\"object\"}},"
	"\"required\":[\"choices\"]}";

static const char route_schema[] =
	"{\"type\":\"object\",\"properties\":{\"router\":{\"type\":"
	"\"string\"},\"route\":{\"type\":\"object\"}}}";

static const char brain_schema[] =
	"{\"type\":\"object\",\"properties\":{\"results\":{\"type\":\"array\"}},"
	"\"required\":[\"results\"]}";

static const char audit_schema[] =
	"{\"type\":\"object\",\"properties\":{\"audit_logs\":{\"type\":\"array\"},"
	"\"total_pages\":{\"type\":\"integer\"}},\"required\":[\"audit_logs\"]}";

static const char success_schema[] =
	"{\"type\":\"object\",\"properties\":{\"success\":{\"type\":\"boolean\"},"
	"\"message\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"success\"]}";

#define EXPORT_PROPS \
	"\"data_export_id\":{\"type\":\"string\"}," \
	"\"state\":{\"type\":\"string\"}"

static const char export_schema[] =
	"{\"type\":\"object\",\"properties\":{" EXPORT_PROPS "},"
	"\"required\":[\"data_export_id\"]}";

/* Either the export's state, or (downloaded) what the CSV text is. */
static const char export_status_schema[] =
	"{\"type\":\"object\",\"properties\":{" EXPORT_PROPS ","
	"\"file_name\":{\"type\":\"string\"},"
	"\"media_type\":{\"type\":\"string\"},"
	"\"size\":{\"type\":\"integer\"}}}";

static const char evaluations_schema[] =
	"{\"type\":\"object\",\"properties\":{\"evaluations\":{\"type\":"
	"\"array\"}},"
	"\"required\":[\"evaluations\"]}";

static const char evaluation_schema[] =
	"{\"type\":\"object\",\"properties\":{\"evaluation\":{\"type\":"
	"\"object\"}},\"required\":[\"evaluation\"]}";

static const char metrics_schema[] =
	"{\"type\":\"object\",\"properties\":{\"grades\":{\"type\":\"object\"},"
	"\"tags\":{\"type\":\"object\"}},\"required\":[\"grades\"]}";

static const char config_schema[] =
	"{\"type\":\"object\",\"properties\":{\"config\":{\"type\":\"object\"}},"
	"\"required\":[\"config\"]}";

/* ---- the export download ---------------------------------------------- */

static int is_csv(const char *content_type)
{
	return content_type && !strncmp(content_type, "text/csv", 8);
}

/* The CSV as a text item; structuredContent says what it is. */
static int csv_result(struct tool_call *call, const char *id,
		      const struct http_response *resp)
{
	char *name = xasprintf("%s.csv", id);
	char *uri = xasprintf("gumloop://exports/%s", id);
	int rc = download_result(call, uri, name, resp->content_type,
				 resp->body.data ? resp->body.data : "",
				 resp->body.len);

	free(name);
	free(uri);
	return rc;
}

static int export_status(struct tool_call *call)
{
	struct http_request req;
	struct http_response resp;
	cJSON *json;
	int rc = -1;

	http_request_init(&req, "GET");
	http_response_init(&resp);
	if (tool_build_request(call, NULL, NULL, &req) < 0 ||
	    tool_send(call, &req, &resp) < 0)
		goto out;
	if (is_csv(resp.content_type)) {
		rc = csv_result(call, tool_arg_str(call, "data_export_id"),
				&resp);
		goto out;
	}
	json = tool_response_json(call, &resp);
	if (json)
		rc = tool_ok(call, json);
out:
	http_request_release(&req);
	http_response_release(&resp);
	return rc;
}

/* ---- the table -------------------------------------------------------- */

static const struct param chat_params[] = {
	{ "model", P_STRING, IN_BODY, REQUIRED,
	  "from list_all_gumloop_models", NULL },
	{ "messages", P_ARRAY, IN_BODY, REQUIRED,
	  "[{role: system|user|assistant, content}]",
	  "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\","
	  "\"properties\":{\"role\":{\"type\":\"string\"},\"content\":{}},"
	  "\"required\":[\"role\",\"content\"]}}" },
	{ "temperature", P_NUMBER, IN_BODY, 0, NULL, NULL },
	{ "max_completion_tokens", P_INTEGER, IN_BODY, 0,
	  NULL,
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ "response_format", P_OBJECT, IN_BODY, 0,
	  "e.g. {\"type\": \"json_object\"}", NULL },
	{ "tools", P_ARRAY, IN_BODY, 0,
	  "function tools (OpenAI format)", NULL },
	{ "tool_choice", P_ANY, IN_BODY, 0,
	  "auto (default), none, required, or {type: function, function: "
	  "{name}}",
	  "{\"type\":[\"string\",\"object\"]}" },
	{ 0 }
};

static const struct param route_params[] = {
	{ "input", P_ANY, IN_BODY, REQUIRED,
	  "the message: text, or [{type: text, text}]",
	  "{\"type\":[\"string\",\"array\"]}" },
	{ "models", P_ARRAY, IN_BODY, 0, "candidate model ids",
	  "{\"type\":\"array\",\"maxItems\":50,"
	  "\"items\":{\"type\":\"string\"}}" },
	{ "history", P_ARRAY, IN_BODY, 0,
	  "earlier turns, oldest first",
	  "{\"type\":\"array\",\"maxItems\":20,\"items\":{\"type\":"
	  "\"object\"}}" },
	{ "agent", P_OBJECT, IN_BODY, 0, "{name, description, system_prompt}",
	  NULL },
	{ 0 }
};

static const struct param brain_params[] = {
	{ "query", P_STRING, IN_BODY, REQUIRED, "search text", NULL },
	{ "limit", P_INTEGER, IN_BODY, 0, "default 8",
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":50}" },
	{ "source_type", P_ARRAY, IN_BODY, 0, NULL,
	  "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":["
	  "\"notion\",\"google_drive\",\"slack\",\"github\",\"confluence\","
	  "\"direct_file_uploads\",\"gumloop_artifacts\"]}}" },
	{ 0 }
};

#define ORG_PARAM(where) \
	{ "organization_id", P_STRING, where, REQUIRED, \
	  "from list_all_gumloop_organizations", NULL }
#define ACTION_PARAM \
	{ "action", P_STRING, IN_BODY, REQUIRED, "add or remove", \
	  "{\"type\":\"string\",\"enum\":[\"add\",\"remove\"]}" }
#define EMAIL_PARAM \
	{ "user_email", P_STRING, IN_BODY, REQUIRED, \
	  "the member's email", NULL }

static const struct param audit_params[] = {
	ORG_PARAM(IN_QUERY),
	{ "start_time", P_STRING, IN_QUERY, REQUIRED,
	  "ISO 8601", NULL },
	{ "end_time", P_STRING, IN_QUERY, REQUIRED,
	  "ISO 8601", NULL },
	{ "page", P_INTEGER, IN_QUERY, 0, "default 1",
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ "page_size", P_INTEGER, IN_QUERY, 0, "default 50",
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ "event_types", P_STRING, IN_QUERY, 0,
	  "this and the *_ids filters: comma-separated", NULL },
	{ "user_ids", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "ip_addresses", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "workspace_ids", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "entity_ids", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ 0 }
};

static const struct param workspace_params[] = {
	ORG_PARAM(IN_BODY),
	{ "workspace_id", P_STRING, IN_BODY, REQUIRED, "the workspace's id",
	  NULL },
	ACTION_PARAM,
	EMAIL_PARAM,
	{ "is_admin", P_BOOLEAN, IN_BODY, 0,
	  "as workspace admin (add only)", NULL },
	{ 0 }
};

static const struct param group_params[] = {
	ORG_PARAM(IN_BODY),
	{ "group_id", P_STRING, IN_BODY, REQUIRED,
	  "the custom role", NULL },
	ACTION_PARAM,
	EMAIL_PARAM,
	{ 0 }
};

#define STRING_LIST "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"

static const struct param export_params[] = {
	{ "export_fields", P_ARRAY, IN_BODY, REQUIRED,
	  "columns", "{\"type\":\"array\",\"minItems\":1,"
	  "\"items\":{\"type\":\"string\"}}" },
	{ "start_date", P_STRING, IN_BODY, REQUIRED,
	  "date-time, e.g. 2025-01-01T00:00:00Z", NULL },
	{ "end_date", P_STRING, IN_BODY, REQUIRED, "date-time", NULL },
	{ "data_type", P_STRING, IN_BODY, 0, "default workflows",
	  "{\"type\":\"string\",\"enum\":[\"workflows\",\"agents\","
	  "\"agent_interactions\",\"credit_logs\",\"interaction_evaluations\","
	  "\"gumstack\"]}" },
	{ "category_filter", P_STRING, IN_BODY, 0,
	  NULL, NULL },
	{ "export_level", P_STRING, IN_BODY, 0,
	  "default organization",
	  "{\"type\":\"string\",\"enum\":[\"organization\",\"workspace\"]}" },
	{ "include_all_workspaces", P_BOOLEAN, IN_BODY, 0,
	  NULL, NULL },
	{ "include_personal_workspaces", P_BOOLEAN, IN_BODY, 0,
	  NULL, NULL },
	{ "workspace_ids", P_ARRAY, IN_BODY, 0, NULL,
	  STRING_LIST },
	{ "entity_ids", P_ARRAY, IN_BODY, 0, "flow or agent ids",
	  STRING_LIST },
	{ 0 }
};

static const struct param export_status_params[] = {
	{ "data_export_id", P_STRING, IN_QUERY, REQUIRED,
	  "from create_a_gumloop_data_export", NULL },
	{ "download", P_BOOLEAN, IN_QUERY, 0, "return the CSV once COMPLETED",
	  NULL },
	{ 0 }
};

#define AGENT_PARAM \
	{ "agent_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_agents", NULL }

static const struct param agent_params[] = {
	AGENT_PARAM,
	{ 0 }
};

static const struct param evaluations_params[] = {
	AGENT_PARAM,
	{ "grade", P_STRING, IN_QUERY, 0, NULL,
	  "{\"type\":\"string\",\"enum\":[\"pass\",\"needs_review\","
	  "\"needs_attention\"]}" },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param evaluation_params[] = {
	AGENT_PARAM,
	{ "evaluation_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agent_evaluations", NULL },
	{ 0 }
};

static const struct param metrics_params[] = {
	AGENT_PARAM,
	{ "days", P_INTEGER, IN_QUERY, 0, "default 30",
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":365}" },
	{ 0 }
};

static const struct param config_params[] = {
	AGENT_PARAM,
	{ "enabled", P_BOOLEAN, IN_BODY, 0, NULL, NULL },
	{ "model_name", P_STRING, IN_BODY, 0, NULL, NULL },
	{ "include_auto_tags", P_BOOLEAN, IN_BODY, 0,
	  "grader adds its own tags", NULL },
	{ "criteria", P_ARRAY, IN_BODY, 0,
	  "[{name, prompt, type, priority}]",
	  "{\"type\":\"array\",\"maxItems\":30,\"items\":{\"type\":\"object\"}}" },
	{ "tags", P_ARRAY, IN_BODY, 0, "[{name, description}]",
	  "{\"type\":\"array\",\"maxItems\":50,\"items\":{\"type\":\"object\"}}" },
	{ "data_points", P_ARRAY, IN_BODY, 0,
	  "[{name, data_type, description}]",
	  "{\"type\":\"array\",\"maxItems\":40,\"items\":{\"type\":\"object\"}}" },
	{ "sentiment", P_OBJECT, IN_BODY, 0,
	  "{enabled, affects_grade, description}", NULL },
	{ 0 }
};

const struct tool_def admin_tools[] = {
	{ .name = "list_all_gumloop_teams", .title = "List teams",
	  .description = "List the teams the credentials can use: ids to pass "
		"as team_id.",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/teams", .output_schema = teams_schema },
	{ .name = "list_all_gumloop_models", .title = "List models",
	  .description = "List the AI models Gumloop offers, by provider "
		"(for chat completions and agents).",
	  .access = TOOL_READ, .tag = "models", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/models", .output_schema = models_schema },
	{ .name = "create_a_gumloop_chat_completion",
	  .title = "Chat completion",
	  .description = "One reply from a model to a conversation "
		"(OpenAI-style, billed to Gumloop).",
	  .access = TOOL_WRITE, .tag = "models",
	  .method = "POST", .path = "/chat/completions", .params = chat_params,
	  .output_schema = chat_schema, .flags = T_STREAM_HOST },
	{ .name = "create_a_gumloop_model_route", .title = "Route to a model",
	  .description = "Ask Gumloop's router which model it would pick "
		"for a message, and why; runs none. Spends credits.",
	  .access = TOOL_WRITE, .tag = "models", .scope = SCOPE_TEAM_BODY,
	  .method = "POST", .path = "/models/route", .params = route_params,
	  .output_schema = route_schema },
	{ .name = "create_a_gumloop_brain_search", .title = "Search Brain",
	  .description = "Search the team's knowledge indexed by Gumloop "
		"Brain (Notion, Drive, Slack, ...). Spends credits.",
	  .access = TOOL_WRITE, .tag = "brain", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/brain/search", .params = brain_params,
	  .output_schema = brain_schema },
	{ .name = "list_all_gumloop_audit_logs", .title = "List audit logs",
	  .description = "List an organization's audit log entries in a "
		"period (org admin only).",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_USER,
	  .method = "GET", .path = "/get_audit_logs", .params = audit_params,
	  .output_schema = audit_schema },
	{ .name = "update_gumloop_workspace_users",
	  .title = "Add or remove a workspace member",
	  .description = "Add a user (by email) to a workspace or remove one "
		"(org admin only).",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_USER,
	  .method = "POST", .path = "/manage_workspace_users",
	  .params = workspace_params, .output_schema = success_schema,
	  .flags = T_IDEMPOTENT },
	{ .name = "update_gumloop_permission_group_users",
	  .title = "Add or remove a permission group member",
	  .description = "Give a user (by email) a custom role or take it "
		"away (org admin only).",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_USER,
	  .method = "POST", .path = "/manage_permission_group_users",
	  .params = group_params, .output_schema = success_schema,
	  .flags = T_IDEMPOTENT },
	{ .name = "create_a_gumloop_data_export", .title = "Request a data export",
	  .description = "Request a CSV export of organization data for a "
		"period; then get_single_gumloop_data_export_by_id.",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_USER,
	  .method = "POST", .path = "/export_data", .params = export_params,
	  .output_schema = export_schema },
	{ .name = "get_single_gumloop_data_export_by_id",
	  .title = "Get a data export",
	  .description = "Get a data export's state (REQUESTED, IN_PROGRESS, "
		"COMPLETED, FAILED), or its CSV.",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_USER,
	  .method = "GET", .path = "/export_status",
	  .params = export_status_params, .output_schema = export_status_schema,
	  .handler = export_status },
	{ .name = "list_all_gumloop_agent_evaluations",
	  .title = "List agent evaluations",
	  .description = "List the graded evaluations of an agent's "
		"conversations, newest first.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/evaluations",
	  .params = evaluations_params, .output_schema = evaluations_schema },
	{ .name = "get_single_gumloop_agent_evaluation_by_id",
	  .title = "Get an agent evaluation",
	  .description = "Get an evaluation: grade, summary, criteria, data "
		"points, tags.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET",
	  .path = "/agents/{agent_id}/evaluations/{evaluation_id}",
	  .params = evaluation_params, .output_schema = evaluation_schema },
	{ .name = "get_gumloop_agent_evaluation_metrics",
	  .title = "Get agent evaluation metrics",
	  .description = "Count an agent's evaluations by grade and tag.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/evaluations/metrics",
	  .params = metrics_params, .output_schema = metrics_schema },
	{ .name = "get_gumloop_agent_evaluation_config",
	  .title = "Get an agent's evaluation config",
	  .description = "Get how an agent's conversations are evaluated.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/evaluation-config",
	  .params = agent_params, .output_schema = config_schema },
	{ .name = "update_gumloop_agent_evaluation_config",
	  .title = "Update an agent's evaluation config",
	  .description = "Change how an agent's conversations are evaluated; "
		"lists given replace the old ones.",
	  .access = TOOL_WRITE, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "PATCH", .path = "/agents/{agent_id}/evaluation-config",
	  .params = config_params, .output_schema = config_schema,
	  .flags = T_IDEMPOTENT },
	{ 0 }
};
