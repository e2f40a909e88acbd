#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# zblock_study_test.sh BUILDDIR: bench/zblock_study.py, which writes
# docs/zblock.md's tables, read against the raw results it is given: one
# zram fixture (every allocator stores everything) and one sample that
# zblock rejects pages of (4096-byte stores above its 4079-byte maximum),
# each replayed once against zblock, zsmalloc and ideal, then the report.
# The tables must rank only the allocators that did the same work, mark a
# mark's cell of an allocator that stored less with a dagger and never a
# figure below the bound, and have one row for each mark of the results.
set -u
b=${1:-build}
z="$b/zpoolbench"
. tests/sh_harness.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-zbstudy.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for t in tests/fixtures/zram/pyheap-lz4.zpt traces/samples/binaries-lru.zpt; do
	"$z" replay "$t" --alloc zblock,zsmalloc,ideal --deterministic -q -o "$tmp/$(basename "$t" .zpt).json" ||
		bad "replay_$(basename "$t")" "exit $?"
done
"$z" report "$tmp"/*.json -o "$tmp/report" >/dev/null 2>&1 || bad report "exit $?"
if python3 bench/zblock_study.py "$tmp/report/report.json" "$tmp"/*.json >"$tmp/out.md" 2>"$tmp/err"; then
	ok zblock_study_formats_the_results
else
	bad zblock_study_formats_the_results "$(head -n 2 "$tmp/err")"
fi
# The verdict table: binaries-lru's zblock in brackets (not ranked), pyheap's ranked.
if grep -q '^| binaries-lru | 4096 | \[[0-9.]*\] | [0-9.]* | zsmalloc |$' "$tmp/out.md" &&
   grep -q '^| pyheap-lz4 | 4096 | [0-9.]* | [0-9.]* | zblock |$' "$tmp/out.md"; then
	ok zblock_study_ranks_only_equal_work
else
	bad zblock_study_ranks_only_equal_work "$(grep '^| binaries-lru \|^| pyheap-lz4 ' "$tmp/out.md")"
fi
# binaries-lru: zblock had rejected pages by the 'access' mark, so its cell has a dagger;
# zsmalloc's never; no cell anywhere is below the bound.
if grep -q '^| access | 525 | [0-9]* | [0-9]* ([0-9.]*†) | [0-9]* ([0-9.]*) | [0-9]* |$' "$tmp/out.md"; then
	ok zblock_study_marks_a_cell_that_stored_less
else
	bad zblock_study_marks_a_cell_that_stored_less "$(grep '^| access ' "$tmp/out.md")"
fi
if grep -q 'below the bound' "$tmp/out.md"; then
	bad zblock_study_never_beats_the_bound "$(grep 'below the bound' "$tmp/out.md" | head -n 2)"
else
	ok zblock_study_never_beats_the_bound
fi
# One row per mark: the fixture's six marks.
rows=$(grep -c '^| [1-6]-[a-z]' "$tmp/out.md")
marks=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["marks"]))' "$tmp/pyheap-lz4.json")
if [ "$rows" = "$marks" ] && [ "$marks" = 6 ]; then
	ok zblock_study_has_a_row_for_every_mark
else
	bad zblock_study_has_a_row_for_every_mark "$rows rows, $marks marks"
fi
# A results file the report did not see is named, and the exit is non-zero.
echo '{' >"$tmp/broken.json"
if python3 bench/zblock_study.py "$tmp/report/report.json" "$tmp/broken.json" >/dev/null 2>"$tmp/err"; then
	bad zblock_study_names_a_bad_results_file "exit 0"
elif grep -q "broken.json" "$tmp/err" && [ "$(wc -l <"$tmp/err")" = 1 ]; then
	ok zblock_study_names_a_bad_results_file
else
	bad zblock_study_names_a_bad_results_file "$(head -n 2 "$tmp/err")"
fi
finish
