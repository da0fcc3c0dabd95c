/*
 * libFuzzer target: a skill archive checked as create/update_gumloop_skill
 * check one before uploading it (check_archive() in src/tools/skills.c):
 * zip_find() for SKILL.md at the root, then in a folder, and zip_extract()
 * under the server's 10 MiB limit. zip_extract() inflates with zlib; the
 * oracle here is zlib again, called on its own with room to spare, so what
 * is checked is our reader around it.
 *
 * Checked: zip_find() answers -1, 0 or 1; a found entry's name and bytes
 * lie inside the input and the name is the one asked for. An extracted
 * entry has exactly its declared size, at most the limit, NUL-terminated;
 * a stored one is its bytes, a deflated one is what zlib decodes. A
 * refused one leaves the length alone and was refused for a reason (over
 * the limit, another method, or bytes that do not decode to the size).
 * Every buffer has its exact size, so ASan sees any read or write past it.
 */
#define ZLIB_CONST
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "fuzz.h"
#include "util.h"
#include "zip.h"

/* The server's limits and names, as in src/tools/skills.c. */
#define SKILL_MAX_BYTES ((size_t)10 << 20)
#define SKILL_MD "SKILL.md"

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
 * What zlib decodes the entry's bytes to, with one byte of room past the
 * declared size: its length, or -1 when the stream does not end there.
 * *out (caller frees) holds the bytes.
 */
static long zlib_decode(const struct zip_entry *e, unsigned char **out)
{
	size_t n = 0;

	*out = xmalloc(e->usize + 1);
	return zlib_inflate(e->data, e->size, *out, e->usize + 1, &n) ?
	       (long)n : -1;
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
	if (e->method == ZIP_DEFLATED) {
		unsigned char *z;

		FUZZ_ASSERT(zlib_decode(e, &z) != (long)e->usize,
			    "a deflated entry that zlib decodes to its size "
			    "(%zu) was refused", e->usize);
		free(z);
	}
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
	if (e->method == ZIP_DEFLATED) {
		unsigned char *z;

		FUZZ_ASSERT(zlib_decode(e, &z) == (long)len &&
			    !memcmp(md, z, len), "a deflated entry is not "
			    "what zlib decodes");
		free(z);
	}
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
	free(copy);
	return 0;
}
