/*
 * skills.c: skills (gumloop-api.md 2.6).  Create and update take
 * multipart/form-data with one or more "files" parts: a SKILL.md (any .md
 * part), a .zip/.skill archive with SKILL.md at its root or in one top
 * folder (stored entries only: this fake does not inflate), or loose files; SKILL.md front matter
 * needs name and description (400 otherwise), the whole upload at most
 * max_skill_bytes (413 above).  A skill downloads as a .skill archive
 * behind a signed URL: the uploaded archive as it came, or a stored zip of
 * the loose files.  Three seeds; deletes are soft (404 afterwards).
 *
 * Knob (POST /_fake/config): max_skill_bytes (default 10 MiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define MAX_SKILL_BYTES_DEFAULT ((long)10 << 20)

struct skill {
	char *id;
	char *name;
	char *description;
	char *team_id;		/* or NULL */
	char *created_at;
	char *updated_at;
	char *version_id;
	int major_version;
	int usage_count;
	int deleted;
	char *archive;		/* the .skill bytes */
	size_t archive_len;
};

static struct skill *skills;	/* in creation order */
static size_t nskills;
static long max_skill_bytes = MAX_SKILL_BYTES_DEFAULT;

static const struct {
	const char *id;
	const char *name;
	const char *description;
	int usage_count;
} seeds[] = {
	{ "skill_seo_audit", "seo-audit",
	  "Audits a web page for search engine problems", 12 },
	{ "skill_invoice_parser", "invoice-parser",
	  "Extracts totals and line items from invoices", 40 },
	{ "skill_meeting_notes", "meeting-notes",
	  "Turns a transcript into action items", 3 },
};

static void skill_free(struct skill *s)
{
	free(s->id);
	free(s->name);
	free(s->description);
	free(s->team_id);
	free(s->created_at);
	free(s->updated_at);
	free(s->version_id);
	free(s->archive);
}

static char *dup_n(const char *s, size_t n)
{
	char *out = fake_xmalloc(n + 1);

	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* ---- SKILL.md --------------------------------------------------------- */

/* The trimmed value of "key:" inside the front matter of md, or NULL. */
static char *front_matter(const char *md, size_t len, const char *key)
{
	const char *p = md, *end = md + len, *eol;
	size_t klen = strlen(key);
	int line = 0;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (!strncmp(p, "---", 3) && line++)
			return NULL;		/* the closing fence */
		if (!line)
			return NULL;		/* no opening fence */
		if ((size_t)(eol - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == ':') {
			const char *v = p + klen + 1, *e = eol;

			while (v < e && *v == ' ')
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' '))
				e--;
			return e > v ? dup_n(v, (size_t)(e - v)) : NULL;
		}
		p = eol + 1;
	}
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* What an upload holds: the SKILL.md bytes and the archive to serve. */
struct upload {
	const char *md;
	size_t md_len;
	char *archive;
	size_t archive_len;
	char *team_id;		/* the team_id form field, or NULL */
};

/* Reads the files parts; returns an error message or NULL. */
static const char *read_upload(struct fake_part *parts, int n,
			       struct upload *up)
{
	struct fake_zip zip;
	int i, files = 0;

	fake_zip_init(&zip);
	for (i = 0; i < n; i++) {
		struct fake_part *p = &parts[i];

		if (p->name && !strcmp(p->name, "team_id") && !p->filename) {
			free(up->team_id);
			up->team_id = dup_n(p->data, p->len);
		}
		if (!p->name || strcmp(p->name, "files") || !p->filename)
			continue;
		files++;
		if (ends_with(p->filename, ".zip") ||
		    ends_with(p->filename, ".skill")) {
			free(up->archive);
			up->archive = dup_n(p->data, p->len);
			up->archive_len = p->len;
			up->md = fake_zip_stored(up->archive, p->len, "SKILL.md",
						 &up->md_len);
			continue;
		}
		if (ends_with(p->filename, ".md")) {
			up->md = p->data;
			up->md_len = p->len;
		}
		fake_zip_add(&zip, ends_with(p->filename, ".md") ? "SKILL.md"
				   : p->filename, p->data, p->len);
	}
	if (!up->archive) {
		up->archive = fake_zip_finish(&zip, &up->archive_len);
	} else {
		size_t unused;

		free(fake_zip_finish(&zip, &unused));
	}
	if (!files)
		return "at least one 'files' part is required";
	if (!up->md)
		return "SKILL.md not found (an archive needs it at its root, "
		       "stored)";
	return NULL;
}

/* ---- handlers --------------------------------------------------------- */

static cJSON *skill_json(const struct skill *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "description", s->description);
	if (s->team_id)
		cJSON_AddStringToObject(o, "team_id", s->team_id);
	else
		cJSON_AddNullToObject(o, "team_id");
	cJSON_AddStringToObject(o, "created_at", s->created_at);
	cJSON_AddStringToObject(o, "updated_at", s->updated_at);
	cJSON_AddStringToObject(o, "version_id", s->version_id);
	cJSON_AddNumberToObject(o, "major_version", s->major_version);
	cJSON_AddBoolToObject(o, "is_deployed", 1);
	cJSON_AddNumberToObject(o, "usage_count", s->usage_count);
	return o;
}

static void answer_skill(struct fake_resp *resp, int status,
			 const struct skill *s)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "skill", skill_json(s));
	fake_json(resp, status, root);
}

static struct skill *find_skill(struct fake_req *req, struct fake_resp *resp)
{
	const char *id = fake_param(req, "skill_id");
	size_t i;

	for (i = 0; i < nskills; i++)
		if (!skills[i].deleted && !strcmp(skills[i].id, id))
			return &skills[i];
	fake_error_new(resp, 404, "skill_not_found", "no skill with that id",
		       "invalid_request_error");
	return NULL;
}

/* Sets s from the upload (a new version); name/description from md. */
static void apply_upload(struct skill *s, struct upload *up, char *name,
			 char *description)
{
	char version[64];

	free(s->name);
	free(s->description);
	free(s->archive);
	free(s->updated_at);
	free(s->version_id);
	s->name = name;
	s->description = description;
	s->archive = up->archive;
	s->archive_len = up->archive_len;
	up->archive = NULL;
	s->major_version++;
	snprintf(version, sizeof(version), "%s_v%d", s->id, s->major_version);
	s->version_id = fake_xstrdup(version);
	s->updated_at = fake_iso_time(fake_now_ms());
	if (up->team_id) {
		free(s->team_id);
		s->team_id = up->team_id;
		up->team_id = NULL;
	}
}

/*
 * Parses and checks an upload; answers the error itself and returns -1,
 * or returns 0 with *name and *description (caller owns).
 */
static int take_upload(struct fake_req *req, struct fake_resp *resp,
		       struct upload *up, char **name, char **description)
{
	struct fake_part *parts;
	int n = fake_multipart(req, &parts);
	const char *why;

	memset(up, 0, sizeof(*up));
	*name = *description = NULL;
	if (n < 0) {
		fake_error_new(resp, 400, "invalid_request", "expected a "
			       "multipart/form-data body",
			       "invalid_request_error");
		return -1;
	}
	if ((long)req->body_len > max_skill_bytes) {
		fake_parts_free(parts, n);
		fake_error_new(resp, 413, "payload_too_large", "skill upload "
			       "exceeds the 10 MB limit",
			       "invalid_request_error");
		return -1;
	}
	why = read_upload(parts, n, up);
	if (!why) {
		*name = front_matter(up->md, up->md_len, "name");
		*description = front_matter(up->md, up->md_len, "description");
		if (!*name || !*description)
			why = "SKILL.md frontmatter must include name and "
			      "description";
	}
	fake_parts_free(parts, n);
	if (!why)
		return 0;
	fake_error_new(resp, 400, "invalid_skill", why,
		       "invalid_request_error");
	free(up->archive);
	free(up->team_id);
	free(*name);
	free(*description);
	return -1;
}

static void create_skill(struct fake_req *req, struct fake_resp *resp)
{
	struct upload up;
	char *name, *description;
	struct skill *s;

	if (take_upload(req, resp, &up, &name, &description))
		return;
	skills = fake_xrealloc(skills, (nskills + 1) * sizeof(*skills));
	s = &skills[nskills++];
	memset(s, 0, sizeof(*s));
	s->id = fake_new_id("skill");
	s->created_at = fake_iso_time(fake_now_ms());
	apply_upload(s, &up, name, description);
	free(up.team_id);
	answer_skill(resp, 201, s);
}

static void update_skill(struct fake_req *req, struct fake_resp *resp)
{
	struct skill *s = find_skill(req, resp);
	struct upload up;
	char *name, *description;

	if (!s || take_upload(req, resp, &up, &name, &description))
		return;
	apply_upload(s, &up, name, description);
	free(up.team_id);
	answer_skill(resp, 200, s);
}

static void delete_skill(struct fake_req *req, struct fake_resp *resp)
{
	struct skill *s = find_skill(req, resp);
	cJSON *root;

	if (!s)
		return;
	s->deleted = 1;
	root = cJSON_CreateObject();
	cJSON_AddTrueToObject(root, "deleted");
	fake_json(resp, 200, root);
}

static void download_skill(struct fake_req *req, struct fake_resp *resp)
{
	struct skill *s = find_skill(req, resp);
	const char *want = fake_query(req, "version_id");
	char *url, *file;
	cJSON *root;
	size_t n;

	if (!s)
		return;
	if (want && strcmp(want, s->version_id)) {
		fake_error_new(resp, 404, "version_not_found", "no such "
			       "version of the skill", "invalid_request_error");
		return;
	}
	url = fake_signed_url(req, "application/zip", s->archive,
			      s->archive_len);
	n = strlen(s->name) + 8;
	file = fake_xmalloc(n);
	snprintf(file, n, "%s.skill", s->name);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "download_url", url);
	cJSON_AddStringToObject(root, "filename", file);
	cJSON_AddStringToObject(root, "media_type", "application/zip");
	cJSON_AddNumberToObject(root, "size", (double)s->archive_len);
	cJSON_AddStringToObject(root, "id", s->id);
	cJSON_AddStringToObject(root, "version_id", s->version_id);
	cJSON_AddNumberToObject(root, "major_version", s->major_version);
	free(url);
	free(file);
	fake_json(resp, 200, root);
}

/* ---- the list --------------------------------------------------------- */

static int matches(const struct skill *s, const char *search)
{
	return !s->deleted && (!search || strstr(s->name, search) ||
			       strstr(s->description, search));
}

static int by_usage(const void *a, const void *b)
{
	const struct skill *x = *(const struct skill *const *)a;
	const struct skill *y = *(const struct skill *const *)b;

	return y->usage_count - x->usage_count;
}

static void list_skills(struct fake_req *req, struct fake_resp *resp)
{
	const char *search = fake_query(req, "search_query");
	const char *order = fake_query(req, "sort_order");
	struct skill **found = fake_xmalloc((nskills + 1) * sizeof(*found));
	size_t i, n = 0, start, end;
	cJSON *root, *items;

	for (i = nskills; i-- > 0;)	/* newest first */
		if (matches(&skills[i], search))
			found[n++] = &skills[i];
	if (order && strcmp(order, "newest"))
		qsort(found, n, sizeof(*found), by_usage);
	root = cJSON_CreateObject();
	if (fake_page(req, resp, n, 20, root, &start, &end)) {
		cJSON_Delete(root);
		free(found);
		return;
	}
	items = cJSON_AddArrayToObject(root, "skills");
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(items, skill_json(found[i]));
	cJSON_AddNumberToObject(root, "total_count", (double)n);
	free(found);
	fake_json(resp, 200, root);
}

/* ---- lifecycle -------------------------------------------------------- */

static void seed(size_t i)
{
	struct skill *s = &skills[i];
	struct fake_zip zip;
	char md[512], version[64];
	int n;

	memset(s, 0, sizeof(*s));
	s->id = fake_xstrdup(seeds[i].id);
	s->name = fake_xstrdup(seeds[i].name);
	s->description = fake_xstrdup(seeds[i].description);
	s->usage_count = seeds[i].usage_count;
	s->created_at = fake_xstrdup("2025-02-01T09:00:00Z");
	s->updated_at = fake_xstrdup("2025-02-01T09:00:00Z");
	s->major_version = 1;
	snprintf(version, sizeof(version), "%s_v1", s->id);
	s->version_id = fake_xstrdup(version);
	n = snprintf(md, sizeof(md), "---\nname: %s\ndescription: %s\n---\n\n"
		     "# %s\n", seeds[i].name, seeds[i].description,
		     seeds[i].name);
	fake_zip_init(&zip);
	fake_zip_add(&zip, "SKILL.md", md, (size_t)n);
	s->archive = fake_zip_finish(&zip, &s->archive_len);
}

static void skills_reset(void)
{
	size_t i;

	for (i = 0; i < nskills; i++)
		skill_free(&skills[i]);
	nskills = sizeof(seeds) / sizeof(seeds[0]);
	skills = fake_xrealloc(skills, nskills * sizeof(*skills));
	for (i = 0; i < nskills; i++)
		seed(i);
	max_skill_bytes = MAX_SKILL_BYTES_DEFAULT;
}

static int skills_config(const cJSON *in, cJSON *out, const char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "max_skill_bytes");

	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 1)) {
		*cause = "'max_skill_bytes' must be a positive number";
		return -1;
	}
	if (v)
		max_skill_bytes = (long)v->valuedouble;
	cJSON_AddNumberToObject(out, "max_skill_bytes", (double)max_skill_bytes);
	return 0;
}

static const struct fake_route skills_routes[] = {
	{ .method = "GET", .pattern = "/skills", .handle = list_skills },
	{ .method = "POST", .pattern = "/skills", .handle = create_skill },
	{ .method = "PATCH", .pattern = "/skills/{skill_id}",
	  .handle = update_skill },
	{ .method = "DELETE", .pattern = "/skills/{skill_id}",
	  .handle = delete_skill },
	{ .method = "GET", .pattern = "/skills/{skill_id}/download",
	  .handle = download_skill },
	{ 0 }
};

const struct fake_area fake_skills_area = {
	.name = "skills", .routes = skills_routes, .reset = skills_reset,
	.config = skills_config,
};
