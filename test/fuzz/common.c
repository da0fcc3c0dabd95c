/*
 * Helpers of the fuzz targets: setup, the failure report, and oracles
 * written independently of the server's own code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "fuzz.h"
#include "util.h"

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: fuzz property broken: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_setup(const char *const *env)
{
	static char prog[] = "gumloop-mcp", flag[] = "--log-level", level[] = "error";
	static char *argv[] = { prog, flag, level, NULL };
	char *cause = NULL;

	clearenv();
	for (; env && *env; env++)
		putenv((char *)*env);
	if (config_load(&cfg, 3, argv, &cause) < 0)
		fuzz_fail(__FILE__, __LINE__, "config: %s", cause);
}

int fuzz_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned long cp, min;
	int more;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF)
			more = 1, cp = *p & 0x1F, min = 0x80;
		else if (*p >= 0xE0 && *p <= 0xEF)
			more = 2, cp = *p & 0x0F, min = 0x800;
		else if (*p >= 0xF0 && *p <= 0xF4)
			more = 3, cp = *p & 0x07, min = 0x10000;
		else
			return 0;
		if (end - p <= more)
			return 0;
		for (p++; more--; p++) {
			if ((*p & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (*p & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
	}
	return 1;
}

int fuzz_is_jsonrpc(const cJSON *v)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(v, "jsonrpc");
	int method = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "method"));
	int result = cJSON_HasObjectItem(v, "result");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(v, "error");

	if (!cJSON_IsObject(v) || !cJSON_IsString(ver) ||
	    strcmp(ver->valuestring, "2.0") || method + result + !!err != 1)
		return 0;
	if (err && (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(err, "code")) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(err, "message"))))
		return 0;
	return method || cJSON_HasObjectItem(v, "id");
}

char *fuzz_unsurrogate(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t i;

	if (!out)
		abort();
	memcpy(out, s, len);
	out[len] = '\0';
	for (i = 0; i + 6 <= len; i++) {
		if (out[i] == '\\' && out[i + 1] == '\\') {
			i++;	/* an escaped backslash */
			continue;
		}
		if (out[i] == '\\' && out[i + 1] == 'u' &&
		    (out[i + 2] == 'd' || out[i + 2] == 'D') &&
		    strchr("89abAB" "cdefCDEF", out[i + 3]) && out[i + 3])
			memcpy(out + i + 2, "FFFD", 4);
	}
	return out;
}
