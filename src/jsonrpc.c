/*
 * The stdio transport: a bounded line reader (an over-long line is dropped
 * whole, never split) and the only writer to stdout (one compact line per
 * message, redacted, valid UTF-8, written out at once; one over 256 KiB in
 * pieces as it is printed).
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jsonrpc.h"
#include "log.h"

#define READ_CHUNK 65536

/* ---- reading ---------------------------------------------------------- */

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

int reader_peek(const struct line_reader *r, const char **line, size_t *len)
{
	const char *data = r->pending.data ? r->pending.data + r->start : NULL, *nl;
	size_t left = r->pending.len - r->start;

	nl = r->too_long || !left ? NULL : memchr(data, '\n', left);
	if (!nl)
		return 0;
	*line = data;
	*len = (size_t)(nl - data);
	if (*len && data[*len - 1] == '\r')
		(*len)--;
	return 1;
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

/* ---- writing ---------------------------------------------------------- */

static int output_closed;
static cJSON *batch;

static int write_fd1(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	while (len) {
		ssize_t n = write(1, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static jsonrpc_sink_fn sink = write_fd1;
static void *sink_ctx;

void jsonrpc_set_sink(jsonrpc_sink_fn fn, void *ctx)
{
	sink = fn ? fn : write_fd1;
	sink_ctx = ctx;
	output_closed = 0;
}

int jsonrpc_output_closed(void)
{
	return output_closed;
}

/* Length of the longest valid UTF-8 prefix of s (ASCII runs fast). */
static size_t utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		uint64_t word;

		/* ASCII eight bytes at a time: a reply is mostly ASCII */
		if (i + 8 <= len) {
			memcpy(&word, p + i, 8);
			if (!(word & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_char_len(p + i, len - i);
		if (!n)
			break;
		i += n;
	}
	return i;
}

/* Appends s to out with every invalid UTF-8 byte replaced by U+FFFD. */
void add_valid_utf8(struct buf *out, const char *s, size_t len)
{
	size_t run;

	while (len) {
		run = utf8_valid_prefix(s, len);
		buf_add(out, s, run);
		s += run;
		len -= run;
		if (len) {
			buf_addstr(out, "\xEF\xBF\xBD");
			s++;
			len--;
		}
	}
}

/* ---- printing ---------------------------------------------------------- */

/*
 * A compact printer that writes what cJSON_PrintUnformatted writes, byte
 * for byte, into a growing buffer. A message is printed fast first; only
 * when it holds a secret, or passes FLUSH_AT, is it printed again
 * carefully: secrets redacted value by value, and streamed to the sink
 * in pieces, so a message of tens of MiB (a large result, printed once as
 * text and once as structure) is never held whole a second time.
 */
#define FLUSH_AT ((size_t)256 << 10)
#define ESCAPE_CHUNK 4096
#define ESCAPE_RUN 65536	/* a long plain run is copied in these */
#define REDACTED_TOKEN "\"[redacted]\""

struct printer {
	struct buf out;
	int careful;	/* redact values; stream pieces to the sink */
	size_t limit;	/* fast mode: give up past this many bytes (0: none) */
	int stop;	/* over the limit: stop printing */
	int failed;	/* a Raw without text, or the sink failed */
	int quoting;	/* inside a text-of item: output is escaped again */
	const cJSON *printed;	/* fast: the tree a text-of item printed
				   into scratch, to reuse */
};

static void flush_piece(struct printer *pr, int last);
static void put_quoted(struct printer *pr, const char *s, size_t n);

static void put(struct printer *pr, const char *s, size_t n)
{
	if (pr->quoting) {
		put_quoted(pr, s, n);
		return;
	}
	struct buf *b = &pr->out;

	if (pr->stop)
		return;
	if (b->len + n < b->cap) {	/* the usual case: room for it and NUL */
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		buf_add(b, s, n);
	}
	if (pr->careful && pr->out.len >= FLUSH_AT)
		flush_piece(pr, 0);
	else if (pr->limit && pr->out.len >= pr->limit)
		pr->stop = 1;
}

static void put_str(struct printer *pr, const char *s)
{
	put(pr, s, strlen(s));
}

/* The bytes a JSON string escapes: controls, '"' and '\\'. */
static const unsigned char must_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

#define Q_OPEN 1	/* put_escaped: the opening quote */
#define Q_CLOSE 2	/* the closing quote */
#define SHORT_STRING 512	/* escaped straight into the buffer */

/* Writes the escape of c (a byte must_escape names) at o; returns the end. */
static char *escape_byte(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*o++ = '\\';
	switch (c) {
	case '"': *o++ = '"'; break;
	case '\\': *o++ = '\\'; break;
	case '\b': *o++ = 'b'; break;
	case '\f': *o++ = 'f'; break;
	case '\n': *o++ = 'n'; break;
	case '\r': *o++ = 'r'; break;
	case '\t': *o++ = 't'; break;
	default:
		memcpy(o, "u00", 3);
		o[3] = hex[c >> 4];
		o[4] = hex[c & 15];
		o += 5;
	}
	return o;
}

/* 1 when a word of eight bytes holds one that must be escaped: a control
 * byte, '"' or '\\' (the classic has-zero-byte test, exact when none). */
static int word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
	uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');

	return !!((((w - ones * 0x20) & ~w) |
		   ((quote - ones) & ~quote) |
		   ((slash - ones) & ~slash)) & high);
}

/* How many bytes from p on need no escape: eight at a time, then one
 * (a long string's plain runs). */
static size_t plain_run(const unsigned char *p, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (word_needs_escape(w))
			break;
	}
	while (i < len && !must_escape[p[i]])
		i++;
	return i;
}

/* The short string's way: escaped in place in the buffer, grown once. */
static void put_short(struct printer *pr, const unsigned char *p, size_t len,
		      unsigned flags, char after)
{
	struct buf *b = &pr->out;
	size_t need = b->len + len * 6 + 4, cap, i;
	char *o;

	if (need >= b->cap) {
		for (cap = b->cap ? b->cap : 256; cap <= need; cap *= 2)
			;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	o = b->data + b->len;
	if (flags & Q_OPEN)
		*o++ = '"';
	for (i = 0; i < len; i++)
		if (must_escape[p[i]])
			o = escape_byte(o, p[i]);
		else
			*o++ = (char)p[i];
	if (flags & Q_CLOSE)
		*o++ = '"';
	if (after)
		*o++ = after;
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	put(pr, "", 0);	/* flush or stop as put does */
}

/* Writes s escaped as cJSON escapes, a chunk at a time, with the quotes
 * flags asks for; after, when not 0, follows in the same write (a key's
 * ':'). */
static void put_escaped(struct printer *pr, const unsigned char *p, size_t len,
			unsigned flags, char after)
{
	const unsigned char *end = p + len;
	char tmp[ESCAPE_CHUNK + 16];	/* an escape and the quote past it */
	size_t n = 0;

	if (pr->stop)
		return;
	if (len <= SHORT_STRING && !pr->quoting) {
		put_short(pr, p, len, flags, after);
		return;
	}
	if (flags & Q_OPEN)
		tmp[n++] = '"';
	while (p < end && !pr->stop) {
		const unsigned char *run = p;

		p += plain_run(p, (size_t)(end - p));
		if (n >= ESCAPE_CHUNK || (size_t)(p - run) > ESCAPE_CHUNK - n) {
			put(pr, tmp, n);	/* a long run goes as it is */
			n = 0;
			for (; run + ESCAPE_RUN < p; run += ESCAPE_RUN)
				put(pr, (const char *)run, ESCAPE_RUN);
			put(pr, (const char *)run, (size_t)(p - run));
		} else {
			memcpy(tmp + n, run, (size_t)(p - run));
			n += (size_t)(p - run);
		}
		if (p == end)
			break;
		if (n >= ESCAPE_CHUNK) {
			put(pr, tmp, n);
			n = 0;
		}
		n = (size_t)(escape_byte(tmp + n, *p) - tmp);
		p++;
	}
	if (flags & Q_CLOSE)
		tmp[n++] = '"';
	if (after)
		tmp[n++] = after;
	put(pr, tmp, n);
}

/* Inside a text-of item every byte printed is escaped once more: the
 * printed JSON becomes the text of a string. */
static void put_quoted(struct printer *pr, const char *s, size_t n)
{
	pr->quoting = 0;
	put_escaped(pr, (const unsigned char *)s, n, 0, 0);
	pr->quoting = 1;
}

static int needs_escape(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (must_escape[(unsigned char)s[i]])
			return 1;
	return 0;
}

/*
 * 1 when s, escaped and quoted, shows a secret that s itself does not
 * hold ("\f" before "key..." prints as "\\fkey..."). Escaped window by
 * window, so a string of any size costs no memory.
 */
static int escaped_shows_secret(const char *s, size_t len, int quoting)
{
	struct printer w = { BUF_INIT, 0, 0, 0, 0, quoting, NULL };
	size_t keep = redact_longest(), n;
	int found = 0;

	if (!keep || !needs_escape(s, len))
		return 0;
	put_escaped(&w, (const unsigned char *)"", 0, Q_OPEN, 0);
	while (len && !found) {
		n = len < FLUSH_AT ? len : FLUSH_AT;
		put_escaped(&w, (const unsigned char *)s, n,
			    n == len ? Q_CLOSE : 0, 0);
		s += n;
		len -= n;
		found = redact_contains(w.out.data, w.out.len);
		if (w.out.len > keep)
			buf_consume(&w.out, w.out.len - keep);
	}
	buf_release(&w.out);
	return found;
}

/*
 * A JSON string literal, escaped as cJSON escapes (NULL prints ""), and
 * after it the character after (unless 0). When
 * careful, secrets are redacted in the value, not in the printed text
 * (cutting a key out of "\\fkey..." would leave a lone backslash), and
 * what only the escaped form shows turns the whole string into
 * "[redacted]".
 */
static void put_string(struct printer *pr, const char *s, char after)
{
	char *clean = NULL;
	size_t len;

	s = s ? s : "";
	len = strlen(s);
	if (pr->careful && redact_contains(s, len)) {
		s = clean = redact_string(s);
		len = strlen(s);
	}
	if (pr->careful && escaped_shows_secret(s, len, pr->quoting)) {
		put_str(pr, REDACTED_TOKEN);
		if (after)
			put(pr, &after, 1);
	} else {
		put_escaped(pr, (const unsigned char *)s, len, Q_OPEN | Q_CLOSE,
			    after);
	}
	free(clean);
}

static void put_value(struct printer *pr, const cJSON *v);

/* A text-of item: the JSON text of tree, as a string, printed straight
 * from the tree (a large result is never held as text). */
static struct buf scratch;	/* a text-of item's text, printed fast */

/* Keeps no large scratch buffer between messages. */
static void trim_scratch(void)
{
	if (scratch.cap > 2 * FLUSH_AT)
		buf_release(&scratch);
}

static void put_text_of(struct printer *pr, const cJSON *tree)
{
	static int inside;	/* a text-of in a text-of's tree: never made */
	struct printer sub = { scratch, 0, pr->limit, 0, 0, 0, NULL };

	if (inside || !tree) {
		pr->failed = 1;
		return;
	}
	inside = 1;
	if (pr->careful) {	/* streamed: every byte escaped as it goes */
		put(pr, "\"", 1);
		pr->quoting = 1;
		put_value(pr, tree);
		pr->quoting = 0;
		put(pr, "\"", 1);
		inside = 0;
		return;
	}
	/* fast: printed whole, then escaped in one pass (under the limit);
	 * the text is kept for the same tree printed as structure next */
	sub.out.len = 0;
	put_value(&sub, tree);
	inside = 0;
	pr->failed |= sub.failed;
	pr->stop |= sub.stop;
	scratch = sub.out;
	if (sub.stop || sub.failed)
		return;
	put_escaped(pr, (const unsigned char *)scratch.data, scratch.len,
		    Q_OPEN | Q_CLOSE, 0);
	pr->printed = tree;
}

static void put_value(struct printer *pr, const cJSON *v)
{
	char num[64];
	const cJSON *c;

	if (v == pr->printed) {	/* printed once already, for a text-of */
		put(pr, scratch.data, scratch.len);
		return;
	}
	switch (v->type & 0xFF) {
	case cJSON_NULL: put_str(pr, "null"); return;
	case cJSON_False: put_str(pr, "false"); return;
	case cJSON_True: put_str(pr, "true"); return;
	case cJSON_Number:
		/* cJSON's own number format, printed without allocating */
		if (!cJSON_PrintPreallocated((cJSON *)v, num, sizeof(num), 0))
			pr->failed = 1;
		else if (pr->careful && redact_contains(num, strlen(num)))
			put_str(pr, REDACTED_TOKEN);	/* a secret of digits */
		else
			put_str(pr, num);
		return;
	case cJSON_String:
		if (v->type & JSON_TEXT_OF)
			put_text_of(pr, v->child);
		else
			put_string(pr, v->valuestring, 0);
		return;
	case cJSON_Raw:
		if (!v->valuestring)
			pr->failed = 1;
		else if (pr->careful &&
			 redact_contains(v->valuestring, strlen(v->valuestring)))
			put_string(pr, v->valuestring, 0);	/* stays JSON */
		else
			put_str(pr, v->valuestring);
		return;
	case cJSON_Array:
		put(pr, "[", 1);
		for (c = v->child; c && !pr->stop; c = c->next) {
			put_value(pr, c);
			if (c->next)
				put(pr, ",", 1);
		}
		put(pr, "]", 1);
		return;
	case cJSON_Object:
		put(pr, "{", 1);
		for (c = v->child; c && !pr->stop; c = c->next) {
			put_string(pr, c->string, ':');
			put_value(pr, c);
			if (c->next)
				put(pr, ",", 1);
		}
		put(pr, "}", 1);
		return;
	}
	pr->failed = 1;
}

/* An item that owns text as it is (malloc'd, as cJSON's are): a result's
 * text can be tens of MiB. */
static cJSON *json_take(cJSON *item, char *text)
{
	if (item && text) {
		cJSON_free(item->valuestring);
		item->valuestring = text;
	} else {
		free(text);
	}
	return item;
}

cJSON *json_take_string(char *text)
{
	return json_take(cJSON_CreateString(""), text);
}

int json_print_to(struct buf *b, const cJSON *v)
{
	struct printer pr = { *b, 0, 0, 0, 0, 0, NULL };

	put_value(&pr, v);
	*b = pr.out;
	trim_scratch();
	return pr.failed ? -1 : 0;
}

char *json_print(const cJSON *v)
{
	struct buf b = BUF_INIT;

	if (json_print_to(&b, v) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

cJSON *json_text_of(const cJSON *tree)
{
	cJSON *item = cJSON_CreateString("");

	if (item) {
		cJSON_free(item->valuestring);
		item->valuestring = (char *)"";
		item->child = (cJSON *)tree;
		/* delete leaves tree; a duplicate owns a copy of it */
		item->type |= JSON_TEXT_OF | cJSON_IsReference;
	}
	return item;
}

char *json_text(const cJSON *item)
{
	if (!cJSON_IsString(item))
		return NULL;
	if (item->type & JSON_TEXT_OF)	/* a shallow copy has no tree */
		return item->child ? json_print(item->child) : NULL;
	return xstrdup(item->valuestring);
}

cJSON *json_raw_reference(const char *text)
{
	cJSON *item = cJSON_CreateRaw("");

	if (item) {
		cJSON_free(item->valuestring);
		item->valuestring = (char *)text;
		item->type |= cJSON_IsReference;	/* delete leaves it */
	}
	return item;
}

/*
 * Sends the buffer to the sink as valid UTF-8 (secrets were redacted in
 * the values as they were printed). Unless last, a UTF-8 sequence cut at
 * the end stays for the next piece.
 */
static void flush_piece(struct printer *pr, int last)
{
	struct buf *b = &pr->out, fixed = BUF_INIT;
	size_t cut = b->len, tail = 0;
	const char *data = b->data;

	if (pr->failed || !cut)
		return;
	while (!last && tail < 3 && tail < cut &&
	       ((unsigned char)b->data[cut - 1 - tail] & 0xC0) == 0x80)
		tail++;
	if (!last && tail < cut &&
	    ((unsigned char)b->data[cut - 1 - tail] & 0xC0) == 0xC0)
		cut -= tail + 1;	/* a lead byte and its continuation so far */
	if (!cut)
		return;
	if (utf8_valid_prefix(data, cut) < cut) {
		add_valid_utf8(&fixed, data, cut);
		data = fixed.data;
	}
	if (sink(data, data == fixed.data ? fixed.len : cut, sink_ctx) < 0) {
		output_closed = 1;
		pr->failed = 1;
	}
	buf_release(&fixed);
	buf_consume(b, cut);
}

/*
 * Writes msg as one line. Printed fast and sent at once when it is small
 * and shows no secret (the usual case); else printed again carefully,
 * redacting value by value and streaming in pieces as it goes.
 */
static int write_message(const cJSON *msg)
{
	struct printer pr = { BUF_INIT, 0, FLUSH_AT, 0, 0, 0, NULL };

	if (output_closed)
		return -1;
	put_value(&pr, msg);
	if (pr.stop || (!pr.failed && redact_contains(pr.out.data, pr.out.len))) {
		buf_reset(&pr.out);
		pr.careful = 1;
		pr.limit = 0;
		pr.stop = 0;
		pr.printed = NULL;	/* that text was not redacted */
		put_value(&pr, msg);
	}
	if (!pr.failed) {
		buf_add(&pr.out, "\n", 1);
		flush_piece(&pr, 1);
	}
	buf_release(&pr.out);
	trim_scratch();
	return pr.failed ? -1 : 0;
}

static int is_response(const cJSON *msg)
{
	return cJSON_IsObject(msg) && !cJSON_HasObjectItem(msg, "method");
}

/*
 * Write-behind: with it on, a tool's result waits here, unprinted (one at
 * most), while the server goes on with what the client already sent, and
 * is printed and written when the server next waits: once the next
 * request is on its way to Gumloop, or before it reads input or sleeps.
 * Its printing and writing then overlap Gumloop's work instead of
 * delaying the next request. Work that may take long flushes first (see
 * jsonrpc.h), so a result is held for microseconds, never behind a slow
 * request; one longer than a short line is written before the request
 * starts (jsonrpc_flush_long).
 */
static int write_behind;
static cJSON *held;
static struct buf held_line;	/* held printed already (short), or empty */
static int held_short;		/* held prints to one short line */

/* What a write to a pipe with room takes whole, without blocking. */
#define HELD_LINE_MAX 4096
/* A bound under this is short even redacted: a secret is 4 bytes or more
 * and "[redacted]" 10, so redaction at most makes a line 2.5 times longer. */
#define HELD_BOUND_MAX (HELD_LINE_MAX * 2 / 5)

/* Length of s printed as a JSON string, or more: exact for plain ASCII,
 * else as if every byte took six (an escape, or U+FFFD for a bad byte). */
static size_t string_bound(const char *s)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	uint64_t w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if (word_needs_escape(w) || (w & 0x8080808080808080ull))
			return 6 * len + 2;
	}
	for (; i < len; i++)
		if (must_escape[(unsigned char)s[i]] || (unsigned char)s[i] >= 0x80)
			return 6 * len + 2;
	return len + 2;
}

/*
 * An upper bound of v's printed length, counted until it passes cap,
 * without printing: a text-of item's escaped text is at most twice the
 * JSON it escapes, and that tree, printed again as structure, is not
 * walked twice.
 */
static const cJSON *seen;	/* a text-of item's tree, and its bound */
static size_t seen_bound;

static size_t print_bound(const cJSON *v, size_t cap)
{
	const cJSON *c;
	size_t n = 2;

	if (v == seen)
		return seen_bound;
	switch (v->type & 0xFF) {
	case cJSON_String:
		if (!(v->type & JSON_TEXT_OF))
			return string_bound(v->valuestring);
		if (!v->child)
			return cap + 1;
		seen_bound = print_bound(v->child, cap);
		seen = v->child;
		return 2 * seen_bound + 2;
	case cJSON_Raw:
		return v->valuestring ? strlen(v->valuestring) : cap + 1;
	case cJSON_Array:
	case cJSON_Object:
		for (c = v->child; c && n <= cap; c = c->next)
			n += print_bound(c, cap) + 1 +
			     (c->string ? string_bound(c->string) + 1 : 0);
		return n;
	default:
		return 32;	/* null, false, true or a number */
	}
}

size_t json_print_bound(const cJSON *v, size_t cap)
{
	seen = NULL;	/* a tree of an earlier message: gone */
	return print_bound(v, cap);
}

void jsonrpc_write_behind(int on)
{
	if (!on)
		jsonrpc_flush();
	write_behind = on;
}

/*
 * Before a request starts, since the time a write blocks (a client
 * reading late) would count against the request's timeout: a held result
 * that prints longer than one short line is written now. A short one
 * stays for jsonrpc_flush_ready, unprinted when its bound tells it is
 * short (the usual case), else printed here.
 */
int jsonrpc_flush_long(void)
{
	struct printer pr = { BUF_INIT, 0, HELD_LINE_MAX, 0, 0, 0, NULL };
	cJSON *msg = held;

	if (!msg || held_short)
		return output_closed ? -1 : 0;
	if (json_print_bound(msg, HELD_BOUND_MAX) < HELD_BOUND_MAX) {
		held_short = 1;	/* printed later, off the path */
		return 0;
	}
	put_value(&pr, msg);
	if (pr.stop || pr.failed || redact_contains(pr.out.data, pr.out.len)) {
		buf_release(&pr.out);
		trim_scratch();
		return jsonrpc_flush();
	}
	buf_add(&pr.out, "\n", 1);
	held_line = pr.out;	/* the tree goes with the line, off the path */
	held_short = 1;
	trim_scratch();
	return 0;
}

int jsonrpc_flush(void)
{
	struct printer pr = { BUF_INIT, 0, 0, 0, 0, 0, NULL };
	cJSON *msg = held;
	int rc = 0;

	if (!msg)
		return output_closed ? -1 : 0;
	held = NULL;
	held_short = 0;
	if (held_line.len) {
		pr.out = held_line;
		held_line = (struct buf)BUF_INIT;
		if (!output_closed)
			flush_piece(&pr, 1);
		buf_release(&pr.out);
		rc = output_closed ? -1 : 0;
	} else {
		rc = write_message(msg);
	}
	cJSON_Delete(msg);
	return rc;
}

/*
 * While a request is on its way: the short result jsonrpc_flush_long left
 * is printed and written when stdout takes it without blocking (a pipe
 * with a free page does), else it waits for the next flush, after the
 * request: a client that is not reading loses nothing by it, and the
 * request's timeout is never spent in a write.
 */
void jsonrpc_flush_ready(void)
{
	struct pollfd out = { .fd = 1, .events = POLLOUT };

	if (held && held_short && sink == write_fd1 &&
	    poll(&out, 1, 0) == 1 && (out.revents & POLLOUT))
		jsonrpc_flush();
}

int jsonrpc_send(const cJSON *msg)
{
	if (jsonrpc_flush() < 0)
		return -1;
	if (batch && is_response(msg)) {
		cJSON_AddItemToArray(batch, cJSON_Duplicate(msg, 1));
		return 0;
	}
	return write_message(msg);
}

static cJSON *envelope(const cJSON *id)
{
	cJSON *msg = cJSON_CreateObject();

	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id",
			      id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
	return msg;
}

static cJSON *result_message(const cJSON *id, cJSON *take_result)
{
	cJSON *msg = envelope(id);

	cJSON_AddItemToObject(msg, "result",
			      take_result ? take_result : cJSON_CreateObject());
	return msg;
}

int jsonrpc_send_result(const cJSON *id, cJSON *take_result)
{
	cJSON *msg = result_message(id, take_result);
	int rc = jsonrpc_send(msg);

	cJSON_Delete(msg);
	return rc;
}

int jsonrpc_send_result_behind(const cJSON *id, cJSON *take_result)
{
	if (!write_behind || batch || sink != write_fd1)
		return jsonrpc_send_result(id, take_result);
	if (jsonrpc_flush() < 0) {
		cJSON_Delete(take_result);
		return -1;
	}
	held = result_message(id, take_result);
	return 0;
}

int jsonrpc_send_error(const cJSON *id, int code, const char *message,
		       cJSON *take_data)
{
	cJSON *msg = envelope(id), *err = cJSON_CreateObject();
	int rc;

	cJSON_AddNumberToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	if (take_data)
		cJSON_AddItemToObject(err, "data", take_data);
	cJSON_AddItemToObject(msg, "error", err);
	rc = jsonrpc_send(msg);
	cJSON_Delete(msg);
	return rc;
}

int jsonrpc_notify(const char *method, cJSON *take_params)
{
	cJSON *msg = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddStringToObject(msg, "method", method);
	if (take_params)
		cJSON_AddItemToObject(msg, "params", take_params);
	rc = jsonrpc_send(msg);
	cJSON_Delete(msg);
	return rc;
}

void jsonrpc_batch_begin(void)
{
	cJSON_Delete(batch);
	batch = cJSON_CreateArray();
}

void jsonrpc_batch_end(void)
{
	cJSON *done = batch;

	batch = NULL;
	if (done && cJSON_GetArraySize(done) > 0 && jsonrpc_flush() == 0)
		write_message(done);
	cJSON_Delete(done);
}

/* ---- strict validation ------------------------------------------------ */

static const char *json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string at p (its opening quote): escapes, no raw control characters,
 * valid UTF-8. Returns the end of the string or NULL. */
static const char *valid_string(const char *p, const char *end)
{
	uint64_t w;
	size_t n;
	int i;

	for (p++; p < end;) {
		/* plain ASCII eight bytes at a time: most text is */
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			if (!(w & 0x8080808080808080ull) && !word_needs_escape(w)) {
				p += 8;
				continue;
			}
		}
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\') {
			n = utf8_char_len((const unsigned char *)p, (size_t)(end - p));
			if (!n)
				return NULL;
			p += n;
			continue;
		}
		if (++p >= end)
			return NULL;
		if (*p != 'u') {
			if (!*p || !strchr("\"\\/bfnrt", *p))
				return NULL;
			p++;
			continue;
		}
		for (i = 1; i <= 4; i++)
			if (p + i >= end || !isxdigit((unsigned char)p[i]))
				return NULL;
		p += 5;
	}
	return NULL;
}

static const char *digits(const char *p, const char *end)
{
	const char *start = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p == start ? NULL : p;
}

/* A number by the JSON grammar: no leading zeros, "+", ".5" or "1.". */
static const char *valid_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p = digits(p, end)))
		return NULL;
	if (p < end && *p == '.' && !(p = digits(p + 1, end)))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = digits(p, end);
	}
	return p;
}

static const char *valid_scalar(const char *p, const char *end)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t i, n;

	if (*p == '"')
		return valid_string(p, end);
	if (*p == '-' || (*p >= '0' && *p <= '9'))
		return valid_number(p, end);
	for (i = 0; i < ARRAY_SIZE(literals); i++) {
		n = strlen(literals[i]);
		if ((size_t)(end - p) >= n && !memcmp(p, literals[i], n))
			return p + n;
	}
	return NULL;
}

/* An object member's key and colon; returns where its value starts. */
static const char *valid_key(const char *p, const char *end)
{
	p = json_ws(p, end);
	if (p >= end || *p != '"' || !(p = valid_string(p, end)))
		return NULL;
	p = json_ws(p, end);
	return p < end && *p == ':' ? p + 1 : NULL;
}

int json_valid(const char *json, size_t len)
{
	const char *p = json, *end = json + len;
	char open[JSON_MAX_DEPTH];
	int depth = 0, need_value = 1;
	char close;

	/* Iterative, so nesting costs no stack: open[] holds the brackets. */
	while (need_value || depth) {
		p = json_ws(p, end);
		if (p >= end)
			return 0;
		close = depth && open[depth - 1] == '{' ? '}' : ']';
		if (need_value && (*p == '{' || *p == '[')) {
			if (depth == JSON_MAX_DEPTH)
				return 0;
			open[depth++] = *p;
			p = json_ws(p + 1, end);
			if (p < end && *p == (open[depth - 1] == '{' ? '}' : ']')) {
				depth--;
				p++;
				need_value = 0;
			} else if (open[depth - 1] == '{' && !(p = valid_key(p, end))) {
				return 0;
			}
		} else if (need_value) {
			if (!(p = valid_scalar(p, end)))
				return 0;
			need_value = 0;
		} else if (*p == ',') {
			p++;
			if (open[depth - 1] == '{' && !(p = valid_key(p, end)))
				return 0;
			need_value = 1;
		} else if (*p == close) {
			depth--;
			p++;
		} else {
			return 0;
		}
	}
	return json_ws(p, end) == end;
}

/* ---- raw JSON scanning ------------------------------------------------ */

struct cursor {
	const char *p;
	const char *end;
};

static void skip_ws(struct cursor *c)
{
	c->p = json_ws(c->p, c->end);
}

static int skip_string(struct cursor *c)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	for (c->p++; c->p < c->end; c->p++) {
		if (*c->p == '\\')
			c->p++;
		else if (*c->p == '"') {
			c->p++;
			return 0;
		}
	}
	return -1;
}

/* Skips one value; nesting is bounded by the caller's parse with cJSON. */
static int skip_value(struct cursor *c, int depth)
{
	char open, close;

	skip_ws(c);
	if (c->p >= c->end || depth > 1000)
		return -1;
	if (*c->p == '"')
		return skip_string(c);
	if (*c->p != '{' && *c->p != '[') {
		while (c->p < c->end && !strchr(",}] \t\r\n", *c->p))
			c->p++;
		return 0;
	}
	open = *c->p;
	close = open == '{' ? '}' : ']';
	c->p++;
	for (;;) {
		skip_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			return 0;
		}
		if (open == '{') {
			if (skip_string(c) < 0)
				return -1;
			skip_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return -1;
		}
		if (skip_value(c, depth + 1) < 0)
			return -1;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else if (c->p >= c->end || *c->p != close)
			return -1;
	}
}

/* Within the object at c, finds the value of key; c ends at the value. */
static int find_key(struct cursor *c, const char *key)
{
	size_t klen = strlen(key);
	const char *k, *kend;

	skip_ws(c);
	if (c->p >= c->end || *c->p != '{')
		return -1;
	c->p++;
	for (;;) {
		skip_ws(c);
		k = c->p;
		if (skip_string(c) < 0)
			return -1;
		kend = c->p;
		skip_ws(c);
		if (c->p >= c->end || *c->p++ != ':')
			return -1;
		skip_ws(c);
		if ((size_t)(kend - k) == klen + 2 && !memcmp(k + 1, key, klen))
			return 0;
		if (skip_value(c, 0) < 0)
			return -1;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else
			return -1;
	}
}

const char *json_raw_lookup(const char *json, size_t len,
			    const char *const *keys, size_t nkeys, size_t *vlen)
{
	struct cursor c = { json, json + len };
	const char *start;
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (find_key(&c, keys[i]) < 0)
			return NULL;
	skip_ws(&c);
	start = c.p;
	if (skip_value(&c, 0) < 0)
		return NULL;
	*vlen = (size_t)(c.p - start);
	return start;
}

int json_raw_array_each(const char *json, size_t len,
			void (*fn)(const char *el, size_t ellen, void *ctx),
			void *ctx)
{
	struct cursor c = { json, json + len };
	const char *start;
	int count = 0;

	skip_ws(&c);
	if (c.p >= c.end || *c.p != '[')
		return -1;
	c.p++;
	for (;;) {
		skip_ws(&c);
		if (c.p < c.end && *c.p == ']')
			return count;
		start = c.p;
		if (skip_value(&c, 0) < 0)
			return -1;
		fn(start, (size_t)(c.p - start), ctx);
		count++;
		skip_ws(&c);
		if (c.p < c.end && *c.p == ',')
			c.p++;
		else if (c.p >= c.end || *c.p != ']')
			return -1;
	}
}
