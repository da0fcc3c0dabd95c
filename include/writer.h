#ifndef GUMLOOP_WRITER_H
#define GUMLOOP_WRITER_H
/*
 * The only writer to stdout: every JSON-RPC message goes out as one compact
 * line printed by cJSON, then made safe in one place (registered secrets
 * redacted, invalid UTF-8 replaced by U+FFFD). Functions whose cJSON*
 * argument is named "take" take ownership of it; other pointers are
 * borrowed.
 */
#include <stddef.h>
#include <cjson/cJSON.h>

#define JSONRPC_PARSE_ERROR	-32700
#define JSONRPC_INVALID_REQUEST	-32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS	-32602
#define JSONRPC_INTERNAL_ERROR	-32603
#define MCP_RESOURCE_NOT_FOUND	-32002
#define MCP_MISSING_CAPABILITY	-32021
#define MCP_UNSUPPORTED_VERSION	-32022

/* Where lines go: the default writes to fd 1, retrying short writes. A
 * sink returns 0, or -1 when the output is gone. */
typedef int (*writer_sink_fn)(const char *data, size_t len, void *ctx);
void writer_set_sink(writer_sink_fn fn, void *ctx);
/* 1 once a write failed (EPIPE, or a stop signal while stdout was full):
 * the peer is gone, time to shut down. */
int writer_closed(void);

/* Writes one message as one line. Returns 0, or -1 when the output is
 * closed. */
int writer_send(const cJSON *msg);
int writer_send_result(const cJSON *id, cJSON *take_result);
int writer_send_error(const cJSON *id, int code, const char *message,
		      cJSON *take_data);
int writer_notify(const char *method, cJSON *take_params);
/* A request of the server to the client (elicitation/create). */
int writer_request(const cJSON *id, const char *method, cJSON *take_params);

/*
 * Batches (2025-03-26): between begin and end, responses are collected and
 * end writes them as one JSON array line (nothing when empty).
 * Notifications still go out at once.
 */
void writer_batch_begin(void);
void writer_batch_end(void);
/* A message read while a batch is being handled (a ping answered during
 * its request) is not part of it: hold the batch, answer, resume it. */
cJSON *writer_batch_hold(void);
void writer_batch_resume(cJSON *held);

/*
 * Makes printed JSON text safe to show: secrets redacted (inside strings,
 * also where only the escaped form shows one; the text stays valid JSON)
 * and invalid UTF-8 replaced. Takes text (malloc'd) and returns the safe
 * text (maybe the same pointer), setting *len.
 */
char *writer_clean(char *take_text, size_t *len);

#endif
