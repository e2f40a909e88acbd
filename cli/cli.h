/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zpoolbench command line: one file per subcommand, each exporting one
 * struct zpb_command. Only cli/ prints to the user and exits.
 */
#ifndef ZPB_CLI_H
#define ZPB_CLI_H

#include <signal.h>
#include <stdbool.h>

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

/*
 * Signals (cli/signals.c). zpb_cli_signals_init(), from main(), makes every
 * standard signal that would end the process remove the outputs' temporary
 * files and say so before it acts. zpb_cli_stop_on_signal() lends a flag
 * that the first SIGINT, SIGTERM or SIGHUP sets instead (a second quits);
 * @what says what the command does then ("writing the runs so far, marked
 * incomplete"). NULL takes the flag back.
 */
void zpb_cli_signals_init(void);
void zpb_cli_stop_on_signal(volatile sig_atomic_t *flag, const char *what);

/*
 * Before any work: whether @path (the value of option @opt of @cmd) can be
 * written (util/atomic_file's zpb_output_check: not a directory, a place
 * that takes a file, a stream open for writing). 0, or ZPB_EXIT_USAGE after
 * one line naming the option and the file.
 */
int zpb_cli_check_output(const char *cmd, const char *opt, const char *path);

/*
 * Whether an output just written can be read back: a regular file, not
 * standard output ("-"), a FIFO or a device.
 */
bool zpb_cli_output_rereadable(const char *path);

/* capture zram (cli/cmd_capture_zram.c), reached through `capture`. */
int zpb_cli_capture_zram(int argc, char **argv);

/* Exit statuses shared by every subcommand. */
#define ZPB_EXIT_OK 0
#define ZPB_EXIT_FAIL 1	/* the run worked and found a problem (verify failure, regression) */
#define ZPB_EXIT_USAGE 2	/* bad options or input */

#endif
