/*
 * The files tools: filled in by their own issue (see include/tool.h for how to
 * add an entry).
 */
#include "tool.h"

const struct tool_def files_tools[] = {
	{ 0 }
};
