/*
 * brain.c: Brain sources of the direct_file_uploads kind and their files.
 * Seeds: the personal source "src_handbook" (active, one indexed file)
 * and the Notion source "src_notion" (connected in the app).  An active
 * source indexes each upload at once; a draft (require_approval) holds
 * its uploads and answers an estimate until it is approved.  Uploads are
 * multipart parts named files: at most 25, each a PDF, Office or text
 * file; refused ones come back in rejected with a 201, and a 400
 * no_files_accepted when none was accepted.  Shapes beyond the spec's are
 * guesses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define MAX_FILES 25

struct source {
	char *id;
	cJSON *obj;		/* the source as answered, without files */
	cJSON *files;		/* [{id, file_name, status, size}] */
	int draft;
};

static struct source *sources;
static size_t nsources;

static void bad(struct fake_resp *resp, const char *code, const char *msg)
{
	fake_error_new(resp, 400, code, msg, "invalid_request_error");
}

static struct source *add_source(const char *id, const char *name,
				 const char *type, const char *scope,
				 const char *team, int draft)
{
	struct source *s;

	sources = fake_xrealloc(sources, (nsources + 1) * sizeof(*sources));
	s = &sources[nsources++];
	s->id = id ? fake_xstrdup(id) : fake_new_id("src");
	s->draft = draft;
	s->files = cJSON_CreateArray();
	s->obj = cJSON_CreateObject();
	cJSON_AddStringToObject(s->obj, "id", s->id);
	cJSON_AddStringToObject(s->obj, "name", name);
	cJSON_AddStringToObject(s->obj, "source_type", type);
	cJSON_AddStringToObject(s->obj, "scope", scope);
	if (team)
		cJSON_AddStringToObject(s->obj, "team_id", team);
	else
		cJSON_AddNullToObject(s->obj, "team_id");
	cJSON_AddStringToObject(s->obj, "status", draft ? "draft" : "active");
	return s;
}

static struct source *find_source(const char *id)
{
	size_t i;

	for (i = 0; id && i < nsources; i++)
		if (sources[i].id && !strcmp(sources[i].id, id))
			return &sources[i];
	return NULL;
}

static struct source *source_or_404(struct fake_req *req,
				    struct fake_resp *resp)
{
	struct source *s = find_source(fake_param(req, "source_id"));

	if (!s)
		fake_error_new(resp, 404, "source_not_found", "no source with "
			       "this id", "not_found_error");
	return s;
}

static cJSON *source_answer(const struct source *s)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *o = cJSON_Duplicate(s->obj, 1);

	cJSON_AddNumberToObject(o, "file_count", cJSON_GetArraySize(s->files));
	cJSON_AddItemToObject(root, "source", o);
	return root;
}

static int matches(const struct source *s, const struct fake_req *req,
		   const char *name)
{
	const char *want = fake_query(req, name);
	const char *have = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(s->obj, name));

	return !want || (have && !strcmp(want, have));
}

static void list_sources(struct fake_req *req, struct fake_resp *resp)
{
	cJSON *root = cJSON_CreateObject(), *list;
	const struct source **hits = fake_xmalloc((nsources + 1) *
						  sizeof(*hits));
	size_t n = 0, i, start, end;

	for (i = 0; i < nsources; i++)
		if (sources[i].id && matches(&sources[i], req, "scope") &&
		    matches(&sources[i], req, "source_type") &&
		    matches(&sources[i], req, "team_id"))
			hits[n++] = &sources[i];
	list = cJSON_AddArrayToObject(root, "sources");
	if (fake_page(req, resp, n, 20, root, &start, &end) < 0) {
		cJSON_Delete(root);
		free(hits);
		return;
	}
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(list, cJSON_Duplicate(hits[i]->obj, 1));
	free(hits);
	fake_json(resp, 200, root);
}

static void create_source(struct fake_req *req, struct fake_resp *resp)
{
	const char *name = fake_body_str(req, "name");
	const char *type = fake_body_str(req, "source_type");
	const char *scope = fake_body_str(req, "scope");
	const char *team = fake_body_str(req, "team_id");
	const cJSON *approval = cJSON_GetObjectItemCaseSensitive(req->json,
							"require_approval");
	struct source *s;

	scope = scope ? scope : "personal";
	if (!name || !*name || strlen(name) > 200) {
		bad(resp, "invalid_request", "name must be 1 to 200 characters");
		return;
	}
	if (type && strcmp(type, "direct_file_uploads")) {
		bad(resp, "invalid_request", "only direct_file_uploads sources "
		    "can be created through the API");
		return;
	}
	if (strcmp(scope, "personal") && strcmp(scope, "team") &&
	    strcmp(scope, "organization")) {
		bad(resp, "invalid_request", "scope must be personal, team or "
		    "organization");
		return;
	}
	if (!strcmp(scope, "team") != !!team) {
		bad(resp, "invalid_request", "team_id goes with scope team, and "
		    "only with it");
		return;
	}
	s = add_source(NULL, name, "direct_file_uploads", scope, team,
		       cJSON_IsTrue(approval));
	fake_json(resp, 201, source_answer(s));
}

static void get_source(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);

	if (s)
		fake_json(resp, 200, source_answer(s));
}

static void free_source(struct source *s)
{
	free(s->id);
	s->id = NULL;
	cJSON_Delete(s->obj);
	cJSON_Delete(s->files);
	s->obj = s->files = NULL;
}

static void delete_source(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);
	cJSON *root;

	if (!s)
		return;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "id", s->id);
	cJSON_AddTrueToObject(root, "deleted");
	free_source(s);
	fake_json(resp, 200, root);
}

static void list_files(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);
	cJSON *root, *list;
	size_t start, end, i;

	if (!s)
		return;
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "files");
	if (fake_page(req, resp, (size_t)cJSON_GetArraySize(s->files), 20, root,
		      &start, &end) < 0) {
		cJSON_Delete(root);
		return;
	}
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(list, cJSON_Duplicate(
			cJSON_GetArrayItem(s->files, (int)i), 1));
	fake_json(resp, 200, root);
}

static int accepted_type(const char *name)
{
	static const char *const exts[] = {
		".pdf", ".doc", ".docx", ".ppt", ".pptx", ".xls", ".xlsx",
		".txt", ".md", ".html", ".csv", ".rtf",
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot, exts[i]))
			return 1;
	return 0;
}

/* A sha256 stand-in: the fake does not hash; it fingerprints. */
static void fingerprint(const char *data, size_t len, char out[65])
{
	unsigned long h = 5381;
	size_t i;

	for (i = 0; i < len; i++)
		h = h * 33 + (unsigned char)data[i];
	snprintf(out, 65, "%064lx", h);
}

static cJSON *file_obj(const struct source *s, const struct fake_part *p)
{
	cJSON *f = cJSON_CreateObject();
	char *id = fake_new_id("bfile");
	char sum[65];

	fingerprint(p->data, p->len, sum);
	cJSON_AddStringToObject(f, "id", id);
	cJSON_AddStringToObject(f, "file_name", p->filename);
	cJSON_AddNumberToObject(f, "size", (double)p->len);
	cJSON_AddStringToObject(f, "sha256", sum);
	cJSON_AddStringToObject(f, "status", s->draft ? "pending_approval" :
				"indexed");
	free(id);
	return f;
}

static void upload_files(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);
	struct fake_part *parts = NULL;
	cJSON *root, *files, *rejected, *r;
	int n, i, nfiles = 0;

	if (!s)
		return;
	n = fake_multipart(req, &parts);
	if (n < 0) {
		bad(resp, "invalid_request", "the body must be "
		    "multipart/form-data");
		return;
	}
	root = cJSON_CreateObject();
	files = cJSON_AddArrayToObject(root, "files");
	rejected = cJSON_AddArrayToObject(root, "rejected");
	for (i = 0; i < n; i++) {
		const char *why = NULL;

		if (!parts[i].name || strcmp(parts[i].name, "files") ||
		    !parts[i].filename)
			continue;
		if (++nfiles > MAX_FILES)
			why = "more than 25 files";
		else if (!parts[i].len)
			why = "empty file";
		else if (!accepted_type(parts[i].filename))
			why = "unsupported file type";
		if (!why) {
			cJSON *f = file_obj(s, &parts[i]);

			cJSON_AddItemToArray(s->files, cJSON_Duplicate(f, 1));
			cJSON_AddItemToArray(files, f);
			continue;
		}
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "file_name", parts[i].filename);
		cJSON_AddStringToObject(r, "reason", why);
		cJSON_AddItemToArray(rejected, r);
	}
	fake_parts_free(parts, n);
	if (!cJSON_GetArraySize(files)) {
		cJSON_Delete(root);
		bad(resp, "no_files_accepted", "no file was accepted");
		return;
	}
	fake_json(resp, 201, root);
}

static void delete_file(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);
	const char *id = fake_param(req, "file_id");
	cJSON *f, *root;

	if (!s)
		return;
	cJSON_ArrayForEach(f, s->files) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "id")->valuestring,
			   id))
			continue;
		cJSON_Delete(cJSON_DetachItemViaPointer(s->files, f));
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "id", id);
		cJSON_AddTrueToObject(root, "deleted");
		fake_json(resp, 200, root);
		return;
	}
	fake_error_new(resp, 404, "file_not_found", "no file with this id",
		       "not_found_error");
}

static void estimate(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);
	cJSON *root, *e;
	int n;

	if (!s)
		return;
	root = cJSON_CreateObject();
	n = cJSON_GetArraySize(s->files);
	if (!s->draft || !n) {
		cJSON_AddNullToObject(root, "estimate");
	} else {
		e = cJSON_AddObjectToObject(root, "estimate");
		cJSON_AddStringToObject(e, "status", "paused_for_approval");
		cJSON_AddNumberToObject(e, "estimated_credits", 5 * n);
		cJSON_AddNumberToObject(e, "file_count", n);
	}
	fake_json(resp, 200, root);
}

static void approve(struct fake_req *req, struct fake_resp *resp)
{
	struct source *s = source_or_404(req, resp);
	cJSON *f;

	if (!s)
		return;
	if (!s->draft) {
		fake_error_new(resp, 409, "source_not_draft", "only a draft "
			       "source can be approved", "conflict_error");
		return;
	}
	s->draft = 0;
	cJSON_ReplaceItemInObjectCaseSensitive(s->obj, "status",
					       cJSON_CreateString("active"));
	cJSON_ArrayForEach(f, s->files)
		cJSON_ReplaceItemInObjectCaseSensitive(f, "status",
			cJSON_CreateString("indexing"));
	fake_json(resp, 200, source_answer(s));
}

static void brain_reset(void)
{
	static char name[] = "handbook.md", type[] = "text/markdown";
	struct fake_part seed = { NULL, name, type, "# Handbook", 10 };
	struct source *s;
	size_t i;

	for (i = 0; i < nsources; i++)
		free_source(&sources[i]);
	free(sources);
	sources = NULL;
	nsources = 0;
	s = add_source("src_handbook", "Team handbook", "direct_file_uploads",
		       "personal", NULL, 0);
	cJSON_AddItemToArray(s->files, file_obj(s, &seed));
	add_source("src_notion", "Notion workspace", "notion", "organization",
		   NULL, 0);
}

static const struct fake_route brain_routes[] = {
	{ .method = "GET", .pattern = "/brain/sources", .handle = list_sources },
	{ .method = "POST", .pattern = "/brain/sources",
	  .handle = create_source },
	{ .method = "GET", .pattern = "/brain/sources/{source_id}",
	  .handle = get_source },
	{ .method = "DELETE", .pattern = "/brain/sources/{source_id}",
	  .handle = delete_source },
	{ .method = "GET", .pattern = "/brain/sources/{source_id}/files",
	  .handle = list_files },
	{ .method = "POST", .pattern = "/brain/sources/{source_id}/files",
	  .handle = upload_files },
	{ .method = "DELETE",
	  .pattern = "/brain/sources/{source_id}/files/{file_id}",
	  .handle = delete_file },
	{ .method = "GET", .pattern = "/brain/sources/{source_id}/estimate",
	  .handle = estimate },
	{ .method = "POST", .pattern = "/brain/sources/{source_id}/approve",
	  .handle = approve },
	{ 0 }
};

const struct fake_area fake_brain_area = {
	.name = "brain",
	.routes = brain_routes,
	.reset = brain_reset,
};
