/*
 * Walks every entry of every tool table and proves it well formed: names,
 * texts, tags, methods, path placeholders against parameters, schemas, and
 * the access class against the verb and the hints.
 */
#include <ctype.h>
#include <string.h>
#include "policy.h"
#include "tool.h"
#include "tap.h"

static const char *const tags[] = {
	"flows", "files", "agents", "sessions", "skills", "artifacts", "mcp",
	"admin", "models", "brain", "browser", "evaluations",
};

static int valid_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int known_tag(const char *t)
{
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (t && !strcmp(t, tags[i]))
			return 1;
	return 0;
}

static int known_method(const char *m)
{
	return m && (!strcmp(m, "GET") || !strcmp(m, "POST") ||
		     !strcmp(m, "PUT") || !strcmp(m, "PATCH") ||
		     !strcmp(m, "DELETE"));
}

/* Every {name} in the path has a required IN_PATH string parameter. */
static int placeholders_declared(const struct tool_def *t)
{
	const char *p = t->path, *open, *close;
	char name[64];
	const struct param *prm;

	while ((open = strchr(p, '{'))) {
		close = strchr(open, '}');
		if (!close || (size_t)(close - open) > sizeof(name))
			return 0;
		memcpy(name, open + 1, (size_t)(close - open - 1));
		name[close - open - 1] = '\0';
		prm = tool_param(t, name);
		if (!prm || prm->in != IN_PATH || !(prm->flags & REQUIRED) ||
		    prm->type != P_STRING)
			return 0;
		p = close + 1;
	}
	return 1;
}

/* Every IN_PATH parameter appears in the path. */
static int path_params_used(const struct tool_def *t)
{
	const struct param *p;
	char needle[80];

	for (p = t->params; p && p->name; p++) {
		if (p->in != IN_PATH)
			continue;
		snprintf(needle, sizeof(needle), "{%s}", p->name);
		if (!strstr(t->path, needle))
			return 0;
	}
	return 1;
}

static int param_schemas_valid(const struct tool_def *t)
{
	static const char *const types[] = {
		"string", "integer", "number", "boolean", "object", "array",
	};
	const struct param *p;
	cJSON *s;
	const cJSON *type;
	int ok = 1;

	for (p = t->params; p && p->name && ok; p++) {
		/* a description where the name is not enough, always when
		 * required (the missing-argument error quotes it) */
		if ((p->description ? !*p->description : !!(p->flags & REQUIRED)) ||
		    !valid_name(p->name))
			return 0;
		if (!p->schema)
			continue;
		s = cJSON_Parse(p->schema);
		type = cJSON_GetObjectItemCaseSensitive(s, "type");
		/* P_ANY: the schema names the JSON types it admits */
		if (p->type == P_ANY)
			ok = cJSON_IsArray(type) ||
			     cJSON_HasObjectItem(s, "oneOf");
		else
			ok = cJSON_IsObject(s) && cJSON_IsString(type) &&
			     !strcmp(type->valuestring, types[p->type]);
		cJSON_Delete(s);
	}
	return ok;
}

/* Every name a "required" list holds, at the top or in an anyOf, oneOf
 * or allOf branch (schema_extra may add those), is a property. */
static int required_are_properties(const cJSON *schema)
{
	static const char *const branches[] = { "anyOf", "oneOf", "allOf" };
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *r, *alt;
	size_t i;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(schema, "required"))
		if (!cJSON_IsString(r) || !cJSON_HasObjectItem(props, r->valuestring))
			return 0;
	for (i = 0; i < sizeof(branches) / sizeof(branches[0]); i++)
		cJSON_ArrayForEach(alt, cJSON_GetObjectItemCaseSensitive(schema,
								 branches[i]))
			cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(
						   alt, "required"))
				if (!cJSON_IsString(r) ||
				    !cJSON_HasObjectItem(props, r->valuestring))
					return 0;
	return 1;
}

/* The top-level "required" is exactly the table's REQUIRED parameters. */
static int required_declared(const struct tool_def *t)
{
	const cJSON *schema = tool_input_schema(t), *r;
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const struct param *p;
	int n = 0;

	if (!required_are_properties(schema))
		return 0;
	for (p = t->params; p && p->name; p++) {
		if (!(p->flags & REQUIRED))
			continue;
		n++;
		cJSON_ArrayForEach(r, req)
			if (cJSON_IsString(r) && !strcmp(r->valuestring, p->name))
				break;
		if (!r)
			return 0;
	}
	return cJSON_GetArraySize(req) == n;
}

/* The checks above can fail: each rejects a schema made wrong on purpose. */
static void test_the_checks_themselves(void)
{
	static const char *const bad[] = {
		"{\"properties\":{\"a\":{}},\"required\":[\"a\",\"b\"]}",
		"{\"properties\":{\"a\":{}},\"anyOf\":[{\"required\":[\"c\"]}]}",
		"{\"properties\":{},\"required\":[1]}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *s = cJSON_Parse(bad[i]);

		CHECK(s && !required_are_properties(s), "the required check "
		      "rejects %s", bad[i]);
		cJSON_Delete(s);
	}
}

/* How many tools each tag has: a table cut short (a stray { 0 }) or an
 * entry lost in a merge shows here. Adding a tool adds one here. */
static const struct {
	const char *tag;
	size_t tools;
} per_tag[] = {
	{ "admin", 10 }, { "agents", 13 }, { "artifacts", 2 }, { "brain", 10 },
	{ "browser", 2 }, { "evaluations", 17 }, { "files", 4 }, { "flows", 8 },
	{ "mcp", 8 }, { "models", 3 }, { "sessions", 14 }, { "skills", 5 },
};

static void test_tools_per_tag(void)
{
	const struct tool_def *t;
	size_t i, k, n, all = 0;

	for (k = 0; k < sizeof(per_tag) / sizeof(per_tag[0]); k++) {
		for (i = 0, n = 0; (t = tool_at(i)); i++)
			n += t->tag && !strcmp(t->tag, per_tag[k].tag);
		CHECK(n == per_tag[k].tools, "tag %s has %zu tools (expected %zu)",
		      per_tag[k].tag, n, per_tag[k].tools);
		all += per_tag[k].tools;
	}
	for (i = 0; tool_at(i); i++)
		;
	CHECK(i == all, "the table has %zu tools (expected %zu)", i, all);
}

static int one_of_declared(const struct tool_def *t)
{
	char copy[128], *tok, *save = NULL;

	if (!t->one_of)
		return 1;
	snprintf(copy, sizeof(copy), "%s", t->one_of);
	for (tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		if (!tool_param(t, tok))
			return 0;
	return 1;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The verb of the name agrees with the access class and the hints. */
static int class_consistent(const struct tool_def *t)
{
	int reads = starts_with(t->name, "list_") || starts_with(t->name, "get_") ||
		    starts_with(t->name, "wait_") || starts_with(t->name, "search_") ||
		    starts_with(t->name, "download_");
	int destroys = starts_with(t->name, "delete_") ||
		       starts_with(t->name, "kill_") ||
		       starts_with(t->name, "cancel_");

	if (t->access == TOOL_READ)
		return reads && !(t->flags & T_DESTRUCTIVE) &&
		       !(t->flags & T_WAITABLE);
	if (reads)
		return 0;
	return !destroys || (t->flags & T_DESTRUCTIVE);
}

/* {"error": {...}} validates: nothing required at the top, and an anyOf
 * (if any) has the branch {"required": ["error"]}. */
static int admits_error(const cJSON *s)
{
	const cJSON *any = cJSON_GetObjectItemCaseSensitive(s, "anyOf"), *alt, *r;

	if (cJSON_HasObjectItem(s, "required") ||
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s,
							  "additionalProperties")))
		return 0;
	if (!any)
		return 1;
	cJSON_ArrayForEach(alt, any) {
		r = cJSON_GetObjectItemCaseSensitive(alt, "required");
		if (cJSON_GetArraySize(r) == 1 && cJSON_IsString(r->child) &&
		    !strcmp(r->child->valuestring, "error"))
			return 1;
	}
	return 0;
}

static int output_schema_valid(const struct tool_def *t)
{
	const cJSON *s = tool_output_schema(t), *type;

	if (!t->output_schema)
		return 1;
	type = cJSON_GetObjectItemCaseSensitive(s, "type");
	return cJSON_IsString(type) && !strcmp(type->valuestring, "object") &&
	       admits_error(s);
}

int main(void)
{
	const struct tool_def *t, *u;
	size_t i, j, count = 0;

	for (i = 0; (t = tool_at(i)); i++) {
		count++;
		CHECK(valid_name(t->name), "%s: name is 1-64 of [A-Za-z0-9_]", t->name);
		for (j = 0; j < i; j++) {
			u = tool_at(j);
			if (!strcmp(u->name, t->name))
				break;
		}
		CHECK(j == i, "%s: name is unique", t->name);
		CHECK(t->title && *t->title && t->description &&
		      strlen(t->description) >= 20, "%s: has title and description",
		      t->name);
		CHECK(known_tag(t->tag), "%s: tag '%s' is known", t->name, t->tag);
		CHECK(t->handler || (known_method(t->method) && t->path &&
				     t->path[0] == '/'),
		      "%s: method and path", t->name);
		CHECK(!t->path || (placeholders_declared(t) && path_params_used(t)),
		      "%s: path placeholders match IN_PATH parameters", t->name);
		CHECK(param_schemas_valid(t), "%s: parameter schemas", t->name);
		CHECK(tool_input_schema(t) && required_declared(t),
		      "%s: input schema and required keys", t->name);
		CHECK(one_of_declared(t), "%s: one_of names are parameters", t->name);
		CHECK(class_consistent(t), "%s: access class '%s' fits its verb "
		      "and hints", t->name, tool_access_str(t->access));
		CHECK(output_schema_valid(t), "%s: output schema parses, is an "
		      "object and admits the error shape", t->name);
		CHECK(tool_find(t->name) == t, "%s: found by name", t->name);
	}
	CHECK(count > 0, "the table has %zu tools", count);
	test_the_checks_themselves();
	test_tools_per_tag();
	tool_cache_release();
	return tap_done();
}
