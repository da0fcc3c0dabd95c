/*
 * The bench's stopwatch: spawns a command REPEAT times, feeds it INPUT on
 * a pipe (then closes it), drains its stdout and reports, per run, the
 * wall time from fork to reaping, the peak RSS (wait4), the number of
 * output lines, how many of them report an error, and the resident set
 * sampled every EVERY output lines (to show it stays flat).
 *
 *   runner [-n REPEAT] [-i INPUT] [-s EVERY] [-d DELAY_US] -- COMMAND ARGS...
 *
 * With -d the output is drained in batches: after each read the runner
 * sleeps DELAY_US (the pipe holds 1 MiB), so on a small machine its own
 * wake-ups, one per reply, do not compete with the program measured.
 *
 * One line per run on stdout:
 *   wall_us=N maxrss_kb=N lines=N errors=N status=N rss_kb=a,b,c
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4096

struct run {
	long long wall_us;
	long maxrss_kb;
	long lines;
	long errors;
	int status;
	long samples[MAX_SAMPLES];
	size_t nsamples;
};

/* Error markers: a failed tool result and a JSON-RPC error object. */
static const char *const markers[] = { "\"isError\":true", "\"error\":{\"code\"" };

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *data;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		exit(2);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data || read(fd, data, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return data;
}

static long rss_kb(pid_t pid)
{
	char path[64];
	long size = 0, resident = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Counts markers in the output; tail keeps a marker cut by a read. The
 * runner's own work per read is kept small (memmem, memchr): on two cores
 * it runs beside the program measured. */
struct scan {
	char tail[32];
	size_t ntail;
};

static long count_markers(struct scan *s, const char *data, size_t n)
{
	char joined[64 + 65536];
	size_t i, m, len, take;
	long found = 0;

	while (n) {
		take = n < 65536 ? n : 65536;
		memcpy(joined, s->tail, s->ntail);
		memcpy(joined + s->ntail, data, take);
		len = s->ntail + take;
		for (m = 0; m < sizeof(markers) / sizeof(*markers); m++) {
			size_t ml = strlen(markers[m]);
			const char *p = joined;

			while ((p = memmem(p, len - (size_t)(p - joined), markers[m],
					   ml))) {
				i = (size_t)(p - joined);
				if (i + ml > s->ntail)	/* not counted last time */
					found++;
				p++;
			}
		}
		s->ntail = len < 24 ? len : 24;
		memcpy(s->tail, joined + len - s->ntail, s->ntail);
		data += take;
		n -= take;
	}
	return found;
}

static void child(int in_fd, int out_fd, char **argv)
{
	int null = open("/dev/null", O_WRONLY);

	dup2(in_fd, 0);
	dup2(out_fd, 1);
	if (!getenv("BENCH_STDERR"))
		dup2(null, 2);
	execvp(argv[0], argv);
	perror(argv[0]);
	_exit(127);
}

static void run_once(char **argv, const char *input, size_t input_len,
		     long every, long delay_us, struct run *r)
{
	int in[2], out[2];
	size_t written = 0;
	struct rusage ru;
	struct scan scan = { "", 0 };
	char buf[65536];
	long long t0;
	pid_t pid;
	int open_out = 1;

	memset(r, 0, sizeof(*r));
	if (pipe(in) < 0 || pipe(out) < 0) {
		perror("pipe");
		exit(2);
	}
	t0 = now_us();
	pid = fork();
	if (pid == 0) {
		close(in[1]);
		close(out[0]);
		child(in[0], out[1], argv);
	}
	close(in[0]);
	close(out[1]);
	if (delay_us)
		fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (!input_len) {
		close(in[1]);
		in[1] = -1;
	}
	while (open_out) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { in[1], POLLOUT, 0 } };
		ssize_t n;
		const char *nl;

		if (poll(p, in[1] >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (in[1] >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(in[1], input + written, input_len - written);
			if (n > 0)
				written += (size_t)n;
			if (n < 0 && errno != EAGAIN) {
				close(in[1]);
				in[1] = -1;
			} else if (written == input_len) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(out[0], buf, sizeof(buf));
		if (n <= 0) {
			open_out = 0;
			break;
		}
		r->errors += count_markers(&scan, buf, (size_t)n);
		if (delay_us) {
			struct timespec ts = { 0, delay_us * 1000 };

			nanosleep(&ts, NULL);
		}
		for (nl = buf; (nl = memchr(nl, '\n', (size_t)(buf + n - nl)));
		     nl++) {
			r->lines++;
			if (every && r->lines % every == 0 &&
			    r->nsamples < MAX_SAMPLES)
				r->samples[r->nsamples++] = rss_kb(pid);
		}
	}
	if (in[1] >= 0)
		close(in[1]);
	close(out[0]);
	if (wait4(pid, &r->status, 0, &ru) < 0) {
		perror("wait4");
		exit(2);
	}
	r->wall_us = now_us() - t0;
	r->maxrss_kb = ru.ru_maxrss;
}

static void print_run(const struct run *r)
{
	size_t i;

	printf("wall_us=%lld maxrss_kb=%ld lines=%ld errors=%ld status=%d rss_kb=",
	       r->wall_us, r->maxrss_kb, r->lines, r->errors,
	       WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128 + WTERMSIG(r->status));
	for (i = 0; i < r->nsamples; i++)
		printf("%s%ld", i ? "," : "", r->samples[i]);
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct run r;
	const char *input_path = NULL;
	char *input = NULL;
	size_t input_len = 0;
	long repeat = 1, every = 0, delay_us = 0, i;
	int opt;

	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "n:i:s:d:")) != -1) {
		switch (opt) {
		case 'n': repeat = atol(optarg); break;
		case 'i': input_path = optarg; break;
		case 's': every = atol(optarg); break;
		case 'd': delay_us = atol(optarg) % 1000000; break;
		default:
			fprintf(stderr, "usage: runner [-n REPEAT] [-i INPUT] "
				"[-s EVERY] [-d DELAY_US] -- COMMAND ARGS...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "runner: no command\n");
		return 2;
	}
	if (input_path)
		input = read_file(input_path, &input_len);
	for (i = 0; i < repeat; i++) {
		run_once(argv + optind, input, input_len, every, delay_us, &r);
		print_run(&r);
	}
	free(input);
	return 0;
}
