/*
 * The one list of tool areas: every table the catalog is made of, in the
 * order tools/list shows them. A new area is one line here and one extern
 * in tool.h.
 */
#include "tool.h"
#include "util.h"

static const struct tool_def *const areas[] = {
#ifdef CONFORMANCE_FIXTURES
	fixtures_tools,	/* first: the suite reads only the first page */
#endif
	flows_tools, agents_tools, sessions_tools, skills_tools,
	artifacts_tools, files_tools, mcp_catalog_tools, admin_tools,
	organizations_tools, brain_tools, browser_tools, evaluations_tools,
};

const struct tool_def *tool_at(size_t i)
{
	size_t a, n;

	for (a = 0; a < ARRAY_SIZE(areas); a++)
		for (n = 0; areas[a][n].name; n++)
			if (i-- == 0)
				return &areas[a][n];
	return NULL;
}
