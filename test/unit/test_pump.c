/*
 * mcp_pump, the input pump of waits: lines already read are triaged
 * before it waits for more, a cancellation drops a queued request (ids
 * compared by value), a stop signal ends it, and the queue drains in order.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "mcp.h"
#include "tap.h"
#include "util.h"

static struct buf out;
static volatile sig_atomic_t alarmed;

static int capture(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	buf_add(&out, data, len);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A server reading from a pipe; *wfd gets the end to write into. */
static void pipe_server(struct server *srv, int *wfd)
{
	int fds[2];

	if (pipe(fds) < 0)
		_exit(2);
	mcp_init(srv, fds[0]);
	srv->initialized = 1;
	srv->version = MCP_LATEST_LEGACY;
	*wfd = fds[1];
}

static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		_exit(2);
}

static void test_buffered_lines_come_first(void)
{
	struct server srv;
	struct mcp_request req = { 0 };
	struct buf line = BUF_INIT;
	struct sigaction sa;
	int wfd, rc;

	pipe_server(&srv, &wfd);
	put(wfd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}\n"
		 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
		 "\"params\":{\"requestId\":1}}\n");
	/* the loop read the whole chunk and took the first line */
	reader_fill(&srv.in, 1000);
	CHECK(reader_next(&srv.in, &line) == READ_LINE, "first line read");
	req.id = cJSON_CreateRaw("1");
	srv.current = &req;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: poll() returns */
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	rc = mcp_pump(&srv, -1);
	alarm(0);
	CHECK(rc == 1, "the buffered cancellation is seen");
	CHECK(!alarmed, "without waiting for more input");
	CHECK(strstr(out.data ? out.data : "", "\"id\":2") != NULL,
	      "the buffered ping is answered");
	srv.current = NULL;
	cJSON_Delete(req.id);
	buf_release(&line);
	close(wfd);
	mcp_release(&srv);
	buf_reset(&out);
}

static void test_cancel_drops_a_queued_request(void)
{
	struct server srv;
	struct mcp_request req = { 0 };
	int wfd;

	pipe_server(&srv, &wfd);
	req.id = cJSON_CreateRaw("\"outer\"");
	srv.current = &req;
	put(wfd, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/list\"}\n"
		 "{\"jsonrpc\":\"2.0\",\"id\":\"y\",\"method\":\"tools/list\"}\n"
		 "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}\n");
	CHECK(mcp_pump(&srv, 1000) == 0 && srv.nqueue == 3, "three queued");
	put(wfd, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
		 "\"params\":{\"requestId\":\"\\u0078\"}}\n"
		 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
		 "\"params\":{\"requestId\":\"3\"}}\n");
	CHECK(mcp_pump(&srv, 1000) == 0, "the outer request goes on");
	CHECK(srv.nqueue == 2, "the cancelled one is dropped (%zu left)",
	      srv.nqueue);
	CHECK(srv.nqueue == 2 && strstr(srv.queue[0].data, "\"y\"") &&
	      strstr(srv.queue[1].data, "\"id\":3"),
	      "a string id does not cancel the integer one");
	put(wfd, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
		 "\"params\":{\"requestId\":\"outer\"}}\n");
	CHECK(mcp_pump(&srv, 1000) == 1, "the outer one is cancelled by value");
	srv.current = NULL;
	cJSON_Delete(req.id);
	close(wfd);
	mcp_release(&srv);
}

static void test_stop_and_eof_end_the_pump(void)
{
	struct server srv;
	int wfd;

	pipe_server(&srv, &wfd);
	mcp_stop = 1;
	CHECK(mcp_pump(&srv, 1000) == -1, "a stop signal ends a wait");
	CHECK(mcp_sleep(&srv, 60000) == -1, "and a sleep");
	mcp_stop = 0;
	close(wfd);
	CHECK(mcp_sleep(&srv, 60000) == -1 && srv.eof, "end of input too");
	mcp_release(&srv);
}

int main(void)
{
	jsonrpc_set_sink(capture, NULL);
	test_buffered_lines_come_first();
	test_cancel_drops_a_queued_request();
	test_stop_and_eof_end_the_pump();
	buf_release(&out);
	return tap_done();
}
