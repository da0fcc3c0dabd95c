/*
 * Waits as jobs: each step is one poll, after which the wait says when it
 * wants the next; the loop above keeps the time. A wait ends at a
 * terminal state, at its deadline, on a failed poll, or when stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "http.h"
#include "log.h"
#include "wait.h"

#define MAX_TRANSIENT_FAILURES 2
/* A poll may run this far past the deadline: the answer still comes
 * within timeout_seconds + 1 s. */
#define POLL_GRACE_MS 800

long wait_limit_s(struct tool_call *call, const char *arg, long def)
{
	double s = tool_arg_num(call, arg, (double)def);
	long cap = call->wait_cap_s > 0 ? call->wait_cap_s : cfg.max_wait_s;

	if (s < 0)
		s = 0;
	if (s > (double)cap) {
		tool_log(call, TOOL_LOG_WARNING, "%s: %s %g is over %s: waiting "
			 "at most %ld s", call->def->name, arg, s,
			 call->wait_cap_s > 0 ? "this call's limit" :
			 "the server's --max-wait", cap);
		s = (double)cap;
	}
	return (long)s;
}

cJSON *wait_get(struct tool_call *call, const char *prefix, const char *id,
		const struct tool_advice *table)
{
	struct buf path = BUF_INIT;
	cJSON *json;

	buf_addstr(&path, prefix);
	http_percent_encode(&path, id);
	json = tool_get_json(call, path.data, NULL);
	buf_release(&path);
	if (table)
		tool_advise(call, json ? 0 : -1, table);
	return json;
}

int wait_state_in(const char *state, const char *const *names)
{
	for (; state && names && *names; names++)
		if (!strcmp(state, *names))
			return 1;
	return 0;
}

static long first_interval(void)
{
	return cfg.poll_ms > 0 ? cfg.poll_ms : 1000;
}

static long max_interval(void)
{
	long max = cfg.poll_max_ms > 0 ? cfg.poll_max_ms : 2000;

	return max < first_interval() ? first_interval() : max;
}

int wait_begin(struct tool_call *call, const struct wait_kind *kind,
	       const char *id, long seconds, cJSON *base)
{
	struct wait *w = xcalloc(1, sizeof(*w));
	long long now = now_ms();

	w->kind = kind;
	w->id = xstrdup(id);
	w->base = base;
	w->deadline = now + seconds * 1000LL;
	w->interval = first_interval();
	/* right after a create there is nothing new to see yet */
	w->due = base ? now + (w->interval < seconds * 1000L ? w->interval
							     : seconds * 1000L)
		      : now;
	call->wait = w;
	return TOOL_PENDING;
}

void wait_free(struct tool_call *call)
{
	struct wait *w = call->wait;

	if (!w)
		return;
	free(w->id);
	cJSON_Delete(w->base);
	cJSON_Delete(w->last);
	free(w);
	call->wait = NULL;
}

/* Takes the error object out of a failed poll's result (new, or NULL). */
static cJSON *take_poll_error(struct tool_call *call)
{
	cJSON *err = cJSON_DetachItemFromObjectCaseSensitive(call->structured,
							     "error");

	cJSON_Delete(call->structured);
	call->structured = NULL;
	free(call->text);
	call->text = NULL;
	call->is_error = 0;
	return err;
}

int wait_finish(struct tool_call *call, struct wait *w)
{
	cJSON *last = w->last, *base = w->base, *item, *err = NULL;

	w->last = w->base = NULL;
	if (w->end == WAIT_ERROR) {
		if (!base) {	/* nothing was started: the poll's error stands */
			cJSON_Delete(last);
			return -1;
		}
		err = take_poll_error(call);
	}
	if (!last)
		last = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(last, "timed_out");
	if (w->end == WAIT_TIMED_OUT)
		cJSON_AddTrueToObject(last, "timed_out");
	if (!cJSON_HasObjectItem(last, w->kind->id_name))
		cJSON_AddStringToObject(last, w->kind->id_name, w->id);
	if (err)
		cJSON_AddItemToObject(last, "wait_error", err);
	if (!base)
		return tool_ok(call, last);
	while ((item = last->child)) {
		cJSON_DetachItemViaPointer(last, item);
		cJSON_DeleteItemFromObjectCaseSensitive(base, item->string);
		cJSON_AddItemToObject(base, item->string, item);
	}
	cJSON_Delete(last);
	return tool_ok(call, base);
}

/* Ends the wait: the kind sets the result, then the wait is freed. */
static int end_wait(struct tool_call *call, enum wait_end end)
{
	struct wait *w = call->wait;

	w->end = end;
	if (w->kind->finish)
		w->kind->finish(call, w);
	else
		wait_finish(call, w);
	wait_free(call);
	return 0;
}

void wait_stop(struct tool_call *call)
{
	struct wait *w = call->wait;

	if (!w)
		return;
	if (!w->last && !w->base && !call->is_error)
		tool_error(call, "the wait for %s '%s' stopped before its first "
			   "poll: the client closed its input or the server is "
			   "stopping", w->kind->noun, w->id);
	end_wait(call, w->last || w->base ? WAIT_TIMED_OUT : WAIT_ERROR);
}

int wait_time_up(struct tool_call *call)
{
	struct wait *w = call->wait;

	if (!w || w->paused || (!w->last && !w->base))
		return 0;
	end_wait(call, WAIT_TIMED_OUT);
	return 1;
}

static void report(struct tool_call *call, const struct wait *w,
		   const char *state)
{
	char msg[256];

	if (!call->hooks || !call->hooks->progress)
		return;
	snprintf(msg, sizeof(msg), "state: %s (%s %.100s, %lld s left)",
		 state ? state : "unknown", w->kind->noun, w->id,
		 (w->deadline - now_ms() + 999) / 1000);
	call->hooks->progress(call, msg);
}

/*
 * A failed poll worth another try: no answer, a Gumloop 5xx, or a 404
 * right after a create (the new object may not be readable yet).
 */
static int transient(const struct tool_call *call, const struct wait *w)
{
	return call->status == 0 || call->status >= 500 ||
	       (call->status == 404 && w->base);
}

/* Seconds a 429 on the poll asked to wait, or -1. */
static double poll_retry_after(const struct tool_call *call)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(call->structured,
							    "error");
	const cJSON *ra = cJSON_GetObjectItemCaseSensitive(err, "retry_after");

	if (call->status != 429)
		return -1;
	return cJSON_IsNumber(ra) ? ra->valuedouble : 1.0;
}

/* Schedules the next poll after delay ms, never past the deadline. */
static int schedule(struct wait *w, long long delay)
{
	long long now = now_ms();

	if (now >= w->deadline)
		return 0;
	w->due = now + delay < w->deadline ? now + delay : w->deadline;
	return 1;
}

void wait_answer(struct tool_call *call, const cJSON *answers)
{
	struct wait *w = call->wait;

	if (!w->paused)
		return;
	w->paused = 0;
	if (!w->kind->answer(call, w, answers) || !schedule(w, 0))
		end_wait(call, WAIT_TERMINAL);
}

int wait_step(struct tool_call *call)
{
	struct wait *w = call->wait;
	cJSON *obj;
	double retry_after;
	long delay;

	if (w->paused)	/* time ran out before the user answered */
		return end_wait(call, WAIT_TERMINAL);
	obj = w->kind->fetch(call, w->id);

	if (call->cancelled)	/* the call ends it: a create keeps its id */
		return cJSON_Delete(obj), 0;
	if (obj) {
		w->failures = 0;
		cJSON_Delete(w->last);
		w->last = obj;
		report(call, w, w->kind->state(obj));
		if (wait_state_in(w->kind->state(obj), w->kind->terminal)) {
			if (w->kind->ask && w->kind->ask(call, w)) {
				tool_log(call, TOOL_LOG_NOTICE, "%s '%.100s' "
					 "waits for a person's decision: the "
					 "client's user was asked", w->kind->noun,
					 w->id);
				w->paused = 1;
				w->due = w->deadline;
				return 1;
			}
			/* shared/interface.md, "Approvals" */
			if (!strcmp(w->kind->state(obj), "approval_required"))
				tool_log(call, TOOL_LOG_NOTICE, "%s '%.100s' "
					 "waits for a person's decision "
					 "(approval_required): the result lists "
					 "the pending actions", w->kind->noun,
					 w->id);
			return end_wait(call, WAIT_TERMINAL);
		}
		delay = w->interval;
		w->interval = w->interval * 3 / 2;
		if (w->interval > max_interval())
			w->interval = max_interval();
	} else if ((retry_after = poll_retry_after(call)) >= 0) {
		log_info("waiting for %s %s: rate limited, next poll in %g s",
			 w->kind->noun, w->id, retry_after);
		tool_log(call, TOOL_LOG_WARNING, "waiting for %s '%.100s': Gumloop "
			 "rate-limited a poll (HTTP 429); the next poll is in "
			 "%g s, the wait goes on", w->kind->noun, w->id,
			 retry_after);
		cJSON_Delete(take_poll_error(call));	/* a 429 delays it */
		delay = (long)(retry_after * 1000);
	} else if (!transient(call, w) || ++w->failures > MAX_TRANSIENT_FAILURES) {
		return end_wait(call, WAIT_ERROR);
	} else {
		log_info("waiting for %s %s: poll failed, trying again",
			 w->kind->noun, w->id);
		if (call->status)
			tool_log(call, TOOL_LOG_NOTICE, "waiting for %s '%.100s': "
				 "a poll failed (HTTP %ld); trying again",
				 w->kind->noun, w->id, call->status);
		else
			tool_log(call, TOOL_LOG_NOTICE, "waiting for %s '%.100s': "
				 "a poll got no answer; trying again",
				 w->kind->noun, w->id);
		delay = w->interval;
	}
	if (!schedule(w, delay))
		return end_wait(call, call->is_error && !w->last ? WAIT_ERROR
							       : WAIT_TIMED_OUT);
	return 1;
}

/* How long this call's poll may take: up to the deadline, and a little. */
long wait_poll_timeout_ms(const struct tool_call *call)
{
	long long left;

	if (!call->wait)
		return 0;
	left = call->wait->deadline - now_ms() + POLL_GRACE_MS;
	return left < 200 ? 200 : (long)left;
}
