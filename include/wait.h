#ifndef GUMLOOP_WAIT_H
#define GUMLOOP_WAIT_H
/*
 * Waiting for asynchronous Gumloop work (flow runs, sessions, agent
 * interactions) inside the one thread: poll the state, sleep on stdin
 * between polls (mcp_sleep, so pings are answered and cancellations seen),
 * back off from --poll-ms by x1.5 up to 5 s, send progress on every poll,
 * stop at a terminal state, the time limit, a cancellation or the end of
 * input.
 *
 * Ownership: the target is borrowed; the object wait_until() leaves in
 * *last belongs to the caller.
 */
#include <cjson/cJSON.h>
#include "tool.h"

#define WAIT_MAX_INTERVAL_MS 5000
#define WAIT_DEFAULT_TIMEOUT_S 50

/* What is waited on, and how to read it. */
struct wait_target {
	const char *noun;		/* "flow run": for progress messages */
	const char *id;			/* its id: for progress messages */
	/* One poll: the current object (new), or NULL with the tool error set. */
	cJSON *(*fetch)(struct tool_call *call, const struct wait_target *t);
	/* The state name found in obj, or NULL. */
	const char *(*state)(const cJSON *obj);
	const char *const *terminal;	/* terminal states, NULL-terminated */
};

enum wait_end {
	WAIT_TERMINAL,	/* a terminal state was reached */
	WAIT_TIMED_OUT,	/* time is up or input ended: *last is the latest state */
	WAIT_CANCELLED,	/* the request was cancelled: no response goes out */
	WAIT_ERROR,	/* a poll failed: the tool error is set, *last is NULL */
};

/*
 * The seconds a wait may take: the argument arg (def when absent), capped
 * by --max-wait. 0 means no wait.
 */
long wait_limit_s(const struct tool_call *call, const char *arg, long def);

/*
 * Polls t until a terminal state or seconds have passed. A failed poll
 * caused by the network or a Gumloop 5xx is tolerated twice in a row.
 */
enum wait_end wait_until(struct tool_call *call, const struct wait_target *t,
			 long seconds, cJSON **last);

/*
 * One poll of a REST-style resource: GET prefix followed by the
 * percent-encoded id. The object, or NULL with the tool error set (with
 * the advice of table, when not NULL).
 */
cJSON *wait_get(struct tool_call *call, const char *prefix, const char *id,
		const struct tool_advice *table);

/* 1 when state is one of the NULL-terminated names. */
int wait_state_in(const char *state, const char *const *names);

/*
 * Sets the result of a wait that ended WAIT_TERMINAL (without a failure
 * the caller reports itself) or WAIT_TIMED_OUT: last (taken) with id_name:
 * id at its top, and "timed_out": true when time ran out; merged into base
 * (taken, may be NULL: the create call's own answer) when given. For
 * WAIT_CANCELLED and WAIT_ERROR it frees both and returns -1.
 */
int wait_finish(struct tool_call *call, enum wait_end end, cJSON *last,
		cJSON *base, const char *id_name, const char *id);

#endif
