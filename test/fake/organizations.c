/*
 * organizations.c: the caller's organization and the monthly credit
 * limits of its custom roles.  Seeds: organization "org_acme" (admin
 * user-123) with roles "grp_analysts" (limit 5000) and "grp_interns"
 * (none).  The credit-limit endpoints need user_id (query on GET, body on
 * PUT) and answer 403 unless it is the admin.  Answers' shapes beyond the
 * spec's monthly_credit_limit are guesses.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define ORG_ID "org_acme"
#define ORG_ADMIN "user-123"
#define LIMIT_MAX 1000000000.0
#define NROLES 2

static const char *const role_ids[NROLES] = { "grp_analysts", "grp_interns" };
static const char *const role_names[NROLES] = { "Analysts", "Interns" };
static double limits[NROLES];	/* < 0: no limit of its own */

static void list_organizations(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject(), *o = cJSON_CreateObject();

	(void)req;
	cJSON_AddStringToObject(o, "id", ORG_ID);
	cJSON_AddStringToObject(o, "name", "Acme Inc.");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "organizations"), o);
	fake_json(resp, 200, root);
}

/* 0 when the organization is known and user_id its admin; else answered. */
static int admin_of(struct fake_req *req, struct fake_resp *resp)
{
	const char *org = fake_param(req, "organization_id");
	const char *user = strcmp(req->method, "GET") ?
			   fake_body_str(req, "user_id") :
			   fake_query(req, "user_id");

	if (!user) {
		fake_error_new(resp, 400, "invalid_request", "user_id is "
			       "required", "invalid_request_error");
		return -1;
	}
	if (strcmp(org, ORG_ID)) {
		fake_error_new(resp, 404, "organization_not_found",
			       "organization not found", "not_found_error");
		return -1;
	}
	if (strcmp(user, ORG_ADMIN)) {
		fake_error_new(resp, 403, "forbidden", "user is not an "
			       "organization admin", "permission_error");
		return -1;
	}
	return 0;
}

static cJSON *role(int i)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "role_id", role_ids[i]);
	cJSON_AddStringToObject(r, "name", role_names[i]);
	if (limits[i] < 0)
		cJSON_AddNullToObject(r, "monthly_credit_limit");
	else
		cJSON_AddNumberToObject(r, "monthly_credit_limit", limits[i]);
	return r;
}

static int role_index(const char *id)
{
	int i;

	for (i = 0; id && i < NROLES; i++)
		if (!strcmp(role_ids[i], id))
			return i;
	return -1;
}

static void list_limits(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root, *list;
	size_t start, end, i;

	if (admin_of(req, resp))
		return;
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "roles");
	if (fake_page(req, resp, NROLES, 20, root, &start, &end) < 0) {
		cJSON_Delete(root);
		return;
	}
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(list, role((int)i));
	fake_json(resp, 200, root);
}

static int role_or_404(struct fake_req *req, struct fake_resp *resp)
{
	int i = role_index(fake_param(req, "role_id"));

	if (i < 0)
		fake_error_new(resp, 404, "role_not_found", "custom role not "
			       "found", "not_found_error");
	return i;
}

static void get_limit(struct fake_req *req, struct fake_resp *resp)
{
	int i;

	if (admin_of(req, resp) || (i = role_or_404(req, resp)) < 0)
		return;
	fake_json(resp, 200, role(i));
}

static void set_limit(struct fake_req *req, struct fake_resp *resp)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req->json,
						"monthly_credit_limit");
	int i;

	if (admin_of(req, resp) || (i = role_or_404(req, resp)) < 0)
		return;
	if (!v || !(cJSON_IsNull(v) || (cJSON_IsNumber(v) &&
	    v->valuedouble == floor(v->valuedouble) && v->valuedouble >= 0 &&
	    v->valuedouble <= LIMIT_MAX))) {
		fake_error_new(resp, 400, "invalid_request", "monthly_credit_"
			       "limit must be an integer 0..1000000000 or null",
			       "invalid_request_error");
		return;
	}
	limits[i] = cJSON_IsNull(v) ? -1 : v->valuedouble;
	fake_json(resp, 200, role(i));
}

static void organizations_reset(void)
{
	limits[0] = 5000;
	limits[1] = -1;
}

static const struct fake_route organizations_routes[] = {
	{ .method = "GET", .pattern = "/organizations",
	  .handle = list_organizations },
	{ .method = "GET",
	  .pattern = "/organizations/{organization_id}/roles/credit-limits",
	  .handle = list_limits },
	{ .method = "GET",
	  .pattern = "/organizations/{organization_id}/roles/{role_id}/credit-limit",
	  .handle = get_limit },
	{ .method = "PUT",
	  .pattern = "/organizations/{organization_id}/roles/{role_id}/credit-limit",
	  .handle = set_limit },
	{ 0 }
};

const struct fake_area fake_organizations_area = {
	.name = "organizations",
	.routes = organizations_routes,
	.reset = organizations_reset,
};
