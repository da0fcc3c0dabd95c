/*
 * The table walk: lookup, the schemas and annotations made from each entry,
 * the listing tools/list shows, and the argument checks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "discovery.h"
#include "json.h"
#include "policy.h"
#include "tool.h"
#include "util.h"

/* Schemas made once per process, indexed like tool_at(). */
struct schema_cache {
	cJSON *input;
	cJSON *output;
	int needs_fields;	/* the table's output schema had "required" */
	int built;
};
static struct schema_cache *cache;
static size_t ncache;
static cJSON *listing;
/* tools/list as compact text: the last page asked for, printed straight
 * from fresh descriptions (one tool's trees at a time) and kept, so a
 * repeated tools/list sends it without building anything. */
static struct {
	long offset, count;
	int titled;
	char *text;
} page_cache;
static long nlisted = -1;

/* The schema cache slot of def: the catalog's entries, then discovery's. */
static size_t tool_index(const struct tool_def *def)
{
	const struct tool_def *t;
	size_t i, k;

	for (i = 0; (t = tool_at(i)); i++)
		if (t == def)
			return i;
	for (k = 0; discovery_tools[k].name; k++)
		if (&discovery_tools[k] == def)
			return i + k;
	return (size_t)-1;
}

/* Walks what tools/list shows: the discovery tools in discovery mode, else
 * the catalog with the filters applied. */
static const struct tool_def *next_listed(size_t *i)
{
	const struct tool_def *t;

	if (cfg.discovery)
		return discovery_tools[*i].name ? &discovery_tools[(*i)++] : NULL;
	while ((t = tool_at((*i)++)))
		if (!policy_hidden_by(t))
			return t;
	return NULL;
}

const struct tool_def *tool_find(const char *name)
{
	const struct tool_def *t;
	size_t i;

	for (i = 0; (t = tool_at(i)); i++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

const char *tool_access_str(enum tool_access a)
{
	switch (a) {
	case TOOL_READ: return "read";
	case TOOL_WRITE: return "write";
	case TOOL_CUSTOM: return "custom";
	}
	return "read";
}

/* ---- schemas ---------------------------------------------------------- */

static const char *type_name(enum param_type t)
{
	static const char *const names[] = {
		"string", "integer", "number", "boolean", "object", "array",
	};
	return names[t];
}

/*
 * The arguments every entry of a kind takes, added from its flags. Their
 * meaning is the same for every tool, so the server's instructions give it
 * once (src/mcp.c) and each schema stays short: no description where the
 * name says enough.
 */
static const struct param legacy_scope_params[] = {
	{ "user_id", P_STRING, IN_LOCAL, 0, NULL, NULL },
	{ "project_id", P_STRING, IN_LOCAL, 0, NULL, NULL },
	{ 0 }
};
static const struct param team_scope_params[] = {
	{ "team_id", P_STRING, IN_LOCAL, 0, NULL, NULL },
	{ 0 }
};
static const struct param write_params[] = {
	{ "idempotency_key", P_STRING, IN_LOCAL, 0, NULL,
	  "{\"type\":\"string\",\"minLength\":1,\"maxLength\":128}" },
	{ "force", P_BOOLEAN, IN_LOCAL, 0, "skip the 10 s repeat guard", NULL },
	{ 0 }
};
static const struct param waitable_params[] = {
	{ "wait_seconds", P_INTEGER, IN_LOCAL, 0, "default 0",
	  "{\"type\":\"integer\",\"minimum\":0}" },
	{ 0 }
};
static const struct param wait_params[] = {
	{ "timeout_seconds", P_INTEGER, IN_LOCAL, 0, "default 50",
	  "{\"type\":\"integer\",\"minimum\":1}" },
	{ 0 }
};

/* The parameter lists of def, in order: its own, then the implied ones. */
static size_t param_lists(const struct tool_def *def, const struct param **lists)
{
	size_t n = 0;

	if (def->params)
		lists[n++] = def->params;
	if (def->scope == SCOPE_LEGACY)
		lists[n++] = legacy_scope_params;
	else if (def->scope == SCOPE_TEAM)
		lists[n++] = team_scope_params;
	if (def->access != TOOL_READ && !(def->flags & T_DISPATCH))
		lists[n++] = write_params;
	if (def->flags & T_WAITABLE)
		lists[n++] = waitable_params;
	if (def->flags & T_WAIT)
		lists[n++] = wait_params;
	return n;
}

const struct param *tool_param(const struct tool_def *def, const char *name)
{
	const struct param *lists[5], *p;
	size_t i, n = param_lists(def, lists);

	for (i = 0; i < n; i++)
		for (p = lists[i]; p->name; p++)
			if (!strcmp(p->name, name))
				return p;
	return NULL;
}

static cJSON *param_schema(const struct param *p)
{
	cJSON *s = p->schema ? cJSON_Parse(p->schema) : NULL;

	if (!s) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "type", type_name(p->type));
	}
	if (p->description && !cJSON_HasObjectItem(s, "description"))
		cJSON_AddStringToObject(s, "description", p->description);
	return s;
}

/* Moves the members of the JSON object text extra into schema. */
static cJSON *add_schema_extra(cJSON *schema, const char *extra)
{
	cJSON *members = extra ? cJSON_Parse(extra) : NULL, *m;

	while (members && (m = members->child)) {
		cJSON_DetachItemViaPointer(members, m);
		cJSON_DeleteItemFromObjectCaseSensitive(schema, m->string);
		cJSON_AddItemToObject(schema, m->string, m);
	}
	cJSON_Delete(members);
	return schema;
}

static cJSON *build_input_schema(const struct tool_def *def)
{
	const struct param *lists[5], *p;
	size_t i, n = param_lists(def, lists);
	cJSON *schema = cJSON_CreateObject(), *props, *required;

	cJSON_AddStringToObject(schema, "type", "object");
	props = cJSON_AddObjectToObject(schema, "properties");
	required = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		for (p = lists[i]; p->name; p++) {
			cJSON_AddItemToObject(props, p->name, param_schema(p));
			if (p->flags & REQUIRED)
				cJSON_AddItemToArray(required,
						     cJSON_CreateString(p->name));
		}
	}
	if (cJSON_GetArraySize(required))
		cJSON_AddItemToObject(schema, "required", required);
	else
		cJSON_Delete(required);
	cJSON_AddFalseToObject(schema, "additionalProperties");
	return add_schema_extra(schema, def->schema_extra);
}

/*
 * The listed schema leaves the table's top-level "required" out: a result
 * {"error": {...}} (interface.md) then validates as it is, without a
 * second branch for it in every tool. *needs_fields (when not NULL) tells
 * whether the table asked for fields: a success must carry them.
 */
static cJSON *build_output_schema(const struct tool_def *def, int *needs_fields)
{
	cJSON *schema, *required;

	if (needs_fields)
		*needs_fields = 0;
	if (!def->output_schema)
		return NULL;
	schema = cJSON_Parse(def->output_schema);
	if (!schema)
		return NULL;
	required = cJSON_DetachItemFromObjectCaseSensitive(schema, "required");
	if (needs_fields)
		*needs_fields = cJSON_GetArraySize(required) > 0;
	cJSON_Delete(required);
	return schema;
}

static struct schema_cache *cached(const struct tool_def *def)
{
	size_t i = tool_index(def);

	if (i == (size_t)-1)
		return NULL;
	if (!cache) {
		size_t k;

		while (tool_at(ncache))
			ncache++;
		for (k = 0; discovery_tools[k].name; k++)
			ncache++;
		cache = xcalloc(ncache, sizeof(*cache));
	}
	if (!cache[i].built) {
		cache[i].input = build_input_schema(def);
		cache[i].output = build_output_schema(def,
						      &cache[i].needs_fields);
		cache[i].built = 1;
	}
	return &cache[i];
}

cJSON *tool_input_schema(const struct tool_def *def)
{
	struct schema_cache *c = cached(def);

	return c ? c->input : NULL;
}

cJSON *tool_output_schema(const struct tool_def *def)
{
	struct schema_cache *c = cached(def);

	return c ? c->output : NULL;
}

int tool_output_needs_fields(const struct tool_def *def)
{
	struct schema_cache *c = cached(def);

	return c && c->needs_fields;
}

/*
 * Only the hints that differ from the spec's defaults (readOnly false,
 * destructive true, idempotent false, openWorld true): every tool reaches
 * Gumloop, so openWorldHint is never sent. with_title puts the title
 * here for clients older than 2025-06-18, which have no top-level title.
 * NULL when there is nothing to say.
 */
static cJSON *annotations(const struct tool_def *def, int with_title)
{
	cJSON *a = cJSON_CreateObject();
	int read = def->access == TOOL_READ;
	int destructive = !read && (def->flags & T_DESTRUCTIVE);

	/* call_gumloop_tool can do what the tools it reaches can do */
	if (def->flags & T_DISPATCH)
		discovery_reach(&read, &destructive);
	if (with_title)
		cJSON_AddStringToObject(a, "title", def->title);
	if (read)
		cJSON_AddTrueToObject(a, "readOnlyHint");
	else if (!destructive)
		cJSON_AddFalseToObject(a, "destructiveHint");
	if (!read && (def->flags & T_IDEMPOTENT))
		cJSON_AddTrueToObject(a, "idempotentHint");
	if (!a->child) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/*
 * With fresh, the schemas are built for this description alone (print it,
 * delete it: listing every tool then reuses one tool's memory instead of
 * faulting in the whole catalog's trees at start-up); else the
 * description owns copies of the cached ones.
 */
static cJSON *describe(const struct tool_def *def, int fresh, int with_title)
{
	cJSON *d = cJSON_CreateObject(), *a;
	cJSON *in = fresh ? build_input_schema(def)
			  : cJSON_Duplicate(tool_input_schema(def), 1);
	cJSON *out = fresh ? build_output_schema(def, NULL)
			   : cJSON_Duplicate(tool_output_schema(def), 1);

	cJSON_AddStringToObject(d, "name", def->name);
	if (!with_title)	/* else the annotations carry it */
		cJSON_AddStringToObject(d, "title", def->title);
	cJSON_AddStringToObject(d, "description", def->description);
	cJSON_AddItemToObject(d, "inputSchema", in);
	if (out)
		cJSON_AddItemToObject(d, "outputSchema", out);
	a = annotations(def, with_title);
	if (a)
		cJSON_AddItemToObject(d, "annotations", a);
	return d;
}

cJSON *tool_describe(const struct tool_def *def)
{
	return describe(def, 0, 0);
}

const cJSON *tool_listed(void)
{
	const struct tool_def *t;
	size_t i;

	if (listing)
		return listing;
	listing = cJSON_CreateArray();
	for (i = 0; (t = next_listed(&i));)
		cJSON_AddItemToArray(listing, tool_describe(t));
	return listing;
}

long tool_listed_count(void)
{
	size_t i = 0;

	if (nlisted < 0)
		for (nlisted = 0; next_listed(&i); nlisted++)
			;
	return nlisted;
}

const char *tool_listed_page(long offset, long count, int titled)
{
	struct buf page = BUF_INIT;
	const struct tool_def *t;
	size_t i = 0;
	long n;
	cJSON *d;
	char *text;

	if (page_cache.text && page_cache.offset == offset &&
	    page_cache.count == count && page_cache.titled == titled)
		return page_cache.text;
	buf_addstr(&page, "[");
	for (n = 0; n < offset + count && (t = next_listed(&i)); n++) {
		if (n < offset)
			continue;
		if (n > offset)
			buf_addstr(&page, ",");
		d = describe(t, 1, titled);
		text = cJSON_PrintUnformatted(d);
		buf_addstr(&page, text);
		free(text);
		cJSON_Delete(d);
	}
	buf_addstr(&page, "]");
	free(page_cache.text);
	page_cache.offset = offset;
	page_cache.count = count;
	page_cache.titled = titled;
	page_cache.text = buf_detach(&page, NULL);
	return page_cache.text;
}

void tool_cache_release(void)
{
	size_t i;

	free(page_cache.text);
	page_cache.text = NULL;
	nlisted = -1;

	for (i = 0; i < ncache; i++) {
		cJSON_Delete(cache[i].input);
		cJSON_Delete(cache[i].output);
	}
	free(cache);
	cache = NULL;
	ncache = 0;
	cJSON_Delete(listing);
	listing = NULL;
}

/* ---- argument checks -------------------------------------------------- */

static int type_matches(enum param_type t, const cJSON *v)
{
	switch (t) {
	case P_STRING: return cJSON_IsString(v);
	case P_INTEGER:
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       v->valuedouble == floor(v->valuedouble);
	case P_NUMBER: return cJSON_IsNumber(v) && isfinite(v->valuedouble);
	case P_BOOLEAN: return cJSON_IsBool(v);
	case P_OBJECT: return cJSON_IsObject(v);
	case P_ARRAY: return cJSON_IsArray(v);
	}
	return 0;
}

static char *known_names(const struct tool_def *def)
{
	const struct param *lists[5], *p;
	size_t i, n = param_lists(def, lists);
	struct buf b = BUF_INIT;

	for (i = 0; i < n; i++)
		for (p = lists[i]; p->name; p++)
			buf_addf(&b, "%s%s", b.len ? ", " : "", p->name);
	return buf_detach(&b, NULL);
}

static int check_one_of(const struct tool_def *def, const cJSON *args,
			char **cause)
{
	char *copy, *tok, *save = NULL;
	int found = 0;

	if (!def->one_of)
		return 0;
	copy = xstrdup(def->one_of);
	for (tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		found |= cJSON_HasObjectItem(args, tok);
	free(copy);
	if (found)
		return 0;
	*cause = xasprintf("missing argument: give one of %s", def->one_of);
	return -1;
}

int tool_check_args(const struct tool_def *def, const cJSON *args, char **cause)
{
	const struct param *lists[5], *p;
	size_t i, n = param_lists(def, lists);
	const cJSON *v;

	cJSON_ArrayForEach(v, args) {
		p = tool_param(def, v->string);
		if (!p) {
			char *names = known_names(def);

			*cause = xasprintf("unknown argument '%s': %s takes %s",
					   v->string, def->name, names);
			free(names);
			return -1;
		}
		if (!type_matches(p->type, v)) {
			*cause = xasprintf("invalid argument '%s': expected %s%s",
					   p->name, strchr("aeiou", *type_name(p->type)) ?
					   "an " : "a ", type_name(p->type));
			return -1;
		}
		if (p->type == P_STRING && !strcmp(p->name, "idempotency_key") &&
		    (strlen(v->valuestring) == 0 || strlen(v->valuestring) > 128)) {
			*cause = xstrdup("invalid argument 'idempotency_key': 1 to "
					 "128 characters");
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		for (p = lists[i]; p->name; p++) {
			v = cJSON_GetObjectItemCaseSensitive(args, p->name);
			if ((p->flags & REQUIRED) && !v) {
				*cause = xasprintf("missing required argument '%s' "
						   "(%s): %s", p->name,
						   type_name(p->type),
						   p->description);
				return -1;
			}
			if (v && p->in == IN_PATH && !*v->valuestring) {
				*cause = xasprintf("invalid argument '%s': must not "
						   "be empty", p->name);
				return -1;
			}
		}
	}
	return check_one_of(def, args, cause);
}
