/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Instructions per op type with no PMU: callgrind.
 *
 * The mechanism, in two processes:
 *
 *  parent  zpb_callgrind_run(argv) runs
 *            valgrind --tool=callgrind --collect-atstart=no
 *                     --compress-strings=no --compress-pos=no
 *                     --callgrind-out-file=TMP  argv...
 *          (argv: the same zpoolbench command, for one allocator, with an
 *          option telling it it is the callgrind child), waits, and parses
 *          TMP with zpb_callgrind_parse().
 *  child   runs every op through zpb_callgrind_op(op, fn, arg). That calls
 *          one wrapper function per op type (zpb_cg_op_store, ...), which
 *          switches collection on (CALLGRIND_TOGGLE_COLLECT), calls
 *          fn(arg), and switches it off. Nothing else is collected.
 *
 * In callgrind's output each wrapper's block then holds exactly one kind of
 * call line: "calls=N" to fn, followed by fn's inclusive cost. Summed over
 * the file, N is the number of ops of that type and the cost their
 * instructions (Ir), so instructions per op = cost / N. Nothing is inferred
 * from line numbers or other functions' names.
 *
 * Stability: callgrind counts guest instructions, so the figure does not
 * depend on the machine's load. It is bit-for-bit stable when the child
 * is deterministic: one replay thread, deterministic workqueues (deferred
 * work then runs inside the op that queued it, and is counted there).
 *
 * The wrappers use valgrind/callgrind.h (Debian's valgrind package). Without
 * that header at build time, or in a sanitizer build (valgrind cannot run
 * those), zpb_callgrind_available() says why and zpb_callgrind_op() just
 * calls fn.
 */
#ifndef ZPB_MEASURE_CALLGRIND_H
#define ZPB_MEASURE_CALLGRIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../traces/trace.h"

struct zpb_jw;

#define ZPB_CG_OPS (ZPB_OP_MAX + 1)	/* indexed by enum zpb_op */

/**
 * struct zpb_cg_result - what one callgrind child measured
 * @ir: instructions inside ops of each type (fn's inclusive cost)
 * @ops: ops of each type (calls of fn from that type's wrapper)
 */
struct zpb_cg_result {
	uint64_t ir[ZPB_CG_OPS];
	uint64_t ops[ZPB_CG_OPS];
};

typedef int (*zpb_cg_fn)(void *arg);

/**
 * zpb_callgrind_op - run one op of type @op, collected under callgrind
 * Return: what @fn returned. Outside valgrind the toggles are a few no-op
 * instructions; use it only in the callgrind child all the same.
 */
int zpb_callgrind_op(unsigned int op, zpb_cg_fn fn, void *arg);

/**
 * zpb_callgrind_available - can this build and machine run the child?
 * Return: true, or false with @why saying what is missing.
 */
bool zpb_callgrind_available(char *why, size_t len);

/* True when this process runs under valgrind (the child). */
bool zpb_callgrind_in_child(void);

/**
 * zpb_callgrind_run - run @argv under callgrind and read back its figures
 * @argv: the child command, NULL-terminated; argv[0] a path to execute
 *
 * The child's stdout and stderr go to a temporary log; on failure @err
 * names the command and quotes the log's last line.
 * Return: 0, or -1 with @err set (valgrind missing, child failed, output
 * unreadable or holding no op).
 */
int zpb_callgrind_run(char *const argv[], struct zpb_cg_result *res, char *err, size_t errlen);

/**
 * zpb_callgrind_parse - read a callgrind output file written with
 * --compress-strings=no --compress-pos=no
 * Return: 0, or -1 with @err naming the file and line.
 */
int zpb_callgrind_parse(const char *path, struct zpb_cg_result *res, char *err, size_t errlen);

/* Instructions per op of type @op (0 if none ran). */
double zpb_callgrind_per_op(const struct zpb_cg_result *res, unsigned int op);

/*
 * Write the run's "instructions" value (docs/results-format.md): an object
 * with, per op type that ran, instructions per op ({"store": 412.5, ...}).
 */
void zpb_callgrind_write_json(struct zpb_jw *w, const struct zpb_cg_result *res);

#endif
