/*
 * stderr diagnostics and secret redaction. Secrets are kept in a small list
 * and removed from every string that leaves the process.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "log.h"
#include "util.h"

#define MAX_SECRETS 8
#define REDACTED "[redacted]"

static enum log_level threshold = LOG_INFO;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

void log_set_level(enum log_level level)
{
	threshold = level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Query parameters that make a URL a credential (S3, GCS, CloudFront,
 * Azure SAS and the like), lowercase. */
static const char *const signing_params[] = {
	"signature", "x-amz-", "x-goog-", "sig=", "token", "credential",
	"key-pair-id", "policy=", "expires=",
};

static int is_signed_query(const char *q, size_t len)
{
	char *lower = xstrndup(q, len), *p;
	size_t i;
	int found = 0;

	for (p = lower; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	for (i = 0; i < ARRAY_SIZE(signing_params) && !found; i++)
		found = strstr(lower, signing_params[i]) != NULL;
	free(lower);
	return found;
}

char *redact_signed_urls(const char *s)
{
	struct buf out = BUF_INIT;
	const char *url;

	buf_addstr(&out, "");
	while ((url = strstr(s, "://"))) {
		size_t len = strcspn(url, " \t\r\n\"'<>"), path;

		path = strcspn(url, "?");
		buf_add(&out, s, (size_t)(url - s) + (path < len ? path : len));
		if (path < len && is_signed_query(url + path, len - path))
			buf_addstr(&out, "?[redacted]");
		else if (path < len)
			buf_add(&out, url + path, len - path);
		s = url + len;
	}
	buf_addstr(&out, s);
	return buf_detach(&out, NULL);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	char *raw, *unsigned_urls, *clean;

	if (level < threshold)
		return;
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	unsigned_urls = redact_signed_urls(raw);
	clean = redact_string(unsigned_urls);
	free(unsigned_urls);
	/* A closed or full stderr must not stop the server: ignore failures. */
	fprintf(stderr, "gumloop-mcp: %s: %s\n", level_names[level], clean);
	fflush(stderr);
	free(raw);
	free(clean);
}

void redact_register(const char *secret)
{
	size_t i;

	/* Short strings would redact ordinary text; keys are long. */
	if (!secret || strlen(secret) < 4 || nsecrets == MAX_SECRETS)
		return;
	for (i = 0; i < nsecrets; i++)
		if (crypto_equal(secrets[i], strlen(secrets[i]), secret,
				 strlen(secret)))
			return;
	secrets[nsecrets++] = xstrdup(secret);
}

static const char *find_secret(const char *s, size_t len, size_t *which)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		const char *p = memmem(s, len, secrets[i], strlen(secrets[i]));

		if (p && (!best || p < best)) {
			best = p;
			*which = i;
		}
	}
	return best;
}

int redact_contains(const char *s, size_t len)
{
	size_t which;

	return nsecrets && find_secret(s, len, &which) != NULL;
}

char *redact_string(const char *s)
{
	struct buf out = BUF_INIT;
	size_t len = strlen(s), which = 0;
	const char *p;

	if (!redact_contains(s, len))
		return xstrdup(s);
	while ((p = find_secret(s, len, &which))) {
		buf_add(&out, s, (size_t)(p - s));
		buf_addstr(&out, REDACTED);
		len -= (size_t)(p - s) + strlen(secrets[which]);
		s = p + strlen(secrets[which]);
	}
	buf_add(&out, s, len);
	return buf_detach(&out, NULL);
}

size_t redact_longest(void)
{
	size_t i, n = 0;

	for (i = 0; i < nsecrets; i++)
		if (strlen(secrets[i]) > n)
			n = strlen(secrets[i]);
	return n;
}

size_t redact_count(void)
{
	return nsecrets;
}

const char *redact_secret(size_t i)
{
	return i < nsecrets ? secrets[i] : NULL;
}

void redact_wipe(void)
{
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		crypto_zeroize(secrets[i], strlen(secrets[i]));
		free(secrets[i]);
		secrets[i] = NULL;
	}
	nsecrets = 0;
}
