// SPDX-License-Identifier: GPL-2.0-only
/*
 * The job log: GNU parallel's --joblog format (a header, then one line an
 * attempt: Seq Host Starttime JobRuntime Send Receive Exitval Signal
 * Command, tab-separated), so the local engine, parallel itself and the
 * Slurm array script all write the same file and a rerun by any engine
 * knows what is done. A job is found by the results file its command
 * writes ("-o results/NAME.json"), not by its sequence number, so a sweep
 * file that gained a value keeps its finished jobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/dirs.h"
#include "sweep.h"

static const char header[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

/* Whether @cmd writes results/@name.json (the -o argument, possibly quoted or under a directory). */
static bool writes(const char *cmd, const char *name)
{
	const char *p = cmd;
	size_t nl = strlen(name);

	while ((p = strstr(p, " -o "))) {
		const char *a = p + 4, *end, *b;

		if (*a == '\'')
			a++;
		end = a + strcspn(a, " '\n");
		for (b = end; b > a && b[-1] != '/'; b--)
			;
		if ((size_t)(end - b) == nl + 5 && !strncmp(b, name, nl) && !strncmp(b + nl, ".json", 5))
			return true;
		p = a;
	}
	return false;
}

static int parse(char *line, struct zpb_joblog_entry *e, char **cmd)
{
	char *f[9], *save = NULL;
	int i;

	for (i = 0; i < 9; i++) {
		f[i] = strtok_r(i ? NULL : line, i < 8 ? "\t" : "\n", &save);
		if (!f[i])
			return -1;
	}
	snprintf(e->host, sizeof(e->host), "%s", f[1]);
	e->start = strtod(f[2], NULL);
	e->runtime = strtod(f[3], NULL);
	e->exitval = atoi(f[6]);
	e->signal = atoi(f[7]);
	*cmd = f[8];
	return 0;
}

int zpb_joblog_state(const char *dir, const struct zpb_sweep_job *j, struct zpb_joblog_entry *last, char *err,
		     size_t errlen)
{
	char path[4200], line[16384];
	struct zpb_joblog_entry e, found;
	bool any = false;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/joblog", dir);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return ZPB_JOB_NEW;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *cmd;

		if (!strncmp(line, "Seq\t", 4) || parse(line, &e, &cmd) || !writes(cmd, j->name))
			continue;
		found = e;
		any = true;
	}
	fclose(f);
	if (!any)
		return ZPB_JOB_NEW;
	if (last)
		*last = found;
	snprintf(path, sizeof(path), "%s/results/%s.json", dir, j->name);
	return found.exitval == 0 && found.signal == 0 && stat(path, &st) == 0 ? ZPB_JOB_DONE : ZPB_JOB_FAILED;
}

int zpb_joblog_init(const char *dir, char *err, size_t errlen)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/joblog", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, header, sizeof(header) - 1) != (ssize_t)(sizeof(header) - 1)) {
		snprintf(err, errlen, "%s: write error: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int zpb_joblog_append(const char *dir, size_t seq, const struct zpb_joblog_entry *e, const char *command,
		      char *err, size_t errlen)
{
	char path[4200], line[16384];
	int fd, n;

	snprintf(path, sizeof(path), "%s/joblog", dir);
	n = snprintf(line, sizeof(line), "%zu\t%s\t%14.3f\t%10.3f\t0\t0\t%d\t%d\t%s\n", seq, e->host, e->start,
		     e->runtime, e->exitval, e->signal, command);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		snprintf(err, errlen, "%s: job %zu: command too long for the log", path, seq);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)n) != n) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void zpb_sweep_settle(const struct zpb_sweep *s, const char *dir)
{
	char path[4200], failed[4300], err[64];
	size_t i;

	for (i = 0; i < s->njobs; i++) {
		if (zpb_joblog_state(dir, &s->jobs[i], NULL, err, sizeof(err)) == ZPB_JOB_DONE)
			continue;
		snprintf(path, sizeof(path), "%s/results/%s.json", dir, s->jobs[i].name);
		snprintf(failed, sizeof(failed), "%s.failed", path);
		if (access(path, F_OK) == 0)
			rename(path, failed);
	}
}

int zpb_sweep_prepare_dir(const char *dir, char *err, size_t errlen)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/results", dir);
	if (zpb_make_dirs(path, err, errlen))
		return -1;
	return zpb_joblog_init(dir, err, errlen);
}

const struct zpb_sweep_engine *zpb_sweep_engine_find(const char *name)
{
	static const struct zpb_sweep_engine *const all[] = {
		&zpb_sweep_engine_local, &zpb_sweep_engine_parallel, &zpb_sweep_engine_slurm, NULL,
	};
	size_t i;

	for (i = 0; all[i]; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
