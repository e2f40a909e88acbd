// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay options: parsing each one with a one-line error, and checking the
 * combinations. The CLI maps its command line onto zpb_replay_set_option();
 * tests call it directly.
 */
#include <errno.h>
#include <math.h>
#include <numa.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

const char *const zpb_lat_names[ZPB_LAT_MAX] = { "store", "load", "invalidate", "reclaim", "compact" };

const char *zpb_zswap_model_name(enum zpb_zswap_model m)
{
	static const char *const names[ZPB_MODEL_MAX] = { "6.18", "5.4", "6.8", "6.11" };

	return (unsigned int)m < ZPB_MODEL_MAX ? names[m] : "?";
}

const char *const zpb_phase_names[ZPB_PH_MAX] = {
	"compress", "allocate", "map", "copy_in", "map", "decompress", "verify",
};
const char *const zpb_phase_ops[ZPB_PH_MAX] = {
	"store", "store", "store", "store", "load", "load", "load",
};

void zpb_replay_options_init(struct zpb_replay_options *o)
{
	memset(o, 0, sizeof(*o));
	o->speed = 1.0;
	o->limit_percent = true;
	o->limit_value = 20;		/* zswap's max_pool_percent default */
	o->accept_threshold = 90;	/* zswap's accept_threshold_percent default */
	o->sample_ops = 1000;	/* the over-run means integrate between samples: ~1% steps on the samples */
	o->repeat = 1;
	o->exclusive_loads = -1;
	o->mem_policy = ZPB_MEM_LOCAL;
}

static int parse_u64(const char *opt, const char *v, uint64_t min, uint64_t max, uint64_t *out,
		     char *err, size_t errlen)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!v || !*v || *v == '-' || *v == '+')
		goto bad;
	x = strtoull(v, &end, 10);
	if (errno || *end || x < min || x > max)
		goto bad;
	*out = x;
	return 0;
bad:
	snprintf(err, errlen, "--%s: '%s' is not a whole number from %llu to %llu", opt, v ? v : "",
		 (unsigned long long)min, (unsigned long long)max);
	return -1;
}

static int parse_double(const char *opt, const char *v, double min, double max, double *out,
			char *err, size_t errlen)
{
	char *end;
	double x;

	errno = 0;
	if (!v || !*v)
		goto bad;
	x = strtod(v, &end);
	if (errno || *end || !isfinite(x) || x < min || x > max)
		goto bad;
	*out = x;
	return 0;
bad:
	snprintf(err, errlen, "--%s: '%s' is not a number from %g to %g", opt, v ? v : "", min, max);
	return -1;
}

int zpb_parse_int_list(const char *text, int *out, int max, const char *what, char *err, size_t errlen)
{
	const char *p = text;
	int n = 0;

	if (!text || !*text)
		goto bad;
	while (*p) {
		char *end;
		long a, b;

		if (*p < '0' || *p > '9')
			goto bad;
		a = strtol(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			b = strtol(end + 1, &end, 10);
		}
		if (a > b || b > 1000000)
			goto bad;
		for (; a <= b; a++) {
			if (n == max) {
				snprintf(err, errlen, "--%s: more than %d entries in '%s'", what, max, text);
				return -1;
			}
			out[n++] = (int)a;
		}
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	return n;
bad:
	snprintf(err, errlen, "--%s: '%s' is not a list like 0-3,6", what, text ? text : "");
	return -1;
}

static int pick(const char *opt, const char *v, const char *const *names, int n, int *out,
		char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n; i++)
		if (v && !strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	snprintf(err, errlen, "--%s: '%s' is not one of", opt, v ? v : "");
	for (i = 0; i < n; i++) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, "%s%s", i ? "|" : " ", names[i]);
	}
	return -1;
}

static const char *const reclaim_names[] = { "default", "none", "pool-lru", "zswap-lru" };
static const char *const rmode_names[] = { "default", "sync", "async" };
static const char *const policy_names[] = { "local", "bind", "interleave", "preferred" };

const char *zpb_reclaim_name(enum zpb_reclaim r) { return reclaim_names[r]; }
const char *zpb_reclaim_mode_name(enum zpb_reclaim_mode m) { return rmode_names[m]; }
const char *zpb_mem_policy_name(enum zpb_mem_policy p) { return policy_names[p]; }

/*
 * Two specs that parse to one canonical spec are one allocator (at 4K,
 * zsmalloc:delta=16 is zsmalloc, its delta there being 16): replayed twice,
 * the report would count them as repetitions of one configuration. Each is
 * replayed once, and the user is told which spec was dropped and why.
 */
static int dedupe_specs(struct zpb_spec *specs, int n, const char *text)
{
	int i, j, kept = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < kept; j++)
			if (!strcmp(specs[j].text, specs[i].text))
				break;
		if (j < kept) {
			fprintf(stderr,
				"zpoolbench replay: --alloc %s: spec %d is '%s' again (options at their defaults are "
				"dropped); replaying it once\n",
				text, i + 1, specs[i].text);
			continue;
		}
		specs[kept++] = specs[i];
	}
	return kept;
}

int zpb_replay_set_option(struct zpb_replay_options *o, const char *name, const char *v,
			  char *err, size_t errlen)
{
	uint64_t u;
	int i;

	if (!strcmp(name, "alloc")) {
		if (!v || strlen(v) >= sizeof(o->alloc_text)) {
			snprintf(err, errlen, "--alloc: needs SPEC[,SPEC...]");
			return -1;
		}
		strcpy(o->alloc_text, v);
		i = zpb_spec_parse_list(v, o->specs, ZPB_REPLAY_MAX_ALLOCS, err, errlen);
		if (i < 0) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "--alloc: %s", err);
			snprintf(err, errlen, "%s", tmp);
			return -1;
		}
		o->nspecs = dedupe_specs(o->specs, i, v);
		return 0;
	}
	if (!strcmp(name, "threads")) {
		if (parse_u64(name, v, 1, ZPB_REPLAY_MAX_THREADS, &u, err, errlen))
			return -1;
		o->threads = (int)u;
		return 0;
	}
	if (!strcmp(name, "cpus")) {
		i = zpb_parse_int_list(v, o->cpus, ZPB_REPLAY_MAX_THREADS, name, err, errlen);
		if (i < 0)
			return -1;
		o->ncpus = i;
		o->cpus_given = true;
		return 0;
	}
	if (!strcmp(name, "numa-nodes")) {
		i = zpb_parse_int_list(v, o->nodes, ZPB_REPLAY_MAX_NODES, name, err, errlen);
		if (i < 0)
			return -1;
		o->nnodes = i;
		return 0;
	}
	if (!strcmp(name, "mem-policy"))
		return pick(name, v, policy_names, 4, (int *)&o->mem_policy, err, errlen);
	if (!strcmp(name, "partition")) {
		static const char *const names[] = { "key", "cpu" };

		return pick(name, v, names, 2, (int *)&o->partition, err, errlen);
	}
	if (!strcmp(name, "timed")) {
		o->timed = true;
		return 0;
	}
	if (!strcmp(name, "speed")) {
		o->timed = true;
		return parse_double(name, v, 1e-6, 1e9, &o->speed, err, errlen);
	}
	if (!strcmp(name, "pool-limit")) {
		size_t l = v ? strlen(v) : 0;

		if (v && !strcmp(v, "none")) {
			o->limit_percent = false;
			o->limit_value = 0;
			return 0;
		}
		if (l > 1 && v[l - 1] == '%') {
			char num[64];

			if (l >= sizeof(num))
				goto bad_limit;
			memcpy(num, v, l - 1);
			num[l - 1] = '\0';
			if (parse_double(name, num, 0.001, 100, &o->limit_value, err, errlen))
				goto bad_limit;
			o->limit_percent = true;
			return 0;
		}
		if (parse_u64(name, v, 0, UINT64_C(1) << 40, &u, err, errlen))
			goto bad_limit;
		o->limit_percent = false;
		o->limit_value = (double)u;
		return 0;
bad_limit:
		snprintf(err, errlen, "--pool-limit: '%s' is not PAGES, PERCENT%% (0.001%%..100%%) or none", v ? v : "");
		return -1;
	}
	if (!strcmp(name, "accept-threshold")) {
		if (parse_u64(name, v, 1, 100, &u, err, errlen))
			return -1;
		o->accept_threshold = (unsigned int)u;
		return 0;
	}
	if (!strcmp(name, "reclaim")) {
		if (pick(name, v, reclaim_names + 1, 3, &i, err, errlen))
			return -1;
		o->reclaim = (enum zpb_reclaim)(i + 1);
		o->reclaim_given = true;
		return 0;
	}
	if (!strcmp(name, "reclaim-mode")) {
		if (pick(name, v, rmode_names + 1, 2, &i, err, errlen))
			return -1;
		o->reclaim_mode = (enum zpb_reclaim_mode)(i + 1);
		return 0;
	}
	if (!strcmp(name, "zswap-model")) {
		/* The kernel versions, then the first names, kept as aliases (6.18 and 5.4). */
		static const char *const names[] = { "6.18", "5.4", "6.8", "6.11", "modern", "seed" };

		if (pick(name, v, names, 6, &i, err, errlen))
			return -1;
		o->model = i == 4 ? ZPB_MODEL_6_18 : i == 5 ? ZPB_MODEL_5_4 : (enum zpb_zswap_model)i;
		return 0;
	}
	if (!strcmp(name, "compress")) {
		if (!v) {
			snprintf(err, errlen, "--compress: needs a codec (lz4, lzo, zstd[:LEVEL] or deflate)");
			return -1;
		}
		return zpb_codec_parse(v, &o->codec, err, errlen);
	}
	if (!strcmp(name, "deterministic")) {
		o->deterministic = true;
		return 0;
	}
	if (!strcmp(name, "lockstat")) {
		if (!zpool_lockstat_supported()) {
			snprintf(err, errlen, "--lockstat: this build records no lock statistics; build one that does "
				 "with './configure --lockstat --builddir=build-lockstat' (locks pay for the check only there)");
			return -1;
		}
		o->lockstat = true;
		return 0;
	}
	if (!strcmp(name, "sample-ops")) {
		if (parse_u64(name, v, 1, UINT64_C(1) << 40, &u, err, errlen))
			return -1;
		o->sample_ops = u;
		return 0;
	}
	if (!strcmp(name, "repeat")) {
		if (parse_u64(name, v, 1, 1000, &u, err, errlen))
			return -1;
		o->repeat = (int)u;
		return 0;
	}
	if (!strcmp(name, "warmup")) {
		if (parse_u64(name, v, 0, UINT64_C(1) << 40, &u, err, errlen))
			return -1;
		o->warmup = u;
		return 0;
	}
	if (!strcmp(name, "exclusive-loads")) {
		static const char *const names[] = { "off", "on" };

		return pick(name, v, names, 2, &o->exclusive_loads, err, errlen);
	}
	if (!strcmp(name, "fatal-verify")) {
		o->fatal_verify = true;
		return 0;
	}
	if (!strcmp(name, "counters")) {
		if (!v || !*v || strlen(v) >= sizeof(o->counters_text)) {
			snprintf(err, errlen, "--counters: needs EVENT[,EVENT...] (e.g. instructions,cycles)");
			return -1;
		}
		strcpy(o->counters_text, v);
		return 0;
	}
	if (!strcmp(name, "instructions")) {
		if (!v || strcmp(v, "callgrind")) {
			snprintf(err, errlen, "--instructions: '%s' is not a method (the one there is: callgrind)", v ? v : "");
			return -1;
		}
		o->instructions = true;
		return 0;
	}
	if (!strcmp(name, "zpb-internal-callgrind-child")) {
		if (!v || strlen(v) >= sizeof(o->callgrind_spec)) {
			snprintf(err, errlen, "--zpb-internal-callgrind-child: needs an allocator spec");
			return -1;
		}
		strcpy(o->callgrind_spec, v);
		o->callgrind_child = true;
		return 0;
	}
	snprintf(err, errlen, "unknown replay option '--%s'", name);
	return -1;
}

static bool node_exists(int node)
{
	if (numa_available() < 0)
		return node == 0;
	return node >= 0 && node <= numa_max_node() && numa_bitmask_isbitset(numa_all_nodes_ptr, node);
}

static int cpu_node(int cpu)
{
	int n = numa_available() < 0 ? 0 : numa_node_of_cpu(cpu);

	return n < 0 ? 0 : n;
}

static void online_list(char *buf, size_t len)
{
	int cpu, first = -1, prev = -2;
	size_t l = 0;

	buf[0] = '\0';
	for (cpu = 0; cpu <= CPU_SETSIZE; cpu++) {
		bool on = cpu < CPU_SETSIZE && zpool_cpu_usable(cpu);

		if (on && cpu == prev + 1) {
			prev = cpu;
			continue;
		}
		if (first >= 0 && l < len)
			l += snprintf(buf + l, len - l, first == prev ? "%s%d" : "%s%d-%d", l ? "," : "", first, prev);
		first = on ? cpu : -1;
		prev = on ? cpu : -2;
	}
}

int zpb_replay_options_finish(struct zpb_replay_options *o, char *err, size_t errlen)
{
	char online[256];
	int i, j;

	if (o->callgrind_child) {
		/* The child replays one allocator, as deterministically as can be. */
		if (zpb_spec_parse(o->callgrind_spec, &o->specs[0], err, errlen))
			return -1;
		o->nspecs = 1;
		o->threads = 1;
		o->deterministic = true;
		o->reclaim_mode = ZPB_RECLAIM_MODE_DEFAULT;
		o->repeat = 1;
		o->warmup = 0;
		o->instructions = false;
		o->counters_text[0] = '\0';
	}
	if (o->nspecs == 0) {
		snprintf(err, errlen, "--alloc: no allocator given (e.g. --alloc zsmalloc,z3fold,zbud or --alloc all)");
		return -1;
	}
	if (o->instructions) {
		char why[256];

		if (!zpb_callgrind_available(why, sizeof(why))) {
			snprintf(err, errlen, "--instructions callgrind: %s", why);
			return -1;
		}
	}
	if (o->counters_text[0] && !o->counters) {
		o->counters = calloc(1, sizeof(*o->counters));
		if (!o->counters) {
			snprintf(err, errlen, "--counters: out of memory");
			return -1;
		}
		if (zpb_counters_resolve(o->counters, o->counters_text, err, errlen)) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "--counters: %s",
				 strncmp(err, "counters: ", 10) ? err : err + 10);
			snprintf(err, errlen, "%s", tmp);
			free(o->counters);
			o->counters = NULL;
			return -1;
		}
	}
	online_list(online, sizeof(online));
	for (i = 0; i < o->nnodes; i++)
		if (!node_exists(o->nodes[i])) {
			snprintf(err, errlen, "--numa-nodes: node %d does not exist (this machine has %d node%s)",
				 o->nodes[i], numa_available() < 0 ? 1 : numa_max_node() + 1,
				 numa_available() < 0 || numa_max_node() == 0 ? "" : "s");
			return -1;
		}
	for (i = 0; i < o->ncpus; i++)
		if (!zpool_cpu_usable(o->cpus[i])) {
			snprintf(err, errlen, "--cpus: CPU %d does not exist or is not available to this process (available: %s)",
				 o->cpus[i], online);
			return -1;
		}
	if (!o->cpus_given) {
		/* The online CPUs, restricted to the chosen nodes if any. */
		int cpu;

		o->ncpus = 0;
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			bool ok = o->nnodes == 0;

			if (!zpool_cpu_usable(cpu))
				continue;

			for (j = 0; j < o->nnodes; j++)
				ok |= cpu_node(cpu) == o->nodes[j];
			if (ok && o->ncpus < ZPB_REPLAY_MAX_THREADS)
				o->cpus[o->ncpus++] = cpu;
		}
		if (o->ncpus == 0) {
			snprintf(err, errlen, "--numa-nodes: no CPU available to this process is on those nodes (available: %s)", online);
			return -1;
		}
	}
	if (o->mem_policy != ZPB_MEM_LOCAL && o->nnodes == 0) {
		snprintf(err, errlen, "--mem-policy %s: needs --numa-nodes LIST", zpb_mem_policy_name(o->mem_policy));
		return -1;
	}
	if (o->deterministic) {
		if (o->threads > 1) {
			snprintf(err, errlen, "--deterministic: runs one thread; drop --threads %d", o->threads);
			return -1;
		}
		if (o->reclaim_mode == ZPB_RECLAIM_ASYNC) {
			snprintf(err, errlen, "--deterministic: reclaim must run in the store path; drop --reclaim-mode async");
			return -1;
		}
		o->threads = 1;
		o->reclaim_mode = ZPB_RECLAIM_SYNC;
	}
	if (o->threads == 0)
		o->threads = o->cpus_given ? o->ncpus : 1;
	if (o->reclaim_mode == ZPB_RECLAIM_MODE_DEFAULT)
		o->reclaim_mode = ZPB_RECLAIM_SYNC;
	if (o->exclusive_loads < 0)
		/* Exclusive loads: a config option off by default in 6.5..6.8, always on since 6.9. */
		o->exclusive_loads = o->model == ZPB_MODEL_6_11 || o->model == ZPB_MODEL_6_18;
	if (o->limit_percent) {
		long pages = sysconf(_SC_PHYS_PAGES);

		o->pool_limit_pages = (unsigned long)((double)(pages > 0 ? pages : 0) * o->limit_value / 100.0);
		if (o->pool_limit_pages == 0)
			o->pool_limit_pages = 1;
	} else {
		o->pool_limit_pages = (unsigned long)o->limit_value;
	}
	/* An explicit pool-lru needs every allocator to evict: say which cannot. */
	if (o->reclaim == ZPB_RECLAIM_POOL_LRU)
		for (i = 0; i < o->nspecs; i++)
			if (!(o->specs[i].driver->caps & (ZPB_CAP_EVICT | ZPB_CAP_HARNESS))) {
				snprintf(err, errlen, "--reclaim pool-lru: allocator '%s' cannot evict (no shrink/evict); use --reclaim zswap-lru",
					 o->specs[i].text);
				return -1;
			}
	return 0;
}

void zpb_replay_options_release(struct zpb_replay_options *o)
{
	if (o->counters) {
		zpb_counters_destroy(o->counters);
		free(o->counters);
		o->counters = NULL;
	}
}

enum zpb_reclaim zpb_replay_reclaim_for(const struct zpb_replay_options *o, const struct zpool_driver *driver)
{
	if (o->reclaim != ZPB_RECLAIM_DEFAULT)
		return o->reclaim;
	if (o->model != ZPB_MODEL_5_4)
		return ZPB_RECLAIM_ZSWAP_LRU;
	/* v5.4 shrinks through the allocator; a pool that cannot evict only rejects. */
	return driver->caps & ZPB_CAP_EVICT ? ZPB_RECLAIM_POOL_LRU : ZPB_RECLAIM_NONE;
}
