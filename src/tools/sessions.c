/*
 * Sessions: conversations with an agent (the successor of start_agent).
 * Every session answer is decorated the same way: session_id and state at
 * the top, the newest messages only (messages_limit, with how many were
 * left out), and the final assistant reply once a turn has completed.
 * Waiting ends at idle, completed, failed or approval_required: a session
 * that asks for approval waits for a person, never for the server.
 */
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "policy.h"
#include "tool.h"
#include "util.h"
#include "wait.h"

#define WAIT_MESSAGES_DEFAULT 10

/* ---- output schemas --------------------------------------------------- */

static const char session_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"session\":{\"type\":\"object\"},"
	"\"session_id\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"},"
	"\"queue_position\":{\"type\":[\"integer\",\"null\"]},"
	"\"reply\":{\"type\":\"string\"},\"accepted\":{\"type\":\"string\"},"
	"\"messages_omitted\":{\"type\":\"integer\"},"
	"\"pending_approvals\":{\"type\":\"array\"},"
	"\"timed_out\":{\"type\":\"boolean\"}},"
	"\"required\":[\"session_id\",\"state\"]}";

/* shapes Gumloop does not document */
static const char file_schema[] =
	"{\"type\":\"object\",\"properties\":{\"file_name\":{\"type\":"
	"\"string\"}}}";

static const char resolved_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"session_id\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"},"
	"\"pending_approvals\":{\"type\":\"array\"}}}";

static const char queued_schema[] =
	"{\"type\":\"object\",\"properties\":{\"queued_message\":{"
	"\"type\":\"object\"}}}";

static const char deleted_schema[] =
	"{\"type\":\"object\",\"properties\":{\"deleted\":{\"type\":"
	"\"boolean\"}}}";

static const char queue_schema[] =
	"{\"type\":\"object\",\"properties\":{\"queued_messages\":{"
	"\"type\":\"array\"}}}";

static const char sessions_schema[] =
	"{\"type\":\"object\",\"properties\":{\"sessions\":{\"type\":\"array\"}},"
	"\"required\":[\"sessions\"]}";

static const char cancel_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"session\":{\"type\":\"object\"},"
	"\"session_id\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"}},"
	"\"required\":[\"session_id\",\"state\"]}";

/* ---- errors ----------------------------------------------------------- */

static const struct tool_advice session_advice[] = {
	{ 404, "agent_not_found",
	  "No agent has that agent_id: list_all_gumloop_agents lists them." },
	{ 404, "session_not_found",
	  "No session has that session_id: list_all_gumloop_sessions lists "
	  "an agent's sessions." },
	{ 409, "session_already_exists",
	  "A session with that session_id exists already: choose another "
	  "session_id, or send to it with create_a_gumloop_session_message." },
	{ 409, "interaction_not_in_terminal_state",
	  "The session is still working on the previous message: call "
	  "wait_for_gumloop_session with this session_id until it is "
	  "completed, failed, idle or approval_required, then send the "
	  "message again." },
	{ 429, NULL,
	  "The agent concurrency limit was reached (Gumloop allows 5, 25 or "
	  "100 interactions at once on Free, Pro or Enterprise): wait for "
	  "another session to finish (wait_for_gumloop_session), then retry; "
	  "nothing was started and this write was not retried "
	  "automatically." },
	{ 500, "failed_to_abort",
	  "Gumloop could not stop the session: check its state with "
	  "get_single_gumloop_session_by_id and cancel again if it is still "
	  "processing." },
	{ 0 }
};

/* ---- decoration ------------------------------------------------------- */

static const char *session_state(const cJSON *obj)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "session"), "state");

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* The text of a message: its content, else its text parts joined. */
static void message_text(const cJSON *m, struct buf *out)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
	const cJSON *part, *type, *text;

	if (cJSON_IsString(content) && *content->valuestring) {
		buf_addstr(out, content->valuestring);
		return;
	}
	cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(m, "parts")) {
		type = cJSON_GetObjectItemCaseSensitive(part, "type");
		text = cJSON_GetObjectItemCaseSensitive(part, "text");
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "text") &&
		    cJSON_IsString(text))
			buf_addstr(out, text->valuestring);
	}
}

/*
 * The assistant's answer to the last user message (its messages after
 * that one, in order), or the error part's text when want_error.
 */
static char *last_turn_text(const cJSON *messages, int want_error)
{
	const cJSON *m, *role, *last_user = NULL, *part, *type, *text;
	struct buf out = BUF_INIT;

	cJSON_ArrayForEach(m, messages) {
		role = cJSON_GetObjectItemCaseSensitive(m, "role");
		if (cJSON_IsString(role) && !strcmp(role->valuestring, "user"))
			last_user = m;
	}
	for (m = last_user ? last_user->next : cJSON_GetArrayItem(messages, 0);
	     m; m = m->next) {
		role = cJSON_GetObjectItemCaseSensitive(m, "role");
		if (!cJSON_IsString(role) || strcmp(role->valuestring, "assistant"))
			continue;
		if (!want_error) {
			if (out.len)
				buf_addstr(&out, "\n\n");
			message_text(m, &out);
			continue;
		}
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(m, "parts")) {
			type = cJSON_GetObjectItemCaseSensitive(part, "type");
			text = cJSON_GetObjectItemCaseSensitive(part, "text");
			if (cJSON_IsString(type) && !strcmp(type->valuestring, "error") &&
			    cJSON_IsString(text))
				buf_addstr(&out, text->valuestring);
		}
	}
	if (!out.len) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/* Keeps the newest limit messages; says how many were left out. */
static void trim_messages(cJSON *obj, cJSON *session, long limit)
{
	cJSON *messages = cJSON_GetObjectItemCaseSensitive(session, "messages");
	int n = cJSON_GetArraySize(messages), drop = n - (int)limit, i;

	if (limit < 0 || drop <= 0)
		return;
	for (i = 0; i < drop; i++)
		cJSON_DeleteItemFromArray(messages, 0);
	cJSON_AddNumberToObject(obj, "messages_omitted", drop);
}

/* The session's pending_approvals (Gumloop may put them beside the session
 * or in it), copied to the top. */
static void add_pending(cJSON *obj, const cJSON *session)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(session,
							  "pending_approvals");

	if (cJSON_HasObjectItem(obj, "pending_approvals"))
		return;
	cJSON_AddItemToObject(obj, "pending_approvals", cJSON_IsArray(p) ?
			      cJSON_Duplicate(p, 1) : cJSON_CreateArray());
}

/* Adds session_id, state and reply at the top and trims the messages. */
static void decorate(cJSON *obj, long limit)
{
	cJSON *session = cJSON_GetObjectItemCaseSensitive(obj, "session");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(session, "id");
	const char *state = session_state(obj);
	char *reply;

	if (cJSON_IsString(id) && !cJSON_HasObjectItem(obj, "session_id"))
		cJSON_AddStringToObject(obj, "session_id", id->valuestring);
	if (state && !cJSON_HasObjectItem(obj, "state"))
		cJSON_AddStringToObject(obj, "state", state);
	if (state && !strcmp(state, "approval_required"))
		add_pending(obj, session);
	if (state && !strcmp(state, "completed")) {
		reply = last_turn_text(cJSON_GetObjectItemCaseSensitive(
			session, "messages"), 0);
		if (reply)
			cJSON_AddStringToObject(obj, "reply", reply);
		free(reply);
	}
	trim_messages(obj, session, limit);
}

static long messages_limit(const struct tool_call *call, long def)
{
	return (long)tool_arg_num(call, "messages_limit", (double)def);
}

/* ---- waiting ---------------------------------------------------------- */

static const char *const session_terminal[] = { "idle", "completed", "failed",
						"approval_required", NULL };

/* ---- approvals -------------------------------------------------------- */

#define ARGS_SHOWN_MAX 300

static const char *member_str(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (!cJSON_IsString(v) && b)
		v = cJSON_GetObjectItemCaseSensitive(obj, b);
	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* Cuts text to at most max bytes ending in "...", on a UTF-8 boundary. */
static char *shorten(char *text, size_t max)
{
	size_t n = strlen(text);

	if (n <= max)
		return text;
	n = max - 3;
	while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
		n--;
	strcpy(text + n, "...");
	return text;
}

/* One pending action in a sentence: what it would do, with what. */
static void describe_pending(const cJSON *p, int i, struct buf *out)
{
	const char *id = member_str(p, "action_request_id", "id");
	const char *type = member_str(p, "type", "kind");
	const char *tool = member_str(p, "tool_name", "tool");
	const char *intent = member_str(p, "intent", "description");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(p, "arguments");
	const cJSON *questions = cJSON_GetObjectItemCaseSensitive(p, "questions");
	char *text;

	buf_addf(out, "\n%d. action_request_id %s", i, id ? id : "(none)");
	if (type)
		buf_addf(out, " (%s)", type);
	if (tool)
		buf_addf(out, ": would run %s", tool);
	if (intent)
		buf_addf(out, "%s%s", tool ? ", to " : ": ", intent);
	if (args && (text = cJSON_PrintUnformatted(args))) {
		buf_addf(out, "; arguments %s", shorten(text, ARGS_SHOWN_MAX));
		free(text);
	}
	if (cJSON_IsArray(questions) && (text = cJSON_PrintUnformatted(questions))) {
		buf_addf(out, "; asks %s (answer in response.values)", text);
		free(text);
	}
}

/*
 * What the pending actions of a session in approval_required would do, and
 * that a person must decide: the text of a wait that ends there.
 */
static char *session_approvals_text(const char *id, const cJSON *pending)
{
	struct buf out = BUF_INIT;
	const cJSON *p;
	int i = 0;

	buf_addf(&out, "Session '%s' is paused in approval_required: the agent "
		 "waits for a person to accept or reject %d pending action%s.",
		 id, cJSON_GetArraySize(pending),
		 cJSON_GetArraySize(pending) == 1 ? "" : "s");
	cJSON_ArrayForEach(p, pending)
		describe_pending(p, ++i, &out);
	buf_addstr(&out, "\nAsk the user to decide on each; do not decide for "
		   "them. Then send their decisions with "
		   "resolve_gumloop_session_approvals (action accept or "
		   "reject per action_request_id), or send a new message "
		   "with create_a_gumloop_session_message to leave them "
		   "unanswered.");
	return buf_detach(&out, NULL);
}

static int is_approval_required(const cJSON *obj)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, "state");

	return cJSON_IsString(s) && !strcmp(s->valuestring, "approval_required");
}

/* The approvals text as a plain text item after the JSON one. */
static void add_approvals_content(struct tool_call *call, const char *id)
{
	const cJSON *pending = cJSON_GetObjectItemCaseSensitive(
		call->structured, "pending_approvals");
	cJSON *item;

	char *text = session_approvals_text(id, pending);

	call->content = cJSON_CreateArray();
	cJSON_AddItemToArray(call->content, tool_text_item(call->structured));
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text);
	cJSON_AddItemToArray(call->content, item);
	free(text);
}

static cJSON *fetch_session(struct tool_call *call, const char *id)
{
	return wait_get(call, "/sessions/", id, session_advice);
}

static int session_failed(struct tool_call *call, const char *id, cJSON *obj)
{
	char *why = last_turn_text(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "session"), "messages"), 1);

	tool_error(call, "session '%s' ended failed: %s. It was cancelled or "
		   "the agent hit an error; the session can go on: send a new "
		   "message with create_a_gumloop_session_message.", id,
		   why ? why : "Gumloop gave no error message");
	cJSON_AddStringToObject(call->structured, "session_id", id);
	cJSON_AddStringToObject(call->structured, "state", "failed");
	free(why);
	cJSON_Delete(obj);
	return -1;
}

/* The reply as a plain text item after the JSON one. */
static void add_reply_content(struct tool_call *call)
{
	const cJSON *reply = cJSON_GetObjectItemCaseSensitive(call->structured,
							      "reply");
	cJSON *item;

	if (!cJSON_IsString(reply))
		return;
	call->content = cJSON_CreateArray();
	cJSON_AddItemToArray(call->content, tool_text_item(call->structured));
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", reply->valuestring);
	cJSON_AddItemToArray(call->content, item);
}

static int finish_session(struct tool_call *call, struct wait *w)
{
	cJSON *obj = w->last;

	if (w->end == WAIT_TERMINAL && !strcmp(session_state(obj), "failed")) {
		w->last = NULL;
		return session_failed(call, w->id, obj);
	}
	if (obj) {
		/* what the create answer said about its messages is stale now */
		cJSON_DeleteItemFromObjectCaseSensitive(w->base,
							"messages_omitted");
		cJSON_DeleteItemFromObjectCaseSensitive(w->base, "reply");
		decorate(obj, messages_limit(call, WAIT_MESSAGES_DEFAULT));
	}
	if (wait_finish(call, w) < 0)
		return -1;
	if (w->end == WAIT_TERMINAL && is_approval_required(call->structured))
		add_approvals_content(call, w->id);
	else
		add_reply_content(call);
	return 0;
}

/* ---- asking the person (elicitation) ---------------------------------- */

#define RESOLVE_TOOL "resolve_gumloop_session_approvals"

/* The pending actions of a polled session (beside it or in it). */
static const cJSON *pending_of(const cJSON *obj)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(obj,
							  "pending_approvals");

	if (!p)
		p = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(obj, "session"),
			"pending_approvals");
	return cJSON_IsArray(p) && cJSON_GetArraySize(p) ? p : NULL;
}

/* A string property of a form's schema. */
static cJSON *form_field(cJSON *props, const char *name, const char *title)
{
	cJSON *f = cJSON_AddObjectToObject(props, name);

	cJSON_AddStringToObject(f, "type", "string");
	cJSON_AddStringToObject(f, "title", title);
	return f;
}

/* One form for one pending action: accept or reject, a reason, and the
 * agent's questions if it asked any. */
static cJSON *approval_form(const cJSON *p, const char *session_id)
{
	cJSON *form = cJSON_CreateObject(), *schema, *props, *decision, *req;
	const cJSON *q, *questions = cJSON_GetObjectItemCaseSensitive(p,
							"questions");
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "A Gumloop agent (session %s) waits for your decision:",
		 session_id);
	describe_pending(p, 1, &msg);
	buf_addstr(&msg, "\nAccept or reject it; nothing happens until you "
		   "decide.");
	cJSON_AddStringToObject(form, "message", msg.data);
	buf_release(&msg);
	schema = cJSON_AddObjectToObject(form, "requestedSchema");
	cJSON_AddStringToObject(schema, "type", "object");
	props = cJSON_AddObjectToObject(schema, "properties");
	decision = form_field(props, "decision", "Decision");
	cJSON_AddItemToObject(decision, "enum", cJSON_CreateStringArray(
		(const char *const[]){ "accept", "reject" }, 2));
	form_field(props, "reason", "Reason (optional)");
	cJSON_ArrayForEach(q, questions)
		if (member_str(q, "name", "id"))
			form_field(props, member_str(q, "name", "id"),
				   member_str(q, "label", "name"));
	req = cJSON_AddArrayToObject(schema, "required");
	cJSON_AddItemToArray(req, cJSON_CreateString("decision"));
	return form;
}

/*
 * approval_required where the client can ask its user: one form per
 * pending action. Never where approvals may not be sent (--read-only).
 */
static int ask_person(struct tool_call *call, struct wait *w)
{
	const cJSON *pending = pending_of(w->last), *p;
	const struct tool_def *resolve = tool_find(RESOLVE_TOOL);
	cJSON *forms;
	int asked;

	if (!pending || !call->hooks || !call->hooks->ask || !resolve ||
	    policy_hidden_by(resolve))
		return 0;
	forms = cJSON_CreateArray();
	cJSON_ArrayForEach(p, pending)
		cJSON_AddItemToArray(forms, approval_form(p, w->id));
	asked = call->hooks->ask(call, forms) == 0;
	cJSON_Delete(forms);
	return asked;
}

/* One approval_responses entry from a submitted form. */
static cJSON *approval_response(const cJSON *p, const cJSON *content)
{
	cJSON *r = cJSON_CreateObject(), *values;
	const cJSON *q, *v;
	const char *decision = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(content, "decision"));
	const char *reason = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(content, "reason"));

	cJSON_AddStringToObject(r, "action_request_id",
				member_str(p, "action_request_id", "id"));
	cJSON_AddStringToObject(r, "action", decision &&
				!strcmp(decision, "accept") ? "accept" : "reject");
	if (reason && *reason)
		cJSON_AddStringToObject(r, "reason", reason);
	if (!cJSON_HasObjectItem(p, "questions"))
		return r;
	values = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "response"),
					 "values");
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(p, "questions"))
		if (member_str(q, "name", "id") &&
		    cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(
			    content, member_str(q, "name", "id"))))
			cJSON_AddStringToObject(values,
						member_str(q, "name", "id"),
						v->valuestring);
	return r;
}

/*
 * The person's answers: sent with the resolve tool (policy, audit and
 * all), then the wait goes on. A form declined or cancelled leaves every
 * action pending: the wait ends with them, as without a person to ask.
 */
static int answer_person(struct tool_call *call, struct wait *w,
			 const cJSON *answers)
{
	const cJSON *pending = pending_of(w->last), *p, *a;
	cJSON *args = cJSON_CreateObject(), *list, *result;
	int i = 0, protocol_error = 0, ok;
	const char *action;
	char *cause = NULL;

	cJSON_AddStringToObject(args, "session_id", w->id);
	if (tool_arg_str(call, "team_id"))
		cJSON_AddStringToObject(args, "team_id",
					tool_arg_str(call, "team_id"));
	list = cJSON_AddArrayToObject(args, "approval_responses");
	cJSON_ArrayForEach(p, pending) {
		a = cJSON_GetArrayItem(answers, i++);
		action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			a, "action"));
		if (!action || strcmp(action, "accept") ||
		    !member_str(p, "action_request_id", "id")) {
			cJSON_Delete(args);
			return 0;
		}
		cJSON_AddItemToArray(list, approval_response(p,
			cJSON_GetObjectItemCaseSensitive(a, "content")));
	}
	result = tool_call_run(RESOLVE_TOOL, args, call->version,
			       &protocol_error, &cause);
	ok = result && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result,
								"isError"));
	if (!ok)
		tool_log(call, TOOL_LOG_WARNING, "the decisions could not be sent "
			 "to Gumloop: the session still waits for them");
	cJSON_Delete(result);
	cJSON_Delete(args);
	free(cause);
	return ok;
}

static const struct wait_kind session_wait = {
	"session", "session_id", fetch_session, session_state,
	session_terminal, finish_session, ask_person, answer_person
};

static int wait_session(struct tool_call *call)
{
	return wait_begin(call, &session_wait, tool_arg_str(call, "session_id"),
			  wait_limit_s(call, "timeout_seconds",
				       WAIT_DEFAULT_TIMEOUT_S), NULL);
}

/* ---- handlers --------------------------------------------------------- */

static const char *accepted_text(long status, const char *state)
{
	if (status == 201)
		return "201: the session was created idle, without input; send "
		       "the first message with create_a_gumloop_session_message";
	if (state && !strcmp(state, "queued"))
		return "202: accepted and queued behind other work of the agent "
		       "(see queue_position); follow it with "
		       "wait_for_gumloop_session";
	return "202: accepted, the agent is processing it; follow it with "
	       "wait_for_gumloop_session";
}

/* Attachments are objects naming an upload: a bare file name never is. */
static int check_attachments(struct tool_call *call)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, tool_arg(call, "attachments")) {
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a,
							"file_name")))
			continue;
		call->refused = 1;
		return tool_error(call, "invalid argument 'attachments': each "
				  "is an object {file_name, media_type} whose "
				  "file_name create_a_gumloop_session_file "
				  "returned; nothing was sent");
	}
	return 0;
}

/* Create and send: the answer explained, then a wait if asked for. */
static int post_session(struct tool_call *call)
{
	long seconds = wait_limit_s(call, "wait_seconds", 0);
	const cJSON *id;
	cJSON *json = NULL;

	if (check_attachments(call) < 0)
		return -1;

	json = tool_request_json(call);
	if (!json)
		return tool_advise(call, -1, session_advice);
	decorate(json, messages_limit(call, WAIT_MESSAGES_DEFAULT));
	cJSON_AddStringToObject(json, "accepted",
				accepted_text(call->status, session_state(json)));
	id = cJSON_GetObjectItemCaseSensitive(json, "session_id");
	if (!seconds || !cJSON_IsString(id))
		return tool_ok(call, json);
	return wait_begin(call, &session_wait, id->valuestring, seconds, json);
}

static int get_session(struct tool_call *call)
{
	if (tool_default_handler(call) < 0)
		return tool_advise(call, -1, session_advice);
	decorate(call->structured, messages_limit(call, -1));
	if (is_approval_required(call->structured))
		add_approvals_content(call, tool_arg_str(call, "session_id"));
	return 0;
}

/* Sends the caller's decisions; with wait_seconds, follows the session. */
static int resolve_approvals(struct tool_call *call)
{
	long seconds = wait_limit_s(call, "wait_seconds", 0);
	const char *id = tool_arg_str(call, "session_id");
	cJSON *json = NULL;

	json = tool_request_json(call);
	if (!json)
		return tool_advise(call, -1, session_advice);
	if (!cJSON_HasObjectItem(json, "session_id"))
		cJSON_AddStringToObject(json, "session_id", id);
	if (!seconds)
		return tool_ok(call, json);
	return wait_begin(call, &session_wait, id, seconds, json);
}

/* A file into the session's inputs, sent as base64 JSON. */
static int upload_session_file(struct tool_call *call)
{
	const char *why = NULL;
	char *content = tool_file_content(call->args, &why);
	struct http_request req;
	cJSON *json = NULL;

	if (!content) {
		call->refused = 1;
		return tool_error(call, "%s refused, nothing was uploaded: %s",
				  call->def->name, why);
	}
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		cJSON_AddStringToObject(req.json, "file_content", content);
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	free(content);
	if (!json)
		return tool_advise(call, -1, session_advice);
	return tool_ok(call, json);
}

static int session_default(struct tool_call *call)
{
	if (tool_default_handler(call) < 0)
		return tool_advise(call, -1, session_advice);
	decorate(call->structured, -1);
	return 0;
}

/* ---- the table -------------------------------------------------------- */

#define SESSION_ID_PARAM \
	{ "session_id", P_STRING, IN_PATH, REQUIRED, \
	  "from create_a_gumloop_session", NULL }
#define AGENT_ID_PARAM \
	{ "agent_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_agents", NULL }
#define MESSAGES_LIMIT_PARAM(what) \
	{ "messages_limit", P_INTEGER, IN_LOCAL, 0, \
	  what, \
	  "{\"type\":\"integer\",\"minimum\":0}" }

static const struct param list_params[] = {
	AGENT_ID_PARAM,
	PAGE_PARAMS,
	{ "search", P_STRING, IN_QUERY, 0, "name contains", NULL },
	{ "sort_order", P_STRING, IN_QUERY, 0, "default newest",
	  "{\"type\":\"string\",\"enum\":[\"newest\",\"oldest\"]}" },
	{ "state", P_STRING, IN_QUERY, 0, NULL,
	  "{\"type\":\"string\",\"enum\":[\"processing\",\"completed\","
	  "\"failed\",\"queued\",\"idle\"]}" },
	{ "type", P_STRING, IN_QUERY, 0, "api, web, slack, ...", NULL },
	{ "creator_user_id", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ "trigger_id", P_STRING, IN_QUERY, 0, NULL, NULL },
	{ 0 }
};

static const struct param create_params[] = {
	AGENT_ID_PARAM,
	{ "input", P_STRING, IN_BODY, 0,
	  "first message (none: starts idle)", NULL },
	{ "name", P_STRING, IN_BODY, 0, NULL, "{\"type\":\"string\",\"minLength\":1,"
	  "\"maxLength\":256}" },
	{ "session_id", P_STRING, IN_BODY, 0, "your own id (optional)", NULL },
	{ "metadata", P_OBJECT, IN_BODY, 0, NULL, NULL },
	MESSAGES_LIMIT_PARAM("default 10"),
	{ 0 }
};

static const struct param get_params[] = {
	SESSION_ID_PARAM,
	MESSAGES_LIMIT_PARAM("default all"),
	{ 0 }
};

static const struct param send_params[] = {
	SESSION_ID_PARAM,
	{ "input", P_STRING, IN_BODY, REQUIRED, "the message text", NULL },
	{ "attachments", P_ARRAY, IN_BODY, 0,
	  "file_name: as create_a_gumloop_session_file returned it",
	  "{\"type\":\"array\",\"maxItems\":10,\"items\":{\"type\":"
	  "\"object\",\"properties\":{\"file_name\":{\"type\":\"string\"},"
	  "\"media_type\":{\"type\":\"string\"}},"
	  "\"required\":[\"file_name\"]}}" },
	MESSAGES_LIMIT_PARAM("default 10"),
	{ 0 }
};

static const struct param session_id_param[] = {
	SESSION_ID_PARAM,
	{ 0 }
};

static const struct param rename_params[] = {
	SESSION_ID_PARAM,
	{ "name", P_STRING, IN_BODY, REQUIRED, "1 to 256 characters",
	  "{\"type\":\"string\",\"minLength\":1,\"maxLength\":256}" },
	{ 0 }
};

static const struct param file_params[] = {
	SESSION_ID_PARAM,
	{ "file_name", P_STRING, IN_BODY, REQUIRED, "base name", NULL },
	{ "content_text", P_STRING, IN_LOCAL, 0, NULL, NULL },
	{ "content_base64", P_STRING, IN_LOCAL, 0, "at most 200 MB decoded",
	  NULL },
	{ "media_type", P_STRING, IN_BODY, 0, "e.g. text/csv", NULL },
	{ 0 }
};

static const struct param approvals_params[] = {
	SESSION_ID_PARAM,
	{ "approval_responses", P_ARRAY, IN_BODY, REQUIRED,
	  "one per pending action_request_id",
	  "{\"type\":\"array\",\"minItems\":1,\"maxItems\":20,\"items\":{"
	  "\"type\":\"object\",\"properties\":{"
	  "\"action_request_id\":{\"type\":\"string\"},"
	  "\"action\":{\"enum\":[\"accept\",\"reject\"]},"
	  "\"reason\":{\"type\":\"string\"},"
	  "\"response\":{\"type\":\"object\",\"description\":"
	  "\"human_input: {values: {question: answer}}\"}},"
	  "\"required\":[\"action_request_id\",\"action\"]}}" },
	MESSAGES_LIMIT_PARAM("default 10"),
	{ 0 }
};

#define QUEUE_ITEM_PARAM \
	{ "queue_item_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_session_queue_items", NULL }
#define QUEUE_INPUT_PARAM \
	{ "input", P_STRING, IN_BODY, REQUIRED, "the message text", \
	  "{\"type\":\"string\",\"minLength\":1}" }

static const struct param queue_add_params[] = {
	SESSION_ID_PARAM,
	QUEUE_INPUT_PARAM,
	{ 0 }
};

static const struct param queue_edit_params[] = {
	SESSION_ID_PARAM,
	QUEUE_ITEM_PARAM,
	QUEUE_INPUT_PARAM,
	{ 0 }
};

static const struct param queue_item_params[] = {
	SESSION_ID_PARAM,
	QUEUE_ITEM_PARAM,
	{ 0 }
};

static const struct param queue_send_params[] = {
	SESSION_ID_PARAM,
	QUEUE_ITEM_PARAM,
	MESSAGES_LIMIT_PARAM("default 10"),
	{ 0 }
};

static const struct param wait_params[] = {
	SESSION_ID_PARAM,
	MESSAGES_LIMIT_PARAM("default 10"),
	{ 0 }
};

const struct tool_def sessions_tools[] = {
	{ .name = "list_all_gumloop_sessions", .title = "List an agent's sessions",
	  .description = "List an agent's sessions (conversations), newest "
		"first, with state, without messages.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/sessions",
	  .params = list_params, .output_schema = sessions_schema,
	  .handler = tool_default_handler },
	{ .name = "create_a_gumloop_session", .title = "Start a session",
	  .description = "Start a conversation with an agent; with input "
		"it starts working: then wait_for_gumloop_session.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/agents/{agent_id}/sessions",
	  .params = create_params, .output_schema = session_schema,
	  .flags = T_WAITABLE | T_TASK, .handler = post_session },
	{ .name = "get_single_gumloop_session_by_id", .title = "Get a session",
	  .description = "Get a session's state and messages; reply is the "
		"agent's final answer once completed.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/sessions/{session_id}",
	  .params = get_params, .output_schema = session_schema,
	  .handler = get_session },
	{ .name = "create_a_gumloop_session_message",
	  .title = "Send a message in a session",
	  .description = "Send the next message in a session (refused "
		"while processing: wait first).",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/messages",
	  .params = send_params, .output_schema = session_schema,
	  .flags = T_WAITABLE | T_TASK, .handler = post_session },
	{ .name = "cancel_a_gumloop_session", .title = "Cancel a session",
	  .description = "Stop a processing or queued session (it becomes "
		"failed).",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/cancel",
	  .params = session_id_param, .output_schema = cancel_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT, .handler = session_default },
	{ .name = "wait_for_gumloop_session", .title = "Wait for a session",
	  .description = "Wait until a session is idle, completed, failed "
		"(an error) or approval_required (pending_approvals: a person "
		"decides); returns the reply.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/sessions/{session_id}",
	  .params = wait_params, .output_schema = session_schema,
	  .flags = T_WAIT, .handler = wait_session },
	{ .name = "update_a_gumloop_session_by_id", .title = "Rename a session",
	  .description = "Rename a session (name is all that can change).",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "PATCH", .path = "/sessions/{session_id}",
	  .params = rename_params, .output_schema = session_schema,
	  .flags = T_IDEMPOTENT, .handler = session_default },
	{ .name = "create_a_gumloop_session_file",
	  .title = "Upload a file to a session",
	  .description = "Upload a file to a session; attach the returned "
		"file_name to a message.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/files",
	  .params = file_params, .one_of = "content_text|content_base64",
	  .output_schema = file_schema, .handler = upload_session_file },
	{ .name = "resolve_gumloop_session_approvals",
	  .title = "Answer pending approvals",
	  .description = "Send a person's accept/reject decisions on a "
		"session's pending approvals; never decide for them.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/approvals",
	  .params = approvals_params, .output_schema = resolved_schema,
	  .flags = T_WAITABLE,
	  .handler = resolve_approvals },
	{ .name = "list_all_gumloop_session_queue_items",
	  .title = "List a session's queued messages",
	  .description = "List the messages queued for after the agent's "
		"current turn, in order.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/sessions/{session_id}/queue",
	  .params = session_id_param, .output_schema = queue_schema },
	{ .name = "create_a_gumloop_session_queue_item",
	  .title = "Queue a message",
	  .description = "Queue a message to send when the agent finishes its "
		"turn (at most 20 queued).",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/queue",
	  .params = queue_add_params, .output_schema = queued_schema },
	{ .name = "update_a_gumloop_session_queue_item_by_id",
	  .title = "Edit a queued message",
	  .description = "Replace the text of a message still queued.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "PATCH",
	  .path = "/sessions/{session_id}/queue/{queue_item_id}",
	  .params = queue_edit_params, .output_schema = queued_schema,
	  .flags = T_IDEMPOTENT },
	{ .name = "delete_a_gumloop_session_queue_item_by_id",
	  .title = "Delete a queued message",
	  .description = "Remove a queued message before it is sent.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "DELETE",
	  .path = "/sessions/{session_id}/queue/{queue_item_id}",
	  .params = queue_item_params, .output_schema = deleted_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT },
	{ .name = "send_a_gumloop_session_queue_item",
	  .title = "Send a queued message now",
	  .description = "Send a queued message now, aborting the agent's "
		"current turn.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST",
	  .path = "/sessions/{session_id}/queue/{queue_item_id}/send",
	  .params = queue_send_params, .output_schema = session_schema,
	  .flags = T_DESTRUCTIVE | T_WAITABLE, .handler = post_session },
	{ 0 }
};
