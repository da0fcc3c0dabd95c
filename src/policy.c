/*
 * Filters over the tool table. Every check reads struct config; nothing is
 * cached, since a lookup is a walk of about sixty entries. --read-only and
 * --methods are two filters like the others: given both, both apply.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "log.h"
#include "policy.h"
#include "util.h"

static const char *const all_tags[] = {
	"flows", "files", "agents", "sessions", "skills", "artifacts", "mcp",
	"admin", "models", "brain", "browser", "evaluations",
};

/* 1 when name is an element of the comma-separated list. */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && !strncmp(p, name, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int known_tag(const char *tag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_tags); i++)
		if (!strcmp(all_tags[i], tag))
			return 1;
	return 0;
}

static int known_tool(const char *name)
{
	return tool_find(name) != NULL;
}

static const char *tag_at(size_t i)
{
	return i < ARRAY_SIZE(all_tags) ? all_tags[i] : NULL;
}

static const char *tool_name_at(size_t i)
{
	const struct tool_def *t = tool_at(i);

	return t ? t->name : NULL;
}

/* What a typo in a filter should have been: every tag (there are few),
 * or the closest tool names. */
static char *unknown_value(const char *flag, const char *tok, int tags)
{
	const char *(*at)(size_t) = tags ? tag_at : tool_name_at;
	struct buf b = BUF_INIT;
	struct suggest s;
	const char *name;
	char *close, *msg;
	size_t i;

	if (tags) {
		for (i = 0; (name = at(i)); i++)
			buf_addf(&b, "%s%s", i ? ", " : "", name);
		close = buf_detach(&b, NULL);
		msg = xasprintf("unknown tag '%s' in %s: valid tags are %s",
				tok, flag, close);
		free(close);
		return msg;
	}
	suggest_init(&s, tok);
	for (i = 0; (name = at(i)); i++)
		suggest_add(&s, name);
	close = suggest_text(&s);
	if (close)
		msg = xasprintf("unknown tool '%s' in %s: did you mean %s? "
				 "(gumloop-mcp --list-tools lists them all)",
				tok, flag, close);
	else
		msg = xasprintf("unknown tool '%s' in %s (gumloop-mcp "
				"--list-tools lists them all)", tok, flag);
	free(close);
	return msg;
}

/* Checks each element of list with known(); -1 with *cause at the first
 * unknown one. */
static int check_list(const char *flag, const char *list,
		      int (*known)(const char *), char **cause)
{
	char *copy, *tok, *save = NULL;
	int rc = 0;

	if (!list)
		return 0;
	copy = xstrdup(list);
	tok = strtok_r(copy, ", ", &save);
	if (!tok) {
		*cause = xasprintf("empty %s list", flag);
		rc = -1;
	}
	for (; tok && !rc; tok = strtok_r(NULL, ", ", &save)) {
		if (known(tok))
			continue;
		*cause = unknown_value(flag, tok, known == known_tag);
		rc = -1;
	}
	free(copy);
	return rc;
}

int policy_validate(char **cause)
{
	const struct tool_def *t;
	size_t i, shown = 0;

	if (check_list("--tags", cfg.tags, known_tag, cause) < 0 ||
	    check_list("--tools", cfg.tools, known_tool, cause) < 0 ||
	    check_list("--deny-tools", cfg.deny_tools, known_tool, cause) < 0)
		return -1;
	for (i = 0; (t = tool_at(i)); i++)
		shown += !policy_hidden_by(t);
	if (!shown)
		log_warning("the filters together hide every tool: tools/list "
			    "will be empty");
	return 0;
}

static unsigned access_bit(enum tool_access a)
{
	return a == TOOL_READ ? ACCESS_READ
	     : a == TOOL_WRITE ? ACCESS_WRITE : ACCESS_CUSTOM;
}

const char *policy_hidden_by(const struct tool_def *def)
{
	if (cfg.read_only && def->access != TOOL_READ)
		return "--read-only";
	if (!(cfg.methods & access_bit(def->access)))
		return "--methods";
	if (cfg.tags && !in_list(cfg.tags, def->tag))
		return "--tags";
	if (cfg.tools && !in_list(cfg.tools, def->name))
		return "--tools";
	if (cfg.deny_tools && in_list(cfg.deny_tools, def->name))
		return "--deny-tools";
	return NULL;
}

int policy_expired(void)
{
	return cfg.expires_at && time(NULL) >= cfg.expires_at;
}

char *policy_expiry_refusal(void)
{
	char utc[32];
	struct tm tm;

	if (!policy_expired())
		return NULL;
	gmtime_r(&cfg.expires_at, &tm);
	strftime(utc, sizeof(utc), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!strcmp(utc, cfg.expires_at_text))
		return xasprintf("refused: this server's access expired at %s "
				 "(--expires-at); no tool can be called any more: "
				 "ask its operator for a new configuration", utc);
	return xasprintf("refused: this server's access expired at %s (%s, "
			 "--expires-at); no tool can be called any more: ask "
			 "its operator for a new configuration",
			 cfg.expires_at_text, utc);
}
