/*
 * Agents: the legacy start_agent conversation API (interactions, with
 * waits) and the agent resources (agents, their skills, MCP servers and
 * versions). Every documented start_agent / agent_status error comes back
 * with what to do about it.
 */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "http.h"
#include "tool.h"
#include "util.h"
#include "wait.h"

/* ---- output schemas --------------------------------------------------- */

static const char interaction_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"interaction_id\":{\"type\":\"string\"},"
	"\"gummie_id\":{\"type\":\"string\"},"
	"\"state\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"},"
	"\"created_ts\":{\"type\":[\"string\",\"null\"]},"
	"\"response\":{\"type\":[\"string\",\"null\"]},"
	"\"messages\":{\"type\":\"array\"},"
	"\"error_message\":{\"type\":[\"string\",\"null\"]},"
	"\"timed_out\":{\"type\":\"boolean\"}},"
	"\"required\":[\"interaction_id\"]}";

static const char agents_schema[] =
	"{\"type\":\"object\",\"properties\":{\"agents\":{\"type\":\"array\"}"
	"},"
	"\"required\":[\"agents\"]}";

static const char agent_schema[] =
	"{\"type\":\"object\",\"properties\":{\"agent\":{\"type\":\"object\"}},"
	"\"required\":[\"agent\"]}";

static const char skills_delta_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"skill_ids\":{\"type\":\"array\"},"
	"\"attached\":{\"type\":\"array\"},\"detached\":{\"type\":\"array\"},"
	"\"already_attached\":{\"type\":\"array\"},"
	"\"already_detached\":{\"type\":\"array\"}},"
	"\"required\":[\"skill_ids\"]}";

static const char servers_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"mcp_servers\":{\"type\":\"array\"}},"
	"\"required\":[\"mcp_servers\"]}";

static const char server_put_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"mcp_server\":{\"type\":\"object\"},"
	"\"created\":{\"type\":\"boolean\"},"
	"\"auth_status\":{\"type\":[\"string\",\"null\"]}},"
	"\"required\":[\"mcp_server\"]}";

static const char server_delete_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"detached\":{\"type\":\"boolean\"}},\"required\":[\"detached\"]}";

static const char versions_schema[] =
	"{\"type\":\"object\",\"properties\":{\"versions\":{\"type\":\"array\"}"
	"},"
	"\"required\":[\"versions\"]}";

static const char version_schema[] =
	"{\"type\":\"object\",\"properties\":{\"version\":{\"type\":\"object\"},"
	"\"changes\":{\"type\":[\"object\",\"null\"]}},"
	"\"required\":[\"version\"]}";

/* ---- errors ----------------------------------------------------------- */

#define CHECK_SCOPE "check user_id / project_id (or GUMLOOP_USER_ID / " \
	"GUMLOOP_PROJECT_ID): they must name the user or workspace that owns "

/* gumloop-api.md 2.3: start_agent and agent_status. */
static const struct tool_advice interaction_advice[] = {
	{ 400, "gummie_id is required",
	  "Pass gummie_id, the agent's id (from its URL in Gumloop)." },
	{ 400, "message is required",
	  "Pass a non-empty message for the agent." },
	{ 400, "project_id or user_id is required",
	  "Pass user_id or project_id, or set GUMLOOP_USER_ID in the "
	  "server's environment." },
	{ 400, "interaction_gummie_mismatch",
	  "That interaction_id belongs to a conversation with another agent: "
	  "continue it with that agent's gummie_id, or leave interaction_id "
	  "out to start a new conversation with this one." },
	{ 403, "unauthorized_gummie_access",
	  "This user may not run that agent: " CHECK_SCOPE "or share it." },
	{ 403, "unauthorized_interaction_access",
	  "That conversation belongs to another user: " CHECK_SCOPE "it, or "
	  "leave interaction_id out to start a new conversation." },
	{ 403, "unauthorized",
	  "The credentials may not see this: " CHECK_SCOPE "the agent." },
	{ 404, "gummie_not_found",
	  "No agent has that gummie_id: check it (it is in the agent's URL "
	  "in Gumloop)." },
	{ 404, "interaction_not_found",
	  "No conversation has that interaction_id: check it, or leave "
	  "interaction_id out to start a new conversation." },
	{ 409, "interaction_not_in_terminal_state",
	  "The agent is still working on the previous message of this "
	  "conversation: call wait_for_gumloop_agent_interaction with this "
	  "interaction_id until it is COMPLETED or FAILED, then send the "
	  "message again with the same interaction_id." },
	{ 0 }
};

static const struct tool_advice agent_advice[] = {
	{ 404, "agent_not_found",
	  "No agent has that agent_id: list_all_gumloop_agents lists them." },
	{ 404, "version_not_found",
	  "No version has that version_id: list_all_gumloop_agent_versions "
	  "lists them." },
	{ 404, "mcp_server_not_found",
	  "No MCP server has that server_id: list_all_gumloop_mcp_servers "
	  "lists the connectors." },
	{ 403, "mcp_server_restricted",
	  "The organization does not allow this MCP server: ask a Gumloop "
	  "admin, or choose another connector." },
	{ 409, "ambiguous_mcp_server",
	  "More than one connector matches that server_id: use the exact "
	  "server_id from list_all_gumloop_mcp_servers." },
	{ 400, "skill_not_found",
	  "One or more skill ids do not exist or are not usable: check them "
	  "with list_all_gumloop_skills; nothing was changed." },
	{ 0 }
};

/* ---- interactions ----------------------------------------------------- */

static const char *const interaction_terminal[] = { "COMPLETED", "FAILED", NULL };

static cJSON *fetch_interaction(struct tool_call *call, const char *id)
{
	return wait_get(call, "/agent_status/", id, interaction_advice);
}

static const char *state_of(const cJSON *obj)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, "state");

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* The turn ended FAILED: a tool error carrying Gumloop's error_message. */
static int interaction_failed(struct tool_call *call, const char *id,
			      cJSON *ix)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ix, "error_message");
	const char *why = cJSON_IsString(msg) ? msg->valuestring :
			  "Gumloop gave no error message";

	tool_error(call, "agent interaction '%s' ended FAILED: %s. The "
		   "conversation can go on: send a new message with "
		   "create_a_gumloop_agent_interaction and the same "
		   "interaction_id.", id, why);
	cJSON_AddStringToObject(call->structured, "interaction_id", id);
	cJSON_AddStringToObject(call->structured, "state", "FAILED");
	cJSON_AddStringToObject(call->structured, "error_message", why);
	cJSON_Delete(ix);
	return -1;
}

/* A turn that ended FAILED is a tool error; any other end the usual. */
static int finish_interaction(struct tool_call *call, struct wait *w)
{
	cJSON *ix;

	if (w->end != WAIT_TERMINAL || strcmp(state_of(w->last), "FAILED"))
		return wait_finish(call, w);
	ix = w->last;
	w->last = NULL;
	return interaction_failed(call, w->id, ix);
}

static const struct wait_kind interaction_wait = {
	"agent interaction", "interaction_id", fetch_interaction, state_of,
	interaction_terminal, finish_interaction, NULL, NULL
};

static int start_interaction(struct tool_call *call)
{
	struct http_request req;
	long seconds = wait_limit_s(call, "wait_seconds", 0);
	const cJSON *id;
	cJSON *json = NULL;

	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0)
		json = tool_exchange(call, &req);
	http_request_release(&req);
	if (!json)
		return tool_advise(call, -1, interaction_advice);
	id = cJSON_GetObjectItemCaseSensitive(json, "interaction_id");
	if (!seconds || !cJSON_IsString(id))
		return tool_ok(call, json);
	return wait_begin(call, &interaction_wait, id->valuestring, seconds,
			  json);
}

static int get_interaction(struct tool_call *call)
{
	return tool_advise(call, tool_default_handler(call), interaction_advice);
}

static int wait_interaction(struct tool_call *call)
{
	return wait_begin(call, &interaction_wait,
			  tool_arg_str(call, "interaction_id"),
			  wait_limit_s(call, "timeout_seconds",
				       WAIT_DEFAULT_TIMEOUT_S), NULL);
}

/* ---- agent resources -------------------------------------------------- */

static int agent_default(struct tool_call *call)
{
	return tool_advise(call, tool_default_handler(call), agent_advice);
}

/* The SDK sends team_id in the create body as well as the query. */
static int create_agent(struct tool_call *call)
{
	const char *team = tool_arg_str(call, "team_id");
	struct http_request req;
	cJSON *json = NULL;

	team = team && *team ? team : cfg.team_id;
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		if (team)
			cJSON_AddStringToObject(req.json, "team_id", team);
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	if (!json)
		return tool_advise(call, -1, agent_advice);
	return tool_ok(call, json);
}

static int check_skill_delta(struct tool_call *call)
{
	const cJSON *attach = tool_arg(call, "attach"), *v, *w;
	const cJSON *detach = tool_arg(call, "detach");

	cJSON_ArrayForEach(v, attach)
		cJSON_ArrayForEach(w, detach)
			if (cJSON_IsString(v) && cJSON_IsString(w) &&
			    !strcmp(v->valuestring, w->valuestring)) {
				call->refused = 1;
				return tool_error(call, "skill '%s' is in both "
						  "attach and detach: name it in "
						  "one of them", v->valuestring);
			}
	return 0;
}

static int update_skills(struct tool_call *call)
{
	if (check_skill_delta(call) < 0)
		return -1;
	return agent_default(call);
}

/* PUT body: the connector settings given in config, as they are. */
static int put_server(struct tool_call *call)
{
	const cJSON *config = tool_arg(call, "config"), *it;
	struct http_request req;
	cJSON *json = NULL;

	http_request_init(&req, "PUT");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		cJSON_ArrayForEach(it, config)
			cJSON_AddItemToObject(req.json, it->string,
					      cJSON_Duplicate(it, 1));
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	if (!json)
		return tool_advise(call, -1, agent_advice);
	return tool_ok(call, json);
}

/* ---- the table -------------------------------------------------------- */

#define STRING_ARRAY "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"

static const struct param start_params[] = {
	{ "gummie_id", P_STRING, IN_BODY, REQUIRED,
	  "the agent's id, from its Gumloop URL", NULL },
	{ "message", P_STRING, IN_BODY, REQUIRED, "plain text", NULL },
	{ "interaction_id", P_STRING, IN_BODY, 0,
	  "continue this conversation (once COMPLETED or FAILED)", NULL },
	{ 0 }
};

static const struct param interaction_path_param[] = {
	{ "interaction_id", P_STRING, IN_PATH, REQUIRED,
	  "from create_a_gumloop_agent_interaction", NULL },
	{ 0 }
};

static const struct param list_params[] = {
	{ "search", P_STRING, IN_QUERY, 0, "in the name", NULL },
	{ "creator", P_STRING, IN_QUERY, 0, "creator's user id", NULL },
	{ "has_triggers", P_BOOLEAN, IN_QUERY, 0, NULL, NULL },
	{ "tool", P_STRING, IN_QUERY, 0, "uses this MCP server id", NULL },
	{ "flow", P_STRING, IN_QUERY, 0, "uses this flow id", NULL },
	{ 0 }
};

static const struct param agent_id_param[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ 0 }
};

#define AGENT_FIELDS \
	{ "description", P_STRING, IN_BODY, 0, NULL, NULL }, \
	{ "system_prompt", P_STRING, IN_BODY, 0, NULL, NULL }, \
	{ "tools", P_ARRAY, IN_BODY, 0, "tool configs (whole list)", NULL }, \
	{ "resources", P_ARRAY, IN_BODY, 0, "whole list", NULL }, \
	{ "metadata", P_OBJECT, IN_BODY, 0, NULL, NULL }

static const struct param create_params[] = {
	{ "name", P_STRING, IN_BODY, REQUIRED, "agent name", NULL },
	{ "model_name", P_STRING, IN_BODY, REQUIRED,
	  "from list_all_gumloop_models", NULL },
	AGENT_FIELDS,
	{ "folder_id", P_STRING, IN_BODY, 0, NULL, NULL },
	{ "is_active", P_BOOLEAN, IN_BODY, 0, NULL, NULL },
	{ "skill_ids", P_ARRAY, IN_BODY, 0,
	  "skills to attach (all must exist)",
	  STRING_ARRAY },
	{ "agent_id", P_STRING, IN_BODY, 0, "your own id (optional)", NULL },
	{ 0 }
};

static const struct param update_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ "name", P_STRING, IN_BODY, 0, NULL, NULL },
	{ "model_name", P_STRING, IN_BODY, 0, "from list_all_gumloop_models",
	  NULL },
	AGENT_FIELDS,
	{ "is_active", P_BOOLEAN, IN_BODY, 0,
	  "false retires the agent for good: not a pause", NULL },
	{ "team_id", P_STRING, IN_BODY, 0, "moves the agent to this team",
	  NULL },
	{ 0 }
};

static const struct param skills_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ "attach", P_ARRAY, IN_BODY, 0, "skill ids", STRING_ARRAY },
	{ "detach", P_ARRAY, IN_BODY, 0, "skill ids", STRING_ARRAY },
	{ 0 }
};

static const struct param server_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ "server_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_mcp_servers", NULL },
	{ 0 }
};

static const struct param server_put_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ "server_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_mcp_servers", NULL },
	{ "config", P_OBJECT, IN_LOCAL, 0,
	  "e.g. {\"approval_mode\": \"ask\"}", NULL },
	{ 0 }
};

static const struct param versions_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param version_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ "version_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agent_versions", NULL },
	{ 0 }
};

const struct tool_def agents_tools[] = {
	{ .name = "create_a_gumloop_agent_interaction",
	  .title = "Send a message to an agent (start_agent)",
	  .description = "Send a message to an agent (gummie); it works "
		"asynchronously: then wait_for_gumloop_agent_interaction.",
	  .access = TOOL_WRITE, .tag = "agents", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/start_agent", .params = start_params,
	  .output_schema = interaction_schema, .flags = T_WAITABLE | T_TASK,
	  .handler = start_interaction },
	{ .name = "get_single_gumloop_agent_interaction_by_id",
	  .title = "Get an agent interaction",
	  .description = "Get an interaction: state (ASYNC_PROCESSING, "
		"COMPLETED, FAILED), response and messages, or error_message.",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/agent_status/{interaction_id}",
	  .params = interaction_path_param,
	  .output_schema = interaction_schema, .handler = get_interaction },
	{ .name = "wait_for_gumloop_agent_interaction",
	  .title = "Wait for an agent interaction",
	  .description = "Wait until an interaction is COMPLETED and "
		"return the response; FAILED is an error.",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/agent_status/{interaction_id}",
	  .params = interaction_path_param,
	  .output_schema = interaction_schema, .flags = T_WAIT,
	  .handler = wait_interaction },
	{ .name = "list_all_gumloop_agents", .title = "List agents",
	  .description = "List the team's agents (id, name, description, "
		"model).",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents", .params = list_params,
	  .output_schema = agents_schema, .handler = agent_default },
	{ .name = "get_single_gumloop_agent_by_id", .title = "Get an agent",
	  .description = "Get an agent's configuration: model, prompt, "
		"tools, resources, skill_ids.",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}",
	  .params = agent_id_param, .output_schema = agent_schema,
	  .handler = agent_default },
	{ .name = "create_a_gumloop_agent", .title = "Create an agent",
	  .description = "Create an agent: name, model, optionally prompt, "
		"tools, resources, skills.",
	  .access = TOOL_WRITE, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/agents", .params = create_params,
	  .output_schema = agent_schema, .handler = create_agent },
	{ .name = "update_a_gumloop_agent_by_id", .title = "Update an agent",
	  .description = "Change the given fields of an agent; is_active: "
		"false retires it for good.",
	  .access = TOOL_WRITE, .tag = "agents",
	  .method = "PATCH", .path = "/agents/{agent_id}",
	  .params = update_params, .output_schema = agent_schema,
	  .flags = T_IDEMPOTENT, .handler = agent_default },
	{ .name = "update_gumloop_agent_skills",
	  .title = "Attach or detach an agent's skills",
	  .description = "Attach and/or detach an agent's skills (ids from "
		"list_all_gumloop_skills).",
	  .access = TOOL_WRITE, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "PATCH", .path = "/agents/{agent_id}/skills",
	  .params = skills_params, .one_of = "attach|detach",
	  .output_schema = skills_delta_schema, .flags = T_IDEMPOTENT,
	  .handler = update_skills },
	{ .name = "list_all_gumloop_agent_mcp_servers",
	  .title = "List an agent's MCP servers",
	  .description = "List the MCP servers an agent uses, with settings.",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/mcp-servers",
	  .params = agent_id_param, .output_schema = servers_schema,
	  .handler = agent_default },
	{ .name = "update_a_gumloop_agent_mcp_server_by_id",
	  .title = "Attach or configure an agent's MCP server",
	  .description = "Attach an MCP server to an agent or change its "
		"config.",
	  .access = TOOL_WRITE, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "PUT", .path = "/agents/{agent_id}/mcp-servers/{server_id}",
	  .params = server_put_params, .output_schema = server_put_schema,
	  .flags = T_IDEMPOTENT, .handler = put_server },
	{ .name = "delete_a_gumloop_agent_mcp_server_by_id",
	  .title = "Detach an agent's MCP server",
	  .description = "Detach an MCP server from an agent.",
	  .access = TOOL_WRITE, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "DELETE", .path = "/agents/{agent_id}/mcp-servers/{server_id}",
	  .params = server_params, .output_schema = server_delete_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT, .handler = agent_default },
	{ .name = "list_all_gumloop_agent_versions",
	  .title = "List an agent's versions",
	  .description = "List an agent's versions, newest first, and which "
		"is deployed.",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/versions",
	  .params = versions_params, .output_schema = versions_schema,
	  .handler = agent_default },
	{ .name = "get_single_gumloop_agent_version_by_id",
	  .title = "Get an agent version",
	  .description = "Get an agent version's composition (model, "
		"prompt, tools, skills).",
	  .access = TOOL_READ, .tag = "agents", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/versions/{version_id}",
	  .params = version_params, .output_schema = version_schema,
	  .handler = agent_default },
	{ 0 }
};
