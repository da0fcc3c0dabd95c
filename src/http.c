/*
 * libcurl behind a small interface: one reused easy handle (keep-alive),
 * one blocking curl_easy_perform per request, credentials only over https
 * or to loopback, capped bodies, rate-limit headers read, and every
 * failure mapped to one error object.
 *
 * libcurl is loaded with dlopen on the first request, not linked: Debian's
 * libcurl pulls in some 30 libraries (TLS, Kerberos, LDAP, ...) whose
 * loading cost every start about four times the whole start-up of a bare
 * program and 7 MiB, even for sessions that never call Gumloop (see
 * bench/). curl/curl.h still gives the types and constants.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include "compat.h"
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "version.h"

/* The libcurl functions this module calls, resolved on first use. */
static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	void (*easy_cleanup)(CURL *h);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	curl_mime *(*mime_init)(CURL *h);
	curl_mimepart *(*mime_addpart)(curl_mime *m);
	CURLcode (*mime_name)(curl_mimepart *p, const char *name);
	CURLcode (*mime_data)(curl_mimepart *p, const char *data, size_t len);
	CURLcode (*mime_filename)(curl_mimepart *p, const char *name);
	CURLcode (*mime_type)(curl_mimepart *p, const char *type);
	void (*mime_free)(curl_mime *m);
} curl;

static void *libcurl;
static CURL *handle;	/* holds the kept-alive connection */

void http_request_init(struct http_request *req, const char *method)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	buf_init(&req->url, HTTP_MAX_URL);
}

void http_request_release(struct http_request *req)
{
	buf_release(&req->url);
	cJSON_Delete(req->json);
	free(req->parts);
	req->json = NULL;
	req->parts = NULL;
}

void http_response_init(struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, 0);
	resp->retry_after = -1;
	resp->content_length = -1;
	resp->rl_limit = resp->rl_remaining = resp->rl_reset = -1;
}

void http_response_release(struct http_response *resp)
{
	buf_release(&resp->body);
	free(resp->detail);
	free(resp->content_type);
	free(resp->location);
	resp->detail = NULL;
	resp->content_type = NULL;
	resp->location = NULL;
}

/* ---- URLs ------------------------------------------------------------- */

static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Unreserved runs are copied whole: an id is usually one run. */
int http_percent_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *run;
	char esc[3] = { '%', 0, 0 };

	while (*p) {
		for (run = p; unreserved(*p); p++)
			;
		buf_add(b, run, (size_t)(p - run));
		if (!*p)
			break;
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		buf_add(b, esc, 3);
		p++;
	}
	return b->overflow ? -1 : 0;
}

void http_url_begin(struct buf *url, const char *base)
{
	buf_reset(url);
	buf_addstr(url, base);
}

void http_url_add_path(struct buf *url, const char *literal)
{
	buf_addstr(url, literal);
}

int http_url_add_segment(struct buf *url, const char *segment)
{
	/* "." and ".." would be resolved by the server as path steps. */
	if (!strcmp(segment, ".") || !strcmp(segment, ".."))
		buf_addstr(url, !strcmp(segment, ".") ? "%2E" : "%2E%2E");
	else
		http_percent_encode(url, segment);
	return url->overflow ? -1 : 0;
}

int http_url_add_query(struct buf *url, const char *name, const char *value)
{
	buf_addstr(url, url->data && strchr(url->data, '?') ? "&" : "?");
	http_percent_encode(url, name);
	buf_addstr(url, "=");
	http_percent_encode(url, value);
	return url->overflow ? -1 : 0;
}

/* Copies the host of an http(s) URL into host (brackets kept for IPv6). */
static int url_host(const char *url, char *host, size_t size)
{
	const char *p = strstr(url, "://"), *end;
	size_t n;

	if (!p)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)))
		p = (const char *)memchr(p, '@', (size_t)(end - p)) + 1;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close)
			return -1;
		end = close + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon)
			end = colon;
	}
	n = (size_t)(end - p);
	if (!n || n >= size)
		return -1;
	memcpy(host, p, n);
	host[n] = '\0';
	return 0;
}

static int is_loopback(const char *host)
{
	struct in_addr v4;

	if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]"))
		return 1;
	/* A real dotted quad only: "127.0.0.1.evil.test" is a name. */
	return inet_pton(AF_INET, host, &v4) == 1 &&
	       (ntohl(v4.s_addr) >> 24) == 127;
}

int http_url_allowed(const char *url, char **cause)
{
	char host[256];

	if (url_host(url, host, sizeof(host)) < 0) {
		*cause = xasprintf("invalid URL '%s'", url);
		return -1;
	}
	if (!strncasecmp(url, "https://", 8))
		return 0;
	if (strncasecmp(url, "http://", 7)) {
		*cause = xasprintf("refusing URL '%s': only https:// is allowed", url);
		return -1;
	}
	if (is_loopback(host) || cfg.insecure_http)
		return 0;
	*cause = xasprintf("refusing to send credentials over plain http to '%s': "
			   "use https, or pass --insecure-http if you really mean it",
			   host);
	return -1;
}

int http_url_tls_or_loopback(const char *url)
{
	char host[256];

	if (url_host(url, host, sizeof(host)) < 0)
		return 0;
	if (!strncasecmp(url, "https://", 8))
		return 1;
	return !strncasecmp(url, "http://", 7) && is_loopback(host);
}

/* ---- transfer --------------------------------------------------------- */

struct transfer {
	struct http_request *req;
	struct http_response *resp;
	size_t max;
	int too_large;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	size_t len = size * n;

	if (t->resp->body.len + len > t->max) {
		t->too_large = 1;
		return 0;
	}
	buf_add(&t->resp->body, data, len);
	return len;
}

static long header_long(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	return end == v ? -1 : n;
}

/* Retry-After is seconds (digits) or an HTTP date; -1 for anything else. */
static double parse_retry_after(const char *v)
{
	struct tm tm;
	char *end;
	double secs;

	if (isdigit((unsigned char)*v)) {
		/* strtod also reads "1e999", "0x1p4" and "infinity": not seconds */
		secs = strtod(v, &end);
		return end == v + strspn(v, "0123456789.") && isfinite(secs) ?
		       secs : -1;
	}
	memset(&tm, 0, sizeof(tm));
	if (strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
		double d = difftime(timegm(&tm), time(NULL));

		return d < 0 ? 0 : d;
	}
	return -1;
}

void http_response_header(struct http_response *r, const char *data,
			  size_t len)
{
	char line[512], *colon, *v;

	/* the names read below start with one of these; most lines do not */
	if (len >= sizeof(line) || !len || !strchr("rRxXcClL", data[0]))
		return;
	memcpy(line, data, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	colon = strchr(line, ':');
	if (!colon)
		return;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (!strncasecmp(line, "x-", 2) && !strncasecmp(line + 2, "ratelimit-", 10))
		memmove(line, line + 2, strlen(line + 2) + 1);
	if (!strcasecmp(line, "retry-after"))
		r->retry_after = parse_retry_after(v);
	else if (!strcasecmp(line, "ratelimit-limit"))
		r->rl_limit = header_long(v);
	else if (!strcasecmp(line, "ratelimit-remaining"))
		r->rl_remaining = header_long(v);
	else if (!strcasecmp(line, "ratelimit-reset"))
		r->rl_reset = header_long(v);
	else if (!strcasecmp(line, "content-length"))
		r->content_length = header_long(v);
	else if (!strcasecmp(line, "content-type")) {
		free(r->content_type);
		r->content_type = xstrdup(v);
	} else if (!strcasecmp(line, "location")) {
		free(r->location);
		r->location = xstrdup(v);
	}
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;

	http_response_header(t->resp, data, size * n);
	return size * n;
}

/* The request's headers; the Authorization line holds the key, so the
 * list is wiped before it is freed (free_headers). */
static struct curl_slist *build_headers(const struct http_request *req)
{
	struct curl_slist *h = NULL;
	char *line;

	h = curl.slist_append(h, req->no_auth ? "Accept: */*"
					      : "Accept: application/json");
	h = curl.slist_append(h, "Expect:");
	if (req->json)
		h = curl.slist_append(h, "Content-Type: application/json");
	if (!req->no_auth && cfg.api_key) {
		line = xasprintf("Authorization: Bearer %s", cfg.api_key);
		h = curl.slist_append(h, line);
		crypto_zeroize(line, strlen(line));
		free(line);
	}
	if (!req->no_auth && cfg.user_id) {
		line = xasprintf("x-auth-key: %s", cfg.user_id);
		h = curl.slist_append(h, line);
		free(line);
	}
	return h;
}

static void free_headers(struct curl_slist *h)
{
	struct curl_slist *l;

	for (l = h; l; l = l->next)
		crypto_zeroize(l->data, strlen(l->data));
	curl.slist_free_all(h);
}

static curl_mime *build_mime(const struct http_request *req)
{
	curl_mime *mime = curl.mime_init(handle);
	size_t i;

	for (i = 0; i < req->nparts; i++) {
		const struct http_part *p = &req->parts[i];
		curl_mimepart *part = curl.mime_addpart(mime);

		curl.mime_name(part, p->name);
		curl.mime_data(part, p->data, p->len);
		if (p->filename) {
			curl.mime_filename(part, p->filename);
			curl.mime_type(part, p->type ? p->type
					      : "application/octet-stream");
		} else if (p->type) {
			curl.mime_type(part, p->type);
		}
	}
	return mime;
}

/* Opens the first of the platform's libcurl names that loads. */
static void *open_libcurl(char **why)
{
	static const char *const names[] = COMPAT_LIBCURL_NAMES;
	struct buf tried = BUF_INIT;
	void *lib;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		lib = dlopen(*names[i] ? names[i] : NULL, RTLD_NOW | RTLD_LOCAL);
		if (lib) {
			buf_release(&tried);
			return lib;
		}
		buf_addf(&tried, "%s%s", i ? ", " : "", *names[i] ? names[i]
						      : "this program");
	}
	*why = xasprintf("libcurl is not installed (tried %s); %s",
			 tried.data, COMPAT_LIBCURL_HINT);
	buf_release(&tried);
	return NULL;
}

/* Loads libcurl and fills curl; 0, or -1 with *why. */
static int load_libcurl(char **why)
{
	static const struct {
		const char *name;
		void **slot;	/* POSIX: function pointers are stored as void * */
	} fns[] = {
		{ "curl_global_init", (void **)&curl.global_init },
		{ "curl_global_cleanup", (void **)&curl.global_cleanup },
		{ "curl_easy_init", (void **)&curl.easy_init },
		{ "curl_easy_reset", (void **)&curl.easy_reset },
		{ "curl_easy_setopt", (void **)&curl.easy_setopt },
		{ "curl_easy_perform", (void **)&curl.easy_perform },
		{ "curl_easy_getinfo", (void **)&curl.easy_getinfo },
		{ "curl_easy_strerror", (void **)&curl.easy_strerror },
		{ "curl_easy_cleanup", (void **)&curl.easy_cleanup },
		{ "curl_slist_append", (void **)&curl.slist_append },
		{ "curl_slist_free_all", (void **)&curl.slist_free_all },
		{ "curl_mime_init", (void **)&curl.mime_init },
		{ "curl_mime_addpart", (void **)&curl.mime_addpart },
		{ "curl_mime_name", (void **)&curl.mime_name },
		{ "curl_mime_data", (void **)&curl.mime_data },
		{ "curl_mime_filename", (void **)&curl.mime_filename },
		{ "curl_mime_type", (void **)&curl.mime_type },
		{ "curl_mime_free", (void **)&curl.mime_free },
	};
	size_t i;

	if (libcurl)
		return 0;
	if (!(libcurl = open_libcurl(why)))
		return -1;
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		*fns[i].slot = dlsym(libcurl, fns[i].name);
		if (!*fns[i].slot) {
			dlclose(libcurl);
			libcurl = NULL;
			*why = xasprintf("the libcurl found lacks %s: libcurl "
					 "7.85 or later is needed; %s",
					 fns[i].name, COMPAT_LIBCURL_HINT);
			return -1;
		}
	}
	return 0;
}

/* The reused easy handle; -1 with *why when libcurl is unusable. */
static int ensure_handle(char **why)
{
	if (handle)
		return 0;
	if (load_libcurl(why) < 0)
		return -1;
	if (curl.global_init(CURL_GLOBAL_DEFAULT) ||
	    !(handle = curl.easy_init())) {
		*why = xstrdup("cannot initialize libcurl");
		return -1;
	}
	return 0;
}

/* Called by libcurl during the transfer: where a request in flight looks
 * at stdin (the caller's abort_check); nonzero aborts the transfer. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = ctx;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return t->req->abort_check && t->req->abort_check(t->req->abort_ctx);
}

static long timeout_ms(const struct http_request *req)
{
	long whole = cfg.timeout_s * 1000L;

	return req->timeout_ms > 0 && req->timeout_ms < whole ? req->timeout_ms
							      : whole;
}

static char curl_errbuf[CURL_ERROR_SIZE];

/*
 * Every option a request needs, set from a reset handle each time. A write
 * goes on a fresh connection: on a kept-alive one that turns out dead,
 * libcurl would send the body a second time by itself.
 */
static void set_options(struct transfer *t, struct curl_slist *headers,
			const char *body)
{
	const struct http_request *req = t->req;
	long ms = timeout_ms(req);

	curl.easy_reset(handle);
	curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
	curl.easy_setopt(handle, CURLOPT_TIMEOUT_MS, ms);
	curl.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
			 ms < 10000 ? ms : 10000L);
	curl.easy_setopt(handle, CURLOPT_USERAGENT,
			 "gumloop-mcp/" GUMLOOP_MCP_VERSION);
	curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, curl_errbuf);
	curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
	curl.easy_setopt(handle, CURLOPT_WRITEDATA, t);
	curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
	curl.easy_setopt(handle, CURLOPT_HEADERDATA, t);
	curl.easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
	curl.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl.easy_setopt(handle, CURLOPT_XFERINFODATA, t);
	curl.easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max);
	curl.easy_setopt(handle, CURLOPT_URL, req->url.data);
	curl.easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
	if (cfg.cacert)
		curl.easy_setopt(handle, CURLOPT_CAINFO, cfg.cacert);
	/* a proxy would see a plain-http request whole, credentials too */
	if (strncasecmp(req->url.data, "https://", 8))
		curl.easy_setopt(handle, CURLOPT_PROXY, "");
	if (!strcmp(req->method, "GET"))
		return;
	curl.easy_setopt(handle, CURLOPT_FRESH_CONNECT, 1L);
	if (body) {
		curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body);
		curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (!req->parts && strcmp(req->method, "DELETE")) {
		curl.easy_setopt(handle, CURLOPT_POSTFIELDS, "");
	}
	if (strcmp(req->method, "POST"))
		curl.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, req->method);
}

/* Sorts curl's errors by what the user can do about them. */
static enum http_failure failure_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_DNS;
	case CURLE_COULDNT_CONNECT:
		return HTTP_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
		return HTTP_TLS;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return HTTP_INCOMPLETE;
	default:
		return HTTP_TRANSPORT;
	}
}

static void record_failure(struct http_response *resp, CURLcode rc,
			   const struct transfer *t, const char *errbuf)
{
	const char *text = *errbuf ? errbuf : curl.easy_strerror(rc);

	if (t->too_large || rc == CURLE_FILESIZE_EXCEEDED)
		resp->failure = HTTP_TOO_LARGE;
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		resp->failure = HTTP_ABORTED;
	else
		resp->failure = failure_of(rc);
	/* No connection, so Gumloop cannot have seen the request. */
	resp->not_sent = rc == CURLE_COULDNT_RESOLVE_HOST ||
			 rc == CURLE_COULDNT_RESOLVE_PROXY ||
			 rc == CURLE_COULDNT_CONNECT ||
			 rc == CURLE_SSL_CONNECT_ERROR ||
			 rc == CURLE_PEER_FAILED_VERIFICATION ||
			 rc == CURLE_URL_MALFORMAT ||
			 rc == CURLE_UNSUPPORTED_PROTOCOL;
	resp->detail = redact_string(text);
}

/* For the operator at debug level: what came back, never the body. */
static void log_response(const struct http_request *req,
			 const struct http_response *resp)
{
	if (resp->failure != HTTP_OK)
		log_debug("%s: %s: %s", req->method,
			  http_failure_str(resp->failure), resp->detail);
	else
		log_debug("%s: HTTP %ld, %zu bytes", req->method, resp->status,
			  resp->body.len);
}

/* A request that could not leave: reason taken. */
static int not_sent(struct http_response *resp, enum http_failure f,
		    char *take_why)
{
	resp->failure = f;
	resp->detail = take_why;
	resp->not_sent = 1;
	return -1;
}

int http_perform(struct http_request *req, struct http_response *resp)
{
	struct transfer t = { req, resp, req->max_response, 0 };
	struct curl_slist *headers;
	curl_mime *mime = NULL;
	char *body = NULL, *cause = NULL;
	CURLcode rc;

	if (!t.max)
		t.max = HTTP_MAX_RESPONSE_DEFAULT;
	if (req->url.overflow)	/* a URL cut short must not go out */
		return not_sent(resp, HTTP_REFUSED, xasprintf("the request URL "
				"would be over %u bytes", HTTP_MAX_URL));
	if (!req->no_auth && http_url_allowed(req->url.data, &cause) < 0)
		return not_sent(resp, HTTP_REFUSED, cause);
	if (ensure_handle(&cause) < 0)
		return not_sent(resp, HTTP_NO_LIBCURL, cause);
	if (req->json && !(body = cJSON_PrintUnformatted(req->json)))
		return not_sent(resp, HTTP_REFUSED, xstrdup("the request body "
				"could not be built"));	/* never an empty one */
	headers = build_headers(req);
	set_options(&t, headers, body);
	if (req->parts) {
		mime = build_mime(req);
		curl.easy_setopt(handle, CURLOPT_MIMEPOST, mime);
	}
	if (req->no_auth)
		log_debug("%s %.*s?[redacted]", req->method,
			  (int)strcspn(req->url.data, "?"), req->url.data);
	else
		log_debug("%s %s", req->method, req->url.data);
	curl_errbuf[0] = '\0';
	rc = curl.easy_perform(handle);
	if (rc == CURLE_OK)
		curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &resp->status);
	else
		record_failure(resp, rc, &t, curl_errbuf);
	log_response(req, resp);
	/* the handle must point at nothing freed below */
	curl.easy_reset(handle);
	curl.mime_free(mime);
	free_headers(headers);
	free(body);
	return rc == CURLE_OK ? 0 : -1;
}

const char *http_failure_str(enum http_failure f)
{
	switch (f) {
	case HTTP_OK: return "ok";
	case HTTP_TRANSPORT: return "transport_error";
	case HTTP_DNS: return "host_not_found";
	case HTTP_CONNECT: return "connection_failed";
	case HTTP_TLS: return "tls_error";
	case HTTP_INCOMPLETE: return "connection_lost";
	case HTTP_TIMEOUT: return "timeout";
	case HTTP_TOO_LARGE: return "response_too_large";
	case HTTP_ABORTED: return "cancelled";
	case HTTP_REFUSED: return "refused";
	case HTTP_NO_LIBCURL: return "libcurl_missing";
	}
	return "unknown";
}

/* ---- errors ----------------------------------------------------------- */

/* Reads {"error": "text"} and {"error": {"code", "message"}} bodies. */
static void read_error_body(const struct http_response *resp, cJSON *err)
{
	/* Error bodies sometimes echo the request's headers: the key goes
	 * before anything is read from them. */
	char *clean = redact_string(resp->body.data ? resp->body.data : "");
	cJSON *body = cJSON_Parse(clean);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, "error");
	const cJSON *code = NULL, *msg = NULL;

	if (cJSON_IsString(e)) {
		msg = e;
		if (!strchr(e->valuestring, ' '))
			code = e;
	} else if (cJSON_IsObject(e)) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
	} else {
		msg = cJSON_GetObjectItemCaseSensitive(body, "message");
		if (!cJSON_IsString(msg))
			msg = cJSON_GetObjectItemCaseSensitive(body, "detail");
	}
	if (cJSON_IsString(code) && *code->valuestring)
		cJSON_AddStringToObject(err, "code", code->valuestring);
	if (cJSON_IsString(msg) && *msg->valuestring) {
		cJSON_AddStringToObject(err, "message", msg->valuestring);
	} else if (!body && resp->body.len) {
		cJSON_AddStringToObject(err, "code", "non_json_response");
		cJSON_AddItemToObject(err, "message", cJSON_CreateString(
			"Gumloop answered with a body that is not JSON"));
	}
	cJSON_Delete(body);
	free(clean);
}

cJSON *http_error_object(const struct http_response *resp)
{
	cJSON *err = cJSON_CreateObject(), *rl;

	if (resp->failure != HTTP_OK) {
		cJSON_AddNullToObject(err, "status");
		cJSON_AddStringToObject(err, "code", http_failure_str(resp->failure));
		cJSON_AddStringToObject(err, "message",
					resp->detail ? resp->detail : "request failed");
		return err;
	}
	cJSON_AddNumberToObject(err, "status", (double)resp->status);
	read_error_body(resp, err);
	if (!cJSON_HasObjectItem(err, "message") && resp->status >= 300 &&
	    resp->status < 400) {
		char *text = xasprintf("redirected to %s", resp->location ?
				       resp->location : "another URL");
		char *clean = redact_string(text);

		cJSON_AddStringToObject(err, "message", clean);
		free(clean);
		free(text);
	}
	if (!cJSON_HasObjectItem(err, "message"))
		cJSON_AddItemToObject(err, "message", cJSON_CreateString(
			resp->status >= 500 ? "Gumloop server error"
					    : "request refused by Gumloop"));
	if (resp->retry_after >= 0)
		cJSON_AddNumberToObject(err, "retry_after", resp->retry_after);
	if (resp->rl_limit >= 0 || resp->rl_remaining >= 0 || resp->rl_reset >= 0) {
		rl = cJSON_AddObjectToObject(err, "ratelimit");
		if (resp->rl_limit >= 0)
			cJSON_AddNumberToObject(rl, "limit", (double)resp->rl_limit);
		if (resp->rl_remaining >= 0)
			cJSON_AddNumberToObject(rl, "remaining", (double)resp->rl_remaining);
		if (resp->rl_reset >= 0)
			cJSON_AddNumberToObject(rl, "reset", (double)resp->rl_reset);
	}
	return err;
}

/* libcurl itself stays loaded: its TLS library may have exit handlers. */
void http_cleanup(void)
{
	if (!handle)
		return;
	curl.easy_cleanup(handle);
	curl.global_cleanup();
	handle = NULL;
}
