/*
 * multipart.c: a bounded multipart/form-data parser (RFC 7578) for the
 * upload endpoints and the request records, and base64 for the records.
 * Parts point into the request body; nothing is read past body_len.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define MAX_PARTS 64

static const char *header_of(const struct fake_req *req, const char *name)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(req->headers, name);

	return cJSON_IsString(h) ? h->valuestring : NULL;
}

/* The value of param (e.g. boundary, name) in a header value; caller frees. */
static char *header_param(const char *value, size_t len, const char *param)
{
	size_t plen = strlen(param), i;

	for (i = 0; i + plen + 1 < len; i++) {
		const char *p = value + i, *end;

		if ((i && p[-1] != ';' && p[-1] != ' ') ||
		    strncasecmp(p, param, plen) || p[plen] != '=')
			continue;
		p += plen + 1;
		if (*p == '"') {
			end = memchr(p + 1, '"', len - (size_t)(p + 1 - value));
			if (!end)
				return NULL;
			p++;
		} else {
			end = p;
			while (end < value + len && *end != ';' && *end != ' ')
				end++;
		}
		{
			char *out = fake_xmalloc((size_t)(end - p) + 1);

			memcpy(out, p, (size_t)(end - p));
			out[end - p] = '\0';
			return out;
		}
	}
	return NULL;
}

/* Reads the part's header lines in [p, end) into part. */
static void part_headers(const char *p, const char *end,
			 struct fake_part *part)
{
	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (n > 20 && !strncasecmp(p, "content-disposition:", 20)) {
			part->name = header_param(p + 20, n - 20, "name");
			part->filename = header_param(p + 20, n - 20,
						      "filename");
		} else if (n > 13 && !strncasecmp(p, "content-type:", 13)) {
			const char *v = p + 13;

			while (v < p + n && *v == ' ')
				v++;
			part->content_type = fake_xmalloc((size_t)(p + n - v) + 1);
			memcpy(part->content_type, v, (size_t)(p + n - v));
			part->content_type[p + n - v] = '\0';
		}
		p += n + 2;
	}
}

void fake_parts_free(struct fake_part *parts, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(parts[i].name);
		free(parts[i].filename);
		free(parts[i].content_type);
	}
	free(parts);
}

/* Splits body at the delimiter "\r\n--boundary". */
static int split(const char *body, size_t len, const char *delim,
		 struct fake_part *parts)
{
	size_t dlen = strlen(delim);
	const char *end = body + len, *p, *next, *head_end;
	int n = 0;

	/* the first delimiter may open the body without its CRLF */
	if (len >= dlen - 2 && !memcmp(body, delim + 2, dlen - 2))
		p = body + dlen - 2;
	else if ((p = memmem(body, len, delim, dlen)))
		p += dlen;
	else
		return -1;
	for (;;) {
		if (end - p >= 2 && !memcmp(p, "--", 2))
			return n;
		if (end - p < 2 || memcmp(p, "\r\n", 2) || n == MAX_PARTS)
			return -1;
		p += 2;
		head_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!head_end)
			return -1;
		next = memmem(head_end + 4, (size_t)(end - head_end - 4), delim,
			      dlen);
		if (!next)
			return -1;
		memset(&parts[n], 0, sizeof(parts[n]));
		part_headers(p, head_end + 2, &parts[n]);
		parts[n].data = head_end + 4;
		parts[n].len = (size_t)(next - head_end - 4);
		n++;
		p = next + dlen;
	}
}

int fake_multipart(const struct fake_req *req, struct fake_part **out)
{
	const char *ct = header_of(req, "content-type");
	struct fake_part *parts;
	char *boundary, *delim;
	int n;

	*out = NULL;
	if (!ct || strncasecmp(ct, "multipart/form-data", 19))
		return -1;
	boundary = header_param(ct, strlen(ct), "boundary");
	if (!boundary || !*boundary) {
		free(boundary);
		return -1;
	}
	delim = fake_xmalloc(strlen(boundary) + 5);
	strcpy(delim, "\r\n--");
	strcat(delim, boundary);
	free(boundary);
	parts = fake_xmalloc(MAX_PARTS * sizeof(*parts));
	n = split(req->body, req->body_len, delim, parts);
	free(delim);
	if (n < 0) {
		fake_parts_free(parts, 0);
		return -1;
	}
	*out = parts;
	return n;
}

char *fake_base64(const void *data, size_t len)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = data;
	char *out = fake_xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = digits[s[i] >> 2];
		*o++ = digits[(s[i] & 3) << 4 | s[i + 1] >> 4];
		*o++ = digits[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		*o++ = digits[s[i + 2] & 63];
	}
	if (i < len) {
		*o++ = digits[s[i] >> 2];
		if (i + 1 < len) {
			*o++ = digits[(s[i] & 3) << 4 | s[i + 1] >> 4];
			*o++ = digits[(s[i + 1] & 15) << 2];
		} else {
			*o++ = digits[(s[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

char *fake_base64_decode(const char *s, size_t *out_len)
{
	size_t len = strlen(s), i, n = 0, pad = 0;
	unsigned long acc = 0;
	int bits = 0, v;
	char *out;

	if (len % 4)
		return NULL;
	while (len && pad < 2 && s[len - 1] == '=') {
		len--;
		pad++;
	}
	out = fake_xmalloc(len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		v = b64_value(s[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}
