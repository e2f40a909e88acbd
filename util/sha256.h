/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SHA-256 (FIPS 180-4), for naming the exact trace a result came from.
 * Streaming: update with any number of chunks, then final.
 */
#ifndef ZPB_UTIL_SHA256_H
#define ZPB_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct zpb_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t buf[64];
	size_t fill;
};

void zpb_sha256_init(struct zpb_sha256 *s);
void zpb_sha256_update(struct zpb_sha256 *s, const void *data, size_t len);
void zpb_sha256_final(struct zpb_sha256 *s, uint8_t digest[32]);
/* The digest as 64 lowercase hex digits and a NUL. */
void zpb_sha256_hex(const uint8_t digest[32], char hex[65]);
/**
 * zpb_sha256_file - hash a whole file into @hex
 * Return: 0, or -1 with @err naming the file and the system error.
 */
int zpb_sha256_file(const char *path, char hex[65], char *err, size_t errlen);

#endif
