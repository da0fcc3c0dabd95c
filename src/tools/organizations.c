/*
 * Organizations and the monthly credit limits of their custom roles. The
 * credit-limit endpoints want the caller's own user_id (an organization
 * admin's) beside the organization: SCOPE_USER sends it.
 */
#include "tool.h"

static const char organizations_schema[] =
	"{\"type\":\"object\",\"properties\":{\"organizations\":{\"type\":"
	"\"array\"}}}";

static const char limits_schema[] =
	"{\"type\":\"object\",\"properties\":{\"roles\":{\"type\":\"array\"}"
	"}}";

static const char limit_schema[] =
	"{\"type\":\"object\",\"properties\":{\"role_id\":{\"type\":\"string\"},"
	"\"monthly_credit_limit\":{\"type\":[\"integer\",\"null\"]}}}";

#define ORG_PARAM \
	{ "organization_id", P_STRING, IN_PATH, REQUIRED, \
	  "from list_all_gumloop_organizations", NULL }
#define ROLE_PARAM \
	{ "role_id", P_STRING, IN_PATH, REQUIRED, \
	  "a custom role (group_id elsewhere)", NULL }

static const struct param limits_params[] = {
	ORG_PARAM,
	PAGE_PARAMS,
	{ 0 }
};

static const struct param limit_params[] = {
	ORG_PARAM,
	ROLE_PARAM,
	{ 0 }
};

static const struct param set_limit_params[] = {
	ORG_PARAM,
	ROLE_PARAM,
	{ "monthly_credit_limit", P_ANY, IN_BODY, REQUIRED,
	  "per member; null clears it",
	  "{\"type\":[\"integer\",\"null\"],\"minimum\":0,"
	  "\"maximum\":1000000000}" },
	{ 0 }
};

const struct tool_def organizations_tools[] = {
	{ .name = "list_all_gumloop_organizations",
	  .title = "List organizations",
	  .description = "List the user's organization: its id is the "
		"organization_id other tools take.",
	  .access = TOOL_READ, .tag = "admin", .method = "GET",
	  .path = "/organizations", .output_schema = organizations_schema },
	{ .name = "list_all_gumloop_role_credit_limits",
	  .title = "List role credit limits",
	  .description = "List an organization's custom roles and their "
		"monthly credit limit per member (null: none).",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_USER,
	  .method = "GET",
	  .path = "/organizations/{organization_id}/roles/credit-limits",
	  .params = limits_params, .output_schema = limits_schema },
	{ .name = "get_single_gumloop_role_credit_limit_by_id",
	  .title = "Get a role's credit limit",
	  .description = "Get one custom role's monthly credit limit (org "
		"admin only).",
	  .access = TOOL_READ, .tag = "admin", .scope = SCOPE_USER,
	  .method = "GET",
	  .path = "/organizations/{organization_id}/roles/{role_id}/credit-limit",
	  .params = limit_params, .output_schema = limit_schema },
	{ .name = "update_a_gumloop_role_credit_limit_by_id",
	  .title = "Set a role's credit limit",
	  .description = "Set or clear (null) a custom role's monthly "
		"credit limit per member, at once.",
	  .access = TOOL_WRITE, .tag = "admin", .scope = SCOPE_USER,
	  .method = "PUT",
	  .path = "/organizations/{organization_id}/roles/{role_id}/credit-limit",
	  .params = set_limit_params, .output_schema = limit_schema,
	  .flags = T_IDEMPOTENT },
	{ 0 }
};
