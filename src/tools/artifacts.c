/*
 * Artifacts: the files agents produce. Listing is plain mapping; getting
 * one returns Gumloop's short-lived signed download URL, or with fetch the
 * bytes themselves (src/download.c).
 */
#include "download.h"
#include "tool.h"

static const char list_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"artifacts\":{\"type\":\"array\"}},"
	"\"required\":[\"artifacts\"]}";

static int get_artifact(struct tool_call *call)
{
	return download_get(call, "gumloop://artifacts/", "artifact_id");
}

static const struct param list_params[] = {
	{ "agent_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_agents", NULL },
	{ "session_id", P_STRING, IN_QUERY, 0, "of this session only", NULL },
	{ "search_query", P_STRING, IN_QUERY, 0, "file name contains", NULL },
	{ "sort_order", P_STRING, IN_QUERY, 0, "default newest",
	  "{\"type\":\"string\",\"enum\":[\"newest\",\"oldest\"]}" },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param get_params[] = {
	{ "artifact_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_artifacts", NULL },
	{ "version_id", P_STRING, IN_QUERY, 0, "default: the latest", NULL },
	DOWNLOAD_FETCH_PARAM,
	DOWNLOAD_MAX_BYTES_PARAM,
	{ 0 }
};

const struct tool_def artifacts_tools[] = {
	{ .name = "list_all_gumloop_artifacts", .title = "List artifacts",
	  .description = "List the files an agent produced (reports, "
		"images, exports), newest first.",
	  .access = TOOL_READ, .tag = "artifacts", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/agents/{agent_id}/artifacts",
	  .params = list_params, .output_schema = list_schema },
	{ .name = "get_single_gumloop_artifact_by_id",
	  .title = "Download an artifact",
	  .description = "Get an artifact's signed download_url, name, "
		"type and size, or with fetch: true the file (text, else "
		"base64).",
	  .access = TOOL_READ, .tag = "artifacts", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/artifacts/{artifact_id}/download",
	  .params = get_params, .output_schema = DOWNLOAD_OUTPUT_SCHEMA,
	  .flags = T_DOWNLOAD, .handler = get_artifact },
	{ 0 }
};
