// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpoolbench merge: replay results files (a sweep's results/, or any) into
 * one "zpoolbench-sweep" file (docs/sweep.md): each results document kept
 * whole under "results[].doc", beside the trace's name, the machine's index
 * and the job's axis values, so the report can group them without
 * re-deriving anything from file names.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../util/atomic_file.h"
#include "../util/json_writer.h"
#include "../util/results_file.h"
#include "sweep.h"

struct input {
	struct zpb_results r;
	char trace[128];
	const char *sha;
	size_t machine;
};

/* Options that differ between jobs without being an axis of the study. */
static const char *const not_axes[] = { "alloc", "cpus", NULL };

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append @dir/results/\*.json (sorted) or @path itself to @list. */
static int collect(const char *path, char ***list, size_t *n, char *err, size_t errlen)
{
	char sub[4200], **l;
	struct dirent *d;
	struct stat st;
	size_t first = *n;
	DIR *dh;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		l = realloc(*list, (*n + 1) * sizeof(*l));
		if (!l || !(l[*n] = strdup(path)))
			goto oom_l;
		*list = l;
		(*n)++;
		return 0;
	}
	snprintf(sub, sizeof(sub), "%s/results", path);
	dh = opendir(sub);
	if (!dh) {
		snprintf(err, errlen, "%s: %s (not a sweep directory)", sub, strerror(errno));
		return -1;
	}
	while ((d = readdir(dh))) {
		size_t len = strlen(d->d_name);

		if (len < 6 || strcmp(d->d_name + len - 5, ".json") || d->d_name[0] == '.')
			continue;
		l = realloc(*list, (*n + 1) * sizeof(*l));
		if (!l) {
			closedir(dh);
			goto oom;
		}
		*list = l;
		l[*n] = malloc(strlen(sub) + len + 2);
		if (!l[*n]) {
			closedir(dh);
			goto oom;
		}
		sprintf(l[*n], "%s/%s", sub, d->d_name);
		(*n)++;
	}
	closedir(dh);
	if (*n == first) {
		snprintf(err, errlen, "%s: no results files (has the sweep run?)", sub);
		return -1;
	}
	qsort(*list + first, *n - first, sizeof(**list), cmp_str);
	return 0;
oom_l:
	if (l)
		*list = l;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* A scalar as text, for comparing option values across files. */
static void scalar_text(const struct zpb_json *v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "(none)");
	else if (v->type == ZPB_JSON_STRING)
		snprintf(buf, len, "%s", v->string);
	else if (v->type == ZPB_JSON_NUMBER)
		snprintf(buf, len, "%.17g", v->number);
	else if (v->type == ZPB_JSON_BOOL)
		snprintf(buf, len, "%s", v->boolean ? "true" : "false");
	else
		snprintf(buf, len, "(%s)", zpb_json_type_name(v->type));
}

static void copy_value(struct zpb_jw *w, const struct zpb_json *v)
{
	size_t i;

	switch (v->type) {
	case ZPB_JSON_NULL: zpb_jw_null(w); break;
	case ZPB_JSON_BOOL: zpb_jw_bool(w, v->boolean); break;
	case ZPB_JSON_NUMBER: zpb_jw_double(w, v->number); break;
	case ZPB_JSON_STRING: zpb_jw_string(w, v->string); break;
	case ZPB_JSON_ARRAY:
		zpb_jw_array_begin(w);
		for (i = 0; i < v->len; i++)
			copy_value(w, v->items[i]);
		zpb_jw_array_end(w);
		break;
	case ZPB_JSON_OBJECT:
		zpb_jw_object_begin(w);
		for (i = 0; i < v->len; i++) {
			zpb_jw_key(w, v->keys[i]);
			copy_value(w, v->items[i]);
		}
		zpb_jw_object_end(w);
		break;
	}
}

/* The trace's name as the sweep names jobs: the file name without its extension. */
static void trace_name(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	char *dot;

	snprintf(buf, len, "%s", b ? b + 1 : path);
	dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = 0;
}

static bool same_machine(const struct zpb_json *a, const struct zpb_json *b)
{
	static const char *const keys[] = { "hostname", "cpu_model", "kernel", NULL };
	size_t i;

	for (i = 0; keys[i]; i++)
		if (strcmp(zpb_json_get_str(a, keys[i], ""), zpb_json_get_str(b, keys[i], "")))
			return false;
	return zpb_json_get_number(a, "numa_nodes", 1) == zpb_json_get_number(b, "numa_nodes", 1);
}

static int write_merged(struct input *in, size_t n, const char **axes, size_t naxes, FILE *f)
{
	const struct zpb_json **machines = calloc(n, sizeof(*machines));
	struct zpb_jw w;
	char created[32], text[128];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, k, nm = 0;
	bool complete = true;

	if (!machines)
		return -1;
	for (i = 0; i < n; i++) {
		const struct zpb_json *m = zpb_json_get(in[i].r.root, "machine");

		for (k = 0; k < nm && !same_machine(machines[k], m); k++)
			;
		if (k == nm)
			machines[nm++] = m;
		in[i].machine = k;
		complete &= in[i].r.complete;
	}
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	zpb_jw_init(&w, f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "format", ZPB_SWEEP_FORMAT);
	zpb_jw_ki64(&w, "format_version", ZPB_SWEEP_FORMAT_VERSION);
	zpb_jw_kstring(&w, "created", created);
	zpb_jw_kbool(&w, "complete", complete);
	zpb_jw_key(&w, "axes");
	zpb_jw_array_begin(&w);
	for (k = 0; k < naxes; k++)
		zpb_jw_string(&w, axes[k]);
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "traces");
	zpb_jw_array_begin(&w);
	for (i = 0; i < n; i++) {
		for (k = 0; k < i && strcmp(in[k].trace, in[i].trace); k++)
			;
		if (k < i)
			continue;
		zpb_jw_object_begin(&w);
		zpb_jw_kstring(&w, "name", in[i].trace);
		zpb_jw_kstring(&w, "sha256", in[i].sha);
		zpb_jw_kdouble(&w, "records",
			       zpb_json_get_number(zpb_json_get(in[i].r.root, "trace"), "records", 0));
		zpb_jw_object_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "machines");
	zpb_jw_array_begin(&w);
	for (k = 0; k < nm; k++)
		copy_value(&w, machines[k]);
	zpb_jw_array_end(&w);
	zpb_jw_key(&w, "results");
	zpb_jw_array_begin(&w);
	for (i = 0; i < n; i++) {
		const struct zpb_json *opts = zpb_json_get(in[i].r.root, "options");

		zpb_jw_object_begin(&w);
		zpb_jw_kstring(&w, "file", in[i].r.path);
		zpb_jw_kstring(&w, "trace", in[i].trace);
		zpb_jw_ku64(&w, "machine", in[i].machine);
		zpb_jw_key(&w, "axes");
		zpb_jw_object_begin(&w);
		for (k = 0; k < naxes; k++) {
			const struct zpb_json *v = zpb_json_get(opts, axes[k]);

			scalar_text(v, text, sizeof(text));
			zpb_jw_kstring(&w, axes[k], text);
		}
		zpb_jw_object_end(&w);
		zpb_jw_key(&w, "doc");
		copy_value(&w, in[i].r.root);
		zpb_jw_object_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	free(machines);
	return zpb_jw_finish(&w);
}

int zpb_sweep_merge(const char *const *inputs, size_t n, const char *out, size_t *nmerged, char *err,
		    size_t errlen)
{
	struct zpb_atomic_file af;
	struct input *in = NULL;
	const char **axes = NULL;
	char **files = NULL, a[128], b[128];
	size_t nfiles = 0, naxes = 0, i, k, j;
	int rc = -1;

	*nmerged = 0;
	for (i = 0; i < n; i++)
		if (collect(inputs[i], &files, &nfiles, err, errlen))
			goto out;
	for (i = 0; i < nfiles; i++)
		if (zpb_output_is_input(out, files[i], err, errlen))
			goto out;
	in = calloc(nfiles, sizeof(*in));
	if (!in)
		goto oom;
	for (i = 0; i < nfiles; i++) {
		const struct zpb_json *t;

		if (zpb_results_load(files[i], &in[i].r, err, errlen))
			goto out;
		if (in[i].r.kind != ZPB_RESULTS_REPLAY) {
			snprintf(err, errlen, "%s: a Google Benchmark file, not replay results: it has no trace to merge by",
				 files[i]);
			goto out;
		}
		t = zpb_json_get(in[i].r.root, "trace");
		trace_name(zpb_json_get_str(t, "path", "unknown"), in[i].trace, sizeof(in[i].trace));
		in[i].sha = zpb_json_get_str(t, "sha256", "");
		for (k = 0; k < i; k++)
			if (!strcmp(in[k].trace, in[i].trace) && strcmp(in[k].sha, in[i].sha)) {
				snprintf(err, errlen, "%s and %s: two different traces named '%s' (sha256 %.12s... and "
					 "%.12s...): merge them separately or rename one", in[k].r.path, in[i].r.path,
					 in[i].trace, in[k].sha, in[i].sha);
				goto out;
			}
	}
	/* The axes: option keys (in the first file's order) whose values differ. */
	for (i = 0; i < nfiles; i++) {
		const struct zpb_json *o = zpb_json_get(in[i].r.root, "options");

		for (k = 0; o && o->type == ZPB_JSON_OBJECT && k < o->len; k++) {
			const char *key = o->keys[k];
			bool differs = false, known = false;

			for (j = 0; not_axes[j]; j++)
				known |= !strcmp(not_axes[j], key);
			for (j = 0; j < naxes; j++)
				known |= !strcmp(axes[j], key);
			if (known)
				continue;
			scalar_text(o->items[k], a, sizeof(a));
			for (j = 0; j < nfiles && !differs; j++) {
				scalar_text(zpb_json_get(zpb_json_get(in[j].r.root, "options"), key), b, sizeof(b));
				differs = strcmp(a, b) != 0;
			}
			if (!differs)
				continue;
			axes = realloc(axes, (naxes + 1) * sizeof(*axes));
			if (!axes)
				goto oom;
			axes[naxes++] = key;
		}
	}
	/* A limit given as a percentage differs in pages between machines: the percentage is the axis. */
	for (i = 0; i < naxes; i++)
		if (!strcmp(axes[i], "pool_limit_percent"))
			for (k = 0; k < naxes; k++)
				if (!strcmp(axes[k], "pool_limit_pages")) {
					memmove(&axes[k], &axes[k + 1], (naxes - k - 1) * sizeof(*axes));
					naxes--;
					break;
				}
	if (zpb_atomic_open(&af, out, err, errlen))
		goto out;
	if (write_merged(in, nfiles, axes, naxes, af.f)) {
		zpb_atomic_abort(&af);
		snprintf(err, errlen, "%s: write error", out);
		goto out;
	}
	if (zpb_atomic_commit(&af, err, errlen))
		goto out;
	*nmerged = nfiles;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	for (i = 0; in && i < nfiles; i++)
		zpb_results_free(&in[i].r);
	free(in);
	free(axes);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return rc;
}
