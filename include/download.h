#ifndef GUMLOOP_DOWNLOAD_H
#define GUMLOOP_DOWNLOAD_H
/*
 * Downloads shared by the skill, artifact and file tools: the size cap,
 * following a signed URL (no Gumloop credentials, https or loopback only,
 * the URL never logged) and turning bytes into a tool result. A text file
 * becomes a text item, anything else an embedded resource with a base64
 * blob and its mimeType; structuredContent then holds only file_name,
 * media_type and size (interface.md, "Tool results").
 *
 * Ownership: every argument is borrowed; results go into the tool call.
 */
#include <stddef.h>
#include <cjson/cJSON.h>
#include "http.h"
#include "tool.h"

#define DOWNLOAD_DEFAULT_MAX_BYTES ((size_t)1 << 20)
#define DOWNLOAD_MAX_BYTES_LIMIT ((size_t)16 << 20)

/* The arguments every download tool takes (entries of a params table). */
#define DOWNLOAD_MAX_BYTES_PARAM \
	{ "max_bytes", P_INTEGER, IN_LOCAL, 0, \
	  "default 1 MiB", \
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":16777216}" }
#define DOWNLOAD_FETCH_PARAM \
	{ "fetch", P_BOOLEAN, IN_LOCAL, 0, \
	  "return the bytes instead of download_url", NULL }

/* structuredContent of a download tool: either the fetched bytes' summary
 * or Gumloop's {download_url, filename, media_type, size, ...}. */
#define DOWNLOAD_OUTPUT_SCHEMA \
	"{\"type\":\"object\",\"properties\":{" \
	"\"file_name\":{\"type\":\"string\"}," \
	"\"media_type\":{\"type\":[\"string\",\"null\"]}," \
	"\"size\":{\"type\":[\"integer\",\"null\"]}," \
	"\"download_url\":{\"type\":\"string\"}," \
	"\"filename\":{\"type\":[\"string\",\"null\"]}}}"

/*
 * The call's max_bytes (default DOWNLOAD_DEFAULT_MAX_BYTES), or 0 with the
 * tool error set when it is out of range.
 */
size_t download_max_bytes(struct tool_call *call);

/*
 * Sends req (a Gumloop endpoint that answers with the bytes themselves)
 * with the response capped at max. On failure returns -1 with the tool
 * error set; a body over the cap is refused with its size, naming what.
 */
int download_send(struct tool_call *call, struct http_request *req,
		  size_t max, const char *what, struct http_response *resp);

/*
 * Follows the signed URL of a Gumloop download answer {download_url,
 * filename, media_type, size} and sets the result from the bytes, at most
 * max of them (from download_max_bytes). uri names the resource in the
 * result. Returns 0, or -1 with the error set.
 */
int download_follow(struct tool_call *call, const cJSON *answer,
		    const char *uri, size_t max);

/*
 * The handler of a "get download" tool: GETs the entry's endpoint (its
 * path and query arguments) and returns Gumloop's answer as it is, or with
 * fetch: true follows its signed URL. The resource is named uri_prefix
 * followed by the encoded id_arg argument. Returns 0 or -1 (error set).
 */
int download_get(struct tool_call *call, const char *uri_prefix,
		 const char *id_arg);

/*
 * Sets the call's result from data: text or a base64 resource, with
 * structuredContent {file_name, media_type, size}. media_type may be NULL
 * or a Content-Type header value; it is guessed from file_name when it
 * says nothing. Returns 0.
 */
int download_result(struct tool_call *call, const char *uri,
		    const char *file_name, const char *media_type,
		    const char *data, size_t len);

#endif
