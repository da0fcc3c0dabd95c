/*
 * The command-line modes that do not serve MCP: --list-tools, --call and
 * --check. They write their answer on stdout (no protocol runs) and their
 * complaints on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "audit.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "writer.h"
#include "policy.h"
#include "tool.h"
#include "version.h"

/* Read tools --check may use to test the key, best first. Flows need a
 * user or project id; the others only the key. */
static const struct {
	const char *tool;
	const char *noun;
} probes[] = {
	{ "list_all_gumloop_flows", "flows" },
	{ "list_all_gumloop_teams", "teams" },
	{ "list_all_gumloop_agents", "agents" },
	{ "list_all_gumloop_models", "models" },
};

/* Prints v as the server's stdout is: secrets redacted, valid UTF-8. */
static void print_json(const cJSON *v, FILE *f)
{
	char *text = isatty(fileno(f)) ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
	size_t len;

	text = writer_clean(text, &len);	/* as the stdio path shows it */
	fprintf(f, "%s\n", text);
	free(text);
}

static void complain(const char *text)
{
	char *clean = redact_string(text);

	fprintf(stderr, "gumloop-mcp: %s\n", clean);
	free(clean);
}

/* ---- --list-tools ----------------------------------------------------- */

static cJSON *tool_json(const struct tool_def *t)
{
	cJSON *o = tool_describe(t);

	cJSON_AddStringToObject(o, "class", tool_access_str(t->access));
	cJSON_AddStringToObject(o, "tag", t->tag);
	return o;
}

int cli_list_tools(void)
{
	const struct tool_def *t;
	cJSON *all;
	size_t i;
	int width = 4;

	if (cfg.json) {
		all = cJSON_CreateArray();
		for (i = 0; (t = tool_at(i)); i++)
			if (!policy_hidden_by(t))
				cJSON_AddItemToArray(all, tool_json(t));
		print_json(all, stdout);
		cJSON_Delete(all);
		return 0;
	}
	for (i = 0; (t = tool_at(i)); i++)
		if (!policy_hidden_by(t) && (int)strlen(t->name) > width)
			width = (int)strlen(t->name);
	printf("%-*s  %-6s  %-11s  %s\n", width, "TOOL", "CLASS", "TAG", "WHAT IT DOES");
	for (i = 0; (t = tool_at(i)); i++)
		if (!policy_hidden_by(t))
			printf("%-*s  %-6s  %-11s  %s\n", width, t->name,
			       tool_access_str(t->access), t->tag, t->title);
	return 0;
}

/* ---- --call ----------------------------------------------------------- */

/* Reads --call arguments: inline JSON, @FILE, or - for stdin; NULL with
 * *cause when a file cannot be read. */
static char *call_args_text(const char *spec, char **cause)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	if (!spec)
		return xstrdup("{}");
	if (strcmp(spec, "-") && spec[0] != '@')
		return xstrdup(spec);
	f = strcmp(spec, "-") ? fopen(spec + 1, "r") : stdin;
	if (!f) {
		*cause = xasprintf("cannot read arguments from '%s': %s", spec + 1,
				   strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (f != stdin)
		fclose(f);
	return buf_detach(&b, NULL);
}

/* "line 2, column 7" of the byte at end in text. */
static char *text_position(const char *text, const char *end)
{
	const char *p, *line = text;
	int n = 1;

	for (p = text; p < end && *p; p++)
		if (*p == '\n')
			n++, line = p + 1;
	return xasprintf("line %d, column %d", n, (int)(end - line) + 1);
}

static cJSON *call_args(char **cause)
{
	char *text = call_args_text(cfg.call_args, cause), *where;
	const char *end = NULL;
	cJSON *args = text ? cJSON_ParseWithOpts(text, &end, 1) : NULL;

	if (text && !args && end) {
		where = text_position(text, end);
		*cause = xasprintf("--call %s: the arguments are not valid JSON: "
				   "it breaks at %s; they must be a JSON object, "
				   "e.g. '{\"run_id\": \"...\"}'", cfg.call_tool,
				   where);
		free(where);
	}
	free(text);
	if (!*cause && !cJSON_IsObject(args))
		*cause = xasprintf("--call %s: the arguments must be a JSON object, "
				   "given inline, as @FILE or as - for stdin, "
				   "e.g. '{\"run_id\": \"...\"}'", cfg.call_tool);
	if (*cause) {
		cJSON_Delete(args);
		return NULL;
	}
	return args;
}

/* The first text item of a result's content (malloc'd), or NULL. */
static char *first_text(const cJSON *result)
{
	const cJSON *c = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(result, "content"), 0);
	const char *text = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(c, "text"));

	return text ? xstrdup(text) : NULL;
}

/* The names closest to an unknown tool, and where to see them all. */
static char *unknown_tool(const char *name)
{
	const struct tool_def *t;
	struct suggest s;
	char *close, *msg;
	size_t i;

	suggest_init(&s, name);
	for (i = 0; (t = tool_at(i)); i++)
		if (!policy_hidden_by(t))
			suggest_add(&s, t->name);
	close = suggest_text(&s);
	if (close)
		msg = xasprintf("unknown tool '%s': did you mean %s? "
				"(gumloop-mcp --list-tools lists them all)", name,
				close);
	else
		msg = xasprintf("unknown tool '%s' (gumloop-mcp --list-tools "
				"lists them all)", name);
	free(close);
	return msg;
}

int cli_call(void)
{
	char *cause = NULL;
	cJSON *args = call_args(&cause), *result = NULL;
	const cJSON *structured;
	char *text;
	int protocol_error = 0, rc = CLI_EXIT_USAGE;

	if (args)
		result = tool_call_run(cfg.call_tool, args, NULL, &protocol_error,
				       &cause);
	if (protocol_error && !tool_find(cfg.call_tool)) {
		free(cause);
		cause = unknown_tool(cfg.call_tool);
	}
	if (result) {
		structured = cJSON_GetObjectItemCaseSensitive(result,
							      "structuredContent");
		print_json(structured ? structured : result, stdout);
		rc = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError"));
		text = rc ? first_text(result) : NULL;
		if (text)
			complain(text);
		free(text);
	} else {
		complain(cause);
	}
	free(cause);
	cJSON_Delete(result);
	cJSON_Delete(args);
	return rc;
}

/* ---- --check ---------------------------------------------------------- */

enum verdict { OK, WARN, FAIL };

struct report {
	int failures;
	int warnings;
};

static void say(struct report *r, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct report *r, enum verdict v, const char *fmt, ...)
{
	static const char *const label[] = { "ok  ", "warn", "FAIL" };
	va_list ap;
	char *text, *clean;

	r->failures += v == FAIL;
	r->warnings += v == WARN;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	clean = redact_string(text);
	printf("%s  %s\n", label[v], clean);
	free(clean);
	free(text);
}

static void check_credentials(struct report *r)
{
	if (!cfg.api_key) {
		say(r, FAIL, "credentials: %s", cfg.credential_problem);
		return;
	}
	say(r, OK, "credentials: from %s", cfg.credential_source);
	if (cfg.credential_unused)
		say(r, WARN, "%s is set too but not read: %s wins",
		    cfg.credential_unused, cfg.credential_source);
}

static void check_url(struct report *r, const char *what, const char *url)
{
	char *cause = NULL;

	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
		say(r, FAIL, "%s '%s': not an http:// or https:// URL", what, url);
	else if (http_url_allowed(url, &cause) < 0)
		say(r, FAIL, "%s: %s", what, cause);
	else
		say(r, OK, "%s: %s", what, url);
	free(cause);
}

static void check_scope(struct report *r)
{
	if (cfg.user_id)
		say(r, OK, "user id: %s", cfg.user_id);
	if (cfg.project_id)
		say(r, OK, "project id: %s (GUMLOOP_PROJECT_ID)", cfg.project_id);
	if (cfg.team_id)
		say(r, OK, "team id: %s (GUMLOOP_TEAM_ID)", cfg.team_id);
	if (!cfg.user_id && !cfg.project_id)
		say(r, WARN, "no user id (--user-id or GUMLOOP_USER_ID) and no "
		    "GUMLOOP_PROJECT_ID: flow tools need user_id in every "
		    "call, and a personal API key needs the user id");
}

static void check_filters(struct report *r)
{
	const struct tool_def *t;
	size_t i, shown = 0;
	long left;

	for (i = 0; (t = tool_at(i)); i++)
		shown += !policy_hidden_by(t);
	if (!shown)
		say(r, FAIL, "filters: they hide every one of the %zu tools; "
		    "loosen --methods, --tags, --tools or --deny-tools", i);
	else
		say(r, OK, "filters: %zu of %zu tools exposed%s", shown, i,
		    cfg.read_only ? " (read-only)" : "");
	if (!cfg.expires_at)
		return;
	left = (long)(cfg.expires_at - time(NULL));
	if (left <= 0)
		say(r, FAIL, "expiry: the access expired at %s: every tool call "
		    "is refused", cfg.expires_at_text);
	else
		say(r, OK, "expiry: tool calls allowed until %s (%ld h from now)",
		    cfg.expires_at_text, left / 3600);
}

static void check_cacert(struct report *r)
{
	char head[4096];
	struct stat st;
	ssize_t n;
	int fd;

	if (!cfg.cacert) {
		say(r, OK, "CA bundle: the system store");
		return;
	}
	fd = open(cfg.cacert, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(r, FAIL, "CA bundle '%s': %s", cfg.cacert, strerror(errno));
		return;
	}
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
	    read(fd, head, sizeof(head) - 1) : -1;
	close(fd);
	if (n < 0) {
		say(r, FAIL, "CA bundle '%s': not a readable regular file",
		    cfg.cacert);
		return;
	}
	head[n] = '\0';
	if (!strstr(head, "-----BEGIN CERTIFICATE-----"))
		say(r, FAIL, "CA bundle '%s': no PEM certificate in it",
		    cfg.cacert);
	else
		say(r, OK, "CA bundle: %s", cfg.cacert);
}

static void check_audit_log(struct report *r)
{
	char *dir, *slash, *cause = NULL;
	int ok;

	if (!cfg.audit_log)
		return;
	if (audit_check(cfg.audit_log, &cause) < 0) {
		say(r, FAIL, "%s", cause);
		free(cause);
		return;
	}
	if (access(cfg.audit_log, F_OK) == 0) {
		ok = access(cfg.audit_log, W_OK) == 0;
	} else {
		dir = xstrdup(cfg.audit_log);
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		ok = access(slash ? dir : ".", W_OK) == 0;
		free(dir);
	}
	if (ok)
		say(r, OK, "audit log: %s", cfg.audit_log);
	else
		say(r, FAIL, "audit log '%s': cannot be written: %s",
		    cfg.audit_log, strerror(errno));
}

/* The index of the probe to use, or -1 when none fits. */
static int probe_index(void)
{
	const struct tool_def *t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		t = tool_find(probes[i].tool);
		if (t && (t->scope != SCOPE_LEGACY || cfg.user_id ||
			  cfg.project_id))
			return (int)i;
	}
	return -1;
}

/* What a successful probe saw, in words. */
static void describe_probe(struct report *r, const struct tool_call *call,
			   const char *noun)
{
	const cJSON *list = NULL, *item;
	const char *who = cfg.user_id ? cfg.user_id : cfg.project_id;
	int n = 0;

	cJSON_ArrayForEach(item, call->structured)
		if (cJSON_IsArray(item))
			list = item;
	n = cJSON_GetArraySize(list);
	/* Gumloop answers for any id a team key may name: only a user's
	 * own items show that the id is right. */
	if (who && n)
		say(r, OK, "key accepted: %s '%s' verified: Gumloop lists %d "
		    "%s for it", cfg.user_id ? "user" : "project", who, n, noun);
	else if (who)
		say(r, WARN, "key accepted, but %s id '%s' not verified: "
		    "Gumloop lists no %s for it, as it would for a wrong id; "
		    "check the id in Gumloop's settings", cfg.user_id ? "user" :
		    "project", who, noun);
	else
		say(r, OK, "key accepted: it sees %d %s", n, noun);
}

/* Why a probe failed, in words, by HTTP status. */
static void describe_failure(struct report *r, const struct tool_call *call)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(call->structured,
							    "error");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	const char *said = cJSON_IsString(msg) ? msg->valuestring : "no message";
	const char *who = cfg.user_id ? cfg.user_id : cfg.project_id;

	if (call->status == 401 && !cfg.user_id && strstr(said, "personal"))
		say(r, FAIL, "key refused (HTTP 401: %s): no user id is set, "
		    "and a personal API key needs one: set GUMLOOP_USER_ID "
		    "(or --user-id) to your user id from Gumloop's settings",
		    said);
	else if (call->status == 401)
		say(r, FAIL, "key refused (HTTP 401: %s): it is wrong, revoked "
		    "or expired%s. Create a new API key in Gumloop's settings "
		    "(Pro plan or above) and set it in %s", said, cfg.user_id ?
		    "" : ", or a personal key without its user id (set "
		    "GUMLOOP_USER_ID or --user-id)", cfg.credential_source);
	else if (call->status == 403)
		say(r, FAIL, "key valid but not allowed to act for '%s' "
		    "(HTTP 403: %s): set GUMLOOP_USER_ID to the key owner's "
		    "user id, or use a team key that covers this user",
		    who ? who : "this account", said);
	else if (call->status)
		say(r, FAIL, "Gumloop answered HTTP %ld to %s: %s", call->status,
		    call->def->name, said);
	else
		say(r, FAIL, "Gumloop could not be reached at %s: %s. Check the "
		    "network, --base-url and --cacert", cfg.base_url,
		    call->text ? call->text : said);
}

/* One cheap read call through the tool's own handler, past the filters:
 * --check tests the key, not the filters. */
static void check_key(struct report *r)
{
	int probe = probe_index();
	const struct tool_def *def = probe < 0 ? NULL : tool_find(probes[probe].tool);
	cJSON empty = { .type = cJSON_Object };
	struct tool_call call;

	if (!def) {
		say(r, WARN, "key not tested: set --user-id or GUMLOOP_USER_ID "
		    "(or GUMLOOP_PROJECT_ID) so that a flow list can be read");
		return;
	}
	memset(&call, 0, sizeof(call));
	call.def = def;
	call.args = &empty;
	(def->handler ? def->handler : tool_default_handler)(&call);
	if (call.is_error)
		describe_failure(r, &call);
	else
		describe_probe(r, &call, probes[probe].noun);
	cJSON_Delete(call.structured);
	cJSON_Delete(call.content);
	free(call.text);
}

int cli_check(void)
{
	struct report r = { 0, 0 };

	printf("gumloop-mcp %s: checking the configuration\n",
	       GUMLOOP_MCP_VERSION);
	check_credentials(&r);
	check_url(&r, "base URL", cfg.base_url);
	check_url(&r, "stream base URL", cfg.stream_base_url);
	check_scope(&r);
	check_filters(&r);
	check_cacert(&r);
	check_audit_log(&r);
	if (r.failures)
		say(&r, WARN, "key not tested: fix the failures above first%s",
		    cfg.user_id ? " (user id not verified)" : "");
	else
		check_key(&r);
	if (r.failures)
		printf("%d problem%s found\n", r.failures,
		       r.failures == 1 ? "" : "s");
	else
		printf("all good%s\n", r.warnings ? " (see the warnings)" : "");
	return r.failures ? 1 : 0;
}
