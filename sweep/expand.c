// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep file (docs/sweep.md) and its expansion into jobs: one line a
 * key and its values, '#' to the end of a line a comment.
 *   trace PATH...   alloc SPEC...   repeat N   AXIS VALUE...
 * An AXIS is a replay option taking a value (threads, pool-limit, ...) or a
 * replay flag given as on|off (timed, deterministic, fatal-verify). Values
 * are checked by replay's own option parser, so the sweep accepts exactly
 * what `zpoolbench replay` accepts today.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../replay/replay.h"
#include "sweep.h"

/* Replay options that take a value and make sense as an axis. */
static const char *const value_axes[] = {
	"threads", "pool-limit", "accept-threshold", "reclaim", "reclaim-mode", "zswap-model",
	"exclusive-loads", "partition", "sample-ops", "speed", NULL,
};
/* Replay flags: an axis of on|off. */
static const char *const flag_axes[] = { "timed", "deterministic", "fatal-verify", NULL };

/* Axes a study wants that replay does not take: refused, saying why. */
static const struct {
	const char *name, *why;
} refused[] = {
	{ "page-size", "the page size is one per process (replay --page-size; by default the trace's): "
		       "sweep it by listing traces made at each page size, or give each page size a sweep of its own" },
	{ "compressor", "replay has no --compressor: the compressed lengths are in the trace "
			"(its header names the compressor); sweep it by listing traces made with each" },
	{ "cpus", "the engine chooses the CPUs (local: non-overlapping sets; parallel and slurm: the host's)" },
	{ "numa-nodes", "the engine chooses the CPUs and nodes; give a sweep per node layout instead" },
	{ "mem-policy", "needs --numa-nodes, which the engine chooses" },
	{ "counters", "not an axis: per-op counters are for single replays (zpoolbench replay --counters)" },
	{ "instructions", "not an axis: callgrind counts are for single replays (zpoolbench replay --instructions)" },
	{ "output", "each job's results file is named from its axes (see docs/sweep.md)" },
	{ "csv", "not supported in a sweep: timelines are in each results file" },
};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static void *grow(void *p, size_t n, size_t size)
{
	return realloc(p, (n + 1) * size);
}

static char *xstrdup_or(const char *s, bool *oom)
{
	char *d = strdup(s);

	if (!d)
		*oom = true;
	return d;
}

void zpb_sweep_free(struct zpb_sweep *s)
{
	size_t i, k;

	free(s->path);
	for (i = 0; i < s->ntraces; i++) {
		free(s->traces[i].path);
		free(s->traces[i].name);
	}
	free(s->traces);
	for (i = 0; i < s->nallocs; i++)
		free(s->allocs[i]);
	free(s->allocs);
	for (i = 0; i < s->naxes; i++) {
		for (k = 0; k < s->axes[i].nvalues; k++)
			free(s->axes[i].values[k]);
		free(s->axes[i].values);
	}
	free(s->jobs);
	memset(s, 0, sizeof(*s));
}

/* Append @in to @out, keeping [A-Za-z0-9.-] and spelling the rest so names stay distinct and shell-safe. */
static void name_part(char *out, size_t len, const char *in)
{
	size_t n = strlen(out);

	for (; *in && n + 4 < len; in++) {
		char c = *in;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '-')
			out[n++] = c;
		else if (c == '%')
			n += (size_t)snprintf(out + n, len - n, "pct");
		else if (c == '=')
			;	/* "chain=4" reads as "chain4" */
		else
			out[n++] = '_';
	}
	out[n] = 0;
}

/* The trace's name: its file name without the last extension. */
static char *trace_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n, *dot;

	n = strdup(b ? b + 1 : path);
	if (n && (dot = strrchr(n, '.')) && dot != n)
		*dot = 0;
	return n;
}

/* Resolve @word against the sweep file's directory and add it as a trace. */
static int add_trace(struct zpb_sweep *s, const char *word, unsigned line, char *err, size_t errlen)
{
	char joined[PATH_MAX * 2], *abs, raw[64];
	const char *slash = strrchr(s->path, '/');
	struct zpb_sweep_trace *t;
	size_t i;

	if (word[0] == '/' || !slash)
		snprintf(joined, sizeof(joined), "%s", word);
	else
		snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - s->path), s->path, word);
	abs = realpath(joined, NULL);
	if (!abs) {
		snprintf(err, errlen, "%s:%u: trace %s: %s", s->path, line, joined, strerror(errno));
		return -1;
	}
	t = grow(s->traces, s->ntraces, sizeof(*t));
	if (!t) {
		free(abs);
		goto oom;
	}
	s->traces = t;
	t = &s->traces[s->ntraces];
	t->path = abs;
	t->name = trace_name(abs);
	if (!t->name) {
		free(abs);
		goto oom;
	}
	raw[0] = 0;
	name_part(raw, sizeof(raw), t->name);
	snprintf(t->name, strlen(t->name) + 1, "%s", raw);
	s->ntraces++;
	for (i = 0; i + 1 < s->ntraces; i++)
		if (!strcmp(s->traces[i].name, t->name)) {
			snprintf(err, errlen, "%s:%u: traces %s and %s would both be named '%s' in job names; rename one",
				 s->path, line, s->traces[i].path, t->path, t->name);
			return -1;
		}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", s->path);
	return -1;
}

static int check_value(const struct zpb_sweep_axis *a, const char *v, const char *file, unsigned line, char *err,
		       size_t errlen)
{
	struct zpb_replay_options o;
	char why[400];
	int rc = 0;

	if (a->flag) {
		if (strcmp(v, "on") && strcmp(v, "off")) {
			snprintf(err, errlen, "%s:%u: %s: '%s' is not on or off", file, line, a->name, v);
			return -1;
		}
		return 0;
	}
	zpb_replay_options_init(&o);
	if (zpb_replay_set_option(&o, a->name, v, why, sizeof(why))) {
		snprintf(err, errlen, "%s:%u: %s", file, line, why);
		rc = -1;
	}
	zpb_replay_options_release(&o);
	return rc;
}

static int parse_line(struct zpb_sweep *s, char *text, unsigned line, bool *seen_repeat, char *err, size_t errlen)
{
	char *save = NULL, *key = strtok_r(text, " \t\r", &save), *w;
	struct zpb_sweep_axis *a;
	bool oom = false;
	size_t i, nwords = 0;

	if (!key)
		return 0;
	if (!strcmp(key, "trace")) {
		while ((w = strtok_r(NULL, " \t\r", &save)) && ++nwords)
			if (add_trace(s, w, line, err, errlen))
				return -1;
	} else if (!strcmp(key, "alloc")) {
		while ((w = strtok_r(NULL, " \t\r", &save)) && ++nwords) {
			struct zpb_replay_options o;
			char why[400], **na;
			int bad;

			zpb_replay_options_init(&o);
			bad = zpb_replay_set_option(&o, "alloc", w, why, sizeof(why));
			zpb_replay_options_release(&o);
			if (bad) {
				snprintf(err, errlen, "%s:%u: %s", s->path, line, why);
				return -1;
			}
			if (strchr(w, ',') || !strcmp(w, "all")) {
				snprintf(err, errlen, "%s:%u: alloc: '%s': give one spec a word (a job is one allocator)",
					 s->path, line, w);
				return -1;
			}
			na = grow(s->allocs, s->nallocs, sizeof(*na));
			if (!na || !(na[s->nallocs] = xstrdup_or(w, &oom))) {
				if (na)
					s->allocs = na;
				goto oom;
			}
			s->allocs = na;
			s->nallocs++;
		}
	} else if (!strcmp(key, "repeat")) {
		char *end;
		unsigned long r;

		w = strtok_r(NULL, " \t\r", &save);
		errno = 0;
		r = w ? strtoul(w, &end, 10) : 0;
		if (*seen_repeat || !w || *end || errno || r < 1 || r > 1000 || strtok_r(NULL, " \t\r", &save)) {
			snprintf(err, errlen, "%s:%u: repeat: %s", s->path, line,
				 *seen_repeat ? "given twice" : "needs one whole number from 1 to 1000");
			return -1;
		}
		*seen_repeat = true;
		s->repeat = (unsigned)r;
		return 0;
	} else {
		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (!strcmp(key, refused[i].name)) {
				snprintf(err, errlen, "%s:%u: '%s' cannot be swept: %s", s->path, line, key,
					 refused[i].why);
				return -1;
			}
		if (!in_list(value_axes, key) && !in_list(flag_axes, key)) {
			snprintf(err, errlen,
				 "%s:%u: unknown key '%s' (keys: trace, alloc, repeat, and the axes threads, "
				 "pool-limit, accept-threshold, reclaim, reclaim-mode, zswap-model, exclusive-loads, "
				 "partition, sample-ops, speed, timed, deterministic, fatal-verify)",
				 s->path, line, key);
			return -1;
		}
		for (i = 0; i < s->naxes; i++)
			if (!strcmp(s->axes[i].name, key)) {
				snprintf(err, errlen, "%s:%u: '%s' given twice (first on line %u): list every value on one line",
					 s->path, line, key, s->axes[i].line);
				return -1;
			}
		if (s->naxes == ZPB_SWEEP_MAX_AXES) {
			snprintf(err, errlen, "%s:%u: more than %d axes", s->path, line, ZPB_SWEEP_MAX_AXES);
			return -1;
		}
		a = &s->axes[s->naxes++];
		snprintf(a->name, sizeof(a->name), "%s", key);
		snprintf(a->opt, sizeof(a->opt), "--%s", key);
		a->flag = in_list(flag_axes, key);
		a->line = line;
		while ((w = strtok_r(NULL, " \t\r", &save))) {
			char **nv;

			if (check_value(a, w, s->path, line, err, errlen))
				return -1;
			for (i = 0; i < a->nvalues; i++)
				if (!strcmp(a->values[i], w)) {
					snprintf(err, errlen, "%s:%u: %s: value '%s' listed twice", s->path, line, key, w);
					return -1;
				}
			nv = grow(a->values, a->nvalues, sizeof(*nv));
			if (!nv)
				goto oom;
			a->values = nv;
			if (!(nv[a->nvalues] = xstrdup_or(w, &oom)))
				goto oom;
			a->nvalues++;
		}
		nwords = a->nvalues;
	}
	if (!nwords) {
		snprintf(err, errlen, "%s:%u: '%s' needs at least one value", s->path, line, key);
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", s->path);
	return -1;
}

size_t zpb_sweep_job_args(const struct zpb_sweep *s, const struct zpb_sweep_job *j, const char *out,
			  const char **argv, size_t max)
{
	size_t n = 0, i;

#define PUSH(x) do { if (n + 1 < max) argv[n++] = (x); } while (0)
	PUSH("--alloc");
	PUSH(s->allocs[j->alloc]);
	for (i = 0; i < s->naxes; i++) {
		const struct zpb_sweep_axis *a = &s->axes[i];
		const char *v = a->values[j->value[i]];

		if (!a->flag) {
			PUSH(a->opt);
			PUSH(v);
		} else if (!strcmp(v, "on")) {
			PUSH(a->opt);
		}
	}
	PUSH("--repeat");
	PUSH(s->repeat_text);
	PUSH("-q");
	PUSH("-o");
	PUSH(out);
#undef PUSH
	argv[n] = NULL;
	return n;
}

/* Check @j's whole combination as replay will (e.g. deterministic with threads > 1). */
static int check_job(const struct zpb_sweep *s, struct zpb_sweep_job *j, char *err, size_t errlen)
{
	struct zpb_replay_options o;
	char why[400];
	size_t i;
	int rc = 0;

	zpb_replay_options_init(&o);
	rc = zpb_replay_set_option(&o, "alloc", s->allocs[j->alloc], why, sizeof(why));
	for (i = 0; i < s->naxes && !rc; i++) {
		const char *v = s->axes[i].values[j->value[i]];

		if (!s->axes[i].flag)
			rc = zpb_replay_set_option(&o, s->axes[i].name, v, why, sizeof(why));
		else if (!strcmp(v, "on"))
			rc = zpb_replay_set_option(&o, s->axes[i].name, NULL, why, sizeof(why));
	}
	if (!rc)
		rc = zpb_replay_options_finish(&o, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "%s: job %s: %s", s->path, j->name, why);
	j->threads = o.threads > 0 ? (unsigned)o.threads : 1;
	zpb_replay_options_release(&o);
	return rc ? -1 : 0;
}

/* The jobs: traces outermost, then allocators, then the axes in file order, last fastest. */
static int expand(struct zpb_sweep *s, char *err, size_t errlen)
{
	size_t total = s->ntraces * s->nallocs, i, k, idx[ZPB_SWEEP_MAX_AXES] = { 0 };

	for (i = 0; i < s->naxes; i++)
		total *= s->axes[i].nvalues;
	if (total > 1000000) {
		snprintf(err, errlen, "%s: %zu jobs: more than a million", s->path, total);
		return -1;
	}
	s->jobs = calloc(total, sizeof(*s->jobs));
	if (!s->jobs) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	for (s->njobs = 0; s->njobs < total; s->njobs++) {
		struct zpb_sweep_job *j = &s->jobs[s->njobs];
		size_t rest = s->njobs;

		for (i = s->naxes; i-- > 0;) {
			idx[i] = rest % s->axes[i].nvalues;
			rest /= s->axes[i].nvalues;
		}
		j->seq = s->njobs + 1;
		j->alloc = rest % s->nallocs;
		j->trace = rest / s->nallocs;
		memcpy(j->value, idx, sizeof(idx));
		name_part(j->name, sizeof(j->name), s->traces[j->trace].name);
		strcat(j->name, "__");
		name_part(j->name, sizeof(j->name), s->allocs[j->alloc]);
		for (i = 0; i < s->naxes; i++) {
			size_t n = strlen(j->name);

			snprintf(j->name + n, sizeof(j->name) - n, "__%s-", s->axes[i].name);
			name_part(j->name, sizeof(j->name), s->axes[i].values[idx[i]]);
		}
		if (strlen(j->name) > 200) {
			snprintf(err, errlen, "%s: job name '%.60s...' is too long: use shorter trace names or values",
				 s->path, j->name);
			return -1;
		}
		for (k = 0; k < s->njobs; k++)
			if (!strcmp(s->jobs[k].name, j->name)) {
				snprintf(err, errlen, "%s: jobs %zu and %zu would both be named %s: two values differ only "
					 "in characters a file name cannot keep", s->path, k + 1, s->njobs + 1, j->name);
				return -1;
			}
		if (check_job(s, j, err, errlen)) {
			s->njobs++;
			return -1;
		}
	}
	return 0;
}

int zpb_sweep_load(struct zpb_sweep *s, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char line[8192];
	unsigned lineno = 0;
	bool seen_repeat = false;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->repeat = 1;
	s->path = strdup(path);
	if (!s->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
			rc = -1;
			break;
		}
		line[strcspn(line, "#\n")] = 0;
		rc = parse_line(s, line, lineno, &seen_repeat, err, errlen);
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	if (rc)
		return -1;
	if (!s->ntraces || !s->nallocs) {
		snprintf(err, errlen, "%s: needs a 'trace PATH...' line and an 'alloc SPEC...' line", path);
		return -1;
	}
	snprintf(s->repeat_text, sizeof(s->repeat_text), "%u", s->repeat);
	return expand(s, err, errlen);
}

void zpb_sweep_shell_quote(char *buf, size_t len, const char *arg)
{
	size_t n = strlen(buf);
	bool plain = *arg != 0;
	const char *p;

	for (p = arg; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:=+%@", *p))
			plain = false;
	if (plain) {
		snprintf(buf + n, len - n, "%s", arg);
		return;
	}
	if (n + 1 < len)
		buf[n++] = '\'';
	for (p = arg; *p && n + 5 < len; p++) {
		if (*p == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *p;
		}
	}
	if (n + 1 < len)
		buf[n++] = '\'';
	buf[n < len ? n : len - 1] = 0;
}

void zpb_sweep_job_command(const struct zpb_sweep *s, const struct zpb_sweep_job *j, const char *zpoolbench,
			   const char *trace, char *buf, size_t len)
{
	const char *argv[2 * ZPB_SWEEP_MAX_AXES + 16];
	char out[300];
	size_t n, i;

	snprintf(out, sizeof(out), "results/%s.json", j->name);
	n = zpb_sweep_job_args(s, j, out, argv, sizeof(argv) / sizeof(argv[0]));
	buf[0] = 0;
	zpb_sweep_shell_quote(buf, len, zpoolbench);
	strncat(buf, " replay ", len - strlen(buf) - 1);
	zpb_sweep_shell_quote(buf, len, trace);
	for (i = 0; i < n; i++) {
		strncat(buf, " ", len - strlen(buf) - 1);
		zpb_sweep_shell_quote(buf, len, argv[i]);
	}
}
