// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local engine (the default): the jobs on this machine, several at
 * once, each pinned (replay --cpus) to CPUs no other running job has. A
 * job wanting N threads waits for N free CPUs of the ones this process may
 * use; one wanting more than there are runs alone on all of them. Jobs
 * start in sweep order. Each job's own output goes to logs/NAME.log.
 *
 * Ctrl-C (the cli sets r->stop): no job is started any more, the running
 * ones get one SIGINT each (they are in process groups of their own, so a
 * terminal's Ctrl-C reaches only this process) and are waited for; replay
 * then writes what it did marked incomplete, which counts as failed, and
 * every finished job stays in results/ and the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"

struct slot {
	pid_t pid;
	const struct zpb_sweep_job *job;
	int cpus[CPU_SETSIZE];
	int ncpus;
	double start;
	char cpulist[256];
	bool interrupted;
};

static double now_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The child: own process group, output to logs/NAME.log, run from @dir. */
static void exec_job(const struct zpb_sweep *s, const struct zpb_sweep_run *r, const struct slot *sl)
{
	const char *argv[2 * ZPB_SWEEP_MAX_AXES + 24];
	char out[300], log[300];
	size_t n;
	int fd;

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	if (chdir(r->dir))
		_exit(126);
	snprintf(out, sizeof(out), "results/%s.json", sl->job->name);
	snprintf(log, sizeof(log), "logs/%s.log", sl->job->name);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	argv[0] = r->zpoolbench;
	argv[1] = "replay";
	argv[2] = s->traces[sl->job->trace].path;
	n = 3 + zpb_sweep_job_args(s, sl->job, out, argv + 3, sizeof(argv) / sizeof(argv[0]) - 6);
	argv[n++] = "--cpus";
	argv[n++] = sl->cpulist;
	argv[n] = NULL;
	execv(r->zpoolbench, (char **)argv);
	fprintf(stderr, "zpoolbench: sweep: cannot run %s: %s\n", r->zpoolbench, strerror(errno));
	_exit(127);
}

static void cpu_list(struct slot *sl)
{
	size_t n = 0;
	int i;

	sl->cpulist[0] = 0;
	for (i = 0; i < sl->ncpus && n + 8 < sizeof(sl->cpulist); i++)
		n += (size_t)snprintf(sl->cpulist + n, sizeof(sl->cpulist) - n, "%s%d", i ? "," : "", sl->cpus[i]);
}

static int finish(const struct zpb_sweep *s, struct zpb_sweep_run *r, struct slot *sl, int status, bool *busy,
		  char *err, size_t errlen)
{
	struct zpb_joblog_entry e = { 0 };
	struct zpb_sweep_progress p = { 0 };
	char cmd[8192], path[4200], failed[4300];
	int i;

	for (i = 0; i < sl->ncpus; i++)
		busy[sl->cpus[i]] = false;
	snprintf(e.host, sizeof(e.host), ":");
	e.start = sl->start;
	e.runtime = now_epoch() - sl->start;
	e.exitval = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	e.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (e.signal)
		e.exitval = -1;
	zpb_sweep_job_command(s, sl->job, r->zpoolbench, s->traces[sl->job->trace].path, cmd, sizeof(cmd));
	strncat(cmd, " --cpus ", sizeof(cmd) - strlen(cmd) - 1);
	strncat(cmd, sl->cpulist, sizeof(cmd) - strlen(cmd) - 1);
	if (zpb_joblog_append(r->dir, sl->job->seq, &e, cmd, err, errlen))
		return -1;
	if (e.exitval == 0 && e.signal == 0) {
		r->done++;
	} else {
		r->failed++;
		snprintf(path, sizeof(path), "%s/results/%s.json", r->dir, sl->job->name);
		snprintf(failed, sizeof(failed), "%s.failed", path);
		if (access(path, F_OK) == 0)
			rename(path, failed);
	}
	p.job = sl->job;
	p.what = ZPB_SWEEP_FINISHED;
	p.cpus = sl->cpulist;
	p.exitval = e.exitval;
	p.signal = e.signal;
	p.runtime = e.runtime;
	if (r->progress)
		r->progress(r->progress_arg, &p);
	sl->pid = 0;
	return 0;
}

static int local_run(const struct zpb_sweep *s, struct zpb_sweep_run *r, char *err, size_t errlen)
{
	static bool busy[CPU_SETSIZE];
	int usable[CPU_SETSIZE], nusable = 0, cpu, status, rc = 0, nrunning = 0, nfree;
	struct slot *slots;
	const struct zpb_sweep_job **queue;
	size_t nq = 0, next = 0, i, nslots;
	char path[4200];
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set)) {
		snprintf(err, errlen, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			usable[nusable++] = cpu;
	memset(busy, 0, sizeof(busy));
	queue = calloc(s->njobs + 1, sizeof(*queue));
	nslots = (size_t)nusable;
	slots = calloc(nslots, sizeof(*slots));
	if (!queue || !slots) {
		free(queue);
		free(slots);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < s->njobs; i++) {
		int st = zpb_joblog_state(r->dir, &s->jobs[i], NULL, err, errlen);
		struct zpb_sweep_progress p = { .job = &s->jobs[i], .what = ZPB_SWEEP_SKIPPED };

		if (st < 0) {
			rc = -1;
			goto out;
		}
		if (st == ZPB_JOB_DONE) {
			r->skipped++;
			if (r->progress)
				r->progress(r->progress_arg, &p);
		} else {
			queue[nq++] = &s->jobs[i];
		}
	}
	snprintf(path, sizeof(path), "%s/logs", r->dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
		goto out;
	}
	nfree = nusable;
	while (next < nq || nrunning) {
		/* Start what fits, in order. */
		while (next < nq && !*r->stop && (!r->max_jobs || (unsigned)nrunning < r->max_jobs)) {
			const struct zpb_sweep_job *j = queue[next];
			int need = (int)j->threads < nusable ? (int)j->threads : nusable, k;
			struct slot *sl = NULL;
			struct zpb_sweep_progress p = { .job = j, .what = ZPB_SWEEP_STARTED };

			if (need > nfree)
				break;
			for (i = 0; i < nslots && !sl; i++)
				if (!slots[i].pid)
					sl = &slots[i];
			if (!sl)
				break;
			memset(sl, 0, sizeof(*sl));
			sl->job = j;
			for (k = 0; k < nusable && sl->ncpus < need; k++)
				if (!busy[usable[k]]) {
					busy[usable[k]] = true;
					sl->cpus[sl->ncpus++] = usable[k];
				}
			nfree -= need;
			cpu_list(sl);
			sl->start = now_epoch();
			fflush(NULL);
			sl->pid = fork();
			if (sl->pid < 0) {
				snprintf(err, errlen, "fork: %s", strerror(errno));
				sl->pid = 0;
				rc = -1;
				*r->stop = 1;
				break;
			}
			if (sl->pid == 0)
				exec_job(s, r, sl);
			setpgid(sl->pid, sl->pid);	/* also here: no race with the SIGINT below */
			next++;
			nrunning++;
			r->ran++;
			p.cpus = sl->cpulist;
			if (r->progress)
				r->progress(r->progress_arg, &p);
		}
		if (!nrunning)
			break;
		{
			pid_t pid = waitpid(-1, &status, 0);

			if (pid < 0) {
				if (errno != EINTR) {
					snprintf(err, errlen, "waitpid: %s", strerror(errno));
					rc = -1;
					break;
				}
				if (*r->stop)
					for (i = 0; i < nslots; i++)
						if (slots[i].pid && !slots[i].interrupted) {
							kill(-slots[i].pid, SIGINT);
							slots[i].interrupted = true;
						}
				continue;
			}
			for (i = 0; i < nslots; i++)
				if (slots[i].pid == pid)
					break;
			if (i == nslots)
				continue;
			nfree += slots[i].ncpus;
			nrunning--;
			if (finish(s, r, &slots[i], status, busy, err, errlen)) {
				rc = -1;
				*r->stop = 1;
			}
		}
		if (*r->stop)
			for (i = 0; i < nslots; i++)
				if (slots[i].pid && !slots[i].interrupted) {
					kill(-slots[i].pid, SIGINT);
					slots[i].interrupted = true;
				}
	}
	if (!rc && (r->failed || *r->stop))
		rc = 1;
out:
	free(queue);
	free(slots);
	return rc;
}

const struct zpb_sweep_engine zpb_sweep_engine_local = {
	.name = "local",
	.run = local_run,
};
