/*
 * sessions.c: agent sessions (gumloop-api.md 2.5), the successor of
 * start_agent.  A session without input is idle (201).  Each input starts
 * a turn (202): queued for session_queue_ms (queue_position 1), then
 * processing for session_ms, then completed with the agent's reply (from
 * agents.c) or failed (agent_flaky, whose turns fail).  A message while a
 * turn runs is refused with 409; cancel makes a running turn failed.
 *
 * Human in the loop: the seed agents' Gmail connector is set to ask, so a
 * turn whose input mentions an email pauses, when its time is up, in
 * approval_required with one pending_approvals entry (a gmail send_email
 * call); a turn whose input says "ask me" pauses with a human_input ask
 * whose questions want response.values.  POST /sessions/{id}/approvals
 * answers it: accept runs the turn on to completed (the email "sent", the
 * answer used), reject completes it without.  A message sent instead
 * leaves the ask unanswered.
 *
 * Also: rename (PATCH), session files (base64 uploads whose stored path
 * is the attachments' file_name) and the message queue (drained one
 * message per turn; send aborts the turn in progress).  Their answers'
 * shapes are not documented: the fake's are guesses, flagged as such.
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
#define QUEUE_MAX 20
#define APPROVALS_MAX 20
#define ATTACHMENTS_MAX 10

enum { ASK_NONE, ASK_EMAIL, ASK_QUESTION };

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
	int asks;		/* ASK_*: what the turn in progress will ask */
	int asking;		/* ASK_*: what the pending ask is */
	cJSON *approvals;	/* pending_approvals while approval_required */
	char *held;		/* the reply an accept lets through */
	cJSON *files;		/* [stored path] of uploads */
	cJSON *queue;		/* [{id, input, created_at}] */
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

static int mentions(const char *text, const char *word)
{
	return strcasestr(text, word) != NULL;
}

/* A gmail send_email call that waits for a person's approval. */
static void email_ask(cJSON *a)
{
	cJSON *args;

	cJSON_AddStringToObject(a, "type", "tool_approval");
	cJSON_AddStringToObject(a, "server_id", "gmail");
	cJSON_AddStringToObject(a, "tool_name", "send_email");
	cJSON_AddStringToObject(a, "intent", "Email the formatted CRM export "
				"to the sales team");
	args = cJSON_AddObjectToObject(a, "arguments");
	cJSON_AddStringToObject(args, "to", "sales@example.com");
	cJSON_AddStringToObject(args, "subject", "CRM export");
}

/* A question the agent asks the person (Ask Human). */
static void question_ask(cJSON *a)
{
	cJSON *q = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "type", "human_input");
	cJSON_AddStringToObject(a, "intent", "Find out when the report is due");
	cJSON_AddStringToObject(q, "name", "deadline");
	cJSON_AddStringToObject(q, "label", "When is the report due?");
	cJSON_AddStringToObject(q, "type", "text");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(a, "questions"), q);
}

/* The turn pauses: one ask waits for a person. */
static void ask_approval(struct session *s, long long end)
{
	cJSON *a = cJSON_CreateObject();
	char *id = fake_new_id("action");
	char *ts = fake_iso_time(end);

	cJSON_AddStringToObject(a, "action_request_id", id);
	if (s->asks == ASK_QUESTION)
		question_ask(a);
	else
		email_ask(a);
	cJSON_AddStringToObject(a, "created_at", ts);
	s->asking = s->asks;
	s->approvals = cJSON_CreateArray();
	cJSON_AddItemToArray(s->approvals, a);
	s->held = s->pending;
	s->pending = NULL;
	s->asks = 0;
	free(id);
	free(ts);
}

static void begin_turn(struct session *s, const char *input);

/* Ends the turn in progress once its time is up. */
static void settle(struct session *s, long long now)
{
	long long end = s->turn_start + s->queue_ms + s->turn_ms;
	cJSON *next;

	if (!s->pending || now < end)
		return;
	if (s->asks) {
		ask_approval(s, end);
		return;
	}
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
	/* the queue drains one message per turn */
	next = cJSON_DetachItemFromArray(s->queue, 0);
	if (next) {
		begin_turn(s, cJSON_GetObjectItemCaseSensitive(next,
							       "input")->valuestring);
		cJSON_Delete(next);
	}
}

static const char *state_of(struct session *s, long long now)
{
	settle(s, now);
	if (s->pending)
		return now < s->turn_start + s->queue_ms ? "queued" : "processing";
	if (s->approvals)
		return "approval_required";
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

	/* a new turn leaves an unanswered ask behind */
	cJSON_Delete(s->approvals);
	s->approvals = NULL;
	free(s->held);
	s->held = NULL;
	s->asks = s->fails ? ASK_NONE : mentions(input, "email") ? ASK_EMAIL :
		  mentions(input, "ask me") ? ASK_QUESTION : ASK_NONE;
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
	if (s->approvals)
		cJSON_AddItemToObject(o, "pending_approvals",
				      cJSON_Duplicate(s->approvals, 1));
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
	s->files = cJSON_CreateArray();
	s->queue = cJSON_CreateArray();
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

static int has_file(const struct session *s, const char *name)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, s->files)
		if (!strcmp(f->valuestring, name))
			return 1;
	return 0;
}

/* -1 after answering 400: attachments are {file_name, media_type}
 * objects naming files uploaded to this session. */
static int bad_attachments(struct session *s, struct fake_req *req,
			   struct fake_resp *resp)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req->json,
							     "attachments");
	const cJSON *a, *name;
	const char *why = NULL;

	if (!list)
		return 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > ATTACHMENTS_MAX)
		why = "attachments must be an array of at most 10 objects";
	if (why)
		list = NULL;
	cJSON_ArrayForEach(a, list) {
		name = cJSON_GetObjectItemCaseSensitive(a, "file_name");
		if (!cJSON_IsObject(a) || !cJSON_IsString(name))
			why = "each attachment is an object with a file_name";
		else if (!has_file(s, name->valuestring))
			why = "attachment file_name must be a stored path "
			      "returned by Upload session file for this session";
		if (why)
			break;
	}
	if (!why)
		return 0;
	fake_error_new(resp, 400, "invalid_request", why,
		       "invalid_request_error");
	return -1;
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
	if (cJSON_HasObjectItem(req->json, "approval_responses")) {
		fake_error_new(resp, 400, "invalid_request", "approval_responses "
			       "go to POST /sessions/{session_id}/approvals",
			       "invalid_request_error");
		return;
	}
	if (bad_attachments(s, req, resp) || refused(req, resp, input))
		return;
	begin_turn(s, input);
	cJSON_AddItemToObject(cJSON_GetArrayItem(s->messages,
			      cJSON_GetArraySize(s->messages) - 1),
			      "attachments", cJSON_Duplicate(
			      cJSON_GetObjectItemCaseSensitive(req->json,
							       "attachments"), 1));
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

static void bad(struct fake_resp *resp, const char *msg)
{
	fake_error_new(resp, 400, "invalid_request", msg,
		       "invalid_request_error");
}

/* PATCH /sessions/{id}: the name, trimmed to 1..256 characters. */
static void rename_session(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	const char *name = fake_body_str(req, "name");
	const cJSON *it;
	size_t len;

	if (!s)
		return;
	cJSON_ArrayForEach(it, req->json)
		if (strcmp(it->string, "name")) {
			bad(resp, "only name can be changed");
			return;
		}
	while (name && (*name == ' ' || *name == '\t'))
		name++;
	len = name ? strlen(name) : 0;
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	if (!len || len > NAME_MAX_LEN) {
		bad(resp, "name must be 1 to 256 characters after trimming");
		return;
	}
	free(s->name);
	s->name = strndup(name, len);
	answer(resp, 200, s);
}

/* POST /sessions/{id}/files: base64 in, the stored path out. */
static void upload_file(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	const char *name = fake_body_str(req, "file_name");
	const char *content = fake_body_str(req, "file_content");
	const char *type = fake_body_str(req, "media_type");
	const char *base;
	char *bytes, *stored;
	size_t len = 0, n;
	cJSON *root;

	if (!s)
		return;
	if (!name || !*name || !content) {
		bad(resp, "file_name and file_content are required");
		return;
	}
	bytes = fake_base64_decode(content, &len);
	if (!bytes) {
		bad(resp, "file_content is not valid base64");
		return;
	}
	free(bytes);
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	n = strlen(s->id) + strlen(base) + 16;
	stored = fake_xmalloc(n);
	snprintf(stored, n, "sessions/%s/inputs/%s", s->id, base);
	if (!has_file(s, stored))
		cJSON_AddItemToArray(s->files, cJSON_CreateString(stored));
	root = cJSON_CreateObject();	/* shape undocumented: a guess */
	cJSON_AddStringToObject(root, "file_name", stored);
	if (type)
		cJSON_AddStringToObject(root, "media_type", type);
	cJSON_AddNumberToObject(root, "size", (double)len);
	free(stored);
	fake_json(resp, 201, root);
}

static const cJSON *pending_ask(const struct session *s, const char *id)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, s->approvals)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(a,
			    "action_request_id")->valuestring, id))
			return a;
	return NULL;
}

/* The cause why one approval_responses item is refused, or NULL. */
static const char *bad_response(const struct session *s, const cJSON *r)
{
	const char *id = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(r, "action_request_id"));
	const char *action = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(r, "action"));
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(r, "reason");

	if (!id || !action)
		return "each response needs action_request_id and action";
	if (strcmp(action, "accept") && strcmp(action, "reject"))
		return "action must be accept or reject";
	if (reason && (!cJSON_IsString(reason) ||
		       strlen(reason->valuestring) > 1000))
		return "reason must be a string of at most 1000 characters";
	if (!pending_ask(s, id))
		return "no pending ask has this action_request_id";
	if (s->asking == ASK_QUESTION && !strcmp(action, "accept") &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(r, "response"),
			    "values"), "deadline")))
		return "a human_input ask is answered in response.values";
	return NULL;
}

/* Resumes the paused turn: the held reply, or a note of the refusal. */
static void resume(struct session *s, const cJSON *r)
{
	const char *action = cJSON_GetObjectItemCaseSensitive(r, "action")
			     ->valuestring;
	const char *reason = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(r, "reason"));
	const char *answer_text = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(r, "response"),
			"values"), "deadline"));
	int accepted = !strcmp(action, "accept");
	char text[1200];

	if (s->asking == ASK_QUESTION && accepted) {
		snprintf(text, sizeof(text), "Noted: the report is due %.200s.",
			 answer_text);
	} else if (s->asking == ASK_QUESTION) {
		snprintf(text, sizeof(text), "Understood, I will go on without "
			 "a deadline%s%.1000s.", reason ? ": " : "",
			 reason ? reason : "");
	} else if (accepted) {
		snprintf(text, sizeof(text), "Sent the email to "
			 "sales@example.com. %s", s->held ? s->held : "");
	} else {
		snprintf(text, sizeof(text), "I did not send the email: you "
			 "rejected it%s%.1000s.", reason ? ": " : "",
			 reason ? reason : "");
	}
	cJSON_Delete(s->approvals);
	s->approvals = NULL;
	free(s->held);
	s->held = NULL;
	s->pending = fake_xstrdup(text);
	s->turn_start = fake_now_ms();
	s->queue_ms = 0;
	s->turn_ms = session_ms;
}

/* POST /sessions/{id}/approvals: answers to the pending asks. */
static void resolve_approvals(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req->json,
						"approval_responses"), *r;
	const char *why = NULL;
	int n = cJSON_GetArraySize(list);

	if (!s)
		return;
	if (!cJSON_IsArray(list) || n < 1 || n > APPROVALS_MAX) {
		bad(resp, "approval_responses must hold 1 to 20 answers");
		return;
	}
	if (strcmp(state_of(s, fake_now_ms()), "approval_required")) {
		fake_error_new(resp, 409, "no_pending_approvals", "the session "
			       "is not waiting for an approval",
			       "conflict_error");
		return;
	}
	cJSON_ArrayForEach(r, list)
		if (!why)
			why = bad_response(s, r);
	if (why) {
		bad(resp, why);
		return;
	}
	/* one ask at a time in this fake: its answer resumes the turn */
	resume(s, cJSON_GetArrayItem(list, 0));
	answer(resp, 200, s);	/* shape undocumented: the session's */
}

/* ---- the queue ---------------------------------------------------------- */

static cJSON *queued_item(struct session *s, const char *id)
{
	cJSON *q;

	cJSON_ArrayForEach(q, s->queue)
		if (id && !strcmp(cJSON_GetObjectItemCaseSensitive(q, "id")
				  ->valuestring, id))
			return q;
	return NULL;
}

static cJSON *queued_or_404(struct session *s, struct fake_req *req,
			    struct fake_resp *resp)
{
	cJSON *q = queued_item(s, fake_param(req, "queue_item_id"));

	if (!q)
		fake_error_new(resp, 404, "queued_message_not_found",
			       "no queued message with this id",
			       "not_found_error");
	return q;
}

static void list_queue(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	cJSON *root;

	if (!s)
		return;
	state_of(s, fake_now_ms());	/* drains what is due */
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "queued_messages",
			      cJSON_Duplicate(s->queue, 1));
	fake_json(resp, 200, root);
}

static void queue_message(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	const char *input = input_of(req);
	cJSON *q, *root;
	char *id, *ts;

	if (!s)
		return;
	if (!input || !*input) {
		bad(resp, "input is required");
		return;
	}
	if (cJSON_GetArraySize(s->queue) >= QUEUE_MAX) {
		bad(resp, "a session's queue holds at most 20 messages");
		return;
	}
	id = fake_new_id("queued");
	ts = fake_iso_time(fake_now_ms());
	q = cJSON_CreateObject();
	cJSON_AddStringToObject(q, "id", id);
	cJSON_AddStringToObject(q, "input", input);
	cJSON_AddStringToObject(q, "created_at", ts);
	cJSON_AddItemToArray(s->queue, q);
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "queued_message", cJSON_Duplicate(q, 1));
	free(id);
	free(ts);
	fake_json(resp, 201, root);
}

static void update_queued(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	const char *input = input_of(req);
	cJSON *q, *root;

	if (!s || !(q = queued_or_404(s, req, resp)))
		return;
	if (!input || !*input) {
		bad(resp, "input is required");
		return;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(q, "input",
					       cJSON_CreateString(input));
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "queued_message", cJSON_Duplicate(q, 1));
	fake_json(resp, 200, root);
}

static void delete_queued(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	cJSON *q, *root;

	if (!s || !(q = queued_or_404(s, req, resp)))
		return;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "id", cJSON_GetObjectItemCaseSensitive(
		q, "id")->valuestring);
	cJSON_AddTrueToObject(root, "deleted");
	cJSON_Delete(cJSON_DetachItemViaPointer(s->queue, q));
	fake_json(resp, 200, root);
}

/* Sends a queued message now: the turn in progress is aborted. */
static void send_queued(struct fake_req *req, struct fake_resp *resp)
{
	struct session *s = session_or_404(req, resp);
	cJSON *q;

	if (!s || !(q = queued_or_404(s, req, resp)))
		return;
	cJSON_DetachItemViaPointer(s->queue, q);
	free(s->pending);
	s->pending = NULL;
	begin_turn(s, cJSON_GetObjectItemCaseSensitive(q, "input")->valuestring);
	cJSON_Delete(q);
	answer(resp, 202, s);
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
		cJSON_Delete(sessions[i].approvals);
		free(sessions[i].held);
		cJSON_Delete(sessions[i].files);
		cJSON_Delete(sessions[i].queue);
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
	{ .method = "PATCH", .pattern = "/sessions/{session_id}",
	  .handle = rename_session },
	{ .method = "POST", .pattern = "/sessions/{session_id}/files",
	  .handle = upload_file },
	{ .method = "POST", .pattern = "/sessions/{session_id}/approvals",
	  .handle = resolve_approvals },
	{ .method = "GET", .pattern = "/sessions/{session_id}/queue",
	  .handle = list_queue },
	{ .method = "POST", .pattern = "/sessions/{session_id}/queue",
	  .handle = queue_message },
	{ .method = "PATCH",
	  .pattern = "/sessions/{session_id}/queue/{queue_item_id}",
	  .handle = update_queued },
	{ .method = "DELETE",
	  .pattern = "/sessions/{session_id}/queue/{queue_item_id}",
	  .handle = delete_queued },
	{ .method = "POST",
	  .pattern = "/sessions/{session_id}/queue/{queue_item_id}/send",
	  .handle = send_queued },
	{ 0 }
};

const struct fake_area fake_sessions_area = {
	.name = "sessions",
	.routes = sessions_routes,
	.reset = sessions_reset,
	.config = sessions_config,
};
