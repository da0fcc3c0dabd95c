/*
 * The audit chain: line format, the hash of the arguments as received, the
 * chain across reopenings and torn lines, and --verify-audit's verdicts on
 * intact, edited, truncated, reordered and unreadable logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit.h"
#include "crypto.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/test-audit.XXXXXX";

static char *path_in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* The file's lines (newlines removed); count in *n. */
static char **read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char **lines = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*n = 0;
	while (f && (len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		lines = xrealloc(lines, (*n + 1) * sizeof(*lines));
		lines[(*n)++] = xstrdup(line);
	}
	free(line);
	if (f)
		fclose(f);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	while (n)
		free(lines[--n]);
	free(lines);
}

static void write_lines(const char *path, char **lines, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
}

/* Runs audit_verify, returning its status and its verdict in *text. */
static int verify(const char *path, char **text)
{
	size_t len;
	FILE *out = open_memstream(text, &len);
	int rc = audit_verify(path, out);

	fclose(out);
	if (len && (*text)[len - 1] == '\n')
		(*text)[len - 1] = '\0';
	return rc;
}

static const char *field(const char *line, const char *name, char *out,
			 size_t size)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring :
		 cJSON_IsNull(v) ? "null" : cJSON_IsNumber(v) ? "number" : "?");
	cJSON_Delete(o);
	return out;
}

static void record_three(void)
{
	cJSON *args = cJSON_Parse("{\"run_id\":\"r1\",\"a\":[1,2]}");

	audit_record("list_all_gumloop_flows", "read", "ok", 200, 12, NULL);
	audit_record("kill_a_gumloop_flow_run", "write", "error", 404, 3, args);
	audit_record("nope", NULL, "refused", 0, 0, args);
	cJSON_Delete(args);
}

static void test_format_and_chain(void)
{
	char *path = path_in_dir("a.log"), *cause = NULL, *text = NULL;
	char hash[65], buf[128], **lines;
	struct stat st;
	size_t n;

	CHECK(audit_open(path, &cause) == 0, "a new log opens");
	record_three();
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	      "the log is created 0600 (mode %o)", st.st_mode & 0777);
	lines = read_lines(path, &n);
	CHECK(n == 3, "one line per call (%zu)", n);
	CHECK(!strncmp(lines[0], "{\"ts\":\"", 7) &&
	      strstr(lines[0], "\",\"tool\":\"list_all_gumloop_flows\",\"class\":"
		     "\"read\",\"outcome\":\"ok\",\"status\":200,\"ms\":12,"
		     "\"args_sha256\":\""),
	      "fields in the documented order: %s", lines[0]);
	field(lines[0], "ts", buf, sizeof(buf));
	CHECK(strlen(buf) == 24 && buf[10] == 'T' && buf[23] == 'Z',
	      "ts is RFC 3339 UTC: %s", buf);
	CHECK(!strcmp(field(lines[0], "prev", buf, sizeof(buf)), AUDIT_ZERO_HASH),
	      "the first line's prev is 64 zeros");
	crypto_sha256_hex("{}", 2, hash);
	CHECK(!strcmp(field(lines[0], "args_sha256", buf, sizeof(buf)), hash),
	      "no arguments hash as {}");
	crypto_sha256_hex("{\"run_id\":\"r1\",\"a\":[1,2]}", 25, hash);
	CHECK(!strcmp(field(lines[1], "args_sha256", buf, sizeof(buf)), hash),
	      "arguments hash as printed compactly in received order");
	crypto_sha256_hex(lines[0], strlen(lines[0]), hash);
	CHECK(!strcmp(field(lines[1], "prev", buf, sizeof(buf)), hash),
	      "prev is the SHA-256 of the previous line");
	CHECK(!strcmp(field(lines[2], "status", buf, sizeof(buf)), "null") &&
	      !strcmp(field(lines[2], "class", buf, sizeof(buf)), "null"),
	      "no request: status null; unknown tool: class null");
	free_lines(lines, n);

	audit_close();
	CHECK(audit_open(path, &cause) == 0, "an existing log reopens");
	audit_record("list_all_gumloop_flows", "read", "ok", 200, 1, NULL);
	lines = read_lines(path, &n);
	crypto_sha256_hex(lines[2], strlen(lines[2]), hash);
	CHECK(n == 4 && !strcmp(field(lines[3], "prev", buf, sizeof(buf)), hash),
	      "the chain continues across a restart");
	free_lines(lines, n);
	CHECK(verify(path, &text) == 0 && strstr(text, "intact, 4 lines"),
	      "verify: intact (%s)", text);
	free(text);
	audit_close();
	free(path);
}

static void test_other_writer_is_followed(void)
{
	char *path = path_in_dir("b.log"), *cause = NULL, *text = NULL;

	CHECK(audit_open(path, &cause) == 0, "opened once");
	audit_record("a", "read", "ok", 200, 1, NULL);
	/* another process appends a line of its own, chained correctly */
	{
		char *lines_path = path;
		size_t n;
		char **lines = read_lines(lines_path, &n), hash[65], *extra;
		FILE *f = fopen(path, "a");

		crypto_sha256_hex(lines[0], strlen(lines[0]), hash);
		extra = xasprintf("{\"ts\":\"2026-01-01T00:00:00.000Z\",\"tool\":"
				  "\"b\",\"class\":\"read\",\"outcome\":\"ok\","
				  "\"status\":200,\"ms\":1,\"args_sha256\":\"%s\","
				  "\"prev\":\"%s\"}", hash, hash);
		fprintf(f, "%s\n", extra);
		fclose(f);
		free(extra);
		free_lines(lines, n);
	}
	audit_record("c", "read", "ok", 200, 1, NULL);
	CHECK(verify(path, &text) == 0, "a line another writer appended is "
	      "chained over (%s)", text);
	free(text);
	audit_close();
	free(path);
}

static void test_torn_last_line(void)
{
	char *path = path_in_dir("c.log"), *cause = NULL, *text = NULL;
	FILE *f;

	CHECK(audit_open(path, &cause) == 0, "opened");
	audit_record("a", "read", "ok", 200, 1, NULL);
	audit_close();
	f = fopen(path, "a");
	fputs("{\"ts\":\"2026-", f);	/* a crash mid-line */
	fclose(f);
	CHECK(verify(path, &text) == 1 && strstr(text, "line 2") &&
	      strstr(text, "cut short"), "a torn last line is reported: %s", text);
	free(text);
	CHECK(audit_open(path, &cause) == 0, "a torn log reopens");
	audit_record("b", "read", "ok", 200, 1, NULL);
	audit_close();
	CHECK(verify(path, &text) == 1 && strstr(text, "broken at line 2:") &&
	      strstr(text, "not one JSON object"),
	      "the torn line stays in the record, terminated: %s", text);
	free(text);
	free(path);
}

static void test_tampering_is_caught_at_the_right_line(void)
{
	char *path = path_in_dir("d.log"), *cause = NULL, *text = NULL;
	char **lines, *saved;
	const char *p;
	size_t n, i;

	CHECK(audit_open(path, &cause) == 0, "opened");
	for (i = 0; i < 5; i++)
		audit_record("list_all_gumloop_flows", "read", "ok", 200,
			     (long long)i, NULL);
	audit_close();
	lines = read_lines(path, &n);

	/* an edited line: the next line's prev no longer matches */
	saved = lines[2];
	p = strstr(saved, "\"ok\"");
	lines[2] = xasprintf("%.*s\"error\"%s", (int)(p - saved), saved, p + 4);
	write_lines(path, lines, n);
	CHECK(verify(path, &text) == 1 && strstr(text, "broken at line 4:") &&
	      strstr(text, "line 3"), "an edited line 3 breaks line 4: %s", text);
	free(text);
	free(lines[2]);
	lines[2] = saved;

	/* a removed line */
	saved = lines[1];
	memmove(lines + 1, lines + 2, (n - 2) * sizeof(*lines));
	write_lines(path, lines, n - 1);
	CHECK(verify(path, &text) == 1 && strstr(text, "broken at line 2:"),
	      "a removed line 2 breaks the new line 2: %s", text);
	free(text);
	memmove(lines + 2, lines + 1, (n - 2) * sizeof(*lines));
	lines[1] = saved;

	/* the head cut off */
	write_lines(path, lines + 1, n - 1);
	CHECK(verify(path, &text) == 1 && strstr(text, "broken at line 1:") &&
	      strstr(text, "64 zeros"), "a cut head is reported: %s", text);
	free(text);

	/* put back as written: intact again */
	write_lines(path, lines, n);
	CHECK(verify(path, &text) == 0, "restored: intact (%s)", text);
	free(text);
	free_lines(lines, n);
	free(path);
}

static void test_unreadable_and_empty(void)
{
	char *path = path_in_dir("missing.log"), *text = NULL, *cause = NULL;
	FILE *f;

	CHECK(verify(path, &text) == 2, "a missing file: exit 2");
	free(text);
	f = fopen(path, "w");
	fclose(f);
	CHECK(verify(path, &text) == 0 && strstr(text, "intact, 0 lines"),
	      "an empty file is intact: %s", text);
	free(text);
	CHECK(verify(dir, &text) == 2, "a directory: exit 2");
	free(text);
	CHECK(audit_open(dir, &cause) < 0 && cause, "a directory is refused as "
	      "audit log: %s", cause ? cause : "");
	free(cause);
	free(path);
}

/* The files this process writes may grow to limit bytes (RLIM_INFINITY:
 * any size): a full disk without a mount. Nothing is printed meanwhile,
 * the TAP output being a file too when run by make check. */
static void file_limit(rlim_t limit)
{
	struct rlimit r;

	getrlimit(RLIMIT_FSIZE, &r);
	r.rlim_cur = limit;
	setrlimit(RLIMIT_FSIZE, &r);
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void test_a_full_disk_holds_the_line(void)
{
	char *path = path_in_dir("full.log"), *cause = NULL, *text = NULL, *why;
	int failed, refused, ready;
	off_t before;

	CHECK(audit_open(path, &cause) == 0, "opened");
	audit_record("a", "read", "ok", 200, 1, NULL);
	before = size_of(path);
	file_limit((rlim_t)before + 30);	/* a torn write, then EFBIG */
	failed = audit_record("b", "write", "ok", 200, 1, NULL);
	why = audit_failure() ? xstrdup(audit_failure()) : NULL;
	refused = audit_ready();
	file_limit(RLIM_INFINITY);
	CHECK(failed == -1 && why && strstr(why, "File too large"),
	      "a line that cannot be appended says so: %s", why ? why : "");
	free(why);
	CHECK(refused == -1, "nothing is ready while it fails");
	CHECK(size_of(path) == before, "no torn line is left");
	ready = audit_ready();
	CHECK(ready == 0 && !audit_failure(), "the held line goes in once the "
	      "file takes it");
	audit_record("c", "read", "ok", 200, 1, NULL);
	CHECK(verify(path, &text) == 0 && strstr(text, "intact, 3 lines"),
	      "nothing is missing: %s", text);
	free(text);
	audit_close();
	free(path);
}

static void test_a_long_tool_name_is_cut(void)
{
	char *path = path_in_dir("long.log"), *cause = NULL, *name, **lines;
	size_t n;

	name = xmalloc((1 << 20) + 1);
	memset(name, 'x', 1 << 20);
	memcpy(name + 127, "\xc3\xa9", 2);	/* a cut must not split it */
	name[1 << 20] = '\0';
	CHECK(audit_open(path, &cause) == 0, "opened");
	CHECK(audit_record(name, NULL, "refused", 0, 1, NULL) == 0, "recorded");
	audit_close();
	lines = read_lines(path, &n);
	CHECK(n == 1 && strlen(lines[0]) < 400 &&
	      strstr(lines[0], "\"tool\":\"xxx") &&
	      strstr(lines[0], "x...[1048576 bytes]\""),
	      "a 1 MiB name is cut to 128 bytes, on a character: %.200s",
	      n ? lines[0] : "");
	free_lines(lines, n);
	free(name);
	free(path);
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(dir))
		return 1;
	test_format_and_chain();
	test_other_writer_is_followed();
	test_torn_last_line();
	test_tampering_is_caught_at_the_right_line();
	test_unreadable_and_empty();
	test_a_full_disk_holds_the_line();
	test_a_long_tool_name_is_cut();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return tap_done();
}
