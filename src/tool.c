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
	unsigned how;
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
		"value",
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
static const struct param user_scope_params[] = {
	{ "user_id", P_STRING, IN_LOCAL, 0, NULL, NULL },
	{ 0 }
};
static const struct param write_params[] = {
	/* told once in the instructions (src/mcp.c); the check still wants
	 * 1 to 128 characters */
	{ "idempotency_key", P_STRING, IN_LOCAL, 0, NULL, NULL },
	{ "force", P_BOOLEAN, IN_LOCAL, 0, NULL, NULL },
	{ 0 }
};
static const struct param waitable_params[] = {
	/* no bounds in the schema: wait_limit_s() clamps to 0..--max-wait */
	{ "wait_seconds", P_INTEGER, IN_LOCAL, 0, NULL, NULL },
	{ 0 }
};
static const struct param wait_params[] = {
	{ "timeout_seconds", P_INTEGER, IN_LOCAL, 0, NULL, NULL },
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
	else if (def->scope == SCOPE_TEAM || def->scope == SCOPE_TEAM_BODY)
		lists[n++] = team_scope_params;
	else if (def->scope == SCOPE_USER)
		lists[n++] = user_scope_params;
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

/* Ids are short (Gumloop's are some 20-40 characters): a bound in the
 * schema of those that go into a URL tells the model, and the check
 * refuses a runaway value before it reaches one. (The scope ids are left
 * out to keep the catalog small: a URL over its cap is refused anyway.) */
#define ID_MAX_LENGTH 256

static int is_url_id(const struct param *p)
{
	size_t n = strlen(p->name);

	return p->type == P_STRING && (p->in == IN_PATH || p->in == IN_QUERY) &&
	       n > 3 && !strcmp(p->name + n - 3, "_id");
}

/* "from list_all_gumloop_agents" for agent_id: the instructions say this
 * once for every such id, so the schema need not. */
static int says_the_obvious(const struct param *p)
{
	static const char prefix[] = "from list_all_gumloop_";
	size_t stem = strlen(p->name) - 3, n = sizeof(prefix) - 1;
	const char *d = p->description;

	return strlen(p->name) > 3 && !strcmp(p->name + stem, "_id") &&
	       !strncmp(d, prefix, n) && !strncmp(d + n, p->name, stem) &&
	       !strcmp(d + n + stem, "s");
}

static cJSON *param_schema(const struct param *p)
{
	cJSON *s = p->schema ? cJSON_Parse(p->schema) : NULL;

	if (!s) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "type", type_name(p->type));
	}
	if (is_url_id(p) && !cJSON_HasObjectItem(s, "maxLength"))
		cJSON_AddNumberToObject(s, "maxLength", ID_MAX_LENGTH);
	if (p->description && !cJSON_HasObjectItem(s, "description") &&
	    !says_the_obvious(p))
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
 * The listed schema names each member of a result but not its type: the
 * model reads the values themselves, and every byte of tools/list is
 * context (test/t-context.py). The table keeps the types, for the reader.
 */
static cJSON *untyped_members(cJSON *schema)
{
	cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(schema,
							       "properties"))
		while (m->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(m, m->child));
	return schema;
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
	return untyped_members(schema);
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
static cJSON *describe(const struct tool_def *def, int fresh, unsigned how)
{
	cJSON *d = cJSON_CreateObject(), *a;
	cJSON *in = fresh ? build_input_schema(def)
			  : cJSON_Duplicate(tool_input_schema(def), 1);
	cJSON *out = fresh ? build_output_schema(def, NULL)
			   : cJSON_Duplicate(tool_output_schema(def), 1);
	int with_title = how & LIST_TITLED;

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
	if ((how & LIST_TASKS) && tool_runs_as_task(def))
		cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "execution"),
					"taskSupport", "optional");
	return d;
}

int tool_runs_as_task(const struct tool_def *def)
{
	return (def->flags & (T_TASK | T_WAIT)) != 0;
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

const char *tool_listed_page(long offset, long count, unsigned how)
{
	struct buf page = BUF_INIT;
	const struct tool_def *t;
	size_t i = 0;
	long n;
	cJSON *d;
	char *text;

	if (page_cache.text && page_cache.offset == offset &&
	    page_cache.count == count && page_cache.how == how)
		return page_cache.text;
	buf_addstr(&page, "[");
	for (n = 0; n < offset + count && (t = next_listed(&i)); n++) {
		if (n < offset)
			continue;
		if (n > offset)
			buf_addstr(&page, ",");
		d = describe(t, 1, how);
		text = cJSON_PrintUnformatted(d);
		buf_addstr(&page, text);
		free(text);
		cJSON_Delete(d);
	}
	buf_addstr(&page, "]");
	free(page_cache.text);
	page_cache.offset = offset;
	page_cache.count = count;
	page_cache.how = how;
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

/* Whether the JSON type name admits v ("number" admits an integer). */
static int is_type(const char *name, const cJSON *v)
{
	if (!strcmp(name, "null"))
		return cJSON_IsNull(v);
	if (!strcmp(name, "integer"))
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       v->valuedouble == floor(v->valuedouble);
	if (!strcmp(name, "number"))
		return cJSON_IsNumber(v) && isfinite(v->valuedouble);
	if (!strcmp(name, "string"))
		return cJSON_IsString(v);
	if (!strcmp(name, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(name, "object"))
		return cJSON_IsObject(v);
	if (!strcmp(name, "array"))
		return cJSON_IsArray(v);
	return 0;
}

/* Adds the names of a schema's "type" (a string or a list) to out. */
static void schema_types(const cJSON *schema, struct buf *out)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	const cJSON *t, *branch;

	if (cJSON_IsString(type))
		buf_addf(out, "%s%s", out->len ? " or " : "", type->valuestring);
	if (!cJSON_IsArray(type))
		type = NULL;
	cJSON_ArrayForEach(t, type)
		if (cJSON_IsString(t))
			buf_addf(out, "%s%s", out->len ? " or " : "",
				 t->valuestring);
	cJSON_ArrayForEach(branch, cJSON_GetObjectItemCaseSensitive(schema,
								     "oneOf"))
		schema_types(branch, out);
}

/* The types a P_ANY parameter admits, "a or b" (caller frees). */
static char *any_types(const struct param *p)
{
	cJSON *schema = p->schema ? cJSON_Parse(p->schema) : NULL;
	struct buf out = BUF_INIT;

	schema_types(schema, &out);
	cJSON_Delete(schema);
	return buf_detach(&out, NULL);
}

static int any_matches(const struct param *p, const cJSON *v)
{
	char *types = any_types(p), *tok, *save = NULL;
	int found = !*types;

	for (tok = strtok_r(types, " ", &save); tok && !found;
	     tok = strtok_r(NULL, " ", &save))
		found = strcmp(tok, "or") && is_type(tok, v);
	free(types);
	return found;
}

static int type_matches(enum param_type t, const cJSON *v)
{
	return t == P_ANY || is_type(type_name(t), v);	/* P_ANY: any_matches() */
}

/* Characters (code points) of valid UTF-8, as maxLength counts them. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A string over the maxLength its listed schema gives. */
static int too_long(const struct tool_def *def, const struct param *p,
		    const cJSON *v, char **cause)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(
		tool_input_schema(def), "properties");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(props, p->name), "maxLength");
	size_t n;

	if (p->type != P_STRING || !cJSON_IsNumber(max))
		return 0;
	n = chars(v->valuestring);
	if ((double)n <= max->valuedouble)
		return 0;
	*cause = xasprintf("invalid argument '%s': at most %.0f characters, not "
			   "%zu", p->name, max->valuedouble, n);
	return -1;
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
		if (p->type == P_ANY && !any_matches(p, v)) {
			char *types = any_types(p);

			*cause = xasprintf("invalid argument '%s': expected %s",
					   p->name, types);
			free(types);
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
		if (too_long(def, p, v, cause) < 0)
			return -1;
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
