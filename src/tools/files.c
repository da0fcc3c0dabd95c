/*
 * Files for flows: uploads (one, or many with a 207 partial success told
 * file by file) and downloads of a run's files (one as text or a base64
 * resource, several as a zip). Gumloop wants file bytes as base64 in JSON;
 * content_text saves the caller from encoding text itself.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "download.h"
#include "http.h"
#include "tool.h"
#include "util.h"

/* ---- content ---------------------------------------------------------- */

/*
 * The base64 file_content of an item holding content_text or
 * content_base64 (exactly one), or NULL with *why set (a static string).
 * The base64 is decoded and encoded again, so Gumloop gets it canonical.
 */
char *tool_file_content(const cJSON *item, const char **why)
{
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(item, "content_text");
	const cJSON *b64 = cJSON_GetObjectItemCaseSensitive(item, "content_base64");
	unsigned char *bytes;
	size_t len = 0;
	char *out;

	if (text && b64) {
		*why = "give content_text or content_base64, not both";
		return NULL;
	}
	if (cJSON_IsString(text))
		return crypto_base64_encode(text->valuestring,
					    strlen(text->valuestring));
	if (!cJSON_IsString(b64)) {
		*why = "content_text or content_base64 (a string) is required";
		return NULL;
	}
	bytes = crypto_base64_decode(b64->valuestring, strlen(b64->valuestring),
				     &len);
	if (!bytes) {
		*why = "content_base64 is not valid base64";
		return NULL;
	}
	out = crypto_base64_encode(bytes, len);
	free(bytes);
	return out;
}

static int refuse(struct tool_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct tool_call *call, const char *fmt, ...)
{
	va_list ap;
	char *why;
	int rc;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	call->refused = 1;
	rc = tool_error(call, "%s refused, nothing was uploaded: %s",
			call->def->name, why);
	free(why);
	return rc;
}

/* ---- one upload ------------------------------------------------------- */

static int upload_file(struct tool_call *call)
{
	const char *why = NULL;
	char *content = tool_file_content(call->args, &why);
	struct http_request req;
	cJSON *json = NULL;

	if (!content)
		return refuse(call, "%s", why);
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		cJSON_AddStringToObject(req.json, "file_content", content);
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	free(content);
	return json ? tool_ok(call, json) : -1;
}

/* ---- many uploads ----------------------------------------------------- */

/* [{file_name, content_text | content_base64}] -> [{file_name,
 * file_content}], or NULL after refusing the call. */
static cJSON *upload_list(struct tool_call *call, const cJSON *files)
{
	cJSON *list = cJSON_CreateArray(), *out;
	const cJSON *item, *name;
	const char *why = NULL;
	char *content;
	int i = 0;

	if (!cJSON_GetArraySize(files))
		why = "files is empty";
	cJSON_ArrayForEach(item, files) {
		name = cJSON_GetObjectItemCaseSensitive(item, "file_name");
		if (!cJSON_IsString(name) || !*name->valuestring)
			why = "file_name (a non-empty string) is required";
		content = why ? NULL : tool_file_content(item, &why);
		if (!content)
			break;
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "file_name", name->valuestring);
		cJSON_AddStringToObject(out, "file_content", content);
		cJSON_AddItemToArray(list, out);
		free(content);
		i++;
	}
	if (!why)
		return list;
	cJSON_Delete(list);
	if (cJSON_GetArraySize(files))
		refuse(call, "files[%d]: %s", i, why);
	else
		refuse(call, "%s", why);
	return NULL;
}

/* The entry of a failed_files list that names file, or NULL. Gumloop's
 * shape is not documented: names, or objects with a file_name. */
static const cJSON *find_failure(const cJSON *failed, const char *file)
{
	const cJSON *f, *name;

	cJSON_ArrayForEach(f, failed) {
		name = cJSON_IsString(f) ? f :
		       cJSON_GetObjectItemCaseSensitive(f, "file_name");
		if (cJSON_IsString(name) && !strcmp(name->valuestring, file))
			return f;
	}
	return NULL;
}

static int listed(const cJSON *names, const char *file)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, names)
		if (cJSON_IsString(n) && !strcmp(n->valuestring, file))
			return 1;
	return 0;
}

static const char *failure_reason(const cJSON *failure)
{
	static const char *const keys[] = { "error", "message", "reason" };
	const cJSON *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		v = cJSON_GetObjectItemCaseSensitive(failure, keys[i]);
		if (cJSON_IsString(v))
			return v->valuestring;
	}
	return NULL;
}

/*
 * Adds files: [{file_name, status, error?}] in the order sent, and a
 * summary sentence, to Gumloop's answer.
 */
static void report_per_file(cJSON *answer, const cJSON *sent)
{
	const cJSON *uploaded = cJSON_GetObjectItemCaseSensitive(answer,
							"uploaded_files");
	const cJSON *failed = cJSON_GetObjectItemCaseSensitive(answer,
							      "failed_files");
	cJSON *files = cJSON_CreateArray(), *entry;
	struct buf summary = BUF_INIT, failures = BUF_INIT;
	const cJSON *item, *failure;
	const char *name, *reason, *status;
	int ok = 0, unknown = 0, total = 0;

	cJSON_ArrayForEach(item, sent) {
		name = cJSON_GetObjectItemCaseSensitive(item, "file_name")
			->valuestring;
		failure = find_failure(failed, name);
		reason = failure ? failure_reason(failure) : NULL;
		status = failure ? "failed" : !uploaded || listed(uploaded, name)
			 ? "uploaded" : "unknown";
		entry = cJSON_CreateObject();
		cJSON_AddStringToObject(entry, "file_name", name);
		cJSON_AddStringToObject(entry, "status", status);
		if (reason)
			cJSON_AddStringToObject(entry, "error", reason);
		cJSON_AddItemToArray(files, entry);
		ok += !strcmp(status, "uploaded");
		unknown += !strcmp(status, "unknown");
		total++;
		if (failure)
			buf_addf(&failures, "%s%s%s%s%s", failures.len ? ", " : "",
				 name, reason ? " (" : "", reason ? reason : "",
				 reason ? ")" : "");
	}
	buf_addf(&summary, "%d of %d files uploaded", ok, total);
	if (failures.len)
		buf_addf(&summary, "; failed: %s", failures.data);
	if (unknown)
		buf_addf(&summary, "; %d not confirmed by Gumloop", unknown);
	cJSON_AddItemToObject(answer, "files", files);
	cJSON_AddStringToObject(answer, "summary", summary.data);
	buf_release(&summary);
	buf_release(&failures);
}

static int upload_files(struct tool_call *call)
{
	cJSON *list = upload_list(call, tool_arg(call, "files")), *json = NULL;
	struct http_request req;

	if (!list)
		return -1;
	http_request_init(&req, "POST");
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		cJSON_AddItemToObject(req.json, "files", list);
		/* a 207 (some failed) is a success: the answer tells which */
		json = tool_exchange(call, &req);
		if (json)
			report_per_file(json, list);
	} else {
		cJSON_Delete(list);
	}
	http_request_release(&req);
	return json ? tool_ok(call, json) : -1;
}

/* ---- downloads -------------------------------------------------------- */

static char *run_uri(struct tool_call *call, const char *file)
{
	struct buf uri = BUF_INIT;

	buf_addstr(&uri, "gumloop://runs/");
	http_url_add_segment(&uri, tool_arg_str(call, "run_id"));
	buf_addstr(&uri, "/files/");
	http_url_add_segment(&uri, file);
	return buf_detach(&uri, NULL);
}

/* POSTs the entry's request and answers with the bytes that come back. */
static int download_bytes(struct tool_call *call, const char *file_name)
{
	size_t max = download_max_bytes(call);
	struct http_request req;
	struct http_response resp;
	char *uri;
	int rc = -1;

	if (!max)
		return -1;
	http_request_init(&req, "POST");
	http_response_init(&resp);
	uri = run_uri(call, file_name);
	if (tool_build_request(call, NULL, NULL, &req) == 0 &&
	    download_send(call, &req, max, file_name, &resp) == 0)
		rc = download_result(call, uri, file_name, resp.content_type,
				     resp.body.data ? resp.body.data : "",
				     resp.body.len);
	free(uri);
	http_request_release(&req);
	http_response_release(&resp);
	return rc;
}

static int download_file(struct tool_call *call)
{
	return download_bytes(call, tool_arg_str(call, "file_name"));
}

static int download_files(struct tool_call *call)
{
	const cJSON *names = tool_arg(call, "file_names"), *n;
	char *zip_name;
	int rc;

	if (!cJSON_GetArraySize(names)) {
		call->refused = 1;
		return tool_error(call, "invalid argument 'file_names': give at "
				  "least one file name");
	}
	cJSON_ArrayForEach(n, names) {
		if (!cJSON_IsString(n) || !*n->valuestring) {
			call->refused = 1;
			return tool_error(call, "invalid argument 'file_names': "
					  "every item must be a non-empty "
					  "string");
		}
	}
	zip_name = xasprintf("%s-files.zip", tool_arg_str(call, "run_id"));
	rc = download_bytes(call, zip_name);
	free(zip_name);
	return rc;
}

/* ---- the table -------------------------------------------------------- */

static const char uploaded_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"success\":{\"type\":\"boolean\"},"
	"\"file_name\":{\"type\":\"string\"}}}";

static const char uploads_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"summary\":{\"type\":\"string\"},"
	"\"files\":{\"type\":\"array\"}},"
	"\"required\":[\"files\",\"summary\"]}";

#define CONTENT_TEXT_DESC "UTF-8"
#define CONTENT_BASE64_DESC NULL

static const struct param upload_params[] = {
	{ "file_name", P_STRING, IN_BODY, REQUIRED,
	  "e.g. leads.csv", NULL },
	{ "content_text", P_STRING, IN_LOCAL, 0, CONTENT_TEXT_DESC, NULL },
	{ "content_base64", P_STRING, IN_LOCAL, 0, CONTENT_BASE64_DESC, NULL },
	{ 0 }
};

static const struct param uploads_params[] = {
	{ "files", P_ARRAY, IN_LOCAL, REQUIRED,
	  "[{file_name, content_text or content_base64}]",
	  "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\","
	  "\"properties\":{\"file_name\":{\"type\":\"string\"},"
	  "\"content_text\":{\"type\":\"string\"},"
	  "\"content_base64\":{\"type\":\"string\"}},"
	  "\"required\":[\"file_name\"]}}" },
	{ 0 }
};

#define RUN_ID_PARAM(req) \
	{ "run_id", P_STRING, IN_BODY, req, \
	  "the flow run that made it", NULL }

static const struct param download_params[] = {
	{ "file_name", P_STRING, IN_BODY, REQUIRED,
	  "as the run's outputs give it", NULL },
	RUN_ID_PARAM(REQUIRED),
	{ "saved_item_id", P_STRING, IN_BODY, REQUIRED,
	  "the run's flow", NULL },
	DOWNLOAD_MAX_BYTES_PARAM,
	{ 0 }
};

static const struct param downloads_params[] = {
	{ "file_names", P_ARRAY, IN_BODY, REQUIRED, "file names",
	  "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"string\"}}" },
	RUN_ID_PARAM(REQUIRED),
	{ "saved_item_id", P_STRING, IN_BODY, 0,
	  "the run's flow", NULL },
	DOWNLOAD_MAX_BYTES_PARAM,
	{ 0 }
};

const struct tool_def files_tools[] = {
	{ .name = "create_a_gumloop_file", .title = "Upload a file",
	  .description = "Upload a file to the user's storage for flows' file "
		"inputs.",
	  .access = TOOL_WRITE, .tag = "files", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/upload_file", .params = upload_params,
	  .one_of = "content_text|content_base64",
	  .output_schema = uploaded_schema, .flags = T_IDEMPOTENT,
	  .handler = upload_file },
	{ .name = "create_gumloop_files", .title = "Upload several files",
	  .description = "Upload several files; files[].status says which "
		"succeeded.",
	  .access = TOOL_WRITE, .tag = "files", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/upload_files", .params = uploads_params,
	  .output_schema = uploads_schema, .flags = T_IDEMPOTENT,
	  .handler = upload_files },
	{ .name = "get_single_gumloop_file_by_name", .title = "Download a file",
	  .description = "Download a file a flow run produced (text, else "
		"base64).",
	  .access = TOOL_READ, .tag = "files", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/download_file",
	  .params = download_params, .output_schema = DOWNLOAD_OUTPUT_SCHEMA,
	  .flags = T_DOWNLOAD, .handler = download_file },
	{ .name = "download_gumloop_files", .title = "Download files as a zip",
	  .description = "Download files of a flow run as one zip (base64).",
	  .access = TOOL_READ, .tag = "files", .scope = SCOPE_LEGACY,
	  .method = "POST", .path = "/download_files",
	  .params = downloads_params, .output_schema = DOWNLOAD_OUTPUT_SCHEMA,
	  .flags = T_DOWNLOAD, .handler = download_files },
	{ 0 }
};
