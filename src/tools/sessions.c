/*
 * Sessions: conversations with an agent (the successor of start_agent).
 * Every session answer is decorated the same way: session_id and state at
 * the top, the newest messages only (messages_limit, with how many were
 * left out), and the final assistant reply once a turn has completed.
 * Waiting ends at idle, completed or failed.
 */
#include <stdlib.h>
#include <string.h>
#include "http.h"
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
	"\"timed_out\":{\"type\":\"boolean\"}},"
	"\"required\":[\"session_id\",\"state\"]}";

static const char sessions_schema[] =
	"{\"type\":\"object\",\"properties\":{\"sessions\":{\"type\":\"array\"},"
	"\"next_cursor\":{\"type\":[\"string\",\"null\"]}},"
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
	  "completed, failed or idle, then send the message again." },
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
						NULL };

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
	add_reply_content(call);
	return 0;
}

static const struct wait_kind session_wait = {
	"session", "session_id", fetch_session, session_state,
	session_terminal, finish_session
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

/* Create and send: the answer explained, then a wait if asked for. */
static int post_session(struct tool_call *call)
{
	long seconds = wait_limit_s(call, "wait_seconds", 0);
	struct http_request req;
	const cJSON *id;
	cJSON *json = NULL;

	http_request_init(&req, call->def->method);
	if (tool_build_request(call, NULL, NULL, &req) == 0)
		json = tool_exchange(call, &req);
	http_request_release(&req);
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
	return 0;
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
	  "newest N messages " what, \
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
	MESSAGES_LIMIT_PARAM("(default 10)"),
	{ 0 }
};

static const struct param get_params[] = {
	SESSION_ID_PARAM,
	MESSAGES_LIMIT_PARAM("(default all)"),
	{ 0 }
};

static const struct param send_params[] = {
	SESSION_ID_PARAM,
	{ "input", P_STRING, IN_BODY, REQUIRED, "the message text", NULL },
	{ "attachments", P_ARRAY, IN_BODY, 0,
	  "file_names of files uploaded to the session",
	  "{\"type\":\"array\",\"maxItems\":10}" },
	MESSAGES_LIMIT_PARAM("(default 10)"),
	{ 0 }
};

static const struct param session_id_param[] = {
	SESSION_ID_PARAM,
	{ 0 }
};

static const struct param wait_params[] = {
	SESSION_ID_PARAM,
	MESSAGES_LIMIT_PARAM("(default 10)"),
	{ 0 }
};

const struct tool_def sessions_tools[] = {
	{ .name = "list_all_gumloop_sessions", .title = "List an agent's sessions",
	  .description = "List an agent's sessions (conversations), newest "
		"first, with their state, without messages.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/sessions",
	  .params = list_params, .output_schema = sessions_schema,
	  .handler = tool_default_handler },
	{ .name = "create_a_gumloop_session", .title = "Start a session",
	  .description = "Start a conversation with an agent; with input it "
		"starts working. Returns session_id for "
		"wait_for_gumloop_session, or pass wait_seconds.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/agents/{agent_id}/sessions",
	  .params = create_params, .output_schema = session_schema,
	  .flags = T_WAITABLE, .handler = post_session },
	{ .name = "get_single_gumloop_session_by_id", .title = "Get a session",
	  .description = "Get a session's state and messages; reply is the "
		"agent's final answer once completed.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/sessions/{session_id}",
	  .params = get_params, .output_schema = session_schema,
	  .handler = get_session },
	{ .name = "create_a_gumloop_session_message",
	  .title = "Send a message in a session",
	  .description = "Send the next message in a session (refused while "
		"processing: wait first). Pass wait_seconds to wait for the "
		"reply.",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/messages",
	  .params = send_params, .output_schema = session_schema,
	  .flags = T_WAITABLE, .handler = post_session },
	{ .name = "cancel_a_gumloop_session", .title = "Cancel a session",
	  .description = "Stop a processing or queued session (it becomes "
		"failed).",
	  .access = TOOL_WRITE, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/sessions/{session_id}/cancel",
	  .params = session_id_param, .output_schema = cancel_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT, .handler = session_default },
	{ .name = "wait_for_gumloop_session", .title = "Wait for a session",
	  .description = "Wait until a session is idle, completed or failed "
		"and return its reply; failed is an error. On timed_out: true, "
		"call again.",
	  .access = TOOL_READ, .tag = "sessions", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/sessions/{session_id}",
	  .params = wait_params, .output_schema = session_schema,
	  .flags = T_WAIT, .handler = wait_session },
	{ 0 }
};
