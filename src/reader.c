/*
 * The bounded line reader under the server's loop: reads what is there,
 * hands out whole lines, drops an over-long line without keeping it.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "reader.h"

#define READ_CHUNK 65536

void reader_init(struct line_reader *r, int fd, size_t max_line)
{
	r->fd = fd;
	buf_init(&r->pending, 0);
	r->start = 0;
	r->scanned = 0;
	r->max_line = max_line;
	r->discarding = 0;
	r->too_long = 0;
	r->eof = 0;
}

void reader_release(struct line_reader *r)
{
	buf_release(&r->pending);
}

/* Adds a chunk, dropping the bytes of a line that is over the cap. */
static void reader_take(struct line_reader *r, const char *p, size_t n)
{
	const char *nl;

	/* Returned lines leave at once per read, not one memmove per line:
	 * a piped burst of thousands of lines stays linear. */
	if (r->start) {
		buf_consume(&r->pending, r->start);
		r->start = 0;
	}
	if (r->discarding) {
		nl = memchr(p, '\n', n);
		if (!nl)
			return;
		r->discarding = 0;
		r->too_long++;
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	buf_add(&r->pending, p, n);
	/* Only the bytes not yet searched: a long line stays linear. */
	if (memchr(r->pending.data + r->scanned, '\n',
		   r->pending.len - r->scanned))
		return;
	r->scanned = r->pending.len;
	if (r->pending.len > r->max_line) {
		buf_reset(&r->pending);
		r->scanned = 0;
		r->discarding = 1;
	}
}

int reader_fill(struct line_reader *r, int timeout_ms)
{
	char chunk[READ_CHUNK];
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	if (r->eof)
		return -1;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	if (rc == 0)
		return 0;
	n = read(r->fd, chunk, sizeof(chunk));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : (r->eof = 1, -1);
	if (n == 0) {
		r->eof = 1;
		return -1;
	}
	reader_take(r, chunk, (size_t)n);
	return 1;
}

static void set_line(struct buf *line, const char *p, size_t n)
{
	if (n && p[n - 1] == '\r')
		n--;
	buf_reset(line);
	buf_add(line, p, n);
}

enum read_status reader_next(struct line_reader *r, struct buf *line)
{
	const char *data = r->pending.data ? r->pending.data + r->start : NULL, *nl;
	size_t left = r->pending.len - r->start, n;

	if (r->too_long) {
		r->too_long--;
		return READ_TOO_LONG;
	}
	nl = left > r->scanned ? memchr(data + r->scanned, '\n',
					left - r->scanned) : NULL;
	if (nl) {
		n = (size_t)(nl - data);
		r->start += n + 1;
		r->scanned = 0;
		if (n > r->max_line)
			return READ_TOO_LONG;
		set_line(line, data, n);
		return READ_LINE;
	}
	r->scanned = left;
	if (!r->eof)
		return READ_NONE;
	if (r->discarding) {
		r->discarding = 0;
		return READ_TOO_LONG;
	}
	if (left) {
		set_line(line, data, left);
		buf_reset(&r->pending);
		r->start = r->scanned = 0;
		return READ_LINE;
	}
	return READ_EOF;
}

