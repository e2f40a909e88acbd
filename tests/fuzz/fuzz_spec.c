// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the allocator spec parser (allocators/spec.c): a
 * spec list either parses or fails with one line; every spec that parses
 * is canonical (its text parses again to the same values and the same
 * text), and its values are within the options' ranges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../allocators/zpool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_canonical(const struct zpb_spec *s)
{
	const struct zpool_driver *d = s->driver;
	struct zpb_spec again;
	char err[512];
	int i;

	for (i = 0; d->options && d->options[i].key; i++)
		if (s->values[i] < d->options[i].min || s->values[i] > d->options[i].max ||
		    (d->options[i].type == ZPB_OPT_BOOL && s->values[i] > 1)) {
			fprintf(stderr, "fuzz: %s: option %s = %lu out of range\n", s->text, d->options[i].key,
				s->values[i]);
			abort();
		}
	if (zpb_spec_parse(s->text, &again, err, sizeof(err)) || strcmp(again.text, s->text) ||
	    memcmp(again.values, s->values, sizeof(s->values))) {
		fprintf(stderr, "fuzz: canonical spec '%s' does not parse back to itself (%s)\n", s->text, err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zpb_spec specs[8];
	char text[ZPB_SPEC_LEN * 4], err[512] = "";
	int n, i;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	n = zpb_spec_parse_list(text, specs, 8, err, sizeof(err));
	if (n < 0 && (!err[0] || strchr(err, '\n'))) {
		fprintf(stderr, "fuzz: spec error is not one line: '%s'\n", err);
		abort();
	}
	for (i = 0; i < n; i++)
		check_canonical(&specs[i]);
	if (zpb_spec_parse(text, &specs[0], err, sizeof(err)) == 0)
		check_canonical(&specs[0]);
	return 0;
}
