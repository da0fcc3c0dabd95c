/*
 * Brain sources: file-upload sources and their files, the credit estimate
 * of a draft source and its approval. Uploads are multipart (parts named
 * files); the caller gives each file as content_text or content_base64.
 */
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "http.h"
#include "tool.h"
#include "util.h"

#define BRAIN_MAX_FILES 25

static const char sources_schema[] =
	"{\"type\":\"object\",\"properties\":{\"sources\":{\"type\":\"array\"}"
	"}}";

static const char source_schema[] =
	"{\"type\":\"object\",\"properties\":{\"source\":{\"type\":\"object\"}}}";

static const char files_schema[] =
	"{\"type\":\"object\",\"properties\":{\"files\":{\"type\":\"array\"},"
	"\"rejected\":{\"type\":\"array\"}"
	"}}";

static const char deleted_schema[] =
	"{\"type\":\"object\",\"properties\":{\"deleted\":{\"type\":"
	"\"boolean\"}}}";

static const char estimate_schema[] =
	"{\"type\":\"object\",\"properties\":{\"estimate\":{\"type\":"
	"[\"object\",\"null\"]}}}";

/* ---- upload ----------------------------------------------------------- */

struct upload {
	struct http_part *parts;
	char **owned;		/* decoded bytes, freed after the request */
	size_t n;
};

static void upload_release(struct upload *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		free(u->owned[i]);
	free(u->owned);
	free(u->parts);
}

/* One file item as a part; a cause (static) when it cannot be. */
static const char *add_part(struct upload *u, const cJSON *item)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "file_name");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(item, "content_text");
	const cJSON *b64 = cJSON_GetObjectItemCaseSensitive(item, "content_base64");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "media_type");
	struct http_part *p = &u->parts[u->n];
	size_t len = 0;

	if (!cJSON_IsString(name) || !*name->valuestring)
		return "each file needs a file_name";
	if (!cJSON_IsString(text) == !cJSON_IsString(b64))
		return "each file needs content_text or content_base64, not both";
	u->owned[u->n] = cJSON_IsString(text) ? xstrdup(text->valuestring) :
		(char *)crypto_base64_decode(b64->valuestring,
					     strlen(b64->valuestring), &len);
	if (!u->owned[u->n])
		return "a content_base64 is not valid base64";
	if (cJSON_IsString(text))
		len = strlen(text->valuestring);
	*p = (struct http_part){ "files", name->valuestring,
				 cJSON_IsString(type) ? type->valuestring : NULL,
				 u->owned[u->n], len };
	u->n++;
	return NULL;
}

static int upload_files(struct tool_call *call)
{
	const cJSON *files = tool_arg(call, "files"), *item;
	size_t n = (size_t)cJSON_GetArraySize(files);
	struct upload u = { xcalloc(n + 1, sizeof(struct http_part)),
			    xcalloc(n + 1, sizeof(char *)), 0 };
	const char *why = NULL;
	struct http_request req;
	cJSON *json = NULL;

	cJSON_ArrayForEach(item, files)
		if (!why)
			why = add_part(&u, item);
	if (why) {
		upload_release(&u);
		call->refused = 1;
		return tool_error(call, "%s refused, nothing was uploaded: %s",
				  call->def->name, why);
	}
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		/* multipart, not JSON: the builder's empty object goes */
		cJSON_Delete(req.json);
		req.json = NULL;
		req.parts = u.parts;
		req.nparts = u.n;
		u.parts = NULL;
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	upload_release(&u);
	return json ? tool_ok(call, json) : -1;
}

/* ---- the table -------------------------------------------------------- */

#define SOURCE_PARAM \
	{ "source_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_brain_sources", NULL }
#define SCOPE_ENUM \
	"{\"type\":\"string\",\"enum\":[\"personal\",\"team\",\"organization\"]}"

static const struct param list_params[] = {
	{ "scope", P_STRING, IN_QUERY, 0, NULL, SCOPE_ENUM },
	{ "source_type", P_STRING, IN_QUERY, 0, "e.g. notion", NULL },
	{ "team_id", P_STRING, IN_QUERY, 0, "only this team's", NULL },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param create_params[] = {
	{ "name", P_STRING, IN_BODY, REQUIRED, "display name",
	  "{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}" },
	{ "scope", P_STRING, IN_BODY, 0, "default personal", SCOPE_ENUM },
	{ "team_id", P_STRING, IN_BODY, 0, "with scope team only", NULL },
	{ "require_approval", P_BOOLEAN, IN_BODY, 0,
	  "a draft: nothing indexed until approved", NULL },
	{ 0 }
};

static const struct param source_params[] = {
	SOURCE_PARAM,
	{ 0 }
};

static const struct param files_params[] = {
	SOURCE_PARAM,
	PAGE_PARAMS,
	{ 0 }
};

static const struct param upload_params[] = {
	SOURCE_PARAM,
	{ "files", P_ARRAY, IN_LOCAL, REQUIRED,
	  "PDF, Office or text files, each at most 25 MB",
	  "{\"type\":\"array\",\"maxItems\":25,\"items\":{"
	  "\"type\":\"object\",\"properties\":{"
	  "\"file_name\":{\"type\":\"string\"},"
	  "\"content_text\":{\"type\":\"string\"},"
	  "\"content_base64\":{\"type\":\"string\"},"
	  "\"media_type\":{\"type\":\"string\"}},"
	  "\"required\":[\"file_name\"]}}" },
	{ 0 }
};

static const struct param file_params[] = {
	SOURCE_PARAM,
	{ "file_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_brain_source_files", NULL },
	{ 0 }
};

const struct tool_def brain_tools[] = {
	{ .name = "list_all_gumloop_brain_sources",
	  .title = "List Brain sources",
	  .description = "List the Brain knowledge sources the user can see "
		"(personal, team, organization).",
	  .access = TOOL_READ, .tag = "brain", .method = "GET",
	  .path = "/brain/sources", .params = list_params,
	  .output_schema = sources_schema },
	{ .name = "create_a_gumloop_brain_source",
	  .title = "Create a Brain source",
	  .description = "Create a file-upload Brain source: active "
		"(uploads indexed and billed at once) or, with "
		"require_approval, a draft.",
	  .access = TOOL_WRITE, .tag = "brain", .method = "POST",
	  .path = "/brain/sources", .params = create_params,
	  .output_schema = source_schema },
	{ .name = "get_single_gumloop_brain_source_by_id",
	  .title = "Get a Brain source",
	  .description = "Get one Brain source and its status.",
	  .access = TOOL_READ, .tag = "brain", .method = "GET",
	  .path = "/brain/sources/{source_id}", .params = source_params,
	  .output_schema = source_schema },
	{ .name = "delete_a_gumloop_brain_source_by_id",
	  .title = "Delete a Brain source",
	  .description = "Delete a Brain source, its files and its search "
		"entries, for good.",
	  .access = TOOL_WRITE, .tag = "brain", .method = "DELETE",
	  .path = "/brain/sources/{source_id}", .params = source_params,
	  .output_schema = deleted_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT },
	{ .name = "list_all_gumloop_brain_source_files",
	  .title = "List a Brain source's files",
	  .description = "List a source's files with indexing status and "
		"sha256.",
	  .access = TOOL_READ, .tag = "brain", .method = "GET",
	  .path = "/brain/sources/{source_id}/files", .params = files_params,
	  .output_schema = files_schema },
	{ .name = "create_gumloop_brain_source_files",
	  .title = "Upload files to a Brain source",
	  .description = "Upload up to 25 files to a file-upload source "
		"(an active one indexes them: spends credits); refused ones: "
		"rejected.",
	  .access = TOOL_WRITE, .tag = "brain", .method = "POST",
	  .path = "/brain/sources/{source_id}/files", .params = upload_params,
	  .output_schema = files_schema, .handler = upload_files },
	{ .name = "delete_a_gumloop_brain_source_file_by_id",
	  .title = "Delete a Brain source file",
	  .description = "Remove a file from its source and from search.",
	  .access = TOOL_WRITE, .tag = "brain", .method = "DELETE",
	  .path = "/brain/sources/{source_id}/files/{file_id}",
	  .params = file_params, .output_schema = deleted_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT },
	{ .name = "get_gumloop_brain_source_estimate",
	  .title = "Get a Brain source's estimate",
	  .description = "Get a draft source's credit estimate (null until "
		"an upload ran); approve at paused_for_approval.",
	  .access = TOOL_READ, .tag = "brain", .method = "GET",
	  .path = "/brain/sources/{source_id}/estimate", .params = source_params,
	  .output_schema = estimate_schema },
	{ .name = "approve_a_gumloop_brain_source",
	  .title = "Approve a draft Brain source",
	  .description = "Approve a draft source: it becomes active and "
		"indexes its files. Spends credits.",
	  .access = TOOL_WRITE, .tag = "brain", .method = "POST",
	  .path = "/brain/sources/{source_id}/approve", .params = source_params,
	  .output_schema = source_schema },
	{ 0 }
};
