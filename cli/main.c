// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench: the entry point, dispatching to one subcommand. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/atomic_file.h"
#include "cli.h"
#include "config.h"

extern const struct zpb_command zpb_cmd_list;
extern const struct zpb_command zpb_cmd_validate;
extern const struct zpb_command zpb_cmd_gate;
extern const struct zpb_command zpb_cmd_report;
extern const struct zpb_command zpb_cmd_trace;
extern const struct zpb_command zpb_cmd_capture;
extern const struct zpb_command zpb_cmd_synth;
extern const struct zpb_command zpb_cmd_replay;
extern const struct zpb_command zpb_cmd_sweep;
extern const struct zpb_command zpb_cmd_merge;
extern const struct zpb_command zpb_cmd_selftest;

static const struct zpb_command *const commands[] = {
	&zpb_cmd_list,
	&zpb_cmd_gate,
	&zpb_cmd_report,
	&zpb_cmd_trace,
	&zpb_cmd_capture,
	&zpb_cmd_synth,
	&zpb_cmd_replay,
	&zpb_cmd_sweep,
	&zpb_cmd_merge,
	&zpb_cmd_validate,
	&zpb_cmd_selftest,
	NULL,
};

void zpb_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("zpoolbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int zpb_cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const char *eq = strchr(arg, '=');
	/*
	 * getopt leaves no pointer to the bad option: for a long one it is the
	 * last element consumed (optopt 0 when unknown, its value when it was
	 * given a value it does not take); for a short one optopt holds it.
	 */
	bool is_long = !strncmp(arg, "--", 2) && (optopt == 0 || eq || c == ':');
	char shortopt[3] = { '-', (char)optopt, '\0' };
	const char *name = is_long || optopt <= ' ' || optopt > '~' ? arg : shortopt;
	int len = is_long && eq ? (int)(eq - arg) : (int)strlen(name);

	if (c == ':')
		zpb_cli_error("%s: option '%.*s' needs a value (see zpoolbench %s --help)", cmd, len, name, cmd);
	else if (is_long && eq && optopt)
		zpb_cli_error("%s: option '%.*s' takes no value (see zpoolbench %s --help)", cmd, len, name, cmd);
	else
		zpb_cli_error("%s: unknown option '%.*s' (see zpoolbench %s --help)", cmd, len, name, cmd);
	return ZPB_EXIT_USAGE;
}

int zpb_cli_check_output(const char *cmd, const char *opt, const char *path)
{
	char err[512];

	if (zpb_output_check(path, err, sizeof(err)) == 0)
		return 0;
	zpb_cli_error("%s: %s: %s", cmd, opt, err);
	return ZPB_EXIT_USAGE;
}

bool zpb_cli_output_rereadable(const char *path)
{
	struct stat sb;

	return strcmp(path, "-") && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static void usage(FILE *out)
{
	int i;

	fprintf(out,
		"Usage: zpoolbench COMMAND [OPTION]...\n"
		"\n"
		"A workbench for compressed-page allocators (z3fold, zbud, zsmalloc):\n"
		"which keeps swapped-out pages in the least memory, at what latency,\n"
		"and how each behaves under reclaim.\n"
		"\n"
		"Commands:\n");
	for (i = 0; commands[i]; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Run 'zpoolbench COMMAND --help' for a command's options.\n"
		"Options: --help, --version\n");
}

int main(int argc, char **argv)
{
	int i;

	zpb_cli_signals_init();
	if (argc < 2) {
		usage(stderr);
		return ZPB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return ZPB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zpoolbench %s\n", ZPB_VERSION);
		return ZPB_EXIT_OK;
	}
	for (i = 0; commands[i]; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	zpb_cli_error("unknown command '%s' (see zpoolbench --help)", argv[1]);
	return ZPB_EXIT_USAGE;
}
