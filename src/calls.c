/*
 * The calls in flight: a tools/call that waits is kept here, stepped when
 * its poll is due, answered when it ends (out of order), cancelled by
 * notifications/cancelled; what a call may ask of the protocol (a look at
 * the input, progress, the client's log, a form for its user) is passed
 * down to the tool layer as struct call_hooks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "json.h"
#include "log.h"
#include "mcp.h"
#include "policy.h"
#include "tasks.h"

static struct server *the_server;	/* for the hooks: one per process */

void calls_init(struct server *srv)
{
	the_server = srv;
}


static void answer_ended(struct server *srv);

static struct mcp_call *owner_of(struct tool_call *call)
{
	return call->owner;
}

/* Looks at the input for a call that answers req. */
static int check_for(struct tool_call *call, const struct mcp_request *req)
{
	struct server *srv = the_server;

	if (srv->look_at_input)
		srv->look_at_input(srv->input_ctx);
	if (req->cancelled)
		call->cancelled = 1;
	/* a wait's poll changes nothing: input's end or a stop cuts it */
	return call->cancelled ||
	       (call->wait && (srv->eof || stop_requested || writer_closed()));
}

static int hook_check(struct tool_call *call)
{
	return check_for(call, &owner_of(call)->req);
}

static void hook_progress(struct tool_call *call, const char *message)
{
	struct mcp_call *mc = owner_of(call);

	mcp_progress(&mc->req, message);
	if (mc->task)
		tasks_call_progress(mc->task, message);
}

static void hook_log(struct tool_call *call, int level, const char *message)
{
	mcp_log_to(the_server, &owner_of(call)->req, (enum mcp_log_level)level,
	       "gumloop", message);
}

static void ask_free(struct mcp_ask *a)
{
	if (!a)
		return;
	cJSON_Delete(a->keys);
	cJSON_Delete(a->forms);
	cJSON_Delete(a->answers);
	free(a);
}

/* Sends the forms as elicitation/create requests (a legacy client). */
static void send_forms(struct server *srv, struct mcp_call *mc)
{
	const cJSON *form;
	cJSON *params, *meta, *id;
	char text[48];

	cJSON_ArrayForEach(form, mc->ask->forms) {
		snprintf(text, sizeof(text), "gumloop-ask-%ld", ++srv->asks);
		cJSON_AddItemToArray(mc->ask->keys, cJSON_CreateString(text));
		params = cJSON_Duplicate(form, 1);
		if (mc->req.version && strcmp(mc->req.version, "2025-11-25") >= 0)
			cJSON_AddStringToObject(params, "mode", "form");
		if (mc->task) {
			meta = cJSON_AddObjectToObject(params, "_meta");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(meta,
				"io.modelcontextprotocol/related-task"),
				"taskId", tasks_id(mc->task));
		}
		id = cJSON_CreateString(text);
		writer_request(id, "elicitation/create", params);
		cJSON_Delete(id);
	}
}

/*
 * The user is asked where the client can ask: a legacy client that
 * declared elicitation gets elicitation/create requests; a modern task's
 * forms wait in its inputRequests (tasks/update answers them). Elsewhere
 * (a modern plain call) nothing can be asked.
 */
static int hook_ask(struct tool_call *call, const cJSON *forms)
{
	struct mcp_call *mc = owner_of(call);
	struct server *srv = the_server;
	int i, n = cJSON_GetArraySize(forms);

	if (mc->ask || !n || (mc->req.modern ? !(mc->task && mc->req.tasks_ext)
				     : !srv->elicitation))
		return -1;
	mc->ask = xcalloc(1, sizeof(*mc->ask));
	mc->ask->keys = cJSON_CreateArray();
	mc->ask->forms = cJSON_Duplicate(forms, 1);
	mc->ask->answers = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(mc->ask->answers, cJSON_CreateNull());
	mc->ask->unanswered = n;
	if (mc->req.modern)
		tasks_key_forms(mc->task, mc->ask);
	else
		send_forms(srv, mc);
	if (mc->task)
		tasks_status_changed(mc->task);
	return 0;
}

void mcp_give_answer(struct server *srv, struct mcp_call *mc, int i,
		     cJSON *take_answer)
{
	struct mcp_ask *a = mc->ask;
	const cJSON *old = a ? cJSON_GetArrayItem(a->answers, i) : NULL;

	if (!old || !cJSON_IsNull(old)) {	/* not asked, or answered */
		cJSON_Delete(take_answer);
		return;
	}
	cJSON_ReplaceItemInArray(a->answers, i, take_answer);
	if (--a->unanswered)
		return;
	mc->ask = NULL;
	srv->current = &mc->req;
	tool_call_answer(mc->call, a->answers);
	srv->current = NULL;
	ask_free(a);
	if (mc->task)
		tasks_status_changed(mc->task);
}

/* A response of the client: the answer to a form a call asked. */
void mcp_client_response(struct server *srv, const char *rid, size_t rlen,
			 const cJSON *msg)
{
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(msg, "result");
	struct mcp_call *mc;
	const cJSON *key;
	cJSON *answer;
	int i;

	for (mc = srv->calls; mc; mc = mc->next) {
		if (!mc->ask || mc->req.modern)
			continue;
		i = 0;
		cJSON_ArrayForEach(key, mc->ask->keys) {
			if (mcp_same_id(rid, rlen, key->valuestring,
					strlen(key->valuestring)) ||
			    (rlen == strlen(key->valuestring) + 2 &&
			     !strncmp(rid + 1, key->valuestring, rlen - 2))) {
				/* an error answers as a cancelled form */
				answer = cJSON_IsObject(result) ?
					 cJSON_Duplicate(result, 1) :
					 cJSON_Parse("{\"action\":\"cancel\"}");
				mcp_give_answer(srv, mc, i, answer);
				answer_ended(srv);
				return;
			}
			i++;
		}
	}
	log_debug("a response to nothing this server asked: ignored");
}

const struct call_hooks mcp_call_hooks = {
	hook_check, hook_progress, hook_log, hook_ask
};

/* The tool layer numbers log levels as this one does. */
_Static_assert((int)TOOL_LOG_DEBUG == (int)MCP_LOG_DEBUG &&
	       (int)TOOL_LOG_NOTICE == (int)MCP_LOG_NOTICE &&
	       (int)TOOL_LOG_ERROR == (int)MCP_LOG_ERROR,
	       "tool and mcp log levels differ");

/* A tool called in place while a request is handled (resources/read,
 * prompts/get, a completion): its owner is that request. */
static int request_check(struct tool_call *call)
{
	return check_for(call, call->owner);
}

static void request_log(struct tool_call *call, int level,
			const char *message)
{
	mcp_log_to(the_server, call->owner, (enum mcp_log_level)level, "gumloop",
	       message);
}

const struct call_hooks mcp_request_hooks = {
	request_check, NULL, request_log, NULL
};


/* Ends a waiting call: its result goes out unless it was cancelled. */
static void answer_call(struct mcp_call *mc)
{
	char *cause = NULL;
	cJSON *result = tool_call_finish(mc->call, &cause);

	mc->call = NULL;
	if (mc->task) {
		tasks_call_ended(the_server, mc->task, result, cause);
	} else if (mc->req.cancelled) {
		cJSON_Delete(result);
	} else if (result) {
		if (mc->req.modern)
			mcp_decorate_modern(result, 0);
		writer_send_result(mc->req.id, result);
	} else {
		writer_send_error(mc->req.id, JSONRPC_INVALID_PARAMS,
				  cause ? cause : "the call was refused", NULL);
	}
	free(cause);
	cJSON_Delete(mc->req.id);
	cJSON_Delete(mc->req.progress_token);
	ask_free(mc->ask);
	free(mc);
}

void mcp_keep_call(struct server *srv, struct mcp_call *mc)
{
	struct mcp_call **tail = &srv->calls;
	size_t ahead = 0;
	char msg[64];

	for (; *tail; tail = &(*tail)->next)
		ahead += (*tail)->queued;
	*tail = mc;
	if (srv->polling < MCP_MAX_WAITS) {
		srv->polling++;
		return;
	}
	mc->queued = 1;
	snprintf(msg, sizeof(msg), "queued behind %zu other waits",
		 ahead + MCP_MAX_WAITS);
	mcp_progress(&mc->req, msg);
}

/*
 * Whether a tools/call runs as a task: asked with params.task (2025-11-25),
 * or, for a tool that starts or waits for Gumloop work, a client that
 * declared the tasks extension (2026-07-28: the server decides).
 */
static int wants_task(const struct mcp_request *req, const cJSON *task,
		      const char *name)
{
	const struct tool_def *def = tool_find(name);

	if (req->modern)
		return req->tasks_ext && def && tool_runs_as_task(def) &&
		       !policy_hidden_by(def);
	return cJSON_IsObject(task) && req->version &&
	       strcmp(req->version, "2025-11-25") >= 0;
}

cJSON *mcp_tools_call(struct server *srv, const cJSON *params,
		      struct rpc_error *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	const cJSON *task = cJSON_GetObjectItemCaseSensitive(params, "task");
	struct mcp_request *req = srv->current;
	struct call_env env = { &mcp_call_hooks, NULL, NULL, 0 };
	struct mcp_call *mc;
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
	if (wants_task(req, task, name->valuestring))
		return tasks_start(srv, name->valuestring,
				   cJSON_IsObject(args) ? args : NULL, task, err);
	mc = xcalloc(1, sizeof(*mc));
	mc->req = *req;	/* shares id and token until it keeps them */
	srv->current = &mc->req;	/* a cancellation marks it */
	env.owner = mc;
	env.version = mcp_version(srv);
	mc->call = tool_call_start(name->valuestring,
				   cJSON_IsObject(args) ? args : NULL, &env);
	srv->current = req;
	req->cancelled |= mc->req.cancelled;
	req->progress = mc->req.progress;
	if (tool_call_waiting(mc->call) && !req->cancelled) {
		req->deferred = 1;	/* the id and token move to mc */
		req->id = req->progress_token = NULL;
		mcp_keep_call(srv, mc);
		return NULL;
	}
	result = tool_call_finish(mc->call, &cause);
	free(mc);
	if (!result && !req->cancelled)
		rpc_fail(err, JSONRPC_INVALID_PARAMS, "%s",
			 cause ? cause : "the call was refused");
	free(cause);
	return result;
}

int mcp_same_id(const char *a, size_t alen, const char *b, size_t blen)
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

static int is_request(const struct mcp_request *req, const char *rid,
		      size_t rlen)
{
	return req && req->id && mcp_same_id(rid, rlen, req->id->valuestring,
					     strlen(req->id->valuestring));
}

int mcp_cancel(struct server *srv, const char *rid, size_t rlen)
{
	struct mcp_call *mc;

	if (is_request(srv->current, rid, rlen)) {
		srv->current->cancelled = 1;
		return 1;
	}
	for (mc = srv->calls; mc; mc = mc->next)
		if (!mc->task && is_request(&mc->req, rid, rlen)) {
			mc->req.cancelled = 1;
			return 1;
		}
	/* a task is cancelled by tasks/cancel, its tasks/result like this */
	return tasks_cancel_waiter(srv, rid, rlen);
}

/* ---- waits ------------------------------------------------------------ */

static long poll_gap_ms(void)
{
	return cfg.poll_rate > 0 ? 1000 / cfg.poll_rate : 0;
}

/* A queued call polls when a slot frees up, or once when its time is up
 * (its answer still comes within timeout_seconds + 1 s). */
static long long due_of(const struct mcp_call *mc)
{
	return mc->queued ? tool_call_deadline(mc->call)
			  : tool_call_due(mc->call);
}

long long mcp_next_due(const struct server *srv)
{
	const struct mcp_call *mc;
	long long due = -1, end = -1;

	for (mc = srv->calls; mc; mc = mc->next) {
		if (mc->req.cancelled)
			return 0;
		if (due < 0 || due_of(mc) < due)
			due = due_of(mc);
		if (end < 0 || tool_call_deadline(mc->call) < end)
			end = tool_call_deadline(mc->call);
	}
	if (due >= 0 && due < srv->next_poll)
		due = srv->next_poll;
	return end >= 0 && end < due ? end : due;
}

/* Takes mc off the list; the first queued call starts polling. */
static void unlink_call(struct server *srv, struct mcp_call *mc)
{
	struct mcp_call **p, *q;

	for (p = &srv->calls; *p != mc; p = &(*p)->next)
		;
	*p = mc->next;
	if (mc->queued)
		return;
	srv->polling--;
	for (q = srv->calls; q; q = q->next)
		if (q->queued) {
			q->queued = 0;
			srv->polling++;
			break;
		}
}

/* The call due first (a queued one at its deadline), or NULL. */
static struct mcp_call *earliest(struct server *srv)
{
	struct mcp_call *mc, *best = NULL;

	for (mc = srv->calls; mc; mc = mc->next)
		if (!best || due_of(mc) < due_of(best))
			best = mc;
	return best;
}

/* Answers (or drops) every call that was cancelled or has ended. */
static void answer_ended(struct server *srv)
{
	struct mcp_call *mc = srv->calls, *next;

	for (; mc; mc = next) {
		next = mc->next;
		if (mc->req.cancelled)
			mc->call->cancelled = 1;
		if (tool_call_waiting(mc->call))
			continue;
		unlink_call(srv, mc);
		answer_call(mc);
	}
}

/* A call whose time is up, or NULL. It ends with the state it has; one
 * that has seen none makes its one poll without waiting for the
 * --poll-rate gate: the answer comes within timeout_seconds + 1 s
 * however many waits share the rate. */
static struct mcp_call *out_of_time(struct server *srv, long long now)
{
	struct mcp_call *mc;

	for (mc = srv->calls; mc; mc = mc->next)
		if (tool_call_deadline(mc->call) <= now)
			return mc;
	return NULL;
}

void mcp_run_due(struct server *srv)
{
	struct mcp_call *mc;
	long long now = now_ms();

	answer_ended(srv);
	if ((mc = out_of_time(srv, now)) && tool_call_time_up(mc->call)) {
		answer_ended(srv);
		return;
	}
	if (!mc) {
		mc = earliest(srv);
		if (!mc || due_of(mc) > now || srv->next_poll > now)
			return;
		srv->next_poll = now + poll_gap_ms();
	}
	mcp_step_call(srv, mc);
}

void mcp_step_call(struct server *srv, struct mcp_call *mc)
{
	struct mcp_request *outer = srv->current;

	srv->current = &mc->req;
	tool_call_step(mc->call);
	srv->current = outer;
	answer_ended(srv);
}

void mcp_release(struct server *srv)
{
	struct mcp_call *mc;

	while ((mc = srv->calls)) {
		srv->calls = mc->next;
		if (mc->req.cancelled)
			mc->call->cancelled = 1;
		else
			tool_call_stop(mc->call);
		answer_call(mc);
	}
	srv->polling = 0;
	tasks_release(srv);
}

