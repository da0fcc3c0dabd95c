/*
 * Idempotency keys and the short memory of recent writes that keeps a model
 * retrying after a timeout from starting a flow (and spending credits)
 * twice. Two small tables, oldest first: one by key for the life of the
 * process, one of recent writes for the 10 s window.
 *
 * Bounded in bytes as well as in count: a result is kept as compact text,
 * whole up to WHOLE_MAX; a larger one, or the oldest once the whole ones
 * pass KEPT_MAX together, is kept as its summary (the short top-level
 * fields, where the ids are, and a note), which is what a replay needs.
 */
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "idempotency.h"
#include "log.h"
#include "util.h"

#define MAX_KEYED 1024
#define MAX_RECENT 64
#define WHOLE_MAX (256u << 10)	/* bytes of one result kept whole */
#define KEPT_MAX (4u << 20)	/* bytes of whole results kept in all */
#define FIELD_MAX 256		/* bytes of a field a summary keeps */
#define FIELDS_MAX 16		/* fields a summary keeps */

struct memo {
	char fingerprint[65];
	char *key;		/* NULL in the recent table */
	char *result;		/* the CallToolResult given then, as text */
	size_t size;		/* its length while whole, else 0 */
	long long at_ms;	/* when that call ended */
	int maybe;		/* outcome unknown (timeout, connection lost) */
};

static size_t kept_bytes;	/* the sizes of the whole results */

struct memo_table {
	struct memo *memos;
	size_t n, max;
};

static struct memo keyed_memos[MAX_KEYED], recent_memos[MAX_RECENT];
static struct memo_table keyed = { keyed_memos, 0, MAX_KEYED };
static struct memo_table recent = { recent_memos, 0, MAX_RECENT };

/* ---- fingerprints ------------------------------------------------------- */

static int by_key(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* Sorts every object's members by key, recursively, so that argument order
 * does not make two identical calls look different. */
static void sort_members(cJSON *v)
{
	cJSON **items, *c;
	size_t n = 0, i;

	for (c = v->child; c; c = c->next)
		sort_members(c);
	if (!cJSON_IsObject(v) || !v->child)
		return;
	for (c = v->child; c; c = c->next)
		n++;
	items = xmalloc(n * sizeof(*items));
	for (i = 0, c = v->child; c; c = c->next)
		items[i++] = c;
	qsort(items, n, sizeof(*items), by_key);
	for (i = 0; i < n; i++) {
		items[i]->prev = i ? items[i - 1] : items[n - 1];
		items[i]->next = i + 1 < n ? items[i + 1] : NULL;
	}
	v->child = items[0];
	free(items);
}

static void fingerprint(const struct tool_call *call, char hex[65])
{
	cJSON *copy = cJSON_Duplicate(call->args, 1);
	struct buf b = BUF_INIT;
	char *text;

	cJSON_DeleteItemFromObjectCaseSensitive(copy, "idempotency_key");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "force");
	sort_members(copy);
	text = cJSON_PrintUnformatted(copy);
	buf_addf(&b, "%s\n%s", call->def->name, text ? text : "{}");
	crypto_sha256_hex(b.data, b.len, hex);
	buf_release(&b);
	free(text);
	cJSON_Delete(copy);
}

/* ---- what is kept of a result ------------------------------------------- */

static size_t printed_size(const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	size_t n = text ? strlen(text) : 0;

	free(text);
	return n;
}

/* A short member of a result's structuredContent: kept in a summary. */
static int short_field(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strlen(v->valuestring) <= FIELD_MAX;
	if (cJSON_IsObject(v) && !strcmp(v->string, "error"))
		return printed_size(v) <= 4 * FIELD_MAX;
	return cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v);
}

/* The summary of a result too large to keep: its short top-level fields
 * (the ids are there) and a note saying what was left out. */
static char *summary_of(const cJSON *result)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(result,
							   "structuredContent");
	cJSON *out = cJSON_CreateObject(), *fields, *item;
	const cJSON *v;
	char *text;
	int n = 0;

	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", "the first result was too large "
				"to keep whole: only its short top-level fields "
				"are given here; read the item again with a get "
				"or list tool for the rest");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(out, "content"), item);
	fields = cJSON_AddObjectToObject(out, "structuredContent");
	cJSON_ArrayForEach(v, sc)
		if (n < FIELDS_MAX && v->string && short_field(v) && ++n)
			cJSON_AddItemToObject(fields, v->string,
					      cJSON_Duplicate(v, 1));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError")))
		cJSON_AddTrueToObject(out, "isError");
	text = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	return text;
}

/* Keeps result whole when it is small, else its summary. */
static void keep_result(struct memo *m, const cJSON *result)
{
	char *text = cJSON_PrintUnformatted(result);

	if (text && strlen(text) <= WHOLE_MAX) {
		m->result = text;
		m->size = strlen(text);
		kept_bytes += m->size;
	} else {
		free(text);
		m->result = summary_of(result);
	}
}

/* Replaces a whole result by its summary. */
static void shrink(struct memo *m)
{
	cJSON *whole;

	if (!m->size)
		return;
	whole = cJSON_Parse(m->result);
	free(m->result);
	m->result = summary_of(whole);
	cJSON_Delete(whole);
	kept_bytes -= m->size;
	m->size = 0;
}

/* ---- the tables --------------------------------------------------------- */

static void memo_release(struct memo *m)
{
	free(m->key);
	free(m->result);
	kept_bytes -= m->size;
	memset(m, 0, sizeof(*m));
}

static void table_drop_first(struct memo_table *t, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		memo_release(&t->memos[i]);
	memmove(t->memos, t->memos + count, (t->n - count) * sizeof(*t->memos));
	t->n -= count;
	memset(t->memos + t->n, 0, count * sizeof(*t->memos));
}

static void table_add(struct memo_table *t, const struct memo *m)
{
	if (t->n == t->max) {
		if (t == &keyed)
			log_warning("idempotency: over %zu keys in this process: "
				    "forgetting the oldest", t->max);
		table_drop_first(t, 1);
	}
	t->memos[t->n++] = *m;
}

/* Past KEPT_MAX, the oldest whole results are summarized, recent ones
 * first (they are forgotten after 10 s anyway). */
static void enforce_budget(void)
{
	size_t i;

	for (i = 0; kept_bytes > KEPT_MAX && i < recent.n; i++)
		shrink(&recent.memos[i]);
	for (i = 0; kept_bytes > KEPT_MAX && i < keyed.n; i++)
		shrink(&keyed.memos[i]);
}

/* The kept result as a new tree. */
static cJSON *result_of(const struct memo *m)
{
	cJSON *r = cJSON_Parse(m->result);

	return r ? r : cJSON_CreateObject();
}

/* Idempotency keys are not secrets: a plain comparison will do. */
static struct memo *find_key(const char *key)
{
	size_t i;

	for (i = 0; i < keyed.n; i++)
		if (!strcmp(keyed.memos[i].key, key))
			return &keyed.memos[i];
	return NULL;
}

/* The newest write with this fingerprint that ended within the window. */
static struct memo *find_recent(const char *fp, long long now)
{
	size_t i, stale = 0;

	while (stale < recent.n &&
	       now - recent.memos[stale].at_ms > IDEMPOTENCY_WINDOW_MS)
		stale++;
	table_drop_first(&recent, stale);
	for (i = recent.n; i-- > 0;)
		if (!strcmp(recent.memos[i].fingerprint, fp))
			return &recent.memos[i];
	return NULL;
}

/* ---- the answers -------------------------------------------------------- */

static int result_is_error(const cJSON *result)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "isError"));
}

static int memo_is_error(const struct memo *m)
{
	cJSON *r = result_of(m);
	int is_error = result_is_error(r);

	cJSON_Delete(r);
	return is_error;
}

/* Why the earlier outcome is unknown: its error code ("timeout", ...). */
static const char *earlier_failure(const cJSON *result)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(result,
							   "structuredContent");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(sc, "error"), "code");

	return cJSON_IsString(code) ? code->valuestring : "no answer";
}

/* The earlier result, with a first text item saying why nothing was sent. */
static cJSON *not_sent_again(const struct tool_call *call, const struct memo *m,
			     long long now)
{
	cJSON *answer = result_of(m), *content, *note;
	double ago = (double)(now - m->at_ms) / 1000.0;
	char *text;

	if (m->maybe)
		text = xasprintf("not sent again: an identical %s call %.1f s ago "
				 "ended without a definite answer (%s), so it "
				 "may have happened. Its result follows: check "
				 "the current state first (a get or list tool); "
				 "to send it anyway, call again with force: true.",
				 call->def->name, ago, earlier_failure(answer));
	else
		text = xasprintf("not sent again: an identical %s call succeeded "
				 "%.1f s ago, and sending it again would do it "
				 "twice. Its result follows. To do it again on "
				 "purpose, call again with force: true (or give "
				 "each intended write its own idempotency_key).",
				 call->def->name, ago);
	content = cJSON_GetObjectItemCaseSensitive(answer, "content");
	if (!cJSON_IsArray(content)) {
		cJSON_DeleteItemFromObjectCaseSensitive(answer, "content");
		content = cJSON_AddArrayToObject(answer, "content");
	}
	note = cJSON_CreateObject();
	cJSON_AddStringToObject(note, "type", "text");
	cJSON_AddStringToObject(note, "text", text);
	cJSON_InsertItemInArray(content, 0, note);
	free(text);
	return answer;
}

cJSON *idempotency_replay(struct tool_call *call)
{
	const char *key = tool_arg_str(call, "idempotency_key");
	long long now = now_ms();
	char fp[65];
	struct memo *m;

	if (call->def->access == TOOL_READ)
		return NULL;
	fingerprint(call, fp);
	if (key) {
		m = find_key(key);
		if (!m)
			return NULL;
		if (strcmp(m->fingerprint, fp)) {
			call->refused = 1;
			tool_error(call, "refused: idempotency_key '%s' was already "
				   "used in this session for a different call "
				   "(another tool or other arguments); use a new "
				   "key for a new operation, or repeat the "
				   "original arguments to get its result", key);
			return NULL;
		}
		log_info("%s: idempotency_key seen before: answering with the "
			 "first result, nothing sent", call->def->name);
		call->is_error = memo_is_error(m);
		return result_of(m);
	}
	if (tool_arg_bool(call, "force", 0) || !(m = find_recent(fp, now)))
		return NULL;
	log_info("%s: identical call %.1f s ago: not sent again",
		 call->def->name, (double)(now - m->at_ms) / 1000.0);
	call->refused = 1;
	call->is_error = memo_is_error(m);
	return not_sent_again(call, m, now);
}

/* 1 when Gumloop did the write, 2 when it may have, 0 when it did not. */
static int write_outcome(const struct tool_call *call)
{
	if (call->wrote & TOOL_WROTE)
		return 1;
	if (call->wrote & TOOL_MAY_HAVE_WRITTEN)
		return 2;
	/* a handler that made its request some other way */
	return !call->is_error && call->status >= 200 && call->status < 300;
}

void idempotency_record(const struct tool_call *call, const cJSON *result)
{
	const char *key = tool_arg_str(call, "idempotency_key");
	struct memo m;
	int outcome;

	if (call->def->access == TOOL_READ || call->refused || !result ||
	    !(outcome = write_outcome(call)))
		return;
	memset(&m, 0, sizeof(m));
	fingerprint(call, m.fingerprint);
	m.at_ms = now_ms();
	m.maybe = outcome == 2;
	keep_result(&m, result);
	table_add(&recent, &m);
	if (key && !find_key(key)) {
		m.key = xstrdup(key);
		keep_result(&m, result);
		table_add(&keyed, &m);
	}
	enforce_budget();
}

void idempotency_release(void)
{
	table_drop_first(&keyed, keyed.n);
	table_drop_first(&recent, recent.n);
}
