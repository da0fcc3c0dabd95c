/*
 * Discovery mode: three tools that find, describe and call the catalog's
 * tools, so a client need not load sixty schemas. Search ranks the words
 * of each visible tool's name, title, tag and description against the
 * query, rarer words counting more (a word every tool has, like "gumloop",
 * says nothing).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "discovery.h"
#include "policy.h"
#include "util.h"

#define DEFAULT_LIMIT 10
#define MAX_LIMIT 100

/* ---- words -------------------------------------------------------------- */

/* A text as lowercase, stemmed words, each NUL-terminated, back to back. */
struct words {
	struct buf text;
	size_t n;
};

static int isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static char lower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Folds plurals so that "runs" finds "run" and "searches" "search". */
static void stem(char *w)
{
	size_t n = strlen(w);

	if (n > 4 && !strcmp(w + n - 3, "ies")) {
		strcpy(w + n - 3, "y");
	} else if (n > 4 && !strcmp(w + n - 2, "es") &&
		   (strchr("sxz", w[n - 3]) ||
		    (w[n - 3] == 'h' && strchr("cs", w[n - 4])))) {
		w[n - 2] = '\0';
	} else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's') {
		w[n - 1] = '\0';
	}
}

static void words_add(struct words *w, const char *s)
{
	char word[64];
	size_t len;

	while (s && *s) {
		for (len = 0; isalnum_ascii(*s); s++)
			if (len + 1 < sizeof(word))
				word[len++] = lower_ascii(*s);
		word[len] = '\0';
		if (len) {
			stem(word);
			buf_add(&w->text, word, strlen(word) + 1);
			w->n++;
		}
		while (*s && !isalnum_ascii(*s))
			s++;
	}
}

static void words_release(struct words *w)
{
	buf_release(&w->text);
	w->n = 0;
}

/* 1 for the word itself, 0.5 for a longer word it begins, else 0. */
static double words_match(const struct words *w, const char *q)
{
	const char *p = w->text.data;
	size_t i, qn = strlen(q);
	double best = 0;

	for (i = 0; i < w->n; i++, p += strlen(p) + 1) {
		if (!strcmp(p, q))
			return 1;
		if (qn >= 3 && !strncmp(p, q, qn))
			best = 0.5;
	}
	return best;
}

/* The fields of a tool, tokenised, weighted by how much a match says. */
enum { F_NAME, F_TITLE, F_TAG, F_DESCRIPTION, NFIELDS };
static const double field_weight[NFIELDS] = { 3, 2, 1, 1 };

struct tool_words {
	struct words field[NFIELDS];
};

static void tool_words_init(struct tool_words *tw, const struct tool_def *t)
{
	memset(tw, 0, sizeof(*tw));
	words_add(&tw->field[F_NAME], t->name);
	words_add(&tw->field[F_TITLE], t->title);
	words_add(&tw->field[F_TAG], t->tag);
	words_add(&tw->field[F_DESCRIPTION], t->description);
}

static void tool_words_release(struct tool_words *tw)
{
	int f;

	for (f = 0; f < NFIELDS; f++)
		words_release(&tw->field[f]);
}

/* ---- search ------------------------------------------------------------- */

struct hit {
	size_t index;		/* catalog order breaks ties */
	double score;
};

static int by_score(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->index < y->index ? -1 : 1;
}

/* How telling each query word is: log of its rarity over the catalog. */
static double *rarity(const struct tool_words *all, size_t ntools,
		      const struct words *query)
{
	double *idf = xcalloc(query->n ? query->n : 1, sizeof(*idf));
	const char *q = query->text.data;
	size_t i, k;
	int f;

	for (k = 0; k < query->n; k++, q += strlen(q) + 1) {
		size_t df = 0;

		for (i = 0; i < ntools; i++)
			for (f = 0; f < NFIELDS; f++)
				if (words_match(&all[i].field[f], q) > 0) {
					df++;
					break;
				}
		idf[k] = log(((double)ntools + 1) / ((double)df + 0.5));
	}
	return idf;
}

static double score(const struct tool_words *tw, const struct words *query,
		    const double *idf)
{
	const char *q = query->text.data;
	double sum = 0;
	size_t k;
	int f;

	for (k = 0; k < query->n; k++, q += strlen(q) + 1)
		for (f = 0; f < NFIELDS; f++)
			sum += idf[k] * field_weight[f] *
			       words_match(&tw->field[f], q);
	return sum;
}

static cJSON *hit_json(const struct tool_def *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "title", t->title);
	cJSON_AddStringToObject(o, "description", t->description);
	cJSON_AddStringToObject(o, "class", tool_access_str(t->access));
	return o;
}

static size_t catalog_size(void)
{
	size_t n = 0;

	while (tool_at(n))
		n++;
	return n;
}

/* Visible tools ranked against the query (all of them, in catalog order,
 * when the query has no words); returns how many hits were filled. */
static size_t rank(const struct words *query, struct hit *hits)
{
	size_t ntools = catalog_size(), i, nhits = 0;
	struct tool_words *all = xcalloc(ntools ? ntools : 1, sizeof(*all));
	double *idf;

	for (i = 0; i < ntools; i++)
		tool_words_init(&all[i], tool_at(i));
	idf = rarity(all, ntools, query);
	for (i = 0; i < ntools; i++) {
		double s = query->n ? score(&all[i], query, idf) : 0;

		if (!policy_hidden_by(tool_at(i)) && (s > 0 || !query->n)) {
			hits[nhits].index = i;
			hits[nhits++].score = s;
		}
	}
	qsort(hits, nhits, sizeof(*hits), by_score);
	for (i = 0; i < ntools; i++)
		tool_words_release(&all[i]);
	free(all);
	free(idf);
	return nhits;
}

static int search_tools(struct tool_call *call)
{
	double limit = tool_arg_num(call, "limit", DEFAULT_LIMIT);
	struct words query = { BUF_INIT, 0 };
	struct hit *hits;
	cJSON *result, *tools;
	size_t n, i;

	if (limit < 1 || limit > MAX_LIMIT)
		return tool_error(call, "invalid argument 'limit': give 1 to %d",
				  MAX_LIMIT);
	words_add(&query, tool_arg_str(call, "query"));
	hits = xcalloc(catalog_size() + 1, sizeof(*hits));
	n = rank(&query, hits);
	result = cJSON_CreateObject();
	tools = cJSON_AddArrayToObject(result, "tools");
	for (i = 0; i < n && i < (size_t)limit; i++)
		cJSON_AddItemToArray(tools, hit_json(tool_at(hits[i].index)));
	free(hits);
	words_release(&query);
	return tool_ok(call, result);
}

/* ---- schema ------------------------------------------------------------- */

/* The catalog tool called name if the filters show it; else a tool error
 * naming the filter, as a direct call would. */
static const struct tool_def *visible_tool(struct tool_call *call,
					   const char *name)
{
	const struct tool_def *t = tool_find(name);
	const char *filter = t ? policy_hidden_by(t) : NULL;

	if (!t)
		tool_error(call, "unknown tool '%s': find tool names with "
			   "search_gumloop_tools", name);
	else if (filter)
		tool_error(call, "tool '%s' is not available: hidden by %s in "
			   "this server's configuration", name, filter);
	return t && !filter ? t : NULL;
}

static int get_schema(struct tool_call *call)
{
	const struct tool_def *t = visible_tool(call, tool_arg_str(call, "name"));
	cJSON *result, *out;

	if (!t)
		return -1;
	result = cJSON_CreateObject();
	cJSON_AddStringToObject(result, "name", t->name);
	cJSON_AddItemToObject(result, "inputSchema",
			      cJSON_Duplicate(tool_input_schema(t), 1));
	out = tool_output_schema(t);
	cJSON_AddItemToObject(result, "outputSchema", out ?
			      cJSON_Duplicate(out, 1) : cJSON_CreateNull());
	return tool_ok(call, result);
}

/* ---- call --------------------------------------------------------------- */

int discovery_unwrap(const struct tool_def *def, const cJSON *args,
		     const char **target, const cJSON **target_args)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(args, "name");
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(args, "arguments");
	char *cause = NULL;

	if (!def || !(def->flags & T_DISPATCH))
		return 0;
	if (tool_check_args(def, args, &cause) < 0) {
		free(cause);
		return 0;
	}
	*target = name->valuestring;
	*target_args = inner;
	return 1;
}

/* tool_call_run() dispatches well-formed calls before any handler runs;
 * the argument checks refuse the others first. */
static int call_tool(struct tool_call *call)
{
	return tool_error(call, "internal error: call_gumloop_tool was not "
			  "dispatched; give 'name' (string) and 'arguments' "
			  "(object)");
}

void discovery_reach(int *read_only, int *destructive)
{
	const struct tool_def *t;
	size_t i;

	*read_only = 1;
	*destructive = 0;
	for (i = 0; (t = tool_at(i)); i++) {
		if (policy_hidden_by(t) || t->access == TOOL_READ)
			continue;
		*read_only = 0;
		*destructive |= !!(t->flags & T_DESTRUCTIVE);
	}
}

/* ---- the entries -------------------------------------------------------- */

static const struct param search_params[] = {
	{ "query", P_STRING, IN_LOCAL, REQUIRED,
	  "words to match in tool names and descriptions; none lists every "
	  "tool", NULL },
	{ "limit", P_INTEGER, IN_LOCAL, 0,
	  "at most this many tools (default 10)",
	  "{\"type\":\"integer\",\"minimum\":1,\"maximum\":100}" },
	{ 0 }
};

static const struct param schema_params[] = {
	{ "name", P_STRING, IN_LOCAL, REQUIRED,
	  "a name from search_gumloop_tools", NULL },
	{ 0 }
};

static const struct param call_params[] = {
	{ "name", P_STRING, IN_LOCAL, REQUIRED,
	  "a name from search_gumloop_tools", NULL },
	{ "arguments", P_OBJECT, IN_LOCAL, 0,
	  "its arguments, per get_gumloop_tool_schema", NULL },
	{ 0 }
};

static const char search_output[] =
	"{\"type\":\"object\",\"properties\":{\"tools\":{\"type\":\"array\","
	"\"items\":{\"type\":\"object\",\"properties\":{"
	"\"name\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},"
	"\"description\":{\"type\":\"string\"},"
	"\"class\":{\"type\":\"string\",\"enum\":[\"read\",\"write\","
	"\"custom\"]}},\"required\":[\"name\",\"title\",\"description\","
	"\"class\"]}}},\"required\":[\"tools\"]}";

static const char schema_output[] =
	"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
	"\"inputSchema\":{\"type\":\"object\"},"
	"\"outputSchema\":{\"type\":[\"object\",\"null\"]}},"
	"\"required\":[\"name\",\"inputSchema\",\"outputSchema\"]}";

const struct tool_def discovery_tools[] = {
	{ .name = "search_gumloop_tools", .title = "Search tools",
	  .description = "Find the Gumloop tools for a task (\"run a flow\", "
		"\"agent sessions\"): names, descriptions and access classes, "
		"best match first. get_gumloop_tool_schema then gives a tool's "
		"arguments; call_gumloop_tool runs it.",
	  .access = TOOL_READ, .tag = "discovery", .params = search_params,
	  .output_schema = search_output, .handler = search_tools },
	{ .name = "get_gumloop_tool_schema", .title = "Describe a tool",
	  .description = "The input schema (its arguments) and the output "
		"schema of one Gumloop tool found with search_gumloop_tools.",
	  .access = TOOL_READ, .tag = "discovery", .params = schema_params,
	  .output_schema = schema_output, .handler = get_schema },
	{ .name = "call_gumloop_tool", .title = "Call a tool",
	  .description = "Runs one Gumloop tool by name with its arguments and "
		"returns exactly what that tool returns. Write tools take "
		"idempotency_key and force inside 'arguments'.",
	  .access = TOOL_WRITE, .tag = "discovery", .params = call_params,
	  .flags = T_DISPATCH | T_DESTRUCTIVE, .handler = call_tool },
	{ 0 }
};

const struct tool_def *discovery_find(const char *name)
{
	size_t i;

	if (!cfg.discovery)
		return NULL;
	for (i = 0; discovery_tools[i].name; i++)
		if (!strcmp(discovery_tools[i].name, name))
			return &discovery_tools[i];
	return NULL;
}

int discovery_owns(const struct tool_def *def)
{
	size_t i;

	for (i = 0; discovery_tools[i].name; i++)
		if (def == &discovery_tools[i])
			return 1;
	return 0;
}
