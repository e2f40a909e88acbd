#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# repeat_gate_test.sh BUILDDIR: repetitions and a gate that compares like
# with like, end to end. Each bundled sample (traces/samples/*.zpt) is
# replayed twice in the default mode with --repeat 5 and the two results
# are gated with the default rules: that must pass (page counts that vary
# are judged statistically, timings only warn). The issue's z3fold under a
# 2000-page limit, --repeat 3, run twice, must not fail on noise either.
# The results carry a per-allocator summary with medians and intervals,
# the terminal one labelled line per allocator, and --warmup is recorded.
# Nothing here asserts a speed. Prints "N passed, N failed".
set -u
b=${1:-build}
z="$b/zpoolbench"
. tests/sh_harness.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-repgate.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
for t in traces/samples/*.zpt; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .zpt)
	n=$((n + 1))
	for side in a b; do
		"$z" replay "$t" --repeat 5 -o "$tmp/$name-$side.json" 2>"$tmp/$name-$side.err"
	done
	rc=0
	"$z" gate "$tmp/$name-a.json" "$tmp/$name-b.json" >"$tmp/$name.md" 2>&1 || rc=$?
	if [ $rc = 0 ]; then
		ok "sample_${name}_replayed_twice_with_repeat_5_passes_the_default_gate"
	else
		bad "sample_${name}_replayed_twice_with_repeat_5_passes_the_default_gate" \
			"exit $rc: $(grep -E 'REGRESSED|zpoolbench:' "$tmp/$name.md" | head -5)"
	fi
done
[ $n -gt 0 ] || bad samples_exist "no traces/samples/*.zpt"

# The terminal: one labelled aggregate line per allocator, not one per repetition.
t=traces/samples/licenses-lru.zpt
lines=$(grep -c 'runs: .* M records/s \[' "$tmp/licenses-lru-a.err")
allocs=$(grep -c '"allocator": ' "$tmp/licenses-lru-a.json")
# One line per allocator the replay ran.
allocs_run=$(python3 -c 'import json,sys
print(len({r["allocator"] for r in json.load(open(sys.argv[1]))["runs"]}))' "$tmp/licenses-lru-a.json")
if [ "$lines" = "$allocs_run" ] && grep -q '^  zsmalloc  *5 runs: ' "$tmp/licenses-lru-a.err"; then
	ok repeat_prints_one_labelled_aggregate_line_per_allocator
else
	bad repeat_prints_one_labelled_aggregate_line_per_allocator "expected $allocs_run lines 'ALLOC 5 runs: ...', got $lines:
$(cat "$tmp/licenses-lru-a.err")"
fi
# The summary: median, min, max and the interval of the median, with its coverage (5 runs: 93.75%).
if grep -q '"summary": {' "$tmp/licenses-lru-a.json" && grep -q '"ci_level": 0.9375' "$tmp/licenses-lru-a.json" &&
   grep -q '"runs": 5,' "$tmp/licenses-lru-a.json" && [ "$allocs" -gt 5 ]; then
	ok repeat_writes_a_summary_with_median_and_interval
else
	bad repeat_writes_a_summary_with_median_and_interval "no summary with ci_level 0.9375 and 5 runs"
fi
# harness_overhead_ratio is a share: never above 1 (noise is flagged instead).
if grep '"harness_overhead_ratio' "$tmp"/*.json | grep -vq ': 0\.[0-9]*,\?$\|: 1,\?$\|: 0,\?$'; then
	bad harness_overhead_ratio_never_exceeds_1 "$(grep '"harness_overhead_ratio' "$tmp"/*.json | grep -v ': 0\.' | head -3)"
else
	ok harness_overhead_ratio_never_exceeds_1
fi

# The issue's example: z3fold under a 2000-page limit, --repeat 3, twice: not failed on noise.
for side in a b; do
	"$z" replay traces/samples/synth-mixed.zpt --alloc z3fold --pool-limit 2000 --repeat 3 -q -o "$tmp/lim-$side.json"
done
rc=0
"$z" gate "$tmp/lim-a.json" "$tmp/lim-b.json" >"$tmp/lim.md" 2>&1 || rc=$?
if [ $rc = 0 ]; then
	ok z3fold_under_a_pool_limit_repeat_3_twice_is_not_failed_on_noise
else
	bad z3fold_under_a_pool_limit_repeat_3_twice_is_not_failed_on_noise "exit $rc: $(grep REGRESSED "$tmp/lim.md" | head -3)"
fi

# --warmup N: the records are replayed before the run, which still replays the whole trace.
"$z" replay "$t" --alloc zbud --deterministic --warmup 1000 -q -o "$tmp/w.json"
"$z" replay "$t" --alloc zbud --deterministic -q -o "$tmp/nw.json"
if grep -q '"warmup": 1000' "$tmp/w.json" && grep -q '"warmup_records": 1000' "$tmp/w.json" &&
   [ "$(grep '"records": 27647' "$tmp/w.json" | wc -l)" = "$(grep '"records": 27647' "$tmp/nw.json" | wc -l)" ] &&
   "$z" gate "$tmp/nw.json" "$tmp/w.json" >/dev/null 2>&1; then
	ok warmup_replays_n_records_first_and_leaves_the_figures_alone
else
	bad warmup_replays_n_records_first_and_leaves_the_figures_alone "$(grep -E '"warmup|"records"' "$tmp/w.json" | head -4)"
fi
finish
