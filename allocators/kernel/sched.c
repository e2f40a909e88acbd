// SPDX-License-Identifier: GPL-2.0-only
/* The compat layer's counted system calls and cond_resched(). See sched.h. */
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "percpu.h"
#include "sched.h"
#include "workqueue.h"

__thread struct zpb_emulation zpb_emul;
int zpb_cpu_bound_queued[ZPB_MAX_CPUS];
int zpb_unbound_queued;

/* CLOCK_MONOTONIC is served by the vDSO: timing a system call adds none. */
static inline uint64_t emul_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void zpb_futex_wait(uint32_t *word, uint32_t val)
{
	uint64_t t0 = emul_now();

	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
	zpb_emul.futex_wait++;
	zpb_emul.ns += emul_now() - t0;
}

void zpb_futex_wake(uint32_t *word, int n)
{
	uint64_t t0 = emul_now();

	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
	zpb_emul.futex_wake++;
	zpb_emul.ns += emul_now() - t0;
}

void zpb_sched_yield(void)
{
	uint64_t t0 = emul_now();

	sched_yield();
	zpb_emul.sched_yield++;
	zpb_emul.ns += emul_now() - t0;
}

void cond_resched(void)
{
	int cpu = smp_processor_id();
	int queued = __atomic_load_n(&zpb_cpu_bound_queued[cpu], __ATOMIC_RELAXED);

	/* A bound worker's own queue waits for it anyway: only others' work counts. */
	if (queued > zpb_wq_current_bound_queued(cpu))
		zpb_sched_yield();
}
