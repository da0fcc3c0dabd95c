/*
 * Skills: reusable instructions (a SKILL.md, maybe with files) that agents
 * load. Create and update send a multipart/form-data upload; SKILL.md's
 * front matter and the 10 MB limit are checked here first, so a bad skill
 * is refused with the fix before anything is sent.
 */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "crypto.h"
#include "download.h"
#include "http.h"
#include "tool.h"
#include "util.h"
#include "zip.h"

#define SKILL_MAX_BYTES ((size_t)10 << 20)
#define SKILL_MD "SKILL.md"

static const char expected_form[] =
	"SKILL.md must begin with front matter like this:\n"
	"---\n"
	"name: my-skill\n"
	"description: What the skill does and when to use it\n"
	"---\n"
	"followed by the instructions in Markdown.";

/* ---- front matter ----------------------------------------------------- */

struct line_cursor {
	const char *pos;
	const char *end;
};

/* The next line without its \n or \r\n; 0 at the end of the text. */
static int next_line(struct line_cursor *c, const char **line, size_t *n)
{
	const char *nl;

	if (c->pos >= c->end)
		return 0;
	*line = c->pos;
	nl = memchr(c->pos, '\n', (size_t)(c->end - c->pos));
	*n = (size_t)((nl ? nl : c->end) - c->pos);
	c->pos = nl ? nl + 1 : c->end;
	if (*n && (*line)[*n - 1] == '\r')
		--*n;
	return 1;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		++*s;
		--*n;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		--*n;
}

static int is_fence(const char *line, size_t n)
{
	trim(&line, &n);
	return n == 3 && !memcmp(line, "---", 3);
}

/* When line is "key: value", points *value at the trimmed value. */
static int key_value(const char *line, size_t n, const char *key,
		     const char **value, size_t *vn)
{
	size_t k = strlen(key);

	if (n <= k || memcmp(line, key, k) || line[k] != ':')
		return 0;
	*value = line + k + 1;
	*vn = n - k - 1;
	trim(value, vn);
	return 1;
}

/* A value counts when it has text: not empty, not "" or ''. A block
 * scalar ("|" or ">") counts when its first line has text. */
enum value_kind { VALUE_EMPTY, VALUE_TEXT, VALUE_BLOCK };

static enum value_kind value_kind(const char *v, size_t n)
{
	if (!n || (n == 2 && (!memcmp(v, "\"\"", 2) || !memcmp(v, "''", 2))))
		return VALUE_EMPTY;
	return *v == '|' || *v == '>' ? VALUE_BLOCK : VALUE_TEXT;
}

/* What is wrong with the front matter of md, or NULL when it is fine. */
static const char *front_matter_problem(const char *md, size_t len)
{
	static const char *const keys[] = { "name", "description" };
	struct line_cursor c = { md, md + len };
	enum value_kind found[2] = { VALUE_EMPTY, VALUE_EMPTY };
	int block = -1, closed = 0;
	const char *line, *v;
	size_t n, vn, k;

	if (len >= 3 && !memcmp(md, "\xef\xbb\xbf", 3))
		c.pos += 3;
	if (!next_line(&c, &line, &n) || !is_fence(line, n))
		return "it does not start with a '---' line";
	while (next_line(&c, &line, &n)) {
		if (is_fence(line, n)) {
			closed = 1;
			break;
		}
		if (block >= 0 && n && (*line == ' ' || *line == '\t')) {
			trim(&line, &n);
			if (n)
				found[block] = VALUE_TEXT;
		}
		block = -1;
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			if (!key_value(line, n, keys[k], &v, &vn))
				continue;
			found[k] = value_kind(v, vn);
			if (found[k] == VALUE_BLOCK) {
				found[k] = VALUE_EMPTY;
				block = (int)k;
			}
		}
	}
	if (!closed)
		return "its front matter is not closed by a '---' line";
	if (found[0] != VALUE_TEXT)
		return "its front matter has no 'name' (or it is empty)";
	if (found[1] != VALUE_TEXT)
		return "its front matter has no 'description' (or it is empty)";
	return NULL;
}

/* ---- checks before upload --------------------------------------------- */

static int refuse(struct tool_call *call, const char *why)
{
	call->refused = 1;
	return tool_error(call, "%s refused, nothing was uploaded: %s",
			  call->def->name, why);
}

static int check_skill_md(struct tool_call *call, const char *md, size_t len,
			  const char *where)
{
	const char *problem = front_matter_problem(md, len);

	if (!problem)
		return 0;
	call->refused = 1;
	return tool_error(call, "%s refused, nothing was uploaded: %s %s.\n%s",
			  call->def->name, where, problem, expected_form);
}

static int check_size(struct tool_call *call, size_t len)
{
	if (len <= SKILL_MAX_BYTES)
		return 0;
	call->refused = 1;
	return tool_error(call, "%s refused, nothing was uploaded: the skill "
			  "is %zu bytes, over Gumloop's limit of %zu (10 MB); "
			  "leave large data out of the skill", call->def->name,
			  len, SKILL_MAX_BYTES);
}

static int root_skill_md(const char *name, size_t n)
{
	return zip_name_is(name, n, SKILL_MD);
}

/* "folder/SKILL.md": archives made by zipping a skill's folder. */
static int nested_skill_md(const char *name, size_t n)
{
	return zip_name_in_folder(name, n, SKILL_MD);
}

static int check_archive(struct tool_call *call, const unsigned char *zip,
			 size_t len)
{
	struct zip_entry e;
	unsigned char *md;
	size_t md_len = 0;
	int found = zip_find(zip, len, root_skill_md, &e), rc;

	if (found == 0)
		found = zip_find(zip, len, nested_skill_md, &e);
	if (found < 0)
		return refuse(call, "archive_base64 is not a zip archive "
			      "(.skill or .zip)");
	if (!found)
		return refuse(call, "the archive holds no SKILL.md at its root");
	md = zip_extract(&e, SKILL_MAX_BYTES, &md_len);
	if (!md)
		return refuse(call, "the archive's SKILL.md cannot be read "
			      "(damaged, or compressed other than stored or "
			      "deflated)");
	rc = check_skill_md(call, (const char *)md, md_len,
			    "the archive's SKILL.md:");
	free(md);
	return rc;
}

/* ---- upload ----------------------------------------------------------- */

static int send_skill(struct tool_call *call, const struct http_part *file)
{
	const char *team = tool_arg_str(call, "team_id");
	struct http_request req;
	cJSON *json = NULL;

	if (!team || !*team)
		team = cfg.team_id;
	http_request_init(&req, call->def->method);
	if (tool_build_request(call, NULL, NULL, &req) == 0) {
		/* multipart, not JSON: the builder's empty object goes */
		cJSON_Delete(req.json);
		req.json = NULL;
		req.parts = xcalloc(2, sizeof(*req.parts));
		req.parts[req.nparts++] = *file;
		if (team)
			req.parts[req.nparts++] = (struct http_part){
				"team_id", NULL, NULL, team, strlen(team) };
		json = tool_exchange(call, &req);
	}
	http_request_release(&req);
	return json ? tool_ok(call, json) : -1;
}

static int upload_skill_md(struct tool_call *call, const char *md)
{
	struct http_part part = { "files", SKILL_MD, "text/markdown", md,
				  strlen(md) };

	if (check_size(call, part.len) < 0 ||
	    check_skill_md(call, md, part.len, "skill_md:") < 0)
		return -1;
	return send_skill(call, &part);
}

static int upload_archive(struct tool_call *call, const char *b64)
{
	size_t len = strlen(b64), zip_len = 0;
	unsigned char *zip = NULL;
	struct http_part part = { "files", "skill.zip", "application/zip",
				  NULL, 0 };
	int rc = -1;

	/* base64 grows data by 4/3: refuse the hopeless before decoding */
	if (len / 4 * 3 > SKILL_MAX_BYTES + 3)
		return check_size(call, len / 4 * 3);
	zip = crypto_base64_decode(b64, len, &zip_len);
	if (!zip)
		return refuse(call, "archive_base64 is not valid base64");
	if (check_size(call, zip_len) == 0 &&
	    check_archive(call, zip, zip_len) == 0) {
		part.data = (const char *)zip;
		part.len = zip_len;
		rc = send_skill(call, &part);
	}
	free(zip);
	return rc;
}

static int upload_skill(struct tool_call *call)
{
	const char *md = tool_arg_str(call, "skill_md");
	const char *b64 = tool_arg_str(call, "archive_base64");

	if (md && b64)
		return refuse(call, "give skill_md or archive_base64, not both");
	return md ? upload_skill_md(call, md) : upload_archive(call, b64);
}

/* ---- the others ------------------------------------------------------- */

static int delete_skill(struct tool_call *call)
{
	struct http_request req;
	cJSON *json = NULL;

	http_request_init(&req, call->def->method);
	if (tool_build_request(call, NULL, NULL, &req) == 0)
		json = tool_exchange(call, &req);
	http_request_release(&req);
	if (!json)
		return -1;
	/* Gumloop may answer 204 with no body: deleted all the same. */
	if (!cJSON_GetArraySize(json))
		cJSON_AddTrueToObject(json, "deleted");
	return tool_ok(call, json);
}

static int get_skill(struct tool_call *call)
{
	return download_get(call, "gumloop://skills/", "skill_id");
}

/* ---- the table -------------------------------------------------------- */

static const char list_schema[] =
	"{\"type\":\"object\",\"properties\":{\"skills\":{\"type\":\"array\"},"
	"\"total_count\":{\"type\":[\"integer\",\"null\"]}},"
	"\"required\":[\"skills\"]}";

static const char skill_schema[] =
	"{\"type\":\"object\",\"properties\":{\"skill\":{\"type\":\"object\"}},"
	"\"required\":[\"skill\"]}";

static const char deleted_schema[] =
	"{\"type\":\"object\",\"properties\":{\"deleted\":{\"type\":\"boolean\"}},"
	"\"required\":[\"deleted\"]}";

#define SKILL_ID_PARAM(what) \
	{ "skill_id", P_STRING, IN_PATH, REQUIRED, \
	  what " (from list_all_gumloop_skills)", NULL }

#define CONTENT_PARAMS \
	{ "skill_md", P_STRING, IN_LOCAL, 0, \
	  "SKILL.md text with front matter (name, description)", NULL }, \
	{ "archive_base64", P_STRING, IN_LOCAL, 0, \
	  "or a .skill / .zip archive with SKILL.md at its root", NULL }

static const struct param list_params[] = {
	{ "search_query", P_STRING, IN_QUERY, 0,
	  "name or description contains", NULL },
	{ "sort_order", P_STRING, IN_QUERY, 0,
	  "default newest",
	  "{\"type\":\"string\",\"enum\":[\"newest\",\"popular\","
	  "\"most_used\"]}" },
	{ "creator_user_id", P_STRING, IN_QUERY, 0,
	  NULL, NULL },
	{ "agent_id", P_STRING, IN_QUERY, 0,
	  "attached to this agent", NULL },
	{ "related_server_id", P_STRING, IN_QUERY, 0,
	  NULL, NULL },
	{ "unused", P_BOOLEAN, IN_QUERY, 0,
	  "used by no agent", NULL },
	PAGE_PARAMS,
	{ 0 }
};

static const struct param create_params[] = {
	CONTENT_PARAMS,
	{ 0 }
};

static const struct param update_params[] = {
	SKILL_ID_PARAM("to replace"),
	CONTENT_PARAMS,
	{ 0 }
};

static const struct param delete_params[] = {
	SKILL_ID_PARAM("to delete"),
	{ 0 }
};

static const struct param get_params[] = {
	SKILL_ID_PARAM("to download"),
	{ "version_id", P_STRING, IN_QUERY, 0,
	  "default: the current one", NULL },
	DOWNLOAD_FETCH_PARAM,
	DOWNLOAD_MAX_BYTES_PARAM,
	{ 0 }
};

const struct tool_def skills_tools[] = {
	{ .name = "list_all_gumloop_skills", .title = "List skills",
	  .description = "List the team's skills (instructions agents "
		"load), a page at a time.",
	  .access = TOOL_READ, .tag = "skills", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/skills", .params = list_params,
	  .output_schema = list_schema },
	{ .name = "create_a_gumloop_skill", .title = "Create a skill",
	  .description = "Create a skill from skill_md or archive_base64 "
		"(10 MB at most).",
	  .access = TOOL_WRITE, .tag = "skills", .scope = SCOPE_TEAM,
	  .method = "POST", .path = "/skills", .params = create_params,
	  .one_of = "skill_md|archive_base64", .output_schema = skill_schema,
	  .handler = upload_skill },
	{ .name = "update_a_gumloop_skill_by_id", .title = "Replace a skill",
	  .description = "Replace a skill's files with skill_md or "
		"archive_base64 (a new version).",
	  .access = TOOL_WRITE, .tag = "skills", .scope = SCOPE_TEAM,
	  .method = "PATCH", .path = "/skills/{skill_id}",
	  .params = update_params, .one_of = "skill_md|archive_base64",
	  .output_schema = skill_schema, .handler = upload_skill },
	{ .name = "delete_a_gumloop_skill_by_id", .title = "Delete a skill",
	  .description = "Delete a skill; agents that use it lose it.",
	  .access = TOOL_WRITE, .tag = "skills", .scope = SCOPE_TEAM,
	  .method = "DELETE", .path = "/skills/{skill_id}",
	  .params = delete_params, .output_schema = deleted_schema,
	  .flags = T_DESTRUCTIVE | T_IDEMPOTENT, .handler = delete_skill },
	{ .name = "get_single_gumloop_skill_by_id", .title = "Download a skill",
	  .description = "Get a skill's signed download_url (.skill zip), "
		"or with fetch: true the archive itself.",
	  .access = TOOL_READ, .tag = "skills", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/skills/{skill_id}/download",
	  .params = get_params, .output_schema = DOWNLOAD_OUTPUT_SCHEMA,
	  .flags = T_DOWNLOAD, .handler = get_skill },
	{ 0 }
};
