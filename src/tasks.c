/*
 * MCP tasks: a tools/call that starts or waits for Gumloop work, kept as a
 * wait job of the loop with its answer stored, in the shapes of both
 * protocol eras. Ids are durable: "<kind>.<gumloop id, base64url>.<random>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "crypto.h"
#include "log.h"
#include "tasks.h"
#include "wait.h"

#define TASK_TTL_DEFAULT_MS 3600000L
#define TASK_TTL_MIN_MS 60000L
#define TASK_TTL_MAX_MS 86400000L
#define TASKS_KEPT_MAX 1000
#define TASKS_PAGE 50
#define RELATED_TASK "io.modelcontextprotocol/related-task"

/* The Gumloop jobs a task id can name, and how a new process follows one. */
static const struct job_kind {
	const char *code;	/* in the task id */
	const char *id_name;	/* the wait's id argument */
	const char *wait_tool;
	const char *stop_tool;	/* ends the job upstream, or NULL */
} kinds[] = {
	{ "run", "run_id", "wait_for_gumloop_flow_run", "kill_a_gumloop_flow_run" },
	{ "ses", "session_id", "wait_for_gumloop_session",
	  "cancel_a_gumloop_session" },
	{ "int", "interaction_id", "wait_for_gumloop_agent_interaction", NULL },
};

struct waiter {			/* a tasks/result request not yet answered */
	cJSON *id;
	struct waiter *next;
};

struct task {
	char *id;
	const struct job_kind *kind;	/* NULL: no Gumloop job to follow */
	char *job_id;
	char *message;			/* statusMessage, or NULL */
	long long created, updated;	/* wall clock, ms */
	long ttl_ms;
	int legacy;			/* made by a 2025-11-25 request */
	int ended, cancelled;
	long asked;			/* inputRequests keys given so far */
	cJSON *result;			/* the CallToolResult, once ended */
	cJSON *error;			/* or the JSON-RPC error that ended it */
	struct mcp_call *running;	/* its call while it runs */
	struct waiter *waiters;
	struct task *next;
};

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_time(cJSON *obj, const char *name, long long ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char text[32];

	gmtime_r(&s, &tm);
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(obj, name, text);
}

/* ---- ids -------------------------------------------------------------- */

static char *random_hex(void)
{
	unsigned char bytes[12];
	char *hex = xmalloc(2 * sizeof(bytes) + 1);
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;

	if (!f || fread(bytes, 1, sizeof(bytes), f) != sizeof(bytes)) {
		/* no /dev/urandom (a chroot): the clock, hashed, still varies */
		long long seed[2] = { wall_ms(), now_ms() };
		char hex2[65];

		crypto_sha256_hex(seed, sizeof(seed), hex2);
		memcpy(bytes, hex2, sizeof(bytes));
	}
	if (f)
		fclose(f);
	for (i = 0; i < sizeof(bytes); i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	return hex;
}

static char *base64url(const char *s)
{
	char *b = crypto_base64_encode(s, strlen(s)), *p;

	for (p = b; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	while (p > b && p[-1] == '=')
		*--p = '\0';
	return b;
}

/* Gumloop's id from its base64url form, or NULL when it is not one. */
static char *from_base64url(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	unsigned char *raw;
	size_t i, n;
	char *id = NULL;

	for (i = 0; i < len; i++)
		buf_addf(&b, "%c", s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i]);
	while (b.len % 4)
		buf_addstr(&b, "=");
	raw = b.data ? crypto_base64_decode(b.data, b.len, &n) : NULL;
	buf_release(&b);
	if (!raw)
		return NULL;
	for (i = 0; i < n && raw[i] >= 0x21 && raw[i] < 0x7f; i++)
		;
	if (n && i == n && n <= 256)
		id = xstrndup((const char *)raw, n);
	free(raw);
	return id;
}

static char *make_id(const struct job_kind *kind, const char *job_id)
{
	char *r = random_hex(), *b, *id;

	if (!kind) {
		id = xasprintf("x.%s", r);
	} else {
		b = base64url(job_id);
		id = xasprintf("%s.%s.%s", kind->code, b, r);
		free(b);
	}
	free(r);
	return id;
}

/* Reads a durable id: its kind and Gumloop id; -1 when malformed. */
static int parse_id(const char *id, const struct job_kind **kind,
		    char **job_id)
{
	const char *dot1 = strchr(id, '.'), *dot2;
	size_t i;

	*kind = NULL;
	*job_id = NULL;
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || strlen(dot2 + 1) != 24 ||
	    strspn(dot2 + 1, "0123456789abcdef") != 24)
		return -1;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if ((size_t)(dot1 - id) == strlen(kinds[i].code) &&
		    !strncmp(id, kinds[i].code, strlen(kinds[i].code)))
			*kind = &kinds[i];
	if (!*kind)
		return -1;
	*job_id = from_base64url(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	return *job_id ? 0 : -1;
}

static const struct job_kind *kind_of_wait(const struct tool_call *call)
{
	size_t i;

	for (i = 0; call->wait && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(call->wait->kind->id_name, kinds[i].id_name))
			return &kinds[i];
	return NULL;
}

/* ---- the table -------------------------------------------------------- */

static void task_free(struct task *t)
{
	struct waiter *w;

	while ((w = t->waiters)) {
		t->waiters = w->next;
		cJSON_Delete(w->id);
		free(w);
	}
	free(t->id);
	free(t->job_id);
	free(t->message);
	cJSON_Delete(t->result);
	cJSON_Delete(t->error);
	free(t);
}

/* Forgets ended tasks past their TTL, and the oldest ended ones beyond
 * TASKS_KEPT_MAX (a task still running is never dropped). */
static void expire(struct server *srv)
{
	struct task **p = &srv->tasks, *t, **oldest = NULL;
	long long now = wall_ms();
	size_t n = 0;

	while ((t = *p)) {
		if (t->ended && !t->waiters && now > t->created + t->ttl_ms) {
			*p = t->next;
			task_free(t);
			continue;
		}
		if (t->ended && !t->waiters)
			oldest = p;	/* the list is newest first */
		n++;
		p = &t->next;
	}
	if (n > TASKS_KEPT_MAX && oldest) {
		t = *oldest;
		*oldest = t->next;
		task_free(t);
	}
}

static struct task *find(struct server *srv, const char *id)
{
	struct task *t;

	for (t = srv->tasks; t; t = t->next)
		if (!strcmp(t->id, id))
			return t;
	return NULL;
}

static struct task *task_new(struct server *srv, const struct job_kind *kind,
			     const char *job_id, long ttl_ms, int legacy)
{
	struct task *t = xcalloc(1, sizeof(*t));

	t->kind = kind;
	t->job_id = job_id ? xstrdup(job_id) : NULL;
	t->id = make_id(kind, job_id);
	t->created = t->updated = wall_ms();
	t->ttl_ms = ttl_ms;
	t->legacy = legacy;
	t->next = srv->tasks;
	srv->tasks = t;
	expire(srv);
	return t;
}

/* ---- shapes ----------------------------------------------------------- */

static int result_is_error(const cJSON *result)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError"));
}

/* A tool error is "failed" in 2025-11-25, "completed" in 2026-07-28. */
static const char *status_of(const struct task *t, int modern)
{
	if (t->cancelled)
		return "cancelled";
	if (!t->ended)
		return t->running && t->running->ask ? "input_required"
						     : "working";
	if (t->error || (!modern && result_is_error(t->result)))
		return "failed";
	return "completed";
}

static long poll_interval(const struct task *t)
{
	const struct tool_call *call = t->running ? t->running->call : NULL;

	if (call && call->wait)
		return call->wait->interval;
	return cfg.poll_ms;
}

static cJSON *task_json(const struct task *t, int modern)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "taskId", t->id);
	cJSON_AddStringToObject(o, "status", status_of(t, modern));
	if (t->message)
		cJSON_AddStringToObject(o, "statusMessage", t->message);
	add_time(o, "createdAt", t->created);
	add_time(o, "lastUpdatedAt", t->updated);
	cJSON_AddNumberToObject(o, modern ? "ttlMs" : "ttl", (double)t->ttl_ms);
	if (!t->ended)
		cJSON_AddNumberToObject(o, modern ? "pollIntervalMs"
						  : "pollInterval",
					(double)poll_interval(t));
	return o;
}

static void notify_status(const struct task *t)
{
	if (t->legacy)
		writer_notify("notifications/tasks/status", task_json(t, 0));
}

/* The forms asked, keyed as tasks/update answers them. */
static cJSON *input_requests(const struct mcp_ask *ask)
{
	cJSON *reqs = cJSON_CreateObject(), *r;
	const cJSON *key, *answer;
	int i = 0;

	cJSON_ArrayForEach(key, ask->keys) {
		answer = cJSON_GetArrayItem(ask->answers, i);
		if (cJSON_IsNull(answer)) {	/* still outstanding */
			r = cJSON_AddObjectToObject(reqs, key->valuestring);
			cJSON_AddStringToObject(r, "method", "elicitation/create");
			cJSON_AddItemToObject(r, "params", cJSON_Duplicate(
				cJSON_GetArrayItem(ask->forms, i), 1));
		}
		i++;
	}
	return reqs;
}

const char *tasks_id(const struct task *t)
{
	return t->id;
}

void tasks_key_forms(struct task *t, struct mcp_ask *ask)
{
	char key[32];
	int i, n = cJSON_GetArraySize(ask->forms);

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "approval-%ld", ++t->asked);
		cJSON_AddItemToArray(ask->keys, cJSON_CreateString(key));
	}
}

void tasks_status_changed(struct task *t)
{
	t->updated = wall_ms();
	notify_status(t);
}

/* The stored CallToolResult as a 2026-07-28 result: with its resultType
 * "complete", as the plain call answers it (the official ext-tasks client
 * refuses an inlined result without one). */
static cJSON *modern_result(const cJSON *result)
{
	cJSON *r = cJSON_Duplicate(result, 1);

	if (!cJSON_HasObjectItem(r, "resultType"))
		cJSON_AddStringToObject(r, "resultType", "complete");
	return r;
}

/* tasks/get in 2026-07-28: the result or error inline once ended. */
static cJSON *detailed(const struct task *t)
{
	cJSON *o = task_json(t, 1);

	if (!t->ended && t->running && t->running->ask)
		cJSON_AddItemToObject(o, "inputRequests", input_requests(
			t->running->ask));
	if (t->ended && !t->cancelled && t->error)
		cJSON_AddItemToObject(o, "error", cJSON_Duplicate(t->error, 1));
	else if (t->ended && !t->cancelled)
		cJSON_AddItemToObject(o, "result", modern_result(t->result));
	return o;
}


/* The stored answer of an ended task, as tasks/result gives it. */
static cJSON *final_result(const struct task *t)
{
	cJSON *r = cJSON_Duplicate(t->result, 1), *meta;

	meta = cJSON_GetObjectItemCaseSensitive(r, "_meta");
	if (!meta)
		meta = cJSON_AddObjectToObject(r, "_meta");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, RELATED_TASK),
				"taskId", t->id);
	return r;
}

static void answer_waiters(struct task *t)
{
	struct waiter *w;
	const cJSON *code, *msg;

	while ((w = t->waiters)) {
		t->waiters = w->next;
		if (t->error) {
			code = cJSON_GetObjectItemCaseSensitive(t->error, "code");
			msg = cJSON_GetObjectItemCaseSensitive(t->error, "message");
			writer_send_error(w->id, code->valueint,
					  msg->valuestring, NULL);
		} else if (t->cancelled) {
			writer_send_error(w->id, JSONRPC_INVALID_PARAMS,
					  "the task was cancelled", NULL);
		} else {
			writer_send_result(w->id, final_result(t));
		}
		cJSON_Delete(w->id);
		free(w);
	}
}

/* ---- running ---------------------------------------------------------- */

void tasks_call_ended(struct server *srv, struct task *t, cJSON *take_result,
		      const char *cause)
{
	(void)srv;
	t->running = NULL;
	if (t->ended) {		/* cancelled already: it stays so */
		cJSON_Delete(take_result);
		return;
	}
	t->ended = 1;
	t->updated = wall_ms();
	if (take_result) {
		t->result = take_result;
	} else {
		t->error = cJSON_CreateObject();
		cJSON_AddNumberToObject(t->error, "code", JSONRPC_INVALID_PARAMS);
		cJSON_AddStringToObject(t->error, "message",
					cause ? cause : "the call was refused");
	}
	free(t->message);
	t->message = NULL;
	notify_status(t);
	answer_waiters(t);
}

void tasks_call_progress(struct task *t, const char *message)
{
	free(t->message);
	t->message = xstrdup(message);
	t->updated = wall_ms();
}

/* The arguments a task runs with: its wait as long as its TTL. */
static cJSON *task_args(const struct tool_def *def, const cJSON *args,
			long ttl_ms)
{
	cJSON *a = args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject();
	const char *name = def->flags & T_WAIT ? "timeout_seconds"
					       : "wait_seconds";

	cJSON_DeleteItemFromObjectCaseSensitive(a, name);
	cJSON_AddNumberToObject(a, name, (double)(ttl_ms / 1000));
	return a;
}

static long requested_ttl(const cJSON *task_params)
{
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(task_params, "ttl");
	long ms = cJSON_IsNumber(ttl) ? (long)ttl->valuedouble
				      : TASK_TTL_DEFAULT_MS;

	return ms < TASK_TTL_MIN_MS ? TASK_TTL_MIN_MS :
	       ms > TASK_TTL_MAX_MS ? TASK_TTL_MAX_MS : ms;
}

/* Starts name as a task's call; the task follows its job, or holds the
 * answer at once when there is no job to follow (a refusal, a failed
 * create). */
static struct task *run_task(struct server *srv, const char *name,
			     const cJSON *args, long ttl_ms, int legacy,
			     cJSON *progress_token)
{
	struct mcp_call *mc = xcalloc(1, sizeof(*mc));
	struct call_env env = { &mcp_call_hooks, mc, mcp_version(srv),
				ttl_ms / 1000 };
	const struct tool_def *def = tool_find(name);
	cJSON *a = def ? task_args(def, args, ttl_ms) : NULL;
	struct task *t;
	char *cause = NULL;

	mc->req.version = env.version;
	mc->req.modern = !legacy;
	mc->req.tasks_ext = !legacy;
	mc->req.progress_token = progress_token;
	mc->call = tool_call_start(name, a ? a : args, &env);
	cJSON_Delete(a);
	t = task_new(srv, kind_of_wait(mc->call),
		     mc->call->wait ? mc->call->wait->id : NULL, ttl_ms, legacy);
	if (tool_call_waiting(mc->call)) {
		mc->task = t;
		t->running = mc;
		tool_call_audit(mc->call, "ok");	/* made; its end follows */
		mcp_keep_call(srv, mc);
		return t;
	}
	tasks_call_ended(srv, t, tool_call_finish(mc->call, &cause), cause);
	free(cause);
	cJSON_Delete(mc->req.progress_token);
	free(mc);
	return t;
}

cJSON *tasks_start(struct server *srv, const char *name, const cJSON *args,
		   const cJSON *task_params, struct rpc_error *err)
{
	const struct tool_def *def = tool_find(name);
	struct mcp_request *req = srv->current;
	cJSON *token = NULL, *result, *meta;
	struct task *t;

	if (!def || !tool_runs_as_task(def))
		return rpc_fail(err, JSONRPC_METHOD_NOT_FOUND, "tool '%s' does "
				"not run as a task (its execution.taskSupport "
				"is forbidden): call it without params.task",
				name);
	if (req->progress_token)
		token = cJSON_Duplicate(req->progress_token, 1);
	t = run_task(srv, name, args, requested_ttl(task_params), !req->modern,
		     token);
	if (req->modern) {
		result = task_json(t, 1);
		cJSON_AddStringToObject(result, "resultType", "task");
		return result;
	}
	result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "task", task_json(t, 0));
	meta = cJSON_AddObjectToObject(result, "_meta");
	cJSON_AddStringToObject(meta, "io.modelcontextprotocol/"
				"model-immediate-response", "The Gumloop job "
				"runs as a task; its result comes when it ends.");
	return result;
}

/* ---- lookups ---------------------------------------------------------- */

static const char *task_id_param(const cJSON *params, struct rpc_error *err)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(params, "taskId");

	if (!cJSON_IsString(id) || !*id->valuestring ||
	    strlen(id->valuestring) > 512)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "params.taskId "
				"must be a task id this server gave"), NULL;
	return id->valuestring;
}

/*
 * A task this process does not hold, from its id: the wait tool of its
 * kind follows the job, its first poll at once, so the answer comes from
 * Gumloop's own state. NULL when Gumloop does not know the job.
 */
static struct task *restore(struct server *srv, const char *id)
{
	const struct job_kind *kind;
	struct task *t;
	char *job_id;
	cJSON *args;

	if (parse_id(id, &kind, &job_id) < 0)
		return NULL;
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, kind->id_name, job_id);
	t = run_task(srv, kind->wait_tool, args, TASK_TTL_DEFAULT_MS,
		     !mcp_modern(srv), NULL);
	cJSON_Delete(args);
	free(job_id);
	free(t->id);
	t->id = xstrdup(id);
	if (t->running)
		mcp_step_call(srv, t->running);
	if (t->ended && t->result && result_is_error(t->result) &&
	    !t->running) {
		const cJSON *sc = cJSON_GetObjectItemCaseSensitive(t->result,
							"structuredContent");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(sc, "error");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");

		if (cJSON_IsNumber(st) && st->valueint == 404) {
			srv->tasks = t->next;	/* newest first: it is t */
			task_free(t);
			return NULL;
		}
	}
	return t;
}

static struct task *lookup(struct server *srv, const cJSON *params,
			   struct rpc_error *err)
{
	const char *id = task_id_param(params, err);
	struct task *t;

	if (!id)
		return NULL;
	expire(srv);
	t = find(srv, id);
	if (!t && !(t = restore(srv, id)))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "unknown task '%s': "
				"not one this server gave, or Gumloop no longer "
				"knows its job", id), NULL;
	return t;
}

/* ---- methods ---------------------------------------------------------- */

cJSON *tasks_get(struct server *srv, const cJSON *params,
		 struct rpc_error *err)
{
	struct task *t = lookup(srv, params, err);

	if (!t)
		return NULL;
	return mcp_modern(srv) ? detailed(t) : task_json(t, 0);
}

cJSON *tasks_result(struct server *srv, const cJSON *params,
		    struct rpc_error *err)
{
	struct task *t = lookup(srv, params, err);
	struct waiter *w;

	if (!t)
		return NULL;
	if (t->ended && t->error)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "%s",
				cJSON_GetObjectItemCaseSensitive(t->error,
					"message")->valuestring);
	if (t->cancelled)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS,
				"task '%s' was cancelled", t->id);
	if (t->ended)
		return final_result(t);
	/* blocks until the task ends: answered then, out of order */
	w = xcalloc(1, sizeof(*w));
	w->id = srv->current->id;
	srv->current->id = NULL;
	srv->current->deferred = 1;
	w->next = t->waiters;
	t->waiters = w;
	return NULL;
}

int tasks_cancel_waiter(struct server *srv, const char *rid, size_t rlen)
{
	struct waiter **p, *w;
	struct task *t;

	for (t = srv->tasks; t; t = t->next)
		for (p = &t->waiters; (w = *p); p = &w->next)
			if (mcp_same_id(rid, rlen, w->id->valuestring,
					strlen(w->id->valuestring))) {
				*p = w->next;
				cJSON_Delete(w->id);
				free(w);
				return 1;
			}
	return 0;
}

cJSON *tasks_list(struct server *srv, const cJSON *params,
		  struct rpc_error *err)
{
	cJSON *result, *list;
	struct task *t;
	long offset, n = 0;
	char cursor[32];

	if (mcp_parse_cursor(params, "tasks", &offset) < 0)
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "invalid "
				"params.cursor: pass a nextCursor this server "
				"returned, or none for the first page");
	expire(srv);
	result = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(result, "tasks");
	for (t = srv->tasks; t; t = t->next, n++) {
		if (n < offset)
			continue;
		if (n == offset + TASKS_PAGE) {
			snprintf(cursor, sizeof(cursor), "tasks:%ld", n);
			cJSON_AddStringToObject(result, "nextCursor", cursor);
			break;
		}
		cJSON_AddItemToArray(list, task_json(t, 0));
	}
	return result;
}

/* Ends the job upstream where Gumloop can: kills a run, cancels a
 * session. Returns what happened, for the status message. */
static char *stop_job(struct server *srv, const struct task *t)
{
	int protocol_error = 0;
	char *cause = NULL, *what;
	cJSON *args, *result;

	if (!t->kind)
		return xstrdup("cancelled");
	if (!t->kind->stop_tool)
		return xstrdup("cancelled: the server stopped waiting; Gumloop "
			       "has no way to stop an agent interaction, so it "
			       "may still finish");
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, t->kind->id_name, t->job_id);
	result = tool_call_run(t->kind->stop_tool, args, mcp_version(srv),
			       &protocol_error, &cause);
	if (!result || result_is_error(result))
		what = xasprintf("cancelled: the server stopped waiting, but "
				 "%s failed (%s), so the job may go on",
				 t->kind->stop_tool, cause ? cause :
				 "see the audit log");
	else
		what = xasprintf("cancelled: %s stopped it in Gumloop",
				 t->kind->stop_tool);
	cJSON_Delete(result);
	cJSON_Delete(args);
	free(cause);
	return what;
}

cJSON *tasks_cancel(struct server *srv, const cJSON *params,
		    struct rpc_error *err)
{
	struct task *t = lookup(srv, params, err);

	if (!t)
		return NULL;
	if (t->ended && !mcp_modern(srv))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "task '%s' has "
				"already ended (%s)", t->id, status_of(t, 0));
	if (t->ended)
		return cJSON_CreateObject();
	if (t->running) {	/* the loop drops its call unanswered */
		t->running->req.cancelled = 1;
		t->running->task = NULL;
		t->running = NULL;
	}
	free(t->message);
	t->message = stop_job(srv, t);
	t->ended = t->cancelled = 1;
	t->updated = wall_ms();
	notify_status(t);
	answer_waiters(t);
	return mcp_modern(srv) ? cJSON_CreateObject() : task_json(t, 0);
}

cJSON *tasks_update(struct server *srv, const cJSON *params,
		    struct rpc_error *err)
{
	const cJSON *responses = cJSON_GetObjectItemCaseSensitive(params,
							"inputResponses");
	struct task *t = lookup(srv, params, err);
	struct mcp_call *mc;
	const cJSON *key, *keys;
	int i = 0;

	if (!t)
		return NULL;
	if (!cJSON_IsObject(responses))
		return rpc_fail(err, JSONRPC_INVALID_PARAMS, "params."
				"inputResponses must be an object of answers "
				"keyed as the task's inputRequests");
	mc = t->running;
	keys = mc && mc->ask ? mc->ask->keys : NULL;
	/* answers to keys not outstanding are ignored, as the extension says */
	cJSON_ArrayForEach(key, keys) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(
			responses, key->valuestring);

		if (cJSON_IsObject(r))
			mcp_give_answer(srv, mc, i, cJSON_Duplicate(r, 1));
		if (!mc->ask)	/* all in: acted on */
			break;
		i++;
	}
	return cJSON_CreateObject();
}

void tasks_release(struct server *srv)
{
	struct task *t;

	while ((t = srv->tasks)) {
		srv->tasks = t->next;
		if (t->running)
			t->running->task = NULL;
		task_free(t);
	}
}
