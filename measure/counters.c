// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counters: libpfm4 names -> perf_event_attr -> one perf event group per
 * replay thread. See counters.h for the shape of a run and what "per-op"
 * and "per-run" mean.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "../util/json_writer.h"
#include "config.h"
#include "counters.h"

#ifdef HAVE_PFM
/* perfmon's perf_event.h replaces linux/perf_event.h (they clash). */
#include <perfmon/pfmlib_perf_event.h>
_Static_assert(sizeof(struct perf_event_attr) <= sizeof(((struct zpb_counter_event *)0)->attr),
	       "zpb_counter_event.attr too small for this perf_event_attr");
#endif

#define CAP_USER_RDPMC (1ull << 2)	/* perf_event_mmap_page.capabilities */

static const char *const op_key[ZPB_COUNTER_OPS] = {
	[ZPB_OP_STORE] = "store", [ZPB_OP_LOAD] = "load",
	[ZPB_OP_INVALIDATE] = "invalidate", [ZPB_OP_WRITEBACK] = "writeback",
	[ZPB_OP_COMPACT] = "compact", [ZPB_OP_MARK] = "mark",
};

static const char *const standard_events[] = {
	"instructions", "cycles", "branch-misses", "cache-misses", "LLC-misses",
	"dTLB-load-misses", "perf::page-faults", "minor-faults", "major-faults",
	"task-clock", "context-switches", "cpu-migrations", NULL,
};

const char *const *zpb_counters_standard_events(void)
{
	return standard_events;
}


/* Caller holds set->lock. The reason names the event. */
static void mark_unsupported(struct zpb_counter_event *ev, const char *why)
{
	if (ev->status == ZPB_COUNTER_UNSUPPORTED)
		return;		/* reported once: the first reason stands */
	ev->status = ZPB_COUNTER_UNSUPPORTED;
	/* two steps: gcc cannot tell ev->name from ev->reason in one snprintf */
	memcpy(ev->reason, ev->name, strlen(ev->name) + 1);
	snprintf(ev->reason + strlen(ev->reason), sizeof(ev->reason) - strlen(ev->reason), ": %s", why);
}

#ifdef HAVE_PFM
/*
 * perf(1) accepts "<cache>-misses" with the op left out and defaults it to
 * load (tools/perf parse-events); libpfm4 4.13 wants the op spelt out.
 */
static const char *const aliases[][2] = {
	{ "LLC-misses", "LLC-load-misses" },
	{ "L1-dcache-misses", "L1-dcache-load-misses" },
	{ "dTLB-misses", "dTLB-load-misses" },
	{ "iTLB-misses", "iTLB-load-misses" },
};

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_init_ret;

static void pfm_init(void)
{
	pfm_init_ret = pfm_initialize();
}

bool zpb_counters_available(char *why, size_t len)
{
	pthread_once(&pfm_once, pfm_init);
	if (pfm_init_ret != PFM_SUCCESS) {
		snprintf(why, len, "libpfm4 could not initialise: %s", pfm_strerror(pfm_init_ret));
		return false;
	}
	return true;
}

/* Encode @name into @ev. 0, or -1 with @err set. */
static int encode(struct zpb_counter_event *ev, const char *name, char *err, size_t errlen)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	const char *pfm_name = name;
	char *fstr = NULL;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i][0]))
			pfm_name = aliases[i][1];
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	arg.fstr = &fstr;
	/* PFM_PLM3: user space only, which perf_event_paranoid 2 allows. */
	ret = pfm_get_os_event_encoding(pfm_name, PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(err, errlen, "counters: unknown event '%s' (libpfm4: %s; see 'zpoolbench list')",
			 name, pfm_strerror(ret));
		free(fstr);
		return -1;
	}
	snprintf(ev->canonical, sizeof(ev->canonical), "%s", fstr ? fstr : pfm_name);
	free(fstr);
	attr.size = sizeof(attr);
	attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
			   PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr.disabled = 0;	/* only the leader is disabled, at open time */
	attr.inherit = 0;	/* per thread: replay threads open their own */
	memcpy(ev->attr, &attr, sizeof(attr));
	ev->resolved = true;
	return 0;
}

/* Why perf_event_open failed with @e, in words, into @buf. */
static void describe_open_error(char *buf, size_t len, const struct perf_event_attr *attr, int e)
{
	char paranoid[16] = "?";
	const char *what;
	FILE *f;

	switch (e) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		what = attr->type == PERF_TYPE_SOFTWARE ? "not supported by this kernel"
			: "no hardware PMU for it on this machine (a VM without PMU passthrough?)";
		break;
	case EACCES:
	case EPERM:
		f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
		if (f) {
			if (!fgets(paranoid, sizeof(paranoid), f))
				snprintf(paranoid, sizeof(paranoid), "?");
			paranoid[strcspn(paranoid, "\n")] = 0;
			fclose(f);
		}
		snprintf(buf, len, "not permitted (kernel.perf_event_paranoid = %s; perf_event_open: %s)",
			 paranoid, strerror(e));
		return;
	case EMFILE:
		what = "out of file descriptors";
		break;
	case EINVAL:
		what = "the kernel refused its attributes or its place in the group";
		break;
	default:
		what = "could not be opened";
		break;
	}
	snprintf(buf, len, "%s (perf_event_open: %s)", what, strerror(e));
}

static int perf_open(struct perf_event_attr *attr, int group_fd)
{
	return (int)syscall(__NR_perf_event_open, attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

int zpb_counters_probe(const char *name, char *reason, size_t len)
{
	struct zpb_counter_event ev;
	struct perf_event_attr attr;
	int fd;

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	if (!zpb_counters_available(reason, len))
		return 0;
	if (encode(&ev, name, reason, len))
		return -1;
	memcpy(&attr, ev.attr, sizeof(attr));
	attr.disabled = 1;
	fd = perf_open(&attr, -1);
	if (fd < 0) {
		describe_open_error(reason, len, &attr, errno);
		return 0;
	}
	close(fd);
	snprintf(reason, len, "%s", ev.canonical);
	return 1;
}

int zpb_counters_thread_open(struct zpb_counter_thread *t, struct zpb_counter_set *set)
{
	long psz = sysconf(_SC_PAGESIZE);
	int i, open = 0;

	memset(t, 0, sizeof(*t));
	t->set = set;
	t->leader = -1;
	for (i = 0; i < ZPB_COUNTERS_MAX; i++)
		t->fd[i] = -1;
	if (!zpb_counters_available(NULL, 0))
		return 0;
	pthread_mutex_lock(&set->lock);
	for (i = 0; i < set->n; i++) {
		struct zpb_counter_event *ev = &set->ev[i];
		struct perf_event_attr attr;
		struct perf_event_mmap_page *pc;
		int fd;

		if (!ev->resolved || ev->status == ZPB_COUNTER_UNSUPPORTED)
			continue;
		memcpy(&attr, ev->attr, sizeof(attr));
		attr.disabled = t->leader < 0;	/* the group starts with the leader */
		fd = perf_open(&attr, t->leader);
		if (fd < 0) {
			char why[200];

			describe_open_error(why, sizeof(why), &attr, errno);
			mark_unsupported(ev, why);
			continue;
		}
		t->fd[i] = fd;
		if (t->leader < 0)
			t->leader = fd;
		ev->threads_open++;
		open++;
#if defined(__x86_64__) || defined(__i386__)
		/* Self-monitoring page: only hardware counters have an rdpmc index. */
		if (attr.type != PERF_TYPE_SOFTWARE) {
			pc = mmap(NULL, (size_t)psz, PROT_READ, MAP_SHARED, fd, 0);
			if (pc != MAP_FAILED && (pc->capabilities & CAP_USER_RDPMC)) {
				t->page[i] = pc;
				t->rdpmc_ev[t->rdpmc_n++] = i;
				ev->threads_rdpmc++;
			} else if (pc != MAP_FAILED) {
				munmap(pc, (size_t)psz);
			}
		}
#else
		(void)pc, (void)psz;
#endif
	}
	pthread_mutex_unlock(&set->lock);
	t->active = open > 0;
	t->any_rdpmc = t->rdpmc_n > 0;
	return open;
}

void zpb_counters_thread_start(struct zpb_counter_thread *t)
{
	if (t->leader < 0)
		return;
	ioctl(t->leader, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
	ioctl(t->leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t rdpmc(unsigned int counter)
{
	uint32_t lo, hi;

	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(counter));
	return lo | ((uint64_t)hi << 32);
}

/* The self-monitoring read documented in linux/perf_event.h (seqlock on pc->lock). */
static uint64_t read_self(const volatile struct perf_event_mmap_page *pc)
{
	uint64_t count;
	uint32_t seq, idx;

	do {
		seq = pc->lock;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		idx = pc->index;
		count = (uint64_t)pc->offset;
		if (idx) {
			unsigned int shift = 64 - (pc->pmc_width ? pc->pmc_width : 64);
			uint64_t raw = rdpmc(idx - 1) << shift;

			/* sign-extend from the counter's width (an arithmetic shift in gcc and clang) */
			count += (uint64_t)((int64_t)raw >> shift);
		}
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (pc->lock != seq);
	return count;
}
#else
static uint64_t read_self(const volatile struct perf_event_mmap_page *pc)
{
	(void)pc;
	return 0;
}
#endif

void zpb_counters_snap(struct zpb_counter_thread *t, uint64_t *vals)
{
	int k;

	for (k = 0; k < t->rdpmc_n; k++)
		vals[k] = read_self(t->page[t->rdpmc_ev[k]]);
}

void zpb_counters_accumulate(struct zpb_counter_thread *t, unsigned int op)
{
	int k;

	for (k = 0; k < t->rdpmc_n; k++)
		t->op_total[op][k] += read_self(t->page[t->rdpmc_ev[k]]) - t->begin[k];
}

void zpb_counters_thread_stop(struct zpb_counter_thread *t)
{
	struct zpb_counter_set *set = t->set;
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t buf[3 + ZPB_COUNTERS_MAX];
	int i, k, nopen = 0;
	ssize_t got = -1;

	if (!set || t->leader < 0)
		return;
	ioctl(t->leader, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	for (i = 0; i < set->n; i++)
		nopen += t->fd[i] >= 0;
	got = read(t->leader, buf, sizeof(buf));
	pthread_mutex_lock(&set->lock);
	/* buf: nr, time_enabled, time_running, then one value per member in open order */
	if (got < (ssize_t)(3 * sizeof(uint64_t)) || buf[0] != (uint64_t)nopen) {
		for (i = 0; i < set->n; i++)
			if (t->fd[i] >= 0)
				mark_unsupported(&set->ev[i], "the perf event group could not be read back");
	} else if (buf[2] == 0 && buf[1] != 0) {
		for (i = 0; i < set->n; i++)
			if (t->fd[i] >= 0)
				mark_unsupported(&set->ev[i],
						 "the PMU never scheduled the event group (too many events at once?)");
	} else {
		uint64_t enabled = buf[1], running = buf[2];

		for (i = 0, k = 0; i < set->n; i++) {
			struct zpb_counter_event *ev = &set->ev[i];
			uint64_t v;
			int j, r;

			if (t->fd[i] < 0)
				continue;
			v = buf[3 + k++];
			/* Multiplexed: scale to the time the group was enabled, as perf stat does. */
			if (running && running < enabled)
				v = (uint64_t)((double)v * (double)enabled / (double)running);
			ev->total += v;
			ev->ops += t->ops;
			for (j = 0; j < ZPB_COUNTER_OPS; j++)
				ev->op_count[j] += t->op_count[j];
			for (r = 0; r < t->rdpmc_n; r++)
				if (t->rdpmc_ev[r] == i)
					for (j = 0; j < ZPB_COUNTER_OPS; j++)
						ev->op_total[j] += t->op_total[j][r];
		}
	}
	pthread_mutex_unlock(&set->lock);
	for (i = 0; i < ZPB_COUNTERS_MAX; i++) {
		if (t->page[i])
			munmap(t->page[i], (size_t)psz);
		if (t->fd[i] >= 0)
			close(t->fd[i]);
		t->page[i] = NULL;
		t->fd[i] = -1;
	}
	t->leader = -1;
	t->active = t->any_rdpmc = false;
	t->rdpmc_n = 0;
}

#else /* !HAVE_PFM */

#define NO_PFM "zpoolbench was built without libpfm4 (apt-get install libpfm4-dev, then ./configure)"

bool zpb_counters_available(char *why, size_t len)
{
	if (why)
		snprintf(why, len, NO_PFM);
	return false;
}

int zpb_counters_probe(const char *name, char *reason, size_t len)
{
	(void)name;
	snprintf(reason, len, NO_PFM);
	return 0;
}

int zpb_counters_thread_open(struct zpb_counter_thread *t, struct zpb_counter_set *set)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->set = set;
	t->leader = -1;
	for (i = 0; i < ZPB_COUNTERS_MAX; i++)
		t->fd[i] = -1;
	return 0;
}

void zpb_counters_thread_start(struct zpb_counter_thread *t)
{
	(void)t;
}

void zpb_counters_snap(struct zpb_counter_thread *t, uint64_t *vals)
{
	(void)t, (void)vals;
}

void zpb_counters_accumulate(struct zpb_counter_thread *t, unsigned int op)
{
	(void)t, (void)op;
}

void zpb_counters_thread_stop(struct zpb_counter_thread *t)
{
	(void)t;
}
#endif /* HAVE_PFM */

int zpb_counters_resolve(struct zpb_counter_set *set, const char *list, char *err, size_t errlen)
{
	const char *p = list;
	char why[200];
	bool avail = zpb_counters_available(why, sizeof(why));

	memset(set, 0, sizeof(*set));
	pthread_mutex_init(&set->lock, NULL);
	if (!list || !*list) {
		snprintf(err, errlen, "counters: empty event list (e.g. --counters instructions,perf::page-faults)");
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		struct zpb_counter_event *ev;

		if (n == 0) {
			snprintf(err, errlen, "counters: empty event name in '%s'", list);
			return -1;
		}
		if (n >= ZPB_COUNTER_NAME_LEN) {
			snprintf(err, errlen, "counters: event name '%.*s' is longer than %d bytes",
				 (int)n, p, ZPB_COUNTER_NAME_LEN - 1);
			return -1;
		}
		if (set->n == ZPB_COUNTERS_MAX) {
			snprintf(err, errlen, "counters: more than %d events in '%s'", ZPB_COUNTERS_MAX, list);
			return -1;
		}
		ev = &set->ev[set->n++];
		memcpy(ev->name, p, n);
		ev->name[n] = 0;
		if (!avail)
			mark_unsupported(ev, why);
#ifdef HAVE_PFM
		else if (encode(ev, ev->name, err, errlen))
			return -1;
#endif
		p += n;
		if (*p == ',')
			p++;
		if (*p == 0 && p[-1] == ',') {
			snprintf(err, errlen, "counters: empty event name at the end of '%s'", list);
			return -1;
		}
	}
	return 0;
}

void zpb_counters_reset(struct zpb_counter_set *set)
{
	int i;

	pthread_mutex_lock(&set->lock);
	for (i = 0; i < set->n; i++) {
		struct zpb_counter_event *ev = &set->ev[i];

		ev->total = ev->ops = 0;
		memset(ev->op_total, 0, sizeof(ev->op_total));
		memset(ev->op_count, 0, sizeof(ev->op_count));
		ev->threads_open = ev->threads_rdpmc = 0;
		ev->scope = ZPB_COUNTER_PER_RUN;
	}
	pthread_mutex_unlock(&set->lock);
}

void zpb_counters_destroy(struct zpb_counter_set *set)
{
	pthread_mutex_destroy(&set->lock);
}

void zpb_counters_write_json(struct zpb_jw *w, const struct zpb_counter_set *set)
{
	int i, j;

	zpb_jw_object_begin(w);
	for (i = 0; i < set->n; i++) {
		const struct zpb_counter_event *ev = &set->ev[i];
		bool per_op = ev->threads_open > 0 && ev->threads_rdpmc == ev->threads_open;

		zpb_jw_key(w, ev->name);
		zpb_jw_object_begin(w);
		if (ev->status == ZPB_COUNTER_UNSUPPORTED) {
			zpb_jw_kstring(w, "status", "unsupported");
			zpb_jw_kstring(w, "reason", ev->reason);
			zpb_jw_object_end(w);
			continue;
		}
		zpb_jw_kstring(w, "status", "ok");
		zpb_jw_kstring(w, "reason", "");
		zpb_jw_kstring(w, "event", ev->canonical);
		zpb_jw_kstring(w, "scope", per_op ? "per-op" : "per-run");
		zpb_jw_ku64(w, "total", ev->total);
		zpb_jw_ku64(w, "ops", ev->ops);
		zpb_jw_key(w, "per_op");
		zpb_jw_object_begin(w);
		if (per_op) {
			for (j = 1; j < ZPB_COUNTER_OPS; j++)
				if (ev->op_count[j])
					zpb_jw_kdouble(w, op_key[j], (double)ev->op_total[j] / (double)ev->op_count[j]);
		} else if (ev->ops) {
			zpb_jw_kdouble(w, "all", (double)ev->total / (double)ev->ops);
		}
		zpb_jw_object_end(w);
		zpb_jw_object_end(w);
	}
	zpb_jw_object_end(w);
}
