#ifndef GUMLOOP_HTTP_H
#define GUMLOOP_HTTP_H
/*
 * The HTTP layer: the only module that talks to libcurl. One easy handle is
 * reused for every request (keep-alive); http_perform blocks until the
 * answer (curl_easy_perform), calling the request's abort_check as it
 * goes. A request owns its URL buffer, its
 * JSON body and its parts; a response owns its body. Both are released by
 * their _release function, which accepts a zeroed struct.
 */
#include <stddef.h>
#include <cjson/cJSON.h>
#include "util.h"

#define HTTP_MAX_RESPONSE_DEFAULT (32u << 20)
#define HTTP_MAX_URL (64u << 10)	/* longer is refused, never cut */

/* One part of a multipart/form-data body (data is borrowed). */
struct http_part {
	const char *name;
	const char *filename;	/* NULL for a plain field */
	const char *type;	/* NULL: application/octet-stream for files */
	const char *data;
	size_t len;
};

struct http_request {
	const char *method;		/* "GET", "POST", ... */
	struct buf url;			/* full URL, built with http_url_* */
	cJSON *json;			/* JSON body (owned), or NULL */
	struct http_part *parts;	/* multipart body (array owned), or NULL */
	size_t nparts;
	/* Never send credentials, and never log the URL's query (a signed
	 * URL carries its own credential there). */
	int no_auth;
	size_t max_response;		/* 0: HTTP_MAX_RESPONSE_DEFAULT */
	long timeout_ms;		/* under --timeout (0: --timeout) */
	/* Called while the transfer runs; nonzero aborts it (cancellation). */
	int (*abort_check)(void *ctx);
	void *abort_ctx;
};

enum http_failure {
	HTTP_OK = 0,		/* a response arrived (any status) */
	HTTP_TRANSPORT,		/* any other transport failure */
	HTTP_DNS,		/* the host name did not resolve */
	HTTP_CONNECT,		/* nothing accepted the connection */
	HTTP_TLS,		/* handshake or certificate verification */
	HTTP_INCOMPLETE,	/* the connection broke during the answer */
	HTTP_TIMEOUT,
	HTTP_TOO_LARGE,
	HTTP_ABORTED,		/* abort_check said stop */
	HTTP_REFUSED,		/* refused locally (credentials over http) */
	HTTP_NO_LIBCURL,	/* libcurl could not be loaded */
};

struct http_response {
	long status;
	enum http_failure failure;
	char *detail;		/* transport error text, redacted */
	int not_sent;		/* failed before the request could leave */
	struct buf body;
	char *content_type;
	char *location;		/* Location of a redirect (never followed) */
	long long content_length;	/* Content-Length, -1 when absent */
	double retry_after;	/* seconds, -1 when absent */
	long rl_limit, rl_remaining, rl_reset;	/* -1 when absent */
};

void http_request_init(struct http_request *req, const char *method);
void http_request_release(struct http_request *req);
void http_response_init(struct http_response *resp);
void http_response_release(struct http_response *resp);

/* URL building: a base, then path segments (percent-encoded, so an id can
 * never change the path), then query pairs (percent-encoded). A URL over
 * HTTP_MAX_URL is never cut: the append returns -1 and url->overflow
 * stays set (later appends fail too) until http_url_begin. */
void http_url_begin(struct buf *url, const char *base);
void http_url_add_path(struct buf *url, const char *literal);
int http_url_add_segment(struct buf *url, const char *segment);
int http_url_add_query(struct buf *url, const char *name, const char *value);
/* Percent-encodes s into b (RFC 3986 unreserved characters kept); -1 when
 * b's cap was passed. */
int http_percent_encode(struct buf *b, const char *s);

/*
 * 0 when credentials may go to url: https, or http to a loopback host, or
 * any http with --insecure-http. Else -1 with *cause (caller frees).
 */
int http_url_allowed(const char *url, char **cause);

/*
 * 1 when url is https, or http to a loopback host (--insecure-http does not
 * count): where a signed download URL may be followed.
 */
int http_url_tls_or_loopback(const char *url);

/*
 * Performs the request. Returns 0 when a response arrived (whatever its
 * status), -1 otherwise with resp->failure and resp->detail set.
 */
int http_perform(struct http_request *req, struct http_response *resp);

/*
 * Reads one response header line ("Name: value", CRLF optional) into resp:
 * Retry-After, [x-]ratelimit-limit/remaining/reset, Content-Type,
 * Content-Length and Location. The
 * transfer calls it for every header; other names are ignored.
 */
void http_response_header(struct http_response *resp, const char *line,
			  size_t len);

/* Status text for the error object's "message" when Gumloop gave none. */
const char *http_failure_str(enum http_failure f);

/*
 * Builds the structured error {status, code, message, retry_after,
 * ratelimit{limit, remaining, reset}} for a failed request or an HTTP error
 * status, reading both Gumloop error body styles. Returns a new object.
 */
cJSON *http_error_object(const struct http_response *resp);

/* Frees the handle (at exit). */
void http_cleanup(void);

#endif
