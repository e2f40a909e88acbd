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
	char text[ZPB_SPEC_LEN], err[256];
	struct zpb_spec spec;
	struct zpool *zp;

	if (!selected_spec(d, text, sizeof(text)))
		snprintf(text, sizeof(text), "%s", d->type);
	if (zpb_spec_with_fixes(text, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "%s: spec %s with its fixes: %s", d->type, text, err);
		return NULL;
	}
	zp = zpool_create_pool(&spec, zpbt_current(), ops, page_limit);
	if (!zp)
		zpbt_fail(__FILE__, __LINE__, "%s: cannot create a pool", spec.text);
	else if (strcmp(spec.text, d->type))
		printf("  %s: as %s\n", d->type, spec.text);
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

static void selftest_fail(void *arg, const char *file, int line, const char *msg)
{
	(void)arg;
	zpbt_fail(file, line, "%s", msg);
}

static void selftest_note(void *arg, const char *msg)
{
	(void)arg;
	printf("  %s\n", msg);
}

/*
 * The page sizes the suites run at: ZPB_TEST_PAGE_SIZES ("4096,16384,65536")
 * if set, else 4K and 16K (64K triples the every-size checks' time; the
 * per-allocator tests work 64K out by hand). Returns the count.
 */
static int test_page_sizes(unsigned long *out, int max)
{
	const char *list = getenv("ZPB_TEST_PAGE_SIZES");
	char *end;
	int n = 0;

	if (!list || !*list) {
		out[0] = 4096;
		out[1] = 16384;
		return 2;
	}
	while (*list && n < max) {
		out[n] = strtoul(list, &end, 10);
		if (end == list || !zpb_page_size_valid(out[n])) {
			zpbt_fail(__FILE__, __LINE__, "ZPB_TEST_PAGE_SIZES: '%s': expected 4096, 16384 or 65536", list);
			return n;
		}
		n++;
		list = *end == ',' ? end + 1 : end;
	}
	return n;
}

bool zpbt_page_size(unsigned long size)
{
	int ret = zpb_set_page_size(size);

	if (ret)
		zpbt_fail(__FILE__, __LINE__, "zpb_set_page_size(%lu): %d (pages left allocated?)", size, ret);
	return ret == 0;
}

static void run_selftest_at(const struct zpb_selftest *t, unsigned long page_size);

void zpbt_run_selftest(const char *name)
{
	const struct zpb_selftest *t = zpb_selftest_find(name);
	unsigned long sizes[4];
	int i, n;

	if (!t) {
		zpbt_fail(__FILE__, __LINE__, "no selftest/ check called %s", name);
		return;
	}
	n = test_page_sizes(sizes, ARRAY_SIZE(sizes));
	for (i = 0; i < n; i++)
		run_selftest_at(t, sizes[i]);
	zpbt_page_size(4096);
}

/* @t over every selected allocator at @page_size, each spec parsed there (its defaults may depend on it). */
static void run_selftest_at(const struct zpb_selftest *t, unsigned long page_size)
{
	const char *seed = getenv("ZPB_TEST_SEED");
	const struct zpool_driver *d;
	int i;

	if (!zpbt_page_size(page_size))
		return;
	printf("  at %lu-byte pages\n", page_size);
	zpbt_for_each_driver(d, i) {
		char text[ZPB_SPEC_LEN], err[256];
		struct zpb_spec spec;
		struct zpb_check c = {
			.spec = &spec,
			.scale = zpbt_scale(),
			.seed_given = seed && *seed,
			.seed = seed && *seed ? strtoull(seed, NULL, 0) : 0,
			.seed_hint = "set ZPB_TEST_SEED",
			.fail = selftest_fail,
			.note = selftest_note,
		};

		if (!selected_spec(d, text, sizeof(text)))
			snprintf(text, sizeof(text), "%s", d->type);
		if (zpb_spec_parse(text, &spec, err, sizeof(err))) {
			zpbt_fail(__FILE__, __LINE__, "%s: spec %s: %s", d->type, text, err);
			continue;
		}
		if (strcmp(text, d->type))
			printf("  %s: as %s\n", d->type, text);
		c.text = text;
		zpb_selftest_run(t, &c);
		if (c.skip[0])
			printf("  %s: not run: %s\n", d->type, c.skip);
	}
}
