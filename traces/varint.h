/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LEB128 varints and zigzag, as the binary trace form uses them: 7 bits a
 * byte, least significant group first, the top bit set on every byte but
 * the last. A u64 takes at most 10 bytes.
 */
#ifndef ZPB_TRACES_VARINT_H
#define ZPB_TRACES_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define ZPB_VARINT_MAX 10

/* Write @v at @p (which has room for ZPB_VARINT_MAX bytes); returns the bytes used. */
static inline size_t zpb_varint_put(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/*
 * Read a varint from [*pp, end). Returns 1 and advances *pp, 0 if the input
 * ends inside the varint, -1 if it is longer than a u64 can be.
 */
static inline int zpb_varint_get(const unsigned char **pp, const unsigned char *end, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t x = 0;
	unsigned int shift = 0;

	for (;;) {
		unsigned char b;

		if (p == end)
			return 0;
		b = *p++;
		/* The tenth byte may only carry the top bit of a u64. */
		if (shift == 63 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
		if (shift > 63)
			return -1;
	}
	*pp = p;
	*v = x;
	return 1;
}

static inline uint64_t zpb_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t zpb_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
