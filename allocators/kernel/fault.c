// SPDX-License-Identifier: GPL-2.0-only
/* Failure injection for the compat layer's allocations. See fault.h. */
#include "fault.h"

int zpb_fault_armed;
static unsigned int fault_sites;
static unsigned long fault_nth;
static unsigned int fault_permille;
static uint64_t fault_seed;
static unsigned long fault_calls, fault_injected;	/* atomic */

void zpb_fault_start(const struct zpb_fault_config *c)
{
	zpb_fault_stop();
	fault_sites = c->sites;
	fault_nth = c->nth;
	fault_permille = c->permille;
	fault_seed = c->seed;
	__atomic_store_n(&fault_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_injected, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&zpb_fault_armed, 1, __ATOMIC_RELEASE);
}

void zpb_fault_stop(void)
{
	__atomic_store_n(&zpb_fault_armed, 0, __ATOMIC_RELEASE);
}

unsigned long zpb_fault_calls(void)
{
	return __atomic_load_n(&fault_calls, __ATOMIC_RELAXED);
}

unsigned long zpb_fault_injected(void)
{
	return __atomic_load_n(&fault_injected, __ATOMIC_RELAXED);
}

/* splitmix64 of the seed and the call number: the same calls fail for a seed. */
static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool zpb_fault_hit(unsigned int site)
{
	unsigned long n;
	bool fail;

	/* The configuration is written before arming (release) and read after (acquire). */
	if (!__atomic_load_n(&zpb_fault_armed, __ATOMIC_ACQUIRE) || !(fault_sites & site))
		return false;
	n = __atomic_add_fetch(&fault_calls, 1, __ATOMIC_RELAXED);
	if (fault_nth)
		fail = n == fault_nth;
	else
		fail = fault_permille && mix(fault_seed ^ (n * 0x2545f4914f6cdd1dULL)) % 1000 < fault_permille;
	if (fail)
		__atomic_add_fetch(&fault_injected, 1, __ATOMIC_RELAXED);
	return fail;
}
