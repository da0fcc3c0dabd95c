/*
 * artifacts.c: the files agents produce (gumloop-api.md 2.7).  The seeds
 * belong to agent "agent_research": a markdown report (text), a PNG chart
 * (binary, with NUL and 0xff bytes), a 2 MiB dataset whose size the
 * download answer states, and a 1.5 MiB log whose size it leaves out (so
 * only the fetch itself can tell).  A download answer hands out a fresh
 * signed URL (signed.c) holding the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define AGENT_ID "agent_research"
#define BIG_SIZE ((size_t)2 << 20)
#define LOG_SIZE ((size_t)3 << 19)

struct artifact {
	const char *id;
	const char *session_id;
	const char *filename;
	const char *media_type;
	const char *created_at;
	void (*content)(char **data, size_t *len);
	int size_unstated;	/* the download answer has no size */
};

static const char report_md[] =
	"# Weekly research report\n\n"
	"Revenue grew 12 % \xe2\x80\x94 na\xc3\xafve forecast \xe2\x9c\x93\n"
	"- sources: 14\n";

static const unsigned char chart_png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
	'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4,
	0x89, 0xff, 0xfe, 0x00, 0x80,
};

static void report_content(char **data, size_t *len)
{
	*len = sizeof(report_md) - 1;
	*data = fake_xmalloc(*len);
	memcpy(*data, report_md, *len);
}

static void chart_content(char **data, size_t *len)
{
	*len = sizeof(chart_png);
	*data = fake_xmalloc(*len);
	memcpy(*data, chart_png, *len);
}

static void big_content(char **data, size_t *len)
{
	size_t i;

	*len = BIG_SIZE;
	*data = fake_xmalloc(*len);
	for (i = 0; i < *len; i++)
		(*data)[i] = (char)(i * 7);
}

static void log_content(char **data, size_t *len)
{
	size_t i;

	*len = LOG_SIZE;
	*data = fake_xmalloc(*len);
	for (i = 0; i < *len; i++)
		(*data)[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
}

/* Newest first, the default sort order. */
static const struct artifact artifacts[] = {
	{ "art_report", "sess_alpha", "weekly-report.md", "text/markdown",
	  "2025-03-04T10:00:00Z", report_content, 0 },
	{ "art_chart", "sess_alpha", "chart.png", "image/png",
	  "2025-03-03T10:00:00Z", chart_content, 0 },
	{ "art_dataset", "sess_beta", "dataset.bin",
	  "application/octet-stream", "2025-03-02T10:00:00Z", big_content, 0 },
	{ "art_log", "sess_beta", "crawl.log", "text/plain",
	  "2025-03-01T10:00:00Z", log_content, 1 },
};

#define NARTIFACTS (sizeof(artifacts) / sizeof(artifacts[0]))

static const struct artifact *find_artifact(const char *id)
{
	size_t i;

	for (i = 0; i < NARTIFACTS; i++)
		if (!strcmp(artifacts[i].id, id))
			return &artifacts[i];
	return NULL;
}

static char *version_of(const struct artifact *a)
{
	size_t n = strlen(a->id) + 8;
	char *v = fake_xmalloc(n);

	snprintf(v, n, "%s_v1", a->id);
	return v;
}

static cJSON *artifact_json(const struct artifact *a)
{
	cJSON *o = cJSON_CreateObject(), *meta;
	char *version = version_of(a);
	char *data;
	size_t len;

	a->content(&data, &len);
	free(data);
	cJSON_AddStringToObject(o, "id", a->id);
	cJSON_AddStringToObject(o, "version_id", version);
	cJSON_AddNumberToObject(o, "major_version", 1);
	cJSON_AddStringToObject(o, "agent_id", AGENT_ID);
	cJSON_AddStringToObject(o, "session_id", a->session_id);
	cJSON_AddStringToObject(o, "filename", a->filename);
	cJSON_AddStringToObject(o, "created_at", a->created_at);
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "media_type", a->media_type);
	cJSON_AddNumberToObject(meta, "size", (double)len);
	free(version);
	return o;
}

static int wanted(const struct fake_req *req, const struct artifact *a)
{
	const char *session = fake_query(req, "session_id");
	const char *search = fake_query(req, "search_query");

	if (session && strcmp(session, a->session_id))
		return 0;
	return !search || strstr(a->filename, search);
}

static void list_artifacts(struct fake_req *req, struct fake_resp *resp)
{
	const char *order = fake_query(req, "sort_order");
	const struct artifact *found[NARTIFACTS];
	size_t i, n = 0, start, end;
	cJSON *root, *items;

	if (strcmp(fake_param(req, "agent_id"), AGENT_ID)) {
		fake_error_new(resp, 404, "agent_not_found", "no agent with "
			       "that id", "invalid_request_error");
		return;
	}
	if (order && strcmp(order, "newest") && strcmp(order, "oldest")) {
		fake_error_new(resp, 400, "invalid_sort_order", "sort_order "
			       "must be newest or oldest",
			       "invalid_request_error");
		return;
	}
	for (i = 0; i < NARTIFACTS; i++) {
		const struct artifact *a = order && !strcmp(order, "oldest") ?
			&artifacts[NARTIFACTS - 1 - i] : &artifacts[i];

		if (wanted(req, a))
			found[n++] = a;
	}
	root = cJSON_CreateObject();
	if (fake_page(req, resp, n, 20, root, &start, &end)) {
		cJSON_Delete(root);
		return;
	}
	items = cJSON_AddArrayToObject(root, "artifacts");
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(items, artifact_json(found[i]));
	fake_json(resp, 200, root);
}

static void download_artifact(struct fake_req *req, struct fake_resp *resp)
{
	const struct artifact *a = find_artifact(fake_param(req, "artifact_id"));
	const char *want = fake_query(req, "version_id");
	char *version, *data, *url;
	cJSON *root;
	size_t len;

	if (!a) {
		fake_error_new(resp, 404, "artifact_not_found", "no artifact "
			       "with that id", "invalid_request_error");
		return;
	}
	version = version_of(a);
	if (want && strcmp(want, version)) {
		free(version);
		fake_error_new(resp, 404, "version_not_found", "no such "
			       "version of the artifact",
			       "invalid_request_error");
		return;
	}
	a->content(&data, &len);
	url = fake_signed_url(req, a->media_type, data, len);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "download_url", url);
	cJSON_AddStringToObject(root, "filename", a->filename);
	cJSON_AddStringToObject(root, "media_type", a->media_type);
	if (!a->size_unstated)
		cJSON_AddNumberToObject(root, "size", (double)len);
	cJSON_AddStringToObject(root, "version_id", version);
	free(version);
	free(data);
	free(url);
	fake_json(resp, 200, root);
}

static const struct fake_route artifacts_routes[] = {
	{ .method = "GET", .pattern = "/agents/{agent_id}/artifacts",
	  .handle = list_artifacts },
	{ .method = "GET", .pattern = "/artifacts/{artifact_id}/download",
	  .handle = download_artifact },
	{ 0 }
};

const struct fake_area fake_artifacts_area = {
	.name = "artifacts", .routes = artifacts_routes,
};
