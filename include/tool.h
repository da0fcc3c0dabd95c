#ifndef GUMLOOP_TOOL_H
#define GUMLOOP_TOOL_H
/*
 * The tool table and its walk. A tool is data (struct tool_def): from one
 * entry come its inputSchema, argument checks, HTTP request, annotations,
 * --list-tools text and the discovery index. A handler is written only
 * where mapping is not enough.
 *
 * Adding a tool:
 *  1. add an entry to the table of its area in src/tools/<area>.c (params
 *     first, then the entry; a handler only if the default request/response
 *     mapping does not fit);
 *  2. serve its endpoint in the fake Gumloop (test/fake/<area>.c);
 *  3. test it through the binary (test/t-<area>.py); test/unit/test_table.c
 *     checks every entry is well formed without being told about it.
 *
 * Ownership: a struct tool_call owns a copy of its arguments and the result
 * it builds (call->structured, call->content) until tool_call_finish()
 * hands it over. The layer above passes down what a call may ask of it
 * (struct call_hooks); nothing here calls up.
 */
#include <stddef.h>
#include <cjson/cJSON.h>
#include "config.h"

struct wait;
struct http_request;
struct http_response;

enum tool_access { TOOL_READ, TOOL_WRITE, TOOL_CUSTOM };

/* P_ANY: the value's JSON type must be one its schema names ("type" or
 * the "type" of each "oneOf" branch), e.g. a string or an object. */
enum param_type { P_STRING, P_INTEGER, P_NUMBER, P_BOOLEAN, P_OBJECT, P_ARRAY,
		  P_ANY };

enum param_in {
	IN_PATH,	/* fills {name} in the path template */
	IN_QUERY,	/* query string */
	IN_BODY,	/* JSON body member */
	IN_LOCAL,	/* read by the handler, never sent as is */
};

/* Scope arguments a tool takes, added to its schema and request. */
enum tool_scope {
	SCOPE_NONE,
	SCOPE_LEGACY,	/* user_id / project_id (query on GET, body else) */
	SCOPE_TEAM,	/* team_id (query) */
	SCOPE_TEAM_BODY,	/* team_id (JSON body: where Gumloop reads it) */
	SCOPE_USER,	/* user_id, required (query on GET, body else):
			   the organization endpoints */
};

/* Flags of a tool entry. */
#define T_DESTRUCTIVE	(1u << 0)	/* deletes, kills, cancels */
#define T_IDEMPOTENT	(1u << 1)	/* a repeat has no further effect */
#define T_WAITABLE	(1u << 2)	/* takes wait_seconds */
#define T_WAIT		(1u << 3)	/* a wait tool: takes timeout_seconds */
#define T_STREAM_HOST	(1u << 4)	/* sent to the stream base URL */
#define T_DOWNLOAD	(1u << 5)	/* returns bytes, not JSON */
#define T_TASK		(1u << 7)	/* starts Gumloop work that may run as
					   an MCP task (with T_WAIT: waits) */
#define T_DISPATCH	(1u << 6)	/* runs the tool its arguments name
					   (discovery): no implied arguments */

/* Flags of a parameter. */
#define REQUIRED	(1u << 0)

/* The arguments of a cursor-paged list: two entries of a params table.
 * Both go to the query as they are; the answer carries next_cursor. The
 * server's instructions (src/mcp.c) say so once for every list. */
#define PAGE_PARAMS \
	{ "page_size", P_INTEGER, IN_QUERY, 0, NULL, \
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":100}" }, \
	{ "cursor", P_STRING, IN_QUERY, 0, NULL, NULL }

struct param {
	const char *name;
	enum param_type type;
	enum param_in in;
	unsigned flags;
	const char *description;
	/* Optional JSON Schema text replacing the one made from type (items,
	 * enum, bounds). Its "type" must agree with type. */
	const char *schema;
};

struct tool_call;
/* A handler returns 0, -1 (the tool error set) or TOOL_PENDING: it began a
 * wait (wait_begin), which the loop steps until it ends. */
#define TOOL_PENDING 1
typedef int (*tool_handler_fn)(struct tool_call *call);

/* What a call may ask of the protocol layer above it, passed down. */
struct call_hooks {
	/* Looks at the input while a request is in flight (answers a ping,
	 * notes cancellations, queues the rest). Returns 1 when this call
	 * must stop: cancelled, or input ended during a wait. */
	int (*check)(struct tool_call *call);
	/* Reports how the call is going (a wait's state). */
	void (*progress)(struct tool_call *call, const char *message);
	/* Tells the client's log, at a syslog level (enum mcp_log_level). */
	void (*log)(struct tool_call *call, int level, const char *message);
	/* Asks the client's user the forms (an array of elicitation params,
	 * one per question): 0 when asked (the answers come through
	 * tool_call_answer, in order), -1 when this client cannot be asked.
	 * May be NULL. */
	int (*ask)(struct tool_call *call, const cJSON *forms);
};

struct tool_def {
	const char *name;
	const char *title;
	const char *description;
	enum tool_access access;
	const char *tag;
	enum tool_scope scope;
	const char *method;		/* HTTP method */
	const char *path;		/* template relative to the base URL */
	const struct param *params;	/* zero-terminated, may be NULL */
	const char *output_schema;	/* JSON Schema text, or NULL */
	unsigned flags;			/* T_* */
	/* "a|b": at least one of these arguments is required. */
	const char *one_of;
	/* JSON object text whose members are added to the top of the
	 * inputSchema (e.g. "$schema", "$defs"), or NULL. */
	const char *schema_extra;
	tool_handler_fn handler;	/* NULL: tool_default_handler */
};

/* One tools/call in progress. */
struct tool_call {
	const struct tool_def *def;	/* NULL: unknown or hidden tool */
	char *name;			/* the tool called (owned) */
	cJSON *args;			/* the arguments object (owned) */
	const struct call_hooks *hooks;	/* NULL: nobody to ask */
	void *owner;			/* the protocol layer's record */
	const char *version;		/* the request's protocol version */
	long long started;		/* ms (now_ms) */
	struct wait *wait;		/* a wait in progress, or NULL */
	long wait_cap_s;		/* longest wait (0: --max-wait) */
	int cancelled;			/* no result goes out */
	int protocol_error;		/* the answer is a JSON-RPC error */
	cJSON *structured;		/* structuredContent (owned) */
	cJSON *content;			/* content array override (owned) */
	cJSON *replay;			/* an earlier result answered instead
					   (idempotency), whole (owned) */
	char *text;			/* error text or NULL (owned) */
	int is_error;
	long status;			/* last HTTP status, 0 when none */
	int refused;			/* refused before any request */
	unsigned wrote;			/* TOOL_WROTE..., set by tool_send */
};

/* What the non-GET requests of a call did (for safe writes). */
#define TOOL_WROTE		(1u << 0)	/* a 2xx answer */
#define TOOL_MAY_HAVE_WRITTEN	(1u << 1)	/* sent, no definite answer */

/* The tables, one per area, each zero-terminated. */
extern const struct tool_def flows_tools[];
extern const struct tool_def agents_tools[];
extern const struct tool_def sessions_tools[];
extern const struct tool_def skills_tools[];
extern const struct tool_def artifacts_tools[];
extern const struct tool_def files_tools[];
extern const struct tool_def mcp_catalog_tools[];
extern const struct tool_def admin_tools[];
extern const struct tool_def organizations_tools[];
extern const struct tool_def brain_tools[];
extern const struct tool_def browser_tools[];
extern const struct tool_def evaluations_tools[];
#ifdef CONFORMANCE_FIXTURES
/* The conformance suite's fixture tools (test/interop/fixtures.c), only in
 * the test binary build/gumloop-mcp-conformance. */
extern const struct tool_def fixtures_tools[];
#endif

/* Walks every entry of every table: for (i = 0; (t = tool_at(i)); i++). */
const struct tool_def *tool_at(size_t i);
const struct tool_def *tool_find(const char *name);
const char *tool_access_str(enum tool_access a);

/*
 * The tool as tools/list shows it to a 2025-06-18 or later client (name,
 * title, description, inputSchema, outputSchema, annotations): a new object. Schemas are built once and
 * cached for the process.
 */
cJSON *tool_describe(const struct tool_def *def);
cJSON *tool_input_schema(const struct tool_def *def);	/* cached, borrowed */
cJSON *tool_output_schema(const struct tool_def *def);	/* cached, borrowed, may be NULL */
/* 1 when the entry's output schema names required fields (the listed one
 * leaves "required" out so that an error result validates): a success
 * without them, e.g. an empty body, is Gumloop's fault. */
int tool_output_needs_fields(const struct tool_def *def);
/* The descriptions tools/list shows, filters applied (cached, borrowed). */
const cJSON *tool_listed(void);
/* How many tools tools/list shows, and the compact JSON array of count of
 * them from offset (titled: annotations repeat the title, for clients
 * before 2025-06-18): built on demand, borrowed until the next page asked
 * for or tool_cache_release(). */
long tool_listed_count(void);
#define LIST_TITLED	1u	/* before 2025-06-18: title in annotations */
#define LIST_TASKS	2u	/* 2025-11-25: execution.taskSupport */
const char *tool_listed_page(long offset, long count, unsigned how);
/* Frees the caches (at exit). */
void tool_cache_release(void);
/* 1 when the tool starts or waits for Gumloop work, so it may run as an
 * MCP task (execution.taskSupport "optional"). */
int tool_runs_as_task(const struct tool_def *def);
/* The parameter called name: the entry's own or an implied one. */
const struct param *tool_param(const struct tool_def *def, const char *name);

/*
 * Checks args against the entry: types, required, one_of, unknown names.
 * Returns 0, or -1 with *cause (caller frees).
 */
int tool_check_args(const struct tool_def *def, const cJSON *args, char **cause);

/*
 * Starts a tools/call: policy, checks, then the handler. Returns the call,
 * which either has its outcome (tool_call_waiting() is 0) or waits: then
 * the caller runs tool_call_step() at tool_call_due() until it ends.
 * Nothing is sent twice: a call is finished exactly once.
 */
struct call_env {
	const struct call_hooks *hooks;	/* NULL: nobody to ask */
	void *owner;			/* the caller's record of the call */
	const char *version;		/* the request's protocol version */
	long wait_cap_s;		/* longest wait (0: --max-wait) */
};
struct tool_call *tool_call_start(const char *name, const cJSON *args,
				  const struct call_env *env);
int tool_call_waiting(const struct tool_call *call);
/* When the wait's next poll is due (now_ms time). */
long long tool_call_due(const struct tool_call *call);
/* When the wait's time is up (now_ms time): a wait that has not polled
 * yet (queued) polls then once, and ends. */
long long tool_call_deadline(const struct tool_call *call);
/* One poll of a waiting call. */
void tool_call_step(struct tool_call *call);
/* Ends a wait now with what it has (input ended: timed_out). */
void tool_call_stop(struct tool_call *call);
/* A wait past its deadline ends with what it has, without a request: 1
 * when it ended; 0 when it must still be stepped once (nothing seen yet,
 * or the user is asked). */
int tool_call_time_up(struct tool_call *call);
/* The answers (elicitation results {action, content}, one per form asked,
 * in order) to what the call asked; its wait goes on or ends. */
void tool_call_answer(struct tool_call *call, const cJSON *answers);
/*
 * Audits the call, remembers a write's outcome, frees the call and returns
 * its CallToolResult: a new object, or NULL when cancelled or when the
 * answer is a JSON-RPC error (then *cause is set, caller frees).
 */
cJSON *tool_call_finish(struct tool_call *call, char **cause);
/*
 * A call run to its end at once (for --call and resources): waits poll in
 * place, and only a stop signal ends one. Returns as tool_call_finish;
 * *protocol_error says which.
 */
cJSON *tool_call_run(const char *name, const cJSON *args,
		     const char *version, int *protocol_error, char **cause);
/* The same with env's hooks and owner (NULL hooks: as tool_call_run). */
cJSON *tool_call_run_env(const char *name, const cJSON *args,
			 const struct call_env *env, int *protocol_error,
			 char **cause);
/* Writes the call's audit line now (a task's start; its end is written by
 * tool_call_finish). -1 when the line could not be written. */
int tool_call_audit(const struct tool_call *call, const char *outcome);
/* Sleeps ms while the call's hooks look at the input; 1 when it must stop. */
int tool_nap(struct tool_call *call, long ms);

/* Levels of the client's log (notifications/message), numbered as the
 * protocol's syslog levels, lowest first. */
enum tool_log_level {
	TOOL_LOG_DEBUG, TOOL_LOG_INFO, TOOL_LOG_NOTICE, TOOL_LOG_WARNING,
	TOOL_LOG_ERROR
};
/* Tells the client's log through the call's hooks (nothing when it has
 * none); the text goes out redacted, but should never hold a secret. */
void tool_log(struct tool_call *call, enum tool_log_level level,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Fails the call: sets the error text and structured error; returns -1. */
int tool_error(struct tool_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fails the call from an HTTP failure or error status; returns -1. */
int tool_error_http(struct tool_call *call, const struct http_response *resp);
/* Advice for one documented error: status (0: any) and Gumloop's code
 * or message (case-insensitive; NULL: any). */
struct tool_advice {
	long status;
	const char *code;
	const char *advice;
};
/*
 * When the call failed with an HTTP error matching an entry of table
 * (ends with a zeroed entry), its text gets that entry's advice instead of
 * the generic one. Returns rc, so handlers can "return tool_advise(...)".
 */
int tool_advise(struct tool_call *call, int rc, const struct tool_advice *table);
/* files.c: the canonical base64 of an object's content_text or
 * content_base64 (exactly one), or NULL with *why set (static). */
char *tool_file_content(const cJSON *item, const char **why);
/* Sets a successful JSON result (takes obj). Returns 0. */
int tool_ok(struct tool_call *call, cJSON *take_obj);

/* Hands the call's outcome over as a CallToolResult {content,
 * structuredContent, isError}: a new object. */
cJSON *tool_call_result(struct tool_call *call);
/* The compact JSON text of the call's structured result, as a text item. */
cJSON *tool_text_item(const cJSON *structured);
/* Adds to a CallToolResult the note that its call is not in the audit log
 * (audit_record failed): the client learns what the operator will not. */
void tool_note_audit_failure(cJSON *result);

/* Argument access (NULL / default when absent). */
const char *tool_arg_str(const struct tool_call *call, const char *name);
const cJSON *tool_arg(const struct tool_call *call, const char *name);
double tool_arg_num(const struct tool_call *call, const char *name, double def);
int tool_arg_bool(const struct tool_call *call, const char *name, int def);

/*
 * Builds the request the entry describes from the arguments: URL with path
 * and query parameters and scope defaults, JSON body of the IN_BODY ones.
 * path overrides def->path when not NULL. Returns 0 or -1 (tool error set).
 */
int tool_build_request(struct tool_call *call, const char *method,
		       const char *path, struct http_request *req);
/* Sends req; on a failure or an HTTP error status sets the tool error and
 * returns -1; else 0 with resp filled. Read tools retry 429/503 when
 * Retry-After is at most 10 s. */
int tool_send(struct tool_call *call, struct http_request *req,
	      struct http_response *resp);
/* Parses the response body as JSON (a large body is rewritten as it is
 * read); a tool error if it is not. */
cJSON *tool_response_json(struct tool_call *call, struct http_response *resp);
/* Sends a built request and parses the answer: the JSON object, or NULL
 * with the tool error set. The caller still releases req. */
cJSON *tool_exchange(struct tool_call *call, struct http_request *req);
/* The entry's own request, built, sent and parsed: the JSON object, or
 * NULL with the tool error set. */
cJSON *tool_request_json(struct tool_call *call);
/* The generic handler: build, send, parse; the JSON object is the result. */
int tool_default_handler(struct tool_call *call);
/* Sends a GET to path (a template filled from the arguments) with the
 * entry's query arguments, the scope and the extra query pairs (name,
 * value, ..., NULL); returns the parsed JSON, or NULL with the error set. */
cJSON *tool_get_json(struct tool_call *call, const char *path,
		     const char *const *query);

#endif
