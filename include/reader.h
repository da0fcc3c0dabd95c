#ifndef GUMLOOP_READER_H
#define GUMLOOP_READER_H
/*
 * A bounded line reader over a file descriptor (stdin): a line over the cap
 * is dropped whole, never split, and reported once. The reader owns what it
 * buffered; a line returned is copied into the caller's buffer.
 */
#include <stddef.h>
#include "util.h"

#define READER_MAX_LINE_DEFAULT (16u << 20)

enum read_status {
	READ_LINE,	/* a complete line was returned */
	READ_NONE,	/* no complete line buffered yet */
	READ_TOO_LONG,	/* a line over the cap was dropped whole */
	READ_EOF,	/* end of input and nothing left */
};

struct line_reader {
	int fd;
	struct buf pending;	/* bytes read, from start on not yet returned */
	size_t start;		/* returned bytes, dropped at the next read */
	size_t scanned;		/* bytes after start known to hold no LF */
	size_t max_line;
	int discarding;		/* inside an over-long line: drop to newline */
	int too_long;		/* over-long lines dropped, not yet reported */
	int eof;
};

void reader_init(struct line_reader *r, int fd, size_t max_line);
void reader_release(struct line_reader *r);
/*
 * Waits up to timeout_ms (-1: forever) for input and reads what is there.
 * Returns 1 when bytes arrived, 0 on timeout or a signal, -1 at end of
 * input.
 */
int reader_fill(struct line_reader *r, int timeout_ms);
/*
 * Takes the next complete line out of what was read, without its LF or
 * CRLF, into *line (replacing its contents). A last line without a newline
 * is returned once end of input was seen.
 */
enum read_status reader_next(struct line_reader *r, struct buf *line);

#endif
