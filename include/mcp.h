#ifndef GUMLOOP_MCP_H
#define GUMLOOP_MCP_H
/*
 * The MCP protocol, dual-era: the legacy versions (2024-11-05 to 2025-11-25,
 * after initialize) and the modern 2026-07-28 (stateless, version and
 * capabilities in each request's _meta). One struct server lives for the
 * process; one struct mcp_request for each request being handled, and one
 * struct mcp_call for each tools/call still waiting (answered later, out
 * of order). The loop above feeds lines in and steps the waits; what this
 * layer needs from it (a look at the input while a request is in flight)
 * comes down as a callback.
 */
#include <stddef.h>
#include <cjson/cJSON.h>
#include "reader.h"
#include "tool.h"
#include "writer.h"

#define MCP_MODERN_VERSION "2026-07-28"
#define MCP_LATEST_LEGACY "2025-11-25"
/* Waits polling at once; more queue in order (and already get progress). */
#define MCP_MAX_WAITS 32

/* Syslog levels of logging/setLevel, lowest first. */
enum mcp_log_level {
	MCP_LOG_DEBUG, MCP_LOG_INFO, MCP_LOG_NOTICE, MCP_LOG_WARNING,
	MCP_LOG_ERROR, MCP_LOG_CRITICAL, MCP_LOG_ALERT, MCP_LOG_EMERGENCY,
	MCP_LOG_OFF
};

struct task;

struct mcp_request {
	cJSON *id;		/* the id exactly as sent (a raw node), owned */
	cJSON *progress_token;	/* raw node, owned, or NULL */
	double progress;	/* last progress value sent */
	int cancelled;		/* a notifications/cancelled named this id */
	int deferred;		/* answered later: a wait goes on */
	int modern;		/* 2026-07-28 request */
	int tasks_ext;		/* its client declared the tasks extension */
	int elicitation;	/* its client can ask its user (forms) */
	const char *version;	/* the version this request speaks */
	int log_level;		/* notifications/message threshold */
};

/* Forms a call asked its user (elicitation), and the answers so far. */
struct mcp_ask {
	cJSON *keys;		/* per form: the request id sent (legacy) or
				   the inputRequests key (a modern task) */
	cJSON *forms;		/* the elicitation params, in order */
	cJSON *answers;		/* per form: its result, or null */
	int unanswered;
};

/* A tools/call that waits: answered when its wait ends. */
struct mcp_call {
	struct mcp_request req;
	struct tool_call *call;
	int queued;		/* beyond MCP_MAX_WAITS: not polling yet */
	struct task *task;	/* a task's call: the answer is kept */
	struct mcp_ask *ask;	/* its user was asked, or NULL */
	struct mcp_call *next;
};

struct server {
	int initialized;		/* legacy initialize answered */
	const char *version;		/* negotiated legacy version or NULL */
	int log_level;			/* legacy logging/setLevel threshold */
	int elicitation;		/* the legacy client can ask its user */
	long asks;			/* forms asked so far (their ids) */
	struct mcp_request *current;	/* request being handled, or NULL */
	struct mcp_call *calls;		/* waiting calls, oldest first */
	size_t polling;			/* how many of them poll (not queued) */
	long long next_poll;		/* no poll before (--poll-rate) */
	int eof;			/* input ended: no more requests */
	struct task *tasks;		/* newest first (tasks.c) */
	/* Given by the loop: reads what input there is without waiting
	 * (answering pings, noting cancellations, queueing the rest). */
	void (*look_at_input)(void *ctx);
	void *input_ctx;
};

/* A JSON-RPC error a method handler reports (message and data owned). */
struct rpc_error {
	int code;
	char *message;
	cJSON *data;
};

/*
 * A protocol method: returns the result object, or NULL with *err filled.
 * The dispatcher adds resultType, _meta and caching hints in the modern era.
 */
typedef cJSON *(*mcp_method_fn)(struct server *srv, const cJSON *params,
				struct rpc_error *err);

/* Fills *err; returns NULL so handlers can "return rpc_fail(...)". */
cJSON *rpc_fail(struct rpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void mcp_init(struct server *srv);
/* Answers every waiting call with what it has (input ended, or a stop),
 * then frees them. */
void mcp_release(struct server *srv);

/* Handles one line: a message or a batch; writes every reply. */
void mcp_handle_line(struct server *srv, const char *line, size_t len);

/*
 * Marks the request whose raw id is rid as cancelled (the current one, or a
 * waiting call): 1 when found. Nothing is answered for it.
 */
int mcp_cancel(struct server *srv, const char *rid, size_t rlen);
/* 1 when two raw JSON ids are the same id. */
int mcp_same_id(const char *a, size_t alen, const char *b, size_t blen);

/* What a waiting call may ask of this layer (progress, cancellation). */
extern const struct call_hooks mcp_call_hooks;
/* What a tool called in place while the request being handled is
 * answered may ask (owner: srv->current): it sees pings and its own
 * cancellation. */
extern const struct call_hooks mcp_request_hooks;
/* Keeps a call whose wait goes on (taken): it is stepped by
 * mcp_run_due(); past MCP_MAX_WAITS it queues. */
void mcp_keep_call(struct server *srv, struct mcp_call *mc);
/* One poll of a kept call now; answers it when its wait ended. */
void mcp_step_call(struct server *srv, struct mcp_call *mc);
/* The answer (taken) to form i of what mc asked; once all are in, the
 * call acts on them. */
void mcp_give_answer(struct server *srv, struct mcp_call *mc, int i,
		     cJSON *take_answer);

/* When the next wait poll is due (now_ms time), or -1 when none waits. */
long long mcp_next_due(const struct server *srv);
/* Runs the polls that are due (one at most per --poll-rate slot), and
 * answers the calls whose wait ended or that were cancelled. */
void mcp_run_due(struct server *srv);

/*
 * Shared within the protocol layer (mcp.c, calls.c, tasks.c).
 */
/* Sends notifications/progress for req when it carries a progressToken. */
void mcp_progress(struct mcp_request *req, const char *message);
/* Sends notifications/message for req at level, when its client asked. */
void mcp_log_to(const struct server *srv, const struct mcp_request *req,
		enum mcp_log_level level, const char *logger, const char *text);
/* Adds resultType, caching hints (flags M_LIST) and serverInfo to a
 * 2026-07-28 result. */
void mcp_decorate_modern(cJSON *result, unsigned flags);
/* calls.c: the tools/call method, a client's response to a form asked,
 * and the start of the calls' bookkeeping. */
cJSON *mcp_tools_call(struct server *srv, const cJSON *params,
		      struct rpc_error *err);
void mcp_client_response(struct server *srv, const char *rid, size_t rlen,
			 const cJSON *msg);
void calls_init(struct server *srv);

/* Sends notifications/message at level when the client asked for it. */
void mcp_log(struct server *srv, enum mcp_log_level level, const char *logger,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Reads params.cursor of a list paged as "<prefix>:<offset>" into *offset
 * (0 without a cursor). Returns -1 for a cursor this server did not give.
 */
int mcp_parse_cursor(const cJSON *params, const char *prefix, long *offset);

/* The protocol version of the request being handled. */
const char *mcp_version(const struct server *srv);
/* 1 when the negotiated (or request) version is at least v ("2025-11-25"). */
int mcp_version_at_least(const struct server *srv, const char *v);
/* 1 when the request being handled is a 2026-07-28 one. */
int mcp_modern(const struct server *srv);

#endif
