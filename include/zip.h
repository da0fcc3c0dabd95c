#ifndef GUMLOOP_ZIP_H
#define GUMLOOP_ZIP_H
/*
 * A bounded reader of zip archives (.zip, .skill): enough to find an entry
 * by name and reach its bytes before an upload. No ZIP64, no encryption.
 * Entries point into the caller's buffer: they are valid while it lives.
 */
#include <stddef.h>

#define ZIP_STORED 0
#define ZIP_DEFLATED 8

struct zip_entry {
	const char *name;		/* not NUL-terminated */
	size_t name_len;
	unsigned method;		/* ZIP_STORED, ZIP_DEFLATED, ... */
	const unsigned char *data;	/* the entry's (compressed) bytes */
	size_t size;			/* compressed size */
	size_t usize;			/* uncompressed size */
};

/*
 * Finds the first entry whose name match() accepts. Returns 1 and fills
 * *out when found, 0 when no entry matches, -1 when data is not a
 * well-formed zip archive.
 */
int zip_find(const void *data, size_t len,
	     int (*match)(const char *name, size_t name_len),
	     struct zip_entry *out);

/* Name tests for zip_find's match: the name is file at the archive's
 * root; the name is file one folder down ("folder/file"). */
int zip_name_is(const char *name, size_t name_len, const char *file);
int zip_name_in_folder(const char *name, size_t name_len, const char *file);

/*
 * The entry's bytes, stored or deflated, when they are at most max long:
 * a new buffer of *len bytes (NUL-terminated, caller frees). NULL when the
 * entry is larger, uses another method or does not decode to its size.
 */
unsigned char *zip_extract(const struct zip_entry *e, size_t max, size_t *len);

#endif
