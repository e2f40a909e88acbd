// SPDX-License-Identifier: GPL-2.0-only
/* Allocator specs and the registry. */
#include <string.h>

#include "../allocators/zpool.h"
#include "harness.h"

TEST(every_driver_is_found_by_its_name)
{
	const struct zpool_driver *const *d;
	int n = 0;

	for (d = zpb_drivers(); *d; d++, n++)
		CHECK(zpb_driver_find((*d)->type) == *d, "driver %s not found by name", (*d)->type);
	CHECK(n >= 2, "at least ideal and null are registered (%d)", n);
}

TEST(unknown_allocator_is_an_error_naming_it)
{
	struct zpb_spec s;
	char err[256];

	CHECK(zpb_spec_parse("zfour", &s, err, sizeof(err)) == -EINVAL, "unknown name rejected");
	CHECK(strstr(err, "'zfour'") != NULL, "error names the allocator: %s", err);
	CHECK(zpb_spec_parse("ideal:chain=4", &s, err, sizeof(err)) == -EINVAL, "unknown key rejected");
	CHECK(strstr(err, "'chain'") != NULL, "error names the key: %s", err);
	CHECK(zpb_spec_parse("", &s, err, sizeof(err)) == -EINVAL, "empty spec rejected");
}

TEST(spec_list_splits_on_commas)
{
	struct zpb_spec s[4];
	char err[256];

	CHECK(zpb_spec_parse_list("ideal,null", s, 4, err, sizeof(err)) == 2, "two specs");
	CHECK(!strcmp(s[0].text, "ideal") && !strcmp(s[1].text, "null"), "canonical names");
	CHECK(zpb_spec_parse_list("ideal,,null", s, 4, err, sizeof(err)) == -1, "empty middle spec rejected");
	CHECK(zpb_spec_parse_list("ideal,null,ideal", s, 2, err, sizeof(err)) == -1, "too many specs rejected");
}

/* @spec is refused, in one line that names @opt (the option, or what is wrong). */
static void refused(const char *spec, const char *opt)
{
	struct zpb_spec s;
	char err[256] = "";

	CHECK(zpb_spec_parse(spec, &s, err, sizeof(err)) == -EINVAL, "spec '%s' accepted, as '%s'", spec, s.text);
	CHECK(strstr(err, opt) && strstr(err, spec) && !strchr(err, '\n'),
	      "spec '%s': the error does not name '%s' and the spec in one line: %s", spec, opt, err);
}

static unsigned long parsed(const char *spec, const char *key)
{
	struct zpb_spec s;
	char err[256] = "";

	if (zpb_spec_parse(spec, &s, err, sizeof(err))) {
		zpbt_fail(__FILE__, __LINE__, "spec '%s' refused: %s", spec, err);
		return ~0ul;
	}
	return zpb_spec_get(&s, key);
}

TEST(spec_numbers_are_decimal_only)
{
	/* strtoul(.., 0) read "016" as octal 14 and took "0x8". */
	refused("zsmalloc:chain=016", "'chain'");
	refused("zsmalloc:chain=0x8", "'chain'");
	refused("zsmalloc:chain=+8", "'chain'");
	refused("zsmalloc:chain= 8", "'chain'");
	refused("zsmalloc:chain=8 ", "'chain'");
	refused("zsmalloc:chain=", "'chain'");
	refused("zsmalloc:chain", "'chain'");
	refused("zsmalloc:chain=-8", "'chain'");
	refused("zsmalloc:chain=18446744073709551624", "'chain'");	/* 2^64 + 8: wraps to 8 */
	refused("zsmalloc:chain=3", "4 to 16");
	CHECK_EQ_UL(parsed("zsmalloc:chain=16", "chain"), 16, "zsmalloc:chain=16");
	CHECK_EQ_UL(parsed("zsmalloc:chain=4", "chain"), 4, "zsmalloc:chain=4");
}

TEST(spec_booleans_are_0_or_1)
{
	refused("z3fold:claim_first=yes", "'claim_first'");
	refused("z3fold:claim_first=true", "'claim_first'");
	refused("z3fold:claim_first=on", "'claim_first'");
	refused("z3fold:claim_first=01", "'claim_first'");
	refused("z3fold:claim_first=2", "0 or 1");
	CHECK_EQ_UL(parsed("z3fold:claim_first=1", "claim_first"), 1, "z3fold:claim_first=1");
	CHECK_EQ_UL(parsed("z3fold:claim_first=0", "claim_first"), 0, "z3fold:claim_first=0");
}

TEST(spec_option_given_twice_is_refused)
{
	/* "chain=8:chain=4" was chain 4, the last one winning. */
	refused("zsmalloc:chain=8:chain=4", "given twice");
	refused("zsmalloc:chain=8:chain=8", "'chain'");
	refused("z3fold:claim_first=1:claim_first=0", "'claim_first'");
}

TEST(spec_empty_option_or_name_is_refused)
{
	refused("zsmalloc:", "empty option");
	refused("zsmalloc::chain=4", "empty option");
	refused("zsmalloc:chain=4:", "empty option");
	refused(":chain=4", "empty allocator name");
	CHECK_EQ_UL(parsed("zsmalloc", "chain"), 8, "zsmalloc's default chain");
}

TEST(spec_with_a_control_byte_is_refused_without_echoing_it)
{
	struct zpb_spec s;
	char err[256] = "";

	/* Found by fuzz_spec: the byte was echoed, and a newline split the one-line error. */
	CHECK(zpb_spec_parse("zs\nmalloc", &s, err, sizeof(err)) == -EINVAL, "a newline in a spec accepted");
	CHECK(!strchr(err, '\n') && strstr(err, "0x0a at offset 2"), "error: '%s'", err);
	CHECK(zpb_spec_parse_list("zsmalloc,zb\033ud", &s, 1, err, sizeof(err)) == -1 && !strchr(err, '\033'),
	      "an escape in a spec list: '%s'", err);
}
