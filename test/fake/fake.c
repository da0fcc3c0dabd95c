/*
 * fake.c: the fake Gumloop server's entry point.  It reads the flags,
 * starts libmicrohttpd on 127.0.0.1 (a thread per connection), writes the
 * port file and waits for SIGTERM, SIGINT or, with --exit-on-stdin-eof,
 * the end of stdin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"

#define MAX_KEYS 16

const struct fake_area *const fake_areas[] = {
	&fake_flows_area,
	NULL
};

atomic_int fake_stopping;
long fake_opt_run_ms = 300;
long fake_opt_queue_ms = 50;

struct options {
	const char *port_file;
	long port;
	const char *keys[MAX_KEYS];
	size_t nkeys;
	int exit_on_eof;
};

static struct options opts;

static const char usage[] =
	"usage: fake-gumloop --port-file FILE [--port N] [--key KEY]...\n"
	"                    [--run-ms N] [--queue-ms N] [--exit-on-stdin-eof]\n";

static int keys_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = (unsigned char)(la != lb);

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return !diff;
}

int fake_key_ok(const char *key)
{
	size_t i;
	int ok = 0;

	for (i = 0; i < opts.nkeys; i++)
		ok |= keys_equal(key, opts.keys[i]);
	return ok;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 0 ? -1 : 0;
}

/* Reads one flag at argv[*i]; -1 on a bad or unknown flag. */
static int parse_flag(int argc, char **argv, int *i)
{
	const char *flag = argv[*i];
	const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!strcmp(flag, "--exit-on-stdin-eof")) {
		opts.exit_on_eof = 1;
		return 0;
	}
	if (!val)
		return -1;
	++*i;
	if (!strcmp(flag, "--port-file"))
		opts.port_file = val;
	else if (!strcmp(flag, "--key") && opts.nkeys < MAX_KEYS)
		opts.keys[opts.nkeys++] = val;
	else if (!strcmp(flag, "--port"))
		return parse_long(val, &opts.port) || opts.port > 65535 ? -1 : 0;
	else if (!strcmp(flag, "--run-ms"))
		return parse_long(val, &fake_opt_run_ms);
	else if (!strcmp(flag, "--queue-ms"))
		return parse_long(val, &fake_opt_queue_ms);
	else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (parse_flag(argc, argv, &i)) {
			fprintf(stderr, "fake-gumloop: bad flag '%s'\n%s",
				argv[i], usage);
			return -1;
		}
	}
	if (!opts.port_file) {
		fprintf(stderr, "fake-gumloop: --port-file is required\n%s",
			usage);
		return -1;
	}
	if (!opts.nkeys)
		opts.keys[opts.nkeys++] = "test-key";
	return 0;
}

static int write_port_file(unsigned int port)
{
	size_t n = strlen(opts.port_file) + 5;
	char *tmp = fake_xmalloc(n);
	FILE *fp;
	int ret = -1;

	snprintf(tmp, n, "%s.tmp", opts.port_file);
	fp = fopen(tmp, "w");
	if (!fp)
		goto out;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) || rename(tmp, opts.port_file))
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "fake-gumloop: cannot write '%s': %s\n",
			opts.port_file, strerror(errno));
	free(tmp);
	return ret;
}

static struct MHD_Daemon *start_daemon(void)
{
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)opts.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_THREAD_PER_CONNECTION |
				MHD_USE_ERROR_LOG,
				(uint16_t)opts.port, NULL, NULL,
				serve_request, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_NOTIFY_COMPLETED, serve_completed,
				NULL,
				MHD_OPTION_UNESCAPE_CALLBACK, serve_unescape,
				NULL,
				MHD_OPTION_END);
}

static void *watch_stdin(void *arg)
{
	char buf[256];
	ssize_t n;

	(void)arg;
	do
		n = read(STDIN_FILENO, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
	kill(getpid(), SIGTERM);
	return NULL;
}

static int start_stdin_watch(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, watch_stdin, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}

static void shut_down(struct MHD_Daemon *d)
{
	atomic_store(&fake_stopping, 1);
	MHD_stop_daemon(d);
	fake_lock();
	control_reset();
	control_release();
	fake_unlock();
}

int main(int argc, char **argv)
{
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	sigset_t sigs;
	int sig;

	if (parse_args(argc, argv))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	fake_lock();
	control_reset();
	fake_unlock();
	d = start_daemon();
	if (!d) {
		fprintf(stderr, "fake-gumloop: cannot listen on port %ld\n",
			opts.port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || write_port_file(info->port) ||
	    (opts.exit_on_eof && start_stdin_watch())) {
		shut_down(d);
		return 1;
	}
	sigwait(&sigs, &sig);
	shut_down(d);
	return 0;
}
