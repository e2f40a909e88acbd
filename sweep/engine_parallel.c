// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GNU parallel engine: the jobs that are not done, one line each in
 * parallel/jobs (trace, results file, command), handed to GNU parallel
 * (Debian's parallel package) with the sweep's --sshloginfile:
 *   --transferfile {1}  the trace goes to the host (from traces/, where the
 *                       sweep's traces are linked or copied, so the remote
 *                       paths are relative and the originals are never
 *                       touched by --cleanup)
 *   --return {2}        the results file comes back into results/
 *   --workdir ...       a fresh directory per job on the host, removed
 *                       with --cleanup
 *   --joblog +joblog    the sweep's job log, appended to: parallel's format
 *                       is the one every engine writes
 * parallel runs from the sweep's directory; a host whose sshlogin is ':'
 * runs its jobs right there. Resuming is the sweep's own: only jobs not
 * done are written to parallel/jobs.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

#define MAX_ARGS 64

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* Put @src at @dst: a hard link, else a copy. */
static int stage(const char *src, const char *dst, char *err, size_t errlen)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	unlink(dst);
	if (link(src, dst) == 0)
		return 0;
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = in < 0 ? -1 : open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto fail;
	if (n < 0 || close(out)) {
		out = -1;
		goto fail;
	}
	close(in);
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot stage as %s: %s", src, dst, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return -1;
}

/* Whether @prog --version says it is GNU parallel (moreutils has another 'parallel'). */
static bool is_gnu_parallel(void)
{
	FILE *p = popen("parallel --version 2>/dev/null", "r");
	char line[256] = "";
	bool gnu;

	if (!p)
		return false;
	if (!fgets(line, sizeof(line), p))
		line[0] = 0;
	while (fgetc(p) != EOF)
		;
	gnu = !strncmp(line, "GNU parallel", 12);
	return pclose(p) == 0 && gnu;
}

static size_t build_argv(const struct zpb_sweep_run *r, const char *logins, const char **argv, char *jobs)
{
	size_t n = 0, i;

	argv[n++] = "parallel";
	argv[n++] = "--will-cite";
	argv[n++] = "--sshloginfile";
	argv[n++] = logins;
	argv[n++] = "--joblog";
	argv[n++] = "+joblog";
	argv[n++] = "--colsep";
	argv[n++] = "\t";
	argv[n++] = "--transferfile";
	argv[n++] = "{1}";
	argv[n++] = "--return";
	argv[n++] = "{2}";
	argv[n++] = "--workdir";
	argv[n++] = "...";
	argv[n++] = "--cleanup";
	if (r->max_jobs) {
		static char j[16];

		snprintf(j, sizeof(j), "%u", r->max_jobs);
		argv[n++] = "--jobs";
		argv[n++] = j;
	}
	for (i = 0; i < r->nengine_args && n + 6 < MAX_ARGS; i++)
		argv[n++] = r->engine_args[i];
	argv[n++] = "--arg-file";
	argv[n++] = jobs;
	/* {=3 uq() =}: the command column as written (already shell-quoted), not quoted again. */
	argv[n++] = "mkdir -p results && {=3 uq() =}";
	argv[n] = NULL;
	return n;
}

static int parallel_run(const struct zpb_sweep *s, struct zpb_sweep_run *r, char *err, size_t errlen)
{
	const char *argv[MAX_ARGS];
	static char logins[PATH_MAX];
	char path[4200], trace[512], cmd[8192], jobs[] = "parallel/jobs";
	size_t i, n, pending = 0;
	int status, rc = 0, forwarded = 0;
	FILE *f = NULL;
	pid_t pid;

	if (!r->sshloginfile) {
		snprintf(err, errlen, "--engine parallel: needs --sshloginfile FILE (a line per host; ':' is this one)");
		return -1;
	}
	if (access(r->sshloginfile, R_OK)) {
		snprintf(err, errlen, "--sshloginfile %s: %s", r->sshloginfile, strerror(errno));
		return -1;
	}
	/* parallel runs in the sweep's directory: the login file's path must not be relative. */
	if (!realpath(r->sshloginfile, logins)) {
		snprintf(err, errlen, "--sshloginfile %s: %s", r->sshloginfile, strerror(errno));
		return -1;
	}
	n = build_argv(r, logins, argv, jobs);
	if (r->dry_run) {
		fprintf(r->listing, "(cd ");
		cmd[0] = 0;
		zpb_sweep_shell_quote(cmd, sizeof(cmd), r->dir);
		fprintf(r->listing, "%s &&", cmd);
		for (i = 0; i < n; i++) {
			cmd[0] = 0;
			zpb_sweep_shell_quote(cmd, sizeof(cmd), argv[i]);
			fprintf(r->listing, " %s", cmd);
		}
		fprintf(r->listing, ")\n");
		return 0;
	}
	if (!is_gnu_parallel()) {
		snprintf(err, errlen, "--engine parallel: GNU parallel is not installed (Debian: apt-get install parallel)");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/traces", r->dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		goto io;
	snprintf(path, sizeof(path), "%s/parallel", r->dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		goto io;
	for (i = 0; i < s->ntraces; i++) {
		snprintf(path, sizeof(path), "%s/traces/%s", r->dir, base_name(s->traces[i].path));
		if (stage(s->traces[i].path, path, err, errlen))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", r->dir, jobs);
	f = fopen(path, "w");
	if (!f)
		goto io;
	for (i = 0; i < s->njobs; i++) {
		const struct zpb_sweep_job *j = &s->jobs[i];
		struct zpb_sweep_progress p = { .job = j, .what = ZPB_SWEEP_SKIPPED };
		int st = zpb_joblog_state(r->dir, j, NULL, err, errlen);

		if (st < 0) {
			fclose(f);
			return -1;
		}
		if (st == ZPB_JOB_DONE) {
			r->skipped++;
			if (r->progress)
				r->progress(r->progress_arg, &p);
			continue;
		}
		snprintf(trace, sizeof(trace), "traces/%s", base_name(s->traces[j->trace].path));
		zpb_sweep_job_command(s, j, r->zpoolbench, trace, cmd, sizeof(cmd));
		fprintf(f, "%s\tresults/%s.json\t%s\n", trace, j->name, cmd);
		pending++;
	}
	if (fclose(f)) {
		f = NULL;
		goto io;
	}
	if (!pending)
		return 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto io;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		signal(SIGINT, SIG_DFL);
		if (chdir(r->dir))
			_exit(126);
		execvp("parallel", (char **)argv);
		_exit(127);
	}
	r->ran = pending;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		/*
		 * The cli's SIGINT handler has no SA_RESTART, so Ctrl-C lands here:
		 * GNU parallel's own handling of it follows (a terminal's Ctrl-C
		 * reached it already; a kill of this process only is passed on).
		 */
		if (*r->stop && !forwarded++)
			kill(pid, SIGINT);
	}
	for (i = 0; i < s->njobs; i++) {
		int st = zpb_joblog_state(r->dir, &s->jobs[i], NULL, err, errlen);

		if (st == ZPB_JOB_DONE)
			r->done++;
		else if (st >= 0)
			r->failed++;
	}
	r->done -= r->skipped;
	zpb_sweep_settle(s, r->dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 255) {
		snprintf(err, errlen, "GNU parallel failed (exit 255: see its messages above)");
		return -1;
	}
	snprintf(r->note, sizeof(r->note), "GNU parallel exited with %d; its job log is %s/joblog",
		 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), r->dir);
	if (r->failed || *r->stop)
		rc = 1;
	return rc;
io:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

const struct zpb_sweep_engine zpb_sweep_engine_parallel = {
	.name = "parallel",
	.run = parallel_run,
};
