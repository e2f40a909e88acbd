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

struct zpool *zpbt_create_quiet(const struct zpool_driver *d, const struct zpool_ops *ops,
				unsigned long page_limit)
{
	struct zpb_spec spec;
	char err[256];

	if (zpb_spec_parse(d->type, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "%s: spec: %s", d->type, err);
		errno = EINVAL;
		return NULL;
	}
	return zpool_create_pool(&spec, zpbt_current(), ops, page_limit);
}

struct zpool *zpbt_create_with_fixes(const struct zpool_driver *d, const struct zpool_ops *ops,
				     unsigned long page_limit)
{
	struct zpb_spec plain, spec;
	char err[256];
	struct zpool *zp;

	if (zpb_spec_parse(d->type, &plain, err, sizeof(err)) ||
	    zpb_spec_with_fixes(&plain, &spec, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "%s: spec with its fixes: %s", d->type, err);
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

static bool driver_selected(const struct zpool_driver *d)
{
	const char *list = getenv("ZPB_TEST_ALLOCATORS"), *p;
	size_t n = strlen(d->type);

	if (!list || !*list)
		return true;
	for (p = list; (p = strstr(p, d->type)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
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

void zpbt_run_selftest(const char *name)
{
	const struct zpb_selftest *t = zpb_selftest_find(name);
	const char *seed = getenv("ZPB_TEST_SEED");
	const struct zpool_driver *d;
	int i;

	if (!t) {
		zpbt_fail(__FILE__, __LINE__, "no selftest/ check called %s", name);
		return;
	}
	zpbt_for_each_driver(d, i) {
		struct zpb_spec spec;
		char err[256];
		struct zpb_check c = {
			.spec = &spec,
			.scale = zpbt_scale(),
			.seed_given = seed && *seed,
			.seed = seed && *seed ? strtoull(seed, NULL, 0) : 0,
			.seed_hint = "set ZPB_TEST_SEED",
			.fail = selftest_fail,
			.note = selftest_note,
		};

		if (zpb_spec_parse(d->type, &spec, err, sizeof(err))) {
			zpbt_fail(__FILE__, __LINE__, "%s: spec: %s", d->type, err);
			continue;
		}
		zpb_selftest_run(t, &c);
		if (c.skip[0])
			printf("  %s: not run: %s\n", d->type, c.skip);
	}
}
