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
