/*
 * The only writer to stdout. cJSON prints each message; the printed text
 * is then made safe here and nowhere else: secrets redacted, invalid UTF-8
 * replaced. One line per message, written whole.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "util.h"
#include "writer.h"

#define REDACTED "[redacted]"

static int output_closed;
static cJSON *batch;

/* After a stop signal a full stdout gets a second to drain, no more. */
static int may_write(void)
{
	struct pollfd out = { .fd = 1, .events = POLLOUT };

	return !stop_requested || poll(&out, 1, 1000) == 1;
}

static int write_fd1(const char *data, size_t len, void *ctx)
{
	ssize_t n;

	(void)ctx;
	while (len) {
		if (!may_write())
			return -1;
		n = write(1, data, len);
		if (n < 0 && errno == EINTR && !stop_requested)
			continue;
		if (n <= 0)
			return -1;	/* gone, or told to stop while full */
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static writer_sink_fn sink = write_fd1;
static void *sink_ctx;

void writer_set_sink(writer_sink_fn fn, void *ctx)
{
	sink = fn ? fn : write_fd1;
	sink_ctx = ctx;
	output_closed = 0;
}

int writer_closed(void)
{
	return output_closed;
}

/* ---- making printed text safe ----------------------------------------- */

/* Where a walk through JSON text stands: in a string, inside an escape. */
struct jscan {
	size_t pos;
	int in_string;
	size_t esc_begin;	/* the backslash of the escape we are in */
	int esc_left;		/* its bytes still to come */
};

static void scan_to(struct jscan *s, const char *t, size_t len, size_t to)
{
	for (; s->pos < to; s->pos++) {
		char c = t[s->pos];

		if (s->esc_left) {
			s->esc_left--;
		} else if (!s->in_string) {
			s->in_string = c == '"';
		} else if (c == '\\') {
			s->esc_begin = s->pos;
			s->esc_left = s->pos + 1 < len && t[s->pos + 1] == 'u'
				      ? 5 : 1;
		} else if (c == '"') {
			s->in_string = 0;
		}
	}
}

/* The escaped form of s as cJSON prints it inside a string (no quotes). */
static char *escaped_form(const char *s)
{
	cJSON *item = cJSON_CreateStringReference(s);
	char *printed = cJSON_PrintUnformatted(item);
	size_t len = strlen(printed);

	cJSON_Delete(item);
	memmove(printed, printed + 1, len - 2);
	printed[len - 2] = '\0';
	return printed;
}

/* The earliest match of any form at or after from; its length in *n. */
static const char *first_match(const char *t, size_t len, size_t from,
			       char *const *forms, size_t nforms, size_t *n)
{
	const char *best = NULL, *p;
	size_t i;

	for (i = 0; i < nforms; i++) {
		p = memmem(t + from, len - from, forms[i], strlen(forms[i]));
		if (p && (!best || p < best || (p == best &&
						strlen(forms[i]) > *n))) {
			best = p;
			*n = strlen(forms[i]);
		}
	}
	return best;
}

/* A byte of a number or literal (outside strings). */
static int token_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '-';
}

static char *redact_printed(char *text, size_t *len)
{
	char *forms[64];
	size_t nforms = 0, i, copied = 0, start, end, n = 0;
	struct jscan s = { 0, 0, 0, 0 };
	int outside;
	struct buf out = BUF_INIT;
	const char *m;

	for (i = 0; i < redact_count() && nforms + 2 <= ARRAY_SIZE(forms); i++) {
		forms[nforms++] = xstrdup(redact_secret(i));
		forms[nforms] = escaped_form(redact_secret(i));
		if (strcmp(forms[nforms], forms[nforms - 1]))
			nforms++;
		else
			free(forms[nforms]);
	}
	while ((m = first_match(text, *len, copied, forms, nforms, &n))) {
		start = (size_t)(m - text);
		scan_to(&s, text, *len, start);
		if (s.esc_left)		/* it starts inside an escape */
			start = s.esc_begin;
		outside = !s.in_string;
		while (outside && start > copied && token_byte(text[start - 1]))
			start--;	/* a number or literal goes whole */
		buf_add(&out, text + copied, start - copied);
		buf_addstr(&out, outside ? "\"" REDACTED "\"" : REDACTED);
		end = (size_t)(m - text) + n;
		scan_to(&s, text, *len, end);
		end += (size_t)s.esc_left;	/* nor ends inside one */
		while (outside && !s.in_string && end < *len &&
		       token_byte(text[end]))
			end++;
		scan_to(&s, text, *len, end);
		copied = end;
	}
	for (i = 0; i < nforms; i++)
		free(forms[i]);
	if (!out.len && !copied)
		return text;
	buf_add(&out, text + copied, *len - copied);
	free(text);
	return buf_detach(&out, len);
}

static char *repair_utf8(char *text, size_t *len)
{
	const unsigned char *p = (const unsigned char *)text;
	struct buf out = BUF_INIT;
	size_t i = 0, run = 0, n;

	for (i = 0; i < *len; i += n) {
		n = p[i] < 0x80 ? 1 : utf8_char_len(p + i, *len - i);
		if (n)
			continue;
		if (!out.data)
			buf_init(&out, 0);
		buf_add(&out, text + run, i - run);
		buf_addstr(&out, "\xEF\xBF\xBD");
		n = 1;
		run = i + 1;
	}
	if (!out.data && !run)
		return text;
	buf_add(&out, text + run, *len - run);
	free(text);
	return buf_detach(&out, len);
}

char *writer_clean(char *take_text, size_t *len)
{
	*len = strlen(take_text);
	if (redact_count())
		take_text = redact_printed(take_text, len);
	return repair_utf8(take_text, len);
}

/* ---- messages --------------------------------------------------------- */

static int write_message(const cJSON *msg)
{
	char *text;
	size_t len;
	int rc;

	if (output_closed)
		return -1;
	text = cJSON_PrintUnformatted(msg);
	if (!text)
		return -1;
	text = writer_clean(text, &len);
	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	text[len] = '\0';
	rc = sink(text, len, sink_ctx);
	free(text);
	if (rc < 0)
		output_closed = 1;
	return rc;
}

static int is_response(const cJSON *msg)
{
	return cJSON_IsObject(msg) && !cJSON_HasObjectItem(msg, "method");
}

int writer_send(const cJSON *msg)
{
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

/* Sends msg and frees it. */
static int send_and_free(cJSON *msg)
{
	int rc = writer_send(msg);

	cJSON_Delete(msg);
	return rc;
}

int writer_send_result(const cJSON *id, cJSON *take_result)
{
	cJSON *msg = envelope(id);

	cJSON_AddItemToObject(msg, "result",
			      take_result ? take_result : cJSON_CreateObject());
	return send_and_free(msg);
}

int writer_send_error(const cJSON *id, int code, const char *message,
		      cJSON *take_data)
{
	cJSON *msg = envelope(id), *err = cJSON_CreateObject();

	cJSON_AddNumberToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	if (take_data)
		cJSON_AddItemToObject(err, "data", take_data);
	cJSON_AddItemToObject(msg, "error", err);
	return send_and_free(msg);
}

static cJSON *method_message(const char *method, cJSON *take_params)
{
	cJSON *msg = cJSON_CreateObject();

	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddStringToObject(msg, "method", method);
	if (take_params)
		cJSON_AddItemToObject(msg, "params", take_params);
	return msg;
}

int writer_notify(const char *method, cJSON *take_params)
{
	return send_and_free(method_message(method, take_params));
}

int writer_request(const cJSON *id, const char *method, cJSON *take_params)
{
	cJSON *msg = method_message(method, take_params);

	cJSON_AddItemToObject(msg, "id", cJSON_Duplicate(id, 1));
	return send_and_free(msg);
}

void writer_batch_begin(void)
{
	cJSON_Delete(batch);
	batch = cJSON_CreateArray();
}

cJSON *writer_batch_hold(void)
{
	cJSON *held = batch;

	batch = NULL;
	return held;
}

void writer_batch_resume(cJSON *held)
{
	cJSON_Delete(batch);
	batch = held;
}

void writer_batch_end(void)
{
	cJSON *done = batch;

	batch = NULL;
	if (done && cJSON_GetArraySize(done) > 0)
		write_message(done);
	cJSON_Delete(done);
}
