/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WARN_ON, BUG_ON and pr_* for the ports.
 *
 * A WARN in a port means the port reached a state its kernel original treats
 * as a bug. Every WARN is counted in a process-wide diagnostics counter that
 * the tests assert stays at zero and that replay results record, and is
 * printed to stderr with its file and line (the first few of each site only).
 * BUG_ON aborts with the file and line.
 */
#ifndef ZPB_KERNEL_BUG_H
#define ZPB_KERNEL_BUG_H

#include "types.h"

void zpb_warn(const char *file, int line, const char *cond);
void zpb_guard(const char *file, int line, const char *cond);
void zpb_bug(const char *file, int line, const char *cond) __attribute__((noreturn));
void zpb_printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How many WARNs and pr_err()s have fired since start (or the last reset). */
unsigned long zpb_diag_warnings(void);
unsigned long zpb_diag_errors(void);
/* How many PORT_GUARD()s have caught a defect of the ported source (below). */
unsigned long zpb_diag_guards(void);
void zpb_diag_reset(void);
/* Silence the stderr copy (the counters still count): for tests that provoke WARNs. */
void zpb_diag_set_quiet(bool quiet);

#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		zpb_warn(__FILE__, __LINE__, #cond);			\
	unlikely(__c);							\
})
/*
 * PORT_GUARD() - where a faithful port reproduces a defect of its source
 * that would corrupt memory or crash (a race the source loses under
 * threads, a bound it does not check), the port tests for it and takes the
 * safe path. Not a WARN: the kernel code has none there, and a WARN means
 * the port itself went wrong. Counted apart (results' diagnostics.guards)
 * and printed like a WARN, so a reader sees how often the source's defect
 * was hit. Evaluates to @cond.
 */
#define PORT_GUARD(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		zpb_guard(__FILE__, __LINE__, #cond);			\
	unlikely(__c);							\
})
#define WARN_ON_ONCE(cond) WARN_ON(cond)
#define WARN(cond, ...) WARN_ON(cond)
#define BUG() zpb_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) do { if (unlikely(cond)) zpb_bug(__FILE__, __LINE__, #cond); } while (0)
#define VM_BUG_ON(cond) BUG_ON(cond)
#define VM_BUG_ON_PAGE(cond, page) BUG_ON(cond)
#define VM_WARN_ON(cond) ((void)WARN_ON(cond))

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define ZPB_LOGLEVEL_ERR 3
#define ZPB_LOGLEVEL_WARN 4
#define ZPB_LOGLEVEL_INFO 6
#define ZPB_LOGLEVEL_DEBUG 7
#define pr_err(fmt, ...) zpb_printk(ZPB_LOGLEVEL_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) zpb_printk(ZPB_LOGLEVEL_WARN, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) zpb_printk(ZPB_LOGLEVEL_INFO, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) zpb_printk(ZPB_LOGLEVEL_DEBUG, pr_fmt(fmt), ##__VA_ARGS__)

#endif
