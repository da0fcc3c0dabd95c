/*
 * Flags and environment -> struct config. Flags win over environment
 * variables, which win over the defaults of shared/interface.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "crypto.h"
#include "util.h"

#define DEFAULT_BASE_URL "https://api.gumloop.com/api/v1"
#define DEFAULT_STREAM_BASE_URL "https://ws.gumloop.com/api/v1"
#define MAX_KEY_FILE 4096

struct config cfg;

/* Each option: its flag, its variable, whether it takes a value. */
enum opt_id {
	O_KEY_FILE, O_USER_ID, O_BASE_URL, O_STREAM_BASE_URL, O_TIMEOUT,
	O_POLL_MS, O_POLL_MAX_MS, O_POLL_RATE, O_MAX_WAIT, O_METHODS,
	O_READ_ONLY, O_TAGS, O_TOOLS, O_DENY_TOOLS, O_EXPIRES_AT, O_DISCOVERY,
	O_AUDIT_LOG, O_LOG_LEVEL, O_CACERT, O_INSECURE_HTTP,
	O_HELP, O_VERSION, O_LIST_TOOLS, O_JSON, O_CHECK, O_CALL,
	O_VERIFY_AUDIT,
};

struct option_spec {
	const char *flag;
	const char *arg;	/* the value's name in --help; NULL: a switch */
	const char *env;	/* NULL: flag only */
	enum opt_id id;
	const char *def;	/* the default as --help shows it; NULL: a mode */
	const char *help;
};

/* The one list of settings: parsing, --help, and through --help the man
 * page and the README (test/t-cli.py keeps them in step). */
static const struct option_spec options[] = {
	{ "--key-file", "FILE", "GUMLOOP_API_KEY_FILE", O_KEY_FILE, "none",
	  "file whose first line is the API key; only its owner may read it "
	  "(chmod 600)" },
	{ "--user-id", "ID", "GUMLOOP_USER_ID", O_USER_ID, "none",
	  "default user_id; also sent as x-auth-key (a personal API key "
	  "needs it)" },
	{ "--base-url", "URL", "GUMLOOP_BASE_URL", O_BASE_URL,
	  DEFAULT_BASE_URL, "REST base URL" },
	{ "--stream-base-url", "URL", "GUMLOOP_STREAM_BASE_URL",
	  O_STREAM_BASE_URL, DEFAULT_STREAM_BASE_URL,
	  "host for chat completions and streams" },
	{ "--timeout", "S", "GUMLOOP_MCP_TIMEOUT", O_TIMEOUT, "30",
	  "one HTTP request's limit in seconds" },
	{ "--poll-ms", "MS", "GUMLOOP_MCP_POLL_MS", O_POLL_MS, "1000",
	  "first poll interval of a wait; it backs off to --poll-max-ms" },
	{ "--poll-max-ms", "MS", "GUMLOOP_MCP_POLL_MAX_MS", O_POLL_MAX_MS,
	  "2000", "longest interval between two polls of one wait" },
	{ "--poll-rate", "N", "GUMLOOP_MCP_POLL_RATE", O_POLL_RATE, "5",
	  "most wait polls per second, all waits together" },
	{ "--max-wait", "S", "GUMLOOP_MCP_MAX_WAIT", O_MAX_WAIT, "600",
	  "upper bound for wait_seconds and timeout_seconds" },
	{ "--methods", "LIST", "GUMLOOP_MCP_METHODS", O_METHODS,
	  "read,write,custom", "access classes exposed" },
	{ "--read-only", NULL, "GUMLOOP_MCP_READ_ONLY", O_READ_ONLY, "off",
	  "same as --methods read (env: 1, true, yes or on)" },
	{ "--tags", "LIST", "GUMLOOP_MCP_TAGS", O_TAGS, "all",
	  "only tools with one of these tags" },
	{ "--tools", "LIST", "GUMLOOP_MCP_TOOLS", O_TOOLS, "all",
	  "only these tool names" },
	{ "--deny-tools", "LIST", "GUMLOOP_MCP_DENY_TOOLS", O_DENY_TOOLS,
	  "none", "never these tool names" },
	{ "--expires-at", "ISO8601", "GUMLOOP_MCP_EXPIRES_AT", O_EXPIRES_AT,
	  "never", "after this time every tool call is refused" },
	{ "--discovery", NULL, "GUMLOOP_MCP_DISCOVERY", O_DISCOVERY, "off",
	  "expose three discovery tools instead of the catalog" },
	{ "--audit-log", "FILE", "GUMLOOP_MCP_AUDIT_LOG", O_AUDIT_LOG, "off",
	  "append one hash-chained JSON line per tool call to FILE" },
	{ "--log-level", "LEVEL", "GUMLOOP_MCP_LOG_LEVEL", O_LOG_LEVEL, "info",
	  "stderr log level: debug, info, warning or error" },
	{ "--cacert", "FILE", "GUMLOOP_MCP_CACERT", O_CACERT, "system store",
	  "CA bundle for TLS verification (never switched off)" },
	{ "--insecure-http", NULL, NULL, O_INSECURE_HTTP, "off",
	  "allow http:// to a non-loopback host (loopback never needs it)" },
	{ "--call", "TOOL", NULL, O_CALL, NULL,
	  "run one tool call and print its result; the arguments follow "
	  "the name as JSON, @FILE or - for stdin (default {}); exit 0, "
	  "1 on a tool error, 2 on bad usage" },
	{ "--check", NULL, NULL, O_CHECK, NULL,
	  "check the configuration, then the key with one cheap read "
	  "call; exit 0 when all is well, 1 otherwise" },
	{ "--list-tools", NULL, NULL, O_LIST_TOOLS, NULL,
	  "print the tools the filters expose as a table and exit" },
	{ "--json", NULL, NULL, O_JSON, NULL,
	  "with --list-tools: JSON, with the schemas" },
	{ "--verify-audit", "FILE", NULL, O_VERIFY_AUDIT, NULL,
	  "verify an audit log's hash chain; exit 0 intact, 1 broken, "
	  "2 unreadable" },
	{ "--help", NULL, NULL, O_HELP, NULL,
	  "show this help and exit (also -h)" },
	{ "--version", NULL, NULL, O_VERSION, NULL,
	  "show the version and exit" },
};

/* Settings read from the environment only (load_credentials). */
static const struct {
	const char *env;
	const char *help;
} env_only[] = {
	{ "GUMLOOP_API_KEY", "API key, sent as Authorization: Bearer" },
	{ "GUMLOOP_ACCESS_TOKEN", "OAuth access token instead of a key" },
	{ "GUMLOOP_PROJECT_ID", "default project_id on legacy endpoints" },
	{ "GUMLOOP_TEAM_ID", "default team_id on newer endpoints" },
};

static void set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

static int parse_long(const char *value, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Reads exactly n digits at s into *out. */
static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int mo)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : days[mo - 1];
}

/* The UTC offset at p: Z, +hh:mm or -hh:mm, in seconds east; -1 if bad. */
static int parse_offset(const char **p, long *secs)
{
	const char *s = *p;
	int sign, oh, om;

	if (*s == 'Z' || *s == 'z') {
		*secs = 0;
		*p = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s == '-' ? -1 : 1;
	if (digits(s + 1, 2, &oh) < 0 || s[3] != ':' ||
	    digits(s + 4, 2, &om) < 0 || oh > 23 || om > 59)
		return -1;
	*secs = sign * (oh * 3600L + om * 60L);
	*p = s + 6;
	return 0;
}

/* Parses ISO 8601: 2026-12-31 (midnight UTC) or
 * 2026-12-31T23:59[:59[.fff]](Z|+hh:mm|-hh:mm). */
static int parse_iso8601(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	long offset = 0;
	const char *p = s + 10;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 10 || digits(s, 4, &y) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == 't') {
		if (digits(p + 1, 2, &h) < 0 || p[3] != ':' ||
		    digits(p + 4, 2, &mi) < 0 || h > 23 || mi > 59)
			return -1;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec) < 0 || sec > 60)
				return -1;
			p += 3;
			if (*p == '.' && p[1] >= '0' && p[1] <= '9')
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		if (parse_offset(&p, &offset) < 0)
			return -1;
	}
	if (*p)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - offset;
	return 0;
}

static int parse_methods(const char *name, const char *value, unsigned *out,
			 char **cause)
{
	char *copy = xstrdup(value), *tok, *save = NULL;
	unsigned bits = 0;

	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(tok, "read"))
			bits |= ACCESS_READ;
		else if (!strcmp(tok, "write"))
			bits |= ACCESS_WRITE;
		else if (!strcmp(tok, "custom"))
			bits |= ACCESS_CUSTOM;
		else {
			*cause = xasprintf("invalid %s value '%s': valid "
					   "classes are read, write, custom", name,
					   tok);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (!bits) {
		*cause = xasprintf("empty %s list: name at least one of "
				   "read, write, custom", name);
		return -1;
	}
	*out = bits;
	return 0;
}

/* A switch in the environment: a typo must never open up write access,
 * so a value outside the two lists stops the server. */
static int parse_switch(const char *name, const char *v, int *out,
			char **cause)
{
	static const char *const on[] = { "1", "true", "yes", "on" };
	static const char *const off[] = { "0", "false", "no", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(on); i++) {
		if (!strcasecmp(v, on[i]) || !strcasecmp(v, off[i])) {
			*out = !strcasecmp(v, on[i]);
			return 0;
		}
	}
	*cause = xasprintf("invalid %s value '%s': use 1, true, yes or on to "
			   "switch it on, 0, false, no or off to switch it off",
			   name, v);
	return -1;
}

/* A base URL is scheme, host, port and path: credentials in it would be
 * printed and sent along, and a query or fragment would swallow every
 * request path appended to it. */
static int check_base_url(const char *name, const char *url, char **cause)
{
	const char *host = strstr(url, "://");
	size_t authority;

	host = host ? host + 3 : url;
	authority = strcspn(host, "/?#");
	if (memchr(host, '@', authority)) {
		/* Never echoed: the part before '@' may be a password. */
		*cause = xasprintf("invalid %s: a user name or password in the "
				   "URL is refused (the key is the credential); "
				   "remove the part before '@'", name);
		return -1;
	}
	if (strpbrk(url, "?#")) {
		*cause = xasprintf("invalid %s '%s': a query ('?') or fragment "
				   "('#') is refused, since every request path "
				   "is appended to the URL", name, url);
		return -1;
	}
	return 0;
}

/* A list filter given but naming nothing would expose everything. */
static int set_list(char **slot, const char *name, const char *value,
		    char **cause)
{
	if (!value[strspn(value, ", ")]) {
		*cause = xasprintf("empty %s list: name at least one value, or "
				   "leave the option out", name);
		return -1;
	}
	set_str(slot, value);
	return 0;
}

static int apply(struct config *c, const struct option_spec *o,
		 const char *value, int from_env, char **cause)
{
	const char *name = from_env ? o->env : o->flag;

	switch (o->id) {
	case O_KEY_FILE:
		set_str(&c->key_file, value);
		c->key_file_flag = !from_env;
		break;
	case O_USER_ID:	/* empty: none, as an empty variable is */
		set_str(&c->user_id, *value ? value : NULL);
		break;
	case O_BASE_URL:
		if (check_base_url(name, value, cause) < 0)
			return -1;
		set_str(&c->base_url, value);
		break;
	case O_STREAM_BASE_URL:
		if (check_base_url(name, value, cause) < 0)
			return -1;
		set_str(&c->stream_base_url, value);
		break;
	case O_TIMEOUT:
		if (parse_long(value, 1, 3600, &c->timeout_s) < 0)
			goto bad_number;
		break;
	case O_POLL_MS:
		if (parse_long(value, 10, 60000, &c->poll_ms) < 0)
			goto bad_number;
		break;
	case O_POLL_MAX_MS:
		if (parse_long(value, 10, 60000, &c->poll_max_ms) < 0)
			goto bad_number;
		break;
	case O_POLL_RATE:
		if (parse_long(value, 1, 1000, &c->poll_rate) < 0)
			goto bad_number;
		break;
	case O_MAX_WAIT:
		if (parse_long(value, 1, 86400, &c->max_wait_s) < 0)
			goto bad_number;
		break;
	case O_METHODS: return parse_methods(name, value, &c->methods, cause);
	case O_READ_ONLY:
		if (!from_env)
			c->read_only = 1;
		else if (parse_switch(name, value, &c->read_only, cause) < 0)
			return -1;
		break;
	case O_TAGS: return set_list(&c->tags, name, value, cause);
	case O_TOOLS: return set_list(&c->tools, name, value, cause);
	case O_DENY_TOOLS: return set_list(&c->deny_tools, name, value, cause);
	case O_EXPIRES_AT:
		if (parse_iso8601(value, &c->expires_at) < 0) {
			*cause = xasprintf("invalid %s '%s': expected ISO 8601 such "
					   "as 2026-12-31T23:59:59Z or "
					   "2026-12-31T23:59:59+02:00", name, value);
			return -1;
		}
		set_str(&c->expires_at_text, value);
		break;
	case O_DISCOVERY:
		if (!from_env)
			c->discovery = 1;
		else if (parse_switch(name, value, &c->discovery, cause) < 0)
			return -1;
		break;
	case O_AUDIT_LOG: set_str(&c->audit_log, value); break;
	case O_LOG_LEVEL:
		if (log_level_parse(value, &c->log_level) < 0) {
			*cause = xasprintf("invalid log level '%s': use debug, info, "
					   "warning or error", value);
			return -1;
		}
		break;
	case O_CACERT: set_str(&c->cacert, value); break;
	case O_INSECURE_HTTP: c->insecure_http = 1; break;
	case O_HELP: c->mode = MODE_HELP; break;
	case O_VERSION: c->mode = MODE_VERSION; break;
	case O_LIST_TOOLS: c->mode = MODE_LIST_TOOLS; break;
	case O_JSON: c->json = 1; break;
	case O_CHECK: c->mode = MODE_CHECK; break;
	case O_CALL: c->mode = MODE_CALL; set_str(&c->call_tool, value); break;
	case O_VERIFY_AUDIT:
		c->mode = MODE_VERIFY_AUDIT;
		set_str(&c->verify_file, value);
		break;
	}
	return 0;
bad_number:
	*cause = xasprintf("invalid %s '%s': not a whole number in range",
			   name, value);
	return -1;
}

static int is_filter(enum opt_id id)
{
	return id == O_METHODS || id == O_TAGS || id == O_TOOLS ||
	       id == O_DENY_TOOLS || id == O_EXPIRES_AT;
}

static void set_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = MODE_SERVE;
	c->base_url = xstrdup(DEFAULT_BASE_URL);
	c->stream_base_url = xstrdup(DEFAULT_STREAM_BASE_URL);
	c->timeout_s = 30;
	c->poll_ms = 1000;
	c->poll_max_ms = 2000;
	c->poll_rate = 5;
	c->max_wait_s = 600;
	c->methods = ACCESS_ALL;
	c->log_level = LOG_INFO;
}

static int load_env(struct config *c, char **cause)
{
	size_t i;
	const char *v;

	for (i = 0; i < ARRAY_SIZE(options); i++) {
		if (!options[i].env || !(v = getenv(options[i].env)))
			continue;
		/* Empty means unset, except for the filters: an empty
		 * filter is a mistake that would expose everything. */
		if (!*v && !is_filter(options[i].id))
			continue;
		if (apply(c, &options[i], v, 1, cause) < 0)
			return -1;
	}
	return 0;
}

static const struct option_spec *find_option(const char *arg, const char **value)
{
	size_t i, n;

	if (!strcmp(arg, "-h"))
		arg = "--help";

	for (i = 0; i < ARRAY_SIZE(options); i++) {
		n = strlen(options[i].flag);
		if (strncmp(arg, options[i].flag, n))
			continue;
		if (arg[n] == '\0') {
			*value = NULL;
			return &options[i];
		}
		if (arg[n] == '=' && options[i].arg) {
			*value = arg + n + 1;
			return &options[i];
		}
	}
	return NULL;
}

/* "unknown option '--read-onyl': did you mean '--read-only'?" */
static char *unknown_option(const char *arg)
{
	struct suggest s;
	char *typed = xstrndup(arg, strcspn(arg, "=")), *close, *msg;
	size_t i;

	suggest_init(&s, typed);
	for (i = 0; i < ARRAY_SIZE(options); i++) {
		if (!strcmp(typed, options[i].flag)) {
			msg = xasprintf("option '%s' takes no value", typed);
			free(typed);
			return msg;
		}
		suggest_add(&s, options[i].flag);
	}
	close = suggest_text(&s);
	if (close)
		msg = xasprintf("unknown option '%s': did you mean %s? (see "
				"--help)", typed, close);
	else
		msg = xasprintf("unknown option '%s' (see --help)", typed);
	free(close);
	free(typed);
	return msg;
}

static int load_flags(struct config *c, int argc, char **argv, char **cause)
{
	const struct option_spec *o;
	const char *value;
	int i;

	for (i = 1; i < argc; i++) {
		o = find_option(argv[i], &value);
		if (!o) {
			*cause = unknown_option(argv[i]);
			return -1;
		}
		if (o->arg && !value) {
			if (i + 1 >= argc) {
				*cause = xasprintf("option '%s' needs a value", o->flag);
				return -1;
			}
			value = argv[++i];
		}
		if (apply(c, o, value, 0, cause) < 0)
			return -1;
		/* --call TOOL takes an optional JSON argument after the name. */
		if (o->id == O_CALL && i + 1 < argc && strncmp(argv[i + 1], "--", 2))
			set_str(&c->call_args, argv[++i]);
	}
	return 0;
}

/* Why a key file's text is not one key (NULL: it is): the key is its
 * first line, trimmed; anything else would be sent as part of the key. */
static const char *key_text_problem(const char *key, size_t n)
{
	size_t i;

	if (!n)
		return "is empty";
	if (memchr(key, '\n', n) || memchr(key, '\r', n))
		return "holds more than one line: put the key alone on its "
		       "first line";
	for (i = 0; i < n; i++) {
		if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
			return "holds a space or control character inside the "
			       "key: put the key alone on its first line";
		if ((unsigned char)key[i] >= 0x80)
			return "holds a character that is not ASCII: an API "
			       "key is plain ASCII (was it saved in another "
			       "encoding?)";
	}
	return NULL;
}

/* The key in a key file's bytes: BOM and blanks around it dropped. */
static char *key_from_text(char *data, size_t n, const char *name,
			   const char *path, char **problem)
{
	const char *why;
	char *p = data;

	if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3, n -= 3;
	while (n && strchr(" \t\r\n", *p))
		p++, n--;
	while (n && strchr(" \t\r\n", p[n - 1]))
		n--;
	why = key_text_problem(p, n);
	if (why) {
		*problem = xasprintf("%s '%s' %s", name, path, why);
		return NULL;
	}
	return xstrndup(p, n);
}

/* Reads a key file that only its owner may read; name is the setting
 * that named it, for the messages. */
static char *read_key_file(const char *path, const char *name, char **problem)
{
	struct stat st;
	char data[MAX_KEY_FILE + 1], *key = NULL;
	ssize_t n;
	int fd;

	/* Symlinks are followed (secret mounts use them); the checks below
	 * are on the file reached. O_NONBLOCK: a FIFO must not hang us. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*problem = xasprintf("cannot open %s '%s': %s", name, path,
				     strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*problem = xasprintf("%s '%s' is not a regular file", name, path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*problem = xasprintf("%s '%s' is open to group or others (mode "
				     "%03o): run 'chmod 600 %s'", name, path,
				     (unsigned)(st.st_mode & 0777), path);
		close(fd);
		return NULL;
	}
	/* One byte more than allowed: a longer file is refused, not cut. */
	n = read(fd, data, sizeof(data));
	close(fd);
	if (n < 0)
		*problem = xasprintf("cannot read %s '%s': %s", name, path,
				     strerror(errno));
	else if (n > MAX_KEY_FILE)
		*problem = xasprintf("%s '%s' is over %d bytes: it should hold "
				     "the key alone on its first line", name,
				     path, MAX_KEY_FILE);
	else
		key = key_from_text(data, (size_t)n, name, path, problem);
	crypto_zeroize(data, sizeof(data));
	return key;
}

/* Both credential variables are secrets, the one not used too. */
static void register_env_secrets(void)
{
	const char *v;

	if ((v = getenv("GUMLOOP_API_KEY")))
		redact_register(v);
	if ((v = getenv("GUMLOOP_ACCESS_TOKEN")))
		redact_register(v);
}

static void wipe_env_secret(const char *name)
{
	extern char **environ;
	size_t n = strlen(name);
	char **e;

	for (e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			crypto_zeroize(*e + n + 1, strlen(*e + n + 1));
	unsetenv(name);
}

void config_wipe_environment(void)
{
	wipe_env_secret("GUMLOOP_API_KEY");
	wipe_env_secret("GUMLOOP_ACCESS_TOKEN");
}

static void load_credentials(struct config *c)
{
	const char *v = getenv("GUMLOOP_API_KEY");
	const char *file = c->key_file_flag ? "--key-file" : "GUMLOOP_API_KEY_FILE";

	/* A flag wins over the environment; among variables, the key wins
	 * over the key file. */
	if (c->key_file && (c->key_file_flag || !v || !*v)) {
		c->api_key = read_key_file(c->key_file, file,
					   &c->credential_problem);
		c->credential_source = file;
		if (v && *v)
			c->credential_unused = "GUMLOOP_API_KEY";
	} else if (v && *v) {
		c->api_key = xstrdup(v);
		c->credential_source = "GUMLOOP_API_KEY";
		if (c->key_file)
			c->credential_unused = "GUMLOOP_API_KEY_FILE";
	} else if ((v = getenv("GUMLOOP_ACCESS_TOKEN")) && *v) {
		c->api_key = xstrdup(v);
		c->credential_source = "GUMLOOP_ACCESS_TOKEN";
	} else
		c->credential_problem = xstrdup(
			"no Gumloop credentials: set GUMLOOP_API_KEY (or "
			"--key-file / GUMLOOP_API_KEY_FILE, a file only you "
			"can read, or GUMLOOP_ACCESS_TOKEN) in the server's "
			"environment");
	if (c->api_key)
		redact_register(c->api_key);
	register_env_secrets();
	if ((v = getenv("GUMLOOP_PROJECT_ID")) && *v)
		c->project_id = xstrdup(v);
	if ((v = getenv("GUMLOOP_TEAM_ID")) && *v)
		c->team_id = xstrdup(v);
}

static void trim_trailing_slash(char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
}

int config_load(struct config *c, int argc, char **argv, char **cause)
{
	set_defaults(c);
	if (load_env(c, cause) < 0 || load_flags(c, argc, argv, cause) < 0)
		return -1;
	if (c->json && c->mode != MODE_LIST_TOOLS) {
		*cause = xstrdup("--json goes with --list-tools");
		return -1;
	}
	trim_trailing_slash(c->base_url);
	trim_trailing_slash(c->stream_base_url);
	log_set_level(c->log_level);
	load_credentials(c);
	return 0;
}

static void free_secret(char **s)
{
	if (*s) {
		crypto_zeroize(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void config_release(struct config *c)
{
	free_secret(&c->api_key);
	free(c->credential_problem);
	free(c->key_file);
	free(c->user_id);
	free(c->project_id);
	free(c->team_id);
	free(c->base_url);
	free(c->stream_base_url);
	free(c->cacert);
	free(c->tags);
	free(c->tools);
	free(c->deny_tools);
	free(c->expires_at_text);
	free(c->audit_log);
	free(c->call_tool);
	free(c->call_args);
	free(c->verify_file);
	memset(c, 0, sizeof(*c));
}

/* Prints text indented by six spaces, wrapped at 78 columns. */
static void usage_wrap(FILE *out, const char *text)
{
	const char *p = text, *space, *cut;
	size_t width = 72;

	while (strlen(p) > width) {
		cut = p;
		while ((space = strchr(cut + 1, ' ')) && (size_t)(space - p) <= width)
			cut = space;
		if (cut == p)
			break;
		fprintf(out, "      %.*s\n", (int)(cut - p), p);
		p = cut + 1;
	}
	fprintf(out, "      %s\n", p);
}

static void usage_entry(FILE *out, const struct option_spec *o)
{
	char *text;

	fprintf(out, "  %s%s%s", o->flag, o->arg ? " " : "", o->arg ? o->arg : "");
	if (o->env)
		fprintf(out, "  [%s]", o->env);
	fputc('\n', out);
	text = o->def ? xasprintf("%s. Default: %s", o->help, o->def) :
		xstrdup(o->help);
	usage_wrap(out, text);
	free(text);
}

void config_usage(void *f)
{
	FILE *out = f;
	char *text;
	size_t i;

	fputs("usage: gumloop-mcp [SETTINGS]\n"
	      "       gumloop-mcp [SETTINGS] --call TOOL [JSON-ARGS | @FILE | -]\n"
	      "       gumloop-mcp [SETTINGS] --check | --list-tools [--json]\n"
	      "       gumloop-mcp --verify-audit FILE | --help | --version\n\n"
	      "A stdio MCP server for the Gumloop API: newline-delimited "
	      "JSON-RPC 2.0 on\nstdin and stdout, diagnostics on stderr. It "
	      "exits 0 at the end of its input.\n\n"
	      "Settings (flags win over environment variables):\n", out);
	for (i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].def)
			usage_entry(out, &options[i]);
	fputs("\nCredentials and scope (environment only):\n", out);
	for (i = 0; i < ARRAY_SIZE(env_only); i++) {
		text = xasprintf("%s. Default: none", env_only[i].help);
		fprintf(out, "  %s\n", env_only[i].env);
		usage_wrap(out, text);
		free(text);
	}
	fputs("\nModes (instead of serving):\n", out);
	for (i = 0; i < ARRAY_SIZE(options); i++)
		if (!options[i].def)
			usage_entry(out, &options[i]);
	fputs("\nExit status: 0 at the end of input; 2 on invalid settings; "
	      "the modes say\ntheirs above. Lists are comma-separated; filters "
	      "combine with AND.\n", out);
}
