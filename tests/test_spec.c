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
