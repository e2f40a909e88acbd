// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validation of the zsmalloc port against a zram truth file. See
 * validate.h and docs/fidelity.md.
 *
 * Two replays: one with the kernel's own compressed lengths (recorded in
 * the truth file wherever the userspace compressor disagrees), which
 * measures the allocator alone and gives the verdict; and one with the
 * trace's userspace lengths, whose extra deviation is the compressors'
 * difference, reported beside it.
 *
 * The replay is the ordinary replay engine (deterministic mode, one
 * thread, no pool limit, the modern zswap model, which stores incompressible
 * pages whole as zram's huge class does), so what is validated is exactly
 * what `zpoolbench replay` measures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../replay/replay.h"
#include "../traces/trace.h"
#include "../util/atomic_file.h"
#include "../util/json_reader.h"
#include "../util/json_writer.h"
#include "validate.h"

/*
 * The kernel's stored lengths where they differ from the trace's:
 * [record, kernel length] pairs sorted by record, looked up in record order.
 */
struct length_patches {
	const uint64_t (*p)[2];
	size_t n, next;
};

/* The kernel's length for @record, or NULL; @record must not go backwards. */
static const uint64_t *patch_at(struct length_patches *lp, uint64_t record)
{
	while (lp->next < lp->n && lp->p[lp->next][0] < record)
		lp->next++;
	return lp->next < lp->n && lp->p[lp->next][0] == record ? &lp->p[lp->next][1] : NULL;
}

/* The trace as read, with STORE lengths patched to the kernel's. */
struct patched_source {
	struct zpb_trace_reader *r;
	uint64_t pos;
	struct length_patches lp;
	uint64_t applied;
};

static int patched_next(void *ctx, struct zpb_record *rec, char *err, size_t errlen)
{
	struct patched_source *p = ctx;
	int rc = zpb_trace_next(p->r, rec, err, errlen);
	const uint64_t *klen;

	if (rc == 1) {
		klen = patch_at(&p->lp, p->pos);
		if (klen && rec->op == ZPB_OP_STORE) {
			rec->len = (uint32_t)*klen;
			/* The kernel stored it whole: so must the replay. */
			if (*klen >= 4096)
				rec->flags |= ZPB_STORE_INCOMPRESSIBLE;
			else
				rec->flags &= ~ZPB_STORE_INCOMPRESSIBLE;
			p->applied++;
		}
		p->pos++;
	}
	return rc;
}

static int patched_rewind(void *ctx, char *err, size_t errlen)
{
	struct patched_source *p = ctx;

	p->pos = p->lp.next = 0;
	return zpb_trace_rewind(p->r, err, errlen);
}

/*
 * Key -> its huge bits, for scan_trace(): open addressing sized by the
 * distinct keys, not by the largest swap offset (a flat array indexed by
 * offset let one STORE at offset 2^57 ask for exabytes).
 */
struct huge_map {
	uint64_t *keys;		/* key + 1; 0 = empty (keys are below 2^63) */
	uint8_t *val;
	size_t mask, n;
};

/* The value slot of @key, inserted as 0 if new; NULL when out of memory. */
static uint8_t *huge_slot(struct huge_map *h, uint64_t key)
{
	size_t i;

	if (2 * (h->n + 1) > h->mask) {
		struct huge_map g = { .mask = h->mask ? 2 * h->mask + 1 : 1023 };

		g.keys = calloc(g.mask + 1, sizeof(*g.keys));
		g.val = calloc(g.mask + 1, sizeof(*g.val));
		if (!g.keys || !g.val) {
			free(g.keys);
			free(g.val);
			return NULL;
		}
		for (i = 0; h->keys && i <= h->mask; i++)
			if (h->keys[i]) {
				uint8_t *v = huge_slot(&g, h->keys[i] - 1);

				*v = h->val[i];
			}
		free(h->keys);
		free(h->val);
		*h = g;
	}
	for (i = (size_t)((key + 1) * 0x9e3779b97f4a7c15ull >> 32) & h->mask; h->keys[i] && h->keys[i] != key + 1;
	     i = (i + 1) & h->mask)
		;
	if (!h->keys[i]) {
		h->keys[i] = key + 1;
		h->n++;
	}
	return &h->val[i];
}

/*
 * One pass over the trace for what the replay does not report: where the
 * first non-store happens, and how many incompressible objects are live at
 * each mark (zram's huge_pages), with the trace's lengths and with the
 * kernel's (@patch, as in patched_next()).
 */
static int scan_trace(const char *path, struct zpb_validate_result *res, const uint64_t (*patch)[2],
		      size_t npatch, char *err, size_t errlen)
{
	struct length_patches lp = { patch, npatch, 0 };
	uint64_t pos = 0, huge_k = 0;
	struct zpb_trace_reader *r = zpb_trace_open(path, err, errlen);
	struct zpb_record rec;
	/* per key: bit 0 set if incompressible as traced, bit 1 with the kernel's length */
	struct huge_map live = { 0 };
	uint64_t huge = 0;
	size_t m = 0;
	bool stores_only = true;
	int rc;

	if (!r)
		return -1;
	while ((rc = zpb_trace_next(r, &rec, err, errlen)) == 1) {
		uint8_t *slot = NULL;

		if (rec.op == ZPB_OP_STORE || rec.op == ZPB_OP_INVALIDATE) {
			slot = huge_slot(&live, rec.key);
			if (!slot) {
				snprintf(err, errlen, "%s: out of memory scanning", path);
				rc = -1;
				break;
			}
		}
		switch (rec.op) {
		case ZPB_OP_STORE: {
			bool user = rec.flags & ZPB_STORE_INCOMPRESSIBLE, kern = user;
			const uint64_t *klen = patch_at(&lp, pos);

			if (klen)
				kern = *klen >= 4096;
			*slot = (uint8_t)(user | (kern << 1));
			huge += user;
			huge_k += kern;
			break;
		}
		case ZPB_OP_INVALIDATE:
			huge -= *slot & 1;
			huge_k -= *slot >> 1;
			*slot = 0;
			stores_only = false;
			break;
		case ZPB_OP_MARK:
			if (m < res->nmarks) {
				res->marks[m].trace_huge = huge;
				res->marks[m].port_huge = huge_k;
				res->marks[m].stores_only = stores_only;
			}
			m++;
			break;
		default:
			stores_only = false;
			break;
		}
		pos++;
	}
	free(live.keys);
	free(live.val);
	zpb_trace_close(r);
	if (rc < 0)
		return -1;
	if (m != res->nmarks) {
		snprintf(err, errlen, "%s has %zu marks but the truth file has %zu: they are not one capture",
			 path, m, res->nmarks);
		return -1;
	}
	return 0;
}

/*
 * The whole number at @key of @obj (0 .. 2^53, exact in a double), or -1
 * with "TRUTH:LINE:COL: WHERE.KEY ..." in @err: a truth file is evidence,
 * so a missing or mistyped figure is an error, never a silent 0.
 */
static int truth_u64(const struct zpb_json *obj, const char *key, const char *truth, const char *where,
		     uint64_t *out, char *err, size_t errlen)
{
	const struct zpb_json *v = key ? zpb_json_get(obj, key) : obj;

	if (v && v->type == ZPB_JSON_NUMBER && v->number >= 0 && v->number <= 9007199254740992.0 &&
	    v->number == floor(v->number)) {
		*out = (uint64_t)v->number;
		return 0;
	}
	if (!v)
		snprintf(err, errlen, "%s:%u:%u: %s has no \"%s\"", truth, obj ? obj->line : 0, obj ? obj->col : 0,
			 *where ? where : "the truth file", key);
	else if (v->type == ZPB_JSON_NUMBER)
		snprintf(err, errlen, "%s:%u:%u: %s%s%s is %g, not a whole number >= 0", truth, v->line, v->col,
			 where, *where && key ? "." : "", key ? key : "", v->number);
	else
		snprintf(err, errlen, "%s:%u:%u: %s%s%s is a %s, not a whole number >= 0", truth, v->line, v->col,
			 where, *where && key ? "." : "", key ? key : "", zpb_json_type_name(v->type));
	return -1;
}

static int load_truth(const struct zpb_validate_opts *o, struct zpb_validate_result *res,
		      struct zpb_json **rootp, char *err, size_t errlen)
{
	struct zpb_json *root = zpb_json_load(o->truth, NULL, err, errlen);
	const struct zpb_json *marks, *mm;
	size_t i;

	*rootp = root;
	if (!root)
		return -1;
	if (strcmp(zpb_json_get_str(root, "format", ""), "zpoolbench-zram-truth")) {
		snprintf(err, errlen, "%s: not a zram truth file (no \"format\": \"zpoolbench-zram-truth\")", o->truth);
		return -1;
	}
	if (zpb_json_get_number(root, "format_version", 0) != 1) {
		snprintf(err, errlen, "%s: unsupported truth format_version (this zpoolbench reads 1)", o->truth);
		return -1;
	}
	snprintf(res->kernel, sizeof(res->kernel), "%s", zpb_json_get_str(root, "kernel", "unknown"));
	snprintf(res->compressor, sizeof(res->compressor), "%s", zpb_json_get_str(root, "compressor", "unknown"));
	res->chain = o->chain;
	if (!res->chain) {
		uint64_t chain;

		if (truth_u64(root, "zsmalloc_chain_size", o->truth, "", &chain, err, errlen))
			return -1;
		if (chain < 1 || chain > 16) {
			snprintf(err, errlen, "%s: zsmalloc_chain_size %llu is not 1..16; give --chain", o->truth,
				 (unsigned long long)chain);
			return -1;
		}
		res->chain = (unsigned int)chain;
	}
	mm = zpb_json_get(root, "length_mismatches");
	if (!mm || mm->type != ZPB_JSON_OBJECT) {
		snprintf(err, errlen, "%s: no \"length_mismatches\" object", o->truth);
		return -1;
	}
	if (truth_u64(mm, "pages", o->truth, "length_mismatches", &res->length_mismatch_pages, err, errlen) ||
	    truth_u64(mm, "abs_bytes", o->truth, "length_mismatches", &res->length_mismatch_bytes, err, errlen))
		return -1;
	marks = zpb_json_get(root, "marks");
	if (!marks || marks->type != ZPB_JSON_ARRAY || !marks->len) {
		snprintf(err, errlen, "%s: no \"marks\" array", o->truth);
		return -1;
	}
	res->nmarks = marks->len;
	res->marks = calloc(res->nmarks, sizeof(*res->marks));
	if (!res->marks) {
		snprintf(err, errlen, "%s: out of memory", o->truth);
		return -1;
	}
	for (i = 0; i < res->nmarks; i++) {
		const struct zpb_json *m = zpb_json_at(marks, i), *st = zpb_json_get(m, "mm_stat");
		const struct zpb_json *us = zpb_json_get(m, "userspace");
		struct zpb_validate_mark *v = &res->marks[i];
		char where[64], where_st[64], where_us[64];
		uint64_t used;

		if (!st || st->type != ZPB_JSON_OBJECT || !us || us->type != ZPB_JSON_OBJECT) {
			snprintf(err, errlen, "%s: mark %zu has no mm_stat or userspace object", o->truth, i + 1);
			return -1;
		}
		snprintf(where, sizeof(where), "marks[%zu]", i);
		snprintf(where_st, sizeof(where_st), "marks[%zu].mm_stat", i);
		snprintf(where_us, sizeof(where_us), "marks[%zu].userspace", i);
		snprintf(v->label, sizeof(v->label), "%s", zpb_json_get_str(m, "label", "?"));
		if (truth_u64(m, "record", o->truth, where, &v->record, err, errlen) ||
		    truth_u64(st, "mem_used_total", o->truth, where_st, &used, err, errlen) ||
		    truth_u64(st, "compr_data_size", o->truth, where_st, &v->kernel_compr, err, errlen) ||
		    truth_u64(st, "same_pages", o->truth, where_st, &v->kernel_same, err, errlen) ||
		    truth_u64(st, "huge_pages", o->truth, where_st, &v->kernel_huge, err, errlen) ||
		    truth_u64(us, "compr_data_size", o->truth, where_us, &v->userspace_compr, err, errlen))
			return -1;
		v->kernel_pages = used / 4096;
	}
	return 0;
}

/*
 * [record, kernel length] pairs from the truth file's listed mismatches
 * ([record, userspace length, kernel length], by record). 0 with *@pp
 * (NULL if none) and *@n set, or -1 with @err naming the entry.
 */
static int kernel_patches(const struct zpb_json *root, const char *truth, uint64_t (**pp)[2], size_t *n,
			  char *err, size_t errlen)
{
	const struct zpb_json *listed = zpb_json_get(zpb_json_get(root, "length_mismatches"), "listed");
	uint64_t (*p)[2], ulen;
	size_t i;

	*pp = NULL;
	*n = 0;
	if (!listed || listed->type != ZPB_JSON_ARRAY || !listed->len)
		return 0;
	p = calloc(listed->len, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", truth);
		return -1;
	}
	for (i = 0; i < listed->len; i++) {
		const struct zpb_json *e = zpb_json_at(listed, i);
		char where[64];

		snprintf(where, sizeof(where), "length_mismatches.listed[%zu]", i);
		if (e->type != ZPB_JSON_ARRAY || e->len != 3) {
			snprintf(err, errlen, "%s:%u:%u: %s is not [record, userspace length, kernel length]",
				 truth, e->line, e->col, where);
			goto bad;
		}
		if (truth_u64(zpb_json_at(e, 0), NULL, truth, where, &p[i][0], err, errlen) ||
		    truth_u64(zpb_json_at(e, 1), NULL, truth, where, &ulen, err, errlen) ||
		    truth_u64(zpb_json_at(e, 2), NULL, truth, where, &p[i][1], err, errlen))
			goto bad;
		/* patched_next() walks them in step with the trace, so order matters. */
		if ((i && p[i][0] <= p[i - 1][0]) || p[i][1] < 1 || p[i][1] > 4096) {
			snprintf(err, errlen, "%s:%u:%u: %s: records must increase and a kernel length be 1..4096",
				 truth, e->line, e->col, where);
			goto bad;
		}
	}
	*pp = p;
	*n = listed->len;
	return 0;
bad:
	free(p);
	return -1;
}

/* Replay the trace once; @patch non-NULL replays the kernel's lengths. */
static struct zpb_run_result *replay_once(const struct zpb_validate_opts *o,
					  const struct zpb_replay_options *ro,
					  const uint64_t (*patch)[2], size_t npatch,
					  uint64_t *applied, char *err, size_t errlen)
{
	struct zpb_trace_reader *r = zpb_trace_open(o->trace, err, errlen);
	struct zpb_replay_source src;
	struct patched_source ps;
	struct zpb_run_result *run;

	if (!r)
		return NULL;
	memset(&ps, 0, sizeof(ps));
	ps.r = r;
	ps.lp.p = patch;
	ps.lp.n = npatch;
	memset(&src, 0, sizeof(src));
	src.next = patched_next;
	src.rewind = patched_rewind;
	src.ctx = &ps;
	src.records = zpb_trace_header(r)->record_count;
	src.page_size = zpb_trace_header(r)->page_size;
	src.name = o->trace;
	run = zpb_replay_run(ro, &src, &ro->specs[0], 0, NULL, err, errlen);
	if (applied)
		*applied = ps.applied;
	zpb_trace_close(r);
	if (run && !run->complete) {
		snprintf(err, errlen, "replay of %s stopped early", o->trace);
		zpb_run_result_free(run);
		return NULL;
	}
	return run;
}

static double deviation(uint64_t port, uint64_t kernel)
{
	if (!kernel)
		return port ? 1.0 : 0.0;
	return ((double)port - (double)kernel) / (double)kernel;
}

int zpb_validate(const struct zpb_validate_opts *o, struct zpb_validate_result *res,
		 char *err, size_t errlen)
{
	struct zpb_replay_options ro;
	struct zpb_run_result *run = NULL, *run_user = NULL;
	struct zpb_json *root = NULL;
	uint64_t (*patch)[2] = NULL;
	size_t npatch = 0, i;
	char spec[64], num[32];
	int rc = -1;

	memset(res, 0, sizeof(*res));
	snprintf(res->trace, sizeof(res->trace), "%s", o->trace);
	snprintf(res->truth, sizeof(res->truth), "%s", o->truth);
	res->tolerance = o->tolerance;
	res->store_tolerance = o->store_tolerance;
	res->userspace_verdict = o->userspace_verdict;
	if (load_truth(o, res, &root, err, errlen))
		goto out;
	if (kernel_patches(root, o->truth, &patch, &npatch, err, errlen))
		goto out;
	if (npatch != res->length_mismatch_pages) {
		snprintf(err, errlen, "%s lists %zu of its %llu length mismatches; it cannot be replayed "
			 "with the kernel's lengths", o->truth, npatch,
			 (unsigned long long)res->length_mismatch_pages);
		goto out;
	}
	if (scan_trace(o->trace, res, (const uint64_t (*)[2])patch, npatch, err, errlen))
		goto out;
	res->userspace_lengths = zpb_json_bool(zpb_json_get(root, "userspace_lengths"), true);

	snprintf(spec, sizeof(spec), "zsmalloc:chain=%u", res->chain);
	zpb_replay_options_init(&ro);
	snprintf(num, sizeof(num), "%llu", 1ULL << 40);	/* no periodic samples: marks only */
	if (zpb_replay_set_option(&ro, "alloc", spec, err, errlen) ||
	    zpb_replay_set_option(&ro, "deterministic", NULL, err, errlen) ||
	    zpb_replay_set_option(&ro, "zswap-model", "modern", err, errlen) ||
	    /*
	     * zram stores a huge page whole, as 6.18 zswap does only with writeback
	     * enabled (with --reclaim none it rejects): no limit, so reclaim never runs.
	     */
	    zpb_replay_set_option(&ro, "pool-limit", "none", err, errlen) ||
	    zpb_replay_set_option(&ro, "sample-ops", num, err, errlen) ||
	    zpb_replay_options_finish(&ro, err, errlen))
		goto out;
	snprintf(res->allocator, sizeof(res->allocator), "%s", ro.specs[0].text);

	run = replay_once(o, &ro, (const uint64_t (*)[2])patch, npatch, &res->patched, err, errlen);
	if (!run)
		goto out;
	if (npatch) {
		run_user = replay_once(o, &ro, NULL, 0, NULL, err, errlen);
		if (!run_user)
			goto out;
	}
	if (run->nmarks != res->nmarks || (run_user && run_user->nmarks != res->nmarks)) {
		snprintf(err, errlen, "replay of %s reached %zu marks, the truth file has %zu",
			 o->trace, run->nmarks, res->nmarks);
		goto out;
	}
	for (i = 0; i < res->nmarks; i++) {
		struct zpb_validate_mark *v = &res->marks[i];
		const struct zpb_mark *m = &run->marks[i];
		const struct zpb_mark *mu = run_user ? &run_user->marks[i] : m;
		double tol = v->stores_only ? o->store_tolerance : o->tolerance, verdict;

		if (strcmp(v->label, m->label)) {
			snprintf(err, errlen, "mark %zu is '%s' in %s but '%s' in %s: they are not one capture",
				 i + 1, m->label, o->trace, v->label, o->truth);
			goto out;
		}
		v->port_pages = m->s.pool_pages;
		v->port_pages_user = mu->s.pool_pages;
		v->port_stored_bytes = mu->s.stored_bytes;
		v->port_same = m->s.same_filled;
		v->deviation = deviation(v->port_pages, v->kernel_pages);
		v->deviation_user = deviation(v->port_pages_user, v->kernel_pages);
		verdict = fabs(o->userspace_verdict ? v->deviation_user : v->deviation);
		v->ok = verdict <= tol + 1e-12;
		if (!v->ok)
			res->failed++;
		if (verdict > res->worst)
			res->worst = verdict;
		if (fabs(v->deviation_user) > res->worst_user)
			res->worst_user = fabs(v->deviation_user);
	}
	rc = 0;
out:
	if (run)
		zpb_run_result_free(run);
	if (run_user)
		zpb_run_result_free(run_user);
	free(patch);
	zpb_json_free(root);
	if (rc)
		zpb_validate_free(res);
	return rc;
}

void zpb_validate_free(struct zpb_validate_result *res)
{
	free(res->marks);
	res->marks = NULL;
	res->nmarks = 0;
}

int zpb_validate_write_json(const struct zpb_validate_result *res, const char *path,
			    char *err, size_t errlen)
{
	struct zpb_atomic_file af;
	struct zpb_jw w;
	size_t i;

	if (zpb_output_is_input(path, res->trace, err, errlen) || zpb_output_is_input(path, res->truth, err, errlen) ||
	    zpb_atomic_open(&af, path, err, errlen))
		return -1;
	zpb_jw_init(&w, af.f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "format", "zpoolbench-validation");
	zpb_jw_ku64(&w, "format_version", 1);
	zpb_jw_kstring(&w, "trace", res->trace);
	zpb_jw_kstring(&w, "truth", res->truth);
	zpb_jw_kstring(&w, "kernel", res->kernel);
	zpb_jw_kstring(&w, "compressor", res->compressor);
	zpb_jw_kstring(&w, "allocator", res->allocator);
	zpb_jw_kbool(&w, "userspace_lengths", res->userspace_lengths);
	zpb_jw_kstring(&w, "verdict_on", res->userspace_verdict ? "userspace lengths" : "kernel lengths");
	zpb_jw_kdouble(&w, "tolerance", res->tolerance);
	zpb_jw_kdouble(&w, "store_tolerance", res->store_tolerance);
	zpb_jw_ku64(&w, "length_mismatch_pages", res->length_mismatch_pages);
	zpb_jw_ku64(&w, "length_mismatch_bytes", res->length_mismatch_bytes);
	zpb_jw_kdouble(&w, "worst_deviation", res->worst);
	zpb_jw_kdouble(&w, "worst_deviation_userspace_lengths", res->worst_user);
	zpb_jw_ku64(&w, "failed_marks", res->failed);
	zpb_jw_kbool(&w, "pass", res->failed == 0);
	zpb_jw_key(&w, "marks");
	zpb_jw_array_begin(&w);
	for (i = 0; i < res->nmarks; i++) {
		const struct zpb_validate_mark *v = &res->marks[i];

		zpb_jw_object_begin(&w);
		zpb_jw_kstring(&w, "label", v->label);
		zpb_jw_ku64(&w, "record", v->record);
		zpb_jw_kbool(&w, "stores_only", v->stores_only);
		zpb_jw_ku64(&w, "kernel_pages", v->kernel_pages);
		zpb_jw_ku64(&w, "port_pages", v->port_pages);
		zpb_jw_kdouble(&w, "deviation", v->deviation);
		zpb_jw_ku64(&w, "port_pages_userspace_lengths", v->port_pages_user);
		zpb_jw_kdouble(&w, "deviation_userspace_lengths", v->deviation_user);
		zpb_jw_kbool(&w, "ok", v->ok);
		zpb_jw_ku64(&w, "kernel_compr_data_size", v->kernel_compr);
		zpb_jw_ku64(&w, "userspace_compr_data_size", v->userspace_compr);
		zpb_jw_ku64(&w, "port_stored_bytes", v->port_stored_bytes);
		zpb_jw_ku64(&w, "kernel_same_pages", v->kernel_same);
		zpb_jw_ku64(&w, "port_same_pages", v->port_same);
		zpb_jw_ku64(&w, "kernel_huge_pages", v->kernel_huge);
		zpb_jw_ku64(&w, "port_huge_pages", v->port_huge);
		zpb_jw_ku64(&w, "trace_huge_pages", v->trace_huge);
		zpb_jw_object_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	if (zpb_jw_finish(&w)) {
		zpb_atomic_abort(&af);
		snprintf(err, errlen, "%s: write error", path);
		return -1;
	}
	return zpb_atomic_commit(&af, err, errlen);
}
