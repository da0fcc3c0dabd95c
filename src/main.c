/*
 * Entry point: configuration, then one of the modes: the stdio server (the
 * default), --help, --version, --list-tools, --check, --call.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "http.h"
#include "log.h"
#include "mcp.h"
#include "policy.h"
#include "tool.h"
#include "version.h"

#define EXIT_USAGE 2

static void *cjson_malloc(size_t n)
{
	return xmalloc(n);
}

static void on_terminate(int sig)
{
	(void)sig;
	mcp_stop = 1;
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
}

static int serve(void)
{
	struct server srv;
	int rc;

	if (cfg.credential_problem)
		log_warning("%s; tools are listed, and every call will say so",
			    cfg.credential_problem);
	mcp_init(&srv, 0);
	rc = mcp_run(&srv);
	mcp_release(&srv);
	return rc;
}

static int list_tools(void)
{
	const struct tool_def *t;
	cJSON *all = cJSON_CreateArray(), *o;
	char *text;
	size_t i;

	for (i = 0; (t = tool_at(i)); i++) {
		if (policy_hidden_by(t))
			continue;
		if (!cfg.json) {
			printf("%-44s %-6s %-11s %s\n", t->name,
			       tool_access_str(t->access), t->tag, t->title);
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", t->name);
		cJSON_AddStringToObject(o, "title", t->title);
		cJSON_AddStringToObject(o, "class", tool_access_str(t->access));
		cJSON_AddStringToObject(o, "tag", t->tag);
		cJSON_AddStringToObject(o, "description", t->description);
		cJSON_AddItemToArray(all, o);
	}
	if (cfg.json) {
		text = cJSON_Print(all);
		puts(text);
		free(text);
	}
	cJSON_Delete(all);
	return 0;
}

/* Reads --call arguments: inline JSON, @FILE, or - for stdin. */
static char *call_args_text(const char *spec)
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
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (f != stdin)
		fclose(f);
	return buf_detach(&b, NULL);
}

static void print_json(const cJSON *v, FILE *f)
{
	char *text = isatty(fileno(f)) ? cJSON_Print(v) : cJSON_PrintUnformatted(v);

	fprintf(f, "%s\n", text);
	free(text);
}

static int call_once(void)
{
	char *text = call_args_text(cfg.call_args), *cause = NULL;
	cJSON *args = text ? cJSON_Parse(text) : NULL, *result;
	const cJSON *structured, *is_error;
	int protocol_error = 0, rc;
	struct server srv;

	free(text);
	if (!cJSON_IsObject(args)) {
		fprintf(stderr, "gumloop-mcp: --call %s: arguments must be a JSON "
			"object (inline, @FILE or - for stdin)\n", cfg.call_tool);
		cJSON_Delete(args);
		return EXIT_USAGE;
	}
	mcp_init(&srv, -1);
	result = tool_call_run(&srv, cfg.call_tool, args, &protocol_error, &cause);
	if (!result) {
		fprintf(stderr, "gumloop-mcp: %s\n", cause);
		rc = EXIT_USAGE;
	} else {
		structured = cJSON_GetObjectItemCaseSensitive(result,
							      "structuredContent");
		is_error = cJSON_GetObjectItemCaseSensitive(result, "isError");
		print_json(structured ? structured : result, stdout);
		rc = cJSON_IsTrue(is_error) ? 1 : 0;
		if (rc) {
			const cJSON *c = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(result, "content"), 0);
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "text");

			if (cJSON_IsString(t))
				fprintf(stderr, "gumloop-mcp: %s\n", t->valuestring);
		}
	}
	free(cause);
	cJSON_Delete(result);
	cJSON_Delete(args);
	mcp_release(&srv);
	return rc;
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
		return list_tools();
	case MODE_CALL:
		return call_once();
	case MODE_CHECK:
	case MODE_VERIFY_AUDIT:
		fprintf(stderr, "gumloop-mcp: this mode is not available yet\n");
		return EXIT_USAGE;
	case MODE_SERVE:
		break;
	}
	return serve();
}

int main(int argc, char **argv)
{
	cJSON_Hooks hooks = { cjson_malloc, free };
	char *cause = NULL;
	int rc;

	cJSON_InitHooks(&hooks);
	install_signals();
	if (config_load(&cfg, argc, argv, &cause) < 0 ||
	    policy_validate(&cause) < 0) {
		fprintf(stderr, "gumloop-mcp: %s\n", cause);
		free(cause);
		config_release(&cfg);
		return EXIT_USAGE;
	}
	rc = run_mode();
	http_cleanup();
	tool_cache_release();
	config_release(&cfg);
	redact_wipe();
	return rc;
}
