/*
 * evaluations.c: organization evaluations (Enterprise) and the options
 * that say their allowed values.  Seeds: "oeval_1" ("Support quality",
 * enabled, organization-wide) with one completed result "ores_1" for
 * session sess_a.  A run queues a result per eligible session (sess_a,
 * sess_b and sess_c are completed sessions of covered agents; others are
 * skipped as ineligible, and a session with a queued result as in_flight);
 * dry_run queues nothing.  Shapes beyond the spec's are guesses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define ORG_ID "org_acme"
#define MAX_RUN 200

struct evaluation {
	char *id;
	cJSON *obj;		/* {id, organization_id, name, description,
				   enabled, config, targets} */
	cJSON *results;		/* [{id, session_id, agent_id, status, grade}] */
};

static struct evaluation *evals;
static size_t nevals;

static const char *const eligible[] = { "sess_a", "sess_b", "sess_c" };

static void bad(struct fake_resp *resp, const char *msg)
{
	fake_error_new(resp, 400, "invalid_request", msg,
		       "invalid_request_error");
}

static struct evaluation *add_eval(const char *id, const char *name)
{
	struct evaluation *e;

	evals = fake_xrealloc(evals, (nevals + 1) * sizeof(*evals));
	e = &evals[nevals++];
	e->id = id ? fake_xstrdup(id) : fake_new_id("oeval");
	e->results = cJSON_CreateArray();
	e->obj = cJSON_CreateObject();
	cJSON_AddStringToObject(e->obj, "id", e->id);
	cJSON_AddStringToObject(e->obj, "organization_id", ORG_ID);
	cJSON_AddStringToObject(e->obj, "name", name);
	cJSON_AddNullToObject(e->obj, "description");
	cJSON_AddFalseToObject(e->obj, "enabled");
	cJSON_AddObjectToObject(e->obj, "config");
	cJSON_AddArrayToObject(e->obj, "targets");
	return e;
}

static struct evaluation *eval_or_404(struct fake_req *req,
				      struct fake_resp *resp)
{
	const char *id = fake_param(req, "evaluation_id");
	size_t i;

	for (i = 0; id && i < nevals; i++)
		if (evals[i].id && !strcmp(evals[i].id, id))
			return &evals[i];
	fake_error_new(resp, 404, "organization_evaluation_not_found",
		       "no evaluation with this id", "not_found_error");
	return NULL;
}

static cJSON *eval_answer(const struct evaluation *e)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "evaluation", cJSON_Duplicate(e->obj, 1));
	return root;
}

static void options(struct fake_req *req, struct fake_resp *resp)
{
	static const char text[] =
		"{\"session_types\":[\"api\",\"web\",\"slack\",\"triggered\"],"
		"\"criterion_types\":[\"prohibited_action\",\"prohibited_words\","
		"\"voice_tone\",\"other\"],"
		"\"criterion_priorities\":[\"needs_review\",\"needs_attention\"],"
		"\"data_point_types\":[\"string\",\"boolean\",\"integer\","
		"\"number\"],"
		"\"frequencies\":[\"debounced\",\"per_turn\",\"manual\"],"
		"\"grades\":[\"pass\",\"needs_review\",\"needs_attention\"],"
		"\"statuses\":[\"queued\",\"in_progress\",\"completed\","
		"\"failed\"],"
		"\"target_types\":[\"organization\",\"team\",\"user\",\"agent\"],"
		"\"skip_reasons\":[\"ineligible\",\"in_flight\"],"
		"\"limits\":{\"criteria\":30,\"tags\":50,\"data_points\":40,"
		"\"run_sessions\":200,\"targets\":1000}}";

	(void)req;
	fake_json(resp, 200, cJSON_Parse(text));
}

static void list_evals(struct fake_req *req, struct fake_resp *resp)
{
	const char *org = fake_query(req, "organization_id");
	cJSON *root, *list;
	size_t start, end, i, n = 0;
	struct evaluation **hits;

	if (!org) {
		bad(resp, "organization_id is required");
		return;
	}
	hits = fake_xmalloc((nevals + 1) * sizeof(*hits));
	for (i = 0; i < nevals; i++)
		if (evals[i].id && !strcmp(org, ORG_ID))
			hits[n++] = &evals[i];
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "evaluations");
	if (fake_page(req, resp, n, 20, root, &start, &end) == 0) {
		for (i = start; i < end; i++)
			cJSON_AddItemToArray(list, cJSON_Duplicate(hits[i]->obj,
								   1));
		fake_json(resp, 200, root);
	} else {
		cJSON_Delete(root);
	}
	free(hits);
}

/* Copies name, description, enabled and config from the body; a cause. */
static const char *apply(struct evaluation *e, const cJSON *body)
{
	const cJSON *v, *old;

	v = cJSON_GetObjectItemCaseSensitive(body, "name");
	if (v && (!cJSON_IsString(v) || !*v->valuestring ||
		  strlen(v->valuestring) > 256))
		return "name must be 1 to 256 characters";
	if (v)
		cJSON_ReplaceItemInObjectCaseSensitive(e->obj, "name",
						       cJSON_Duplicate(v, 1));
	v = cJSON_GetObjectItemCaseSensitive(body, "description");
	if (v && !cJSON_IsString(v) && !cJSON_IsNull(v))
		return "description must be a string or null";
	if (v)
		cJSON_ReplaceItemInObjectCaseSensitive(e->obj, "description",
						       cJSON_Duplicate(v, 1));
	v = cJSON_GetObjectItemCaseSensitive(body, "config");
	if (v && !cJSON_IsObject(v))
		return "config must be an object";
	old = cJSON_GetObjectItemCaseSensitive(e->obj, "config");
	for (v = v ? v->child : NULL; v; v = v->next) {
		cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)old, v->string);
		cJSON_AddItemToObject((cJSON *)old, v->string,
				      cJSON_Duplicate(v, 1));
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "enabled");
	if (v && !cJSON_IsBool(v))
		return "enabled must be a boolean";
	if (cJSON_IsTrue(v) && !cJSON_GetArraySize(
		    cJSON_GetObjectItemCaseSensitive(e->obj, "targets")))
		return "organization_evaluation_no_targets";
	if (v)
		cJSON_ReplaceItemInObjectCaseSensitive(e->obj, "enabled",
						       cJSON_Duplicate(v, 1));
	return NULL;
}

static void create_eval(struct fake_req *req, struct fake_resp *resp)
{
	const char *org = fake_body_str(req, "organization_id");
	const char *name = fake_body_str(req, "name");
	struct evaluation *e;
	const char *why;

	if (!org || !name) {
		bad(resp, "organization_id and name are required");
		return;
	}
	if (strcmp(org, ORG_ID)) {
		fake_error_new(resp, 404, "organization_not_found",
			       "organization not found", "not_found_error");
		return;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->json,
							  "enabled"))) {
		bad(resp, "a new evaluation has no targets: it cannot start "
		    "enabled");
		return;
	}
	e = add_eval(NULL, name);
	why = apply(e, req->json);
	if (why) {
		bad(resp, why);
		return;	/* the half-made evaluation stays: a fake's shortcut */
	}
	fake_json(resp, 201, eval_answer(e));
}

static void get_eval(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);

	if (e)
		fake_json(resp, 200, eval_answer(e));
}

static void update_eval(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	const char *why;

	if (!e)
		return;
	why = apply(e, req->json);
	if (why)
		bad(resp, why);
	else
		fake_json(resp, 200, eval_answer(e));
}

static void delete_eval(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	cJSON *root;

	if (!e)
		return;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "id", e->id);
	cJSON_AddTrueToObject(root, "deleted");
	free(e->id);
	e->id = NULL;
	fake_json(resp, 200, root);
}

static int valid_target(const cJSON *t)
{
	const char *type = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(t, "type"));
	const char *id = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(t, "id"));

	if (!type)
		return 0;
	if (!strcmp(type, "organization"))
		return 1;
	return id && (!strcmp(type, "team") || !strcmp(type, "user") ||
		      !strcmp(type, "agent"));
}

static void set_targets(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	const cJSON *targets = cJSON_GetObjectItemCaseSensitive(req->json,
								"targets"), *t;

	if (!e)
		return;
	if (!cJSON_IsArray(targets)) {
		bad(resp, "targets must be an array");
		return;
	}
	cJSON_ArrayForEach(t, targets)
		if (!valid_target(t)) {
			bad(resp, "each target has a type (organization, team, "
			    "user, agent) and, but for organization, an id");
			return;
		}
	cJSON_ReplaceItemInObjectCaseSensitive(e->obj, "targets",
					       cJSON_Duplicate(targets, 1));
	if (!cJSON_GetArraySize(targets))
		cJSON_ReplaceItemInObjectCaseSensitive(e->obj, "enabled",
						       cJSON_CreateFalse());
	fake_json(resp, 200, eval_answer(e));
}

static int is_eligible(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(eligible) / sizeof(eligible[0]); i++)
		if (!strcmp(id, eligible[i]))
			return 1;
	return 0;
}

static const cJSON *queued_for(const struct evaluation *e, const char *sid)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, e->results)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(r, "session_id")
			    ->valuestring, sid) &&
		    !strcmp(cJSON_GetObjectItemCaseSensitive(r, "status")
			    ->valuestring, "queued"))
			return r;
	return NULL;
}

static cJSON *result_obj(const char *id, const char *sid, const char *status,
			 const char *grade)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "session_id", sid);
	cJSON_AddStringToObject(r, "agent_id", "agent_support");
	cJSON_AddStringToObject(r, "status", status);
	if (grade)
		cJSON_AddStringToObject(r, "grade", grade);
	else
		cJSON_AddNullToObject(r, "grade");
	cJSON_AddStringToObject(r, "created_at", "2026-09-01T10:00:00Z");
	return r;
}

static void run_eval(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(req->json,
							    "session_ids"), *s;
	int dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->json,
								"dry_run"));
	cJSON *root, *results, *skipped, *k;
	const cJSON *inflight = NULL;
	int n = cJSON_GetArraySize(ids), queued = 0;

	if (!e)
		return;
	if (!cJSON_IsArray(ids) || n < 1 || n > MAX_RUN) {
		bad(resp, "session_ids must hold 1 to 200 ids");
		return;
	}
	root = cJSON_CreateObject();
	results = cJSON_AddArrayToObject(root, "results");
	skipped = cJSON_AddArrayToObject(root, "skipped");
	cJSON_ArrayForEach(s, ids) {
		const char *sid = cJSON_GetStringValue(s);

		if (!sid || !is_eligible(sid) || (inflight = queued_for(e, sid))) {
			k = cJSON_CreateObject();
			cJSON_AddStringToObject(k, "session_id", sid ? sid : "");
			cJSON_AddStringToObject(k, "reason", sid && is_eligible(
				sid) ? "in_flight" : "ineligible");
			if (sid && is_eligible(sid))
				cJSON_AddStringToObject(k, "result_id",
					cJSON_GetObjectItemCaseSensitive(
						inflight, "id")->valuestring);
			cJSON_AddItemToArray(skipped, k);
			continue;
		}
		queued++;
		if (!dry) {
			char *id = fake_new_id("ores");

			cJSON_AddItemToArray(e->results, result_obj(id, sid,
				"queued", NULL));
			cJSON_AddItemToArray(results, result_obj(id, sid,
				"queued", NULL));
			free(id);
		}
	}
	cJSON_AddNumberToObject(root, "credits", queued);
	cJSON_AddBoolToObject(root, "dry_run", dry);
	fake_json(resp, dry ? 200 : 202, root);
}

static int result_listed(const cJSON *r, const struct fake_req *req)
{
	static const char *const filters[] = {
		"agent_id", "session_id", "grade", "status",
	};
	size_t i;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		const char *want = fake_query(req, filters[i]);
		const char *have = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(r, filters[i]));

		if (want && (!have || strcmp(want, have)))
			return 0;
	}
	return 1;
}

static void list_results(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	cJSON *root, *list;
	const cJSON **hits, *r;
	size_t n = 0, start, end, i;

	if (!e)
		return;
	hits = fake_xmalloc(((size_t)cJSON_GetArraySize(e->results) + 1) *
			    sizeof(*hits));
	cJSON_ArrayForEach(r, e->results)
		if (result_listed(r, req))
			hits[n++] = r;
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "results");
	if (fake_page(req, resp, n, 20, root, &start, &end) == 0) {
		for (i = start; i < end; i++)
			cJSON_AddItemToArray(list, cJSON_Duplicate(hits[i], 1));
		fake_json(resp, 200, root);
	} else {
		cJSON_Delete(root);
	}
	free(hits);
}

static void get_result(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	const char *id = fake_param(req, "result_id");
	const cJSON *r;
	cJSON *root;

	if (!e)
		return;
	cJSON_ArrayForEach(r, e->results) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring,
			   id))
			continue;
		root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "result", cJSON_Duplicate(r, 1));
		fake_json(resp, 200, root);
		return;
	}
	fake_error_new(resp, 404, "result_not_found", "no result with this id",
		       "not_found_error");
}

static void metrics(struct fake_req *req, struct fake_resp *resp)
{
	struct evaluation *e = eval_or_404(req, resp);
	const char *d = fake_query(req, "days");
	long days = d ? strtol(d, NULL, 10) : 30;
	cJSON *root, *grades;
	const cJSON *r;

	if (!e)
		return;
	if (days < 1 || days > 365) {
		bad(resp, "days must be 1 to 365");
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "days", (double)days);
	grades = cJSON_AddObjectToObject(root, "grades");
	cJSON_AddNumberToObject(grades, "pass", 0);
	cJSON_AddNumberToObject(grades, "needs_review", 0);
	cJSON_AddNumberToObject(grades, "needs_attention", 0);
	cJSON_ArrayForEach(r, e->results) {
		const char *g = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(r, "grade"));
		cJSON *c = g ? cJSON_GetObjectItemCaseSensitive(grades, g) : NULL;

		if (c)
			cJSON_SetNumberValue(c, c->valuedouble + 1);
	}
	fake_json(resp, 200, root);
}

static void evaluations_reset(void)
{
	struct evaluation *e;
	cJSON *t;
	size_t i;

	for (i = 0; i < nevals; i++) {
		free(evals[i].id);
		cJSON_Delete(evals[i].obj);
		cJSON_Delete(evals[i].results);
	}
	free(evals);
	evals = NULL;
	nevals = 0;
	e = add_eval("oeval_1", "Support quality");
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "type", "organization");
	cJSON_AddStringToObject(t, "id", ORG_ID);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(e->obj,
							      "targets"), t);
	cJSON_ReplaceItemInObjectCaseSensitive(e->obj, "enabled",
					       cJSON_CreateTrue());
	cJSON_AddItemToArray(e->results, result_obj("ores_1", "sess_a",
						    "completed", "pass"));
}

static const struct fake_route evaluations_routes[] = {
	{ .method = "GET", .pattern = "/evaluation-options", .handle = options },
	{ .method = "GET", .pattern = "/evaluations", .handle = list_evals },
	{ .method = "POST", .pattern = "/evaluations", .handle = create_eval },
	{ .method = "GET", .pattern = "/evaluations/{evaluation_id}",
	  .handle = get_eval },
	{ .method = "PATCH", .pattern = "/evaluations/{evaluation_id}",
	  .handle = update_eval },
	{ .method = "DELETE", .pattern = "/evaluations/{evaluation_id}",
	  .handle = delete_eval },
	{ .method = "PUT", .pattern = "/evaluations/{evaluation_id}/targets",
	  .handle = set_targets },
	{ .method = "POST", .pattern = "/evaluations/{evaluation_id}/run",
	  .handle = run_eval },
	{ .method = "GET", .pattern = "/evaluations/{evaluation_id}/results",
	  .handle = list_results },
	{ .method = "GET",
	  .pattern = "/evaluations/{evaluation_id}/results/{result_id}",
	  .handle = get_result },
	{ .method = "GET", .pattern = "/evaluations/{evaluation_id}/metrics",
	  .handle = metrics },
	{ 0 }
};

const struct fake_area fake_evaluations_area = {
	.name = "evaluations",
	.routes = evaluations_routes,
	.reset = evaluations_reset,
};
