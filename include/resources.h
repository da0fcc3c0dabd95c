#ifndef GUMLOOP_RESOURCES_H
#define GUMLOOP_RESOURCES_H
/*
 * MCP resources: Gumloop's data as gumloop:// URIs (the flow list, a
 * flow's inputs, a run, a session, an artifact). Every read goes through
 * the tool that serves the same data (tool_call_run), so filters, checks
 * and the audit log apply: a resource whose tool is hidden does not
 * exist. Also the internal tool calls prompts.c shares.
 *
 * Ownership: params are borrowed; results are new objects for the caller.
 */
#include <cjson/cJSON.h>
#include "mcp.h"
#include "tool.h"

/* resources/list, resources/templates/list and resources/read. */
cJSON *resources_list(struct server *srv, const cJSON *params,
		      struct rpc_error *err);
cJSON *resources_templates_list(struct server *srv, const cJSON *params,
				struct rpc_error *err);
cJSON *resources_read(struct server *srv, const cJSON *params,
		      struct rpc_error *err);

/*
 * Completion candidates for the argument arg of the resource template
 * uri_template: a new array of strings (empty when there are none to
 * offer), or NULL when this server has no such template.
 */
cJSON *resources_complete(struct server *srv, const char *uri_template,
			  const char *arg);

/* The tool called name when this process exposes it, else NULL. */
const struct tool_def *resources_visible_tool(const char *name);

/*
 * Runs the tool as tools/call would (filters, checks, audit) and returns
 * its structuredContent (detached, caller frees), or NULL when the tool is
 * hidden or unknown or its call failed.
 */
cJSON *resources_tool_json(struct server *srv, const char *tool,
			   const cJSON *args);

/*
 * The field of every item of the first array member of obj, as a new
 * array of strings (for lists such as {"saved_items": [{name}]}).
 */
cJSON *resources_pluck(const cJSON *obj, const char *field);

#endif
