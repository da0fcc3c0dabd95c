/*
 * The mcp_catalog tools: filled in by their own issue (see include/tool.h for how to
 * add an entry).
 */
#include "tool.h"

const struct tool_def mcp_catalog_tools[] = {
	{ 0 }
};
