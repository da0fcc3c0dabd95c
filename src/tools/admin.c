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
	"{\"type\":\"object\",\"properties\":{\"teams\":{\"type\":\"array\","
	"\"items\":{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}}}}},"
	"\"required\":[\"teams\"]}";

static const char models_schema[] =
	"{\"type\":\"object\",\"properties\":{\"model_groups\":{\"type\":"
	"\"array\",\"items\":{\"type\":\"object\"}}},"
	"\"required\":[\"model_groups\"]}";

static const char chat_schema[] =
	"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
	"\"object\":{\"type\":\"string\"},\"model\":{\"type\":\"string\"},"
	"\"choices\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	"\"properties\":{\"index\":{\"type\":\"integer\"},"
	"\"finish_reason\":{\"type\":[\"string\",\"null\"]},"
	"\"message\":{\"type\":\"object\",\"properties\":{"
	"\"role\":{\"type\":\"string\"},"
	"\"content\":{\"type\":[\"string\",\"null\"]}}}}}},"
	"\"usage\":{\"type\":\"object\"}},\"required\":[\"choices\"]}";

static const char brain_schema[] =
	"{\"type\":\"object\",\"properties\":{\"results\":{\"type\":\"array\","
	"\"items\":{\"type\":\"object\",\"properties\":{"
	"\"document_id\":{\"type\":\"string\"},\"source\":{\"type\":\"string\"},"
	"\"title\":{\"type\":[\"string\",\"null\"]},"
	"\"content\":{\"type\":[\"string\",\"null\"]},"
	"\"url\":{\"type\":[\"string\",\"null\"]},"
	"\"score\":{\"type\":\"number\"}}}}},\"required\":[\"results\"]}";

static const char audit_schema[] =
	"{\"type\":\"object\",\"properties\":{\"audit_logs\":{\"type\":\"array\","
	"\"items\":{\"type\":\"object\",\"properties\":{"
	"\"event_id\":{\"type\":\"string\"},\"timestamp\":{\"type\":\"string\"},"
	"\"event_type\":{\"type\":\"string\"},"
	"\"user_id\":{\"type\":[\"string\",\"null\"]}}}},"
	"\"total_count\":{\"type\":\"integer\"},\"page\":{\"type\":\"integer\"},"
	"\"page_size\":{\"type\":\"integer\"},"
	"\"total_pages\":{\"type\":\"integer\"}},\"required\":[\"audit_logs\"]}";

static const char success_schema[] =
	"{\"type\":\"object\",\"properties\":{\"success\":{\"type\":\"boolean\"},"
	"\"message\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"success\"]}";

#define EXPORT_PROPS \
	"\"data_export_id\":{\"type\":\"string\"}," \
	"\"state\":{\"type\":\"string\",\"description\":\"REQUESTED, " \
	"IN_PROGRESS, COMPLETED or FAILED\"}," \
	"\"created_ts\":{\"type\":[\"string\",\"null\"]}"

static const char export_schema[] =
	"{\"type\":\"object\",\"properties\":{\"success\":{\"type\":\"boolean\"},"
	EXPORT_PROPS "},\"required\":[\"data_export_id\"]}";

/* Either the export's state, or (downloaded) what the CSV text is. */
static const char export_status_schema[] =
	"{\"type\":\"object\",\"properties\":{" EXPORT_PROPS ","
	"\"finished_ts\":{\"type\":[\"string\",\"null\"]},"
	"\"file_name\":{\"type\":\"string\"},"
	"\"media_type\":{\"type\":\"string\"},"
	"\"size\":{\"type\":\"integer\"}}}";

#define EVALUATION_SCHEMA \
	"{\"type\":\"object\",\"properties\":{" \
	"\"evaluation_id\":{\"type\":\"string\"}," \
	"\"interaction_id\":{\"type\":[\"string\",\"null\"]}," \
	"\"status\":{\"type\":\"string\"}," \
	"\"grade\":{\"type\":[\"string\",\"null\"]}," \
	"\"summary\":{\"type\":[\"string\",\"null\"]}}}"

static const char evaluations_schema[] =
	"{\"type\":\"object\",\"properties\":{\"evaluations\":{\"type\":"
	"\"array\",\"items\":" EVALUATION_SCHEMA "},"
	"\"next_cursor\":{\"type\":[\"string\",\"null\"]}},"
	"\"required\":[\"evaluations\"]}";

static const char evaluation_schema[] =
	"{\"type\":\"object\",\"properties\":{\"evaluation\":" EVALUATION_SCHEMA
	"},\"required\":[\"evaluation\"]}";

static const char metrics_schema[] =
	"{\"type\":\"object\",\"properties\":{\"grades\":{\"type\":\"object\","
	"\"properties\":{\"pass\":{\"type\":\"integer\"},"
	"\"needs_review\":{\"type\":\"integer\"},"
	"\"needs_attention\":{\"type\":\"integer\"}}},"
	"\"tags\":{\"type\":\"object\"}},\"required\":[\"grades\"]}";

static const char config_schema[] =
	"{\"type\":\"object\",\"properties\":{\"config\":{\"type\":\"object\","
	"\"properties\":{\"agent_id\":{\"type\":\"string\"},"
	"\"enabled\":{\"type\":\"boolean\"},"
	"\"model_name\":{\"type\":[\"string\",\"null\"]},"
	"\"criteria\":{\"type\":\"array\"},\"tags\":{\"type\":\"array\"}}}},"
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
	  "the model's name (from list_all_gumloop_models)", NULL },
	{ "messages", P_ARRAY, IN_BODY, REQUIRED,
	  "the conversation: [{role: system|user|assistant, content}]",
	  "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\","
	  "\"properties\":{\"role\":{\"type\":\"string\"},\"content\":{}},"
	  "\"required\":[\"role\",\"content\"]}}" },
	{ "temperature", P_NUMBER, IN_BODY, 0, "sampling temperature", NULL },
	{ "max_completion_tokens", P_INTEGER, IN_BODY, 0,
	  "upper bound for the reply's tokens",
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ "response_format", P_OBJECT, IN_BODY, 0,
	  "e.g. {\"type\": \"json_object\"}", NULL },
	{ "tools", P_ARRAY, IN_BODY, 0,
	  "function tools the model may call (OpenAI format)", NULL },
	{ "tool_choice", P_STRING, IN_BODY, 0, "auto, none or required",
	  "{\"type\":\"string\",\"enum\":[\"auto\",\"none\",\"required\"]}" },
	{ 0 }
};

static const struct param brain_params[] = {
	{ "query", P_STRING, IN_BODY, REQUIRED, "what to search for", NULL },
	{ "limit", P_INTEGER, IN_BODY, 0, "results to return (1-50, default 8)",
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":50}" },
	{ "source_type", P_ARRAY, IN_BODY, 0, "only these sources",
	  "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":["
	  "\"notion\",\"google_drive\",\"slack\",\"github\",\"confluence\","
	  "\"direct_file_uploads\",\"gumloop_artifacts\"]}}" },
	{ 0 }
};

#define ORG_PARAM(where) \
	{ "organization_id", P_STRING, where, REQUIRED, \
	  "the organization's id (the caller must be one of its admins)", NULL }
#define ACTION_PARAM \
	{ "action", P_STRING, IN_BODY, REQUIRED, "add or remove", \
	  "{\"type\":\"string\",\"enum\":[\"add\",\"remove\"]}" }
#define EMAIL_PARAM \
	{ "user_email", P_STRING, IN_BODY, REQUIRED, \
	  "the member's email address", NULL }

static const struct param audit_params[] = {
	ORG_PARAM(IN_QUERY),
	{ "start_time", P_STRING, IN_QUERY, REQUIRED,
	  "start of the period (ISO 8601)", NULL },
	{ "end_time", P_STRING, IN_QUERY, REQUIRED,
	  "end of the period (ISO 8601)", NULL },
	{ "page", P_INTEGER, IN_QUERY, 0, "page number (default 1)",
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ "page_size", P_INTEGER, IN_QUERY, 0, "entries per page (default 50)",
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ "event_types", P_STRING, IN_QUERY, 0,
	  "only these event types (comma-separated)", NULL },
	{ "user_ids", P_STRING, IN_QUERY, 0,
	  "only events by these users (comma-separated)", NULL },
	{ 0 }
};

static const struct param workspace_params[] = {
	ORG_PARAM(IN_BODY),
	{ "workspace_id", P_STRING, IN_BODY, REQUIRED, "the workspace's id",
	  NULL },
	ACTION_PARAM,
	EMAIL_PARAM,
	{ "is_admin", P_BOOLEAN, IN_BODY, 0,
	  "make the member a workspace admin (add only)", NULL },
	{ 0 }
};

static const struct param group_params[] = {
	ORG_PARAM(IN_BODY),
	{ "group_id", P_STRING, IN_BODY, REQUIRED,
	  "the permission group's (custom role's) id", NULL },
	ACTION_PARAM,
	EMAIL_PARAM,
	{ 0 }
};

#define STRING_LIST "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"

static const struct param export_params[] = {
	{ "export_fields", P_ARRAY, IN_BODY, REQUIRED,
	  "the columns to export", "{\"type\":\"array\",\"minItems\":1,"
	  "\"items\":{\"type\":\"string\"}}" },
	{ "start_date", P_STRING, IN_BODY, REQUIRED,
	  "first day (YYYY-MM-DD)", NULL },
	{ "end_date", P_STRING, IN_BODY, REQUIRED, "last day (YYYY-MM-DD)", NULL },
	{ "data_type", P_STRING, IN_BODY, 0, "what to export (default workflows)",
	  "{\"type\":\"string\",\"enum\":[\"workflows\",\"agents\","
	  "\"agent_interactions\",\"credit_logs\",\"interaction_evaluations\","
	  "\"gumstack\"]}" },
	{ "category_filter", P_STRING, IN_BODY, 0,
	  "credit log category to keep", NULL },
	{ "export_level", P_STRING, IN_BODY, 0,
	  "organization (default) or workspace",
	  "{\"type\":\"string\",\"enum\":[\"organization\",\"workspace\"]}" },
	{ "include_all_workspaces", P_BOOLEAN, IN_BODY, 0,
	  "every workspace of the organization", NULL },
	{ "include_personal_workspaces", P_BOOLEAN, IN_BODY, 0,
	  "personal workspaces too", NULL },
	{ "workspace_ids", P_ARRAY, IN_BODY, 0, "only these workspaces",
	  STRING_LIST },
	{ "entity_ids", P_ARRAY, IN_BODY, 0, "only these flows or agents",
	  STRING_LIST },
	{ 0 }
};

static const struct param export_status_params[] = {
	{ "data_export_id", P_STRING, IN_QUERY, REQUIRED,
	  "the export's id (from create_a_gumloop_data_export)", NULL },
	{ "download", P_BOOLEAN, IN_QUERY, 0,
	  "once COMPLETED, return the CSV itself as text", NULL },
	{ 0 }
};

#define AGENT_PARAM \
	{ "agent_id", P_STRING, IN_PATH, REQUIRED, \
	  "the agent's id (from list_all_gumloop_agents)", NULL }

static const struct param agent_params[] = {
	AGENT_PARAM,
	{ 0 }
};

static const struct param evaluations_params[] = {
	AGENT_PARAM,
	{ "grade", P_STRING, IN_QUERY, 0, "only evaluations with this grade",
	  "{\"type\":\"string\",\"enum\":[\"pass\",\"needs_review\","
	  "\"needs_attention\"]}" },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param evaluation_params[] = {
	AGENT_PARAM,
	{ "evaluation_id", P_STRING, IN_PATH, REQUIRED,
	  "the evaluation's id (from list_all_gumloop_agent_evaluations)", NULL },
	{ 0 }
};

static const struct param metrics_params[] = {
	AGENT_PARAM,
	{ "days", P_INTEGER, IN_QUERY, 0, "period in days (1-365, default 30)",
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":365}" },
	{ 0 }
};

static const struct param config_params[] = {
	AGENT_PARAM,
	{ "enabled", P_BOOLEAN, IN_BODY, 0, "evaluate the agent's sessions",
	  NULL },
	{ "model_name", P_STRING, IN_BODY, 0, "the model that grades", NULL },
	{ "include_auto_tags", P_BOOLEAN, IN_BODY, 0,
	  "let the grader add tags of its own", NULL },
	{ "criteria", P_ARRAY, IN_BODY, 0,
	  "replaces the criteria: [{name, prompt, type, priority}], at most 30",
	  "{\"type\":\"array\",\"maxItems\":30,\"items\":{\"type\":\"object\"}}" },
	{ "tags", P_ARRAY, IN_BODY, 0, "replaces the tags, at most 50",
	  "{\"type\":\"array\",\"maxItems\":50,\"items\":{\"type\":\"string\"}}" },
	{ "data_points", P_ARRAY, IN_BODY, 0,
	  "replaces the data points: [{name, data_type, description}], at "
	  "most 40",
	  "{\"type\":\"array\",\"maxItems\":40,\"items\":{\"type\":\"object\"}}" },
	{ "sentiment", P_OBJECT, IN_BODY, 0,
	  "{enabled, affects_grade, description}", NULL },
	{ 0 }
};

const struct tool_def admin_tools[] = {
	{ .name = "list_all_gumloop_teams", .title = "List teams",
	  .description = "List the teams (workspaces) the credentials can act "
		"in, with their ids: pass one as team_id to other tools.",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/teams", .output_schema = teams_schema },
	{ .name = "list_all_gumloop_models", .title = "List models",
	  .description = "List the AI models Gumloop offers, grouped by "
		"provider: names to use with create_a_gumloop_chat_completion "
		"and for agents.",
	  .access = TOOL_READ, .tag = "models", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/models", .output_schema = models_schema },
	{ .name = "create_a_gumloop_chat_completion",
	  .title = "Chat completion",
	  .description = "Ask a model for one reply to a conversation "
		"(OpenAI-style, not streamed), billed to the Gumloop account.",
	  .access = TOOL_WRITE, .tag = "models", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/chat/completions", .params = chat_params,
	  .output_schema = chat_schema, .flags = T_STREAM_HOST },
	{ .name = "create_a_gumloop_brain_search", .title = "Search Brain",
	  .description = "Search the team's knowledge (Notion, Google Drive, "
		"Slack, GitHub, uploads, ...) that Gumloop Brain indexed. "
		"Spends credits.",
	  .access = TOOL_WRITE, .tag = "brain", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/brain/search", .params = brain_params,
	  .output_schema = brain_schema },
	{ .name = "list_all_gumloop_audit_logs", .title = "List audit logs",
	  .description = "List the organization's audit log entries in a "
		"period, a page at a time (page, page_size). Needs an "
		"organization admin's user id.",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/get_audit_logs", .params = audit_params,
	  .output_schema = audit_schema },
	{ .name = "update_gumloop_workspace_users",
	  .title = "Add or remove a workspace member",
	  .description = "Add a user (by email) to a workspace or remove one. "
		"Needs an organization admin's user id.",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/manage_workspace_users",
	  .params = workspace_params, .output_schema = success_schema,
	  .flags = T_IDEMPOTENT },
	{ .name = "update_gumloop_permission_group_users",
	  .title = "Add or remove a permission group member",
	  .description = "Give a user (by email) a custom role, or take it "
		"away. Roles add up. Needs an organization admin's user id.",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/manage_permission_group_users",
	  .params = group_params, .output_schema = success_schema,
	  .flags = T_IDEMPOTENT },
	{ .name = "create_a_gumloop_data_export", .title = "Request a data export",
	  .description = "Request a CSV export of the organization's data "
		"(flow runs, agents, interactions, credit logs) for a period. "
		"Follow it with get_single_gumloop_data_export_by_id.",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/export_data", .params = export_params,
	  .output_schema = export_schema },
	{ .name = "get_single_gumloop_data_export_by_id",
	  .title = "Get a data export",
	  .description = "Get a data export's state (REQUESTED, IN_PROGRESS, "
		"COMPLETED, FAILED). With download: true, a COMPLETED export "
		"comes back as its CSV text.",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/export_status",
	  .params = export_status_params, .output_schema = export_status_schema,
	  .handler = export_status },
	{ .name = "list_all_gumloop_agent_evaluations",
	  .title = "List agent evaluations",
	  .description = "List the graded evaluations of an agent's "
		"conversations, newest first, a page at a time (pass "
		"next_cursor back as cursor).",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/evaluations",
	  .params = evaluations_params, .output_schema = evaluations_schema },
	{ .name = "get_single_gumloop_agent_evaluation_by_id",
	  .title = "Get an agent evaluation",
	  .description = "Get one evaluation: its grade, summary, criteria "
		"results, data points and tags.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET",
	  .path = "/agents/{agent_id}/evaluations/{evaluation_id}",
	  .params = evaluation_params, .output_schema = evaluation_schema },
	{ .name = "get_gumloop_agent_evaluation_metrics",
	  .title = "Get agent evaluation metrics",
	  .description = "Count an agent's evaluations by grade and tag over "
		"the last days.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/evaluations/metrics",
	  .params = metrics_params, .output_schema = metrics_schema },
	{ .name = "get_gumloop_agent_evaluation_config",
	  .title = "Get an agent's evaluation config",
	  .description = "Get how an agent's conversations are evaluated: "
		"criteria, tags, data points, sentiment, grading model.",
	  .access = TOOL_READ, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/evaluation-config",
	  .params = agent_params, .output_schema = config_schema },
	{ .name = "update_gumloop_agent_evaluation_config",
	  .title = "Update an agent's evaluation config",
	  .description = "Change how an agent's conversations are evaluated. "
		"Lists given (criteria, tags, data_points) replace the old "
		"ones whole.",
	  .access = TOOL_WRITE, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "PATCH", .path = "/agents/{agent_id}/evaluation-config",
	  .params = config_params, .output_schema = config_schema,
	  .flags = T_IDEMPOTENT },
	{ 0 }
};
