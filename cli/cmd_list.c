// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench list: every allocator, with its options and capabilities. */
#include <stdio.h>
#include <string.h>

#include "../allocators/zpool.h"
#include "../measure/callgrind.h"
#include "../measure/counters.h"
#include "cli.h"

/* Which counters this machine can open, probing a standard set, and callgrind. */
static void list_measurements(void)
{
	const char *const *ev;
	char why[320];

	printf("\nCounters (replay --counters LIST, libpfm4 event names), on this machine:\n");
	for (ev = zpb_counters_standard_events(); *ev; ev++) {
		int r = zpb_counters_probe(*ev, why, sizeof(why));

		printf("  %-18s %s%s%s\n", *ev, r == 1 ? "supported" : "unsupported",
		       r == 1 ? "" : ": ", r == 1 ? "" : why);
	}
	printf("  (any other libpfm4 name may be given; unsupported events are reported, not fatal)\n");
	if (zpb_callgrind_available(why, sizeof(why)))
		printf("\nInstruction counts (replay --instructions callgrind): available\n");
	else
		printf("\nInstruction counts (replay --instructions callgrind): unavailable: %s\n", why);
}

static int list_run(int argc, char **argv)
{
	const struct zpool_driver *const *d;
	char caps[128];

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: zpoolbench list\n\n"
		       "List every allocator with its capabilities, its largest object and\n"
		       "the options an allocator spec may set (NAME[:KEY=VALUE]...), and how\n"
		       "to name a plugin (PATH.so[:KEY=VALUE]...); then\n"
		       "which counter events this machine can open and whether callgrind\n"
		       "instruction counts are available.\n");
		return ZPB_EXIT_OK;
	}
	if (argc > 1) {
		zpb_cli_error("list: %s '%s' (see zpoolbench list --help)",
			      argv[1][0] == '-' && argv[1][1] ? "unknown option" : "takes no argument, not", argv[1]);
		return ZPB_EXIT_USAGE;
	}
	printf("Allocators (spec: NAME[:KEY=VALUE]...):\n");
	for (d = zpb_drivers(); *d; d++) {
		const struct zpb_option *o;

		printf("\n  %-9s %s\n", (*d)->type, (*d)->description);
		printf("            capabilities: %s\n", zpb_caps_string((*d)->caps, caps, sizeof(caps)));
		printf("            largest object: %zu bytes\n", (*d)->max_size(NULL));
		for (o = (*d)->options; o && o->key; o++) {
			if (o->type == ZPB_OPT_BOOL) {
				printf("            option %s=0|1 (default %lu): %s\n", o->key, zpb_option_default(o), o->help);
			} else if (o->type == ZPB_OPT_ENUM) {
				const char *const *nm;

				printf("            option %s=", o->key);
				for (nm = o->names; *nm; nm++)
					printf("%s%s", nm == o->names ? "" : "|", *nm);
				printf(" (default %s): %s\n", o->names[zpb_option_default(o)], o->help);
			} else
				printf("            option %s=%lu..%lu (default %lu): %s\n",
				       o->key, o->min, o->max, zpb_option_default(o), o->help);
		}
	}
	printf("\n  PATH.so   a plugin, built out of tree (docs/plugins.md): --alloc ./libmine.so[:KEY=VALUE]...;\n"
	       "            check one with 'zpoolbench selftest --alloc ./libmine.so'\n");
	list_measurements();
	return ZPB_EXIT_OK;
}

const struct zpb_command zpb_cmd_list = {
	.name = "list",
	.summary = "list allocators, their options and capabilities",
	.run = list_run,
};
