// SPDX-License-Identifier: GPL-2.0-only
/* The streaming JSON writer. See json_writer.h. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "json_writer.h"

void zpb_jw_init(struct zpb_jw *w, FILE *out, bool pretty)
{
	w->out = out;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
	w->pretty = pretty;
	w->error = false;
}

static void newline(struct zpb_jw *w)
{
	int i;

	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Before any value or key: the comma and the indentation it needs. */
static void separate(struct zpb_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputc(',', w->out);
	w->first[w->depth] = false;
	if (w->depth > 0)
		newline(w);
}

static void push(struct zpb_jw *w, char c)
{
	separate(w);
	fputc(c, w->out);
	if (w->depth + 1 >= ZPB_JW_MAX_DEPTH) {
		w->error = true;
		return;
	}
	w->first[++w->depth] = true;
}

static void pop(struct zpb_jw *w, char c)
{
	bool empty;

	if (w->depth == 0 || w->after_key) {
		w->error = true;
		return;
	}
	empty = w->first[w->depth];
	w->depth--;
	if (!empty)
		newline(w);
	fputc(c, w->out);
}

void zpb_jw_object_begin(struct zpb_jw *w) { push(w, '{'); }
void zpb_jw_object_end(struct zpb_jw *w) { pop(w, '}'); }
void zpb_jw_array_begin(struct zpb_jw *w) { push(w, '['); }
void zpb_jw_array_end(struct zpb_jw *w) { pop(w, ']'); }

/* Length of the valid UTF-8 sequence at @p (1..4), or 0 if it is not one. */
static int utf8_len(const unsigned char *p)
{
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong 3- and 4-byte forms, surrogates, and beyond U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* Strings may come from traces (labels, sources): invalid UTF-8 becomes U+FFFD. */
static void write_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	while (*p) {
		int n;

		switch (*p) {
		case '"': fputs("\\\"", out); p++; continue;
		case '\\': fputs("\\\\", out); p++; continue;
		case '\n': fputs("\\n", out); p++; continue;
		case '\r': fputs("\\r", out); p++; continue;
		case '\t': fputs("\\t", out); p++; continue;
		case '\b': fputs("\\b", out); p++; continue;
		case '\f': fputs("\\f", out); p++; continue;
		}
		if (*p < 0x20) {
			fprintf(out, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		fwrite(p, 1, (size_t)n, out);
		p += n;
	}
	fputc('"', out);
}

void zpb_jw_key(struct zpb_jw *w, const char *key)
{
	if (w->after_key)
		w->error = true;
	separate(w);
	write_string(w->out, key);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void zpb_jw_string(struct zpb_jw *w, const char *s)
{
	separate(w);
	write_string(w->out, s ? s : "");
}

void zpb_jw_u64(struct zpb_jw *w, uint64_t v)
{
	separate(w);
	fprintf(w->out, "%" PRIu64, v);
}

void zpb_jw_i64(struct zpb_jw *w, int64_t v)
{
	separate(w);
	fprintf(w->out, "%" PRId64, v);
}

/* The shortest of %.15g..%.17g that reads back as @v. */
static const char *shortest(char *buf, size_t len, double v)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, len, "%.17g", v);
	return buf;
}

void zpb_jw_double(struct zpb_jw *w, double v)
{
	char buf[40];

	separate(w);
	if (!isfinite(v)) {
		fputs("null", w->out);
		return;
	}
	/* Integral values print as integers; others with the fewest digits that round-trip. */
	if (v == (double)(int64_t)v && fabs(v) < 1e15)
		fprintf(w->out, "%" PRId64, (int64_t)v);
	else
		fputs(shortest(buf, sizeof(buf), v), w->out);
}

void zpb_jw_bool(struct zpb_jw *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->out);
}

void zpb_jw_null(struct zpb_jw *w)
{
	separate(w);
	fputs("null", w->out);
}

int zpb_jw_finish(struct zpb_jw *w)
{
	if (w->depth != 0 || w->after_key)
		w->error = true;
	if (w->pretty)
		fputc('\n', w->out);
	if (fflush(w->out) != 0 || ferror(w->out))
		return -1;
	return w->error ? -1 : 0;
}
