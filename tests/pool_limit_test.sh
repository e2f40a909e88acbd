#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# pool_limit_test.sh BUILDDIR: the pool limit holds for z3fold, whose frees
# are deferred to a worker, on 2 threads in the default (threaded
# workqueue) mode: every repetition's peak of pages the pool really held
# (the page arena's count, results' final.peak_pool_pages) stays within the
# limit plus the bounded overshoot docs/replay.md explains: 32 pages of
# deferred frees (ZPB_DEFERRED_SLACK_PAGES) and one store's page per thread.
# Before the bound, the same command peaked at 2364, 6115 and 9561 pages.
# Prints "N passed, N failed" like the C test programs.
set -u
b=${1:-build}
. tests/sh_harness.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-limit.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

limit=2000 bound=$((2000 + 32 + 2))
if "$b/zpoolbench" replay traces/samples/synth-mixed.zpt --alloc z3fold --pool-limit $limit \
	--threads 2 --repeat 3 -o "$tmp/r.json" --quiet >"$tmp/out" 2>&1; then
	peaks=$(python3 -c 'import json,sys
print(" ".join(str(r["final"]["peak_pool_pages"]) for r in json.load(open(sys.argv[1]))["runs"]))' "$tmp/r.json")
	n=0 over=""
	for p in $peaks; do
		n=$((n + 1))
		[ "$p" -le $bound ] || over="$over $p"
	done
	if [ $n -ne 3 ]; then
		bad z3fold_peak_under_a_pool_limit_on_2_threads "expected 3 runs' peaks, found $n: $peaks"
	elif [ -n "$over" ]; then
		bad z3fold_peak_under_a_pool_limit_on_2_threads "allocator z3fold, limit $limit: peaks $peaks; expected each <= $bound"
	else
		ok z3fold_peak_under_a_pool_limit_on_2_threads
	fi
else
	bad z3fold_replay_under_a_pool_limit_runs "$(cat "$tmp/out")"
fi
finish
