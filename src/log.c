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

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	char *raw, *clean;

	if (level < threshold)
		return;
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	clean = redact_string(raw);
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
		if (!strcmp(secrets[i], secret))
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
