/*
 * libcurl behind a small interface: one reused easy handle (keep-alive)
 * driven by its socket events, credentials only over https or to
 * loopback, capped bodies, rate-limit headers read, and every failure
 * mapped to one error object.
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
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "version.h"

#define LIBCURL_SONAME "libcurl.so.4"

/* The libcurl functions this module calls, resolved on first use. */
static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev,
					 int *running);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
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
static CURL *handle;
static CURLM *multi;	/* drives handle; holds the kept-alive connection */

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

/*
 * The header lists, built once per kind of request and kept: building one
 * per call (the key formatted, copied, wiped) was a tenth of a call's own
 * work. The credentials are fixed for the life of the process; the lists
 * are wiped at cleanup.
 */
enum { HEADERS_JSON = 1, HEADERS_NO_AUTH = 2, HEADER_KINDS = 4 };
static struct curl_slist *header_lists[HEADER_KINDS];

static struct curl_slist *build_headers(int kind)
{
	struct curl_slist *h = NULL;
	char *line;

	h = curl.slist_append(h, kind & HEADERS_NO_AUTH ? "Accept: */*"
							: "Accept: application/json");
	h = curl.slist_append(h, "Expect:");
	if (kind & HEADERS_JSON)
		h = curl.slist_append(h, "Content-Type: application/json");
	if (!(kind & HEADERS_NO_AUTH) && cfg.api_key) {
		line = xasprintf("Authorization: Bearer %s", cfg.api_key);
		h = curl.slist_append(h, line);
		crypto_zeroize(line, strlen(line));
		free(line);
	}
	if (!(kind & HEADERS_NO_AUTH) && cfg.user_id) {
		line = xasprintf("x-auth-key: %s", cfg.user_id);
		h = curl.slist_append(h, line);
		free(line);
	}
	return h;
}

/* The Authorization line holds the key: wipe each copy before freeing. */
static void free_headers(struct curl_slist *h)
{
	struct curl_slist *l;

	for (l = h; l; l = l->next)
		crypto_zeroize(l->data, strlen(l->data));
	curl.slist_free_all(h);
}

static struct curl_slist *headers_for(const struct http_request *req)
{
	int kind = (req->json ? HEADERS_JSON : 0) |
		   (req->no_auth ? HEADERS_NO_AUTH : 0);

	if (!header_lists[kind])
		header_lists[kind] = build_headers(kind);
	return header_lists[kind];
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

/* Loads libcurl and fills curl; NULL, or the reason it failed. */
static const char *load_libcurl(void)
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
		{ "curl_multi_init", (void **)&curl.multi_init },
		{ "curl_multi_setopt", (void **)&curl.multi_setopt },
		{ "curl_multi_add_handle", (void **)&curl.multi_add_handle },
		{ "curl_multi_remove_handle", (void **)&curl.multi_remove_handle },
		{ "curl_multi_socket_action", (void **)&curl.multi_socket_action },
		{ "curl_multi_info_read", (void **)&curl.multi_info_read },
		{ "curl_multi_cleanup", (void **)&curl.multi_cleanup },
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
		return NULL;
	libcurl = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!libcurl)
		return dlerror();
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		*fns[i].slot = dlsym(libcurl, fns[i].name);
		if (!*fns[i].slot) {
			dlclose(libcurl);
			libcurl = NULL;
			return "a libcurl function is missing (libcurl 7.85 or "
			       "later is needed)";
		}
	}
	return NULL;
}

/*
 * The transfer loop. curl is driven by socket events (the multi socket
 * interface) rather than curl_easy_perform: told which socket is ready,
 * curl does not poll it again to find out, and the easy interface's poll
 * of its own wake-up pipe goes. That is two system calls fewer per
 * request, and on these machines a system call costs more than all the
 * JSON work of a call (bench/).
 */
static struct pollfd *watched;	/* the sockets curl asked us to watch */
static nfds_t nwatched, watched_cap;
static long long timer_deadline = -1;	/* ms (now_ms), -1: no timer */

#define POLL_SLICE_MS 100	/* cancellation is checked at least this often */

static void (*wait_hook)(void);

void http_set_wait_hook(void (*fn)(void))
{
	wait_hook = fn;
}

static int on_socket(CURL *h, curl_socket_t s, int what, void *u, void *sp)
{
	nfds_t i;

	(void)h; (void)u; (void)sp;
	for (i = 0; i < nwatched && watched[i].fd != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < nwatched)
			watched[i] = watched[--nwatched];
		return 0;
	}
	if (i == nwatched) {
		if (nwatched == watched_cap) {
			watched_cap = watched_cap ? 2 * watched_cap : 4;
			watched = xrealloc(watched, watched_cap * sizeof(*watched));
		}
		nwatched++;
	}
	watched[i].fd = s;
	watched[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
				    (what & CURL_POLL_OUT ? POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *u)
{
	(void)m; (void)u;
	timer_deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	return 0;
}

static int poll_timeout(void)
{
	long long left;

	if (timer_deadline < 0)
		return POLL_SLICE_MS;
	left = timer_deadline - now_ms();
	return left < 0 ? 0 : left > POLL_SLICE_MS ? POLL_SLICE_MS : (int)left;
}

/* Tells curl about every socket poll found ready (copied first: curl may
 * change the watch list while it runs). */
static void act_on_ready(int *running)
{
	struct pollfd ready[8];
	nfds_t i, n = 0;

	for (i = 0; i < nwatched && n < ARRAY_SIZE(ready); i++)
		if (watched[i].revents)
			ready[n++] = watched[i];
	for (i = 0; i < n; i++)
		curl.multi_socket_action(multi, ready[i].fd,
			(ready[i].revents & (POLLIN | POLLHUP) ? CURL_CSELECT_IN : 0) |
			(ready[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
			(ready[i].revents & (POLLERR | POLLNVAL) ? CURL_CSELECT_ERR : 0),
			running);
}

/* Runs the transfer set up on handle; its result. */
static CURLcode run_transfer(const struct http_request *req)
{
	CURLcode rc = CURLE_OK;
	int running = 1, n;
	CURLMsg *msg;

	if (curl.multi_add_handle(multi, handle) != CURLM_OK)
		return CURLE_FAILED_INIT;
	curl.multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	if (wait_hook)
		wait_hook();
	while (running) {
		n = poll(watched, nwatched, poll_timeout());
		if (n < 0 && errno != EINTR) {
			rc = CURLE_RECV_ERROR;	/* stopped before curl finished */
			break;
		}
		if (n > 0)
			act_on_ready(&running);
		else
			curl.multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0,
						 &running);
		if (running && req->abort_check &&
		    req->abort_check(req->abort_ctx)) {
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
	}
	while ((msg = curl.multi_info_read(multi, &n)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == handle)
			rc = msg->data.result;
	curl.multi_remove_handle(multi, handle);
	return rc;
}

/* The reused easy handle; NULL with *why when libcurl is unusable. */
static int ensure_handle(char **why)
{
	const char *failure;

	if (handle)
		return 0;
	failure = load_libcurl();
	if (failure) {
		*why = xasprintf("cannot load %s: %s", LIBCURL_SONAME, failure);
		return -1;
	}
	if (curl.global_init(CURL_GLOBAL_DEFAULT) ||
	    !(handle = curl.easy_init()) || !(multi = curl.multi_init())) {
		*why = xstrdup("cannot initialize libcurl");
		return -1;
	}
	curl.multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl.multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
	return 0;
}

/*
 * The options every request shares, set after the handle is made or
 * reset. A plain GET sets only its own options over them; any other
 * request leaves the handle to be reset first next time (its body,
 * method or form must not carry over).
 */
static char curl_errbuf[CURL_ERROR_SIZE];
static int handle_dirty = 1;
/* One transfer at a time; what the handle was last given is kept, so a GET
 * after a GET sets its URL and nothing else (each option set reaches into
 * another part of libcurl, which costs more than the setting). */
static struct transfer current;
static struct curl_slist *set_headers;
static curl_off_t set_max;

static void set_shared_options(void)
{
	curl.easy_reset(handle);
	curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
	curl.easy_setopt(handle, CURLOPT_TIMEOUT, cfg.timeout_s);
	curl.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT,
			 cfg.timeout_s < 10 ? cfg.timeout_s : 10L);
	curl.easy_setopt(handle, CURLOPT_USERAGENT, "gumloop-mcp/" GUMLOOP_MCP_VERSION);
	curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, curl_errbuf);
	curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
	curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
	curl.easy_setopt(handle, CURLOPT_WRITEDATA, &current);
	curl.easy_setopt(handle, CURLOPT_HEADERDATA, &current);
	set_headers = NULL;
	set_max = 0;
	if (cfg.cacert)
		curl.easy_setopt(handle, CURLOPT_CAINFO, cfg.cacert);
	handle_dirty = 0;
}

static void set_options(const struct http_request *req, char *body)
{
	int plain_get = !strcmp(req->method, "GET") && !body && !req->parts;
	struct curl_slist *headers;

	if (handle_dirty)
		set_shared_options();
	headers = headers_for(req);
	curl.easy_setopt(handle, CURLOPT_URL, req->url.data);
	if (headers != set_headers)
		curl.easy_setopt(handle, CURLOPT_HTTPHEADER, set_headers = headers);
	if ((curl_off_t)current.max != set_max)
		curl.easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE,
				 set_max = (curl_off_t)current.max);
	handle_dirty = !plain_get;
	if (plain_get)	/* a handle reset or last used for a GET does GET */
		return;
	if (body) {
		curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body);
		curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (!req->parts && strcmp(req->method, "GET") &&
		   strcmp(req->method, "DELETE")) {
		curl.easy_setopt(handle, CURLOPT_POSTFIELDS, "");
	}
	if (!strcmp(req->method, "GET"))
		curl.easy_setopt(handle, CURLOPT_HTTPGET, 1L);
	else if (strcmp(req->method, "POST"))
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

int http_perform(struct http_request *req, struct http_response *resp)
{
	curl_mime *mime = NULL;
	char *body = NULL, *cause = NULL;
	CURLcode rc;

	current = (struct transfer){ req, resp, req->max_response, 0 };
	if (!current.max)
		current.max = HTTP_MAX_RESPONSE_DEFAULT;
	if (req->url.overflow) {	/* a URL cut short must not go out */
		resp->failure = HTTP_REFUSED;
		resp->detail = xasprintf("the request URL would be over %u bytes",
					 HTTP_MAX_URL);
		resp->not_sent = 1;
		return -1;
	}
	if (!req->no_auth && http_url_allowed(req->url.data, &cause) < 0) {
		resp->failure = HTTP_REFUSED;
		resp->detail = cause;
		resp->not_sent = 1;
		return -1;
	}
	if (ensure_handle(&cause) < 0) {
		resp->failure = HTTP_TRANSPORT;
		resp->detail = cause;
		resp->not_sent = 1;
		return -1;
	}
	if (req->json && !(body = cJSON_PrintUnformatted(req->json))) {
		resp->failure = HTTP_REFUSED;	/* never an empty body instead */
		resp->detail = xstrdup("the request body could not be built");
		resp->not_sent = 1;
		return -1;
	}
	set_options(req, body);
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
	rc = run_transfer(req);
	if (rc == CURLE_OK)
		curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &resp->status);
	else
		record_failure(resp, rc, &current, curl_errbuf);
	log_response(req, resp);
	if (mime) {	/* the handle must not point at the freed form */
		curl.easy_setopt(handle, CURLOPT_MIMEPOST, NULL);
		curl.mime_free(mime);
	}
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
	size_t i;

	if (!handle)
		return;
	if (multi)
		curl.multi_cleanup(multi);
	multi = NULL;
	curl.easy_cleanup(handle);
	for (i = 0; i < HEADER_KINDS; i++) {
		free_headers(header_lists[i]);
		header_lists[i] = NULL;
	}
	curl.global_cleanup();
	handle = NULL;
	handle_dirty = 1;
}
