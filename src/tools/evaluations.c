/*
 * Evaluation runs of an agent's own rubric, and the organization-level
 * evaluations (Enterprise): rubric, targets, runs, results, metrics.
 * Grading runs cost one credit per queued session; dry_run prices a run
 * without queuing anything.
 */
#include "tool.h"

static const char options_schema[] =
	"{\"type\":\"object\"}";

static const char evaluations_schema[] =
	"{\"type\":\"object\",\"properties\":{\"evaluations\":{\"type\":"
	"\"array\"}}}";

static const char evaluation_schema[] =
	"{\"type\":\"object\",\"properties\":{\"evaluation\":{\"type\":"
	"\"object\"}}}";

static const char deleted_schema[] =
	"{\"type\":\"object\",\"properties\":{\"deleted\":{\"type\":"
	"\"boolean\"}}}";

static const char run_schema[] =
	"{\"type\":\"object\",\"properties\":{\"results\":{\"type\":\"array\"},"
	"\"skipped\":{\"type\":\"array\"},\"dry_run\":{\"type\":\"boolean\"}}}";

static const char results_schema[] =
	"{\"type\":\"object\",\"properties\":{\"results\":{\"type\":\"array\"}"
	"}}";

static const char result_schema[] =
	"{\"type\":\"object\",\"properties\":{\"result\":{\"type\":\"object\"}}}";

static const char metrics_schema[] =
	"{\"type\":\"object\",\"properties\":{\"grades\":{\"type\":\"object\"}}}";

#define EVALUATION_PARAM \
	{ "evaluation_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_evaluations", NULL }
#define RUN_PARAMS \
	{ "session_ids", P_ARRAY, IN_BODY, REQUIRED, "finished sessions", \
	  "{\"type\":\"array\",\"minItems\":1,\"maxItems\":200," \
	  "\"items\":{\"type\":\"string\"}}" }, \
	{ "dry_run", P_BOOLEAN, IN_BODY, 0, "price it, queue nothing", NULL }
/* The rubric, told instead of spelled out: the options tool lists the
 * allowed values, and Gumloop checks them strictly. */
#define RUBRIC_PARAM \
	{ "config", P_OBJECT, IN_BODY, 0, \
	  "criteria[{name, prompt, type, priority}], tags[{name, " \
	  "description}], data_points[], frequency, model_name, ...", \
	  NULL }
#define DESCRIPTION_PARAM \
	{ "description", P_ANY, IN_BODY, 0, "null clears it", \
	  "{\"type\":[\"string\",\"null\"],\"maxLength\":4000}" }
#define NAME_SCHEMA "{\"type\":\"string\",\"minLength\":1,\"maxLength\":256}"

static const struct param agent_run_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	RUN_PARAMS,
	{ 0 }
};

static const struct param list_params[] = {
	{ "organization_id", P_STRING, IN_QUERY, REQUIRED,
	  "from list_all_gumloop_organizations", NULL },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param create_params[] = {
	{ "organization_id", P_STRING, IN_BODY, REQUIRED,
	  "from list_all_gumloop_organizations", NULL },
	{ "name", P_STRING, IN_BODY, REQUIRED, "unique in the organization",
	  NAME_SCHEMA },
	DESCRIPTION_PARAM,
	RUBRIC_PARAM,
	{ 0 }
};

static const struct param evaluation_params[] = {
	EVALUATION_PARAM,
	{ 0 }
};

static const struct param update_params[] = {
	EVALUATION_PARAM,
	{ "name", P_STRING, IN_BODY, 0, NULL, NAME_SCHEMA },
	DESCRIPTION_PARAM,
	{ "enabled", P_BOOLEAN, IN_BODY, 0,
	  "true needs a rubric and a target", NULL },
	RUBRIC_PARAM,
	{ 0 }
};

static const struct param targets_params[] = {
	EVALUATION_PARAM,
	{ "targets", P_ARRAY, IN_BODY, REQUIRED,
	  "the full set; id of the team, user or agent",
	  "{\"type\":\"array\",\"items\":{\"type\":\"object\","
	  "\"properties\":{\"type\":{\"enum\":[\"organization\",\"team\","
	  "\"user\",\"agent\"]},\"id\":{\"type\":\"string\"}},"
	  "\"required\":[\"type\"]}}" },
	{ 0 }
};

static const struct param run_params[] = {
	EVALUATION_PARAM,
	RUN_PARAMS,
	{ 0 }
};

static const struct param results_params[] = {
	EVALUATION_PARAM,
	{ "agent_id", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "session_id", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "grade", P_STRING, IN_QUERY, 0, NULL,
	  "{\"type\":\"string\",\"enum\":[\"pass\",\"needs_review\","
	  "\"needs_attention\"]}" },
	{ "status", P_STRING, IN_QUERY, 0, NULL,
	  "{\"type\":\"string\",\"enum\":[\"queued\",\"in_progress\","
	  "\"completed\",\"failed\"]}" },
	{ "created_after", P_STRING, IN_QUERY, 0, "RFC 3339", NULL },
	{ "created_before", P_STRING, IN_QUERY, 0, "RFC 3339", NULL },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param result_params[] = {
	EVALUATION_PARAM,
	{ "result_id", P_STRING, IN_PATH, REQUIRED,
	  "from a run or list_all_gumloop_evaluation_results", NULL },
	{ 0 }
};

static const struct param metrics_params[] = {
	EVALUATION_PARAM,
	{ "days", P_INTEGER, IN_QUERY, 0, "default 30",
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":365}" },
	{ 0 }
};

const struct tool_def evaluations_tools[] = {
	{ .name = "create_a_gumloop_agent_evaluation_run",
	  .title = "Grade an agent's sessions",
	  .description = "Grade up to 200 finished sessions with the "
		"agent's own rubric; 1 credit per queued session (dry_run: "
		"price only).",
	  .access = TOOL_WRITE, .tag = "evaluations", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/agents/{agent_id}/evaluations/run",
	  .params = agent_run_params, .output_schema = run_schema },
	{ .name = "list_all_gumloop_evaluation_options",
	  .title = "List evaluation options",
	  .description = "The allowed values and size limits of evaluation "
		"fields and filters.",
	  .access = TOOL_READ, .tag = "evaluations", .method = "GET",
	  .path = "/evaluation-options", .output_schema = options_schema },
	{ .name = "list_all_gumloop_evaluations",
	  .title = "List org evaluations",
	  .description = "List an organization's evaluations: targets, "
		"coverage, result counts (Enterprise).",
	  .access = TOOL_READ, .tag = "evaluations", .method = "GET",
	  .path = "/evaluations", .params = list_params,
	  .output_schema = evaluations_schema },
	{ .name = "create_a_gumloop_evaluation",
	  .title = "Create an org evaluation",
	  .description = "Create an organization evaluation (disabled): "
		"then set its targets and enable it.",
	  .access = TOOL_WRITE, .tag = "evaluations", .method = "POST",
	  .path = "/evaluations", .params = create_params,
	  .output_schema = evaluation_schema },
	{ .name = "get_single_gumloop_evaluation_by_id",
	  .title = "Get an org evaluation",
	  .description = "Get an evaluation: rubric, targets, coverage, "
		"result counts.",
	  .access = TOOL_READ, .tag = "evaluations", .method = "GET",
	  .path = "/evaluations/{evaluation_id}", .params = evaluation_params,
	  .output_schema = evaluation_schema },
	{ .name = "update_a_gumloop_evaluation_by_id",
	  .title = "Update an org evaluation",
	  .description = "Change an evaluation's name, description, enabled "
		"or rubric (merged field by field).",
	  .access = TOOL_WRITE, .tag = "evaluations", .method = "PATCH",
	  .path = "/evaluations/{evaluation_id}", .params = update_params,
	  .output_schema = evaluation_schema, .flags = T_IDEMPOTENT },
	{ .name = "delete_a_gumloop_evaluation_by_id",
	  .title = "Delete an org evaluation",
	  .description = "Delete an evaluation; its past results stay.",
	  .access = TOOL_WRITE, .tag = "evaluations", .method = "DELETE",
	  .path = "/evaluations/{evaluation_id}", .params = evaluation_params,
	  .output_schema = deleted_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT },
	{ .name = "update_gumloop_evaluation_targets",
	  .title = "Set an evaluation's targets",
	  .description = "Replace who an evaluation grades: organization, "
		"teams, users' agents or agents.",
	  .access = TOOL_WRITE, .tag = "evaluations", .method = "PUT",
	  .path = "/evaluations/{evaluation_id}/targets",
	  .params = targets_params, .output_schema = evaluation_schema,
	  .flags = T_IDEMPOTENT },
	{ .name = "create_a_gumloop_evaluation_run",
	  .title = "Run an org evaluation",
	  .description = "Grade up to 200 sessions with an evaluation; spends "
		"1 credit per queued session.",
	  .access = TOOL_WRITE, .tag = "evaluations", .method = "POST",
	  .path = "/evaluations/{evaluation_id}/run", .params = run_params,
	  .output_schema = run_schema },
	{ .name = "list_all_gumloop_evaluation_results",
	  .title = "List an evaluation's results",
	  .description = "List an evaluation's latest result per session, "
		"newest first.",
	  .access = TOOL_READ, .tag = "evaluations", .method = "GET",
	  .path = "/evaluations/{evaluation_id}/results",
	  .params = results_params, .output_schema = results_schema },
	{ .name = "get_single_gumloop_evaluation_result_by_id",
	  .title = "Get an evaluation result",
	  .description = "Get one result: status, grade, criteria, data "
		"points, tags.",
	  .access = TOOL_READ, .tag = "evaluations", .method = "GET",
	  .path = "/evaluations/{evaluation_id}/results/{result_id}",
	  .params = result_params, .output_schema = result_schema },
	{ .name = "get_gumloop_evaluation_metrics",
	  .title = "Get an evaluation's metrics",
	  .description = "Count an evaluation's grades over the last days.",
	  .access = TOOL_READ, .tag = "evaluations", .method = "GET",
	  .path = "/evaluations/{evaluation_id}/metrics",
	  .params = metrics_params, .output_schema = metrics_schema },
	{ 0 }
};
