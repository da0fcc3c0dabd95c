/*
 * Flows ("saved items", "pipelines"): list, read the input schema, start,
 * inspect and kill runs. Starting a run checks the input names against the
 * flow's schema first, so a guessed payload never burns a run; a flow with
 * a Webhook Input node takes a whole JSON body instead.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "tool.h"
#include "util.h"
#include "wait.h"

#define INPUTS_CACHE_TTL_MS 60000
#define INPUTS_CACHE_SLOTS 8
#define FAILED_LOG_LINES 20

static const char *const reserved_inputs[] = {
	"api_key", "saved_item_id", "user_id", "project_id", "openai_token",
	"action_id", "reuse_action", "trigger_id", "pipeline_inputs",
};

/* ---- output schemas --------------------------------------------------- */

static const char flows_schema[] =
	"{\"type\":\"object\",\"properties\":{\"saved_items\":{\"type\":\"array\"}},"
	"\"required\":[\"saved_items\"]}";

static const char workbooks_schema[] =
	"{\"type\":\"object\",\"properties\":{\"workbooks\":{\"type\":\"array\"}},"
	"\"required\":[\"workbooks\"]}";

static const char inputs_schema[] =
	"{\"type\":\"object\",\"properties\":{\"inputs\":{\"type\":\"array\"}},"
	"\"required\":[\"inputs\"]}";

static const char started_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"run_id\":{\"type\":\"string\"},\"saved_item_id\":{\"type\":\"string\"},"
	"\"workbook_id\":{\"type\":[\"string\",\"null\"]},"
	"\"url\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"},"
	"\"outputs\":{\"type\":[\"object\",\"null\"]},"
	"\"timed_out\":{\"type\":\"boolean\"}},"
	"\"required\":[\"run_id\"]}";

static const char run_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"run_id\":{\"type\":\"string\"},"
	"\"user_id\":{\"type\":[\"string\",\"null\"]},"
	"\"state\":{\"type\":\"string\"},"
	"\"outputs\":{\"type\":[\"object\",\"null\"]},"
	"\"created_ts\":{\"type\":[\"string\",\"null\"]},"
	"\"finished_ts\":{\"type\":[\"string\",\"null\"]},"
	"\"log\":{\"type\":[\"array\",\"null\"],\"items\":{\"type\":\"string\"}},"
	"\"timed_out\":{\"type\":\"boolean\"}},"
	"\"required\":[\"state\"]}";

static const char kill_schema[] =
	"{\"type\":\"object\",\"properties\":{\"success\":{\"type\":\"boolean\"},"
	"\"run_id\":{\"type\":\"string\"}},\"required\":[\"success\"]}";

/* ---- the input schema cache ------------------------------------------- */

struct inputs_slot {
	char *saved_item_id;
	long long fetched;
	cJSON *inputs;	/* the "inputs" array */
};
static struct inputs_slot slots[INPUTS_CACHE_SLOTS];

static struct inputs_slot *slot_for(const char *id)
{
	struct inputs_slot *oldest = &slots[0];
	size_t i;

	for (i = 0; i < INPUTS_CACHE_SLOTS; i++) {
		if (slots[i].saved_item_id && !strcmp(slots[i].saved_item_id, id))
			return &slots[i];
		if (slots[i].fetched < oldest->fetched)
			oldest = &slots[i];
	}
	free(oldest->saved_item_id);
	cJSON_Delete(oldest->inputs);
	memset(oldest, 0, sizeof(*oldest));
	return oldest;
}

/*
 * The flow's inputs array (borrowed from the cache), or NULL (error set).
 * *cached tells whether it came from the cache; fresh skips the cache.
 */
static const cJSON *flow_inputs(struct tool_call *call, const char *id,
				int fresh, int *cached)
{
	const char *const query[] = { "saved_item_id", id, NULL };
	struct inputs_slot *s = slot_for(id);
	cJSON *json, *inputs;

	*cached = !fresh && s->saved_item_id &&
		  now_ms() - s->fetched < INPUTS_CACHE_TTL_MS;
	if (*cached)
		return s->inputs;
	json = tool_get_json(call, "/get_inputs", query);
	if (!json)
		return NULL;
	inputs = cJSON_DetachItemFromObjectCaseSensitive(json, "inputs");
	cJSON_Delete(json);
	if (!cJSON_IsArray(inputs)) {
		cJSON_Delete(inputs);
		tool_error(call, "Gumloop returned no input list for flow '%s'", id);
		return NULL;
	}
	free(s->saved_item_id);
	cJSON_Delete(s->inputs);
	s->saved_item_id = xstrdup(id);
	s->fetched = now_ms();
	s->inputs = inputs;
	return inputs;
}

static const cJSON *find_input(const cJSON *inputs, const char *name)
{
	const cJSON *in, *n;

	cJSON_ArrayForEach(in, inputs) {
		n = cJSON_GetObjectItemCaseSensitive(in, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return in;
	}
	return NULL;
}

static char *describe_inputs(const cJSON *inputs)
{
	struct buf b = BUF_INIT;
	const cJSON *in, *n, *t;

	cJSON_ArrayForEach(in, inputs) {
		n = cJSON_GetObjectItemCaseSensitive(in, "name");
		t = cJSON_GetObjectItemCaseSensitive(in, "data_type");
		if (cJSON_IsString(n))
			buf_addf(&b, "%s%s (%s)", b.len ? ", " : "", n->valuestring,
				 cJSON_IsString(t) ? t->valuestring : "string");
	}
	if (!b.len)
		buf_addstr(&b, "none: this flow takes no inputs");
	return buf_detach(&b, NULL);
}

static int is_reserved(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reserved_inputs); i++)
		if (!strcmp(reserved_inputs[i], name))
			return 1;
	return 0;
}

static int refuse(struct tool_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct tool_call *call, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	call->refused = 1;
	tool_error(call, "%s", why);
	free(why);
	return -1;
}

/* The first name of given the flow's inputs lack, or NULL. */
static const char *unknown_input(const cJSON *inputs, const cJSON *given)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, given)
		if (!find_input(inputs, v->string) || is_reserved(v->string))
			return v->string;
	return NULL;
}

/*
 * Refuses input names the flow does not have, listing the valid ones, and
 * an empty inputs object for a flow that has some (unless force): a model
 * that sends {} has usually not read the schema. A name missing from a
 * cached schema is looked up again: the flow may have just gained it.
 */
static int check_inputs(struct tool_call *call, const char *id,
			const cJSON *given)
{
	const cJSON *inputs;
	const char *miss;
	char *valid;
	int cached, rc;

	if (!given || (!cJSON_GetArraySize(given) &&
		       tool_arg_bool(call, "force", 0)))
		return 0;
	inputs = flow_inputs(call, id, 0, &cached);
	miss = inputs ? unknown_input(inputs, given) : NULL;
	if (miss && cached)
		inputs = flow_inputs(call, id, 1, &cached);
	if (!inputs)
		return -1;
	miss = unknown_input(inputs, given);
	if (!miss && (cJSON_GetArraySize(given) || !cJSON_GetArraySize(inputs)))
		return 0;
	valid = describe_inputs(inputs);
	if (miss)
		rc = refuse(call, "flow '%s' has no input named '%s'; nothing "
			    "was started. Valid inputs: %s", id, miss, valid);
	else
		rc = refuse(call, "flow '%s' takes inputs and inputs is empty; "
			    "nothing was started. Its inputs: %s. Pass them in "
			    "inputs, or force: true to start it with none.",
			    id, valid);
	free(valid);
	return rc;
}

/* Members a webhook body may not set: the request's own fields. */
static const char *const body_reserved[] = {
	"saved_item_id", "user_id", "project_id", "pipeline_inputs",
};

static int check_body(struct tool_call *call, const cJSON *body)
{
	const cJSON *v;
	size_t i;

	if (tool_arg(call, "inputs"))
		return refuse(call, "give inputs (named inputs) or body (a "
			      "Webhook Input flow's whole JSON body), not "
			      "both; nothing was started");
	cJSON_ArrayForEach(v, body)
		for (i = 0; i < ARRAY_SIZE(body_reserved); i++)
			if (!strcmp(v->string, body_reserved[i]))
				return refuse(call, "body may not set '%s' (the "
					      "request's own field); nothing "
					      "was started", v->string);
	return 0;
}

/* {"a": 1} -> [{"input_name": "a", "value": 1}] */
static cJSON *pipeline_inputs(const cJSON *given)
{
	cJSON *list = cJSON_CreateArray(), *item;
	const cJSON *v;

	cJSON_ArrayForEach(v, given) {
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "input_name", v->string);
		cJSON_AddItemToObject(item, "value", cJSON_Duplicate(v, 1));
		cJSON_AddItemToArray(list, item);
	}
	return list;
}

/* ---- waiting for a run ------------------------------------------------ */

static const char *const run_terminal[] = { "DONE", "FAILED", "TERMINATED", NULL };

static cJSON *fetch_run(struct tool_call *call, const char *id)
{
	const char *const query[] = { "run_id", id, NULL };

	return tool_get_json(call, "/get_pl_run", query);
}

static const char *run_state(const cJSON *run)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(run, "state");

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* The run ended FAILED: a tool error with the end of Gumloop's log. */
static int run_failed(struct tool_call *call, const char *id, cJSON *run)
{
	const cJSON *log = cJSON_GetObjectItemCaseSensitive(run, "log"), *line;
	int n = cJSON_GetArraySize(log), first = n - FAILED_LOG_LINES, i = 0;
	struct buf text = BUF_INIT;

	buf_addf(&text, "flow run '%s' ended FAILED. ", id);
	buf_addstr(&text, n ? "Gumloop's log:" : "Gumloop gave no log.");
	cJSON_ArrayForEach(line, log)
		if (i++ >= first && cJSON_IsString(line))
			buf_addf(&text, "\n  %.500s", line->valuestring);
	buf_addstr(&text, "\nFix the cause (often an input value), then start a "
		   "new run with create_a_gumloop_flow_run.");
	tool_error(call, "%s", text.data);
	buf_release(&text);
	cJSON_AddStringToObject(call->structured, "run_id", id);
	cJSON_AddStringToObject(call->structured, "state", "FAILED");
	cJSON_AddItemToObject(call->structured, "log",
			      log ? cJSON_Duplicate(log, 1) : cJSON_CreateArray());
	cJSON_Delete(run);
	return -1;
}

/* A run that ended FAILED is a tool error; any other end the usual. */
static int finish_run(struct tool_call *call, struct wait *w)
{
	cJSON *run;

	if (w->end != WAIT_TERMINAL || strcmp(run_state(w->last), "FAILED"))
		return wait_finish(call, w);
	run = w->last;
	w->last = NULL;
	return run_failed(call, w->id, run);
}

static const struct wait_kind run_wait = {
	"flow run", "run_id", fetch_run, run_state, run_terminal, finish_run, NULL, NULL
};

static int wait_flow_run(struct tool_call *call)
{
	return wait_begin(call, &run_wait, tool_arg_str(call, "run_id"),
			  wait_limit_s(call, "timeout_seconds",
				       WAIT_DEFAULT_TIMEOUT_S), NULL);
}

/* The started run as the result, after waiting when wait_seconds asks. */
static int start_then_wait(struct tool_call *call, cJSON *started)
{
	long seconds = wait_limit_s(call, "wait_seconds", 0);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(started, "run_id");

	if (!seconds || !cJSON_IsString(id))
		return tool_ok(call, started);
	return wait_begin(call, &run_wait, id->valuestring, seconds, started);
}

static int start_flow_run(struct tool_call *call)
{
	const char *id = tool_arg_str(call, "saved_item_id");
	const cJSON *given = tool_arg(call, "inputs");
	const cJSON *body = tool_arg(call, "body"), *v;
	struct http_request req;
	cJSON *json = NULL;

	if (body ? check_body(call, body) < 0 : check_inputs(call, id, given) < 0)
		return -1;
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		if (given && cJSON_GetArraySize(given))
			cJSON_AddItemToObject(req.json, "pipeline_inputs",
					      pipeline_inputs(given));
		/* Gumloop hands the whole body to the Webhook Input node */
		cJSON_ArrayForEach(v, body)
			cJSON_AddItemToObject(req.json, v->string,
					      cJSON_Duplicate(v, 1));
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	return json ? start_then_wait(call, json) : -1;
}

/* ---- the table -------------------------------------------------------- */

static const struct param saved_item_param[] = {
	{ "saved_item_id", P_STRING, IN_QUERY, REQUIRED,
	  "from list_all_gumloop_flows", NULL },
	{ 0 }
};

static const struct param start_params[] = {
	{ "saved_item_id", P_STRING, IN_BODY, REQUIRED,
	  "from list_all_gumloop_flows", NULL },
	{ "inputs", P_OBJECT, IN_LOCAL, 0, "{input name: value}", NULL },
	{ "body", P_OBJECT, IN_LOCAL, 0,
	  "instead of inputs: a Webhook Input flow's whole JSON body", NULL },
	{ 0 }
};

static const struct param run_query_param[] = {
	{ "run_id", P_STRING, IN_QUERY, REQUIRED,
	  "from create_a_gumloop_flow_run", NULL },
	{ 0 }
};

static const struct param run_wait_param[] = {
	{ "run_id", P_STRING, IN_LOCAL, REQUIRED,
	  "from create_a_gumloop_flow_run", NULL },
	{ 0 }
};

static const struct param run_body_param[] = {
	{ "run_id", P_STRING, IN_BODY, REQUIRED, "the run to stop", NULL },
	{ 0 }
};

static const struct param history_params[] = {
	{ "saved_item_id", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "workbook_id", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ 0 }
};

const struct tool_def flows_tools[] = {
	{ .name = "list_all_gumloop_flows", .title = "List flows",
	  .description = "List the flows (saved items) the user can run: "
		"saved_item_id, name, description.",
	  .access = TOOL_READ, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/list_saved_items",
	  .output_schema = flows_schema },
	{ .name = "list_all_gumloop_workbooks", .title = "List workbooks",
	  .description = "List the user's workbooks with their flows.",
	  .access = TOOL_READ, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/list_workbooks",
	  .output_schema = workbooks_schema },
	{ .name = "get_single_gumloop_automation_by_id",
	  .title = "Get a flow's input schema",
	  .description = "Get a flow's inputs (name, data_type, "
		"description): call before create_a_gumloop_flow_run.",
	  .access = TOOL_READ, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/get_inputs", .params = saved_item_param,
	  .output_schema = inputs_schema },
	{ .name = "create_a_gumloop_flow_run", .title = "Start a flow run",
	  .description = "Start a flow run (spends credits); unknown or "
		"missing input names are refused first. Then "
		"wait_for_gumloop_flow_run.",
	  .access = TOOL_WRITE, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/start_pipeline", .params = start_params,
	  .output_schema = started_schema, .flags = T_WAITABLE | T_TASK,
	  .handler = start_flow_run },
	{ .name = "get_single_gumloop_flow_run_by_id", .title = "Get a flow run",
	  .description = "Get a flow run: state (QUEUED, RUNNING, DONE, "
		"FAILED, TERMINATING, TERMINATED), outputs once DONE, log.",
	  .access = TOOL_READ, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/get_pl_run", .params = run_query_param,
	  .output_schema = run_schema },
	{ .name = "wait_for_gumloop_flow_run", .title = "Wait for a flow run",
	  .description = "Wait until a flow run ends and return its "
		"outputs; FAILED is an error with Gumloop's log.",
	  .access = TOOL_READ, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/get_pl_run", .params = run_wait_param,
	  .output_schema = run_schema, .flags = T_WAIT,
	  .handler = wait_flow_run },
	{ .name = "kill_a_gumloop_flow_run", .title = "Kill a flow run",
	  .description = "Stop a running flow run and all its subflow runs.",
	  .access = TOOL_WRITE, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/kill_pipeline", .params = run_body_param,
	  .output_schema = kill_schema, .flags = T_DESTRUCTIVE | T_IDEMPOTENT },
	{ .name = "list_all_gumloop_flow_runs", .title = "List recent flow runs",
	  .description = "List the 10 latest runs of a flow (saved_item_id) "
		"or of each flow of a workbook (workbook_id).",
	  .access = TOOL_READ, .tag = "flows", .scope = SCOPE_LEGACY,
	  .method = "GET", .path = "/get_plrun_saved_item_map",
	  .params = history_params, .one_of = "saved_item_id|workbook_id" },
	{ 0 }
};
