/*
 * Downloads: the size cap, signed URLs followed without credentials, and
 * bytes turned into a text item or a base64 resource. One place for the
 * skill, artifact and file tools.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "crypto.h"
#include "download.h"
#include "util.h"

#define OCTET_STREAM "application/octet-stream"

static const struct {
	const char *ext;
	const char *type;
} media_types[] = {
	{ "txt", "text/plain" }, { "log", "text/plain" },
	{ "md", "text/markdown" }, { "csv", "text/csv" },
	{ "tsv", "text/tab-separated-values" }, { "html", "text/html" },
	{ "htm", "text/html" }, { "js", "text/javascript" },
	{ "py", "text/x-python" }, { "json", "application/json" },
	{ "xml", "application/xml" }, { "yaml", "application/yaml" },
	{ "yml", "application/yaml" }, { "svg", "image/svg+xml" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" }, { "gif", "image/gif" },
	{ "webp", "image/webp" }, { "pdf", "application/pdf" },
	{ "zip", "application/zip" }, { "skill", "application/zip" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
		  "spreadsheetml.sheet" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
		  "wordprocessingml.document" },
};

/* Media types whose bytes are text (when they are valid UTF-8). */
static const char *const text_types[] = {
	"application/json", "application/xml", "application/yaml",
	"application/x-yaml", "application/javascript", "application/x-ndjson",
	"application/csv", "application/sql", "application/x-sh",
};

size_t download_max_bytes(struct tool_call *call)
{
	double n = tool_arg_num(call, "max_bytes",
				(double)DOWNLOAD_DEFAULT_MAX_BYTES);

	if (n < 1 || n > (double)DOWNLOAD_MAX_BYTES_LIMIT) {
		call->refused = 1;
		tool_error(call, "invalid argument 'max_bytes': from 1 to %zu",
			   DOWNLOAD_MAX_BYTES_LIMIT);
		return 0;
	}
	return (size_t)n;
}

/* ---- media types ------------------------------------------------------ */

static const char *guess_type(const char *file_name)
{
	const char *dot = file_name ? strrchr(file_name, '.') : NULL;
	size_t i;

	for (i = 0; dot && i < ARRAY_SIZE(media_types); i++)
		if (!strcasecmp(dot + 1, media_types[i].ext))
			return media_types[i].type;
	return OCTET_STREAM;
}

/* The bare, lowercased media type of a Content-Type value, or a guess
 * from the name when it is absent or says only "bytes". Caller frees. */
static char *media_type_of(const char *given, const char *file_name)
{
	char *type;
	size_t i, n;

	if (!given)
		given = "";
	while (isspace((unsigned char)*given))
		given++;
	n = strcspn(given, "; \t");
	type = xstrndup(given, n);
	for (i = 0; i < n; i++)
		type[i] = (char)tolower((unsigned char)type[i]);
	if (!*type || !strcmp(type, OCTET_STREAM) ||
	    !strcmp(type, "binary/octet-stream")) {
		free(type);
		type = xstrdup(guess_type(file_name));
	}
	return type;
}

static int is_text_type(const char *type)
{
	size_t i, n = strlen(type);

	if (!strncmp(type, "text/", 5))
		return 1;
	if ((n > 5 && !strcmp(type + n - 5, "+json")) ||
	    (n > 4 && !strcmp(type + n - 4, "+xml")))
		return 1;
	for (i = 0; i < ARRAY_SIZE(text_types); i++)
		if (!strcmp(type, text_types[i]))
			return 1;
	return 0;
}

/* Valid UTF-8 without NUL bytes (a NUL cannot travel in a text item). */
static int is_utf8(const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, n;

	while (i < len) {
		n = s[i] ? utf8_char_len(s + i, len - i) : 0;
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

/* ---- results ---------------------------------------------------------- */

static cJSON *text_item(const char *data, size_t len)
{
	cJSON *item = cJSON_CreateObject();
	char *text = xstrndup(data, len);

	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text);
	free(text);
	return item;
}

static cJSON *resource_item(const char *uri, const char *type,
			    const char *data, size_t len)
{
	cJSON *item = cJSON_CreateObject(), *res;
	char *b64 = crypto_base64_encode(data, len);

	cJSON_AddStringToObject(item, "type", "resource");
	res = cJSON_AddObjectToObject(item, "resource");
	cJSON_AddStringToObject(res, "uri", uri);
	cJSON_AddStringToObject(res, "mimeType", type);
	cJSON_AddStringToObject(res, "blob", b64);
	free(b64);
	return item;
}

int download_result(struct tool_call *call, const char *uri,
		    const char *file_name, const char *media_type,
		    const char *data, size_t len)
{
	char *type = media_type_of(media_type, file_name);
	cJSON *summary = cJSON_CreateObject();

	cJSON_Delete(call->content);
	call->content = cJSON_CreateArray();
	if (is_text_type(type) && is_utf8(data, len))
		cJSON_AddItemToArray(call->content, text_item(data, len));
	else
		cJSON_AddItemToArray(call->content,
				     resource_item(uri, type, data, len));
	cJSON_AddStringToObject(summary, "file_name", file_name);
	cJSON_AddStringToObject(summary, "media_type", type);
	cJSON_AddNumberToObject(summary, "size", (double)len);
	free(type);
	return tool_ok(call, summary);
}

/* ---- fetching --------------------------------------------------------- */

static int refuse_too_large(struct tool_call *call, const char *what,
			    long long size, size_t max, int is_signed)
{
	cJSON *err;

	if (size >= 0)
		tool_error(call, "'%s' is %lld bytes, over the max_bytes limit "
			   "of %zu: nothing was returned. Pass a larger "
			   "max_bytes (at most %zu)%s", what, size, max,
			   DOWNLOAD_MAX_BYTES_LIMIT, is_signed ?
			   ", or leave fetch out to get the signed download_url"
			   : "");
	else
		tool_error(call, "'%s' is larger than the max_bytes limit of "
			   "%zu: nothing was returned. Pass a larger max_bytes "
			   "(at most %zu)%s", what, max,
			   DOWNLOAD_MAX_BYTES_LIMIT, is_signed ?
			   ", or leave fetch out to get the signed download_url"
			   : "");
	err = cJSON_GetObjectItemCaseSensitive(call->structured, "error");
	cJSON_AddStringToObject(err, "code", "too_large");
	if (size >= 0)
		cJSON_AddNumberToObject(err, "size", (double)size);
	return -1;
}

/* Sends req capped at max; explains the failures downloads have. */
static int fetch(struct tool_call *call, struct http_request *req, size_t max,
		 const char *what, struct http_response *resp, int is_signed)
{
	req->max_response = max;
	if (tool_send(call, req, resp) == 0)
		return 0;
	if (resp->failure == HTTP_TOO_LARGE)
		return refuse_too_large(call, what, resp->content_length, max,
					is_signed);
	if (is_signed && resp->failure == HTTP_OK) {
		free(call->text);
		call->text = xasprintf("%s failed: fetching the signed download "
				       "URL of '%s' answered HTTP %ld. Signed "
				       "URLs are short-lived: call the tool "
				       "again for a fresh one.",
				       call->def->name, what, resp->status);
	}
	return -1;
}

int download_send(struct tool_call *call, struct http_request *req,
		  size_t max, const char *what, struct http_response *resp)
{
	return fetch(call, req, max, what, resp, 0);
}

static const char *json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

int download_follow(struct tool_call *call, const cJSON *answer,
		    const char *uri, size_t max)
{
	const char *url = json_str(answer, "download_url");
	const char *name = json_str(answer, "filename");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(answer, "size");
	struct http_request req;
	struct http_response resp;
	int rc = -1;

	if (!name)
		name = "download";
	if (!url)
		return tool_error(call, "%s failed: Gumloop's answer holds no "
				  "download_url; call it without fetch to see "
				  "what it returned", call->def->name);
	if (cJSON_IsNumber(size) && size->valuedouble > (double)max)
		return refuse_too_large(call, name, (long long)size->valuedouble,
					max, 1);
	/* The URL itself is a credential: never quote it in a message. */
	if (!http_url_tls_or_loopback(url))
		return tool_error(call, "%s failed: refusing to follow the "
				  "download URL of '%s': it is not https",
				  call->def->name, name);
	http_request_init(&req, "GET");
	http_response_init(&resp);
	req.no_auth = 1;
	http_url_begin(&req.url, url);
	if (fetch(call, &req, max, name, &resp, 1) == 0)
		rc = download_result(call, uri, name,
				     json_str(answer, "media_type") ?
				     json_str(answer, "media_type") :
				     resp.content_type,
				     resp.body.data ? resp.body.data : "",
				     resp.body.len);
	http_request_release(&req);
	http_response_release(&resp);
	return rc;
}

int download_get(struct tool_call *call, const char *uri_prefix,
		 const char *id_arg)
{
	int want_bytes = tool_arg_bool(call, "fetch", 0);
	size_t max = want_bytes ? download_max_bytes(call) : 0;
	struct buf uri = BUF_INIT;
	cJSON *answer;
	int rc;

	if (want_bytes && !max)
		return -1;
	answer = tool_get_json(call, NULL, NULL);
	if (!answer)
		return -1;
	if (!want_bytes)
		return tool_ok(call, answer);
	buf_addstr(&uri, uri_prefix);
	http_url_add_segment(&uri, tool_arg_str(call, id_arg));
	rc = download_follow(call, answer, uri.data, max);
	buf_release(&uri);
	cJSON_Delete(answer);
	return rc;
}
