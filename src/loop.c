/*
 * The loop: read lines, dispatch them, run the waits' polls when due,
 * answer in whatever order calls end. Lines read while a request is in
 * flight wait in a queue; pings and cancellations do not.
 */
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "log.h"
#include "loop.h"
#include "mcp.h"
#include "reader.h"

/* Lines read ahead may hold this much; beyond it the client waits for the
 * pipe (backpressure, nothing lost). */
#define QUEUE_MAX_BYTES ((size_t)32 << 20)

struct queued_line {
	char *data;		/* NULL: a line over the limit was dropped */
	size_t len;
	struct queued_line *next;
};

struct loop {
	struct line_reader in;
	struct server srv;
	struct queued_line *head, **tail;
	size_t queued_bytes;
	struct buf line;
};

static void send_too_long(void)
{
	writer_send_error(NULL, JSONRPC_INVALID_REQUEST, "invalid request: line "
			  "longer than the 16 MiB limit was discarded", NULL);
}

static void enqueue(struct loop *l, const char *data, size_t len)
{
	struct queued_line *q = xcalloc(1, sizeof(*q));

	q->data = data ? xstrndup(data, len) : NULL;
	q->len = len;
	*l->tail = q;
	l->tail = &q->next;
	l->queued_bytes += len;
}

/* Drops the queued request whose id is the raw rid; 1 when found. */
static int unqueue(struct loop *l, const char *rid, size_t rlen)
{
	static const char *const id_path[] = { "id" };
	struct queued_line **p, *q;
	const char *id;
	size_t len;

	for (p = &l->head; (q = *p); p = &q->next) {
		id = q->data ? json_raw_lookup(q->data, q->len, id_path, 1, &len)
			     : NULL;
		if (!id || !mcp_same_id(id, len, rid, rlen))
			continue;
		log_debug("cancelled before it started: dropped a queued request");
		*p = q->next;
		if (l->tail == &q->next)
			l->tail = p;
		l->queued_bytes -= q->len;
		free(q->data);
		free(q);
		return 1;
	}
	return 0;
}

/* Whether a line can be a ping or a cancellation: its method spelled out,
 * or escaped. Only those are parsed while a request is in flight. */
static int may_be_ping_or_cancel(const char *line, size_t len)
{
	return memmem(line, len, "ping", 4) || memmem(line, len, "cancelled", 9) ||
	       memchr(line, '\\', len);
}

/* A line read while a request is in flight: a ping is answered, a
 * cancellation applied, anything else queued. */
static void triage(struct loop *l, const char *line, size_t len)
{
	static const char *const cancel_path[] = { "params", "requestId" };
	const cJSON *mth;
	const char *rid;
	size_t rlen;
	cJSON *j, *held;

	if (!may_be_ping_or_cancel(line, len)) {
		enqueue(l, line, len);
		return;
	}
	j = json_valid(line, len) ? cJSON_ParseWithLength(line, len) : NULL;
	mth = cJSON_GetObjectItemCaseSensitive(j, "method");
	if (cJSON_IsString(mth) && !strcmp(mth->valuestring, "ping") &&
	    cJSON_HasObjectItem(j, "id")) {
		held = writer_batch_hold();	/* not part of a batch in flight */
		mcp_handle_line(&l->srv, line, len);
		writer_batch_resume(held);
	} else if (cJSON_IsString(mth) &&
		   !strcmp(mth->valuestring, "notifications/cancelled") &&
		   !cJSON_HasObjectItem(j, "id") &&
		   (rid = json_raw_lookup(line, len, cancel_path, 2, &rlen))) {
		/* one naming nothing pending has nothing left to do */
		if (!mcp_cancel(&l->srv, rid, rlen))
			unqueue(l, rid, rlen);
	} else {
		enqueue(l, line, len);
	}
	cJSON_Delete(j);
}

/* Reads what input there is without waiting, triaging each line. */
static void look_at_input(void *ctx)
{
	struct loop *l = ctx;
	enum read_status st;

	if (l->queued_bytes < QUEUE_MAX_BYTES && !l->in.eof &&
	    reader_fill(&l->in, 0) < 0)
		l->srv.eof = 1;
	while ((st = reader_next(&l->in, &l->line)) == READ_LINE ||
	       st == READ_TOO_LONG) {
		if (st == READ_TOO_LONG)
			enqueue(l, NULL, 0);
		else
			triage(l, l->line.data, l->line.len);
	}
	if (st == READ_EOF)
		l->srv.eof = 1;
}

/* Handles the next line: queued first, then what was read. 0 when none. */
static int handle_next(struct loop *l)
{
	struct queued_line *q = l->head;
	enum read_status st;

	if (q) {
		l->head = q->next;
		if (!l->head)
			l->tail = &l->head;
		l->queued_bytes -= q->len;
		if (q->data)
			mcp_handle_line(&l->srv, q->data, q->len);
		else
			send_too_long();
		free(q->data);
		free(q);
		return 1;
	}
	st = reader_next(&l->in, &l->line);
	if (st == READ_LINE)
		mcp_handle_line(&l->srv, l->line.data, l->line.len);
	else if (st == READ_TOO_LONG)
		send_too_long();
	else if (st == READ_EOF)
		l->srv.eof = 1;
	return st == READ_LINE || st == READ_TOO_LONG;
}

/* Milliseconds poll() may sleep: until the next wait poll is due. */
static int idle_timeout(const struct loop *l)
{
	long long due = mcp_next_due(&l->srv), left;

	if (due < 0)
		return -1;
	left = due - now_ms();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

int loop_run(int fd)
{
	struct loop l;
	struct queued_line *q;

	memset(&l, 0, sizeof(l));
	reader_init(&l.in, fd, READER_MAX_LINE_DEFAULT);
	mcp_init(&l.srv);
	l.srv.look_at_input = look_at_input;
	l.srv.input_ctx = &l;
	l.tail = &l.head;
	while (!writer_closed() && !stop_requested) {
		mcp_run_due(&l.srv);
		if (handle_next(&l))
			continue;
		if (l.srv.eof)
			break;
		if (reader_fill(&l.in, idle_timeout(&l)) < 0)
			l.srv.eof = 1;
	}
	mcp_release(&l.srv);	/* waits still on answer with what they have */
	while ((q = l.head)) {
		l.head = q->next;
		free(q->data);
		free(q);
	}
	buf_release(&l.line);
	reader_release(&l.in);
	return 0;
}
