// SPDX-License-Identifier: GPL-2.0-only
/* capture pages: page images -> compressed sizes -> an order model -> a trace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/atomic_file.h"
#include "capture.h"

static int classify_one(struct zpb_compressor *c, const struct zpb_page_policy *pol,
			unsigned int huge, uint32_t ps, const void *page, void *scratch,
			struct zpb_order_page *pg, struct zpb_page_counts *counts,
			char *err, size_t errlen)
{
	struct zpb_page_class cl;

	if (zpb_page_classify(c, page, ps, pol->incompressible, huge, scratch, &cl,
			      err, errlen))
		return -1;
	pg->len = cl.len;
	pg->flags = cl.flags;
	pg->rejected = (uint8_t)cl.rejected;
	counts->pages++;
	if (cl.flags & ZPB_STORE_SAME_FILLED)
		counts->same_filled++;
	if (cl.flags & ZPB_STORE_INCOMPRESSIBLE)
		counts->incompressible++;
	if (cl.rejected)
		counts->rejected++;
	else
		counts->comp_bytes += cl.len;
	return 0;
}

int zpb_classify_files(const char *const *files, int nfiles, const struct zpb_page_policy *pol,
		       struct zpb_pages_writer *contents, struct zpb_order_page **pages_out, uint64_t *npages_out,
		       struct zpb_page_counts *counts, char *err, size_t errlen)
{
	struct zpb_compressor *c;
	struct zpb_order_page *pages = NULL;
	uint64_t n = 0, cap = 0;
	unsigned int huge;
	uint32_t ps = pol->page_size ? pol->page_size : ZPB_PAGE_SIZE;
	void *page = NULL, *scratch = NULL;
	FILE *f = NULL;
	int i;

	memset(counts, 0, sizeof(*counts));
	*pages_out = NULL;
	*npages_out = 0;
	c = zpb_compressor_new(pol->compressor, err, errlen);
	if (!c)
		return -1;
	huge = pol->huge_class_size;
	if (!zpb_capture_page_size_ok(ps)) {
		snprintf(err, errlen, "capture pages: page size %u is not 4096, 16384 or 65536", ps);
		zpb_compressor_free(c);
		return -1;
	}
	if (pol->incompressible == ZPB_INCOMP_HUGE && !huge) {
		snprintf(err, errlen, "capture pages: the huge policy needs a huge_class_size");
		zpb_compressor_free(c);
		return -1;
	}
	page = aligned_alloc(64, ps);
	scratch = malloc(zpb_compress_bound(ps));
	if (!page || !scratch) {
		snprintf(err, errlen, "out of memory classifying pages");
		goto fail;
	}
	for (i = 0; i < nfiles; i++) {
		size_t got;

		f = fopen(files[i], "rb");
		if (!f) {
			snprintf(err, errlen, "%s: %s", files[i], strerror(errno));
			goto fail;
		}
		/* A short read is the file's end: pad with zeros, as a page fault would. */
		while ((got = fread(page, 1, ps, f)) > 0) {
			if (got < ps)
				memset((char *)page + got, 0, ps - got);
			if (n == cap) {
				uint64_t ncap = cap ? cap * 2 : 1024;
				struct zpb_order_page *np = realloc(pages, ncap * sizeof(*np));

				if (!np) {
					snprintf(err, errlen, "%s: out of memory at page %llu", files[i],
						 (unsigned long long)n);
					goto fail;
				}
				pages = np;
				cap = ncap;
			}
			if (classify_one(c, pol, huge, ps, page, scratch, &pages[n], counts, err, errlen))
				goto fail;
			if (contents && zpb_pages_write(contents, page, err, errlen))
				goto fail;
			n++;
			if (got < ps)
				break;
		}
		if (ferror(f)) {
			snprintf(err, errlen, "%s: read error at page %llu: %s", files[i],
				 (unsigned long long)n, strerror(errno));
			goto fail;
		}
		fclose(f);
		f = NULL;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s%s: no pages (empty input)", files[0],
			 nfiles > 1 ? " ..." : "");
		goto fail;
	}
	zpb_compressor_free(c);
	free(page);
	free(scratch);
	*pages_out = pages;
	*npages_out = n;
	return 0;
fail:
	if (f)
		fclose(f);
	zpb_compressor_free(c);
	free(page);
	free(scratch);
	free(pages);
	return -1;
}

int zpb_capture_pages(const struct zpb_capture_pages_opts *o, struct zpb_capture_pages_stats *st,
		      char *err, size_t errlen)
{
	struct zpb_order_page *pages;
	struct zpb_writer_sink ws;
	struct zpb_order_opts order;
	struct zpb_trace_writer *w;
	struct zpb_pages_writer *pw = NULL;
	char source[ZPB_TRACE_TEXT_MAX], name[32];
	struct zpb_compressor *c;
	uint64_t npages;
	size_t len;
	int i;

	memset(st, 0, sizeof(*st));
	if (o->nfiles < 1) {
		snprintf(err, errlen, "no input files");
		return -1;
	}
	for (i = 0; i < o->nfiles; i++)
		if (zpb_output_is_input(o->out, o->files[i], err, errlen))
			return -1;
	/* The canonical compressor name for the header ("zstd" -> "zstd:3"). */
	c = zpb_compressor_new(o->policy.compressor, err, errlen);
	if (!c)
		return -1;
	snprintf(name, sizeof(name), "%s", zpb_compressor_name(c));
	zpb_compressor_free(c);
	if (o->pages_out) {
		for (i = 0; i < o->nfiles; i++)
			if (zpb_output_is_input(o->pages_out, o->files[i], err, errlen))
				return -1;
		pw = zpb_pages_writer_open(o->pages_out, o->policy.page_size ? o->policy.page_size : ZPB_PAGE_SIZE,
					   err, errlen);
		if (!pw)
			return -1;
	}
	if (zpb_classify_files(o->files, o->nfiles, &o->policy, pw, &pages, &npages, &st->counts,
			       err, errlen)) {
		zpb_pages_writer_abort(pw);
		return -1;
	}
	len = (size_t)snprintf(source, sizeof(source),
			       "capture pages order=%s incompressible=%s seed=%llu files:",
			       zpb_order_name(o->order.order),
			       zpb_incompressible_name(o->policy.incompressible),
			       (unsigned long long)o->order.seed);
	for (i = 0; i < o->nfiles && len < sizeof(source); i++)
		len += (size_t)snprintf(source + len, sizeof(source) - len, " %s", o->files[i]);
	order = o->order;
	if (order.order == ZPB_ORDER_LRU && !order.budget)
		order.budget = npages / 4 ? npages / 4 : 1;	/* the documented default */
	w = zpb_capture_writer_open(o->out, o->form, o->policy.page_size, name, source, err, errlen);
	if (!w)
		goto fail;
	zpb_writer_sink_init(&ws, w);
	if (zpb_order_run(&order, pages, npages, &ws.base, &st->order, err, errlen)) {
		zpb_trace_writer_abort(w);
		goto fail;
	}
	/* The contents first: a trace never names a content file that is not there. */
	if (pw) {
		int bad = zpb_pages_writer_finish(pw, err, errlen);

		pw = NULL;
		if (bad) {
			zpb_trace_writer_abort(w);
			goto fail;
		}
	}
	if (zpb_trace_writer_finish(w, err, errlen))
		goto fail;
	st->records = ws.base.count;
	free(pages);
	return 0;
fail:
	zpb_pages_writer_abort(pw);
	free(pages);
	return -1;
}
