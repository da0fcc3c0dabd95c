/*
 * signed.c: the stand-in for a storage host's signed URLs (GCS style).
 * Areas publish bytes with fake_signed_url() and hand out the absolute URL
 *
 *   http://HOST:PORT/signed/TOKEN?X-Goog-Algorithm=GOOG4-RSA-SHA256&
 *       X-Goog-Expires=900&X-Goog-Signature=SIG
 *
 * A GET on it needs no key: the signature is the credential.  Like GCS it
 * answers 400 when the request also carries an Authorization (or
 * x-auth-key) header, 403 for a missing or wrong signature and 404 for an
 * unknown token.  Blobs live until /_fake/reset.
 *
 * Knob (POST /_fake/config): signed_base replaces "http://HOST:PORT" in the
 * URLs handed out (e.g. "http://storage.example.test" to hand out a
 * non-https remote URL); null or "" restores it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

struct blob {
	char *token;
	char *signature;
	char *content_type;
	char *data;
	size_t len;
};

static struct blob *blobs;
static size_t nblobs;
static char *signed_base;

static void signed_reset(void)
{
	size_t i;

	for (i = 0; i < nblobs; i++) {
		free(blobs[i].token);
		free(blobs[i].signature);
		free(blobs[i].content_type);
		free(blobs[i].data);
	}
	free(blobs);
	blobs = NULL;
	nblobs = 0;
	free(signed_base);
	signed_base = NULL;
}

char *fake_signed_url(const struct fake_req *req, const char *content_type,
		      const void *data, size_t len)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(req->headers,
							     "host");
	struct blob *b;
	char *sig_id, *url;
	size_t n;

	blobs = fake_xrealloc(blobs, (nblobs + 1) * sizeof(*blobs));
	b = &blobs[nblobs++];
	b->token = fake_new_id("blob");
	sig_id = fake_new_id("GOOG4sig");
	n = strlen(sig_id) + 16;
	b->signature = fake_xmalloc(n);
	snprintf(b->signature, n, "%s9f3ac0de", sig_id);
	free(sig_id);
	b->content_type = fake_xstrdup(content_type);
	b->data = fake_xmalloc(len + 1);
	memcpy(b->data, data, len);
	b->len = len;
	n = 256 + strlen(b->token) + strlen(b->signature) +
	    (signed_base ? strlen(signed_base) : 0) +
	    (cJSON_IsString(host) ? strlen(host->valuestring) : 0);
	url = fake_xmalloc(n);
	if (signed_base)
		snprintf(url, n, "%s", signed_base);
	else
		snprintf(url, n, "http://%s", cJSON_IsString(host) ?
			 host->valuestring : "127.0.0.1");
	snprintf(url + strlen(url), n - strlen(url), "/signed/%s?"
		 "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=900&"
		 "X-Goog-Signature=%s", b->token, b->signature);
	return url;
}

static void xml_error(struct fake_resp *resp, int status, const char *code,
		      const char *msg)
{
	char body[512];

	snprintf(body, sizeof(body), "<?xml version='1.0' encoding='UTF-8'?>"
		 "<Error><Code>%s</Code><Message>%s</Message></Error>",
		 code, msg);
	fake_raw(resp, status, "application/xml; charset=UTF-8", body,
		 strlen(body));
}

static void get_signed(struct fake_req *req, struct fake_resp *resp)
{
	const char *token = fake_param(req, "token");
	const char *sig = fake_query(req, "X-Goog-Signature");
	size_t i;

	if (cJSON_GetObjectItemCaseSensitive(req->headers, "authorization") ||
	    cJSON_GetObjectItemCaseSensitive(req->headers, "x-auth-key")) {
		xml_error(resp, 400, "InvalidArgument", "Only one auth "
			  "mechanism allowed; the signature is already in "
			  "the query");
		return;
	}
	for (i = 0; i < nblobs; i++)
		if (!strcmp(blobs[i].token, token))
			break;
	if (i == nblobs) {
		xml_error(resp, 404, "NoSuchKey", "The specified key does "
			  "not exist.");
		return;
	}
	if (!sig || strcmp(sig, blobs[i].signature)) {
		xml_error(resp, 403, "SignatureDoesNotMatch", "The request "
			  "signature we calculated does not match the "
			  "signature you provided.");
		return;
	}
	fake_raw(resp, 200, blobs[i].content_type, blobs[i].data,
		 blobs[i].len);
}

static int signed_config(const cJSON *in, cJSON *out, const char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "signed_base");

	if (v && !cJSON_IsString(v) && !cJSON_IsNull(v)) {
		*cause = "'signed_base' must be a string or null";
		return -1;
	}
	if (v) {
		free(signed_base);
		signed_base = cJSON_IsString(v) && *v->valuestring ?
			      fake_xstrdup(v->valuestring) : NULL;
	}
	if (signed_base)
		cJSON_AddStringToObject(out, "signed_base", signed_base);
	else
		cJSON_AddNullToObject(out, "signed_base");
	return 0;
}

static const struct fake_route signed_routes[] = {
	{ .method = "GET", .pattern = "/signed/{token}",
	  .host = FAKE_HOST_ROOT, .no_auth = 1, .handle = get_signed },
	{ 0 }
};

const struct fake_area fake_signed_area = {
	.name = "signed", .routes = signed_routes, .reset = signed_reset,
	.config = signed_config,
};
