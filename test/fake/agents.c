/*
 * agents.c: agents (gumloop-api.md 2.4) and the legacy start_agent /
 * agent_status conversation API (2.3).
 *
 * Agents are kept as JSON objects so PATCH is a merge.  Seeds: "Sales Ops
 * Agent" (agent_sales_ops, formats CRM exports), "Research Agent"
 * (agent_research, the owner of the artifacts seeds) and "Flaky Agent"
 * (agent_flaky, every turn fails).  Each has MCP server configs and a
 * version history; a PATCH adds a version.
 *
 * Gummies for start_agent: gummie_research (user-123's), gummie_private
 * (another user's: 403) and gummie_broken (every turn ends FAILED).  An
 * interaction is ASYNC_PROCESSING for agent_ms after each message, then
 * COMPLETED with response and messages, or FAILED with error_message.  A
 * continuation (same interaction_id) is refused with 409 until then.
 *
 * Knobs (POST /_fake/config): agent_ms (turns started after).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define MAX_SKILL_IDS 100

struct agent {
	cJSON *obj;		/* the agent object as GET shows it */
	cJSON *servers;		/* array of MCP server configs */
	cJSON *versions;	/* array of version objects, oldest first */
	int fails;
};

struct gummie {
	const char *id;
	const char *name;
	const char *owner;
	int fails;
};

struct interaction {
	char *id;
	const struct gummie *gummie;
	char *owner;
	cJSON *messages;	/* history so far */
	cJSON *pending;		/* the reply of the turn in progress */
	char *response;		/* the last reply, once COMPLETED */
	char *error;		/* once FAILED */
	long long created_ms;
	long long turn_start;
	long turn_ms;
	int turns;
};

static const struct gummie gummies[] = {
	{ "gummie_research", "Research Assistant", "user-123", 0 },
	{ "gummie_private", "Private Assistant", "user-999", 0 },
	{ "gummie_broken", "Broken Assistant", "user-123", 1 },
	{ 0 }
};

/* The connectors an agent may use: known, restricted or ambiguous. */
static const char *const known_servers[] = { "gmail", "slack", "crm", NULL };
#define RESTRICTED_SERVER "salesforce"
#define AMBIGUOUS_SERVER "notion"

static struct agent *agents;
static size_t nagents;
static struct interaction *interactions;
static size_t ninteractions;
static long agent_ms = 300;

/* ---- seeds ------------------------------------------------------------ */

static cJSON *creator(void)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "id", "user-123");
	cJSON_AddStringToObject(c, "first_name", "Sam");
	cJSON_AddStringToObject(c, "last_name", "Rivera");
	cJSON_AddStringToObject(c, "email", "sam@example.com");
	cJSON_AddNullToObject(c, "profile_picture");
	return c;
}

static cJSON *version_of(const cJSON *agent, int major, int deployed)
{
	cJSON *v = cJSON_CreateObject(), *comp;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(agent, "id");
	char vid[128];
	static const char *const copied[] = {
		"name", "description", "model_name", "system_prompt", "tools",
		"resources", "metadata", "skill_ids", NULL,
	};
	const char *const *k;

	snprintf(vid, sizeof(vid), "%s_v%d", id->valuestring, major);
	cJSON_AddStringToObject(v, "id", vid);
	cJSON_AddStringToObject(v, "agent_id", id->valuestring);
	cJSON_AddNumberToObject(v, "major_version", major);
	cJSON_AddItemToObject(v, "name", cJSON_Duplicate(
		cJSON_GetObjectItemCaseSensitive(agent, "name"), 1));
	cJSON_AddBoolToObject(v, "is_deployed", deployed);
	cJSON_AddStringToObject(v, "created_at", "2025-02-01T10:00:00Z");
	cJSON_AddItemToObject(v, "creator", creator());
	comp = cJSON_AddObjectToObject(v, "composition");
	cJSON_AddTrueToObject(comp, "complete");
	cJSON_AddNumberToObject(comp, "schema_version", 1);
	for (k = copied; *k; k++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(agent, *k);

		cJSON_AddItemToObject(comp, *k, f ? cJSON_Duplicate(f, 1)
						 : cJSON_CreateNull());
	}
	cJSON_AddItemToObject(comp, "knowledge_sources", cJSON_CreateArray());
	return v;
}

static cJSON *server_config(const char *id, const char *mode)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "server_id", id);
	cJSON_AddStringToObject(s, "approval_mode", mode);
	cJSON_AddItemToObject(s, "allowed_tools", cJSON_CreateArray());
	return s;
}

static struct agent *add_agent(cJSON *obj)
{
	struct agent *a;

	agents = fake_xrealloc(agents, (nagents + 1) * sizeof(*agents));
	a = &agents[nagents++];
	memset(a, 0, sizeof(*a));
	a->obj = obj;
	a->servers = cJSON_CreateArray();
	a->versions = cJSON_CreateArray();
	cJSON_AddItemToArray(a->versions, version_of(obj, 1, 1));
	return a;
}

static cJSON *agent_obj(const char *id, const char *name, const char *desc,
			const char *prompt)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "name", name);
	cJSON_AddStringToObject(a, "description", desc);
	cJSON_AddStringToObject(a, "team_id", "team_growth");
	cJSON_AddTrueToObject(a, "is_active");
	cJSON_AddStringToObject(a, "model_name", "claude-sonnet-4");
	cJSON_AddStringToObject(a, "system_prompt", prompt);
	cJSON_AddItemToObject(a, "tools", cJSON_CreateArray());
	cJSON_AddItemToObject(a, "resources", cJSON_CreateArray());
	cJSON_AddItemToObject(a, "skill_ids", cJSON_CreateArray());
	cJSON_AddObjectToObject(a, "metadata");
	cJSON_AddNullToObject(a, "folder_id");
	cJSON_AddStringToObject(a, "type", "internal");
	cJSON_AddStringToObject(a, "created_at", "2025-02-01T10:00:00Z");
	cJSON_AddNumberToObject(a, "active_trigger_count", 0);
	cJSON_AddItemToObject(a, "creator", creator());
	return a;
}

static void seed_agents(void)
{
	struct agent *a;

	a = add_agent(agent_obj("agent_sales_ops", "Sales Ops Agent",
		"Cleans and formats CRM exports for the sales team",
		"You format raw CRM exports into clean tables."));
	cJSON_AddItemToArray(a->servers, server_config("crm", "auto"));
	cJSON_AddItemToArray(a->servers, server_config("gmail", "ask"));
	cJSON_ReplaceItemInObjectCaseSensitive(a->obj, "skill_ids",
		cJSON_CreateStringArray((const char *[]){ "skill_csv" }, 1));
	cJSON_AddItemToArray(a->versions, version_of(a->obj, 2, 1));
	cJSON_ReplaceItemInObjectCaseSensitive(
		cJSON_GetArrayItem(a->versions, 0), "is_deployed",
		cJSON_CreateFalse());
	a = add_agent(agent_obj("agent_research", "Research Agent",
		"Researches markets and writes reports",
		"You research and report."));
	cJSON_AddItemToArray(a->servers, server_config("slack", "auto"));
	a = add_agent(agent_obj("agent_flaky", "Flaky Agent",
		"An agent whose every turn fails", "You fail."));
	a->fails = 1;
}

/* ---- replies (shared with sessions.c) ---------------------------------- */

static int mentions(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (; *text; text++)
		if (!strncasecmp(text, word, n))
			return 1;
	return 0;
}

char *fake_agent_reply(const char *agent_name, const char *input, int turn)
{
	static const char crm_table[] =
		"Formatted CRM export (3 records):\n"
		"| Name | Company | Stage | Amount |\n"
		"|---|---|---|---|\n"
		"| Ada Lovelace | Analytical Engines | Closed Won | $12,000 |\n"
		"| Grace Hopper | Compiler Corp | Negotiation | $8,500 |\n"
		"| Alan Turing | Enigma Ltd | Prospecting | $3,200 |";
	size_t n;
	char *out;

	if (mentions(input, "crm"))
		return fake_xstrdup(crm_table);
	n = strlen(agent_name) + strlen(input) + 64;
	out = fake_xmalloc(n);
	snprintf(out, n, "%s (turn %d): done with \"%.200s\"", agent_name,
		 turn, input);
	return out;
}

/* ---- agents ------------------------------------------------------------ */

/* is_active: false retires an agent for good: it is gone from the list,
 * and GET and PATCH answer 404 (no way back through the API). */
static int retired(const struct agent *a)
{
	return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(a->obj,
							      "is_active"));
}

static struct agent *find_agent(const char *id)
{
	size_t i;

	for (i = 0; id && i < nagents; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(agents[i].obj,
								  "id");
		if (!strcmp(v->valuestring, id))
			return retired(&agents[i]) ? NULL : &agents[i];
	}
	return NULL;
}

const char *fake_agent_name(const char *id, int *fails)
{
	struct agent *a = find_agent(id);

	if (!a)
		return NULL;
	if (fails)
		*fails = a->fails;
	return cJSON_GetObjectItemCaseSensitive(a->obj, "name")->valuestring;
}

static struct agent *agent_or_404(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = find_agent(fake_param(req, "agent_id"));

	if (!a)
		fake_error_new(resp, 404, "agent_not_found",
			       "no agent with this id", "not_found_error");
	return a;
}

static void answer_agent(struct fake_resp *resp, int status,
			 const struct agent *a)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "agent", cJSON_Duplicate(a->obj, 1));
	fake_json(resp, status, root);
}

static void list_agents(struct fake_req *req, struct fake_resp *resp)
{
	const char *search = fake_query(req, "search");
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "agents"), *copy;
	size_t i;

	for (i = 0; i < nagents; i++) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(
			agents[i].obj, "name");

		if (retired(&agents[i]) ||
		    (search && !mentions(name->valuestring, search)))
			continue;
		copy = cJSON_Duplicate(agents[i].obj, 1);
		cJSON_ReplaceItemInObjectCaseSensitive(copy, "skill_ids",
						       cJSON_CreateNull());
		cJSON_AddItemToArray(list, copy);
	}
	cJSON_AddNullToObject(root, "next_cursor");
	fake_json(resp, 200, root);
}

static void get_agent(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);

	if (a)
		answer_agent(resp, 200, a);
}

/* The fields POST and PATCH may set, with their JSON types. */
static const struct { const char *name; int type; } agent_fields[] = {
	{ "name", cJSON_String }, { "model_name", cJSON_String },
	{ "description", cJSON_String }, { "system_prompt", cJSON_String },
	{ "tools", cJSON_Array }, { "resources", cJSON_Array },
	{ "metadata", cJSON_Object }, { "folder_id", cJSON_String },
	{ "is_active", cJSON_True | cJSON_False },
	{ NULL, 0 }
};

/* Copies the settable fields of body into obj; -1 after a 400. */
static int apply_fields(cJSON *obj, const cJSON *body, struct fake_resp *resp)
{
	size_t i;

	for (i = 0; agent_fields[i].name; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			body, agent_fields[i].name);

		if (!v)
			continue;
		if (!(v->type & agent_fields[i].type)) {
			fake_error_new(resp, 400, "invalid_request",
				       "a field has the wrong type",
				       "invalid_request_error");
			return -1;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(obj,
							agent_fields[i].name);
		cJSON_AddItemToObject(obj, agent_fields[i].name,
				      cJSON_Duplicate(v, 1));
	}
	return 0;
}

/* Skill ids in this fake are "skill_..."; -1 after a 400 naming the rest. */
static int check_skill_ids(const cJSON *ids, struct fake_resp *resp)
{
	cJSON *root, *err, *bad = cJSON_CreateArray();
	const cJSON *id;

	cJSON_ArrayForEach(id, ids)
		if (!cJSON_IsString(id) || strncmp(id->valuestring, "skill_", 6))
			cJSON_AddItemToArray(bad, cJSON_Duplicate(id, 1));
	if (!cJSON_GetArraySize(bad)) {
		cJSON_Delete(bad);
		return 0;
	}
	root = cJSON_CreateObject();
	err = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(err, "code", "skill_not_found");
	cJSON_AddStringToObject(err, "message", "one or more skills do not exist");
	cJSON_AddStringToObject(err, "type", "invalid_request_error");
	cJSON_AddStringToObject(err, "param", "skill_ids");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(err, "details"),
			      "skill_ids", bad);
	fake_json(resp, 400, root);
	return -1;
}

static void create_agent(struct fake_req *req, struct fake_resp *resp)
{
	const char *name = fake_body_str(req, "name");
	const char *model = fake_body_str(req, "model_name");
	const char *id = fake_body_str(req, "agent_id");
	const cJSON *skills = cJSON_GetObjectItemCaseSensitive(req->json,
							       "skill_ids");
	char *new_id;
	cJSON *obj;

	if (!name || !*name || !model || !*model) {
		fake_error_new(resp, 400, "invalid_request",
			       "name and model_name are required",
			       "invalid_request_error");
		return;
	}
	if (skills && check_skill_ids(skills, resp))
		return;
	if (id && find_agent(id)) {
		fake_error_new(resp, 409, "agent_already_exists",
			       "an agent has this id", "conflict_error");
		return;
	}
	new_id = id ? fake_xstrdup(id) : fake_new_id("agent");
	obj = agent_obj(new_id, name, "", "");
	free(new_id);
	if (apply_fields(obj, req->json, resp)) {
		cJSON_Delete(obj);
		return;
	}
	if (skills)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, "skill_ids",
			cJSON_Duplicate(skills, 1));
	if (fake_arg(req, "team_id"))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, "team_id",
			cJSON_CreateString(fake_arg(req, "team_id")));
	answer_agent(resp, 201, add_agent(obj));
}

static void add_version(struct agent *a)
{
	int n = cJSON_GetArraySize(a->versions);

	cJSON_AddItemToArray(a->versions, version_of(a->obj, n + 1, 0));
}

static void update_agent(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	const cJSON *team;

	if (!a)
		return;
	if (!cJSON_IsObject(req->json)) {
		fake_error_new(resp, 400, "invalid_request",
			       "body must be a JSON object",
			       "invalid_request_error");
		return;
	}
	if (apply_fields(a->obj, req->json, resp))
		return;
	team = cJSON_GetObjectItemCaseSensitive(req->json, "team_id");
	if (cJSON_IsString(team))	/* moves the agent to that team */
		cJSON_ReplaceItemInObjectCaseSensitive(a->obj, "team_id",
						cJSON_CreateString(team->valuestring));
	add_version(a);
	answer_agent(resp, 200, a);
}

static int has_string(const cJSON *list, const char *s)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, list)
		if (cJSON_IsString(v) && !strcmp(v->valuestring, s))
			return 1;
	return 0;
}

static void remove_string(cJSON *list, const char *s)
{
	cJSON *v;

	cJSON_ArrayForEach(v, list) {
		if (cJSON_IsString(v) && !strcmp(v->valuestring, s)) {
			cJSON_DetachItemViaPointer(list, v);
			cJSON_Delete(v);
			return;
		}
	}
}

static int bad_skill_delta(const cJSON *attach, const cJSON *detach,
			   struct fake_resp *resp)
{
	const cJSON *v;
	const char *why = NULL;

	if ((attach && !cJSON_IsArray(attach)) ||
	    (detach && !cJSON_IsArray(detach)))
		why = "attach and detach must be arrays of skill ids";
	else if (!cJSON_GetArraySize(attach) && !cJSON_GetArraySize(detach))
		why = "give attach or detach";
	else if (cJSON_GetArraySize(attach) + cJSON_GetArraySize(detach) >
		 MAX_SKILL_IDS)
		why = "at most 100 skill ids";
	cJSON_ArrayForEach(v, attach)
		if (!why && cJSON_IsString(v) && has_string(detach, v->valuestring))
			why = "a skill id is in both attach and detach";
	if (why)
		fake_error_new(resp, 400, "invalid_request", why,
			       "invalid_request_error");
	return why != NULL;
}

static void update_skills(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	const cJSON *attach = cJSON_GetObjectItemCaseSensitive(req->json, "attach");
	const cJSON *detach = cJSON_GetObjectItemCaseSensitive(req->json, "detach");
	cJSON *ids, *root, *lists[4];
	const cJSON *v;

	if (!a || bad_skill_delta(attach, detach, resp) ||
	    check_skill_ids(attach, resp))
		return;
	ids = cJSON_GetObjectItemCaseSensitive(a->obj, "skill_ids");
	root = cJSON_CreateObject();
	lists[0] = cJSON_CreateArray();
	lists[1] = cJSON_CreateArray();
	lists[2] = cJSON_CreateArray();
	lists[3] = cJSON_CreateArray();
	cJSON_ArrayForEach(v, attach) {
		int had = has_string(ids, v->valuestring);

		if (!had)
			cJSON_AddItemToArray(ids, cJSON_Duplicate(v, 1));
		cJSON_AddItemToArray(lists[had ? 2 : 0], cJSON_Duplicate(v, 1));
	}
	cJSON_ArrayForEach(v, detach) {
		int had = cJSON_IsString(v) && has_string(ids, v->valuestring);

		if (had)
			remove_string(ids, v->valuestring);
		cJSON_AddItemToArray(lists[had ? 1 : 3], cJSON_Duplicate(v, 1));
	}
	cJSON_AddStringToObject(root, "agent_id", fake_param(req, "agent_id"));
	cJSON_AddItemToObject(root, "skill_ids", cJSON_Duplicate(ids, 1));
	cJSON_AddItemToObject(root, "attached", lists[0]);
	cJSON_AddItemToObject(root, "detached", lists[1]);
	cJSON_AddItemToObject(root, "already_attached", lists[2]);
	cJSON_AddItemToObject(root, "already_detached", lists[3]);
	fake_json(resp, 200, root);
}

static void list_servers(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	cJSON *root;

	if (!a)
		return;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "agent_id", fake_param(req, "agent_id"));
	cJSON_AddItemToObject(root, "mcp_servers", cJSON_Duplicate(a->servers, 1));
	fake_json(resp, 200, root);
}

static cJSON *find_server(const struct agent *a, const char *id)
{
	cJSON *s;

	cJSON_ArrayForEach(s, a->servers) {
		const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s, "server_id");

		if (!strcmp(sid->valuestring, id))
			return s;
	}
	return NULL;
}

/* -1 after answering when server_id may not be attached. */
static int server_refused(const char *id, struct fake_resp *resp)
{
	const char *const *k;

	if (!strcmp(id, RESTRICTED_SERVER)) {
		fake_error_new(resp, 403, "mcp_server_restricted",
			       "your organization restricts this MCP server",
			       "permission_error");
		return -1;
	}
	if (!strcmp(id, AMBIGUOUS_SERVER)) {
		fake_error_new(resp, 409, "ambiguous_mcp_server",
			       "more than one MCP server matches this id",
			       "conflict_error");
		return -1;
	}
	for (k = known_servers; *k; k++)
		if (!strcmp(*k, id))
			return 0;
	fake_error_new(resp, 404, "mcp_server_not_found",
		       "no MCP server with this id", "not_found_error");
	return -1;
}

static void put_server(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	const char *id = fake_param(req, "server_id");
	cJSON *cfg, *root, *it;
	int created;

	if (!a || server_refused(id, resp))
		return;
	cfg = find_server(a, id);
	created = cfg == NULL;
	if (created) {
		cfg = server_config(id, "ask");
		cJSON_AddItemToArray(a->servers, cfg);
	}
	cJSON_ArrayForEach(it, req->json) {
		if (!strcmp(it->string, "server_id") ||
		    !strcmp(it->string, "agent_id"))
			continue;	/* identity keys are ignored */
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, it->string);
		cJSON_AddItemToObject(cfg, it->string, cJSON_Duplicate(it, 1));
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "agent_id", fake_param(req, "agent_id"));
	cJSON_AddItemToObject(root, "mcp_server", cJSON_Duplicate(cfg, 1));
	cJSON_AddBoolToObject(root, "created", created);
	cJSON_AddStringToObject(root, "auth_status",
				strcmp(id, "slack") ? "connected"
						    : "unauthenticated");
	fake_json(resp, 200, root);
}

static void delete_server(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	const char *id = fake_param(req, "server_id");
	cJSON *cfg, *root;

	if (!a)
		return;
	cfg = find_server(a, id);
	if (cfg) {
		cJSON_DetachItemViaPointer(a->servers, cfg);
		cJSON_Delete(cfg);
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "agent_id", fake_param(req, "agent_id"));
	cJSON_AddStringToObject(root, "server_id", id);
	cJSON_AddBoolToObject(root, "detached", cfg != NULL);
	fake_json(resp, 200, root);
}

static void list_versions(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	cJSON *root, *list;
	size_t start, end, i, n;

	if (!a)
		return;
	n = (size_t)cJSON_GetArraySize(a->versions);
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "versions");
	if (fake_page(req, resp, n, 20, root, &start, &end)) {
		cJSON_Delete(root);
		return;
	}
	for (i = start; i < end; i++) {	/* newest first */
		cJSON *v = cJSON_Duplicate(cJSON_GetArrayItem(a->versions,
					   (int)(n - 1 - i)), 1);

		cJSON_DeleteItemFromObjectCaseSensitive(v, "composition");
		cJSON_AddItemToArray(list, v);
	}
	fake_json(resp, 200, root);
}

static void get_version(struct fake_req *req, struct fake_resp *resp)
{
	struct agent *a = agent_or_404(req, resp);
	const char *vid = fake_param(req, "version_id");
	const cJSON *v;
	cJSON *root;

	if (!a)
		return;
	cJSON_ArrayForEach(v, a->versions) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id");

		if (strcmp(id->valuestring, vid))
			continue;
		root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "version", cJSON_Duplicate(v, 1));
		cJSON_AddNullToObject(root, "changes");
		fake_json(resp, 200, root);
		return;
	}
	fake_error_new(resp, 404, "version_not_found",
		       "no version with this id", "not_found_error");
}

/* ---- start_agent / agent_status ----------------------------------------- */

static const struct gummie *find_gummie(const char *id)
{
	const struct gummie *g;

	for (g = gummies; id && g->id; g++)
		if (!strcmp(g->id, id))
			return g;
	return NULL;
}

static struct interaction *find_interaction(const char *id)
{
	size_t i;

	for (i = 0; id && i < ninteractions; i++)
		if (!strcmp(interactions[i].id, id))
			return &interactions[i];
	return NULL;
}

static const char *owner_of(const struct fake_req *req)
{
	return req->user_id ? req->user_id : req->project_id;
}

cJSON *fake_message(const char *role, const char *text, long long ms,
		    const char *time_key)
{
	cJSON *m = cJSON_CreateObject(), *part;
	char *id = fake_new_id("msg"), *ts = fake_iso_time(ms);

	cJSON_AddStringToObject(m, "id", id);
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", text);
	cJSON_AddStringToObject(m, time_key, ts);
	part = cJSON_CreateObject();
	cJSON_AddStringToObject(part, "id", id);
	cJSON_AddStringToObject(part, "type", "text");
	cJSON_AddStringToObject(part, "text", text);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "parts"), part);
	free(id);
	free(ts);
	return m;
}

/* Ends the turn in progress once its time is up. */
static void settle(struct interaction *ix, long long now)
{
	const cJSON *text;

	if (!ix->pending || now < ix->turn_start + ix->turn_ms)
		return;
	if (ix->gummie->fails) {
		free(ix->error);
		ix->error = fake_xstrdup("agent run failed: the model provider "
					 "returned an error (rate limited)");
		cJSON_Delete(ix->pending);
	} else {
		text = cJSON_GetObjectItemCaseSensitive(ix->pending, "content");
		free(ix->response);
		ix->response = fake_xstrdup(text->valuestring);
		cJSON_AddItemToArray(ix->messages, ix->pending);
	}
	ix->pending = NULL;
}

static void begin_turn(struct interaction *ix, const char *message)
{
	long long now = fake_now_ms();
	char *reply;

	ix->turns++;
	free(ix->error);
	free(ix->response);
	ix->error = ix->response = NULL;
	cJSON_AddItemToArray(ix->messages,
			     fake_message("user", message, now, "timestamp"));
	reply = fake_agent_reply(ix->gummie->name, message, ix->turns);
	ix->pending = fake_message("assistant", reply, now + agent_ms,
				   "timestamp");
	free(reply);
	ix->turn_start = now;
	ix->turn_ms = agent_ms;
}

static struct interaction *new_interaction(const struct gummie *g,
					   const char *owner)
{
	struct interaction *ix;

	interactions = fake_xrealloc(interactions, (ninteractions + 1) *
				     sizeof(*interactions));
	ix = &interactions[ninteractions++];
	memset(ix, 0, sizeof(*ix));
	ix->id = fake_new_id("interaction");
	ix->gummie = g;
	ix->owner = fake_xstrdup(owner);
	ix->messages = cJSON_CreateArray();
	ix->created_ms = fake_now_ms();
	return ix;
}

/* The conversation to continue, or NULL after answering its error. */
static struct interaction *continuation(struct fake_req *req,
					struct fake_resp *resp,
					const struct gummie *g, const char *id)
{
	struct interaction *ix = find_interaction(id);

	if (!ix) {
		fake_error_legacy(resp, 404, "interaction_not_found");
		return NULL;
	}
	if (strcmp(ix->owner, owner_of(req))) {
		fake_error_legacy(resp, 403, "unauthorized_interaction_access");
		return NULL;
	}
	if (ix->gummie != g) {
		fake_error_legacy(resp, 400, "interaction_gummie_mismatch");
		return NULL;
	}
	settle(ix, fake_now_ms());
	if (ix->pending) {
		fake_error_legacy(resp, 409, "interaction_not_in_terminal_state");
		return NULL;
	}
	return ix;
}

static void start_agent(struct fake_req *req, struct fake_resp *resp)
{
	const char *gid = fake_body_str(req, "gummie_id");
	const char *message = fake_body_str(req, "message");
	const char *iid = fake_body_str(req, "interaction_id");
	const struct gummie *g = find_gummie(gid);
	struct interaction *ix;
	cJSON *root;

	if (!gid || !*gid) {
		fake_error_legacy(resp, 400, "gummie_id is required");
		return;
	}
	if (!message || !*message) {
		fake_error_legacy(resp, 400, "message is required");
		return;
	}
	if (!g) {
		fake_error_legacy(resp, 404, "gummie_not_found");
		return;
	}
	ix = iid ? continuation(req, resp, g, iid) : NULL;
	if (iid && !ix)
		return;
	if (strcmp(g->owner, owner_of(req)) && req->user_id) {
		fake_error_legacy(resp, 403, "unauthorized_gummie_access");
		return;
	}
	if (!ix)
		ix = new_interaction(g, owner_of(req));
	begin_turn(ix, message);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "interaction_id", ix->id);
	cJSON_AddStringToObject(root, "status", "processing");
	fake_json(resp, 202, root);
}

static void agent_status(struct fake_req *req, struct fake_resp *resp)
{
	struct interaction *ix = find_interaction(fake_param(req, "interaction_id"));
	cJSON *root;
	char *ts;

	if (!ix) {
		fake_error_legacy(resp, 404, "interaction_not_found");
		return;
	}
	if (strcmp(ix->owner, owner_of(req))) {
		fake_error_legacy(resp, 403, "unauthorized");
		return;
	}
	settle(ix, fake_now_ms());
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "interaction_id", ix->id);
	cJSON_AddStringToObject(root, "gummie_id", ix->gummie->id);
	cJSON_AddStringToObject(root, "state", ix->pending ? "ASYNC_PROCESSING" :
				ix->error ? "FAILED" : "COMPLETED");
	ts = fake_iso_time(ix->created_ms);
	cJSON_AddStringToObject(root, "created_ts", ts);
	free(ts);
	if (!ix->pending && ix->error)
		cJSON_AddStringToObject(root, "error_message", ix->error);
	if (!ix->pending && !ix->error) {
		cJSON_AddStringToObject(root, "response", ix->response);
		cJSON_AddItemToObject(root, "messages",
				      cJSON_Duplicate(ix->messages, 1));
	}
	fake_json(resp, 200, root);
}

/* ---- area ------------------------------------------------------------- */

static void agents_reset(void)
{
	size_t i;

	for (i = 0; i < nagents; i++) {
		cJSON_Delete(agents[i].obj);
		cJSON_Delete(agents[i].servers);
		cJSON_Delete(agents[i].versions);
	}
	free(agents);
	agents = NULL;
	nagents = 0;
	for (i = 0; i < ninteractions; i++) {
		free(interactions[i].id);
		free(interactions[i].owner);
		free(interactions[i].response);
		free(interactions[i].error);
		cJSON_Delete(interactions[i].messages);
		cJSON_Delete(interactions[i].pending);
	}
	free(interactions);
	interactions = NULL;
	ninteractions = 0;
	agent_ms = fake_opt_run_ms;
	seed_agents();
}

static int agents_config(const cJSON *in, cJSON *out, const char **cause)
{
	return fake_knob(in, out, "agent_ms", &agent_ms, cause);
}

static const struct fake_route agents_routes[] = {
	{ .method = "GET", .pattern = "/agents", .handle = list_agents },
	{ .method = "POST", .pattern = "/agents", .handle = create_agent },
	{ .method = "GET", .pattern = "/agents/{agent_id}", .handle = get_agent },
	{ .method = "PATCH", .pattern = "/agents/{agent_id}",
	  .handle = update_agent },
	{ .method = "PATCH", .pattern = "/agents/{agent_id}/skills",
	  .handle = update_skills },
	{ .method = "GET", .pattern = "/agents/{agent_id}/mcp-servers",
	  .handle = list_servers },
	{ .method = "PUT", .pattern = "/agents/{agent_id}/mcp-servers/{server_id}",
	  .handle = put_server },
	{ .method = "DELETE",
	  .pattern = "/agents/{agent_id}/mcp-servers/{server_id}",
	  .handle = delete_server },
	{ .method = "GET", .pattern = "/agents/{agent_id}/versions",
	  .handle = list_versions },
	{ .method = "GET", .pattern = "/agents/{agent_id}/versions/{version_id}",
	  .handle = get_version },
	{ .method = "POST", .pattern = "/start_agent", .legacy = 1,
	  .handle = start_agent },
	{ .method = "GET", .pattern = "/agent_status/{interaction_id}",
	  .legacy = 1, .handle = agent_status },
	{ 0 }
};

const struct fake_area fake_agents_area = {
	.name = "agents",
	.routes = agents_routes,
	.reset = agents_reset,
	.config = agents_config,
};
