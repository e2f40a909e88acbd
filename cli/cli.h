/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zpoolbench command line: one file per subcommand, each exporting one
 * struct zpb_command. Only cli/ prints to the user and exits.
 */
#ifndef ZPB_CLI_H
#define ZPB_CLI_H

struct zpb_command {
	const char *name;
	const char *summary;	/* one line for `zpoolbench --help` */
	int (*run)(int argc, char **argv);	/* argv[0] is the subcommand's name */
};

/* Print "zpoolbench: <message>" on stderr. */
void zpb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * After getopt_long() returned '?' or ':' for @cmd (e.g. "capture pages"),
 * print one line naming the bad option. The caller's optstring starts with
 * ':' and opterr is 0, so getopt itself prints nothing and a missing value
 * (':') is told apart from an unknown option ('?'). Returns ZPB_EXIT_USAGE.
 */
int zpb_cli_bad_option(const char *cmd, int c, char **argv);

/* capture zram (cli/cmd_capture_zram.c), reached through `capture`. */
int zpb_cli_capture_zram(int argc, char **argv);

/* Exit statuses shared by every subcommand. */
#define ZPB_EXIT_OK 0
#define ZPB_EXIT_FAIL 1	/* the run worked and found a problem (verify failure, regression) */
#define ZPB_EXIT_USAGE 2	/* bad options or input */

#endif
