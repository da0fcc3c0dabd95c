#ifndef GUMLOOP_PROMPTS_H
#define GUMLOOP_PROMPTS_H
/*
 * MCP prompts (prompts/list, prompts/get): message templates that walk a
 * model through the tools for a common job, shown only when every tool
 * they name is exposed. And completion/complete, which offers flow and
 * agent names (and flow ids for resource templates) fetched through the
 * list tools.
 *
 * Ownership: params are borrowed; results are new objects for the caller.
 */
#include <cjson/cJSON.h>
#include "mcp.h"

cJSON *prompts_list(struct server *srv, const cJSON *params,
		    struct rpc_error *err);
cJSON *prompts_get(struct server *srv, const cJSON *params,
		   struct rpc_error *err);
cJSON *completion_complete(struct server *srv, const cJSON *params,
			   struct rpc_error *err);

#endif
