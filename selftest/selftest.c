// SPDX-License-Identifier: GPL-2.0-only
/* Running the allocator checks (selftest.h): the table, failures, skips, notes, pools. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

struct zpb_check *zpb_check_current;

/* The checks (conformance.c, shadow.c), in the order they run. */
#define ZPB_CONFORMANCE(name) void zpb_selftest_conformance_##name(struct zpb_check *c);
#define ZPB_SHADOW(name) void zpb_selftest_shadow_##name(struct zpb_check *c);
#include "list.h"
#undef ZPB_CONFORMANCE
#undef ZPB_SHADOW

const struct zpb_selftest zpb_selftests[] = {
#define ZPB_CONFORMANCE(name) { "conformance_" #name, zpb_selftest_conformance_##name },
#define ZPB_SHADOW(name) { "shadow_" #name, zpb_selftest_shadow_##name },
#include "list.h"
#undef ZPB_CONFORMANCE
#undef ZPB_SHADOW
	{ NULL, NULL },
};

const struct zpb_selftest *zpb_selftest_find(const char *name)
{
	const struct zpb_selftest *t;

	for (t = zpb_selftests; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

unsigned long zpb_selftest_run(const struct zpb_selftest *t, struct zpb_check *c)
{
	struct zpb_check *prev = zpb_check_current;

	c->failures = 0;
	c->skip[0] = '\0';
	if (!(c->scale > 0))
		c->scale = 1;
	zpb_check_current = c;
	t->run(c);
	zpb_check_current = prev;
	return c->failures;
}

void zpb_check_fail(struct zpb_check *c, const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->failures++;
	c->fail(c->arg, file, line, msg);
}

void zpb_check_note(struct zpb_check *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!c->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->note(c->arg, msg);
}

void zpb_check_skip(struct zpb_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->skip, sizeof(c->skip), fmt, ap);
	va_end(ap);
	if (!c->skip[0])
		snprintf(c->skip, sizeof(c->skip), "(no reason given)");
}

uint64_t zpb_check_seed(struct zpb_check *c, uint64_t def)
{
	uint64_t seed = c->seed_given ? c->seed : def;

	zpb_check_note(c, "%s: seed %" PRIu64 " (%s to replay)", c->spec->text, seed, c->seed_hint ? c->seed_hint : "give the seed");
	return seed;
}

unsigned long zpb_check_scaled(unsigned long n)
{
	double v = n * zpb_check_current->scale;

	return v < 1 ? 1 : (unsigned long)v;
}

int zpb_spec_with_fixes(const char *text, struct zpb_spec *out, char *err, size_t errlen)
{
	const struct zpb_option *o;
	char buf[ZPB_SPEC_LEN], key[64];
	size_t n;

	if (zpb_spec_parse(text, out, err, errlen))
		return -EINVAL;
	n = (size_t)snprintf(buf, sizeof(buf), "%s", text);
	for (o = out->driver->options; o && o->key; o++) {
		snprintf(key, sizeof(key), ":%s=", o->key);
		if (o->flags & ZPB_OPT_FIXES_SEED && !getenv("ZPB_SHADOW_NO_FIXES") && !strstr(text, key))
			n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, ":%s=1", o->key);
	}
	return zpb_spec_parse(buf, out, err, errlen);
}

struct zpool *zpb_check_pool(const struct zpool_ops *ops, unsigned long page_limit, bool fixes)
{
	struct zpb_check *c = zpb_check_current;
	const struct zpb_spec *spec = c->spec;
	struct zpb_spec fixed;
	struct zpool *zp;
	char err[256];

	if (fixes) {
		const char *text = c->text ? c->text : c->spec->text;

		if (zpb_spec_with_fixes(text, &fixed, err, sizeof(err))) {
			zpb_check_fail(c, __FILE__, __LINE__, "%s: spec with its fixes: %s", text, err);
			return NULL;
		}
		if (strcmp(fixed.text, c->spec->text))
			zpb_check_note(c, "%s: as %s", c->spec->text, fixed.text);
		spec = &fixed;
	}
	zp = zpool_create_pool(spec, "selftest", ops, page_limit);
	if (!zp)
		zpb_check_fail(c, __FILE__, __LINE__, "%s: zpool_create_pool failed", spec->text);
	return zp;
}
