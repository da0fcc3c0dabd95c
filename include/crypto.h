#ifndef GUMLOOP_CRYPTO_H
#define GUMLOOP_CRYPTO_H
/*
 * Thin wrappers over mbedTLS: SHA-256, base64, constant-time comparison and
 * zeroization. Returned strings belong to the caller.
 */
#include <stddef.h>

/* Writes the lowercase hex SHA-256 of data into hex[65]. */
void crypto_sha256_hex(const void *data, size_t len, char hex[65]);
/* Returns a NUL-terminated base64 string (caller frees). */
char *crypto_base64_encode(const void *data, size_t len);
/* Decodes base64; returns NULL on invalid input, else a buffer of *out_len
 * bytes (NUL-terminated for convenience; caller frees). */
unsigned char *crypto_base64_decode(const char *text, size_t len, size_t *out_len);
/* Constant-time equality of two byte strings (lengths may differ). */
int crypto_equal(const void *a, size_t alen, const void *b, size_t blen);
void crypto_zeroize(void *p, size_t len);

#endif
