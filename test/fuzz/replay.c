/*
 * Runs a fuzz target once over each file of its seed corpus (or of the
 * files and directories given as arguments) and prints TAP, one line per
 * corpus; each file's name goes to stderr first, for the failure report.
 * `make check` replays the corpora with the ordinary compiler, so every
 * seed, and every input that once broke something, stays a regression
 * test without clang or libFuzzer.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "util.h"

#ifndef FUZZ_CORPUS
#error "build with -DFUZZ_CORPUS=\"test/fuzz/corpus-NAME\""
#endif

static int count;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_file(const char *path)
{
	struct buf data = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	fprintf(stderr, "replaying %s\n", path);
	if (!f) {
		printf("not ok %d - %s: cannot open\n", ++count, path);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&data, chunk, n);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)(data.data ? data.data : ""),
			       data.len);
	buf_release(&data);
}

/* A directory's files in name order, so the output is stable. */
static void run_dir(const char *dir)
{
	char **names = NULL, *path;
	size_t n = 0, i;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		run_file(dir);
		printf("ok %d - %s\n", ++count, dir);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		run_file(path);
		free(path);
		free(names[i]);
	}
	free(names);
	printf("ok %d - %s: %zu inputs, every property held\n", ++count, dir, n);
}

int main(int argc, char **argv)
{
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	printf("# fuzz replay: %s\n", argc > 1 ? "arguments" : FUZZ_CORPUS);
	if (argc > 1)
		for (i = 1; i < argc; i++)
			run_dir(argv[i]);
	else
		run_dir(FUZZ_CORPUS);
	printf("1..%d\n", count);
	return 0;
}
