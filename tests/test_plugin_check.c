// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plugin specs and the checks a loaded plugin must pass (allocators/plugin.h):
 * which spec names are plugin paths, and each refusal of zpb_plugin_check()
 * as one line naming the file and the fault. Loading real shared objects
 * is tests/plugin_test.sh's.
 */
#include <string.h>

#include "../allocators/plugin.h"
#include "harness.h"

static void *c_(const char *n, gfp_t g, const struct zpool_ops *o, struct zpool *z, const struct zpb_spec *s)
{
	return NULL;
}
static void d_(void *p) { }
static int m_(void *p, size_t s, gfp_t g, unsigned long *h) { return -ENOMEM; }
static void f_(void *p, unsigned long h) { }
static int s_(void *p, unsigned int n, unsigned int *r) { return -EINVAL; }
static void *map_(void *p, unsigned long h, enum zpool_mapmode mm) { return NULL; }
static void u_(void *p, unsigned long h) { }
static u64 t_(void *p) { return 0; }
static unsigned long k_(void *p) { return 0; }
static size_t zero_(const struct zpb_spec *s) { return 0; }
static size_t five_pages_(const struct zpb_spec *s) { return 5 * PAGE_SIZE; }

static const struct zpool_driver good = {
	.type = "good", .max_size = zpool_max_size_page, .caps = ZPB_CAP_SLEEP_MAPPED,
	.create = c_, .destroy = d_, .malloc = m_, .free = f_, .map = map_, .unmap = u_, .total_size = t_,
};

/* @d must be refused with a one-line error holding @want (and the path). */
static void refused(const struct zpool_driver *d, unsigned int abi, unsigned int size, const char *want)
{
	struct zpb_plugin p = { .abi_version = abi, .driver_size = size, .driver = d };
	char err[512] = "";

	CHECK(zpb_plugin_check("/x/libbad.so", &p, err, sizeof(err)) == -1,
	      "plugin check: expected a refusal containing '%s', got acceptance", want);
	CHECK(strstr(err, want) && strstr(err, "'/x/libbad.so'") && !strchr(err, '\n'),
	      "plugin check: expected one line naming /x/libbad.so and '%s', got '%s'", want, err);
}

TEST(plugin_names_are_paths_or_end_in_so)
{
	static const char *const yes[] = { "./libmine.so", "libmine.so", "/abs/x", "dir/x.so.1", "a/b" };
	static const char *const no[] = { "zsmalloc", "z3fold", ".so", "so", "ideal" };
	unsigned int i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(zpb_plugin_name(yes[i]), "zpb_plugin_name(%s): expected true, got false", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(!zpb_plugin_name(no[i]), "zpb_plugin_name(%s): expected false, got true", no[i]);
}

TEST(plugin_spec_that_cannot_be_loaded_is_one_line_naming_the_file)
{
	struct zpb_spec s;
	char err[512];

	CHECK(zpb_spec_parse("./no-such-plugin.so:key=1", &s, err, sizeof(err)) == -EINVAL,
	      "spec of a missing plugin: expected -EINVAL");
	CHECK(strstr(err, "plugin './no-such-plugin.so' cannot be loaded") && !strchr(err, '\n'),
	      "spec of a missing plugin: expected one line naming it, got '%s'", err);
	/* The in-tree names are untouched. */
	CHECK(zpb_spec_parse("ideal", &s, err, sizeof(err)) == 0 && !strcmp(s.text, "ideal"),
	      "spec 'ideal': expected to parse as ideal, got '%s'", err);
}

TEST(plugin_check_accepts_a_complete_driver)
{
	struct zpb_plugin p = { ZPB_PLUGIN_ABI_VERSION, sizeof(struct zpool_driver), &good };
	char err[512] = "";

	CHECK(zpb_plugin_check("/x/libgood.so", &p, err, sizeof(err)) == 0,
	      "plugin check of a complete driver: expected 0, got '%s'", err);
}

TEST(plugin_check_refuses_each_fault_with_one_line)
{
	static const char *const no_names[] = { NULL };
	static const struct zpb_option bad_uint[] = {
		{ .key = "n", .type = ZPB_OPT_UINT, .def = 9, .min = 1, .max = 8 }, { NULL } };
	static const struct zpb_option bad_enum[] = {
		{ .key = "e", .type = ZPB_OPT_ENUM, .names = no_names }, { NULL } };
	static const struct zpb_option bad_key[] = { { .key = "a:b", .type = ZPB_OPT_BOOL }, { NULL } };
	struct zpb_option many[ZPB_MAX_OPTIONS + 2];
	struct zpool_driver d;
	unsigned int i;

	refused(&good, ZPB_PLUGIN_ABI_VERSION + 1, sizeof(struct zpool_driver), "plugin ABI version");
	refused(&good, ZPB_PLUGIN_ABI_VERSION, sizeof(struct zpool_driver) - 8, "struct zpool_driver is");
	refused(NULL, ZPB_PLUGIN_ABI_VERSION, sizeof(struct zpool_driver), "NULL driver");
#define REFUSED(field, value, want) do {					\
	d = good;								\
	d.field = value;							\
	refused(&d, ZPB_PLUGIN_ABI_VERSION, sizeof(d), want);			\
} while (0)
	REFUSED(type, NULL, "type must be");
	REFUSED(type, "a/b", "type must be");
	REFUSED(create, NULL, "NULL create callback");
	REFUSED(destroy, NULL, "NULL destroy callback");
	REFUSED(malloc, NULL, "NULL malloc callback");
	REFUSED(free, NULL, "NULL free callback");
	REFUSED(map, NULL, "NULL map callback");
	REFUSED(unmap, NULL, "NULL unmap callback");
	REFUSED(total_size, NULL, "NULL total_size callback");
	REFUSED(caps, ZPB_CAP_EVICT, "NULL shrink callback");
	REFUSED(caps, ZPB_CAP_COMPACT, "NULL compact callback");
	REFUSED(caps, 1u << 20, "unknown capability bits 0x100000");
	REFUSED(max_size, NULL, "NULL max_size callback");
	REFUSED(max_size, zero_, "max_size 0 at 4096-byte pages");
	REFUSED(max_size, five_pages_, "max_size 20480 at 4096-byte pages");
	/* Version 1 plugins took PAGE_SIZE for the constant 4096: refused, not misread. */
	refused(&good, 1, sizeof(struct zpool_driver), "plugin ABI version 1");
	REFUSED(options, bad_uint, "option 'n' has default 9 outside 1..8");
	REFUSED(options, bad_enum, "enum option 'e' has no names");
	REFUSED(options, bad_key, "option 1 has an empty key");
	memset(many, 0, sizeof(many));
	for (i = 0; i < ZPB_MAX_OPTIONS + 1; i++) {
		many[i].key = "k";
		many[i].type = ZPB_OPT_BOOL;
	}
	REFUSED(options, many, "more than 8 options");
	/* Each capability with its callback is fine. */
	d = good;
	d.caps |= ZPB_CAP_EVICT | ZPB_CAP_COMPACT;
	d.shrink = s_;
	d.compact = k_;
	{
		struct zpb_plugin p = { ZPB_PLUGIN_ABI_VERSION, sizeof(d), &d };
		char err[512] = "";

		CHECK(zpb_plugin_check("/x/libgood.so", &p, err, sizeof(err)) == 0,
		      "plugin check of an evicting, compacting driver: expected 0, got '%s'", err);
	}
#undef REFUSED
}
