#ifndef GUMLOOP_AUDIT_H
#define GUMLOOP_AUDIT_H
/*
 * The audit log (--audit-log): one JSON line per tools/call, hash-chained
 * (shared/interface.md, "Audit log"):
 *   {"ts","tool","class","outcome","status","ms","args_sha256","prev"}
 * prev is the hex SHA-256 of the previous line's bytes without its newline,
 * 64 zeros on a file's first line. The file is created 0600, appended to
 * with one write per line under an exclusive lock, and the chain continues
 * from whatever line is last in the file, also one another process wrote.
 * Nothing here returns memory to free; arguments are borrowed.
 */
#include <stdio.h>
#include <cjson/cJSON.h>

#define AUDIT_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* Opens (creating it 0600) the log for appending. Returns 0, or -1 with
 * *cause (caller frees). Until it is called, audit_record() does nothing. */
int audit_open(const char *path, char **cause);
/*
 * Appends the line of one call: class may be NULL (an unknown tool),
 * status 0 means no HTTP request was made, args NULL means {}. The tool
 * name is cut to 128 bytes. Returns 0, or -1 when the line could not be
 * written (disk full, file removed, I/O error): it is then held, chained,
 * and written before the next line the file takes; audit_failure() says
 * why until then.
 */
int audit_record(const char *tool, const char *class, const char *outcome,
		 long status, long long ms, const cJSON *args);
/* NULL while the log is healthy (or not configured); else why the last
 * append failed (borrowed, valid until the next audit_* call). */
const char *audit_failure(void);
/* Before a write goes out: 0 when its line can be expected to go in (the
 * held lines, if any, are written first; the file is still there), else
 * -1 with audit_failure() set. */
int audit_ready(void);
void audit_close(void);
/* Whether a server could continue the log at path (a missing file can be
 * made): 0, or -1 with *cause (caller frees). Writes nothing. */
int audit_check(const char *path, char **cause);

/* The hex SHA-256 of args printed compactly, keys in received order. */
void audit_args_hash(const cJSON *args, char hex[65]);

/*
 * Checks the chain of the file at path and prints the verdict on out.
 * Returns 0 intact, 1 broken (the first broken line is named), 2 when the
 * file cannot be read.
 */
int audit_verify(const char *path, FILE *out);

#endif
