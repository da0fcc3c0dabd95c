/*
 * libFuzzer target: a skill archive checked as create/update_gumloop_skill
 * check one before uploading it (check_archive() in src/tools/skills.c):
 * zip_find() for SKILL.md at the root, then in a folder, and zip_extract()
 * under the server's 10 MiB limit. The same bytes also go to inflate_raw()
 * as a raw DEFLATE stream, so the decoder is fuzzed without a zip around it.
 *
 * Checked: zip_find() answers -1, 0 or 1; a found entry's name and bytes
 * lie inside the input and the name is the one asked for. An extracted
 * entry has exactly its declared size, at most the limit, NUL-terminated,
 * and a stored one is its bytes; a refused one leaves the length alone
 * and was refused for a reason (over the limit, another method, or bytes
 * that do not decode to the size). A DEFLATE stream decodes to what zlib
 * decodes: when zlib reaches the end of the stream within the room given,
 * inflate_raw() returns the same bytes; when zlib fails, so does
 * inflate_raw() (no more lenient: an archive Gumloop would refuse is
 * refused here first). A stream
 * that decodes to n bytes fails with room for n - 1. Every buffer has its
 * exact size, so ASan sees any write or read past it.
 */
#define ZLIB_CONST
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "fuzz.h"
#include "inflate.h"
#include "util.h"
#include "zip.h"

/* The server's limits and names, as in src/tools/skills.c. */
#define SKILL_MAX_BYTES ((size_t)10 << 20)
#define SKILL_MD "SKILL.md"
/* Room for a raw stream: a 2 KiB input can ask for far more than this. */
#define RAW_ROOM ((size_t)1 << 16)

static int root_skill_md(const char *name, size_t n)
{
	return zip_name_is(name, n, SKILL_MD);
}

static int nested_skill_md(const char *name, size_t n)
{
	return zip_name_in_folder(name, n, SKILL_MD);
}

/* 1 when [p, p + n) lies inside [base, base + len). */
static int inside(const void *base, size_t len, const void *p, size_t n)
{
	uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;

	return q >= b && q - b <= len && n <= len - (q - b);
}

/* zlib's raw inflate into out (room bytes, out holds at least one):
 * *written gets what it wrote; 1 when the stream ended within room. */
static int zlib_inflate(const unsigned char *in, size_t in_len,
			unsigned char *out, size_t room, size_t *written)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	FUZZ_ASSERT(inflateInit2(&z, -MAX_WBITS) == Z_OK, "zlib: %s", z.msg);
	z.next_in = in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)room;
	rc = inflate(&z, Z_FINISH);
	*written = z.total_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END;
}

/*
 * inflate_raw() with exactly room bytes of output, against zlib. Returns
 * zlib's length when zlib decodes the whole stream within room, else -1.
 */
static long check_inflate(const unsigned char *in, size_t in_len, size_t room)
{
	unsigned char *ours = xmalloc(room ? room : 1);
	unsigned char *theirs = xmalloc(room + 1);
	long n = inflate_raw(in, in_len, ours, room);
	size_t z_len = 0;
	int z_ok = zlib_inflate(in, in_len, theirs, room, &z_len);

	FUZZ_ASSERT(n >= -1 && n <= (long)room,
		    "inflate_raw returned %ld with room for %zu", n, room);
	if (z_ok)
		FUZZ_ASSERT(n == (long)z_len && !memcmp(ours, theirs, z_len),
			    "inflate_raw gives %ld bytes, not the %zu zlib "
			    "decodes", n, z_len);
	else
		FUZZ_ASSERT(n == -1, "inflate_raw accepts a stream zlib does "
			    "not decode within %zu bytes", room);
	free(ours);
	free(theirs);
	return z_ok ? (long)z_len : -1;
}

/* The input as a raw DEFLATE stream: decoded with room to spare, then
 * with exactly its size and one byte less. */
static void check_raw(const unsigned char *data, size_t size)
{
	long n = check_inflate(data, size, RAW_ROOM);

	if (n < 0)
		return;
	FUZZ_ASSERT(check_inflate(data, size, (size_t)n) == n,
		    "a stream does not decode into its exact size");
	if (n > 0) {
		unsigned char *out = xmalloc((size_t)n - 1 ? (size_t)n - 1 : 1);

		FUZZ_ASSERT(inflate_raw(data, size, out, (size_t)n - 1) == -1,
			    "%ld bytes decoded into room for %ld", n, n - 1);
		free(out);
	}
}

/* A refusal needs a reason the oracle sees too: over the limit, another
 * method, a stored entry whose sizes differ, or bytes that zlib does not
 * decode to the declared size either. */
static void check_refused(const struct zip_entry *e)
{
	if (e->usize > SKILL_MAX_BYTES)
		return;
	if (e->method == ZIP_STORED)
		FUZZ_ASSERT(e->size != e->usize,
			    "a stored entry of its size was refused");
	if (e->method == ZIP_DEFLATED)
		FUZZ_ASSERT(check_inflate(e->data, e->size, e->usize) !=
			    (long)e->usize, "a deflated entry that zlib "
			    "decodes to its size (%zu) was refused", e->usize);
}

static void check_extracted(const struct zip_entry *e,
			    const unsigned char *md, size_t len)
{
	unsigned char *over;
	size_t over_len = 0;

	FUZZ_ASSERT(len == e->usize, "extracted %zu bytes, the header says "
		    "%zu", len, e->usize);
	FUZZ_ASSERT(len <= SKILL_MAX_BYTES, "extracted %zu bytes, over the "
		    "limit", len);
	FUZZ_ASSERT(md[len] == '\0', "the extracted bytes are not "
		    "NUL-terminated");
	FUZZ_ASSERT(e->method == ZIP_STORED || e->method == ZIP_DEFLATED,
		    "extracted an entry of method %u", e->method);
	if (e->method == ZIP_STORED)
		FUZZ_ASSERT(e->size == len && !memcmp(md, e->data, len),
			    "a stored entry is not its bytes");
	else
		check_inflate(e->data, e->size, e->usize);
	if (len) {
		over = zip_extract(e, len - 1, &over_len);
		FUZZ_ASSERT(!over && !over_len, "an entry over the limit was "
			    "extracted");
	}
}

/* The input as the archive of a skill upload. */
static void check_archive(const unsigned char *data, size_t size)
{
	int (*match)(const char *, size_t) = root_skill_md;
	struct zip_entry e;
	unsigned char *md;
	size_t len = 0;
	int found = zip_find(data, size, match, &e);

	if (found == 0)
		found = zip_find(data, size, match = nested_skill_md, &e);
	FUZZ_ASSERT(found >= -1 && found <= 1, "zip_find returned %d", found);
	if (found != 1)
		return;
	FUZZ_ASSERT(inside(data, size, e.name, e.name_len) &&
		    match(e.name, e.name_len),
		    "the entry found is not a SKILL.md of the input");
	FUZZ_ASSERT(inside(data, size, e.data, e.size),
		    "the entry's bytes lie outside the input");
	md = zip_extract(&e, SKILL_MAX_BYTES, &len);
	if (md) {
		check_extracted(&e, md, len);
		free(md);
		return;
	}
	FUZZ_ASSERT(!len, "a refused entry set a length");
	check_refused(&e);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes: ASan sees one past the end */
	unsigned char *copy = xmalloc(size ? size : 1);

	memcpy(copy, data, size);
	check_archive(copy, size);
	check_raw(copy, size);
	free(copy);
	return 0;
}
