/*
 * fake.c: the fake Gumloop server's entry point.  It reads the flags,
 * starts libmicrohttpd on 127.0.0.1 (a thread per connection), writes the
 * port file (FILE.tmp, then renamed) and waits for SIGTERM, SIGINT or,
 * with --exit-on-stdin-eof, the end of stdin.  Without --key or
 * --personal-key the one accepted key is "test-key".  With --tls-cert and
 * --tls-key (PEM files) it serves HTTPS instead, through libmicrohttpd's
 * GnuTLS support.
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
	&fake_mcp_catalog_area,
	&fake_signed_area,
	&fake_artifacts_area,
	&fake_skills_area,
	&fake_admin_area,
	&fake_agents_area,
	&fake_sessions_area,
	&fake_files_area,
	&fake_organizations_area,
	&fake_brain_area,
	&fake_browser_area,
	&fake_evaluations_area,
	NULL
};

atomic_int fake_stopping;
long fake_opt_run_ms = 300;
long fake_opt_queue_ms = 50;

struct key {
	const char *value;
	enum fake_key_kind kind;
};

struct options {
	const char *port_file;
	long port;
	struct key keys[MAX_KEYS];
	size_t nkeys;
	int exit_on_eof;
	char *tls_cert;		/* PEM text: serve HTTPS (GnuTLS) */
	char *tls_key;
};

static struct options opts;
static pthread_t stdin_thread;
static int stdin_watched;

static const char usage[] =
	"usage: fake-gumloop --port-file FILE [--port N] [--key KEY]...\n"
	"                    [--personal-key KEY]... [--run-ms N]\n"
	"                    [--queue-ms N] [--exit-on-stdin-eof]\n"
	"                    [--tls-cert PEM-FILE --tls-key PEM-FILE]\n";

static int keys_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = (unsigned char)(la != lb);

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return !diff;
}

enum fake_key_kind fake_key_kind(const char *key)
{
	enum fake_key_kind kind = FAKE_KEY_NONE;
	size_t i;

	for (i = 0; i < opts.nkeys; i++)
		if (keys_equal(key, opts.keys[i].value))
			kind = opts.keys[i].kind;
	return kind;
}

static int add_key(const char *value, enum fake_key_kind kind)
{
	if (opts.nkeys == MAX_KEYS)
		return -1;
	opts.keys[opts.nkeys].value = value;
	opts.keys[opts.nkeys++].kind = kind;
	return 0;
}

/* Reads a whole PEM file; -1 when it cannot be read. */
static int read_pem(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, n;
	char *text = NULL;

	if (!f)
		return -1;
	do {
		text = fake_xrealloc(text, len + 4096 + 1);
		n = fread(text + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	text[len] = '\0';
	fclose(f);
	free(*out);
	*out = text;
	return 0;
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
	else if (!strcmp(flag, "--key"))
		return add_key(val, FAKE_KEY_PLAIN);
	else if (!strcmp(flag, "--personal-key"))
		return add_key(val, FAKE_KEY_PERSONAL);
	else if (!strcmp(flag, "--port") && !parse_long(val, &opts.port))
		return opts.port > 65535 ? -1 : 0;
	else if (!strcmp(flag, "--run-ms"))
		return parse_long(val, &fake_opt_run_ms);
	else if (!strcmp(flag, "--queue-ms"))
		return parse_long(val, &fake_opt_queue_ms);
	else if (!strcmp(flag, "--tls-cert"))
		return read_pem(val, &opts.tls_cert);
	else if (!strcmp(flag, "--tls-key"))
		return read_pem(val, &opts.tls_key);
	else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		int at = i;

		if (parse_flag(argc, argv, &i)) {
			fprintf(stderr, "fake-gumloop: bad flag '%s'\n%s",
				argv[at], usage);
			return -1;
		}
	}
	if (!opts.port_file) {
		fprintf(stderr, "fake-gumloop: --port-file is required\n%s",
			usage);
		return -1;
	}
	if (!opts.nkeys)
		add_key("test-key", FAKE_KEY_PLAIN);
	if (!opts.tls_cert != !opts.tls_key) {
		fprintf(stderr, "fake-gumloop: --tls-cert and --tls-key go "
			"together\n%s", usage);
		return -1;
	}
	if (opts.tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, "fake-gumloop: this libmicrohttpd has no TLS\n");
		return -1;
	}
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
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, opts.tls_key },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, opts.tls_cert },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)opts.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_THREAD_PER_CONNECTION |
				MHD_USE_ERROR_LOG |
				(opts.tls_cert ? MHD_USE_TLS : 0),
				(uint16_t)opts.port, NULL, NULL,
				serve_request, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_NOTIFY_COMPLETED, serve_completed,
				NULL,
				MHD_OPTION_UNESCAPE_CALLBACK, serve_unescape,
				NULL,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t)1 << 20,
				MHD_OPTION_ARRAY,
				opts.tls_cert ? tls : tls + 2,
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
	if (pthread_create(&stdin_thread, NULL, watch_stdin, NULL))
		return -1;
	stdin_watched = 1;
	return 0;
}

static void stop_stdin_watch(void)
{
	/* read() is a cancellation point; joining frees the thread */
	if (!stdin_watched)
		return;
	pthread_cancel(stdin_thread);
	pthread_join(stdin_thread, NULL);
	stdin_watched = 0;
}

static void shut_down(struct MHD_Daemon *d)
{
	atomic_store(&fake_stopping, 1);
	stop_stdin_watch();
	MHD_stop_daemon(d);
	fake_lock();
	control_reset();
	control_release();
	fake_unlock();
	free(opts.tls_cert);
	free(opts.tls_key);
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
