#ifndef GUMLOOP_WAIT_H
#define GUMLOOP_WAIT_H
/*
 * A wait for asynchronous Gumloop work (a flow run, a session, an agent
 * interaction) is a job, not a nested call: wait_begin() attaches it to a
 * call, and the loop above runs wait_step() each time it is due; between
 * polls the loop serves everything else. Polls back off from --poll-ms by
 * x1.5 up to --poll-max-ms, never outlive the time left, and send progress.
 *
 * Ownership: the wait belongs to its call (call->wait) and is freed when
 * it ends; it owns its id, the create answer (base) and the last state.
 */
#include <cjson/cJSON.h>
#include "tool.h"

#define WAIT_DEFAULT_TIMEOUT_S 50

enum wait_end {
	WAIT_TERMINAL,	/* a terminal state was reached */
	WAIT_TIMED_OUT,	/* time is up or input ended: last is the latest state */
	WAIT_ERROR,	/* a poll failed: the tool error is set */
};

struct wait;

/* What is waited on, and how to read it. */
struct wait_kind {
	const char *noun;		/* "flow run": for progress messages */
	const char *id_name;		/* "run_id": set in the result */
	/* One poll: the current object (new), or NULL with the tool error set. */
	cJSON *(*fetch)(struct tool_call *call, const char *id);
	/* The state name found in obj, or NULL. */
	const char *(*state)(const cJSON *obj);
	const char *const *terminal;	/* terminal states, NULL-terminated */
	/* Sets the result of a wait that ended; NULL: wait_finish. */
	int (*finish)(struct tool_call *call, struct wait *w);
	/* At a terminal state that a person may settle (approvals): 1 when
	 * the user was asked and the wait pauses for the answers; may be
	 * NULL. */
	int (*ask)(struct tool_call *call, struct wait *w);
	/* The user's answers: 1 when they were acted on and the wait goes
	 * on, 0 to end it with its last state. */
	int (*answer)(struct tool_call *call, struct wait *w,
		      const cJSON *answers);
};

struct wait {
	const struct wait_kind *kind;
	char *id;
	cJSON *base;		/* the create call's answer, or NULL */
	cJSON *last;		/* the latest state seen, or NULL */
	enum wait_end end;
	long long deadline;	/* now_ms time the wait gives up */
	long long due;		/* when the next poll runs */
	long interval;		/* ms until the poll after the next */
	int failures;		/* failed polls in a row */
	int paused;		/* the user was asked: no poll until answered */
};

/*
 * The seconds a wait may take: the argument arg (def when absent), capped
 * by --max-wait. 0 means no wait.
 */
long wait_limit_s(struct tool_call *call, const char *arg, long def);

/*
 * Begins waiting up to seconds for the object id of kind; base (taken, may
 * be NULL) is what a create answered, merged into the result. The first
 * poll is due at once for a wait tool, after --poll-ms for a create.
 * Returns TOOL_PENDING.
 */
int wait_begin(struct tool_call *call, const struct wait_kind *kind,
	       const char *id, long seconds, cJSON *base);
/* One poll. Returns 1 while the wait goes on (w->due set), 0 once it has
 * ended and the call has its result. */
int wait_step(struct tool_call *call);
/* The user's answers to what the wait asked: acted on, then polling goes
 * on, or the wait ends with its last state. */
void wait_answer(struct tool_call *call, const cJSON *answers);
/* Ends the wait at once with its last state, as timed out. */
void wait_stop(struct tool_call *call);
/* A wait whose time is up ends with the state it has, without another
 * poll: 1 when it ended; 0 when it has none yet, or waits for the user
 * (then its step ends it). */
int wait_time_up(struct tool_call *call);
/* How long the call's current poll may take (ms), 0 when not waiting. */
long wait_poll_timeout_ms(const struct tool_call *call);
/* Frees the wait of a call that will not be answered (cancelled). */
void wait_free(struct tool_call *call);

/*
 * The usual result of an ended wait: the last state (with id_name and
 * "timed_out": true when time ran out) merged into base. A poll that
 * failed after a create is no error: the result carries the id, the last
 * state seen and "wait_error", so the caller waits again rather than
 * creating twice. Returns 0, or -1 for a tool error.
 */
int wait_finish(struct tool_call *call, struct wait *w);

/* 1 when state is one of the NULL-terminated names. */
int wait_state_in(const char *state, const char *const *names);

/* One poll of a REST-style resource: GET prefix followed by the
 * percent-encoded id; advice from table when not NULL. */
cJSON *wait_get(struct tool_call *call, const char *prefix, const char *id,
		const struct tool_advice *table);

#endif
