/*
 * Prompts: the steps of a common job (run a flow, ask an agent) as a
 * message a model can follow with the tools of this server, and the
 * completions of their arguments from Gumloop's own lists.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "writer.h"
#include "prompts.h"
#include "resources.h"
#include "util.h"

#define MAX_COMPLETIONS 100

struct prompt_arg {
	const char *name;
	const char *description;
	int required;
	/* Completion source: the list tool and the field of its items. */
	const char *list_tool;
	const char *field;
};

struct prompt {
	const char *name;
	const char *title;
	const char *description;
	const struct prompt_arg *args;		/* zero-terminated */
	const char *const *tools;		/* NULL-terminated: all needed */
	char *(*render)(const cJSON *args);	/* the user message */
};

static const char *arg_str(const cJSON *args, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, name));
}

/* ---- the prompts ------------------------------------------------------ */

static char *render_run_flow(const cJSON *args)
{
	const char *flow = arg_str(args, "flow_name");
	const char *inputs = arg_str(args, "inputs");
	char *with = inputs && *inputs ?
		     xasprintf(", using these values: %s", inputs) :
		     xstrdup("; ask me for any value you cannot infer");
	char *text = xasprintf(
		"Run the Gumloop flow named \"%s\" for me, step by step.\n"
		"1. Discover: call list_all_gumloop_flows and pick the flow "
		"whose name is \"%s\" (if none or several match, show me the "
		"candidates and ask). Note its saved_item_id.\n"
		"2. Input schema: call get_single_gumloop_automation_by_id with "
		"that saved_item_id and read the inputs it takes (name, "
		"data_type, description).\n"
		"3. Run: call create_a_gumloop_flow_run with the saved_item_id "
		"and an inputs object keyed by exactly those input names%s. "
		"Pass an idempotency_key so that a retry cannot start a second "
		"run.\n"
		"4. Wait: call wait_for_gumloop_flow_run with the run_id until "
		"the state is DONE, FAILED or TERMINATED; if the result says "
		"timed_out, call it again.\n"
		"Then tell me the outputs, or, if the run failed, what its log "
		"says went wrong.", flow, flow, with);

	free(with);
	return text;
}

static char *render_ask_agent(const cJSON *args)
{
	const char *agent = arg_str(args, "agent_name");

	return xasprintf(
		"Ask the Gumloop agent named \"%s\" this question and bring me "
		"its answer:\n\n%s\n\n"
		"1. Discover: call list_all_gumloop_agents and pick the agent "
		"whose name is \"%s\" (if none or several match, show me the "
		"candidates and ask). Note its agent_id.\n"
		"2. Ask: call create_a_gumloop_session with that agent_id and "
		"the question as input. Pass an idempotency_key so that a retry "
		"cannot ask twice.\n"
		"3. Wait: call wait_for_gumloop_session with the session_id "
		"until it is idle, completed or failed; if the result says "
		"timed_out, call it again.\n"
		"Then give me the agent's final reply as it wrote it.",
		agent, arg_str(args, "question"), agent);
}

static const struct prompt_arg run_flow_args[] = {
	{ "flow_name", "the flow's name as Gumloop shows it", 1,
	  "list_all_gumloop_flows", "name" },
	{ "inputs", "the values to run it with, in words or as JSON", 0,
	  NULL, NULL },
	{ 0 }
};

static const struct prompt_arg ask_agent_args[] = {
	{ "agent_name", "the agent's name as Gumloop shows it", 1,
	  "list_all_gumloop_agents", "name" },
	{ "question", "what to ask the agent", 1, NULL, NULL },
	{ 0 }
};

static const char *const run_flow_tools[] = {
	"list_all_gumloop_flows", "get_single_gumloop_automation_by_id",
	"create_a_gumloop_flow_run", "wait_for_gumloop_flow_run", NULL,
};

static const char *const ask_agent_tools[] = {
	"list_all_gumloop_agents", "create_a_gumloop_session",
	"wait_for_gumloop_session", NULL,
};

#ifdef CONFORMANCE_FIXTURES
/* The conformance suite's fixture prompts (make conformance only). */
static char *render_simple(const cJSON *args)
{
	(void)args;
	return xstrdup("This is a simple prompt for testing.");
}

static char *render_with_arguments(const cJSON *args)
{
	return xasprintf("Prompt with arguments: arg1='%s', arg2='%s'",
			 arg_str(args, "arg1"), arg_str(args, "arg2"));
}

static const struct prompt_arg fixture_args[] = {
	{ "arg1", "First test argument", 1, NULL, NULL },
	{ "arg2", "Second test argument", 1, NULL, NULL },
	{ 0 }
};

static const char *const no_tools[] = { NULL };
static const struct prompt_arg no_args[] = { { 0 } };
#endif

static const struct prompt prompts[] = {
	{ "run_gumloop_flow", "Run a Gumloop flow",
	  "Find a flow by name, read its input schema, start a run with the "
	  "right inputs and wait for its outputs.",
	  run_flow_args, run_flow_tools, render_run_flow },
	{ "ask_gumloop_agent", "Ask a Gumloop agent",
	  "Find an agent by name, ask it a question in a new session and "
	  "wait for its reply.",
	  ask_agent_args, ask_agent_tools, render_ask_agent },
#ifdef CONFORMANCE_FIXTURES
	{ "test_simple_prompt", "Simple prompt", "A fixture.", no_args,
	  no_tools, render_simple },
	{ "test_prompt_with_arguments", "Prompt with arguments", "A fixture.",
	  fixture_args, no_tools, render_with_arguments },
#endif
};

/* 1 when every tool the prompt names is exposed. */
static int prompt_visible(const struct prompt *p)
{
	const char *const *t;

	for (t = p->tools; *t; t++)
		if (!resources_visible_tool(*t))
			return 0;
	return 1;
}

static const struct prompt *find_prompt(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(prompts); i++)
		if (!strcmp(prompts[i].name, name) && prompt_visible(&prompts[i]))
			return &prompts[i];
	return NULL;
}

/* ---- prompts/list and prompts/get ------------------------------------- */

static cJSON *describe(const struct prompt *p)
{
	cJSON *d = cJSON_CreateObject(), *args, *a;
	const struct prompt_arg *pa;

	cJSON_AddStringToObject(d, "name", p->name);
	cJSON_AddStringToObject(d, "title", p->title);
	cJSON_AddStringToObject(d, "description", p->description);
	args = cJSON_AddArrayToObject(d, "arguments");
	for (pa = p->args; pa->name; pa++) {
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "name", pa->name);
		cJSON_AddStringToObject(a, "description", pa->description);
		cJSON_AddBoolToObject(a, "required", pa->required);
		cJSON_AddItemToArray(args, a);
	}
	return d;
}

cJSON *prompts_list(struct server *srv, const cJSON *params,
		    struct rpc_error *err)
{
	cJSON *result, *list;
	long offset;
	size_t i;

	(void)srv;
	if (mcp_parse_cursor(params, "prompts", &offset) < 0 || offset > 0)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid "
				"params.cursor: the prompt list has one page; "
				"send no cursor");
	result = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(result, "prompts");
	for (i = 0; i < ARRAY_SIZE(prompts); i++)
		if (prompt_visible(&prompts[i]))
			cJSON_AddItemToArray(list, describe(&prompts[i]));
	return result;
}

/* Checks the arguments against the prompt; -1 with *err filled. */
static int check_prompt_args(const struct prompt *p, const cJSON *args,
			     struct rpc_error *err)
{
	const struct prompt_arg *pa;
	const cJSON *v;

	if (args && !cJSON_IsObject(args))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "params.arguments "
				"must be an object of strings"), -1;
	cJSON_ArrayForEach(v, args) {
		for (pa = p->args; pa->name && strcmp(pa->name, v->string); pa++)
			;
		if (!pa->name)
			return rpc_fail(err, JSONRPC_INVALID_PARAMS, "unknown "
					"argument '%s' for prompt '%s'",
					v->string, p->name), -1;
		if (!cJSON_IsString(v))
			return rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid "
					"argument '%s': prompt arguments are "
					"strings", v->string), -1;
	}
	for (pa = p->args; pa->name; pa++) {
		const char *s = arg_str(args, pa->name);

		if (pa->required && (!s || !*s))
			return rpc_fail(err, JSONRPC_INVALID_PARAMS, "missing "
					"required argument '%s' for prompt "
					"'%s': %s", pa->name, p->name,
					pa->description), -1;
	}
	return 0;
}

cJSON *prompts_get(struct server *srv, const cJSON *params,
		   struct rpc_error *err)
{
	const char *name = arg_str(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	const struct prompt *p = find_prompt(name);
	cJSON *result, *msg, *content;
	char *text;

	(void)srv;
	if (!p)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "unknown prompt "
				"'%s': see prompts/list", name ? name : "");
	if (cJSON_IsNull(args))
		args = NULL;
	if (check_prompt_args(p, args, err) < 0)
		return NULL;
	text = p->render(args);
	result = cJSON_CreateObject();
	cJSON_AddStringToObject(result, "description", p->description);
	msg = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(result, "messages"), msg);
	cJSON_AddStringToObject(msg, "role", "user");
	content = cJSON_AddObjectToObject(msg, "content");
	cJSON_AddStringToObject(content, "type", "text");
	cJSON_AddStringToObject(content, "text", text);
	free(text);
	return result;
}

/* ---- completion/complete ---------------------------------------------- */

/* Candidates for argument arg of prompt p: a new array, or NULL when the
 * prompt has no such argument. */
static cJSON *prompt_candidates(struct server *srv, const struct prompt *p,
				const char *arg)
{
	const struct prompt_arg *pa;
	cJSON *list, *values;

	for (pa = p->args; pa->name && strcmp(pa->name, arg); pa++)
		;
	if (!pa->name)
		return NULL;
	if (!pa->list_tool)
		return cJSON_CreateArray();
	list = resources_tool_json(srv, pa->list_tool, NULL);
	values = resources_pluck(list, pa->field);
	cJSON_Delete(list);
	return values;
}

/* Appends to out the candidates that start (starts = 1) or only contain
 * value, case-insensitively, skipping repeats. */
static void add_matches(cJSON *out, const cJSON *candidates,
			const char *value, int starts)
{
	const cJSON *c, *o;
	size_t n = strlen(value);
	int dup;

	cJSON_ArrayForEach(c, candidates) {
		const char *s = c->valuestring;
		int prefix = !strncasecmp(s, value, n);

		if (starts ? !prefix : prefix || !strcasestr(s, value))
			continue;
		dup = 0;
		cJSON_ArrayForEach(o, out)
			dup |= !strcmp(o->valuestring, s);
		if (!dup)
			cJSON_AddItemToArray(out, cJSON_CreateString(s));
	}
}

/* {completion: {values (at most 100), total, hasMore}}; takes candidates. */
static cJSON *completion_of(cJSON *candidates, const char *value)
{
	cJSON *result = cJSON_CreateObject();
	cJSON *completion = cJSON_AddObjectToObject(result, "completion");
	cJSON *all = cJSON_CreateArray(), *values;
	int total, i;

	add_matches(all, candidates, value, 1);
	add_matches(all, candidates, value, 0);
	cJSON_Delete(candidates);
	total = cJSON_GetArraySize(all);
	values = cJSON_AddArrayToObject(completion, "values");
	for (i = 0; i < total && i < MAX_COMPLETIONS; i++)
		cJSON_AddItemToArray(values, cJSON_Duplicate(
			cJSON_GetArrayItem(all, i), 1));
	cJSON_AddNumberToObject(completion, "total", total);
	cJSON_AddBoolToObject(completion, "hasMore", total > MAX_COMPLETIONS);
	cJSON_Delete(all);
	return result;
}

cJSON *completion_complete(struct server *srv, const cJSON *params,
			   struct rpc_error *err)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(params, "ref");
	const cJSON *argument = cJSON_GetObjectItemCaseSensitive(params,
								 "argument");
	const char *type = arg_str(ref, "type");
	const char *arg = arg_str(argument, "name");
	const char *value = arg_str(argument, "value");
	const struct prompt *p;
	cJSON *candidates = NULL;

	if (!type || !arg || !value)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "completion/complete "
				"needs params.ref {type, name or uri} and "
				"params.argument {name, value}");
	if (!strcmp(type, "ref/prompt")) {
		p = find_prompt(arg_str(ref, "name"));
		if (!p)
			return rpc_fail(err, JSONRPC_INVALID_PARAMS, "unknown "
					"prompt '%s': see prompts/list",
					arg_str(ref, "name") ?
					arg_str(ref, "name") : "");
		candidates = prompt_candidates(srv, p, arg);
	} else if (!strcmp(type, "ref/resource") && arg_str(ref, "uri")) {
		candidates = resources_complete(srv, arg_str(ref, "uri"), arg);
		if (!candidates)
			return rpc_fail(err, JSONRPC_INVALID_PARAMS, "unknown "
					"resource template '%s': see "
					"resources/templates/list",
					arg_str(ref, "uri"));
	} else {
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid params.ref:"
				" type is ref/prompt (with name) or ref/resource "
				"(with uri)");
	}
	if (!candidates)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "unknown argument "
				"'%s'", arg);
	return completion_of(candidates, value);
}
