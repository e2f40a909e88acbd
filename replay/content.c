// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bytes each stored object holds, derived from its key and content
 * version only, so a load can check every byte without keeping a copy.
 *
 * An object of length len is a slice of a fixed pseudo-random pattern at an
 * offset chosen by hashing (key, version), with its first 16 bytes XORed
 * with a stamp of the key and version. Writing and checking cost a memcpy
 * and a memcmp, as zswap's own copies do, and any wrong byte, any object
 * swapped with another key's or an older version's, is caught.
 */
#include <string.h>

#include "internal.h"

#define PATTERN_SPAN 65536u
static unsigned char pattern[PATTERN_SPAN + PAGE_SIZE_MAX + 64];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static inline uint64_t splitmix(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static void make_pattern(void)
{
	uint64_t s = 0x7a70626e63680000ull;	/* fixed: content never depends on the run */
	size_t i;

	for (i = 0; i + 8 <= sizeof(pattern); i += 8) {
		uint64_t v = splitmix(s++);

		memcpy(pattern + i, &v, 8);
	}
}

void zpb_content_init(void)
{
	pthread_once(&once, make_pattern);
}

static inline const unsigned char *slice(uint64_t key, uint32_t cver, unsigned char stamp[16])
{
	uint64_t h = splitmix(key ^ ((uint64_t)cver << 32 | cver) * UINT64_C(0x9e3779b97f4a7c15));
	uint64_t k2 = key ^ ((uint64_t)cver << 1) ^ UINT64_C(0x5a5a5a5a5a5a5a5a);

	memcpy(stamp, &h, 8);
	memcpy(stamp + 8, &k2, 8);
	return pattern + (h >> 48);	/* offset < PATTERN_SPAN */
}

void zpb_content_fill(void *dst, size_t len, uint64_t key, uint32_t cver)
{
	unsigned char stamp[16], *d = dst;
	const unsigned char *src = slice(key, cver, stamp);
	size_t i, n = len < 16 ? len : 16;

	memcpy(d, src, len);
	for (i = 0; i < n; i++)
		d[i] ^= stamp[i];
}

long zpb_content_check(const void *p, size_t len, uint64_t key, uint32_t cver, unsigned char *expected)
{
	unsigned char stamp[16];
	const unsigned char *src = slice(key, cver, stamp), *s = p;
	size_t i, n = len < 16 ? len : 16;

	for (i = 0; i < n; i++)
		if (s[i] != (src[i] ^ stamp[i])) {
			*expected = src[i] ^ stamp[i];
			return (long)i;
		}
	if (len > n && memcmp(s + n, src + n, len - n) != 0) {
		for (i = n; i < len; i++)
			if (s[i] != src[i]) {
				*expected = src[i];
				return (long)i;
			}
	}
	return -1;
}
