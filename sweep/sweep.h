/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sweeps: a matrix of traces x allocator specs x replay option axes, each
 * cell one job ("one trace x one spec x options -> one results file"),
 * run by an engine. The engines follow fio's engines/: one struct of
 * operations, one file each (engine_local.c, engine_parallel.c,
 * engine_slurm.c). docs/sweep.md is the user's description.
 *
 * The output directory of a sweep holds
 *   results/NAME.json         one replay results file per finished job
 *   results/NAME.json.failed  the results a failed job left (if any)
 *   joblog                    GNU parallel's --joblog format, one line a job
 *                             attempt, whichever engine ran it
 * A job is done when its last joblog line has exit value 0 and signal 0 and
 * its results file exists; a rerun runs only the jobs that are not done.
 *
 * Only cli/ prints: the library returns codes and messages, and reports
 * progress through a callback.
 */
#ifndef ZPB_SWEEP_SWEEP_H
#define ZPB_SWEEP_SWEEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ZPB_SWEEP_MAX_AXES 16

struct zpb_sweep_axis {
	char name[32];		/* the replay option without "--": "threads" */
	char opt[36];		/* with it: "--threads" */
	bool flag;		/* an on|off axis for a replay flag (timed, ...) */
	char **values;
	size_t nvalues;
	unsigned line;		/* where the sweep file gave it */
};

struct zpb_sweep_trace {
	char *path;		/* absolute */
	char *name;		/* the file name without its extension: names jobs */
};

struct zpb_sweep_job {
	size_t seq;		/* 1-based, in expansion order */
	char name[256];		/* TRACE__ALLOC__AXIS-VALUE...: the results file's stem */
	size_t trace, alloc;
	size_t value[ZPB_SWEEP_MAX_AXES];	/* index into each axis's values */
	unsigned threads;	/* CPUs the job wants (its --threads, 1 by default) */
};

struct zpb_sweep {
	char *path;		/* the sweep file */
	struct zpb_sweep_trace *traces;
	size_t ntraces;
	char **allocs;
	size_t nallocs;
	struct zpb_sweep_axis axes[ZPB_SWEEP_MAX_AXES];
	size_t naxes;
	unsigned repeat;	/* replay --repeat for every job */
	char repeat_text[16];
	struct zpb_sweep_job *jobs;
	size_t njobs;
};

/**
 * zpb_sweep_load() - read a sweep file and expand it into jobs.
 *
 * Every axis value is checked as replay would check it, and every job's
 * combination of options too (e.g. --reclaim pool-lru for an allocator that
 * cannot evict), so a bad sweep fails here, not hours into a run.
 * Return: 0, or -1 with "FILE:LINE: ..." (or "FILE: job NAME: ...") in @err.
 * Free with zpb_sweep_free() either way.
 */
int zpb_sweep_load(struct zpb_sweep *s, const char *path, char *err, size_t errlen);
void zpb_sweep_free(struct zpb_sweep *s);

/*
 * The arguments of @j's replay after "zpoolbench replay TRACE": --alloc,
 * the axes' options and --repeat, then "-q -o @out". Pointers into @s and
 * @out; @argv holds at most @max (NULL-terminated). Return: the count.
 */
size_t zpb_sweep_job_args(const struct zpb_sweep *s, const struct zpb_sweep_job *j, const char *out,
			  const char **argv, size_t max);

/* Append @arg to @buf (of @len) quoted for a POSIX shell when it needs it. */
void zpb_sweep_shell_quote(char *buf, size_t len, const char *arg);

/* ---- the job log (sweep/joblog.c) ---- */

enum zpb_job_state { ZPB_JOB_NEW, ZPB_JOB_DONE, ZPB_JOB_FAILED };

struct zpb_joblog_entry {
	double start, runtime;
	int exitval, signal;
	char host[128];
};

/**
 * zpb_joblog_state() - what the log at @dir/joblog says of @j.
 * @last: when not NULL, receives its last entry (when there is one)
 *
 * DONE needs the last entry for the job to be exit 0 signal 0 and
 * @dir/results/NAME.json to exist. Return: the state, or -1 with @err set
 * when the log exists but cannot be read.
 */
int zpb_joblog_state(const char *dir, const struct zpb_sweep_job *j, struct zpb_joblog_entry *last, char *err,
		     size_t errlen);

/* Create @dir/joblog with GNU parallel's header if it does not exist. 0, or -1 with @err. */
int zpb_joblog_init(const char *dir, char *err, size_t errlen);

/* Append one line (one write(2), O_APPEND) for a finished attempt. 0, or -1 with @err. */
int zpb_joblog_append(const char *dir, size_t seq, const struct zpb_joblog_entry *e, const char *command,
		      char *err, size_t errlen);

/*
 * After an engine ran: move the results of every job that is not done to
 * NAME.json.failed, so results/ holds only finished jobs' files.
 */
void zpb_sweep_settle(const struct zpb_sweep *s, const char *dir);

/* ---- engines ---- */

struct zpb_sweep_progress {
	const struct zpb_sweep_job *job;
	enum { ZPB_SWEEP_STARTED, ZPB_SWEEP_FINISHED, ZPB_SWEEP_SKIPPED } what;
	const char *cpus;		/* local engine: the CPUs it was pinned to */
	int exitval, signal;
	double runtime;
};

struct zpb_sweep_run {
	const char *dir;		/* the output directory */
	const char *zpoolbench;		/* the program the jobs run */
	bool dry_run;			/* list (or print the script); run nothing */
	FILE *listing;			/* where a dry run lists (the cli's stdout) */
	unsigned max_jobs;		/* local: at most this many at once (0: no cap) */
	const char *sshloginfile;	/* parallel */
	const char *const *engine_args;	/* extra arguments for parallel or sbatch */
	size_t nengine_args;
	volatile sig_atomic_t *stop;	/* set by the cli's SIGINT handler */
	void (*progress)(void *arg, const struct zpb_sweep_progress *p);
	void *progress_arg;
	/* out */
	size_t ran, done, failed, skipped;
	char note[512];			/* what the engine did, for the cli (e.g. the Slurm job id) */
};

struct zpb_sweep_engine {
	const char *name;
	/* Return: 0 when every job it ran finished (or, dry, when listed); 1 when some failed
	 * or it was interrupted; -1 with @err when it could not run at all. */
	int (*run)(const struct zpb_sweep *s, struct zpb_sweep_run *r, char *err, size_t errlen);
};

extern const struct zpb_sweep_engine zpb_sweep_engine_local;
extern const struct zpb_sweep_engine zpb_sweep_engine_parallel;
extern const struct zpb_sweep_engine zpb_sweep_engine_slurm;

/* The engine named @name, or NULL. */
const struct zpb_sweep_engine *zpb_sweep_engine_find(const char *name);

/* mkdir -p @dir and @dir/results. 0, or -1 with @err. */
int zpb_sweep_prepare_dir(const char *dir, char *err, size_t errlen);

/* A job's command line as the joblog records it (relative results path, shell-quoted). */
void zpb_sweep_job_command(const struct zpb_sweep *s, const struct zpb_sweep_job *j, const char *zpoolbench,
			   const char *trace, char *buf, size_t len);

#endif

/* ---- merging results (sweep/merge.c) ---- */

#define ZPB_SWEEP_FORMAT "zpoolbench-sweep"
#define ZPB_SWEEP_FORMAT_VERSION 1

/**
 * zpb_sweep_merge() - combine replay results files into one sweep file.
 * @inputs: results files, or sweep directories (their results/\*.json)
 * @out: the merged file, written atomically
 *
 * The sweep's axes are the replay options whose values differ among the
 * inputs (the CPUs a job was pinned to aside). A trace is named by its file
 * name without the extension; two inputs whose traces share a name but not
 * a sha256 are refused, naming both. Return: 0, or -1 with @err naming the
 * file. @nmerged receives the number of results files merged.
 */
int zpb_sweep_merge(const char *const *inputs, size_t n, const char *out, size_t *nmerged, char *err,
		    size_t errlen);
