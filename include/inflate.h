#ifndef GUMLOOP_INFLATE_H
#define GUMLOOP_INFLATE_H
/*
 * Raw DEFLATE (RFC 1951) decoding into a caller's buffer, bounded on both
 * sides. Nothing is allocated; the buffers are borrowed.
 */
#include <stddef.h>

/*
 * Decodes in[0..in_len) into out, writing at most out_max bytes. Returns
 * the number of bytes written, or -1 for bad data or output that would
 * not fit.
 */
long inflate_raw(const void *in, size_t in_len, void *out, size_t out_max);

#endif
