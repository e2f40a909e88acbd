// SPDX-License-Identifier: GPL-2.0-only
/* The report's kernel fidelity section. See fidelity.h and docs/fidelity.md. */
#include <stdlib.h>
#include <string.h>

#include "fidelity.h"
#include "html.h"

/*
 * @obj's members that the tables show must be there with their type: a
 * missing figure would otherwise be drawn as 0, and a missing "ok" as a
 * deviation. @keys alternate name and type. 0, or -1 naming file:line:col,
 * @where and the key in @err.
 */
static int need(const struct zpb_json *obj, const char *path, const char *where, const char *const *keys,
		char *err, size_t errlen)
{
	for (; *keys; keys += 2) {
		const struct zpb_json *v = zpb_json_get(obj, keys[0]);
		enum zpb_json_type t = !strcmp(keys[1], "number") ? ZPB_JSON_NUMBER :
				       !strcmp(keys[1], "string") ? ZPB_JSON_STRING : ZPB_JSON_BOOL;

		if (!v || v->type != t) {
			snprintf(err, errlen, "%s:%u:%u: %s%s%s must be a %s, found %s", path,
				 v ? v->line : obj->line, v ? v->col : obj->col, *where ? where : "\"", keys[0],
				 *where ? "" : "\"", zpb_json_type_name(t),
				 v ? zpb_json_type_name(v->type) : "no such key");
			return -1;
		}
	}
	return 0;
}

int zpb_fidelity_load(struct zpb_fidelity_set *set, const char *const *paths, size_t n,
		      char *err, size_t errlen)
{
	/* What caption() and get_row() show; the rest of a validation file is not drawn. */
	static const char *const doc_keys[] = {
		"tolerance", "number", "store_tolerance", "number", "worst_deviation", "number",
		"worst_deviation_userspace_lengths", "number", "pass", "boolean", NULL,
	};
	static const char *const mark_keys[] = {
		"label", "string", "stores_only", "boolean", "kernel_pages", "number", "port_pages", "number",
		"deviation", "number", "port_pages_userspace_lengths", "number",
		"deviation_userspace_lengths", "number", "ok", "boolean", NULL,
	};
	size_t i, j;

	memset(set, 0, sizeof(*set));
	if (!n)
		return 0;
	set->docs = calloc(n, sizeof(*set->docs));
	set->paths = calloc(n, sizeof(*set->paths));
	if (!set->docs || !set->paths) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct zpb_json *doc = zpb_json_load(paths[i], NULL, err, errlen);
		const struct zpb_json *marks;

		if (!doc)
			return -1;
		set->docs[set->n] = doc;
		set->paths[set->n++] = strdup(paths[i]);
		if (strcmp(zpb_json_get_str(doc, "format", ""), "zpoolbench-validation")) {
			snprintf(err, errlen, "%s: not a validation file (write one with zpoolbench validate -o FILE)",
				 paths[i]);
			return -1;
		}
		if (zpb_json_get_number(doc, "format_version", 0) != 1) {
			snprintf(err, errlen, "%s: unsupported validation format_version (this zpoolbench reads 1)",
				 paths[i]);
			return -1;
		}
		marks = zpb_json_get(doc, "marks");
		if (!marks || marks->type != ZPB_JSON_ARRAY) {
			snprintf(err, errlen, "%s: \"marks\" is missing or not an array", paths[i]);
			return -1;
		}
		if (need(doc, paths[i], "", doc_keys, err, errlen))
			return -1;
		for (j = 0; j < marks->len; j++) {
			char where[48];

			snprintf(where, sizeof(where), "marks[%zu].", j);
			if (marks->items[j]->type != ZPB_JSON_OBJECT) {
				snprintf(err, errlen, "%s:%u:%u: marks[%zu] is not an object", paths[i],
					 marks->items[j]->line, marks->items[j]->col, j);
				return -1;
			}
			if (need(marks->items[j], paths[i], where, mark_keys, err, errlen))
				return -1;
		}
	}
	return 0;
}

void zpb_fidelity_free(struct zpb_fidelity_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		zpb_json_free(set->docs[i]);
		free(set->paths[i]);
	}
	free(set->docs);
	free(set->paths);
	memset(set, 0, sizeof(*set));
}

/* One document's caption: what was validated, against what. */
static void caption(const struct zpb_json *d, char *buf, size_t len)
{
	const char *trace = zpb_json_get_str(d, "trace", "?"), *slash = strrchr(trace, '/');

	snprintf(buf, len, "%s: %s against Linux %s (%s), verdict on %s; worst deviation %.3f%% "
		 "(%.3f%% with userspace compressed lengths), %s",
		 slash ? slash + 1 : trace, zpb_json_get_str(d, "allocator", "?"),
		 zpb_json_get_str(d, "kernel", "?"), zpb_json_get_str(d, "compressor", "?"),
		 zpb_json_get_str(d, "verdict_on", "kernel lengths"),
		 100 * zpb_json_get_number(d, "worst_deviation", 0),
		 100 * zpb_json_get_number(d, "worst_deviation_userspace_lengths", 0),
		 zpb_json_bool(zpb_json_get(d, "pass"), false) ? "every mark within tolerance" :
								 "SOME MARKS DEVIATE");
}

struct row {
	const char *label;
	double kernel, port, dev, port_user, dev_user, limit;
	bool ok;
};

static void get_row(const struct zpb_json *d, const struct zpb_json *m, struct row *r)
{
	bool stores = zpb_json_bool(zpb_json_get(m, "stores_only"), false);

	r->label = zpb_json_get_str(m, "label", "?");
	r->kernel = zpb_json_get_number(m, "kernel_pages", 0);
	r->port = zpb_json_get_number(m, "port_pages", 0);
	r->dev = 100 * zpb_json_get_number(m, "deviation", 0);
	r->port_user = zpb_json_get_number(m, "port_pages_userspace_lengths", 0);
	r->dev_user = 100 * zpb_json_get_number(m, "deviation_userspace_lengths", 0);
	r->limit = 100 * zpb_json_get_number(d, stores ? "store_tolerance" : "tolerance", 0);
	r->ok = zpb_json_bool(zpb_json_get(m, "ok"), false);
}

void zpb_fidelity_html(FILE *f, const struct zpb_fidelity_set *set)
{
	size_t i, k;

	if (!set->n)
		return;
	fputs("<h2 id=\"fidelity\">Kernel fidelity</h2>\n<p>The zsmalloc port against the running kernel's "
	      "own zsmalloc, through zram captures (<code>zpoolbench capture zram</code>, then "
	      "<code>zpoolbench validate</code>; see docs/fidelity.md). Pages are the pool's pages at each "
	      "mark.</p>\n", f);
	for (i = 0; i < set->n; i++) {
		const struct zpb_json *d = set->docs[i], *marks = zpb_json_get(d, "marks");
		char cap[768];

		caption(d, cap, sizeof(cap));
		fputs("<table class=\"fidelity\">\n<caption>", f);
		zpb_html_escape(f, cap);
		fputs("</caption>\n<tr><th>mark</th><th>kernel pages</th><th>port pages</th><th>deviation</th>"
		      "<th>limit</th><th>port pages, userspace lengths</th><th>deviation</th><th></th></tr>\n", f);
		for (k = 0; k < marks->len; k++) {
			struct row r;

			get_row(d, marks->items[k], &r);
			fputs("<tr><td>", f);
			zpb_html_escape(f, r.label);
			fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>%+.3f%%</td><td>%.1f%%</td><td>%.0f</td>"
				"<td>%+.3f%%</td><td class=\"%s\">%s</td></tr>\n", r.kernel, r.port, r.dev, r.limit,
				r.port_user, r.dev_user, r.ok ? "better" : "worse", r.ok ? "ok" : "deviates");
		}
		fputs("</table>\n", f);
	}
}

void zpb_fidelity_markdown(FILE *f, const struct zpb_fidelity_set *set)
{
	size_t i, k;

	if (!set->n)
		return;
	fputs("\n## Kernel fidelity\n\nThe zsmalloc port against the running kernel's own zsmalloc, through "
	      "zram captures (see docs/fidelity.md).\n", f);
	for (i = 0; i < set->n; i++) {
		const struct zpb_json *d = set->docs[i], *marks = zpb_json_get(d, "marks");
		char cap[768];

		caption(d, cap, sizeof(cap));
		fprintf(f, "\n%s.\n\n| mark | kernel pages | port pages | deviation | limit | port pages, userspace "
			"lengths | deviation | |\n|---|---:|---:|---:|---:|---:|---:|---|\n", cap);
		for (k = 0; k < marks->len; k++) {
			struct row r;

			get_row(d, marks->items[k], &r);
			fprintf(f, "| %s | %.0f | %.0f | %+.3f%% | %.1f%% | %.0f | %+.3f%% | %s |\n", r.label, r.kernel,
				r.port, r.dev, r.limit, r.port_user, r.dev_user, r.ok ? "ok" : "**deviates**");
		}
	}
}
