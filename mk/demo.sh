#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# demo.sh BUILDDIR: the README's main job. Replay every bundled sample trace
# against every allocator on 2 threads (the first also on 1, for the
# scaling picture, and under a small pool limit, for the reclaim picture),
# validate the zsmalloc port against a shipped kernel capture, then write
# the report and print where it is. One sample with contents is also
# replayed with --compress lz4, for the phase picture.
set -eu
b=${1:-build}
zpb="$b/zpoolbench"
out="$b/demo"
allocs=all
mkdir -p "$out"
set --
for t in traces/samples/*.zpt; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .zpt)
	echo "demo: replaying $t against $allocs on 2 threads"
	"$zpb" replay "$t" --alloc "$allocs" --threads 2 --csv "$out/$name.csv.d" -o "$out/$name.json"
	set -- "$@" "$out/$name.json"
	# The first trace once more on 1 thread, so the scaling picture has two points.
	if [ $# = 1 ]; then
		echo "demo: replaying $t against $allocs on 1 thread (for the scaling picture)"
		"$zpb" replay "$t" --alloc "$allocs" --threads 1 -o "$out/$name-1thread.json"
		first1="$out/$name-1thread.json"
	fi
done
# The first trace again with a pool limit below its working set, so the
# reclaim picture shows writebacks, misses and reclaim latency.
if [ -n "${first1:-}" ]; then
	t=$(ls traces/samples/*.zpt | head -n 1)
	name=$(basename "$t" .zpt)
	echo "demo: replaying $t against $allocs on 2 threads under a 300-page pool limit"
	"$zpb" replay "$t" --alloc "$allocs" --threads 2 --pool-limit 300 -o "$out/$name-limit300.json"
	set -- "$@" "$out/$name-limit300.json"
fi
# A sample with its pages' contents, compressed at replay with lz4: the
# report's phase picture (where a store's and a load's time goes).
for t in traces/samples/*.zpt; do
	[ -f "$t.pages" ] || continue
	name=$(basename "$t" .zpt)
	echo "demo: replaying $t against $allocs on 2 threads, compressing its pages with lz4"
	"$zpb" replay "$t" --alloc "$allocs" --threads 2 --compress lz4 -o "$out/$name-lz4.json"
	set -- "$@" "$out/$name-lz4.json"
	break
done
if [ $# = 0 ]; then
	echo "demo: no sample traces in traces/samples/" >&2
	exit 1
fi
# The zsmalloc port against the kernel's own zsmalloc, on a shipped zram
# capture (docs/fidelity.md): the report's kernel fidelity table.
fix=tests/fixtures/zram/sharedlibs-lz4
echo "demo: validating the zsmalloc port against the kernel capture $fix"
"$zpb" validate "$fix.zpt" "$fix.truth.json" -o "$out/fidelity.json" > /dev/null
"$zpb" report "$@" ${first1:+"$first1"} --fidelity "$out/fidelity.json" -o "$out/report"
echo
echo "demo: report written to $out/report/index.html (and $out/report/report.md)"
