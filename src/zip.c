/*
 * Zip archives, read through their central directory with every offset
 * checked against the buffer: a hostile archive can fail the lookup but
 * never make it read outside the bytes it was given. zlib inflates.
 */
#define ZLIB_CONST
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "util.h"
#include "zip.h"

#define EOCD_SIG 0x06054b50u
#define CDIR_SIG 0x02014b50u
#define LOCAL_SIG 0x04034b50u
#define EOCD_LEN 22
#define CDIR_LEN 46
#define LOCAL_LEN 30
#define MAX_COMMENT 65535

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long get32(const unsigned char *p)
{
	return (unsigned long)get16(p) | (unsigned long)get16(p + 2) << 16;
}

/* 1 when [off, off + n) lies inside a buffer of len bytes. */
static int inside(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

/* The offset of the end-of-central-directory record, or -1. */
static long find_eocd(const unsigned char *p, size_t len)
{
	size_t i, stop;

	if (len < EOCD_LEN)
		return -1;
	stop = len - EOCD_LEN > MAX_COMMENT ? len - EOCD_LEN - MAX_COMMENT : 0;
	for (i = len - EOCD_LEN;; i--) {
		if (get32(p + i) == EOCD_SIG &&
		    i + EOCD_LEN + get16(p + i + 20) == len)
			return (long)i;
		if (i == stop)
			return -1;
	}
}

/* Fills out->data from the entry's local header at off; -1 if broken. */
static int reach_data(const unsigned char *p, size_t len, size_t off,
		      struct zip_entry *out)
{
	size_t start;

	if (!inside(len, off, LOCAL_LEN) || get32(p + off) != LOCAL_SIG)
		return -1;
	start = off + LOCAL_LEN + get16(p + off + 26) + get16(p + off + 28);
	if (!inside(len, start, out->size))
		return -1;
	out->data = p + start;
	return 0;
}

int zip_name_is(const char *name, size_t name_len, const char *file)
{
	return name_len == strlen(file) && !memcmp(name, file, name_len);
}

int zip_name_in_folder(const char *name, size_t name_len, const char *file)
{
	size_t k = strlen(file) + 1;
	const char *slash = memchr(name, '/', name_len);

	return name_len > k && slash == name + name_len - k &&
	       !memcmp(slash + 1, file, k - 1);
}

int zip_find(const void *data, size_t len,
	     int (*match)(const char *name, size_t name_len),
	     struct zip_entry *out)
{
	const unsigned char *p = data;
	long eocd = find_eocd(p, len);
	size_t at, count, i, name_len, skip;

	if (eocd < 0)
		return -1;
	count = get16(p + eocd + 10);
	at = get32(p + eocd + 16);
	for (i = 0; i < count; i++) {
		if (!inside(len, at, CDIR_LEN) || get32(p + at) != CDIR_SIG)
			return -1;
		name_len = get16(p + at + 28);
		skip = CDIR_LEN + name_len + get16(p + at + 30) +
		       get16(p + at + 32);
		if (!inside(len, at, skip))
			return -1;
		if (match((const char *)p + at + CDIR_LEN, name_len)) {
			memset(out, 0, sizeof(*out));
			out->name = (const char *)p + at + CDIR_LEN;
			out->name_len = name_len;
			out->method = get16(p + at + 10);
			out->size = get32(p + at + 20);
			out->usize = get32(p + at + 24);
			return reach_data(p, len, get32(p + at + 42), out) ? -1
									    : 1;
		}
		at += skip;
	}
	return 0;
}

/*
 * Inflates the raw DEFLATE stream in[0..in_len) into out[0..room): the
 * number of bytes when the stream ends within room, else -1. Both sizes
 * come from 32-bit zip fields, so they fit zlib's counters.
 */
static long inflate_into(const unsigned char *in, size_t in_len,
			 unsigned char *out, size_t room)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)room;
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? (long)z.total_out : -1;
}

unsigned char *zip_extract(const struct zip_entry *e, size_t max, size_t *len)
{
	unsigned char *out;
	long n;

	if (e->usize > max || (e->method != ZIP_STORED &&
			       e->method != ZIP_DEFLATED))
		return NULL;
	out = xmalloc(e->usize + 1);
	if (e->method == ZIP_STORED) {
		n = e->size == e->usize ? (long)e->size : -1;
		if (n > 0)
			memcpy(out, e->data, e->size);
	} else {
		n = inflate_into(e->data, e->size, out, e->usize);
	}
	if (n < 0 || (size_t)n != e->usize) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	*len = (size_t)n;
	return out;
}
