/*
 * files.c: files for flows (gumloop-api.md 2.2), legacy endpoints.  One
 * store of named files (reset restores the seeds): uploads add to it and
 * downloads read from it whatever run_id / saved_item_id say (both must be
 * present).  /download_file answers the raw bytes with a media type from
 * the name; /download_files a stored zip of the files found (404 if none).
 * /upload_files fails a file whose name is empty, holds a '/', or ends in
 * .exe, or whose content is not base64: 200 when all pass, 207
 * {partial_success, uploaded_files, failed_files: [{file_name, error}]}
 * when some do, 500 when none do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define HUGE_SIZE ((size_t)3 << 19)

struct stored_file {
	char *name;
	char *data;
	size_t len;
};

static struct stored_file *store;
static size_t nstore;

static const char report_csv[] = "region,revenue\nnorth,1200\nsouth,980\n";
static const unsigned char logo_png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0, 0xff, 0xd8,
};

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".csv", "text/csv" }, { ".txt", "text/plain" },
	{ ".json", "application/json" }, { ".png", "image/png" },
	{ ".pdf", "application/pdf" },
};

static const char *type_of(const char *name)
{
	size_t n = strlen(name), i, k;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		k = strlen(types[i].ext);
		if (n >= k && !strcasecmp(name + n - k, types[i].ext))
			return types[i].type;
	}
	return "application/octet-stream";
}

static struct stored_file *find_file(const char *name)
{
	size_t i;

	for (i = 0; i < nstore; i++)
		if (!strcmp(store[i].name, name))
			return &store[i];
	return NULL;
}

/* Stores a copy of data under name, replacing a file of that name. */
static void put_file(const char *name, const char *data, size_t len)
{
	struct stored_file *f = find_file(name);

	if (!f) {
		store = fake_xrealloc(store, (nstore + 1) * sizeof(*store));
		f = &store[nstore++];
		f->name = fake_xstrdup(name);
	} else {
		free(f->data);
	}
	f->data = fake_xmalloc(len + 1);
	memcpy(f->data, data, len);
	f->len = len;
}

/* Why a file cannot be stored, or NULL; on success *data is decoded. */
static const char *upload_problem(const char *name, const char *b64,
				  char **data, size_t *len)
{
	size_t n = name ? strlen(name) : 0;

	*data = NULL;
	if (!n || strchr(name, '/'))
		return "invalid file name";
	if (n > 4 && !strcasecmp(name + n - 4, ".exe"))
		return "file type not allowed";
	if (!b64 || !(*data = fake_base64_decode(b64, len)))
		return "file_content must be base64";
	return NULL;
}

static void upload_file(struct fake_req *req, struct fake_resp *resp)
{
	const char *name = fake_body_str(req, "file_name");
	const char *why;
	cJSON *root;
	char *data;
	size_t len;

	why = upload_problem(name, fake_body_str(req, "file_content"), &data,
			     &len);
	if (why) {
		fake_error_legacy(resp, 400, why);
		return;
	}
	put_file(name, data, len);
	free(data);
	root = cJSON_CreateObject();
	cJSON_AddTrueToObject(root, "success");
	cJSON_AddStringToObject(root, "file_name", name);
	fake_json(resp, 200, root);
}

static void upload_files(struct fake_req *req, struct fake_resp *resp)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(req->json, "files");
	cJSON *root, *ok, *failed, *f;
	const cJSON *item, *name, *content;
	const char *why;
	char *data;
	size_t len;

	if (!cJSON_IsArray(files) || !cJSON_GetArraySize(files)) {
		fake_error_legacy(resp, 400, "files is required");
		return;
	}
	root = cJSON_CreateObject();
	ok = cJSON_CreateArray();
	failed = cJSON_CreateArray();
	cJSON_ArrayForEach(item, files) {
		name = cJSON_GetObjectItemCaseSensitive(item, "file_name");
		content = cJSON_GetObjectItemCaseSensitive(item, "file_content");
		why = upload_problem(cJSON_GetStringValue(name),
				     cJSON_GetStringValue(content), &data, &len);
		if (why) {
			f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "file_name",
				cJSON_IsString(name) ? name->valuestring : "");
			cJSON_AddStringToObject(f, "error", why);
			cJSON_AddItemToArray(failed, f);
			continue;
		}
		put_file(name->valuestring, data, len);
		free(data);
		cJSON_AddItemToArray(ok, cJSON_CreateString(name->valuestring));
	}
	if (!cJSON_GetArraySize(ok)) {
		cJSON_AddStringToObject(root, "error", "All files failed to "
					"upload");
		cJSON_AddItemToObject(root, "failed_files", failed);
		cJSON_Delete(ok);
		fake_json(resp, 500, root);
		return;
	}
	cJSON_AddBoolToObject(root, cJSON_GetArraySize(failed) ?
			      "partial_success" : "success", 1);
	cJSON_AddItemToObject(root, "uploaded_files", ok);
	if (cJSON_GetArraySize(failed))
		cJSON_AddItemToObject(root, "failed_files", failed);
	else
		cJSON_Delete(failed);
	fake_json(resp, cJSON_GetArraySize(failed) ? 207 : 200, root);
}

static int run_given(struct fake_req *req, struct fake_resp *resp,
		     int need_flow)
{
	if (!fake_body_str(req, "run_id") ||
	    (need_flow && !fake_body_str(req, "saved_item_id"))) {
		fake_error_legacy(resp, 400, need_flow ?
				  "run_id and saved_item_id are required" :
				  "run_id is required");
		return 0;
	}
	return 1;
}

static void download_file(struct fake_req *req, struct fake_resp *resp)
{
	const char *name = fake_body_str(req, "file_name");
	struct stored_file *f;

	if (!run_given(req, resp, 1))
		return;
	f = name ? find_file(name) : NULL;
	if (!f) {
		fake_error_legacy(resp, 404, "File not found");
		return;
	}
	fake_raw(resp, 200, type_of(f->name), f->data, f->len);
}

static void download_files(struct fake_req *req, struct fake_resp *resp)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(req->json,
							      "file_names");
	const cJSON *n;
	struct stored_file *f;
	struct fake_zip zip;
	char *data;
	size_t len;

	if (!run_given(req, resp, 0))
		return;
	if (!cJSON_IsArray(names) || !cJSON_GetArraySize(names)) {
		fake_error_legacy(resp, 400, "file_names is required");
		return;
	}
	fake_zip_init(&zip);
	cJSON_ArrayForEach(n, names) {
		f = cJSON_IsString(n) ? find_file(n->valuestring) : NULL;
		if (f)
			fake_zip_add(&zip, f->name, f->data, f->len);
	}
	if (!zip.count) {
		free(fake_zip_finish(&zip, &len));
		fake_error_legacy(resp, 404, "None of the files were found");
		return;
	}
	data = fake_zip_finish(&zip, &len);
	fake_raw(resp, 200, "application/zip", data, len);
	free(data);
}

static void files_reset(void)
{
	char *huge;
	size_t i;

	for (i = 0; i < nstore; i++) {
		free(store[i].name);
		free(store[i].data);
	}
	free(store);
	store = NULL;
	nstore = 0;
	put_file("report.csv", report_csv, sizeof(report_csv) - 1);
	put_file("logo.png", (const char *)logo_png, sizeof(logo_png));
	huge = fake_xmalloc(HUGE_SIZE);
	memset(huge, 'z', HUGE_SIZE);
	put_file("huge.txt", huge, HUGE_SIZE);
	free(huge);
}

static const struct fake_route files_routes[] = {
	{ .method = "POST", .pattern = "/upload_file", .legacy = 1,
	  .handle = upload_file },
	{ .method = "POST", .pattern = "/upload_files", .legacy = 1,
	  .handle = upload_files },
	{ .method = "POST", .pattern = "/download_file", .legacy = 1,
	  .handle = download_file },
	{ .method = "POST", .pattern = "/download_files", .legacy = 1,
	  .handle = download_files },
	{ 0 }
};

const struct fake_area fake_files_area = {
	.name = "files", .routes = files_routes, .reset = files_reset,
};
