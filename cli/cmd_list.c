// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench list: every allocator, with its options and capabilities. */
#include <stdio.h>
#include <string.h>

#include "../allocators/zpool.h"
#include "cli.h"

static int list_run(int argc, char **argv)
{
	const struct zpool_driver *const *d;
	char caps[128];

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: zpoolbench list\n\n"
		       "List every allocator with its capabilities, its largest object and\n"
		       "the options an allocator spec may set (NAME[:KEY=VALUE]...).\n");
		return ZPB_EXIT_OK;
	}
	if (argc > 1) {
		zpb_cli_error("list: unexpected argument '%s'", argv[1]);
		return ZPB_EXIT_USAGE;
	}
	printf("Allocators (spec: NAME[:KEY=VALUE]...):\n");
	for (d = zpb_drivers(); *d; d++) {
		const struct zpb_option *o;

		printf("\n  %-9s %s\n", (*d)->type, (*d)->description);
		printf("            capabilities: %s\n", zpb_caps_string((*d)->caps, caps, sizeof(caps)));
		printf("            largest object: %zu bytes\n", (*d)->max_size);
		for (o = (*d)->options; o && o->key; o++) {
			if (o->type == ZPB_OPT_BOOL)
				printf("            option %s=0|1 (default %lu): %s\n", o->key, o->def, o->help);
			else
				printf("            option %s=%lu..%lu (default %lu): %s\n",
				       o->key, o->min, o->max, o->def, o->help);
		}
	}
	return ZPB_EXIT_OK;
}

const struct zpb_command zpb_cmd_list = {
	.name = "list",
	.summary = "list allocators, their options and capabilities",
	.run = list_run,
};
