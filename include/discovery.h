#ifndef GUMLOOP_DISCOVERY_H
#define GUMLOOP_DISCOVERY_H
/*
 * Discovery mode (--discovery): tools/list shows three tools instead of the
 * catalog, for clients whose context is tight: search_gumloop_tools,
 * get_gumloop_tool_schema and call_gumloop_tool. They are table entries
 * like any tool; the filters apply to what they find, describe and call,
 * so a hidden tool stays hidden. Nothing returned needs freeing.
 */
#include <cjson/cJSON.h>
#include "tool.h"

/* The three entries, zero-terminated. */
extern const struct tool_def discovery_tools[];

/* The discovery tool called name, or NULL (always NULL outside discovery
 * mode, so that they cannot be called then). */
const struct tool_def *discovery_find(const char *name);
/* 1 when def is one of the discovery entries (filters do not hide them). */
int discovery_owns(const struct tool_def *def);
/*
 * For call_gumloop_tool: when def dispatches and args are well formed, sets
 * *target (the tool name) and *target_args (its arguments, NULL for none)
 * and returns 1. Else 0: def runs as itself (and its checks refuse).
 */
int discovery_unwrap(const struct tool_def *def, const cJSON *args,
		     const char **target, const cJSON **target_args);
/* What call_gumloop_tool can reach under the filters, for its hints. */
void discovery_reach(int *read_only, int *destructive);

#endif
