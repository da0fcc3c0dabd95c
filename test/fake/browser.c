/*
 * browser.c: browser profiles, the sign-ins an agent's Browser ability
 * uses.  Seeds: the personal default profile "bp_default" (one site) and
 * team_growth's "bp_team".  Cookie imports count cookies per site and
 * never echo a value.  profile_id "default" is the caller's default
 * profile.  Shapes beyond the spec's request are guesses.
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

struct site {
	char host[128];
	int cookies;
};

#define MAX_SITES 16

static struct site sites[MAX_SITES];	/* of bp_default */
static int nsites;

static cJSON *profile(const char *id, const char *name, int with_sites)
{
	cJSON *p = cJSON_CreateObject(), *list;
	int i;

	cJSON_AddStringToObject(p, "id", id);
	cJSON_AddStringToObject(p, "name", name);
	list = cJSON_AddArrayToObject(p, "sites");
	for (i = 0; with_sites && i < nsites; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "site", sites[i].host);
		cJSON_AddNumberToObject(s, "cookie_count", sites[i].cookies);
		cJSON_AddItemToArray(list, s);
	}
	return p;
}

static void list_profiles(struct fake_req *req, struct fake_resp *resp)
{
	const char *team = fake_query(req, "team_id");
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "profiles");

	if (team && !strcmp(team, "team_growth"))
		cJSON_AddItemToArray(list, profile("bp_team", "Growth team", 0));
	else if (!team)
		cJSON_AddItemToArray(list, profile("bp_default", "Default", 1));
	fake_json(resp, 200, root);
}

static struct site *site_of(const char *host)
{
	int i;

	for (i = 0; i < nsites; i++)
		if (!strcmp(sites[i].host, host))
			return &sites[i];
	if (nsites == MAX_SITES)
		return NULL;
	memset(&sites[nsites], 0, sizeof(sites[0]));
	strncpy(sites[nsites].host, host, sizeof(sites[0].host) - 1);
	return &sites[nsites++];
}

static void import_cookies(struct fake_req *req, struct fake_resp *resp)
{
	const char *id = fake_param(req, "profile_id");
	const cJSON *cookies = cJSON_GetObjectItemCaseSensitive(req->json,
								"cookies"), *c;
	cJSON *root;
	int n = 0;

	if (strcmp(id, "default") && strcmp(id, "bp_default")) {
		fake_error_new(resp, 404, "profile_not_found", "no browser "
			       "profile with this id", "not_found_error");
		return;
	}
	if (!cJSON_IsArray(cookies) || !cJSON_GetArraySize(cookies)) {
		fake_error_new(resp, 400, "invalid_request", "cookies must be "
			       "a non-empty array", "invalid_request_error");
		return;
	}
	cJSON_ArrayForEach(c, cookies) {
		const char *domain = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "domain"));
		struct site *s = domain ? site_of(domain) : NULL;

		if (s) {
			s->cookies++;
			n++;
		}
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "imported", n);
	cJSON_AddItemToObject(root, "profile", profile("bp_default", "Default",
						       1));
	fake_json(resp, 200, root);
}

static void browser_reset(void)
{
	nsites = 0;
	site_of("github.com")->cookies = 3;
}

static const struct fake_route browser_routes[] = {
	{ .method = "GET", .pattern = "/browser-profiles",
	  .handle = list_profiles },
	{ .method = "POST", .pattern = "/browser-profiles/{profile_id}/cookies",
	  .handle = import_cookies },
	{ 0 }
};

const struct fake_area fake_browser_area = {
	.name = "browser",
	.routes = browser_routes,
	.reset = browser_reset,
};
