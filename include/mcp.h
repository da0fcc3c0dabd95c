#ifndef GUMLOOP_MCP_H
#define GUMLOOP_MCP_H
/*
 * The MCP protocol, dual-era: the legacy versions (2024-11-05 to 2025-11-25,
 * after initialize) and the modern 2026-07-28 (stateless, version and
 * capabilities in each request's _meta). One struct server lives for the
 * process; one struct mcp_request for each request being handled.
 */
#include <signal.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "jsonrpc.h"

#define MCP_MODERN_VERSION "2026-07-28"
#define MCP_LATEST_LEGACY "2025-11-25"

/* Syslog levels of logging/setLevel, lowest first. */
enum mcp_log_level {
	MCP_LOG_DEBUG, MCP_LOG_INFO, MCP_LOG_NOTICE, MCP_LOG_WARNING,
	MCP_LOG_ERROR, MCP_LOG_CRITICAL, MCP_LOG_ALERT, MCP_LOG_EMERGENCY,
	MCP_LOG_OFF
};

struct mcp_request {
	cJSON *id;		/* the id exactly as sent (a raw node), owned */
	cJSON *progress_token;	/* raw node, owned, or NULL */
	double progress;	/* last progress value sent */
	int cancelled;		/* a notifications/cancelled named this id */
	int modern;		/* 2026-07-28 request */
	const char *version;	/* the version this request speaks */
	int log_level;		/* notifications/message threshold */
};

struct pending_line {
	char *data;
	size_t len;
};

/* Lines read during a request wait in memory up to this many bytes; a
 * client further ahead waits for the pipe (backpressure, nothing lost). */
#define MCP_QUEUE_MAX ((size_t)32 << 20)

struct server {
	struct line_reader in;
	int initialized;		/* legacy initialize answered */
	const char *version;		/* negotiated legacy version or NULL */
	int log_level;			/* legacy logging/setLevel threshold */
	struct mcp_request *current;	/* request in progress, or NULL */
	struct pending_line *queue;	/* lines read during a wait */
	size_t nqueue, queue_cap;
	size_t queue_head;		/* queue[queue_head..nqueue) wait */
	size_t queued_bytes;		/* their size: reading stops at
					   MCP_QUEUE_MAX until they drain */
	int eof;			/* stdin reached end of file */
	struct buf ahead;		/* the next line, read while waiting */
	cJSON *ahead_json;		/* its tree, or NULL */
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

/* Set by SIGTERM / SIGINT: the loop stops after the current message. */
extern volatile sig_atomic_t mcp_stop;

void mcp_init(struct server *srv, int fd);
void mcp_release(struct server *srv);

/* Serves until end of input or a closed stdout. Returns the exit status. */
int mcp_run(struct server *srv);

/* Handles one line: a message or a batch; writes every reply. */
void mcp_handle_line(struct server *srv, const char *line, size_t len);

/*
 * For long operations: waits up to timeout_ms for input while a request is
 * in progress. A ping is answered at once, a cancellation of the current
 * request is noted, anything else is queued and handled after the request.
 * Returns 1 when the current request was cancelled, -1 at end of input,
 * 0 otherwise.
 */
int mcp_pump(struct server *srv, int timeout_ms);
/* Sleeps ms while pumping input; returns as mcp_pump, early on 1 or -1. */
int mcp_sleep(struct server *srv, long ms);

/* Sends notifications/progress for the current request, when it asked for
 * progress (a progressToken); progress strictly increases. */
void mcp_progress(struct server *srv, double total, const char *message);

/* Sends notifications/message at level when the client asked for it. */
void mcp_log(struct server *srv, enum mcp_log_level level, const char *logger,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Reads params.cursor of a list paged as "<prefix>:<offset>" into *offset
 * (0 without a cursor). Returns -1 for a cursor this server did not give.
 */
int mcp_parse_cursor(const cJSON *params, const char *prefix, long *offset);

/* 1 when the negotiated (or request) version is at least v ("2025-11-25"). */
int mcp_version_at_least(const struct server *srv, const char *v);

#endif
