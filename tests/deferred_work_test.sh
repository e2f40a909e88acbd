#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# deferred_work_test.sh BUILDDIR: z3fold frees its pages through work
# queued to a worker (release_wq, compact_wq). The kernel runs a kworker it
# woke within microseconds; a worker thread here waited for a time slice
# on CPUs the 2 replay threads keep busy, and z3fold's pool held 20-35
# times the pages (mean over the run) it holds when the work runs at once,
# varying from run to run. The replay threads now run that work between
# ops (kernel/sched.h, zpb_preempt_point()): on 2 threads the mean stays
# within 2x of the deterministic run's, in each of 3 repetitions, and the
# results count the works so run.
# Prints "N passed, N failed" like the C test programs.
set -u
b=${1:-build}
. tests/sh_harness.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-deferred.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
t=traces/samples/licenses-lru.zpt

if "$b/zpoolbench" replay "$t" --alloc z3fold --deterministic -q -o "$tmp/det.json" 2>"$tmp/err" &&
	"$b/zpoolbench" replay "$t" --alloc z3fold --threads 2 --repeat 3 -q -o "$tmp/thr.json" 2>>"$tmp/err"; then
	out=$(python3 - "$tmp/det.json" "$tmp/thr.json" <<'PY'
import json, sys
det = json.load(open(sys.argv[1]))["runs"][0]["over_run"]["mean_pool_pages"]
runs = json.load(open(sys.argv[2]))["runs"]
means = [r["over_run"]["mean_pool_pages"] for r in runs]
works = [r["emulation"]["works_between_ops"] for r in runs]
bad = [m for m in means if m > 2 * det]
print("ok" if not bad and len(means) == 3 else "bad",
      "deterministic %.1f, threaded %s" % (det, " ".join("%.1f" % m for m in means)),
      "works" if all(w > 0 for w in works) else "noworks")
PY
)
	case $out in
	ok*) ok z3fold_on_2_threads_holds_about_the_pages_of_the_deterministic_run ;;
	*) bad z3fold_on_2_threads_holds_about_the_pages_of_the_deterministic_run "allocator z3fold, $t: mean pool pages over the run: ${out#* }; expected each <= 2x the deterministic" ;;
	esac
	case $out in
	*noworks) bad replay_counts_the_works_it_ran_between_ops "emulation.works_between_ops is 0 in a threaded z3fold run" ;;
	*) ok replay_counts_the_works_it_ran_between_ops ;;
	esac
else
	bad z3fold_replays "$(cat "$tmp/err")"
fi
finish
