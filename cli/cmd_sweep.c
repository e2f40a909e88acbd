// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench sweep FILE [-o DIR] [--engine local|parallel|slurm] [--dry-run]
 *
 * Expands a sweep file (docs/sweep.md) into jobs, one replay results file
 * each, and runs the ones not done yet on the chosen engine (sweep/).
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sweep/sweep.h"
#include "cli.h"

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
	(void)sig;
	if (stop_flag)
		_exit(130);
	stop_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench sweep FILE [-o DIR] [--engine local|parallel|slurm] [--dry-run] [OPTION]...\n"
		"\n"
		"Expand the sweep FILE (traces x allocator specs x replay option axes) into\n"
		"jobs, one replay results file each, named from the axes, and run the jobs\n"
		"that are not done yet. DIR/results/NAME.json holds each finished job's\n"
		"results, DIR/joblog (GNU parallel's format) every attempt; a rerun skips\n"
		"finished jobs and retries failed ones. See docs/sweep.md for the file.\n"
		"\n"
		"  -o, --output DIR        the sweep's directory [FILE's name without its\n"
		"                          extension, plus .d, in the current directory]\n"
		"  --engine E              local: on this machine, at most one job per free CPU\n"
		"                          set, pinned without overlap [default]\n"
		"                          parallel: GNU parallel over ssh (--sshloginfile)\n"
		"                          slurm: a Slurm array job, submitted with sbatch\n"
		"  --dry-run               list the jobs (done, new or retry) and their commands;\n"
		"                          with slurm, print the array job script; run nothing\n"
		"  -j, --jobs N            at most N jobs at once (local; parallel's --jobs)\n"
		"  --sshloginfile FILE     parallel: the hosts, one sshlogin a line (':' is this\n"
		"                          machine; 'ssh -p 2222 host' and 'N/host' work)\n"
		"  --zpoolbench PATH       the program the jobs run [this program's own path]\n"
		"  --engine-arg ARG        one more argument for parallel or sbatch (repeatable)\n"
		"  -q, --quiet             no line per job on stderr but the failed ones\n"
		"\n"
		"Then: zpoolbench merge DIR -o sweep.json; zpoolbench report sweep.json -o REPORT.\n"
		"Exit status: 0 every job done (or listed, or submitted), 1 a job failed or\n"
		"the sweep was interrupted (Ctrl-C: finished jobs stay), 2 bad input.\n");
}

struct cli_progress {
	const struct zpb_sweep *s;
	const char *dir;
	size_t started, finished;
	bool quiet;
};

static void progress(void *arg, const struct zpb_sweep_progress *p)
{
	struct cli_progress *c = arg;

	bool failed = p->what == ZPB_SWEEP_FINISHED && (p->exitval || p->signal);

	/* Quiet keeps the failures: they are what a rerun will retry. */
	if ((c->quiet && !failed) || p->what == ZPB_SWEEP_SKIPPED)
		return;
	if (p->what == ZPB_SWEEP_STARTED) {
		fprintf(stderr, "  [%zu/%zu] start %s on CPU %s\n", ++c->started, c->s->njobs, p->job->name,
			p->cpus ? p->cpus : "?");
		return;
	}
	c->finished++;
	if (!p->exitval && !p->signal)
		fprintf(stderr, "  done   %s (%.1f s)\n", p->job->name, p->runtime);
	else if (p->signal)
		fprintf(stderr, "  FAILED %s: killed by signal %d (see %s/logs/%s.log)\n", p->job->name, p->signal,
			c->dir, p->job->name);
	else
		fprintf(stderr, "  FAILED %s: exit %d (see %s/logs/%s.log)\n", p->job->name, p->exitval, c->dir,
			p->job->name);
}

static int list_jobs(const struct zpb_sweep *s, const char *dir, const char *zpb)
{
	static const char *const names[] = { "new", "done", "retry" };
	char cmd[8192], err[512];
	size_t i;

	for (i = 0; i < s->njobs; i++) {
		int st = zpb_joblog_state(dir, &s->jobs[i], NULL, err, sizeof(err));

		if (st < 0) {
			zpb_cli_error("sweep: %s", err);
			return ZPB_EXIT_USAGE;
		}
		zpb_sweep_job_command(s, &s->jobs[i], zpb, s->traces[s->jobs[i].trace].path, cmd, sizeof(cmd));
		printf("%s\t%s\t%s\n", names[st], s->jobs[i].name, cmd);
	}
	return ZPB_EXIT_OK;
}

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "engine", required_argument, NULL, 'e' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "sshloginfile", required_argument, NULL, 'S' },
	{ "zpoolbench", required_argument, NULL, 'Z' },
	{ "engine-arg", required_argument, NULL, 'A' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int sweep_main(int argc, char **argv)
{
	static char self[PATH_MAX], defdir[PATH_MAX];
	const struct zpb_sweep_engine *engine = &zpb_sweep_engine_local;
	struct zpb_sweep_run r = { 0 };
	struct cli_progress cp = { 0 };
	struct zpb_sweep s;
	struct sigaction sa, old;
	const char **eargs;
	char err[1024], *end;
	int c, rc, status;
	ssize_t n;

	eargs = calloc((size_t)argc + 1, sizeof(*eargs));
	if (!eargs) {
		zpb_cli_error("sweep: out of memory");
		return ZPB_EXIT_FAIL;
	}
	r.engine_args = eargs;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': r.dir = optarg; break;
		case 'e':
			engine = zpb_sweep_engine_find(optarg);
			if (!engine) {
				zpb_cli_error("sweep: --engine: '%s' is not one of local|parallel|slurm", optarg);
				free(eargs);
				return ZPB_EXIT_USAGE;
			}
			break;
		case 'n': r.dry_run = true; break;
		case 'j': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (!*optarg || *end || v < 1 || v > 100000 || optarg[0] == '-') {
				zpb_cli_error("sweep: --jobs: '%s' is not a whole number from 1 to 100000", optarg);
				free(eargs);
				return ZPB_EXIT_USAGE;
			}
			r.max_jobs = (unsigned)v;
			break;
		}
		case 'S': r.sshloginfile = optarg; break;
		case 'Z': r.zpoolbench = optarg; break;
		case 'A': eargs[r.nengine_args++] = optarg; break;
		case 'q': cp.quiet = true; break;
		case 'h': usage(stdout); free(eargs); return ZPB_EXIT_OK;
		default:
			free(eargs);
			return zpb_cli_bad_option("sweep", c, argv);
		}
	}
	if (optind != argc - 1) {
		zpb_cli_error("sweep: %s (see zpoolbench sweep --help)",
			      optind >= argc ? "needs one sweep FILE" : "takes one sweep FILE");
		free(eargs);
		return ZPB_EXIT_USAGE;
	}
	if (r.sshloginfile && engine != &zpb_sweep_engine_parallel) {
		zpb_cli_error("sweep: --sshloginfile is for --engine parallel");
		free(eargs);
		return ZPB_EXIT_USAGE;
	}
	if (zpb_sweep_load(&s, argv[optind], err, sizeof(err))) {
		zpb_cli_error("sweep: %s", err);
		zpb_sweep_free(&s);
		free(eargs);
		return ZPB_EXIT_USAGE;
	}
	if (!r.dir) {
		const char *b = strrchr(argv[optind], '/'), *dot;

		b = b ? b + 1 : argv[optind];
		dot = strrchr(b, '.');
		snprintf(defdir, sizeof(defdir), "%.*s.d", (int)(dot && dot != b ? dot - b : (long)strlen(b)), b);
		r.dir = defdir;
	}
	if (!r.zpoolbench) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0) {
			zpb_cli_error("sweep: cannot find this program's path: give --zpoolbench PATH");
			zpb_sweep_free(&s);
			free(eargs);
			return ZPB_EXIT_USAGE;
		}
		self[n] = 0;
		r.zpoolbench = self;
	}
	r.listing = stdout;
	r.stop = &stop_flag;
	cp.s = &s;
	cp.dir = r.dir;
	r.progress = progress;
	r.progress_arg = &cp;
	if (r.dry_run) {
		status = engine == &zpb_sweep_engine_slurm ? ZPB_EXIT_OK : list_jobs(&s, r.dir, r.zpoolbench);
		if (status == ZPB_EXIT_OK && engine != &zpb_sweep_engine_local) {
			if (engine == &zpb_sweep_engine_parallel)
				printf("# GNU parallel would run:\n");
			if (engine->run(&s, &r, err, sizeof(err))) {
				zpb_cli_error("sweep: %s", err);
				status = ZPB_EXIT_USAGE;
			}
		}
		zpb_sweep_free(&s);
		free(eargs);
		return status;
	}
	if (zpb_sweep_prepare_dir(r.dir, err, sizeof(err))) {
		zpb_cli_error("sweep: -o: %s", err);
		zpb_sweep_free(&s);
		free(eargs);
		return ZPB_EXIT_USAGE;
	}
	/* No SA_RESTART: a Ctrl-C must interrupt the engine's wait for its jobs. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	if (!cp.quiet)
		fprintf(stderr, "zpoolbench: sweep: %zu jobs (%s engine) into %s\n", s.njobs, engine->name, r.dir);
	rc = engine->run(&s, &r, err, sizeof(err));
	sigaction(SIGINT, &old, NULL);
	if (rc < 0) {
		zpb_cli_error("sweep: %s", err);
		status = ZPB_EXIT_USAGE;
	} else {
		if (engine == &zpb_sweep_engine_slurm) {
			/* Submitted, not run: the tasks fill the joblog as they end. */
			fprintf(stderr, "zpoolbench: sweep: %zu done before; %s\n", r.skipped, r.note);
		} else if (!cp.quiet || rc) {
			fprintf(stderr, "zpoolbench: sweep: %zu done now, %zu done before, %zu failed or not run%s\n",
				r.done, r.skipped, s.njobs - r.done - r.skipped,
				stop_flag ? " (interrupted: run the same command again to resume)" : "");
			if (r.note[0])
				fprintf(stderr, "zpoolbench: sweep: %s\n", r.note);
		}
		status = rc ? ZPB_EXIT_FAIL : ZPB_EXIT_OK;
	}
	zpb_sweep_free(&s);
	free(eargs);
	return status;
}

const struct zpb_command zpb_cmd_sweep = {
	.name = "sweep",
	.summary = "run a matrix of traces x allocators x options as jobs (local, GNU parallel, Slurm)",
	.run = sweep_main,
};
