/*
 * The polling engine behind every wait: poll, report progress, sleep on
 * stdin with backoff, until a terminal state, the time limit, a
 * cancellation or the end of input.
 */
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "http.h"
#include "log.h"
#include "mcp.h"
#include "wait.h"

#define MAX_TRANSIENT_FAILURES 2

long wait_limit_s(const struct tool_call *call, const char *arg, long def)
{
	double s = tool_arg_num(call, arg, (double)def);

	if (s < 0)
		s = 0;
	if (s > (double)cfg.max_wait_s)
		s = (double)cfg.max_wait_s;
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

int wait_finish(struct tool_call *call, enum wait_end end, cJSON *last,
		cJSON *base, const char *id_name, const char *id)
{
	cJSON *item;

	if (end == WAIT_CANCELLED || end == WAIT_ERROR || !last) {
		cJSON_Delete(last);
		cJSON_Delete(base);
		return -1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(last, "timed_out");
	if (end == WAIT_TIMED_OUT)
		cJSON_AddTrueToObject(last, "timed_out");
	if (id && !cJSON_HasObjectItem(last, id_name))
		cJSON_AddStringToObject(last, id_name, id);
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

/* A poll failure worth another try: no answer, or a Gumloop 5xx. */
static int transient(const struct tool_call *call)
{
	return call->status == 0 || call->status >= 500;
}

static void report(struct tool_call *call, const struct wait_target *t,
		   const char *state, long long started)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "state: %s (%s %s, %lld s)",
		 state ? state : "unknown", t->noun, t->id ? t->id : "",
		 (now_ms() - started) / 1000);
	mcp_progress(call->srv, 0, msg);
}

/* Sleeps ms on stdin: 1 when the request was cancelled, -1 at end of input. */
static int nap(struct tool_call *call, long ms)
{
	if (!call->srv)
		return 0;
	return mcp_sleep(call->srv, ms);
}

static int cancelled(const struct tool_call *call)
{
	return call->srv && call->srv->current && call->srv->current->cancelled;
}

enum wait_end wait_until(struct tool_call *call, const struct wait_target *t,
			 long seconds, cJSON **last)
{
	long long started = now_ms(), deadline = started + seconds * 1000LL;
	long long left;
	long interval = cfg.poll_ms > 0 ? cfg.poll_ms : 1000;
	long max_interval = interval > WAIT_MAX_INTERVAL_MS ? interval
							     : WAIT_MAX_INTERVAL_MS;
	int failures = 0, rc;
	const char *state;
	cJSON *obj;

	*last = NULL;
	for (;;) {
		call->polling = 1;
		obj = t->fetch(call, t);
		call->polling = 0;
		if (cancelled(call)) {
			cJSON_Delete(obj);
			return WAIT_CANCELLED;
		}
		if (obj) {
			failures = 0;
			cJSON_Delete(*last);
			*last = obj;
			state = t->state(obj);
			report(call, t, state, started);
			if (wait_state_in(state, t->terminal))
				return WAIT_TERMINAL;
		} else if (!transient(call) || ++failures > MAX_TRANSIENT_FAILURES) {
			cJSON_Delete(*last);
			*last = NULL;
			return WAIT_ERROR;
		} else {
			log_info("waiting for %s %s: poll failed, trying again",
				 t->noun, t->id ? t->id : "");
		}
		left = deadline - now_ms();
		if (left <= 0)
			break;
		rc = nap(call, interval < left ? interval : (long)left);
		if (rc == 1)
			return WAIT_CANCELLED;
		if (rc < 0) {
			if (!*last)	/* the poll itself was cut short */
				tool_error(call, "the wait for %s '%s' stopped: "
					   "the client closed its input or the "
					   "server is stopping", t->noun,
					   t->id ? t->id : "");
			break;	/* answer with what we have */
		}
		interval = interval * 3 / 2;
		if (interval > max_interval)
			interval = max_interval;
	}
	return *last ? WAIT_TIMED_OUT : WAIT_ERROR;
}
