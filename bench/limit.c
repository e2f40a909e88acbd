// SPDX-License-Identifier: GPL-2.0-only
/*
 * zpb-limit: the physical limit of a replay. It does the least work that
 * any replay of the same binary trace must do, and nothing else, so that
 * the engine's own figures can be read as a ratio to it in one run
 * (docs/PERFORMANCE.md, replay/perf-figures.sh):
 *
 *   - decode every record (the binary form of docs/trace-format.md, with
 *     the same predictor state the reader keeps, but no validation beyond
 *     the input's bounds: the trace is assumed to have passed
 *     `zpoolbench trace validate`);
 *   - look the key up in an open-addressing table whose slot holds the
 *     entry itself (one cache line a lookup: the least a key table can
 *     touch), and touch the entry as the op needs (STORE writes the
 *     length, LOAD reads it, INVALIDATE and WRITEBACK clear it);
 *   - with timing, read the clock around each keyed op and record the
 *     difference in a per-op histogram, either twice per op ("two") or
 *     once per op boundary ("chained": the end of one op is the start of
 *     the next).
 *
 * It allocates nothing per record, takes no lock and makes no system call
 * in the loop. The file is read into memory before the loop starts, so the
 * loop measures CPU work only.
 *
 * Usage: zpb-limit TRACE.zpt [none|two|chained ...]   (default: all three)
 * Each mode runs PASSES times (the environment's ZPB_LIMIT_PASSES, default
 * 5) with a fresh key table each time, as a replay builds its own; the
 * figure is the median pass, printed with the fastest and slowest, because
 * these machines are shared and one pass can lose the CPU. One line a mode:
 *   limit MODE records N cpu_s S records_per_cpu_sec R ns_per_record X min_ns A max_ns B
 * then the ops it decoded and the distinct keys, which `zpoolbench trace
 * info` must agree with (tests/limit_test.sh), and the clock's cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../replay/clock.h"
#include "../replay/histogram.h"
#include "../traces/binary_format.h"
#include "../traces/varint.h"
#include "../util/huge_alloc.h"

#define MAX_PASSES 99

enum timing { T_NONE, T_TWO, T_CHAINED };
static const char *const timing_name[] = { "none", "two", "chained" };

struct slot {
	uint64_t key;
	uint32_t len;		/* 0: not stored */
	uint32_t used;
};

struct table {
	struct slot *s;
	uint64_t mask, n;
};

/* The same mixing the replay's key table uses: keys of one swap type are consecutive. */
static inline uint64_t hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

static int grow(struct table *t)
{
	uint64_t nm = t->mask * 2 + 1, i, j;
	struct slot *ns = zpb_huge_calloc(nm + 1, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; i <= t->mask; i++) {
		if (!t->s[i].used)
			continue;
		for (j = hash(t->s[i].key) & nm; ns[j].used; j = (j + 1) & nm)
			;
		ns[j] = t->s[i];
	}
	free(t->s);
	t->s = ns;
	t->mask = nm;
	return 0;
}

static inline struct slot *lookup(struct table *t, uint64_t key)
{
	uint64_t i;

	for (i = hash(key) & t->mask; t->s[i].used; i = (i + 1) & t->mask)
		if (t->s[i].key == key)
			return &t->s[i];
	if (t->n * 2 >= t->mask) {
		if (grow(t))
			return NULL;
		for (i = hash(key) & t->mask; t->s[i].used; i = (i + 1) & t->mask)
			;
	}
	t->n++;
	t->s[i].used = 1;
	t->s[i].key = key;
	return &t->s[i];
}

/* The predictor state and its helpers are the format's own (traces/binary_format.h). */

#define VARINT(v) do { if (zpb_varint_get(&p, end, &(v)) != 1) goto bad; } while (0)

/* Records are decoded BATCH at a time, and the key slots prefetched, as the replay's dispatcher does. */
#define BATCH 64

struct decoded {
	uint64_t key;
	uint32_t len;
	uint32_t op;
};

/*
 * Decode up to @max records from *@pp into @out. Returns how many, or -1
 * with *@pp left at the record that does not decode.
 */
static int decode(struct zpb_bin_ctx *st, const unsigned char **pp, const unsigned char *end,
		  struct decoded *out, int max)
{
	const unsigned char *p = *pp;
	int n = 0;

	while (n < max) {
		unsigned int tag, op, len = 0;
		uint64_t key = 0, v, d = 0;

		*pp = p;
		if (p == end)
			return -1;
		tag = *p++;
		op = tag & 7;
		if (op == ZPB_TAG_SHORT_STORE) {
			/* Short STORE: the next slot of this CPU, 12 bits of delta and 12 of len - 1. */
			uint32_t packed;

			if (tag & ZPB_TAG_CPU) {
				VARINT(v);
				st->prev_cpu = (uint32_t)v;
			}
			if (end - p < 3)
				return -1;
			packed = (uint32_t)zpb_get_le(p, 3);
			p += 3;
			d = (uint64_t)(tag >> 4) << 12 | (packed & 0xfff);
			op = 1;
			len = (packed >> 12) + 1;
			key = ++*zpb_bin_prev_key(st, ZPB_OP_STORE, st->prev_cpu);
			zpb_bin_push_key(st, key);
		} else {
			switch (tag >> ZPB_TAG_TIME_SHIFT) {
			case 1: d = st->prev_delta; break;
			case 2: VARINT(d); break;
			case 3: VARINT(v); d = -v; break;
			}
			if (tag & ZPB_TAG_CPU) {
				VARINT(v);
				st->prev_cpu = (uint32_t)v;
			}
			if (op >= 1 && op <= 4) {
				uint64_t *pk = zpb_bin_prev_key(st, op, st->prev_cpu);

				switch ((tag >> ZPB_TAG_KEY_SHIFT) & 3) {
				case 0: VARINT(v); key = *pk + (uint64_t)zpb_unzigzag(v); break;
				case 1: key = *pk + 1; break;
				case 2:
					if (p == end)
						return -1;
					key = zpb_bin_recent(st, *p++);
					break;
				default: key = zpb_bin_recent(st, 0); break;
				}
				*pk = key;
				zpb_bin_push_key(st, key);
			}
			if (op == 1) {
				VARINT(v);
				len = (unsigned int)(v >> 1);
				if (v & 1) {
					if (p == end)
						return -1;
					if (*p++ & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF))
						VARINT(v);
				}
			} else if (op == 6) {
				if (p == end || (size_t)(end - p) < 1u + *p)
					return -1;
				p += 1 + *p;
			} else if (op == 0) {
				return -1;
			}
		}
		st->prev_time += d;
		if (d)
			st->prev_delta = d;
		out[n].op = op;
		out[n].key = key;
		out[n].len = len;
		n++;
	}
	*pp = p;
	return n;
bad:
	return -1;
}

struct result {
	uint64_t records, checksum, ops[8], keys;
	double cpu_s;
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One pass over the records. Returns 0, or -1 with *@at the offset of the bad record. */
static int run(const unsigned char *p, const unsigned char *end, uint64_t count, enum timing timing,
	       struct result *res, size_t *at, const unsigned char *base)
{
	static struct zpb_hist hist[8];
	struct decoded batch[BATCH];
	struct zpb_bin_ctx st;
	struct table t = { .mask = 4095 };
	uint64_t n = 0, sum = 0, last = 0;
	double c0;
	int i, got;

	memset(&st, 0, sizeof(st));
	memset(res, 0, sizeof(*res));
	for (i = 0; i < 8; i++)
		zpb_hist_reset(&hist[i]);
	t.s = zpb_huge_calloc(t.mask + 1, sizeof(*t.s));
	if (!t.s)
		return -1;
	c0 = cpu_now();
	if (timing == T_CHAINED)
		last = zpb_clock_ns();
	while (n < count) {
		got = decode(&st, &p, end, batch, count - n < BATCH ? (int)(count - n) : BATCH);
		if (got < 0)
			goto bad;
		for (i = 0; i < got; i++)
			__builtin_prefetch(&t.s[hash(batch[i].key) & t.mask], 1);
		n += (uint64_t)got;
		for (i = 0; i < got; i++) {
			const struct decoded *r = &batch[i];
			uint64_t t0 = 0, t1;
			struct slot *e;

			res->ops[r->op]++;
			if (r->op > 4)
				continue;
			if (timing == T_TWO)
				t0 = zpb_clock_ns();
			e = lookup(&t, r->key);
			if (!e)
				goto bad;
			if (r->op == 1)
				e->len = r->len ? r->len : 1;
			else if (r->op == 2)
				sum += e->len;
			else
				e->len = 0;
			if (timing == T_TWO) {
				t1 = zpb_clock_ns();
				zpb_hist_record(&hist[r->op], t1 - t0);
			} else if (timing == T_CHAINED) {
				t1 = zpb_clock_ns();
				zpb_hist_record(&hist[r->op], t1 - last);
				last = t1;
			}
		}
	}
	res->cpu_s = cpu_now() - c0;
	res->records = n;
	for (i = 0; i < 8; i++)
		sum += hist[i].count;
	res->checksum = sum;
	res->keys = t.n;
	free(t.s);
	return 0;
bad:
	*at = (size_t)(p - base);
	free(t.s);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static unsigned char *slurp(const char *path, size_t *size)
{
	struct stat sb;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		fprintf(stderr, "zpb-limit: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	while (buf && got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

		if (r <= 0) {
			fprintf(stderr, "zpb-limit: %s: %s\n", path, r ? strerror(errno) : "file shrank while read");
			free(buf);
			buf = NULL;
		} else {
			got += (size_t)r;
		}
	}
	close(fd);
	*size = got;
	return buf;
}

int main(int argc, char **argv)
{
	enum timing modes[3] = { T_NONE, T_TWO, T_CHAINED };
	int nmodes = 3, passes = 5, i, j;
	const char *env;
	struct result last = { 0 };
	unsigned char *buf;
	size_t size, at = 0;
	uint32_t hsize;
	uint64_t count;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: zpb-limit TRACE.zpt [none|two|chained ...]\n"
			"The least work any replay of TRACE must do (decode, key lookup, entry touch,\n"
			"and the clock reads and histogram update of the chosen timing), as records\n"
			"per CPU-second. See docs/PERFORMANCE.md.\n");
		return argc < 2 ? 2 : 0;
	}
	if (argc > 2) {
		nmodes = 0;
		for (i = 2; i < argc && nmodes < 3; i++) {
			for (j = 0; j < 3 && strcmp(argv[i], timing_name[j]); j++)
				;
			if (j == 3) {
				fprintf(stderr, "zpb-limit: unknown timing '%s' (none, two or chained)\n", argv[i]);
				return 2;
			}
			modes[nmodes++] = (enum timing)j;
		}
	}
	buf = slurp(argv[1], &size);
	if (!buf)
		return 1;
	if (size < 36 || memcmp(buf, ZPB_BIN_MAGIC, ZPB_BIN_MAGIC_LEN)) {
		fprintf(stderr, "zpb-limit: %s: not a binary trace (convert a text trace with 'zpoolbench trace convert')\n",
			argv[1]);
		return 1;
	}
	hsize = (uint32_t)zpb_get_le(buf + ZPB_BIN_OFF_HDRSIZE, 4);
	count = zpb_get_le(buf + ZPB_BIN_OFF_COUNT, 8);
	if (hsize < 36 || hsize > size) {
		fprintf(stderr, "zpb-limit: %s: corrupt header (header_size %u)\n", argv[1], hsize);
		return 1;
	}
	env = getenv("ZPB_LIMIT_PASSES");
	if (env) {
		char *e;
		long v = strtol(env, &e, 10);

		if (*e || e == env || v < 1 || v > MAX_PASSES) {
			fprintf(stderr, "zpb-limit: ZPB_LIMIT_PASSES='%s': a number of passes, 1..%d\n", env, MAX_PASSES);
			free(buf);
			return 2;
		}
		passes = (int)v;
	}
	zpb_clock_init(false);
	for (i = 0; i < nmodes; i++) {
		double cpu[MAX_PASSES], med, per;
		struct result r;
		int k;

		for (k = 0; k < passes; k++) {
			if (run(buf + hsize, buf + size, count, modes[i], &r, &at, buf)) {
				fprintf(stderr, "zpb-limit: %s: cannot decode the record at byte %zu (validate the trace)\n",
					argv[1], at);
				free(buf);
				return 1;
			}
			cpu[k] = r.cpu_s;
		}
		last = r;
		qsort(cpu, (size_t)passes, sizeof(cpu[0]), cmp_double);
		med = passes & 1 ? cpu[passes / 2] : (cpu[passes / 2 - 1] + cpu[passes / 2]) / 2;
		per = r.records ? 1e9 / (double)r.records : 0.0;
		printf("limit %s records %llu cpu_s %.6f records_per_cpu_sec %.0f ns_per_record %.2f "
		       "min_ns %.2f max_ns %.2f passes %d checksum %llu\n",
		       timing_name[modes[i]], (unsigned long long)r.records, med,
		       med > 0 ? (double)r.records / med : 0.0, med * per, cpu[0] * per, cpu[passes - 1] * per,
		       passes, (unsigned long long)r.checksum);
	}
	printf("ops store %llu load %llu invalidate %llu writeback %llu compact %llu mark %llu keys %llu\n",
	       (unsigned long long)last.ops[1], (unsigned long long)last.ops[2], (unsigned long long)last.ops[3],
	       (unsigned long long)last.ops[4], (unsigned long long)last.ops[5], (unsigned long long)last.ops[6],
	       (unsigned long long)last.keys);
	printf("clock %s overhead_ns %.1f\n", zpb_clock.source, zpb_clock.overhead_ns);
	free(buf);
	return 0;
}
