// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signals, handled one way for every command (main.c installs the handler
 * before dispatching).
 *
 * SIGINT, SIGTERM and SIGHUP are requests to stop. A command that can stop
 * early and still write what it did (replay: the runs so far, marked
 * incomplete; capture process: the trace so far) lends a stop flag with
 * zpb_cli_stop_on_signal(): the first of these signals sets it and says
 * so; a second one quits at once. Without a flag, the first quits.
 *
 * Quitting, and every other standard signal whose default action ends the
 * process (SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGXFSZ, ..., and the faults
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS), removes the temporary
 * files of the outputs being written (util/atomic_file: the previous file
 * stays as it was), says so in one line, and then lets the previous
 * disposition act: the process dies of the signal (exit status 128+N in a
 * shell), or a sanitizer's handler reports the fault. SIGPIPE (a reader
 * such as `| head` stopped reading) says nothing unless it cost an output
 * its temporary file. A signal that was
 * ignored when the program started (nohup's SIGHUP, SIGINT in a background
 * job) stays ignored. Only async-signal-safe calls are made here.
 */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "../util/atomic_file.h"
#include "cli.h"

static const struct {
	int sig;
	const char *name;
	bool fault;	/* synchronous: returning re-runs the instruction under the previous handler */
} handled[] = {
	{ SIGHUP, "SIGHUP", false },	{ SIGINT, "SIGINT", false },	{ SIGQUIT, "SIGQUIT", false },
	{ SIGTERM, "SIGTERM", false },	{ SIGPIPE, "SIGPIPE", false },	{ SIGALRM, "SIGALRM", false },
	{ SIGUSR1, "SIGUSR1", false },	{ SIGUSR2, "SIGUSR2", false },	{ SIGXCPU, "SIGXCPU", false },
	{ SIGXFSZ, "SIGXFSZ", false },	{ SIGVTALRM, "SIGVTALRM", false }, { SIGPROF, "SIGPROF", false },
	{ SIGPOLL, "SIGPOLL", false },	{ SIGPWR, "SIGPWR", false },	{ SIGSTKFLT, "SIGSTKFLT", false },
	{ SIGABRT, "SIGABRT", true },	{ SIGSEGV, "SIGSEGV", true },	{ SIGBUS, "SIGBUS", true },
	{ SIGFPE, "SIGFPE", true },	{ SIGILL, "SIGILL", true },	{ SIGSYS, "SIGSYS", true },
};
#define NHANDLED (sizeof(handled) / sizeof(handled[0]))

static struct sigaction previous[NHANDLED];
static volatile sig_atomic_t *stop_flag;
static const char *stop_what;
static bool tty;

static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

static void on_signal(int sig)
{
	size_t i;

	for (i = 0; i < NHANDLED && handled[i].sig != sig; i++)
		;
	if (i == NHANDLED)
		return;
	if (tty)
		say("\r\033[K");	/* over a progress line */
	if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && stop_flag &&
	    !__atomic_exchange_n(stop_flag, 1, __ATOMIC_SEQ_CST)) {
		/* Atomic (lock-free, so signal-safe): replay's worker threads read it in a --timed wait. */
		say("zpoolbench: ");
		say(handled[i].name);
		say(": stopping; ");
		say(stop_what);
		say(" (send it again to quit at once)\n");
		return;
	}
	/* A reader that stopped reading (`| head`) is not news, unless it cost an output. */
	if (zpb_atomic_remove_temps() || sig != SIGPIPE) {
		say("zpoolbench: ");
		say(handled[i].name);
		say(": quitting; outputs not yet written are left as they were\n");
	}
	sigaction(sig, &previous[i], NULL);
	/*
	 * Blocked until we return, then acts as before. A fault under a
	 * sanitizer's handler is not raised again: returning re-runs the
	 * instruction, and the handler sees the real fault.
	 */
	if (!handled[i].fault || (!(previous[i].sa_flags & SA_SIGINFO) && previous[i].sa_handler == SIG_DFL))
		raise(sig);
}

void zpb_cli_signals_init(void)
{
	struct sigaction sa;
	size_t i;

	tty = isatty(STDERR_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;	/* as signal() had it: a read or write in progress goes on */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NHANDLED; i++) {
		if (sigaction(handled[i].sig, NULL, &previous[i]) != 0 ||
		    (!(previous[i].sa_flags & SA_SIGINFO) && previous[i].sa_handler == SIG_IGN))
			continue;
		sigaction(handled[i].sig, &sa, NULL);
	}
}

void zpb_cli_stop_on_signal(volatile sig_atomic_t *flag, const char *what)
{
	stop_what = what;
	__atomic_store_n(&stop_flag, flag, __ATOMIC_SEQ_CST);
}
