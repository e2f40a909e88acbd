// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpb-gentrace: write a large synthetic trace for measuring the replay
 * engine itself (docs/PERFORMANCE.md): records/second, and that memory
 * stays flat as the trace grows. Not a workload model (that is
 * `zpoolbench synth`): swap-out bursts of consecutive slots, swap-ins of
 * random stored slots (exclusive, as modern zswap), some invalidations,
 * a MARK every tenth of the trace, over a fixed working set of slots.
 *
 * Usage: zpb-gentrace RECORDS OUT [KEYS [SEED]]   (OUT ending .txt: text form)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../traces/trace.h"

static uint64_t s = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

int main(int argc, char **argv)
{
	struct zpb_trace_header hdr;
	struct zpb_trace_writer *w;
	struct zpb_record r;
	unsigned long long n, keys, i = 0, t = 0;
	unsigned char *stored;
	char err[512];
	size_t l;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: zpb-gentrace RECORDS OUT [KEYS [SEED]]\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 0);
	keys = argc > 3 ? strtoull(argv[3], NULL, 0) : 1ull << 18;
	if (argc > 4)
		s = strtoull(argv[4], NULL, 0) | 1;
	stored = calloc(keys ? keys : 1, 1);
	if (!n || !keys || !stored) {
		fprintf(stderr, "zpb-gentrace: bad RECORDS or KEYS\n");
		return 2;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = ZPB_TRACE_VERSION;
	hdr.page_size = 4096;
	strcpy(hdr.compressor, "synthetic");
	snprintf(hdr.source, sizeof(hdr.source), "zpb-gentrace %llu records, %llu keys", n, keys);
	l = strlen(argv[2]);
	w = zpb_trace_writer_open(argv[2], l > 4 && !strcmp(argv[2] + l - 4, ".txt") ? ZPB_TRACE_TEXT : ZPB_TRACE_BINARY,
				  &hdr, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "zpb-gentrace: %s\n", err);
		return 1;
	}
#define EMIT() do { if (zpb_trace_write(w, &r, err, sizeof(err))) goto fail; i++; } while (0)
	while (i < n) {
		uint64_t x = rnd();

		memset(&r, 0, sizeof(r));
		t += 200 + x % 2000;
		r.time_ns = t;
		r.cpu = (uint32_t)(x >> 60) & 3;
		if (n >= 10 && i % (n / 10) == n / 10 - 1) {
			r.op = ZPB_OP_MARK;
			snprintf(r.label, sizeof(r.label), "tenth-%llu", (i + 1) / (n / 10));
			EMIT();
		} else if (x % 100 < 45) {
			/* A swap-out burst: up to 16 consecutive free slots. */
			uint64_t k = rnd() % keys, j;

			for (j = 0; j < 16 && i < n; j++, k = (k + 1) % keys) {
				uint64_t y = rnd();

				if (stored[k])
					continue;
				memset(&r, 0, sizeof(r));
				r.time_ns = t += 50;
				r.cpu = (uint32_t)(x >> 60) & 3;
				r.op = ZPB_OP_STORE;
				r.key = ZPB_KEY(0, k);
				/* Lengths roughly log-normal around 1.2 KB, as lz4 gives on anonymous memory. */
				r.len = (uint32_t)(1200.0 * exp(((double)(y % 1000) / 1000.0 - 0.5) * 1.6));
				if (r.len > 4096 || y % 100 < 2) {
					r.len = 4096;
					r.flags = ZPB_STORE_INCOMPRESSIBLE;
				} else if (y % 100 < 5) {
					r.flags = ZPB_STORE_SAME_FILLED;
				}
				stored[k] = 1;
				EMIT();
			}
		} else {
			uint64_t k = rnd() % keys;

			if (!stored[k])
				continue;
			r.key = ZPB_KEY(0, k);
			r.op = x % 100 < 85 ? ZPB_OP_LOAD : ZPB_OP_INVALIDATE;
			stored[k] = 0;
			EMIT();
			if (r.op == ZPB_OP_LOAD && x % 7 == 0 && i < n) {
				/* The page was freed after it came back in. */
				r.op = ZPB_OP_INVALIDATE;
				r.time_ns = t += 100;
				EMIT();
			}
		}
	}
	if (zpb_trace_writer_finish(w, err, sizeof(err)))
		goto fail_finish;
	free(stored);
	return 0;
fail:
	zpb_trace_writer_abort(w);
fail_finish:
	fprintf(stderr, "zpb-gentrace: %s\n", err);
	free(stored);
	return 1;
}
