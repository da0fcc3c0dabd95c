#ifndef GUMLOOP_CLI_H
#define GUMLOOP_CLI_H
/*
 * The command-line modes besides serving (src/cli.c). Each runs once with
 * the loaded configuration and returns the process's exit status.
 */

#define CLI_EXIT_USAGE 2

/* --list-tools [--json]: the tools the filters expose. */
int cli_list_tools(void);
/* --call TOOL [ARGS]: 0 success, 1 tool error, 2 bad usage. */
int cli_call(void);
/* --check: 0 when all is well, 1 when anything is wrong. */
int cli_check(void);

#endif
