/*
 * The per-call HTTP floor: one libcurl easy handle making the same GET
 * COUNT times over one keep-alive connection, with the headers the server
 * sends, each body gathered into a reused buffer. Exits 1 on any failure
 * or a status other than 200. With --lines each body is also written to
 * stdout as one line, in one write, as a server writes each reply: the
 * floor of what an MCP server must do per call.
 *
 *   http_floor URL COUNT [--lines]   (GUMLOOP_API_KEY, GUMLOOP_USER_ID
 *                                     from the env)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <unistd.h>

struct body {
	char *data;
	size_t len, cap;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {	/* room for a newline */
		b->cap = (b->len + len) * 2 + 1;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			return 0;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return len;
}

static struct curl_slist *headers(void)
{
	const char *key = getenv("GUMLOOP_API_KEY");
	const char *user = getenv("GUMLOOP_USER_ID");
	struct curl_slist *h = NULL;
	char line[512];

	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:");
	snprintf(line, sizeof(line), "Authorization: Bearer %s", key ? key : "");
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "x-auth-key: %s", user ? user : "");
	return curl_slist_append(h, line);
}

int main(int argc, char **argv)
{
	struct body body = { NULL, 0, 0 };
	struct curl_slist *h;
	long i, count, status = 0;
	int lines = argc == 4 && !strcmp(argv[3], "--lines");
	CURL *curl;

	if (argc != 3 && !lines) {
		fprintf(stderr, "usage: http_floor URL COUNT [--lines]\n");
		return 2;
	}
	count = atol(argv[2]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	h = headers();
	curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "http-floor/1");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
	for (i = 0; i < count; i++) {
		body.len = 0;
		if (curl_easy_perform(curl) != CURLE_OK)
			return 1;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200)
			return 1;
		if (lines) {
			body.data[body.len] = '\n';
			if (write(1, body.data, body.len + 1) != (ssize_t)body.len + 1)
				return 1;
		}
	}
	if (!lines)
		printf("%ld requests, last body %zu bytes\n", count, body.len);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	free(body.data);
	return 0;
}
