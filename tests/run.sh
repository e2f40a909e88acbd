#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run.sh TEST...: run test programs, add up their "N passed, N failed" lines
# (and "N skipped" lines) and end with the suite's own. A program that dies
# without its summary line
# (a crash, a sanitizer report) counts as one failure.
set -u
total_pass=0 total_fail=0 total_skip=0 broken=
for t in "$@"; do
	name=$(basename "$t")
	echo "== $name"
	out=$(mktemp)
	"$t" > "$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	skip=$(grep -E '^[0-9]+ skipped$' "$out" | tail -n 1)
	[ -n "$skip" ] && total_skip=$((total_skip + ${skip%% skipped}))
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "== $name: exited with status $rc before its summary line"
		total_fail=$((total_fail + 1)); broken="$broken $name"
		continue
	fi
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "== $name: exited with status $rc although no test failed"
		total_fail=$((total_fail + 1)); broken="$broken $name"
	fi
	[ "$f" != 0 ] && broken="$broken $name"
done
[ -n "$broken" ] && echo "failing programs:$broken"
[ "$total_skip" != 0 ] && echo "$total_skip skipped (see the 'skip' lines above)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
