/*
 * Raw DEFLATE decoding (RFC 1951), for reading a compressed SKILL.md out
 * of a skill archive before it is uploaded. Every read is checked against
 * the input and every write against the output's capacity, so a hostile
 * stream (a zip bomb, a bad code) fails instead of overrunning.
 */
#include <string.h>
#include "inflate.h"

#define MAX_BITS 15
#define MAX_LIT_CODES 288
#define MAX_DIST_CODES 30

struct stream {
	const unsigned char *in;
	size_t in_len, in_pos;
	unsigned long bit_buf;
	int bit_count;
	unsigned char *out;
	size_t out_len, out_max;
	int failed;
};

/* A canonical Huffman code: how many codes of each length, and the
 * symbols ordered by code. */
struct huffman {
	short count[MAX_BITS + 1];
	short symbol[MAX_LIT_CODES];
};

static const short length_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51,
	59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const short length_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4,
	4, 5, 5, 5, 5, 0,
};
static const unsigned short dist_base[MAX_DIST_CODES] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
	513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
	24577,
};
static const short dist_extra[MAX_DIST_CODES] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
	10, 11, 11, 12, 12, 13, 13,
};

/* n bits, least significant first; 0 and s->failed past the input. */
static unsigned bits(struct stream *s, int n)
{
	unsigned v;

	while (s->bit_count < n) {
		if (s->in_pos == s->in_len) {
			s->failed = 1;
			return 0;
		}
		s->bit_buf |= (unsigned long)s->in[s->in_pos++] << s->bit_count;
		s->bit_count += 8;
	}
	v = (unsigned)(s->bit_buf & ((1UL << n) - 1));
	s->bit_buf >>= n;
	s->bit_count -= n;
	return v;
}

/* Builds h from code lengths: 0 for a complete code, 1 for an incomplete
 * one zlib accepts, -1 for lengths that over-subscribe or leave a gap. */
static int build(struct huffman *h, const unsigned char *lengths, int n)
{
	short offset[MAX_BITS + 1];
	int len, sym, left = 1, longest = 0;

	memset(h->count, 0, sizeof(h->count));
	for (sym = 0; sym < n; sym++)
		h->count[lengths[sym]]++;
	for (len = 1; len <= MAX_BITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return -1;	/* over-subscribed */
		if (h->count[len])
			longest = len;
	}
	offset[1] = 0;
	for (len = 1; len < MAX_BITS; len++)
		offset[len + 1] = (short)(offset[len] + h->count[len]);
	for (sym = 0; sym < n; sym++)
		if (lengths[sym])
			h->symbol[offset[lengths[sym]]++] = (short)sym;
	/* incomplete: as zlib, a lone code of one bit (or none) will do for
	 * literals and distances; anything else is a broken stream */
	if (!left)
		return 0;
	return longest <= 1 ? 1 : -1;
}

/* The next symbol, read one bit at a time; -1 for a code not in h. */
static int decode(struct stream *s, const struct huffman *h)
{
	int code = 0, first = 0, index = 0, len, count;

	for (len = 1; len <= MAX_BITS; len++) {
		code |= (int)bits(s, 1);
		if (s->failed)
			return -1;
		count = h->count[len];
		if (code - first < count)
			return h->symbol[index + code - first];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

static int put_byte(struct stream *s, unsigned char c)
{
	if (s->out_len == s->out_max)
		return -1;
	s->out[s->out_len++] = c;
	return 0;
}

/* Decodes one block's symbols until end-of-block. */
static int codes(struct stream *s, const struct huffman *lit,
		 const struct huffman *dist)
{
	int sym;
	size_t len, back;

	for (;;) {
		sym = decode(s, lit);
		if (sym < 0)
			return -1;
		if (sym < 256) {
			if (put_byte(s, (unsigned char)sym) < 0)
				return -1;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29)
			return -1;
		len = (size_t)length_base[sym] + bits(s, length_extra[sym]);
		sym = decode(s, dist);
		if (sym < 0 || sym >= MAX_DIST_CODES)
			return -1;
		back = dist_base[sym] + bits(s, dist_extra[sym]);
		if (s->failed || back > s->out_len)
			return -1;
		while (len--)
			if (put_byte(s, s->out[s->out_len - back]) < 0)
				return -1;
	}
}

static int stored(struct stream *s)
{
	size_t len;

	s->bit_buf = 0;		/* to the byte boundary */
	s->bit_count = 0;
	if (s->in_len - s->in_pos < 4)
		return -1;
	len = s->in[s->in_pos] | (size_t)s->in[s->in_pos + 1] << 8;
	if ((s->in[s->in_pos + 2] ^ 0xff) != (len & 0xff) ||
	    (s->in[s->in_pos + 3] ^ 0xff) != (len >> 8))
		return -1;
	s->in_pos += 4;
	if (s->in_len - s->in_pos < len || s->out_max - s->out_len < len)
		return -1;
	memcpy(s->out + s->out_len, s->in + s->in_pos, len);
	s->in_pos += len;
	s->out_len += len;
	return 0;
}

static int fixed(struct stream *s)
{
	unsigned char lengths[MAX_LIT_CODES];
	struct huffman lit, dist;
	int i;

	for (i = 0; i < MAX_LIT_CODES; i++)
		lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	build(&lit, lengths, MAX_LIT_CODES);
	memset(lengths, 5, MAX_DIST_CODES);
	build(&dist, lengths, MAX_DIST_CODES);
	return codes(s, &lit, &dist);
}

/* The literal/length and distance code lengths of a dynamic block. */
static int read_lengths(struct stream *s, unsigned char *lengths, int n)
{
	static const unsigned char order[19] = {
		16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
	};
	unsigned char cl[19] = { 0 };
	struct huffman h;
	int i, ncode = (int)bits(s, 4) + 4, sym, repeat;
	unsigned char fill;

	for (i = 0; i < ncode; i++)
		cl[order[i]] = (unsigned char)bits(s, 3);
	if (s->failed || build(&h, cl, 19) != 0)	/* complete, as zlib */
		return -1;
	for (i = 0; i < n;) {
		sym = decode(s, &h);
		if (sym < 0)
			return -1;
		if (sym < 16) {
			lengths[i++] = (unsigned char)sym;
			continue;
		}
		if (sym == 16 && !i)
			return -1;	/* nothing to repeat */
		fill = sym == 16 ? lengths[i - 1] : 0;
		repeat = sym == 16 ? 3 + (int)bits(s, 2) :
			 sym == 17 ? 3 + (int)bits(s, 3) : 11 + (int)bits(s, 7);
		if (s->failed || i + repeat > n)
			return -1;
		while (repeat--)
			lengths[i++] = fill;
	}
	return 0;
}

static int dynamic(struct stream *s)
{
	unsigned char lengths[MAX_LIT_CODES + MAX_DIST_CODES];
	struct huffman lit, dist;
	int nlit = (int)bits(s, 5) + 257, ndist = (int)bits(s, 5) + 1;

	/* 286 and 30 codes at most: the last two of each are never used */
	if (s->failed || nlit > MAX_LIT_CODES - 2 || ndist > MAX_DIST_CODES ||
	    read_lengths(s, lengths, nlit + ndist) < 0 || !lengths[256])
		return -1;
	if (build(&lit, lengths, nlit) < 0 ||
	    build(&dist, lengths + nlit, ndist) < 0)
		return -1;
	return codes(s, &lit, &dist);
}

long inflate_raw(const void *in, size_t in_len, void *out, size_t out_max)
{
	struct stream s;
	int last, type, rc;

	memset(&s, 0, sizeof(s));
	s.in = in;
	s.in_len = in_len;
	s.out = out;
	s.out_max = out_max;
	do {
		last = (int)bits(&s, 1);
		type = (int)bits(&s, 2);
		if (s.failed)
			return -1;
		rc = type == 0 ? stored(&s) : type == 1 ? fixed(&s) :
		     type == 2 ? dynamic(&s) : -1;
		if (rc < 0 || s.failed)
			return -1;
	} while (!last);
	return (long)s.out_len;
}
