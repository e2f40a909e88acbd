// SPDX-License-Identifier: GPL-2.0-only
/*
 * capture zram: run an op script against a kernel zram device and record
 * what its zsmalloc did. See capture_zram.h and docs/fidelity.md.
 *
 * Order of allocations. zram's write path (drivers/block/zram/zram_drv.c,
 * v6.1 through v6.18: __zram_bvec_write(), later zram_write_page() and
 * write_incompressible_page()) compresses and zs_malloc()s the new object
 * first, and only then takes the slot lock and zram_free_page()s the old
 * one. An overwrite is therefore a STORE followed by an INVALIDATE. The
 * trace names the two objects as two swap slots that differ in the swap
 * type bit (version parity), so the replay allocates the new one before
 * freeing the old, exactly as the kernel does, and `trace validate` sees no
 * double store.
 *
 * Compressed lengths. The trace carries the userspace compressor's lengths.
 * The kernel's own lengths are read back from mm_stat after every write
 * (compr_data_size moves by exactly the difference), so the truth file can
 * name every page where the two compressors disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../traces/capture/compress.h"
#include "../util/atomic_file.h"
#include "../util/json_writer.h"
#include "capture_zram.h"
#include "opscript.h"
#include "zram_device.h"

#define PAGE 4096u

enum slot_state { SLOT_EMPTY, SLOT_SAME, SLOT_STORED, SLOT_HUGE };

struct slot {
	uint32_t ver;		/* writes so far: the parity names the live object */
	uint8_t state;		/* as the trace has it (userspace decision) */
	uint8_t kstate;		/* as the kernel has it */
	uint32_t ulen, klen;	/* compressed length: userspace, kernel */
};

struct mark_truth {
	char label[64];
	uint64_t record;
	struct zpb_mm_stat st;
	uint64_t u_compr, u_same, u_huge, u_stored;
};

struct mismatch {
	uint64_t record;
	uint32_t ulen, klen;
};

struct capture {
	const struct zpb_capture_zram_opts *o;
	unsigned char *image;
	uint64_t image_pages;
	struct slot *slots;
	struct zpb_trace_writer *w;
	uint64_t records;
	struct timespec t0;
	struct zpb_mm_stat prev;
	struct zpb_zram dev;
	struct mark_truth *marks;
	size_t nmarks, capmarks;
	struct mismatch *mm;
	size_t nmm, capmm;
	uint64_t mismatch_pages, mismatch_bytes, huge_disagree, same_disagree;
	uint64_t u_compr, u_same, u_huge, u_stored;
	uint64_t compacted_outside;	/* pages_compacted moved without a compact step */
};

static uint64_t now_ns(const struct capture *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - c->t0.tv_sec) * 1000000000u + t.tv_nsec - c->t0.tv_nsec;
}

static int emit(struct capture *c, enum zpb_op op, uint64_t key, uint32_t len, uint8_t flags,
		const char *label, char *err, size_t errlen)
{
	struct zpb_record r;
	int cpu = sched_getcpu();

	memset(&r, 0, sizeof(r));
	r.time_ns = now_ns(c);
	r.cpu = cpu < 0 ? 0 : cpu;
	r.op = op;
	r.key = key;
	r.len = len;
	r.flags = flags;
	if (label)
		snprintf(r.label, sizeof(r.label), "%s", label);
	if (zpb_trace_write(c->w, &r, err, errlen))
		return -1;
	c->records++;
	return 0;
}

static int load_images(struct capture *c, char *err, size_t errlen)
{
	const struct zpb_capture_zram_opts *o = c->o;
	size_t used = 0, cap = 0;
	int i;

	for (i = 0; i < o->nimages; i++) {
		FILE *f = fopen(o->images[i], "rb");
		size_t n;

		if (!f) {
			snprintf(err, errlen, "%s: %s", o->images[i], strerror(errno));
			return -1;
		}
		for (;;) {
			if (cap - used < PAGE) {
				unsigned char *p;

				cap = cap ? cap * 2 : (1u << 20);
				p = realloc(c->image, cap);
				if (!p) {
					fclose(f);
					snprintf(err, errlen, "%s: out of memory reading the image", o->images[i]);
					return -1;
				}
				c->image = p;
			}
			n = fread(c->image + used, 1, PAGE, f);
			if (n == 0)
				break;
			/* A short last page is zero-padded, as a page image would be. */
			memset(c->image + used + n, 0, PAGE - n);
			used += PAGE;
			if (o->max_image_pages && used / PAGE >= o->max_image_pages)
				break;
		}
		if (ferror(f)) {
			snprintf(err, errlen, "%s: read error: %s", o->images[i], strerror(errno));
			fclose(f);
			return -1;
		}
		fclose(f);
		if (o->max_image_pages && used / PAGE >= o->max_image_pages)
			break;
	}
	c->image_pages = used / PAGE;
	if (!c->image_pages) {
		snprintf(err, errlen, "capture zram: the page images are empty");
		return -1;
	}
	return 0;
}

static int read_stat(struct capture *c, struct zpb_mm_stat *st, char *err, size_t errlen)
{
	return zpb_zram_mm_stat(&c->dev, st, err, errlen);
}

static int note_mismatch(struct capture *c, uint32_t ulen, uint32_t klen)
{
	c->mismatch_pages++;
	c->mismatch_bytes += ulen > klen ? ulen - klen : klen - ulen;
	/* Every one is listed, so validate can replay the kernel's exact lengths. */
	if (c->nmm == c->capmm) {
		size_t cap = c->capmm ? c->capmm * 2 : 1024;
		struct mismatch *n = realloc(c->mm, cap * sizeof(*n));

		if (!n)
			return -1;
		c->mm = n;
		c->capmm = cap;
	}
	c->mm[c->nmm].record = c->records;	/* the STORE about to be written */
	c->mm[c->nmm].ulen = ulen;
	c->mm[c->nmm].klen = klen;
	c->nmm++;
	return 0;
}

/* Forget the userspace accounting of what @s held. */
static void account_out(struct capture *c, const struct slot *s)
{
	if (s->state == SLOT_SAME)
		c->u_same--;
	else if (s->state == SLOT_STORED)
		c->u_compr -= s->ulen, c->u_stored--;
	else if (s->state == SLOT_HUGE)
		c->u_compr -= PAGE, c->u_huge--, c->u_stored--;
}

static int do_write(struct capture *c, uint64_t idx, const unsigned char *page, char *err, size_t errlen)
{
	const struct zpb_capture_zram_opts *o = c->o;
	struct slot *s = &c->slots[idx];
	struct zpb_mm_stat now;
	int same = zpb_page_same_filled(page, PAGE);
	uint32_t ulen = 0, klen;
	int64_t dcompr;
	int khuge, ksame;
	uint8_t flags = 0, state;

	if (!same && o->compress) {
		ulen = o->compress(page, o->compress_ctx);
		if (!ulen) {
			snprintf(err, errlen, "capture zram: the userspace %s compressor failed on page %llu",
				 o->compressor, (unsigned long long)idx);
			return -1;
		}
	}
	if (zpb_zram_write(&c->dev, idx, page, err, errlen) || read_stat(c, &now, err, errlen))
		return -1;

	/* What the kernel did, from how mm_stat moved. */
	dcompr = (int64_t)now.compr_data_size - (int64_t)c->prev.compr_data_size;
	ksame = (int64_t)now.same_pages - (int64_t)c->prev.same_pages + (s->kstate == SLOT_SAME) == 1;
	khuge = (int64_t)now.huge_pages - (int64_t)c->prev.huge_pages + (s->kstate == SLOT_HUGE) == 1;
	klen = ksame ? 0 : (uint32_t)(dcompr + (s->kstate >= SLOT_STORED ? s->klen : 0));
	c->prev = now;

	if (!o->compress)	/* no userspace twin (lzo-rle): the kernel's lengths are the trace's */
		ulen = same ? 0 : (khuge ? PAGE : klen);
	if (same)
		state = SLOT_SAME, flags = ZPB_STORE_SAME_FILLED;
	else if ((o->compress && ulen >= o->huge_class_size) || (!o->compress && khuge))
		state = SLOT_HUGE, flags = ZPB_STORE_INCOMPRESSIBLE;
	else
		state = SLOT_STORED;

	if (ksame != same)
		c->same_disagree++;
	if (!same) {
		if (khuge != (state == SLOT_HUGE))
			c->huge_disagree++;
		/* What each side allocates for the page is what density depends on. */
		if ((khuge ? PAGE : klen) != (state == SLOT_HUGE ? PAGE : ulen))
			if (note_mismatch(c, state == SLOT_HUGE ? PAGE : ulen, khuge ? PAGE : klen)) {
				snprintf(err, errlen, "capture zram: out of memory");
				return -1;
			}
	}

	/* STORE the new object, then INVALIDATE the old one: zram's order. */
	if (emit(c, ZPB_OP_STORE, ZPB_KEY(s->ver & 1, idx), same ? PAGE : (ulen > PAGE ? PAGE : ulen),
		 flags, NULL, err, errlen))
		return -1;
	if (s->state != SLOT_EMPTY) {
		if (emit(c, ZPB_OP_INVALIDATE, ZPB_KEY((s->ver - 1) & 1, idx), 0, 0, NULL, err, errlen))
			return -1;
		account_out(c, s);
	}
	s->ver++;
	s->state = state;
	s->kstate = ksame ? SLOT_SAME : khuge ? SLOT_HUGE : SLOT_STORED;
	s->ulen = ulen;
	s->klen = khuge ? PAGE : klen;
	if (state == SLOT_SAME)
		c->u_same++;
	else if (state == SLOT_HUGE)
		c->u_compr += PAGE, c->u_huge++, c->u_stored++;
	else
		c->u_compr += ulen, c->u_stored++;
	return 0;
}

static int do_discard(struct capture *c, uint64_t idx, char *err, size_t errlen)
{
	struct slot *s = &c->slots[idx];

	if (s->state == SLOT_EMPTY)
		return 0;	/* zram_free_page() of an empty slot does nothing */
	if (zpb_zram_discard(&c->dev, idx, err, errlen) || read_stat(c, &c->prev, err, errlen))
		return -1;
	if (emit(c, ZPB_OP_INVALIDATE, ZPB_KEY((s->ver - 1) & 1, idx), 0, 0, NULL, err, errlen))
		return -1;
	account_out(c, s);
	s->state = s->kstate = SLOT_EMPTY;
	return 0;
}

static int do_mark(struct capture *c, const char *label, char *err, size_t errlen)
{
	struct mark_truth *m;

	if (c->nmarks == c->capmarks) {
		size_t cap = c->capmarks ? c->capmarks * 2 : 16;
		struct mark_truth *n = realloc(c->marks, cap * sizeof(*n));

		if (!n) {
			snprintf(err, errlen, "capture zram: out of memory");
			return -1;
		}
		c->marks = n;
		c->capmarks = cap;
	}
	m = &c->marks[c->nmarks];
	memset(m, 0, sizeof(*m));
	snprintf(m->label, sizeof(m->label), "%s", label);
	m->record = c->records;
	if (read_stat(c, &m->st, err, errlen) || emit(c, ZPB_OP_MARK, 0, 0, 0, label, err, errlen))
		return -1;
	m->u_compr = c->u_compr;
	m->u_same = c->u_same;
	m->u_huge = c->u_huge;
	m->u_stored = c->u_stored;
	c->nmarks++;
	return 0;
}

static int run_script(struct capture *c, const struct zpb_opscript *s, char *err, size_t errlen)
{
	size_t i;
	uint64_t j, done = 0, total = 0;

	for (i = 0; i < s->n; i++)
		total += s->steps[i].kind == ZPB_STEP_WRITE || s->steps[i].kind == ZPB_STEP_DISCARD ?
			 s->steps[i].count : 1;
	for (i = 0; i < s->n; i++) {
		const struct zpb_step *st = &s->steps[i];
		uint64_t compacted_before = c->prev.pages_compacted;

		switch (st->kind) {
		case ZPB_STEP_WRITE:
			for (j = 0; j < st->count; j++) {
				uint64_t img = (st->from + j) % c->image_pages;

				if (zpb_zram_interrupted())
					goto interrupted;
				if (do_write(c, st->first + j, c->image + img * PAGE, err, errlen))
					return -1;
			}
			break;
		case ZPB_STEP_DISCARD:
			for (j = 0; j < st->count; j++) {
				uint64_t idx = st->first + j * st->every;

				if (zpb_zram_interrupted())
					goto interrupted;
				if (idx < c->dev.pages && do_discard(c, idx, err, errlen))
					return -1;
			}
			break;
		case ZPB_STEP_COMPACT:
			if (zpb_zram_compact(&c->dev, err, errlen) || read_stat(c, &c->prev, err, errlen) ||
			    emit(c, ZPB_OP_COMPACT, 0, 0, 0, NULL, err, errlen))
				return -1;
			compacted_before = c->prev.pages_compacted;
			break;
		case ZPB_STEP_MARK:
			if (do_mark(c, st->label, err, errlen))
				return -1;
			break;
		}
		/* zsmalloc's shrinker can compact on its own under memory pressure. */
		if (c->prev.pages_compacted != compacted_before)
			c->compacted_outside += c->prev.pages_compacted - compacted_before;
		done += st->kind == ZPB_STEP_WRITE || st->kind == ZPB_STEP_DISCARD ? st->count : 1;
		if (c->o->verbose)
			fprintf(stderr, "\rcapture zram: %3.0f%% (%llu records)", 100.0 * done / total,
				(unsigned long long)c->records);
	}
	if (c->o->verbose)
		fputc('\n', stderr);
	return 0;
interrupted:
	snprintf(err, errlen, "capture zram: interrupted; the device was reset and nothing was written");
	return -1;
}

static void jw_mm_stat(struct zpb_jw *w, const struct zpb_mm_stat *st)
{
	zpb_jw_key(w, "mm_stat");
	zpb_jw_object_begin(w);
	zpb_jw_ku64(w, "orig_data_size", st->orig_data_size);
	zpb_jw_ku64(w, "compr_data_size", st->compr_data_size);
	zpb_jw_ku64(w, "mem_used_total", st->mem_used_total);
	zpb_jw_ku64(w, "mem_limit", st->mem_limit);
	zpb_jw_ku64(w, "mem_used_max", st->mem_used_max);
	zpb_jw_ku64(w, "same_pages", st->same_pages);
	zpb_jw_ku64(w, "pages_compacted", st->pages_compacted);
	zpb_jw_ku64(w, "huge_pages", st->huge_pages);
	zpb_jw_ku64(w, "huge_pages_since", st->huge_pages_since);
	zpb_jw_object_end(w);
}

/* The truth file: docs/fidelity.md documents every key. */
static int write_truth(struct capture *c, const char *kernel, char *err, size_t errlen)
{
	const struct zpb_capture_zram_opts *o = c->o;
	struct zpb_atomic_file af;
	struct zpb_jw w;
	size_t i;
	int k;

	if (zpb_atomic_open(&af, o->truth_out, err, errlen))
		return -1;
	zpb_jw_init(&w, af.f, true);
	zpb_jw_object_begin(&w);
	zpb_jw_kstring(&w, "format", "zpoolbench-zram-truth");
	zpb_jw_ku64(&w, "format_version", 1);
	zpb_jw_kstring(&w, "kernel", kernel);
	zpb_jw_kstring(&w, "compressor", o->compressor);
	zpb_jw_kbool(&w, "userspace_lengths", o->compress != NULL);
	zpb_jw_ku64(&w, "zsmalloc_chain_size", o->chain_size);
	zpb_jw_kstring(&w, "chain_size_source", o->chain_source ? o->chain_source : "option");
	zpb_jw_ku64(&w, "huge_class_size", o->huge_class_size);
	zpb_jw_ku64(&w, "page_size", PAGE);
	zpb_jw_ku64(&w, "device_pages", c->dev.pages);
	zpb_jw_ku64(&w, "image_pages", c->image_pages);
	zpb_jw_key(&w, "images");
	zpb_jw_array_begin(&w);
	for (k = 0; k < o->nimages; k++) {
		const char *base = strrchr(o->images[k], '/');

		zpb_jw_string(&w, base ? base + 1 : o->images[k]);
	}
	zpb_jw_array_end(&w);
	zpb_jw_kstring(&w, "script", o->pattern ? o->pattern : o->script);
	zpb_jw_ku64(&w, "records", c->records);
	zpb_jw_ku64(&w, "compaction_outside_compact_steps", c->compacted_outside);
	zpb_jw_key(&w, "length_mismatches");
	zpb_jw_object_begin(&w);
	zpb_jw_ku64(&w, "pages", c->mismatch_pages);
	zpb_jw_ku64(&w, "abs_bytes", c->mismatch_bytes);
	zpb_jw_ku64(&w, "huge_disagreements", c->huge_disagree);
	zpb_jw_ku64(&w, "same_disagreements", c->same_disagree);
	/* [STORE record, userspace stored length, kernel stored length] */
	zpb_jw_key(&w, "listed");
	zpb_jw_array_begin(&w);
	for (i = 0; i < c->nmm; i++) {
		zpb_jw_array_begin(&w);
		zpb_jw_u64(&w, c->mm[i].record);
		zpb_jw_u64(&w, c->mm[i].ulen);
		zpb_jw_u64(&w, c->mm[i].klen);
		zpb_jw_array_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	zpb_jw_key(&w, "marks");
	zpb_jw_array_begin(&w);
	for (i = 0; i < c->nmarks; i++) {
		const struct mark_truth *m = &c->marks[i];

		zpb_jw_object_begin(&w);
		zpb_jw_kstring(&w, "label", m->label);
		zpb_jw_ku64(&w, "record", m->record);
		jw_mm_stat(&w, &m->st);
		zpb_jw_key(&w, "userspace");
		zpb_jw_object_begin(&w);
		zpb_jw_ku64(&w, "compr_data_size", m->u_compr);
		zpb_jw_ku64(&w, "same_pages", m->u_same);
		zpb_jw_ku64(&w, "huge_pages", m->u_huge);
		zpb_jw_ku64(&w, "pages_stored", m->u_stored);
		zpb_jw_object_end(&w);
		zpb_jw_object_end(&w);
	}
	zpb_jw_array_end(&w);
	zpb_jw_object_end(&w);
	if (zpb_jw_finish(&w)) {
		zpb_atomic_abort(&af);
		snprintf(err, errlen, "%s: write error", o->truth_out);
		return -1;
	}
	return zpb_atomic_commit(&af, err, errlen);
}

/* Whether paths @a and @b, which need not exist yet, name one file: their directories resolved. */
static bool same_new_file(const char *a, const char *b)
{
	char da[PATH_MAX], db[PATH_MAX], ra[PATH_MAX], rb[PATH_MAX];
	const char *ba = strrchr(a, '/'), *bb = strrchr(b, '/');

	snprintf(da, sizeof(da), "%.*s", ba ? (int)(ba - a) + 1 : 1, ba ? a : ".");
	snprintf(db, sizeof(db), "%.*s", bb ? (int)(bb - b) + 1 : 1, bb ? b : ".");
	if (!realpath(da, ra) || !realpath(db, rb))
		return !strcmp(a, b);
	return !strcmp(ra, rb) && !strcmp(ba ? ba + 1 : a, bb ? bb + 1 : b);
}

int zpb_capture_zram(const struct zpb_capture_zram_opts *o, char *err, size_t errlen)
{
	struct capture c;
	struct zpb_opscript script;
	struct zpb_trace_header hdr;
	char kernel[128] = "";
	FILE *rel;
	uint64_t pages;
	int rc = -1, i;

	memset(&c, 0, sizeof(c));
	memset(&script, 0, sizeof(script));
	c.o = o;
	c.dev.fd = c.dev.mm_stat_fd = c.dev.id = -1;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	rel = fopen("/proc/sys/kernel/osrelease", "r");
	if (rel) {
		if (fgets(kernel, sizeof(kernel), rel))
			kernel[strcspn(kernel, "\n")] = '\0';
		fclose(rel);
	}
	/* Before the device is touched: an output over an input (or the other output) would lose it. */
	for (i = 0; i < o->nimages; i++)
		if (zpb_output_is_input(o->trace_out, o->images[i], err, errlen) ||
		    zpb_output_is_input(o->truth_out, o->images[i], err, errlen) ||
		    (o->script && (zpb_output_is_input(o->trace_out, o->script, err, errlen) ||
				   zpb_output_is_input(o->truth_out, o->script, err, errlen))))
			goto out;
	if (same_new_file(o->trace_out, o->truth_out)) {
		snprintf(err, errlen, "%s: is both the trace (-o) and the truth file (--truth)", o->truth_out);
		goto out;
	}
	if (load_images(&c, err, errlen))
		goto out;
	if (o->script ? zpb_opscript_load(&script, o->script, err, errlen)
		      : zpb_opscript_pattern(&script, o->pattern, o->pages ? o->pages : c.image_pages,
					     c.image_pages, err, errlen))
		goto out;
	pages = zpb_opscript_pages(&script);
	if (o->pages > pages)
		pages = o->pages;
	c.slots = calloc(pages, sizeof(*c.slots));
	if (!c.slots) {
		snprintf(err, errlen, "capture zram: out of memory for %llu pages", (unsigned long long)pages);
		goto out;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = ZPB_TRACE_VERSION;
	hdr.page_size = PAGE;
	snprintf(hdr.compressor, sizeof(hdr.compressor), "%s", o->compressor);
	snprintf(hdr.source, sizeof(hdr.source), "zpoolbench capture zram on Linux %s, %s lengths, %llu image pages, script: %.100s",
		 kernel, o->compress ? "userspace" : "kernel", (unsigned long long)c.image_pages,
		 o->pattern ? o->pattern : o->script);
	c.w = zpb_trace_writer_open(o->trace_out, o->trace_form, &hdr, err, errlen);
	if (!c.w)
		goto out;
	if (zpb_zram_setup(&c.dev, o->device, o->compressor, pages, err, errlen))
		goto out;
	if (read_stat(&c, &c.prev, err, errlen) || run_script(&c, &script, err, errlen))
		goto out;
	zpb_zram_release(&c.dev);
	if (zpb_trace_writer_finish(c.w, err, errlen)) {
		c.w = NULL;
		goto out;
	}
	c.w = NULL;
	rc = write_truth(&c, kernel, err, errlen);
out:
	zpb_zram_release(&c.dev);
	if (c.w)
		zpb_trace_writer_abort(c.w);
	zpb_opscript_free(&script);
	free(c.image);
	free(c.slots);
	free(c.mm);
	free(c.marks);
	return rc;
}
