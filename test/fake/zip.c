/*
 * zip.c: a tiny store-only zip writer (with CRC-32) for the archives the
 * fake hands out (skill downloads, /download_files), and a reader of the
 * stored entries of an uploaded archive, walking its local headers with
 * every length checked against the buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define LOCAL_SIG 0x04034b50u
#define CDIR_SIG 0x02014b50u
#define EOCD_SIG 0x06054b50u
#define LOCAL_LEN 30
#define DOS_DATE ((45u << 9) | (1u << 5) | 6u)	/* 2025-01-06 */

static unsigned long crc32_of(const unsigned char *p, size_t len)
{
	unsigned long crc = 0xffffffffUL;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320UL : crc >> 1;
	}
	return crc ^ 0xffffffffUL;
}

static void grow(struct fake_zip *z, size_t n)
{
	if (z->len + n <= z->cap)
		return;
	while (z->len + n > z->cap)
		z->cap = z->cap ? z->cap * 2 : 4096;
	z->data = fake_xrealloc(z->data, z->cap);
}

static void put(struct fake_zip *z, const void *p, size_t n)
{
	if (!n)
		return;
	grow(z, n);
	memcpy(z->data + z->len, p, n);
	z->len += n;
}

static void put16(struct fake_zip *z, unsigned v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	put(z, b, 2);
}

static void put32(struct fake_zip *z, unsigned long v)
{
	put16(z, (unsigned)(v & 0xffff));
	put16(z, (unsigned)(v >> 16));
}

void fake_zip_init(struct fake_zip *z)
{
	memset(z, 0, sizeof(*z));
	z->dir = fake_xmalloc(sizeof(*z->dir));
	memset(z->dir, 0, sizeof(*z->dir));
}

/* The fields local and central headers share, from "version needed". */
static void put_common(struct fake_zip *z, unsigned long crc, size_t len,
		       size_t name_len)
{
	put16(z, 10);		/* version needed */
	put16(z, 0x0800);	/* flags: UTF-8 names */
	put16(z, 0);		/* method: stored */
	put16(z, 0);		/* time */
	put16(z, DOS_DATE);
	put32(z, crc);
	put32(z, (unsigned long)len);
	put32(z, (unsigned long)len);
	put16(z, (unsigned)name_len);
	put16(z, 0);		/* extra length */
}

void fake_zip_add(struct fake_zip *z, const char *name, const void *data,
		  size_t len)
{
	unsigned long crc = crc32_of(data, len);
	size_t offset = z->len, name_len = strlen(name);

	put32(z, LOCAL_SIG);
	put_common(z, crc, len, name_len);
	put(z, name, name_len);
	put(z, data, len);
	/* the central entry waits in z->dir until fake_zip_finish */
	put32(z->dir, CDIR_SIG);
	put16(z->dir, 20);	/* version made by */
	put_common(z->dir, crc, len, name_len);
	put16(z->dir, 0);	/* comment length */
	put16(z->dir, 0);	/* disk */
	put16(z->dir, 0);	/* internal attributes */
	put32(z->dir, 0);	/* external attributes */
	put32(z->dir, (unsigned long)offset);
	put(z->dir, name, name_len);
	z->count++;
}

char *fake_zip_finish(struct fake_zip *z, size_t *len)
{
	size_t dir_at = z->len, dir_len = z->dir->len;
	char *out;

	put(z, z->dir->data, dir_len);
	put32(z, EOCD_SIG);
	put16(z, 0);
	put16(z, 0);
	put16(z, z->count);
	put16(z, z->count);
	put32(z, (unsigned long)dir_len);
	put32(z, (unsigned long)dir_at);
	put16(z, 0);
	free(z->dir->data);
	free(z->dir);
	out = z->data;
	*len = z->len;
	memset(z, 0, sizeof(*z));
	return out;
}

/* name itself, or name one folder down ("dir/name") */
static int name_fits(const unsigned char *entry, size_t n, const char *name)
{
	size_t k = strlen(name);
	const unsigned char *slash = memchr(entry, '/', n);

	if (n == k)
		return !memcmp(entry, name, k);
	return n > k + 1 && slash == entry + n - k - 1 &&
	       !memcmp(slash + 1, name, k);
}

static unsigned long get(const unsigned char *p, int bytes)
{
	unsigned long v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

const char *fake_zip_stored(const char *zip, size_t len, const char *name,
			    size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)zip;
	size_t at = 0;

	while (len - at >= LOCAL_LEN && get(p + at, 4) == LOCAL_SIG) {
		size_t n = get(p + at + 26, 2), extra = get(p + at + 28, 2);
		size_t size = get(p + at + 18, 4), start;

		start = at + LOCAL_LEN + n + extra;
		if (start > len || size > len - start || get(p + at + 6, 2) & 8)
			return NULL;	/* broken, or sizes in a descriptor */
		if (name_fits(p + at + LOCAL_LEN, n, name)) {
			if (get(p + at + 8, 2) != 0)
				return NULL;	/* compressed */
			*out_len = size;
			return zip + start;
		}
		at = start + size;
	}
	return NULL;
}
