#ifndef GUMLOOP_POLICY_H
#define GUMLOOP_POLICY_H
/*
 * Which tools this process exposes: the --methods / --read-only, --tags,
 * --tools and --deny-tools filters (combined with AND) and --expires-at.
 */
#include "tool.h"

/* Checks the filter values against the table (a typo must not silently
 * expose everything). Returns 0, or -1 with *cause (caller frees). */
int policy_validate(char **cause);
/* NULL when def is exposed, else the name of the filter that hides it. */
const char *policy_hidden_by(const struct tool_def *def);
/* 1 once --expires-at has passed. */
int policy_expired(void);
/* Once expired, the refusal every tool call gets, naming the expiry time
 * (caller frees); NULL before. */
char *policy_expiry_refusal(void);

#endif
