/*
 * The hash-chained audit log: one line per tools/call, each carrying the
 * SHA-256 of the line before it, so that removing, inserting or editing a
 * line breaks the chain at the next one. Also --verify-audit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "audit.h"
#include "crypto.h"
#include "log.h"
#include "util.h"

#define MAX_LINE (16u << 20)	/* a longer last line is not ours */
#define MAX_TOOL 128		/* bytes of a tool name written */
#define HELD_MAX (1u << 20)	/* bytes of lines held while the file fails */
#define TAIL_CHUNK 4096

static int audit_fd = -1;
static char *audit_path;
static char prev_hash[65];	/* the last line built, written or not */
static off_t known_end = -1;	/* file size after our last line */
/* Lines built but not yet written (each ends in a newline), oldest first:
 * written before the next line once the file takes them again. */
static struct buf held = BUF_INIT;
static long nheld, ndropped;
static char *failure;	/* why the last append failed; NULL while healthy */

/* ---- the chain's tail --------------------------------------------------- */

/* Offset where the line ending at end (exclusive) starts. */
static off_t line_start(int fd, off_t end)
{
	char chunk[TAIL_CHUNK];
	off_t pos = end;

	while (pos > 0) {
		size_t n = pos < TAIL_CHUNK ? (size_t)pos : TAIL_CHUNK;
		ssize_t got = pread(fd, chunk, n, pos - (off_t)n);
		ssize_t i;

		if (got != (ssize_t)n)
			return -1;
		for (i = got - 1; i >= 0; i--)
			if (chunk[i] == '\n')
				return pos - (off_t)n + i + 1;
		pos -= (off_t)n;
	}
	return 0;
}

/* The hash of the last line of the file open at fd (64 zeros when it is
 * empty) and the file's size. Returns 0, or -1 with *cause. */
static int read_tail(int fd, const char *path, char hash[65], off_t *size,
		     char **cause)
{
	struct stat st;
	off_t end, start;
	char last, *line;

	memcpy(hash, AUDIT_ZERO_HASH, 65);
	if (fstat(fd, &st) < 0)
		goto fail;
	*size = st.st_size;
	if (st.st_size == 0)
		return 0;
	if (pread(fd, &last, 1, st.st_size - 1) != 1)
		goto fail;
	end = last != '\n' ? st.st_size : st.st_size - 1;
	start = line_start(fd, end);
	if (start < 0)
		goto fail;
	if (end - start > (off_t)MAX_LINE) {
		*cause = xasprintf("cannot continue audit log '%s': its last line "
				   "is over %u bytes", path, MAX_LINE);
		return -1;
	}
	line = xmalloc((size_t)(end - start) + 1);
	if (pread(fd, line, (size_t)(end - start), start) != end - start) {
		free(line);
		goto fail;
	}
	crypto_sha256_hex(line, (size_t)(end - start), hash);
	free(line);
	return 0;
fail:
	*cause = xasprintf("cannot read audit log '%s': %s", path,
			   strerror(errno ? errno : EIO));
	return -1;
}

/* Sets prev_hash and known_end from the file. Called with the lock held. */
static int load_tail(char **cause)
{
	return read_tail(audit_fd, audit_path, prev_hash, &known_end, cause);
}

int audit_check(const char *path, char **cause)
{
	char hash[65];
	off_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	struct stat st;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;	/* made on the first start */
		*cause = xasprintf("cannot read audit log '%s': %s", path,
				   strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*cause = xasprintf("audit log '%s' is not a regular file", path);
		return -1;
	}
	rc = read_tail(fd, path, hash, &size, cause);
	close(fd);
	return rc;
}

int audit_open(const char *path, char **cause)
{
	struct stat st;
	int rc;

	audit_close();
	/* over ulimit -f a write fails with EFBIG, reported like a full
	 * disk, instead of the signal killing the server mid-call */
	signal(SIGXFSZ, SIG_IGN);
	audit_path = xstrdup(path);
	audit_fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (audit_fd < 0) {
		*cause = xasprintf("cannot open audit log '%s': %s", path,
				   strerror(errno));
		audit_close();
		return -1;
	}
	if (fstat(audit_fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*cause = xasprintf("audit log '%s' is not a regular file", path);
		audit_close();
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warning("audit log '%s' is accessible by group or others: "
			    "run 'chmod 600 %s'", path, path);
	flock(audit_fd, LOCK_EX);
	rc = load_tail(cause);
	flock(audit_fd, LOCK_UN);
	if (rc < 0)
		audit_close();
	return rc;
}

/* ---- writing ---------------------------------------------------------- */

void audit_args_hash(const cJSON *args, char hex[65])
{
	char *text = args ? cJSON_PrintUnformatted(args) : NULL;

	if (text)
		crypto_sha256_hex(text, strlen(text), hex);
	else
		crypto_sha256_hex("{}", 2, hex);
	free(text);
}

static void rfc3339_now(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

/* The tool name as written: a name is a field, not a payload (one line
 * over MAX_LINE would stop every later start). Redacted before it is cut,
 * so a cut cannot leave part of a secret. */
static char *tool_field(const char *tool)
{
	char *clean = redact_string(tool), *cut;
	size_t n = strlen(clean), keep = MAX_TOOL;

	if (n <= MAX_TOOL)
		return clean;
	while (keep && ((unsigned char)clean[keep] & 0xC0) == 0x80)
		keep--;	/* not inside a UTF-8 sequence */
	cut = xasprintf("%.*s...[%zu bytes]", (int)keep, clean, strlen(tool));
	free(clean);
	return cut;
}

static char *build_line(const char *tool, const char *class,
			const char *outcome, long status, long long ms,
			const cJSON *args)
{
	cJSON *o = cJSON_CreateObject();
	char ts[32], hash[65], *name = tool_field(tool), *line;

	rfc3339_now(ts);
	audit_args_hash(args, hash);
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "tool", name);
	if (class)
		cJSON_AddStringToObject(o, "class", class);
	else
		cJSON_AddNullToObject(o, "class");
	cJSON_AddStringToObject(o, "outcome", outcome);
	if (status > 0)
		cJSON_AddNumberToObject(o, "status", (double)status);
	else
		cJSON_AddNullToObject(o, "status");
	cJSON_AddNumberToObject(o, "ms", (double)(ms < 0 ? 0 : ms));
	cJSON_AddStringToObject(o, "args_sha256", hash);
	cJSON_AddStringToObject(o, "prev", prev_hash);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(name);
	return line;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Enters (or stays in) the failed state; says so on stderr once per cause. */
static int fail(char *take_why)
{
	if (!failure || strcmp(failure, take_why))
		log_error("%s: writes and custom tools are refused until it can "
			  "be written again", take_why);
	free(failure);
	failure = take_why;
	return -1;
}

/* Holds a built line until the file takes it. Past HELD_MAX the oldest
 * go: the chain then breaks where they were, so the loss shows. */
static void hold(const char *line)
{
	const char *nl;

	buf_addstr(&held, line);
	buf_add(&held, "\n", 1);
	nheld++;
	while (held.len > HELD_MAX && nheld > 1 &&
	       (nl = memchr(held.data, '\n', held.len))) {
		buf_consume(&held, (size_t)(nl - held.data) + 1);
		nheld--;
		ndropped++;
	}
}

/* Another process may have appended since our last line: follow it, unless
 * lines are held (they are chained already: a line between shows). */
static int follow_tail(void)
{
	struct stat st;
	char *cause = NULL;

	if (nheld || (fstat(audit_fd, &st) == 0 && st.st_size == known_end))
		return 0;
	if (load_tail(&cause) == 0)
		return 0;
	return fail(cause);
}

/* Whether the file ends inside a line (a crash mid-write): the next
 * line then starts on a line of its own. */
static int ends_torn(off_t size)
{
	char last;

	return size > 0 && pread(audit_fd, &last, 1, size - 1) == 1 &&
	       last != '\n';
}

/*
 * Writes the held lines, with the lock held. A failed write is cut back
 * off, so that no torn line is left for the next one to chain over.
 */
static int write_held(void)
{
	struct stat st;
	int torn;

	if (fstat(audit_fd, &st) < 0)
		return fail(xasprintf("cannot write audit log '%s': %s",
				      audit_path, strerror(errno)));
	if (st.st_nlink == 0)
		return fail(xasprintf("cannot write audit log '%s': the file "
				      "was removed (create it again to resume)",
				      audit_path));
	torn = held.len && ends_torn(st.st_size);
	if ((torn && write_all(audit_fd, "\n", 1) < 0) ||
	    write_all(audit_fd, held.data, held.len) < 0) {
		char *why = xasprintf("cannot write audit log '%s': %s",
				      audit_path, strerror(errno));

		if (ftruncate(audit_fd, st.st_size) < 0)
			log_error("cannot cut a torn line off audit log '%s': "
				  "%s", audit_path, strerror(errno));
		return fail(why);
	}
	known_end = st.st_size + torn + (off_t)held.len;
	if (failure)
		log_warning("audit log '%s' is written again (%ld held line%s "
			    "written%s): writes and custom tools are served",
			    audit_path, nheld, nheld == 1 ? "" : "s",
			    ndropped ? ", some lost before: the chain shows "
			    "where" : "");
	free(failure);
	failure = NULL;
	buf_reset(&held);
	nheld = ndropped = 0;
	return 0;
}

/* A removed file comes back when the operator creates it again. */
static void reopen_if_removed(void)
{
	struct stat st;
	int fd;

	if (fstat(audit_fd, &st) < 0 || st.st_nlink > 0)
		return;
	fd = open(audit_path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	close(audit_fd);
	audit_fd = fd;
	known_end = -1;
}

int audit_record(const char *tool, const char *class, const char *outcome,
		 long status, long long ms, const cJSON *args)
{
	char *line;
	int rc;

	if (audit_fd < 0)
		return 0;
	reopen_if_removed();
	flock(audit_fd, LOCK_EX);
	follow_tail();
	line = build_line(tool, class, outcome, status, ms, args);
	/* chained to the line built, written or not: a lost line shows */
	crypto_sha256_hex(line, strlen(line), prev_hash);
	hold(line);
	free(line);
	rc = write_held();
	flock(audit_fd, LOCK_UN);
	return rc;
}

const char *audit_failure(void)
{
	return failure;
}

int audit_ready(void)
{
	struct stat st;
	int rc;

	if (audit_fd < 0)
		return 0;
	reopen_if_removed();
	if (!failure && fstat(audit_fd, &st) == 0 && st.st_nlink > 0)
		return 0;
	flock(audit_fd, LOCK_EX);
	rc = write_held();
	flock(audit_fd, LOCK_UN);
	return rc;
}

void audit_close(void)
{
	if (audit_fd >= 0 && nheld && audit_ready() < 0)
		log_error("%ld audit line%s could not be written to '%s': %s",
			  nheld, nheld == 1 ? "" : "s", audit_path, failure);
	if (audit_fd >= 0)
		close(audit_fd);
	audit_fd = -1;
	free(audit_path);
	audit_path = NULL;
	known_end = -1;
	free(failure);
	failure = NULL;
	buf_release(&held);
	nheld = ndropped = 0;
}

/* ---- verifying -------------------------------------------------------- */

static int is_hex64(const cJSON *v)
{
	size_t i;

	if (!cJSON_IsString(v) || strlen(v->valuestring) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", v->valuestring[i]))
			return 0;
	return 1;
}

static int one_of(const cJSON *v, const char *const *values)
{
	for (; cJSON_IsString(v) && *values; values++)
		if (!strcmp(v->valuestring, *values))
			return 1;
	return 0;
}

/* Checks the fields of one line; NULL when well formed, else what is not. */
static const char *line_problem(const cJSON *o)
{
	static const char *const outcomes[] = { "ok", "error", "refused", NULL };
	static const char *const classes[] = { "read", "write", "custom", NULL };
	const cJSON *class = cJSON_GetObjectItemCaseSensitive(o, "class");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");

	if (!cJSON_IsObject(o))
		return "not a JSON object";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "ts")))
		return "no \"ts\"";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "tool")))
		return "no \"tool\"";
	if (!cJSON_IsNull(class) && !one_of(class, classes))
		return "\"class\" is not read, write, custom or null";
	if (!one_of(cJSON_GetObjectItemCaseSensitive(o, "outcome"), outcomes))
		return "\"outcome\" is not ok, error or refused";
	if (!cJSON_IsNull(status) && !cJSON_IsNumber(status))
		return "\"status\" is not a number or null";
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "ms")))
		return "\"ms\" is not a number";
	if (!is_hex64(cJSON_GetObjectItemCaseSensitive(o, "args_sha256")))
		return "\"args_sha256\" is not 64 hex digits";
	if (!is_hex64(cJSON_GetObjectItemCaseSensitive(o, "prev")))
		return "\"prev\" is not 64 hex digits";
	return NULL;
}

/* Prints the verdict for a broken line (takes why); returns 1. */
static int broken(FILE *out, const char *path, long n, char *why)
{
	fprintf(out, "audit log '%s': broken at line %ld: %s\n", path, n, why);
	free(why);
	return 1;
}

/* What is wrong with line n (len bytes, newline removed), or NULL. */
static char *check_line(const char *line, size_t len, long n,
			const char *expected)
{
	const char *problem, *prev, *end = NULL;
	cJSON *o = cJSON_ParseWithLengthOpts(line, len + 1, &end, 1);
	char *why = NULL;

	problem = o ? line_problem(o) : "not one JSON object";
	if (problem) {
		why = xstrdup(problem);
		goto out;
	}
	prev = cJSON_GetObjectItemCaseSensitive(o, "prev")->valuestring;
	if (!strcmp(prev, expected))
		goto out;
	if (n == 1)
		why = xstrdup("\"prev\" of the first line is not 64 zeros: "
			      "lines were removed from the start");
	else
		why = xasprintf("\"prev\" is not the SHA-256 of line %ld: that "
				"line was changed, or lines were removed or "
				"inserted before this one", n - 1);
out:
	cJSON_Delete(o);
	return why;
}

int audit_verify(const char *path, FILE *out)
{
	char expected[65] = AUDIT_ZERO_HASH, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	int rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "gumloop-mcp: cannot read audit log '%s': %s\n",
			path, strerror(errno));
		return 2;
	}
	while (!rc && (len = getline(&line, &cap, f)) >= 0) {
		char *why;

		n++;
		if (line[len - 1] != '\n') {
			rc = broken(out, path, n, xstrdup("the line is cut short "
				    "(no newline at its end)"));
			break;
		}
		line[--len] = '\0';
		why = check_line(line, (size_t)len, n, expected);
		if (why)
			rc = broken(out, path, n, why);
		crypto_sha256_hex(line, (size_t)len, expected);
	}
	if (!rc && ferror(f)) {
		fprintf(stderr, "gumloop-mcp: cannot read audit log '%s': %s\n",
			path, strerror(errno));
		rc = 2;
	}
	if (!rc)
		fprintf(out, "audit log '%s': intact, %ld line%s\n", path, n,
			n == 1 ? "" : "s");
	free(line);
	fclose(f);
	return rc;
}
