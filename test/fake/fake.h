/*
 * fake.h: the API shared by the areas of the fake Gumloop server.
 *
 * The fake serves the REST host under /api/v1 and the streaming host
 * (ws.gumloop.com) under /stream/api/v1 on one 127.0.0.1 port, plus the
 * unauthenticated control endpoints under /_fake/ (see control.c).
 *
 * Files:
 *   fake.c     main, flags, the daemon, signals, the list of areas
 *   serve.c    one request: body, query, headers, routing, auth, scope,
 *              faults, recording, sending (plain, trickled or cut)
 *   control.c  /_fake/reset, /_fake/requests, /_fake/fault, /_fake/config
 *   util.c     the helpers declared below
 *   flows.c    the flow endpoints (gumloop-api.md 2.1) and their seeds
 *   mcp_catalog.c  the connector catalog and custom tool calls (2.8)
 *   signed.c   signed storage URLs (no key; refuses an Authorization)
 *   artifacts.c  agent artifacts (2.7) and their downloads
 *   skills.c   skills (2.6): multipart uploads, versions, downloads
 *   multipart.c  multipart/form-data parsing (also for the records)
 *   zip.c      a store-only zip writer and a stored-entry reader
 *   admin.c    teams, models, chat (stream host), Brain, organization
 *              administration and agent evaluations (2.9 to 2.11)
 *   files.c    files for flows (2.2): uploads, 207, downloads, zips
 *   organizations.c  organizations and role credit limits (audit)
 *   brain.c    Brain sources and their files (audit)
 *   browser.c  browser profiles and cookie imports (audit)
 *   evaluations.c  organization evaluations (audit)
 *
 * Adding an area (say agents):
 *   1. Write test/fake/agents.c with a route table and
 *        const struct fake_area fake_agents_area = {
 *                .name = "agents", .routes = agents_routes,
 *                .reset = agents_reset, .config = agents_config,
 *        };
 *      reset puts the seed data back and frees every object created since;
 *      it also runs once at startup, so seed there.  config is optional.
 *   2. Declare it below ("the areas") and add &fake_agents_area to the
 *      areas[] list in fake.c.  The Makefile builds every .c file
 *      in test/fake/.
 *   3. Handlers build the answer with fake_json() or the error helpers.
 *      Auth, user_id/project_id checks, faults and recording happen
 *      before a handler runs; a handler only does the endpoint's work.
 *
 * Hosts: a route's .host is FAKE_HOST_API (the default: pattern below
 * /api/v1), FAKE_HOST_STREAM (below /stream/api/v1, the stand-in for
 * ws.gumloop.com/api/v1), FAKE_HOST_ANY (either of the two) or
 * FAKE_HOST_ROOT (pattern is the whole path, e.g. "/oauth/token").
 * req->stream tells a FAKE_HOST_ANY handler which host was called, e.g. to
 * answer 400 naming the stream host when stream:true reaches the api host.
 *
 * Auth (checked before the handler unless .no_auth): "Authorization:
 * Bearer KEY" with a --key or --personal-key value, or on legacy routes
 * ?api_key=KEY.  A personal key on a non-legacy route also needs an
 * x-auth-key header (the user id).  Failures answer 401, in the legacy
 * shape on legacy routes and as code invalid_token otherwise.  Legacy
 * routes then need user_id or project_id (query; JSON body too unless GET
 * or DELETE): 400 without, 403 for "user-forbidden"/"project-forbidden".
 *
 * Threads and ownership: every handler, reset and config hook runs with
 * the state lock held, so area state needs no locking of its own; only
 * code running outside them (a thread of an area's own) calls fake_lock().
 * Everything in struct fake_req is borrowed for the handler's duration:
 * copy what you keep.  Every helper that takes a cJSON *take owns it from
 * then on.  Strings returned by fake_new_id() and fake_iso_time() belong
 * to the caller.
 */
#ifndef FAKE_H
#define FAKE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define FAKE_API_PREFIX "/api/v1"
#define FAKE_STREAM_PREFIX "/stream/api/v1"

enum fake_host {
	FAKE_HOST_API = 0,
	FAKE_HOST_STREAM,
	FAKE_HOST_ANY,
	FAKE_HOST_ROOT,
};

struct fake_req {
	const char *method;	/* "GET", "POST", ... */
	const char *path;	/* below the prefix, e.g. "/get_pl_run" */
	const char *raw_path;	/* as received, e.g. "/api/v1/get_pl_run" */
	enum fake_host host;	/* API, STREAM or ROOT: where it came in */
	int stream;		/* 1 when called under /stream/api/v1 */
	cJSON *params;		/* object: {name} segments, percent-decoded */
	cJSON *query;		/* object: name -> string (array if repeated) */
	cJSON *headers;		/* object: lowercased name -> string */
	const char *body;	/* raw body, 0-terminated, may hold NULs */
	size_t body_len;
	cJSON *json;		/* parsed body, or NULL if absent or not JSON */
	const char *api_key;	/* the accepted key (NULL if .no_auth) */
	int personal_key;	/* 1 if it was a --personal-key */
	const char *user_id;	/* legacy scope from query or body, or NULL */
	const char *project_id;
};

struct fake_resp {
	int status;		/* 0 until a handler answers */
	char *content_type;
	cJSON *headers;		/* object: name -> string, extra headers */
	char *body;
	size_t body_len;
};

struct fake_route {
	const char *method;
	const char *pattern;	/* e.g. "/agents/{agent_id}/sessions" */
	int legacy;		/* legacy errors; needs user_id or project_id */
	enum fake_host host;	/* FAKE_HOST_API unless set */
	int no_auth;		/* skip the key check (e.g. OAuth token) */
	void (*handle)(struct fake_req *req, struct fake_resp *resp);
};

struct fake_area {
	const char *name;
	const struct fake_route *routes;	/* ends with a zeroed entry */
	void (*reset)(void);			/* restore seeds; optional */
	/*
	 * Optional: read this area's knobs from in (POST /_fake/config)
	 * and write their current values into out.  Return -1 and set
	 * *cause (a static string) for a bad value.
	 */
	int (*config)(const cJSON *in, cJSON *out, const char **cause);
};

/* the areas (listed in fake.c) */
extern const struct fake_area fake_flows_area;
extern const struct fake_area fake_mcp_catalog_area;
extern const struct fake_area fake_signed_area;
extern const struct fake_area fake_artifacts_area;
extern const struct fake_area fake_skills_area;
extern const struct fake_area fake_admin_area;
extern const struct fake_area fake_agents_area;
extern const struct fake_area fake_sessions_area;
extern const struct fake_area fake_files_area;
extern const struct fake_area fake_organizations_area;
extern const struct fake_area fake_brain_area;
extern const struct fake_area fake_browser_area;
extern const struct fake_area fake_evaluations_area;

/*
 * agents.c, for sessions.c: the agent's name (NULL when there is no such
 * agent; *fails set when its turns fail) and the reply an agent called
 * agent_name gives to input on turn N (caller frees).
 */
const char *fake_agent_name(const char *id, int *fails);
char *fake_agent_reply(const char *agent_name, const char *input, int turn);
/* A conversation message {id, role, content, <time_key>, parts[text]}. */
cJSON *fake_message(const char *role, const char *text, long long ms,
		    const char *time_key);

/* timing from the command line; areas read them in their reset hook */
extern long fake_opt_run_ms;
extern long fake_opt_queue_ms;

/* Answers status with take printed as the body (application/json). */
void fake_json(struct fake_resp *resp, int status, cJSON *take);

/* Answers {"error":"message"}, the legacy error shape. */
void fake_error_legacy(struct fake_resp *resp, int status, const char *msg);

/*
 * Answers {"error":{"code","message","type","param":null,"details":{}}},
 * the error envelope of the newer endpoints.
 */
void fake_error_new(struct fake_resp *resp, int status, const char *code,
		    const char *msg, const char *type);

/* Answers with a copy of body as it is. */
void fake_raw(struct fake_resp *resp, int status, const char *content_type,
	      const char *body, size_t len);

/* Adds (or replaces) a response header. */
void fake_header(struct fake_resp *resp, const char *name, const char *value);

/* A path parameter, query parameter or top-level body string, or NULL. */
const char *fake_param(const struct fake_req *req, const char *name);
const char *fake_query(const struct fake_req *req, const char *name);
const char *fake_body_str(const struct fake_req *req, const char *name);

/* The query parameter if present, else the body string, else NULL. */
const char *fake_arg(const struct fake_req *req, const char *name);

/*
 * Percent-decodes s[0..len) into a new string; with plus, '+' becomes a
 * space (query strings).  *out_len gets the length if not NULL.
 */
char *fake_url_decode(const char *s, size_t len, int plus, size_t *out_len);

/*
 * Cursor paging over n items (gumloop-api.md 1.4): page_size from the
 * query (default def, clamped to 1..100) and an opaque cursor from a
 * previous page.  Sets [*start, *end) and adds "next_cursor" (a string, or
 * null on the last page) to root.  Returns -1 after answering 400 for a
 * cursor this fake never gave out.
 */
int fake_page(const struct fake_req *req, struct fake_resp *resp, size_t n,
	      size_t def, cJSON *root, size_t *start, size_t *end);

/*
 * signed.c: publishes a copy of data behind a GCS-style signed URL on this
 * server (absolute, built from req's Host header); caller frees the URL.
 */
char *fake_signed_url(const struct fake_req *req, const char *content_type,
		      const void *data, size_t len);

/* multipart.c: one part of a multipart/form-data body. */
struct fake_part {
	char *name;		/* owned; NULL if absent */
	char *filename;		/* owned; NULL for a plain field */
	char *content_type;	/* owned; NULL if absent */
	const char *data;	/* borrowed from the request body */
	size_t len;
};

/*
 * Parses req's multipart/form-data body into *out (free it with
 * fake_parts_free).  Returns the number of parts, or -1 when the body is
 * not multipart/form-data or is malformed.
 */
int fake_multipart(const struct fake_req *req, struct fake_part **out);
void fake_parts_free(struct fake_part *parts, int n);

/* base64 of data; caller frees. */
char *fake_base64(const void *data, size_t len);
/* Decodes strict base64 (padded, no whitespace); NULL when invalid. */
char *fake_base64_decode(const char *s, size_t *out_len);

/* zip.c: a store-only zip archive being written. */
struct fake_zip {
	char *data;
	size_t len;
	size_t cap;
	struct fake_zip *dir;	/* the central directory so far */
	unsigned count;
};

void fake_zip_init(struct fake_zip *z);
void fake_zip_add(struct fake_zip *z, const char *name, const void *data,
		  size_t len);
/* Ends the archive and hands over its bytes (caller frees). */
char *fake_zip_finish(struct fake_zip *z, size_t *len);

/*
 * The bytes of the first stored (uncompressed) entry called name, or name
 * one folder down ("dir/name"), inside zip; NULL when it is absent,
 * compressed or the archive is broken.
 */
const char *fake_zip_stored(const char *zip, size_t len, const char *name,
			    size_t *out_len);

/*
 * A /_fake/config knob: reads in.name (absent: *value unchanged) as a
 * number >= 0, then writes the value now in force to out.name.  Returns -1
 * with *cause set for a bad value.
 */
int fake_knob(const cJSON *in, cJSON *out, const char *name, long *value,
	      const char **cause);

/* Milliseconds since the epoch. */
long long fake_now_ms(void);

/* "2025-01-06T09:00:00.123Z" for ms since the epoch; caller frees. */
char *fake_iso_time(long long ms);

/* A fresh id such as "run_0000000007" (never reused); caller frees. */
char *fake_new_id(const char *prefix);

/* The state lock (already held inside handlers and hooks). */
void fake_lock(void);
void fake_unlock(void);

/* malloc, strdup and realloc that abort when memory runs out */
void *fake_xmalloc(size_t n);
void *fake_xrealloc(void *p, size_t n);
char *fake_xstrdup(const char *s);

#endif
