// SPDX-License-Identifier: GPL-2.0-only
/* Op scripts for capture zram. See opscript.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opscript.h"

static struct zpb_step *push(struct zpb_opscript *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct zpb_step *n = realloc(s->steps, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->steps = n;
		s->cap = cap;
	}
	memset(&s->steps[s->n], 0, sizeof(s->steps[0]));
	s->steps[s->n].every = 1;
	return &s->steps[s->n++];
}

static int parse_u64(const char *tok, uint64_t *v)
{
	char *end;

	if (!tok || !*tok || *tok == '-')
		return -1;
	errno = 0;
	*v = strtoull(tok, &end, 0);
	return *end || errno ? -1 : 0;
}

static int parse_line(struct zpb_opscript *s, char *line, const char *path, int lineno,
		      char *err, size_t errlen)
{
	char *save = NULL, *op = strtok_r(line, " \t\r\n", &save), *a, *b, *c, *d;
	struct zpb_step *st;

	if (!op || *op == '#')
		return 0;
	a = strtok_r(NULL, " \t\r\n", &save);
	b = strtok_r(NULL, " \t\r\n", &save);
	c = strtok_r(NULL, " \t\r\n", &save);
	d = strtok_r(NULL, " \t\r\n", &save);
	st = push(s);
	if (!st) {
		snprintf(err, errlen, "%s:%d: out of memory", path, lineno);
		return -1;
	}
	if (!strcmp(op, "write") || !strcmp(op, "overwrite")) {
		st->kind = ZPB_STEP_WRITE;
		if (parse_u64(a, &st->first) || parse_u64(b, &st->count) || !st->count)
			goto usage;
		st->from = st->first;
		if (c && (strcmp(c, "from") || parse_u64(d, &st->from)))
			goto usage;
	} else if (!strcmp(op, "discard")) {
		st->kind = ZPB_STEP_DISCARD;
		if (parse_u64(a, &st->first) || parse_u64(b, &st->count) || !st->count)
			goto usage;
		if (c && (strcmp(c, "every") || parse_u64(d, &st->every) || !st->every))
			goto usage;
	} else if (!strcmp(op, "compact")) {
		st->kind = ZPB_STEP_COMPACT;
		if (a)
			goto usage;
	} else if (!strcmp(op, "mark")) {
		st->kind = ZPB_STEP_MARK;
		if (!a || b || strlen(a) >= sizeof(st->label))
			goto usage;
		strcpy(st->label, a);
	} else {
		snprintf(err, errlen, "%s:%d: unknown step '%s' (write, discard, compact, mark)", path, lineno, op);
		return -1;
	}
	return 0;
usage:
	snprintf(err, errlen, "%s:%d: bad '%s' step (write FIRST COUNT [from PAGE] | "
		 "discard FIRST COUNT [every N] | compact | mark LABEL)", path, lineno, op);
	return -1;
}

int zpb_opscript_load(struct zpb_opscript *s, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (parse_line(s, line, path, lineno, err, errlen)) {
			fclose(f);
			zpb_opscript_free(s);
			return -1;
		}
	}
	fclose(f);
	if (!s->n) {
		snprintf(err, errlen, "%s: the script has no steps", path);
		return -1;
	}
	return 0;
}

static int add(struct zpb_opscript *s, enum zpb_step_kind kind, uint64_t first, uint64_t count,
	       uint64_t from, uint64_t every, const char *label)
{
	struct zpb_step *st = push(s);

	if (!st)
		return -1;
	st->kind = kind;
	st->first = first;
	st->count = count;
	st->from = from;
	st->every = every;
	if (label)
		snprintf(st->label, sizeof(st->label), "%s", label);
	return 0;
}

int zpb_opscript_pattern(struct zpb_opscript *s, const char *pattern, uint64_t pages,
			 uint64_t image_pages, char *err, size_t errlen)
{
	char buf[512], *save = NULL, *tok;
	unsigned char *empty;
	uint64_t i, k;
	int rc = -1, step = 0;

	memset(s, 0, sizeof(*s));
	if (!pages || !image_pages || strlen(pattern) >= sizeof(buf)) {
		snprintf(err, errlen, "capture zram: bad pattern '%s' (or an empty image)", pattern);
		return -1;
	}
	empty = calloc(pages, 1);
	if (!empty)
		return -1;
	memset(empty, 1, pages);
	strcpy(buf, pattern);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char label[64];

		step++;
		snprintf(label, sizeof(label), "%d-%s", step, tok);
		/* Marks are labels: keep them to one word. */
		for (char *p = label; *p; p++)
			if (*p == '=')
				*p = '_';
		if (!strcmp(tok, "fill")) {
			if (add(s, ZPB_STEP_WRITE, 0, pages, 0, 1, NULL))
				goto out;
			memset(empty, 0, pages);
		} else if (sscanf(tok, "invalidate-every=%" SCNu64, &k) == 1 && k) {
			if (add(s, ZPB_STEP_DISCARD, 0, (pages + k - 1) / k, 0, k, NULL))
				goto out;
			for (i = 0; i < pages; i += k)
				empty[i] = 1;
		} else if (sscanf(tok, "overwrite-every=%" SCNu64, &k) == 1 && k) {
			/* Overwrite stored pages only, with image pages half an image away. */
			for (i = 1 % pages; i < pages; i += k)
				if (!empty[i] && add(s, ZPB_STEP_WRITE, i, 1, (i + image_pages / 2) % image_pages, 1, NULL))
					goto out;
		} else if (!strcmp(tok, "refill")) {
			for (i = 0; i < pages; i++) {
				if (empty[i]) {
					if (add(s, ZPB_STEP_WRITE, i, 1, (i + image_pages / 3) % image_pages, 1, NULL))
						goto out;
					empty[i] = 0;
				}
			}
		} else if (!strcmp(tok, "compact")) {
			if (add(s, ZPB_STEP_COMPACT, 0, 0, 0, 1, NULL))
				goto out;
		} else {
			snprintf(err, errlen, "capture zram: unknown pattern step '%s' in '%s' "
				 "(fill, invalidate-every=K, overwrite-every=K, refill, compact)", tok, pattern);
			goto out;
		}
		if (add(s, ZPB_STEP_MARK, 0, 0, 0, 1, label))
			goto out;
	}
	rc = 0;
out:
	free(empty);
	if (rc)
		zpb_opscript_free(s);
	return rc;
}

uint64_t zpb_opscript_pages(const struct zpb_opscript *s)
{
	uint64_t end = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct zpb_step *st = &s->steps[i];
		uint64_t last;

		if (st->kind == ZPB_STEP_WRITE)
			last = st->first + st->count;
		else if (st->kind == ZPB_STEP_DISCARD)
			last = st->first + (st->count - 1) * st->every + 1;
		else
			continue;
		if (last > end)
			end = last;
	}
	return end;
}

void zpb_opscript_free(struct zpb_opscript *s)
{
	free(s->steps);
	memset(s, 0, sizeof(*s));
}
