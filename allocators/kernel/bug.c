// SPDX-License-Identifier: GPL-2.0-only
/*
 * WARN/BUG/printk for the ports: count every warning, print the first few of
 * each site so a broken run does not drown stderr, abort on BUG.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "atomic.h"
#include "bug.h"

static atomic_long_t warnings;
static atomic_long_t errors;
static atomic_long_t guards;
static int quiet;

/* Print at most this many WARNs in all; the counter keeps counting. */
#define WARN_PRINT_LIMIT 20

void zpb_warn(const char *file, int line, const char *cond)
{
	long n = atomic_long_inc_return(&warnings);

	if (!__atomic_load_n(&quiet, __ATOMIC_RELAXED) && n <= WARN_PRINT_LIMIT)
		fprintf(stderr, "zpoolbench: WARNING at %s:%d: %s%s\n", file, line, cond,
			n == WARN_PRINT_LIMIT ? " (further warnings are counted, not printed)" : "");
}

void zpb_guard(const char *file, int line, const char *cond)
{
	long n = atomic_long_inc_return(&guards);

	if (!__atomic_load_n(&quiet, __ATOMIC_RELAXED) && n <= WARN_PRINT_LIMIT)
		fprintf(stderr, "zpoolbench: port guard at %s:%d: %s (a defect of the ported source, caught)%s\n", file,
			line, cond, n == WARN_PRINT_LIMIT ? " (further hits are counted, not printed)" : "");
}

void zpb_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "zpoolbench: BUG at %s:%d: %s\n", file, line, cond);
	fflush(stderr);
	abort();
}

void zpb_printk(int level, const char *fmt, ...)
{
	va_list ap;

	if (level <= ZPB_LOGLEVEL_ERR)
		atomic_long_inc(&errors);
	if (level >= ZPB_LOGLEVEL_DEBUG || __atomic_load_n(&quiet, __ATOMIC_RELAXED))
		return;
	fputs("zpoolbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

unsigned long zpb_diag_warnings(void) { return atomic_long_read(&warnings); }
unsigned long zpb_diag_errors(void) { return atomic_long_read(&errors); }
unsigned long zpb_diag_guards(void) { return atomic_long_read(&guards); }

void zpb_diag_reset(void)
{
	atomic_long_set(&warnings, 0);
	atomic_long_set(&errors, 0);
	atomic_long_set(&guards, 0);
}

void zpb_diag_set_quiet(bool q) { __atomic_store_n(&quiet, q, __ATOMIC_RELAXED); }
