/*
 * Entry point: configuration, then one of the modes: the stdio server (the
 * default), --help, --version, --list-tools, --check, --call,
 * --verify-audit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "idempotency.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "tool.h"
#include "version.h"

static void on_terminate(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_terminate;	/* no SA_RESTART: poll() wakes up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* a closed terminal: stop, as told */
}

static int serve(void)
{
	if (cfg.credential_problem)
		log_warning("%s; tools are listed, and every call will say so",
			    cfg.credential_problem);
	if (policy_expired())
		log_warning("access expired at %s (--expires-at): tools are "
			    "listed, and every call is refused",
			    cfg.expires_at_text);
	if (isatty(STDIN_FILENO))
		fputs("gumloop-mcp: this is an MCP server: it reads JSON-RPC from "
		      "an MCP client on stdin,\none message per line. To try it "
		      "by hand: gumloop-mcp --help, --check, --list-tools\nor "
		      "--call TOOL. Ctrl-D ends it.\n", stderr);
	return loop_run(0);
}

/* The modes that run tool calls record them. */
static int open_audit_log(char **cause)
{
	if (!cfg.audit_log || (cfg.mode != MODE_SERVE && cfg.mode != MODE_CALL))
		return 0;
	return audit_open(cfg.audit_log, cause);
}

static int run_mode(void)
{
	switch (cfg.mode) {
	case MODE_HELP:
		config_usage(stdout);
		return 0;
	case MODE_VERSION:
		printf("gumloop-mcp %s\n", GUMLOOP_MCP_VERSION);
		return 0;
	case MODE_LIST_TOOLS:
		return cli_list_tools();
	case MODE_CALL:
		return cli_call();
	case MODE_CHECK:
		return cli_check();
	case MODE_VERIFY_AUDIT:
		return audit_verify(cfg.verify_file, stdout);
	case MODE_SERVE:
		break;
	}
	return serve();
}

int main(int argc, char **argv)
{
	char *cause = NULL;
	int rc;

	install_signals();
	if (config_load(&cfg, argc, argv, &cause) < 0 ||
	    policy_validate(&cause) < 0 || open_audit_log(&cause) < 0) {
		fprintf(stderr, "gumloop-mcp: %s\n", cause);
		free(cause);
		config_release(&cfg);
		return CLI_EXIT_USAGE;
	}
	config_wipe_environment();
	rc = run_mode();
	audit_close();
	idempotency_release();
	http_cleanup();
	tool_cache_release();
	config_release(&cfg);
	redact_wipe();
	return rc;
}
