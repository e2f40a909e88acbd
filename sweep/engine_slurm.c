// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Slurm engine: one array job (sbatch --array=1-N), task i running the
 * i-th job that is not done. The script is self-contained: each task picks
 * its command by SLURM_ARRAY_TASK_ID from a case statement, runs it from the
 * sweep's directory (#SBATCH --chdir) and appends its line to the sweep's
 * joblog, in the format every engine writes. The cluster's nodes must see
 * the sweep's directory and the traces at the same paths (a shared file
 * system), as Slurm's --chdir assumes anyway.
 *
 * Submitting returns at once with the array's job id; a later
 * `zpoolbench sweep FILE --dry-run` shows what is done, and a later run
 * submits only what is not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/atomic_file.h"
#include "sweep.h"

static int write_script(const struct zpb_sweep *s, const struct zpb_sweep_run *r, FILE *f, const bool *pending,
			size_t npending)
{
	char cmd[8192], q[4400];
	unsigned cpus = 1;
	size_t i, task = 0;

	for (i = 0; i < s->njobs; i++)
		if (pending[i] && s->jobs[i].threads > cpus)
			cpus = s->jobs[i].threads;
	q[0] = 0;
	zpb_sweep_shell_quote(q, sizeof(q), r->dir);
	fprintf(f, "#!/bin/sh\n"
		"# Written by 'zpoolbench sweep --engine slurm' for %s: a Slurm array job,\n"
		"# one task a sweep job (docs/sweep.md). Submit with: sbatch THIS_FILE\n"
		"#SBATCH --job-name=zpb-sweep\n"
		"#SBATCH --array=1-%zu\n"
		"#SBATCH --ntasks=1\n"
		"#SBATCH --cpus-per-task=%u\n"
		"#SBATCH --chdir=%s\n"
		"#SBATCH --output=logs/slurm-%%A_%%a.log\n"
		"set -u\n"
		"cd %s || exit 2\n"
		"case \"${SLURM_ARRAY_TASK_ID:-}\" in\n",
		s->path, npending, cpus, r->dir, q);
	for (i = 0; i < s->njobs; i++) {
		if (!pending[i])
			continue;
		zpb_sweep_job_command(s, &s->jobs[i], r->zpoolbench, s->traces[s->jobs[i].trace].path, cmd,
				      sizeof(cmd));
		fprintf(f, "%zu) set -- %s ;;\n", ++task, cmd);
	}
	fprintf(f, "*) echo \"zpb-sweep: no job for SLURM_ARRAY_TASK_ID '${SLURM_ARRAY_TASK_ID:-}'\" >&2; exit 2 ;;\n"
		"esac\n"
		"mkdir -p results logs\n"
		"start=$(date +%%s.%%N)\n"
		"\"$@\"\n"
		"rc=$?\n"
		"sig=0\n"
		"[ $rc -gt 128 ] && sig=$((rc - 128)) && rc=-1\n"
		"end=$(date +%%s.%%N)\n"
		"# The joblog line (GNU parallel's format): one short append, as every engine does.\n"
		"cmd=$(printf '%%s ' \"$@\")\n"
		"awk -v seq=\"$SLURM_ARRAY_TASK_ID\" -v host=\"$(hostname)\" -v a=\"$start\" -v b=\"$end\" \\\n"
		"    -v rc=\"$rc\" -v sig=\"$sig\" -v cmd=\"${cmd%% }\" \\\n"
		"    'BEGIN { printf \"%%s\\t%%s\\t%%14.3f\\t%%10.3f\\t0\\t0\\t%%s\\t%%s\\t%%s\\n\", seq, host, a, b - a, rc, sig, cmd }' >> joblog\n"
		"[ $sig = 0 ] || exit $((128 + sig))\n"
		"exit $rc\n");
	return ferror(f) ? -1 : 0;
}

static int slurm_run(const struct zpb_sweep *s, struct zpb_sweep_run *r, char *err, size_t errlen)
{
	struct zpb_atomic_file af;
	char path[4200], id[128] = "";
	bool *pending = calloc(s->njobs + 1, sizeof(*pending));
	size_t i, npending = 0, len;
	FILE *p;
	int rc = -1, status;

	if (!pending) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < s->njobs; i++) {
		int st = zpb_joblog_state(r->dir, &s->jobs[i], NULL, err, errlen);

		if (st < 0)
			goto out;
		pending[i] = st != ZPB_JOB_DONE;
		npending += pending[i];
		r->skipped += !pending[i];
	}
	if (!npending) {
		snprintf(r->note, sizeof(r->note), "every job is done: nothing to submit");
		rc = 0;
		goto out;
	}
	if (r->dry_run) {
		rc = write_script(s, r, r->listing, pending, npending) ? -1 : 0;
		if (rc)
			snprintf(err, errlen, "write error");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/slurm", r->dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/logs", r->dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/slurm/array.sh", r->dir);
	if (zpb_atomic_open(&af, path, err, errlen))
		goto out;
	if (write_script(s, r, af.f, pending, npending)) {
		zpb_atomic_abort(&af);
		snprintf(err, errlen, "%s: write error", path);
		goto out;
	}
	if (zpb_atomic_commit(&af, err, errlen))
		goto out;
	{
		char cmd[8192] = "sbatch --parsable";
		size_t k;

		for (k = 0; k < r->nengine_args; k++) {
			strncat(cmd, " ", sizeof(cmd) - strlen(cmd) - 1);
			zpb_sweep_shell_quote(cmd, sizeof(cmd), r->engine_args[k]);
		}
		strncat(cmd, " ", sizeof(cmd) - strlen(cmd) - 1);
		zpb_sweep_shell_quote(cmd, sizeof(cmd), path);
		strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
		fflush(NULL);
		p = popen(cmd, "r");
	}
	if (!p) {
		snprintf(err, errlen, "cannot run sbatch: %s", strerror(errno));
		goto out;
	}
	if (!fgets(id, sizeof(id), p))
		id[0] = 0;
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	len = strcspn(id, "\n");
	id[len] = 0;
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "sbatch is not installed: --engine slurm needs a Slurm cluster's client "
			 "(Debian: slurm-client); --dry-run prints the script (%s)", path);
		goto out;
	}
	if (WEXITSTATUS(status)) {
		snprintf(err, errlen, "sbatch %s failed: %s", path, id[0] ? id : "no message");
		goto out;
	}
	r->ran = npending;
	snprintf(r->note, sizeof(r->note), "submitted %.300s as Slurm array job %.60s (%zu tasks); the joblog fills as they end",
		 path, id, npending);
	rc = 0;
out:
	free(pending);
	return rc;
}

const struct zpb_sweep_engine zpb_sweep_engine_slurm = {
	.name = "slurm",
	.run = slurm_run,
};
