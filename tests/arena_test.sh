#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# arena_test.sh BUILDDIR: replay under an address-space limit (ulimit -v).
# The page arena reserves what the pool limit and the trace need, falls back
# to smaller reservations, and when nothing fits the replay exits 2 with one
# line saying how much it needed (it used to abort, exit 134, whenever 1 GiB
# did not fit); and an arena that runs out during a replay fails the stores
# it cannot place, which the replay counts as rejected. Skipped in sanitizer
# builds, whose shadow memory needs terabytes of address space. Prints "N passed, N failed" for tests/run.sh.
set -u
b=${1:-build}
z="$b/zpoolbench"
trace=traces/samples/synth-mixed.zpt
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

if grep -q '^sanitize = ..*' "$b/config.ninja" 2>/dev/null; then
	echo "skip arena_test: a sanitizer build cannot run under ulimit -v (its shadow memory)"
	echo "1 skipped"
	finish
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-arena.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# under KIB ARGS...: replay $trace with ARGS under ulimit -v KIB; leaves $rc, $tmp/err.
under() {
	lim=$1
	shift
	rm -f "$tmp/out.json"
	(ulimit -v "$lim" && exec "$z" replay "$trace" -q -o "$tmp/out.json" "$@") >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
}

under 1000000 --alloc zbud,z3fold,zsmalloc
if [ "$rc" = 0 ] && [ -s "$tmp/out.json" ]; then
	ok replay_under_ulimit_v_1000000_succeeds
else
	bad replay_under_ulimit_v_1000000_succeeds "exit $rc: $(head -n 2 "$tmp/err")"
fi

# 200 MB: the trace's 60004 records could need 249 MiB of pages.
under 200000 --alloc zbud
n=$(wc -l < "$tmp/err")
if [ "$rc" = 2 ] && [ "$n" = 1 ] && grep -q 'cannot reserve [0-9]* MiB of address space for the page arena' "$tmp/err" &&
   [ ! -e "$tmp/out.json" ]; then
	ok replay_that_cannot_reserve_its_pages_exits_2_with_one_line_naming_the_size
else
	bad replay_that_cannot_reserve_its_pages_exits_2_with_one_line_naming_the_size \
		"exit $rc, $n lines: $(head -n 2 "$tmp/err")"
fi

# The same limit with a small pool: the reservation fits what the pool limit needs.
under 200000 --alloc zbud,zsmalloc --pool-limit 2000
if [ "$rc" = 0 ] && [ -s "$tmp/out.json" ]; then
	ok replay_under_ulimit_v_reserves_only_what_its_pool_limit_needs
else
	bad replay_under_ulimit_v_reserves_only_what_its_pool_limit_needs "exit $rc: $(head -n 2 "$tmp/err")"
fi
# A text trace without a record count and no pool limit: nothing to size the
# reservation by, so the arena takes what fits on first use (64 MiB under
# this limit, where the run wants about 124 MiB) and runs out during the
# replay: the stores it cannot place are rejected, the replay goes on to the
# end, and every load that finds its store verifies.
if "$z" synth --profile binaries --ops 400000 --seed 1 --text -o "$tmp/big.txt" >/dev/null 2>&1 &&
   grep -v '^# records' "$tmp/big.txt" > "$tmp/nocount.txt"; then
	trace=$tmp/nocount.txt
	under 120000 --alloc z3fold --pool-limit none
	rej=$(grep -o '"rejected_alloc": [0-9]*' "$tmp/out.json" 2>/dev/null | head -n 1 | tr -dc 0-9)
	vf=$(grep -o '"verify_failures": [0-9]*' "$tmp/out.json" 2>/dev/null | head -n 1 | tr -dc 0-9)
	if [ "$rc" = 0 ] && [ "${rej:-0}" -gt 0 ] && [ "$vf" = 0 ]; then
		ok replay_whose_arena_runs_out_rejects_the_stores_it_cannot_place_and_goes_on
	else
		bad replay_whose_arena_runs_out_rejects_the_stores_it_cannot_place_and_goes_on \
			"exit $rc, rejected_alloc ${rej:-none}, verify_failures ${vf:-none}: $(head -n 2 "$tmp/err")"
	fi
else
	bad replay_whose_arena_runs_out_rejects_the_stores_it_cannot_place_and_goes_on "cannot write the trace"
fi
finish
