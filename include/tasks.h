#ifndef GUMLOOP_TASKS_H
#define GUMLOOP_TASKS_H
/*
 * MCP tasks over the Gumloop jobs (flow runs, sessions, agent
 * interactions), in both eras: 2025-11-25's experimental tasks (a
 * tools/call with params.task; tasks/get, tasks/result, tasks/list,
 * tasks/cancel, notifications/tasks/status) and the 2026-07-28 extension
 * io.modelcontextprotocol/tasks (resultType "task"; tasks/get with the
 * result inline, tasks/update, tasks/cancel).
 *
 * A task is a wait job of the loop whose answer is kept instead of sent.
 * Its id carries the kind of job and Gumloop's id (nothing secret), so a
 * new process given the id answers from Gumloop's own state. The server
 * owns every task; what the methods return is the caller's.
 */
#include <cjson/cJSON.h>
#include "mcp.h"

#define TASKS_EXTENSION "io.modelcontextprotocol/tasks"

/*
 * Answers a tools/call that asked to run as a task (legacy: params.task;
 * modern: the client declared the extension): starts the call, keeps it
 * as a task, and returns the CreateTaskResult for the request's era. NULL
 * with *err for a tool that cannot run as one.
 */
cJSON *tasks_start(struct server *srv, const char *name, const cJSON *args,
		   const cJSON *task_params, struct rpc_error *err);
/* A task's call ended: keeps the result (taken) or the JSON-RPC error
 * (cause), answers whoever waits in tasks/result, tells the status. */
void tasks_call_ended(struct server *srv, struct task *t, cJSON *take_result,
		      const char *cause);
/* The task's id (owned by the task). */
const char *tasks_id(const struct task *t);
/* Gives each form of a modern task's ask its inputRequests key (unique for
 * the task's life), in ask->keys. */
void tasks_key_forms(struct task *t, struct mcp_ask *ask);
/* The task's status changed (input asked or answered): says so. */
void tasks_status_changed(struct task *t);
/* A progress report of a task's call: its status message. */
void tasks_call_progress(struct task *t, const char *message);
/* Drops a tasks/result request whose raw id is rid; 1 when found. */
int tasks_cancel_waiter(struct server *srv, const char *rid, size_t rlen);
/* Frees every task (at exit; their ids stay valid for a next process). */
void tasks_release(struct server *srv);

/* The methods. */
cJSON *tasks_get(struct server *srv, const cJSON *params,
		 struct rpc_error *err);
cJSON *tasks_result(struct server *srv, const cJSON *params,
		    struct rpc_error *err);
cJSON *tasks_list(struct server *srv, const cJSON *params,
		  struct rpc_error *err);
cJSON *tasks_cancel(struct server *srv, const cJSON *params,
		    struct rpc_error *err);
cJSON *tasks_update(struct server *srv, const cJSON *params,
		    struct rpc_error *err);

#endif
