/*
 * mbedTLS wrappers: hashing for the audit chain, base64 for files and
 * skills, constant-time comparison and zeroization for secrets.
 */
#include <stdlib.h>
#include <string.h>
#include <mbedtls/base64.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include "crypto.h"
#include "util.h"

/*
 * mbedTLS 3 dropped the _ret suffix that 2.x (Debian 12, Ubuntu 24.04)
 * used for the calls that return an error code; the signature is the same.
 */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define sha256_oneshot mbedtls_sha256
#else
#define sha256_oneshot mbedtls_sha256_ret
#endif

void crypto_sha256_hex(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char sum[32];
	size_t i;

	sha256_oneshot(data, len, sum, 0);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[64] = '\0';
}

char *crypto_base64_encode(const void *data, size_t len)
{
	size_t need = 0;
	unsigned char *out;

	mbedtls_base64_encode(NULL, 0, &need, data, len);
	out = xmalloc(need + 1);
	if (mbedtls_base64_encode(out, need + 1, &need, data, len)) {
		free(out);
		return xstrdup("");
	}
	out[need] = '\0';
	return (char *)out;
}

unsigned char *crypto_base64_decode(const char *text, size_t len, size_t *out_len)
{
	size_t need = 0;
	unsigned char *out;
	int rc;

	rc = mbedtls_base64_decode(NULL, 0, &need, (const unsigned char *)text, len);
	if (rc == MBEDTLS_ERR_BASE64_INVALID_CHARACTER)
		return NULL;
	out = xmalloc(need + 1);
	if (mbedtls_base64_decode(out, need + 1, &need,
				  (const unsigned char *)text, len)) {
		free(out);
		return NULL;
	}
	out[need] = '\0';
	*out_len = need;
	return out;
}

int crypto_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *x = a, *y = b;
	unsigned char diff = alen != blen;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

void crypto_zeroize(void *p, size_t len)
{
	if (p)
		mbedtls_platform_zeroize(p, len);
}
