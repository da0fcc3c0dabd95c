#ifndef GUMLOOP_JSONRPC_H
#define GUMLOOP_JSONRPC_H
/*
 * The stdio transport: a bounded line reader over stdin and the only writer
 * to stdout. Every message goes out as one compact JSON line, written at
 * once (a tool's result at the latest when the server next waits, see
 * write-behind below), with registered secrets redacted. Functions that
 * take a cJSON* argument named "take" take ownership of it; other pointers
 * are borrowed.
 */
#include <stddef.h>
#include <cjson/cJSON.h>
#include "util.h"

#define JSONRPC_PARSE_ERROR	-32700
#define JSONRPC_INVALID_REQUEST	-32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS	-32602
#define JSONRPC_INTERNAL_ERROR	-32603
#define MCP_RESOURCE_NOT_FOUND	-32002
#define MCP_MISSING_CAPABILITY	-32021
#define MCP_UNSUPPORTED_VERSION	-32022

#define JSONRPC_MAX_LINE_DEFAULT (16u << 20)

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
 * Returns 1 when bytes arrived, 0 on timeout, -1 at end of input.
 */
int reader_fill(struct line_reader *r, int timeout_ms);
/*
 * Takes the next complete line out of what was read, without its LF or
 * CRLF, into *line (replacing its contents). A last line without a newline
 * is returned once end of input was seen.
 */
enum read_status reader_next(struct line_reader *r, struct buf *line);
/* The next complete line, as reader_next would return it, left in place
 * (pointing into the reader, valid until it reads again); 0 when none. */
int reader_peek(const struct line_reader *r, const char **line, size_t *len);

/* Where output lines go: the default writes to fd 1, retrying short writes. */
typedef int (*jsonrpc_sink_fn)(const char *data, size_t len, void *ctx);
void jsonrpc_set_sink(jsonrpc_sink_fn fn, void *ctx);
/* 1 once a write failed (EPIPE): the peer is gone, time to shut down. */
int jsonrpc_output_closed(void);
/* Appends s to out with every invalid UTF-8 byte replaced by U+FFFD, as
 * the writer does to every message (--call prints through it too). */
void add_valid_utf8(struct buf *out, const char *s, size_t len);

/*
 * Writes one message as one line: at once, or for a message over 256 KiB in
 * pieces as it is printed. Returns 0, or -1 when the output is closed.
 */
int jsonrpc_send(const cJSON *msg);
int jsonrpc_send_result(const cJSON *id, cJSON *take_result);
int jsonrpc_send_error(const cJSON *id, int code, const char *message,
		       cJSON *take_data);
int jsonrpc_notify(const char *method, cJSON *take_params);

/*
 * Write-behind (the server loop turns it on): jsonrpc_send_result_behind
 * may keep the result, to print and write it at the next jsonrpc_flush,
 * which whoever is about to wait or to start long work calls first:
 * waiting for input, sleeping, an HTTP request on its way
 * (http_set_wait_hook), a long line, a method other than tools/call, a
 * tool with its own handler. Sending any other message flushes it first,
 * so the order is kept; turning write-behind off flushes too. The result
 * must own all it refers to. jsonrpc_flush returns -1 when the output is
 * closed.
 */
void jsonrpc_write_behind(int on);
int jsonrpc_send_result_behind(const cJSON *id, cJSON *take_result);
int jsonrpc_flush(void);
/* Before a request: writes the held result unless it is one short line,
 * which jsonrpc_flush_ready writes once the request is on its way, if
 * stdout can take it without blocking. */
int jsonrpc_flush_long(void);
void jsonrpc_flush_ready(void);

/*
 * Batches (2025-03-26): between begin and end, responses are collected and
 * end writes them as one JSON array line (nothing when empty).
 * Notifications still go out at once.
 */
void jsonrpc_batch_begin(void);
void jsonrpc_batch_end(void);

/* Compact JSON text, byte for byte what cJSON_PrintUnformatted makes but
 * without its copies while growing (a new string, NULL on failure). */
char *json_print(const cJSON *v);
/* The same appended to b; -1 on failure (b then holds part of it). */
int json_print_to(struct buf *b, const cJSON *v);
/* A string item that takes text (malloc'd) without a copy. */
cJSON *json_take_string(char *text);
/*
 * A string item whose value is the compact JSON text of tree, printed
 * from the tree when the item is printed (tree must outlive the item;
 * cJSON_Duplicate gives a copy that owns its own tree; it copies the
 * members after tree as well, so tree must come after the item, as a
 * result's structuredContent comes after its content). Read its value
 * with json_text, never valuestring (which is ""). No tree holds a
 * text-of item.
 */
#define JSON_TEXT_OF (1 << 12)
cJSON *json_text_of(const cJSON *tree);
/* At least the length json_print gives v (counted until it passes cap),
 * without printing: for a cheap "is it short" (see write-behind). */
size_t json_print_bound(const cJSON *v, size_t cap);
/* A string item's value, malloc'd (printing a text-of item); NULL when
 * item is not a string. */
char *json_text(const cJSON *item);
/* A raw JSON item that borrows text (it must outlive the item). */
cJSON *json_raw_reference(const char *text);

/*
 * 1 when json is exactly one JSON value by RFC 8259: UTF-8, the four
 * whitespace characters only, no raw control characters in strings, the
 * strict number grammar, nothing after it; at most JSON_MAX_DEPTH nested
 * arrays and objects (cJSON's limit). cJSON itself is more lenient (it
 * reads "01", control bytes as space and invalid UTF-8), and the raw
 * scanner below assumes valid JSON, so a line is checked first.
 */
#define JSON_MAX_DEPTH 1000
int json_valid(const char *json, size_t len);

/*
 * Finds the raw text of a value in a JSON document without parsing it, so
 * ids and tokens such as 9007199254740993 are echoed digit for digit.
 * keys is a path of object keys from the top level (first match of each,
 * as cJSON does). Returns a pointer into json and sets *len, or NULL.
 */
const char *json_raw_lookup(const char *json, size_t len,
			    const char *const *keys, size_t nkeys, size_t *vlen);
/* Splits a raw JSON array into its elements: calls fn for each element's
 * raw text. Returns the element count, or -1 when json is not an array. */
int json_raw_array_each(const char *json, size_t len,
			void (*fn)(const char *el, size_t ellen, void *ctx),
			void *ctx);

#endif
