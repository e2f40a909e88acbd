/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A streaming JSON writer: values go straight to a FILE as they are
 * produced, so a results file of any size needs no tree in memory. The
 * writer keeps the nesting and the commas; errors are sticky and reported
 * once, at zpb_jw_finish().
 *
 * Numbers: integers are written exactly; doubles with enough digits to
 * round-trip, and NaN or infinity (which JSON cannot hold) as null.
 * Strings are escaped per RFC 8259; bytes >= 0x80 pass through (UTF-8).
 * The reader is util/json_reader.h.
 */
#ifndef ZPB_UTIL_JSON_WRITER_H
#define ZPB_UTIL_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ZPB_JW_MAX_DEPTH 64

struct zpb_jw {
	FILE *out;
	int depth;
	bool first[ZPB_JW_MAX_DEPTH];	/* no member written yet at this level */
	bool after_key;			/* a key was written; its value is next */
	bool pretty;
	bool error;			/* misuse (too deep, value without key) */
};

/* Start writing to @out; @pretty indents with two spaces a level. */
void zpb_jw_init(struct zpb_jw *w, FILE *out, bool pretty);
/**
 * zpb_jw_finish - check the document is whole and was written
 * Return: 0, or -1 if it was misused (unbalanced, a value without a key)
 * or the stream had an error.
 */
int zpb_jw_finish(struct zpb_jw *w);

void zpb_jw_object_begin(struct zpb_jw *w);
void zpb_jw_object_end(struct zpb_jw *w);
void zpb_jw_array_begin(struct zpb_jw *w);
void zpb_jw_array_end(struct zpb_jw *w);
/* A member's name; the next value call writes its value. */
void zpb_jw_key(struct zpb_jw *w, const char *key);

void zpb_jw_string(struct zpb_jw *w, const char *s);
void zpb_jw_u64(struct zpb_jw *w, uint64_t v);
void zpb_jw_i64(struct zpb_jw *w, int64_t v);
void zpb_jw_double(struct zpb_jw *w, double v);
void zpb_jw_bool(struct zpb_jw *w, bool v);
void zpb_jw_null(struct zpb_jw *w);

/* key + value in one call, for objects. */
static inline void zpb_jw_kstring(struct zpb_jw *w, const char *k, const char *s) { zpb_jw_key(w, k); zpb_jw_string(w, s); }
static inline void zpb_jw_ku64(struct zpb_jw *w, const char *k, uint64_t v) { zpb_jw_key(w, k); zpb_jw_u64(w, v); }
static inline void zpb_jw_ki64(struct zpb_jw *w, const char *k, int64_t v) { zpb_jw_key(w, k); zpb_jw_i64(w, v); }
static inline void zpb_jw_kdouble(struct zpb_jw *w, const char *k, double v) { zpb_jw_key(w, k); zpb_jw_double(w, v); }
static inline void zpb_jw_kbool(struct zpb_jw *w, const char *k, bool v) { zpb_jw_key(w, k); zpb_jw_bool(w, v); }

#endif
