/*
 * admin.c: teams, models, chat completions (stream host only), Brain
 * search, organization administration (audit logs, members, data exports)
 * and agent evaluations (gumloop-api.md 2.9 to 2.11).
 *
 * Seeds: organization "org_acme" whose admin is user-123; workspace
 * "ws_sales"; permission group "grp_analysts"; agent "agent_support" with
 * three evaluations.  An export is IN_PROGRESS for export_ms after its
 * request, then COMPLETED; with download=true a COMPLETED export answers
 * text/csv.
 *
 * Knob (POST /_fake/config): export_ms (default 0: done at once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define ORG_ID "org_acme"
#define ORG_ADMIN "user-123"
#define AGENT_ID "agent_support"
#define MAX_CRITERIA 30
#define MAX_TAGS 50
#define MAX_DATA_POINTS 40

struct export {
	char *id;
	cJSON *fields;		/* array of column names */
	long long created_ms;
};

static struct export *exports;
static size_t nexports;
static long export_ms;
static cJSON *members;		/* object: "ws_sales" etc. -> [emails] */
static cJSON *eval_config;

static const char *const models[][2] = {
	{ "openai", "gpt-4.1" }, { "openai", "gpt-4.1-mini" },
	{ "anthropic", "claude-sonnet-4" },
};

static const struct {
	const char *id, *source, *title, *content;
} documents[] = {
	{ "doc_1", "notion", "Refund policy",
	  "Refunds are granted within 30 days of purchase." },
	{ "doc_2", "google_drive", "Q3 pricing sheet",
	  "Pro plan pricing: 25 dollars per seat." },
	{ "doc_3", "slack", "#support thread",
	  "Customer asked about refunds for annual plans." },
};

static const struct {
	const char *id, *interaction, *grade, *summary, *tag;
} evaluations[] = {
	{ "eval_1", "sess_a", "pass", "Answered the refund question", "refunds" },
	{ "eval_2", "sess_b", "needs_review", "Unsure about pricing", "pricing" },
	{ "eval_3", "sess_c", "needs_attention", "Promised a refund it may "
	  "not give", "refunds" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void bad_request(struct fake_resp *resp, const char *msg)
{
	fake_error_new(resp, 400, "invalid_request", msg,
		       "invalid_request_error");
}

/* ---- teams, models, chat, brain --------------------------------------- */

static void list_teams(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "teams");
	cJSON *t = cJSON_CreateObject();

	(void)req;
	cJSON_AddStringToObject(t, "id", "team-9");
	cJSON_AddStringToObject(t, "name", "Growth");
	cJSON_AddItemToArray(list, t);
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", "team-ops");
	cJSON_AddStringToObject(t, "name", "Operations");
	cJSON_AddItemToArray(list, t);
	fake_json(resp, 200, root);
}

static void list_models(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *groups = cJSON_AddArrayToObject(root, "model_groups");
	cJSON *group = NULL, *list = NULL;
	const char *last = "";
	size_t i;

	(void)req;
	for (i = 0; i < COUNT(models); i++) {
		cJSON *m = cJSON_CreateObject();

		if (strcmp(last, models[i][0])) {
			group = cJSON_CreateObject();
			cJSON_AddItemToArray(groups, group);
			cJSON_AddStringToObject(group, "provider", models[i][0]);
			list = cJSON_AddArrayToObject(group, "models");
			last = models[i][0];
		}
		cJSON_AddStringToObject(m, "name", models[i][1]);
		cJSON_AddItemToArray(list, m);
	}
	fake_json(resp, 200, root);
}

static int known_model(const char *name)
{
	size_t i;

	for (i = 0; name && i < COUNT(models); i++)
		if (!strcmp(models[i][1], name))
			return 1;
	return 0;
}

/* POST /models/route: a decision only; no model runs. */
static void route(struct fake_req *req, struct fake_resp *resp)
{
	static const char *const fields[] = {
		"input", "message", "models", "history", "agent", "team_id",
	};
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(req->json, "input");
	const cJSON *cands = cJSON_GetObjectItemCaseSensitive(req->json,
							      "models"), *it;
	const char *team = fake_body_str(req, "team_id");
	const char *pick = "claude-sonnet-4";
	cJSON *root, *r, *fallbacks;
	size_t i;

	cJSON_ArrayForEach(it, req->json) {
		for (i = 0; i < COUNT(fields); i++)
			if (!strcmp(it->string, fields[i]))
				break;
		if (i == COUNT(fields)) {
			bad_request(resp, "unknown field in the request body");
			return;
		}
	}
	if (!input)
		input = cJSON_GetObjectItemCaseSensitive(req->json, "message");
	if (!cJSON_IsString(input) && !cJSON_IsArray(input)) {
		bad_request(resp, "input (a string or text parts) is required");
		return;
	}
	if (team && strcmp(team, "team_growth")) {
		fake_error_new(resp, 403, "forbidden", "not a member of this "
			       "team", "permission_error");
		return;
	}
	cJSON_ArrayForEach(it, cands)
		if (!known_model(cJSON_GetStringValue(it))) {
			bad_request(resp, "models: unknown model id");
			return;
		}
	if (cJSON_GetArraySize(cands))
		pick = cJSON_GetArrayItem(cands, 0)->valuestring;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "router", "gumloop-chew");
	r = cJSON_AddObjectToObject(root, "route");
	cJSON_AddStringToObject(r, "model", pick);
	cJSON_AddStringToObject(r, "reason", "general reasoning lane");
	fallbacks = cJSON_AddArrayToObject(r, "fallback_models");
	for (i = 0; i < COUNT(models); i++)
		if (strcmp(models[i][1], pick))
			cJSON_AddItemToArray(fallbacks,
					     cJSON_CreateString(models[i][1]));
	fake_json(resp, 200, root);
}

/* The text of the last message, or "". */
static const char *last_text(const cJSON *messages)
{
	const cJSON *last = cJSON_GetArrayItem(messages,
					       cJSON_GetArraySize(messages) - 1);
	const char *s = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(last, "content"));

	return s ? s : "";
}

static cJSON *completion(const char *model, const cJSON *messages)
{
	cJSON *root = cJSON_CreateObject(), *choice, *msg, *usage;
	size_t n = strlen(last_text(messages)) + 16;
	char *reply = fake_xmalloc(n);
	char *id = fake_new_id("chatcmpl");

	snprintf(reply, n, "You said: %s", last_text(messages));
	cJSON_AddStringToObject(root, "id", id);
	cJSON_AddStringToObject(root, "object", "chat.completion");
	cJSON_AddNumberToObject(root, "created", (double)(fake_now_ms() / 1000));
	cJSON_AddStringToObject(root, "model", model);
	choice = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "choices"), choice);
	cJSON_AddNumberToObject(choice, "index", 0);
	cJSON_AddStringToObject(choice, "finish_reason", "stop");
	msg = cJSON_AddObjectToObject(choice, "message");
	cJSON_AddStringToObject(msg, "role", "assistant");
	cJSON_AddStringToObject(msg, "content", reply);
	usage = cJSON_AddObjectToObject(root, "usage");
	cJSON_AddNumberToObject(usage, "prompt_tokens", 12);
	cJSON_AddNumberToObject(usage, "completion_tokens", 5);
	cJSON_AddNumberToObject(usage, "total_tokens", 17);
	free(reply);
	free(id);
	return root;
}

static void chat(struct fake_req *req, struct fake_resp *resp)
{
	const char *model = fake_body_str(req, "model");
	const cJSON *messages = cJSON_GetObjectItemCaseSensitive(req->json,
								 "messages");

	if (!req->stream) {
		bad_request(resp, "chat completions are served by the streaming "
			    "host https://ws.gumloop.com/api/v1");
		return;
	}
	if (!model || !cJSON_IsArray(messages) || !cJSON_GetArraySize(messages)) {
		bad_request(resp, "model and messages are required");
		return;
	}
	if (!known_model(model)) {
		fake_error_new(resp, 404, "model_not_found", "no such model",
			       "not_found_error");
		return;
	}
	fake_json(resp, 200, completion(model, messages));
}

static int wanted_source(const cJSON *types, const char *source)
{
	const cJSON *t;

	if (!cJSON_IsArray(types))
		return 1;
	cJSON_ArrayForEach(t, types)
		if (cJSON_IsString(t) && !strcmp(t->valuestring, source))
			return 1;
	return 0;
}

static void brain_search(struct fake_req *req, struct fake_resp *resp)
{
	const char *query = fake_body_str(req, "query");
	const cJSON *types = cJSON_GetObjectItemCaseSensitive(req->json,
							      "source_type");
	const cJSON *limit = cJSON_GetObjectItemCaseSensitive(req->json, "limit");
	int max = cJSON_IsNumber(limit) ? limit->valueint : 8, n = 0;
	cJSON *root, *list;
	size_t i;

	if (!query || !*query || max < 1 || max > 50) {
		bad_request(resp, "query is required and limit is 1 to 50");
		return;
	}
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "results");
	for (i = 0; i < COUNT(documents) && n < max; i++) {
		cJSON *r;

		if (!strcasestr(documents[i].content, query) ||
		    !wanted_source(types, documents[i].source))
			continue;
		r = cJSON_CreateObject();
		cJSON_AddItemToArray(list, r);
		cJSON_AddStringToObject(r, "document_id", documents[i].id);
		cJSON_AddStringToObject(r, "source", documents[i].source);
		cJSON_AddStringToObject(r, "title", documents[i].title);
		cJSON_AddStringToObject(r, "content", documents[i].content);
		cJSON_AddNullToObject(r, "url");
		cJSON_AddNumberToObject(r, "score", 0.9 - 0.1 * n++);
	}
	fake_json(resp, 200, root);
}

/* ---- organization ----------------------------------------------------- */

/* 0 when the org is known and the caller its admin; else answered. */
static int org_admin(struct fake_req *req, struct fake_resp *resp)
{
	const char *org = fake_arg(req, "organization_id");

	if (!org || !*org) {
		fake_error_legacy(resp, 400, "organization_id is required");
		return -1;
	}
	if (strcmp(org, ORG_ID)) {
		fake_error_legacy(resp, 404, "Organization not found");
		return -1;
	}
	if (!req->user_id || strcmp(req->user_id, ORG_ADMIN)) {
		fake_error_legacy(resp, 403, "User is not an organization admin");
		return -1;
	}
	return 0;
}

static void audit_logs(struct fake_req *req, struct fake_resp *resp)
{
	static const char *const types[] = {
		"login", "flow_run", "member_added", "login", "export_requested",
		"flow_run", "login",
	};
	const char *p = fake_query(req, "page"), *ps = fake_query(req, "page_size");
	long page = p ? strtol(p, NULL, 10) : 1, size = ps ? strtol(ps, NULL, 10) : 50;
	long total = (long)COUNT(types), i;
	cJSON *root, *list;
	char id[32], ts[32];

	if (org_admin(req, resp))
		return;
	if (!fake_query(req, "start_time") || !fake_query(req, "end_time") ||
	    page < 1 || size < 1) {
		fake_error_legacy(resp, 400, "start_time and end_time are "
				  "required; page and page_size are >= 1");
		return;
	}
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "audit_logs");
	for (i = (page - 1) * size; i < total && i < page * size; i++) {
		cJSON *e = cJSON_CreateObject();

		snprintf(id, sizeof(id), "evt_%ld", i + 1);
		snprintf(ts, sizeof(ts), "2025-01-0%ldT10:00:00Z", i % 9 + 1);
		cJSON_AddItemToArray(list, e);
		cJSON_AddStringToObject(e, "event_id", id);
		cJSON_AddStringToObject(e, "timestamp", ts);
		cJSON_AddStringToObject(e, "event_type", types[i]);
		cJSON_AddStringToObject(e, "user_id", ORG_ADMIN);
		cJSON_AddObjectToObject(e, "details");
		cJSON_AddStringToObject(e, "source_ip", "203.0.113.7");
		cJSON_AddStringToObject(e, "user_agent", "fake");
	}
	cJSON_AddNumberToObject(root, "total_count", (double)total);
	cJSON_AddNumberToObject(root, "page", (double)page);
	cJSON_AddNumberToObject(root, "page_size", (double)size);
	cJSON_AddNumberToObject(root, "total_pages",
				(double)((total + size - 1) / size));
	fake_json(resp, 200, root);
}

static int find_email(const cJSON *list, const char *email)
{
	int i = 0;
	const cJSON *e;

	cJSON_ArrayForEach(e, list) {
		if (!strcmp(e->valuestring, email))
			return i;
		i++;
	}
	return -1;
}

/* add/remove email in the group named by field (workspace or group). */
static void manage(struct fake_req *req, struct fake_resp *resp,
		   const char *field, const char *known)
{
	const char *group = fake_body_str(req, field);
	const char *action = fake_body_str(req, "action");
	const char *email = fake_body_str(req, "user_email");
	cJSON *list, *root;
	char msg[256];
	int at;

	if (org_admin(req, resp))
		return;
	if (!group || !action || !email ||
	    (strcmp(action, "add") && strcmp(action, "remove"))) {
		fake_error_legacy(resp, 400, "missing field or action is not "
				  "add/remove");
		return;
	}
	if (strcmp(group, known)) {
		fake_error_legacy(resp, 404, "Not found");
		return;
	}
	if (!members)
		members = cJSON_CreateObject();
	list = cJSON_GetObjectItemCaseSensitive(members, group);
	if (!list)
		list = cJSON_AddArrayToObject(members, group);
	at = find_email(list, email);
	if (!strcmp(action, "remove") && at < 0) {
		fake_error_legacy(resp, 404, "User is not a member");
		return;
	}
	if (!strcmp(action, "remove"))
		cJSON_DeleteItemFromArray(list, at);
	else if (at < 0)
		cJSON_AddItemToArray(list, cJSON_CreateString(email));
	snprintf(msg, sizeof(msg), "%s %s %s", email,
		 strcmp(action, "add") ? "removed from" : "added to", group);
	root = cJSON_CreateObject();
	cJSON_AddTrueToObject(root, "success");
	cJSON_AddStringToObject(root, "message", msg);
	fake_json(resp, 200, root);
}

static void workspace_users(struct fake_req *req, struct fake_resp *resp)
{
	manage(req, resp, "workspace_id", "ws_sales");
}

static void group_users(struct fake_req *req, struct fake_resp *resp)
{
	manage(req, resp, "group_id", "grp_analysts");
}

static void export_data(struct fake_req *req, struct fake_resp *resp)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(req->json,
							       "export_fields");
	struct export *e;
	cJSON *root;
	char *ts;

	if (!cJSON_IsArray(fields) || !cJSON_GetArraySize(fields) ||
	    !fake_body_str(req, "start_date") || !fake_body_str(req, "end_date")) {
		fake_error_legacy(resp, 400, "export_fields, start_date and "
				  "end_date are required");
		return;
	}
	exports = fake_xrealloc(exports, (nexports + 1) * sizeof(*exports));
	e = &exports[nexports++];
	e->id = fake_new_id("export");
	e->fields = cJSON_Duplicate(fields, 1);
	e->created_ms = fake_now_ms();
	root = cJSON_CreateObject();
	ts = fake_iso_time(e->created_ms);
	cJSON_AddTrueToObject(root, "success");
	cJSON_AddStringToObject(root, "data_export_id", e->id);
	cJSON_AddStringToObject(root, "state", "REQUESTED");
	cJSON_AddStringToObject(root, "created_ts", ts);
	free(ts);
	fake_json(resp, 200, root);
}

static void append(char **out, size_t *len, const char *s)
{
	size_t n = strlen(s);

	*out = fake_xrealloc(*out, *len + n + 1);
	memcpy(*out + *len, s, n + 1);
	*len += n;
}

/* A header of the export's fields and two rows of made-up values. */
static char *export_csv(const struct export *e)
{
	char *out = NULL, cell[256];
	size_t len = 0, row;
	const cJSON *f;

	append(&out, &len, "");
	for (row = 0; row < 3; row++) {
		cJSON_ArrayForEach(f, e->fields) {
			snprintf(cell, sizeof(cell), "%s%s", f == e->fields->child
				 ? "" : ",", cJSON_IsString(f) ? f->valuestring
				 : "");
			append(&out, &len, cell);
			if (row) {
				snprintf(cell, sizeof(cell), "_%zu", row);
				append(&out, &len, cell);
			}
		}
		append(&out, &len, "\n");
	}
	return out;
}

static void export_status(struct fake_req *req, struct fake_resp *resp)
{
	const char *id = fake_query(req, "data_export_id");
	const char *download = fake_query(req, "download");
	long long done_ms;
	struct export *e = NULL;
	cJSON *root;
	size_t i;
	char *ts;

	for (i = 0; id && i < nexports; i++)
		if (!strcmp(exports[i].id, id))
			e = &exports[i];
	if (!e) {
		fake_error_legacy(resp, id ? 404 : 400, id ? "Export not found"
				  : "data_export_id is required");
		return;
	}
	done_ms = e->created_ms + export_ms;
	if (fake_now_ms() >= done_ms && download && !strcmp(download, "true")) {
		char *csv = export_csv(e);

		fake_raw(resp, 200, "text/csv; charset=utf-8", csv, strlen(csv));
		free(csv);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "data_export_id", e->id);
	cJSON_AddStringToObject(root, "state", fake_now_ms() >= done_ms ?
				"COMPLETED" : "IN_PROGRESS");
	ts = fake_iso_time(e->created_ms);
	cJSON_AddStringToObject(root, "created_ts", ts);
	free(ts);
	if (fake_now_ms() >= done_ms) {
		ts = fake_iso_time(done_ms);
		cJSON_AddStringToObject(root, "finished_ts", ts);
		free(ts);
	}
	fake_json(resp, 200, root);
}

/* ---- evaluations ------------------------------------------------------ */

static int agent_known(struct fake_req *req, struct fake_resp *resp)
{
	const char *id = fake_param(req, "agent_id");

	if (id && !strcmp(id, AGENT_ID))
		return 1;
	fake_error_new(resp, 404, "agent_not_found", "agent not found",
		       "not_found_error");
	return 0;
}

static cJSON *evaluation(size_t i)
{
	cJSON *e = cJSON_CreateObject(), *crit;

	cJSON_AddStringToObject(e, "evaluation_id", evaluations[i].id);
	cJSON_AddStringToObject(e, "interaction_id", evaluations[i].interaction);
	cJSON_AddStringToObject(e, "agent_id", AGENT_ID);
	cJSON_AddStringToObject(e, "created_ts", "2025-01-10T12:00:00Z");
	cJSON_AddStringToObject(e, "status", "completed");
	cJSON_AddStringToObject(e, "grade", evaluations[i].grade);
	cJSON_AddStringToObject(e, "call_successful", "success");
	cJSON_AddStringToObject(e, "sentiment", "neutral");
	cJSON_AddStringToObject(e, "summary", evaluations[i].summary);
	crit = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "criteria_results"), crit);
	cJSON_AddStringToObject(crit, "name", "No unauthorised refunds");
	cJSON_AddStringToObject(crit, "type", "prohibited_action");
	cJSON_AddStringToObject(crit, "result", strcmp(evaluations[i].grade,
				"needs_attention") ? "pass" : "fail");
	cJSON_AddArrayToObject(e, "data_results");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "applied_tags"),
			     cJSON_CreateString(evaluations[i].tag));
	return e;
}

static int valid_grade(const char *g)
{
	return !strcmp(g, "pass") || !strcmp(g, "needs_review") ||
	       !strcmp(g, "needs_attention");
}

static void list_evaluations(struct fake_req *req, struct fake_resp *resp)
{
	const char *grade = fake_query(req, "grade");
	size_t idx[COUNT(evaluations)], n = 0, start, end, i;
	cJSON *root, *list;

	if (!agent_known(req, resp))
		return;
	if (grade && !valid_grade(grade)) {
		bad_request(resp, "grade must be pass, needs_review or "
			    "needs_attention");
		return;
	}
	for (i = 0; i < COUNT(evaluations); i++)
		if (!grade || !strcmp(grade, evaluations[i].grade))
			idx[n++] = i;
	root = cJSON_CreateObject();
	if (fake_page(req, resp, n, 20, root, &start, &end) < 0) {
		cJSON_Delete(root);
		return;
	}
	list = cJSON_AddArrayToObject(root, "evaluations");
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(list, evaluation(idx[i]));
	fake_json(resp, 200, root);
}

static void get_evaluation(struct fake_req *req, struct fake_resp *resp)
{
	const char *id = fake_param(req, "evaluation_id");
	cJSON *root;
	size_t i;

	if (!agent_known(req, resp))
		return;
	for (i = 0; i < COUNT(evaluations); i++) {
		if (strcmp(evaluations[i].id, id))
			continue;
		root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "evaluation", evaluation(i));
		fake_json(resp, 200, root);
		return;
	}
	fake_error_new(resp, 404, "evaluation_not_found", "evaluation not found",
		       "not_found_error");
}

static void add_count(cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (v)
		cJSON_SetNumberValue(v, v->valuedouble + 1);
	else
		cJSON_AddNumberToObject(obj, name, 1);
}

static void metrics(struct fake_req *req, struct fake_resp *resp)
{
	const char *days = fake_query(req, "days");
	long d = days ? strtol(days, NULL, 10) : 30;
	cJSON *root, *grades, *tags;
	size_t i;

	if (!agent_known(req, resp))
		return;
	if (d < 1 || d > 365) {
		bad_request(resp, "days must be 1 to 365");
		return;
	}
	root = cJSON_CreateObject();
	grades = cJSON_AddObjectToObject(root, "grades");
	cJSON_AddNumberToObject(grades, "pass", 0);
	cJSON_AddNumberToObject(grades, "needs_review", 0);
	cJSON_AddNumberToObject(grades, "needs_attention", 0);
	tags = cJSON_AddObjectToObject(root, "tags");
	for (i = 0; i < COUNT(evaluations); i++) {
		add_count(grades, evaluations[i].grade);
		add_count(tags, evaluations[i].tag);
	}
	fake_json(resp, 200, root);
}

/* POST /agents/{id}/evaluations/run: a queued result per session of
 * the seeds (sess_a..sess_c); others are skipped as ineligible. */
static void run_evaluations(struct fake_req *req, struct fake_resp *resp)
{
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(req->json,
							    "session_ids"), *s;
	int dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->json,
								"dry_run"));
	int n = cJSON_GetArraySize(ids), queued = 0;
	cJSON *root, *results, *skipped, *r;
	char id[48];
	size_t i;

	if (!agent_known(req, resp))
		return;
	if (!cJSON_IsArray(ids) || n < 1 || n > 200) {
		bad_request(resp, "session_ids must hold 1 to 200 ids");
		return;
	}
	root = cJSON_CreateObject();
	results = cJSON_AddArrayToObject(root, "results");
	skipped = cJSON_AddArrayToObject(root, "skipped");
	cJSON_ArrayForEach(s, ids) {
		const char *sid = cJSON_GetStringValue(s);

		for (i = 0; sid && i < COUNT(evaluations); i++)
			if (!strcmp(sid, evaluations[i].interaction))
				break;
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "session_id", sid ? sid : "");
		if (!sid || i == COUNT(evaluations)) {
			cJSON_AddStringToObject(r, "reason", "ineligible");
			cJSON_AddItemToArray(skipped, r);
			continue;
		}
		queued++;
		snprintf(id, sizeof(id), "eval_run_%s", sid);
		cJSON_AddStringToObject(r, "result_id", id);
		cJSON_AddStringToObject(r, "status", "queued");
		if (dry)
			cJSON_Delete(r);
		else
			cJSON_AddItemToArray(results, r);
	}
	cJSON_AddNumberToObject(root, "credits", queued);
	cJSON_AddBoolToObject(root, "dry_run", dry);
	fake_json(resp, dry ? 200 : 202, root);
}

/* The evaluation config, seeded on first use. */
static cJSON *config_object(void)
{
	cJSON *tag;

	if (eval_config)
		return eval_config;
	eval_config = cJSON_CreateObject();
	cJSON_AddStringToObject(eval_config, "agent_id", AGENT_ID);
	cJSON_AddTrueToObject(eval_config, "enabled");
	cJSON_AddTrueToObject(eval_config, "is_active");
	cJSON_AddStringToObject(eval_config, "model_name", "gpt-4.1-mini");
	cJSON_AddStringToObject(eval_config, "frequency", "all");
	cJSON_AddArrayToObject(eval_config, "criteria");
	tag = cJSON_CreateObject();
	cJSON_AddStringToObject(tag, "name", "refunds");
	cJSON_AddStringToObject(tag, "description", "asks for money back");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(eval_config, "tags"), tag);
	return eval_config;
}

static void send_config(struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "config", cJSON_Duplicate(config_object(), 1));
	fake_json(resp, 200, root);
}

static void get_config(struct fake_req *req, struct fake_resp *resp)
{
	if (agent_known(req, resp))
		send_config(resp);
}

static int too_long(const cJSON *body, const char *name, int max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);

	return v && (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > max);
}

static void patch_config(struct fake_req *req, struct fake_resp *resp)
{
	static const char *const fields[] = {
		"enabled", "model_name", "include_auto_tags", "criteria",
		"tags", "data_points", "sentiment",
	};
	size_t i;
	const cJSON *v;

	if (!agent_known(req, resp))
		return;
	if (!cJSON_IsObject(req->json) ||
	    too_long(req->json, "criteria", MAX_CRITERIA) ||
	    too_long(req->json, "tags", MAX_TAGS) ||
	    too_long(req->json, "data_points", MAX_DATA_POINTS)) {
		bad_request(resp, "criteria (30), tags (50) and data_points (40) "
			    "are lists within their limits");
		return;
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(req->json,
							       "tags"))
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v,
								     "name"))) {
			bad_request(resp, "each tag is an object {name, "
				    "description}");
			return;
		}
	for (i = 0; i < COUNT(fields); i++) {
		v = cJSON_GetObjectItemCaseSensitive(req->json, fields[i]);
		if (!v)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(config_object(),
							fields[i]);
		cJSON_AddItemToObject(config_object(), fields[i],
				      cJSON_Duplicate(v, 1));
	}
	send_config(resp);
}

/* ---- area ------------------------------------------------------------- */

static void admin_reset(void)
{
	size_t i;

	for (i = 0; i < nexports; i++) {
		free(exports[i].id);
		cJSON_Delete(exports[i].fields);
	}
	free(exports);
	exports = NULL;
	nexports = 0;
	export_ms = 0;
	cJSON_Delete(members);
	members = NULL;
	cJSON_Delete(eval_config);
	eval_config = NULL;
}

static int admin_config(const cJSON *in, cJSON *out, const char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "export_ms");

	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 0)) {
		*cause = "export_ms must be a number >= 0";
		return -1;
	}
	if (v)
		export_ms = (long)v->valuedouble;
	cJSON_AddNumberToObject(out, "export_ms", (double)export_ms);
	return 0;
}

static const struct fake_route admin_routes[] = {
	{ .method = "GET", .pattern = "/teams", .handle = list_teams },
	{ .method = "GET", .pattern = "/models", .handle = list_models },
	{ .method = "POST", .pattern = "/chat/completions",
	  .host = FAKE_HOST_ANY, .handle = chat },
	{ .method = "POST", .pattern = "/brain/search", .handle = brain_search },
	{ .method = "POST", .pattern = "/models/route", .handle = route },
	{ .method = "POST", .pattern = "/agents/{agent_id}/evaluations/run",
	  .handle = run_evaluations },
	{ .method = "GET", .pattern = "/get_audit_logs", .legacy = 1,
	  .handle = audit_logs },
	{ .method = "POST", .pattern = "/manage_workspace_users", .legacy = 1,
	  .handle = workspace_users },
	{ .method = "POST", .pattern = "/manage_permission_group_users",
	  .legacy = 1, .handle = group_users },
	{ .method = "POST", .pattern = "/export_data", .legacy = 1,
	  .handle = export_data },
	{ .method = "GET", .pattern = "/export_status", .legacy = 1,
	  .handle = export_status },
	{ .method = "GET", .pattern = "/agents/{agent_id}/evaluations/metrics",
	  .handle = metrics },
	{ .method = "GET", .pattern = "/agents/{agent_id}/evaluations",
	  .handle = list_evaluations },
	{ .method = "GET",
	  .pattern = "/agents/{agent_id}/evaluations/{evaluation_id}",
	  .handle = get_evaluation },
	{ .method = "GET", .pattern = "/agents/{agent_id}/evaluation-config",
	  .handle = get_config },
	{ .method = "PATCH", .pattern = "/agents/{agent_id}/evaluation-config",
	  .handle = patch_config },
	{ 0 }
};

const struct fake_area fake_admin_area = {
	.name = "admin",
	.routes = admin_routes,
	.reset = admin_reset,
	.config = admin_config,
};
