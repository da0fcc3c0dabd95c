/*
 * The hash-chained audit log: one line per tools/call, each carrying the
 * SHA-256 of the line before it, so that removing, inserting or editing a
 * line breaks the chain at the next one. Also --verify-audit.
 */
#include <errno.h>
#include <fcntl.h>
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
#define TAIL_CHUNK 4096

static int audit_fd = -1;
static char *audit_path;
static char prev_hash[65];
static off_t known_end = -1;	/* file size after our last line */
static int last_line_torn;	/* the file does not end with a newline */

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

/* Reads the file's last line and sets prev_hash, last_line_torn and
 * known_end from it. Called with the lock held. */
static int load_tail(char **cause)
{
	struct stat st;
	off_t end, start;
	char last, *line;

	if (fstat(audit_fd, &st) < 0)
		goto fail;
	known_end = st.st_size;
	last_line_torn = 0;
	memcpy(prev_hash, AUDIT_ZERO_HASH, sizeof(prev_hash));
	if (st.st_size == 0)
		return 0;
	if (pread(audit_fd, &last, 1, st.st_size - 1) != 1)
		goto fail;
	last_line_torn = last != '\n';
	end = last_line_torn ? st.st_size : st.st_size - 1;
	start = line_start(audit_fd, end);
	if (start < 0)
		goto fail;
	if (end - start > (off_t)MAX_LINE) {
		*cause = xasprintf("cannot continue audit log '%s': its last line "
				   "is over %u bytes", audit_path, MAX_LINE);
		return -1;
	}
	line = xmalloc((size_t)(end - start) + 1);
	if (pread(audit_fd, line, (size_t)(end - start), start) != end - start) {
		free(line);
		goto fail;
	}
	crypto_sha256_hex(line, (size_t)(end - start), prev_hash);
	free(line);
	return 0;
fail:
	*cause = xasprintf("cannot read audit log '%s': %s", audit_path,
			   strerror(errno ? errno : EIO));
	return -1;
}

int audit_open(const char *path, char **cause)
{
	struct stat st;
	int rc;

	audit_close();
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

void audit_close(void)
{
	if (audit_fd >= 0)
		close(audit_fd);
	audit_fd = -1;
	free(audit_path);
	audit_path = NULL;
	known_end = -1;
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

static char *build_line(const char *tool, const char *class,
			const char *outcome, long status, long long ms,
			const cJSON *args)
{
	cJSON *o = cJSON_CreateObject();
	char ts[32], hash[65], *clean = redact_string(tool), *line;

	rfc3339_now(ts);
	audit_args_hash(args, hash);
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "tool", clean);
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
	free(clean);
	return line;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Another process may have appended since our last line: follow it. */
static int follow_tail(void)
{
	struct stat st;
	char *cause = NULL;

	if (fstat(audit_fd, &st) == 0 && st.st_size == known_end)
		return 0;
	if (load_tail(&cause) == 0)
		return 0;
	log_error("%s", cause);
	free(cause);
	return -1;
}

void audit_record(const char *tool, const char *class, const char *outcome,
		  long status, long long ms, const cJSON *args)
{
	struct buf out = BUF_INIT;
	struct stat st;
	char *line;

	if (audit_fd < 0)
		return;
	flock(audit_fd, LOCK_EX);
	if (follow_tail() < 0)
		goto out;
	line = build_line(tool, class, outcome, status, ms, args);
	if (last_line_torn)
		buf_add(&out, "\n", 1);
	buf_addstr(&out, line);
	buf_add(&out, "\n", 1);
	if (write_all(audit_fd, out.data, out.len) < 0) {
		log_error("cannot write audit log '%s': %s", audit_path,
			  strerror(errno));
		known_end = -1;
	} else {
		crypto_sha256_hex(line, strlen(line), prev_hash);
		last_line_torn = 0;
		known_end = fstat(audit_fd, &st) == 0 ? st.st_size : -1;
	}
	free(line);
	buf_release(&out);
out:
	flock(audit_fd, LOCK_UN);
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
