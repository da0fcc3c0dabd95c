/*
 * Browser profiles: the sign-ins an agent's Browser ability uses. Cookie
 * values go in and never come back out.
 */
#include "tool.h"

static const char profiles_schema[] =
	"{\"type\":\"object\",\"properties\":{\"profiles\":{\"type\":"
	"\"array\"}}}";

/* the answer's shape is not documented */
static const char import_schema[] = "{\"type\":\"object\"}";

static const struct param cookies_params[] = {
	{ "profile_id", P_STRING, IN_PATH, REQUIRED,
	  "from list_all_gumloop_browser_profiles, or default", NULL },
	{ "cookies", P_ARRAY, IN_BODY, REQUIRED,
	  "chrome.cookies.Cookie or CDP Cookie objects",
	  "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\"}}" },
	/* never GUMLOOP_TEAM_ID by default: sign-ins must not land in a
	 * team's profile unasked */
	{ "team_id", P_STRING, IN_BODY, 0, "a team's profile, not yours",
	  NULL },
	{ "url", P_STRING, IN_BODY, 0,
	  "only this site's cookies, replacing its old ones",
	  "{\"type\":\"string\",\"maxLength\":2048}" },
	{ 0 }
};

const struct tool_def browser_tools[] = {
	{ .name = "list_all_gumloop_browser_profiles",
	  .title = "List browser profiles",
	  .description = "List browser profiles (yours, or a team's): "
		"sites and cookie counts, never values.",
	  .access = TOOL_READ, .tag = "browser", .scope = SCOPE_TEAM,
	  .method = "GET", .path = "/browser-profiles",
	  .output_schema = profiles_schema },
	{ .name = "create_gumloop_browser_profile_cookies",
	  .title = "Import browser cookies",
	  .description = "Add sign-in cookies to a browser profile (stored "
		"encrypted, never returned).",
	  .access = TOOL_WRITE, .tag = "browser",
	  .method = "POST", .path = "/browser-profiles/{profile_id}/cookies",
	  .params = cookies_params, .output_schema = import_schema },
	{ 0 }
};
