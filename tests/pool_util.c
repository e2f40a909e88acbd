// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the allocator suites; see pool_util.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "pool_util.h"

uint64_t zpbt_seed(uint64_t def)
{
	const char *s = getenv("ZPB_TEST_SEED");
	uint64_t seed = s && *s ? strtoull(s, NULL, 0) : def;

	printf("  %s: seed %" PRIu64 " (set ZPB_TEST_SEED to replay)\n", zpbt_current(), seed);
	return seed;
}

static inline uint64_t pattern_word(uint64_t tag, size_t i)
{
	uint64_t x = tag * 0x9e3779b97f4a7c15ULL + i * 0xd6e8feb86659fd93ULL + 1;

	x ^= x >> 32;
	return x * 0xd6e8feb86659fd93ULL;
}

void zpbt_fill(void *dst, size_t len, uint64_t tag)
{
	unsigned char *p = dst;
	size_t i, n = len / 8;
	uint64_t w;

	for (i = 0; i < n; i++) {
		w = pattern_word(tag, i);
		memcpy(p + i * 8, &w, 8);
	}
	if (len % 8) {
		w = pattern_word(tag, n);
		memcpy(p + n * 8, &w, len % 8);
	}
}

size_t zpbt_verify(const void *src, size_t len, uint64_t tag)
{
	const unsigned char *p = src;
	size_t i, j, n = len / 8;
	uint64_t w;
	unsigned char b[8];

	for (i = 0; i <= n; i++) {
		size_t chunk = i < n ? 8 : len % 8;

		if (!chunk)
			break;
		w = pattern_word(tag, i);
		memcpy(b, &w, 8);
		if (memcmp(p + i * 8, b, chunk))
			for (j = 0; j < chunk; j++)
				if (p[i * 8 + j] != b[j])
					return i * 8 + j;
	}
	return len;
}

/*
 * The entry of ZPB_TEST_ALLOCATORS that names @d ("zsmalloc" or a spec
 * such as "zsmalloc:delta=32"), copied to @buf; @d's name if the list is
 * unset; NULL if the list does not name @d.
 */
static const char *selected_spec(const struct zpool_driver *d, char *buf, size_t len)
{
	const char *list = getenv("ZPB_TEST_ALLOCATORS"), *p;
	size_t n = strlen(d->type);

	if (!list || !*list) {
		snprintf(buf, len, "%s", d->type);
		return buf;
	}
	for (p = list; (p = strstr(p, d->type)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == ':' || p[n] == '\0')) {
			size_t e = strcspn(p, ",");

			snprintf(buf, len, "%.*s", (int)e, p);
			return buf;
		}
	return NULL;
}

static bool driver_selected(const struct zpool_driver *d)
{
	char buf[ZPB_SPEC_LEN];

	return selected_spec(d, buf, sizeof(buf)) != NULL;
}

struct zpool *zpbt_create_quiet(const struct zpool_driver *d, const struct zpool_ops *ops,
				unsigned long page_limit)
{
	char text[ZPB_SPEC_LEN], err[256];
	struct zpb_spec spec;

	if (!selected_spec(d, text, sizeof(text)))
		snprintf(text, sizeof(text), "%s", d->type);
	if (zpb_spec_parse(text, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "%s: spec %s: %s", d->type, text, err);
		errno = EINVAL;
		return NULL;
	}
	if (strcmp(text, d->type))
		printf("  %s: as %s\n", d->type, text);
	return zpool_create_pool(&spec, zpbt_current(), ops, page_limit);
}

struct zpool *zpbt_create_with_fixes(const struct zpool_driver *d, const struct zpool_ops *ops,
				     unsigned long page_limit)
{
	char text[ZPB_SPEC_LEN], err[256], key[64];
	const struct zpb_option *o;
	struct zpb_spec spec;
	struct zpool *zp;
	size_t n;

	if (!selected_spec(d, text, sizeof(text)))
		snprintf(text, sizeof(text), "%s", d->type);
	n = strlen(text);
	for (o = d->options; o && o->key; o++) {
		snprintf(key, sizeof(key), ":%s=", o->key);
		/* A fix the selected spec sets itself is left as it says. */
		if (o->flags & ZPB_OPT_FIXES_SEED && !getenv("ZPB_SHADOW_NO_FIXES") && !strstr(text, key))
			n += (size_t)snprintf(text + n, n < sizeof(text) ? sizeof(text) - n : 0, ":%s=1", o->key);
	}
	if (zpb_spec_parse(text, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "%s: spec %s: %s", d->type, text, err);
		return NULL;
	}
	zp = zpool_create_pool(&spec, zpbt_current(), ops, page_limit);
	if (!zp)
		zpbt_fail(__FILE__, __LINE__, "%s: cannot create a pool", text);
	else if (strcmp(text, d->type))
		printf("  %s: as %s\n", d->type, text);
	return zp;
}

struct zpool *zpbt_create(const struct zpool_driver *d, const struct zpool_ops *ops,
			  unsigned long page_limit)
{
	struct zpool *pool = zpbt_create_quiet(d, ops, page_limit);

	if (!pool)
		zpbt_fail(__FILE__, __LINE__, "%s: zpool_create_pool failed", d->type);
	return pool;
}

bool zpbt_settles_to_zero(struct zpool *zp)
{
	int waited;

	for (waited = 0; waited < 10000; waited++) {
		if (zpool_get_total_size(zp) == 0)
			return true;
		usleep(1000);
	}
	return false;
}

const struct zpool_driver *zpbt_driver_from(int *i)
{
	const struct zpool_driver *const *all = zpb_drivers();

	while (all[*i] && !driver_selected(all[*i]))
		(*i)++;
	return all[*i];
}
