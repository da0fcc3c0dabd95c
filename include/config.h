#ifndef GUMLOOP_CONFIG_H
#define GUMLOOP_CONFIG_H
/*
 * The configuration: flags win over environment variables, which win over
 * defaults (see shared/interface.md). config_load() fills one struct config
 * that lives for the whole process; its strings are owned by it and freed by
 * config_release(), which also wipes the credentials.
 */
#include <time.h>
#include "log.h"

enum config_mode {
	MODE_SERVE,
	MODE_HELP,
	MODE_VERSION,
	MODE_LIST_TOOLS,
	MODE_CHECK,
	MODE_CALL,
	MODE_VERIFY_AUDIT,
};

/* Access classes as bits, for --methods. */
#define ACCESS_READ	(1u << 0)
#define ACCESS_WRITE	(1u << 1)
#define ACCESS_CUSTOM	(1u << 2)
#define ACCESS_ALL	(ACCESS_READ | ACCESS_WRITE | ACCESS_CUSTOM)

struct config {
	enum config_mode mode;

	/* credentials; credential_problem says why there is no usable one */
	char *api_key;		/* key or OAuth access token */
	char *credential_problem;
	const char *credential_source;	/* the setting it came from */
	const char *credential_unused;	/* another one set, not read */
	char *key_file;		/* --key-file or GUMLOOP_API_KEY_FILE */
	int key_file_flag;	/* key_file came from the flag */
	char *user_id;
	char *project_id;
	char *team_id;

	char *base_url;
	char *stream_base_url;
	long timeout_s;
	long poll_ms;
	long poll_max_ms;
	long poll_rate;
	long max_wait_s;
	char *cacert;
	int insecure_http;

	/* filters */
	unsigned methods;	/* ACCESS_* bits */
	int read_only;		/* --read-only given (names the filter in errors) */
	char *tags;		/* comma list or NULL for all */
	char *tools;		/* comma list or NULL for all */
	char *deny_tools;	/* comma list or NULL */
	time_t expires_at;	/* 0: never */
	char *expires_at_text;
	int discovery;

	char *audit_log;
	enum log_level log_level;

	/* mode arguments */
	int json;		/* --list-tools --json */
	char *call_tool;	/* --call TOOL */
	char *call_args;	/* --call TOOL [JSON-ARGS] */
	char *verify_file;	/* --verify-audit FILE */
};

/* The process-wide configuration (set up by main). */
extern struct config cfg;

/*
 * Reads flags and environment into *c. Returns 0, or -1 with *cause set to a
 * message for the user (caller frees): the process should exit 2.
 * Credential problems are not errors: they land in c->credential_problem.
 */
int config_load(struct config *c, int argc, char **argv, char **cause);
void config_release(struct config *c);
/*
 * Blanks the environment's copies of GUMLOOP_API_KEY and
 * GUMLOOP_ACCESS_TOKEN in place (also what /proc/PID/environ shows) and
 * unsets them, once config_load() has copied the key. Only for an
 * environment the kernel gave the process (writable strings): not one made
 * with putenv() of constant strings.
 */
void config_wipe_environment(void);
/* Prints the --help text to f. */
void config_usage(void *f);

#endif
