/*
 * sessions.c: agent sessions (gumloop-api.md 2.5), the successor of
 * start_agent.  A session without input is idle (201).  Each input starts
 * a turn (202): queued for session_queue_ms (queue_position 1), then
 * processing for session_ms, then completed with the agent's reply (from
 * agents.c) or failed (agent_flaky, whose turns fail).  A message while a
 * turn runs is refused with 409; cancel makes a running turn failed.
 *
 * Knobs (POST /_fake/config): session_ms and session_queue_ms (turns
 * started after), max_sessions (create/send with input answer 429 while
 * that many sessions are queued or processing; 0 = no limit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define STREAM_HOST "ws.gumloop.com"
#define NAME_MAX_LEN 256

struct session {
	char *id;
	char *agent_id;
	char *name;
	cJSON *metadata;	/* or NULL */
	cJSON *messages;
	char *pending;		/* the reply of the turn in progress */
	long long created_ms;
	long long turn_start;
	long queue_ms;
	long turn_ms;
	int turns;
	int failed;		/* the last turn failed or was cancelled */
	int fails;		/* the agent's turns fail */
};

static struct session *sessions;
static size_t nsessions;
static long session_ms = 300;
static long session_queue_ms;
static long max_sessions;

/* ---- state ------------------------------------------------------------ */

static cJSON *message_obj(const char *role, const char *text, long long ms)
{
	cJSON *m = fake_message(role, text, ms, "created_at");

	cJSON_AddStringToObject(m, "creator_id", "user-123");
	return m;
}

static cJSON *error_message(const char *text, long long ms)
{
	cJSON *m = message_obj("assistant", "", ms);
	cJSON *part = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(m, "parts"), 0);

	cJSON_ReplaceItemInObjectCaseSensitive(m, "content", cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(part, "type",
					       cJSON_CreateString("error"));
	cJSON_ReplaceItemInObjectCaseSensitive(part, "text",
					       cJSON_CreateString(text));
	return m;
}

/* Ends the turn in progress once its time is up. */
static void settle(struct session *s, long long now)
{
	long long end = s->turn_start + s->queue_ms + s->turn_ms;

	if (!s->pending || now < end)
		return;
	if (s->fails) {
		cJSON_AddItemToArray(s->messages, error_message(
			"the agent failed: the model provider returned an error",
			end));
		s->failed = 1;
	} else {
		cJSON_AddItemToArray(s->messages,
				     message_obj("assistant", s->pending, end));
	}
	free(s->pending);
	s->pending = NULL;
}

static const char *state_of(struct session *s, long long now)
{
	settle(s, now);
	if (s->pending)
		return now < s->turn_start + s->queue_ms ? "queued" : "processing";
	if (s->failed)
		return "failed";
	return s->turns ? "completed" : "idle";
}

static int busy(struct session *s, long long now)
{
	const char *st = state_of(s, now);

	return !strcmp(st, "queued") || !strcmp(st, "processing");
}

static long busy_sessions(void)
{
	long long now = fake_now_ms();
	long n = 0;
	size_t i;

	for (i = 0; i < nsessions; i++)
		n += busy(&sessions[i], now);
	return n;
}

static void begin_turn(struct session *s, const char *input)
{
	const char *agent = fake_agent_name(s->agent_id, NULL);

	s->turns++;
	s->failed = 0;
	s->turn_start = fake_now_ms();
	s->queue_ms = session_queue_ms;
	s->turn_ms = session_ms;
	cJSON_AddItemToArray(s->messages,
			     message_obj("user", input, s->turn_start));
	s->pending = fake_agent_reply(agent ? agent : "Agent", input, s->turns);
}

/* ---- answers ---------------------------------------------------------- */

static cJSON *session_obj(struct session *s, int with_messages)
{
	long long now = fake_now_ms();
	cJSON *o = cJSON_CreateObject(), *usage;
	const char *agent = fake_agent_name(s->agent_id, NULL);
	char *ts = fake_iso_time(s->created_ms);
	const char *st = state_of(s, now);

	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "agent_id", s->agent_id);
	if (s->name)
		cJSON_AddStringToObject(o, "name", s->name);
	else
		cJSON_AddNullToObject(o, "name");
	cJSON_AddStringToObject(o, "type", "api");
	cJSON_AddStringToObject(o, "state", st);
	cJSON_AddItemToObject(o, "messages", with_messages ?
			      cJSON_Duplicate(s->messages, 1) :
			      cJSON_CreateArray());
	cJSON_AddStringToObject(o, "created_at", ts);
	cJSON_AddStringToObject(o, "agent_name", agent ? agent : "");
	cJSON_AddStringToObject(o, "agent_team_id", "team_growth");
	cJSON_AddItemToObject(o, "metadata", s->metadata ?
			      cJSON_Duplicate(s->metadata, 1) :
			      cJSON_CreateObject());
	usage = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(usage, "credit_cost", 2 * s->turns);
	cJSON_AddNumberToObject(usage, "input_tokens", 120 * s->turns);
	cJSON_AddNumberToObject(usage, "output_tokens", 80 * s->turns);
	free(ts);
	return o;
}

static void answer(struct fake_resp *resp, int status, struct session *s)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *session = session_obj(s, 1);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(session, "state");

	cJSON_AddItemToObject(root, "session", session);
	if (!strcmp(st->valuestring, "queued"))
		cJSON_AddNumberToObject(root, "queue_position", 1);
	else
		cJSON_AddNullToObject(root, "queue_position");
	fake_json(resp, status, root);
}

static struct session *find_session(const char *id)
{
	size_t i;

	for (i = 0; id && i < nsessions; i++)
		if (!strcmp(sessions[i].id, id))
			return &sessions[i];
	return NULL;
}

static struct session *session_or_404(struct fake_req *req,
				      struct fake_resp *resp)
{
	struct session *s = find_session(fake_param(req, "session_id"));

	if (!s)
		fake_error_new(resp, 404, "session_not_found",
			       "no session with this id", "not_found_error");
	return s;
}

/* input, or its alias message; NULL when absent. */
static const char *input_of(const struct fake_req *req)
{
	const char *in = fake_body_str(req, "input");

	return in ? in : fake_body_str(req, "message");
}

/* -1 after answering for what create and send refuse alike. */
static int refused(struct fake_req *req, struct fake_resp *resp,
		   const char *input)
{
	const cJSON *stream = cJSON_GetObjectItemCaseSensitive(req->json,
							       "stream");

	if (cJSON_IsTrue(stream)) {
		fake_error_new(resp, 400, "invalid_request", "stream: true is "
			       "served by the streaming host " STREAM_HOST,
			       "invalid_request_error");
		return -1;
	}
	if (input && max_sessions && busy_sessions() >= max_sessions) {
		fake_error_new(resp, 429, "concurrency_limit_exceeded",
			       "agent concurrency limit exceeded",
			       "rate_limit_error");
		fake_header(resp, "Retry-After", "2");
		return -1;
	}
	return 0;
}

static struct session *add_session(const char *id, const char *agent_id,
				   int fails)
{
	struct session *s;

	sessions = fake_xrealloc(sessions, (nsessions + 1) * sizeof(*sessions));
	s = &sessions[nsessions++];
	memset(s, 0, sizeof(*s));
	s->id = id ? fake_xstrdup(id) : fake_new_id("session");
	s->agent_id = fake_xstrdup(agent_id);
	s->messages = cJSON_CreateArray();
	s->created_ms = fake_now_ms();
	s->fails = fails;
	return s;
}

static void create_session(struct fake_req *req, struct fake_resp *resp)
{
	const char *agent_id = fake_param(req, "agent_id");
	const char *input = input_of(req), *id = fake_body_str(req, "session_id");
	const char *name = fake_body_str(req, "name");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(req->json, "metadata");
	struct session *s;
	int fails = 0;

	if (!fake_agent_name(agent_id, &fails)) {
		fake_error_new(resp, 404, "agent_not_found",
			       "no agent with this id", "not_found_error");
		return;
	}
	if (name && (!*name || strlen(name) > NAME_MAX_LEN)) {
		fake_error_new(resp, 400, "invalid_request",
			       "name must be 1 to 256 characters",
			       "invalid_request_error");
		return;
	}
	if (id && find_session(id)) {
		fake_error_new(resp, 409, "session_already_exists",
			       "a session with this id already exists",
			       "conflict_error");
		return;
	}
	if (refused(req, resp, input))
		return;
	s = add_session(id, agent_id, fails);
	s->name = name ? fake_xstrdup(name) : NULL;
	if (cJSON_IsObject(meta)) {
		s->metadata = cJSON_CreateObject();
		cJSON_AddItemToObject(s->metadata, "client",
				      cJSON_Duplicate(meta, 1));
	}
	if (input && *input)
		begin_turn(s, input);
	answer(resp, s->turns ? 202 : 201, s);
}

static void get_session(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);

	if (s)
		answer(resp, 200, s);
}

static void send_message(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	const char *input = input_of(req);

	if (!s)
		return;
	if (!input || !*input) {
		fake_error_new(resp, 400, "invalid_request", "input is required",
			       "invalid_request_error");
		return;
	}
	if (busy(s, fake_now_ms())) {
		fake_error_new(resp, 409, "interaction_not_in_terminal_state",
			       "the session is still processing a message",
			       "conflict_error");
		return;
	}
	if (refused(req, resp, input))
		return;
	begin_turn(s, input);
	answer(resp, 202, s);
}

static void cancel_session(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	cJSON *root, *o;

	if (!s)
		return;
	if (busy(s, fake_now_ms())) {
		free(s->pending);
		s->pending = NULL;
		s->failed = 1;
	}
	root = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(root, "session");
	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "agent_id", s->agent_id);
	cJSON_AddStringToObject(o, "state", state_of(s, fake_now_ms()));
	cJSON_AddNullToObject(root, "queue_position");
	fake_json(resp, 200, root);
}

static int listed(struct session *s, const struct fake_req *req)
{
	const char *agent = fake_param(req, "agent_id");
	const char *state = fake_query(req, "state");
	const char *search = fake_query(req, "search");

	if (!search)
		search = fake_query(req, "search_query");
	if (strcmp(s->agent_id, agent))
		return 0;
	if (state && strcmp(state, state_of(s, fake_now_ms())))
		return 0;
	return !search || (s->name && strcasestr(s->name, search));
}

static void list_sessions(struct fake_req *req, struct fake_resp *resp)
{
	const char *order = fake_query(req, "sort_order");
	int oldest = order && !strcmp(order, "oldest");
	struct session **hits;
	size_t n = 0, i, start, end;
	cJSON *root, *list;

	if (!fake_agent_name(fake_param(req, "agent_id"), NULL)) {
		fake_error_new(resp, 404, "agent_not_found",
			       "no agent with this id", "not_found_error");
		return;
	}
	hits = fake_xmalloc((nsessions + 1) * sizeof(*hits));
	for (i = 0; i < nsessions; i++) {
		struct session *s = &sessions[oldest ? i : nsessions - 1 - i];

		if (listed(s, req))
			hits[n++] = s;
	}
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "sessions");
	if (fake_page(req, resp, n, 20, root, &start, &end) == 0) {
		for (i = start; i < end; i++)
			cJSON_AddItemToArray(list, session_obj(hits[i], 0));
		fake_json(resp, 200, root);
	} else {
		cJSON_Delete(root);
	}
	free(hits);
}

/* ---- area ------------------------------------------------------------- */

static void sessions_reset(void)
{
	size_t i;

	for (i = 0; i < nsessions; i++) {
		free(sessions[i].id);
		free(sessions[i].agent_id);
		free(sessions[i].name);
		free(sessions[i].pending);
		cJSON_Delete(sessions[i].metadata);
		cJSON_Delete(sessions[i].messages);
	}
	free(sessions);
	sessions = NULL;
	nsessions = 0;
	session_ms = fake_opt_run_ms;
	session_queue_ms = 0;
	max_sessions = 0;
}

static int sessions_config(const cJSON *in, cJSON *out, const char **cause)
{
	return fake_knob(in, out, "session_ms", &session_ms, cause) ||
	       fake_knob(in, out, "session_queue_ms", &session_queue_ms, cause) ||
	       fake_knob(in, out, "max_sessions", &max_sessions, cause) ? -1 : 0;
}

static const struct fake_route sessions_routes[] = {
	{ .method = "GET", .pattern = "/agents/{agent_id}/sessions",
	  .handle = list_sessions },
	{ .method = "POST", .pattern = "/agents/{agent_id}/sessions",
	  .handle = create_session },
	{ .method = "GET", .pattern = "/sessions/{session_id}",
	  .handle = get_session },
	{ .method = "POST", .pattern = "/sessions/{session_id}/messages",
	  .handle = send_message },
	{ .method = "POST", .pattern = "/sessions/{session_id}/cancel",
	  .handle = cancel_session },
	{ 0 }
};

const struct fake_area fake_sessions_area = {
	.name = "sessions",
	.routes = sessions_routes,
	.reset = sessions_reset,
	.config = sessions_config,
};
