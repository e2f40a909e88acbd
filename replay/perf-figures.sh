#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# perf-figures.sh BUILDDIR OUTDIR: the replay engine's figures in
# docs/PERFORMANCE.md, each from the command printed before it. Needs
# python3 to tabulate the results files. The 10^8-record trace takes
# ~650 MB in OUTDIR.
set -eu
B=${1:?usage: perf-figures.sh BUILDDIR OUTDIR}
O=${2:?usage: perf-figures.sh BUILDDIR OUTDIR}
mkdir -p "$O"
run() { echo "\$ $*"; "$@"; }
field() { # FILE: one line per run
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d['runs']:
    S, L = r['latency_ns']['store'], r['latency_ns']['load']
    print("  %-9s records %d  %.2f M records/s (wall)  %.2f M records/CPU-s  %.1f ns/record  ratio %s  "
          "store p50/p99 %d/%d ns  load p50/p99 %d/%d ns  rss %.1f MB peak %.1f MB  verify failures %d" % (
          r['allocator'], r['records'], r['ops_per_sec'] / 1e6, r['records_per_cpu_sec'] / 1e6,
          r['ns_per_record'], ('%.3f' % r['harness_overhead_ratio']) if 'harness_overhead_ratio' in r else '-',
          S['p50'], S['p99'], L['p50'], L['p99'], r['memory']['rss_bytes'] / 1e6,
          r['memory']['peak_rss_bytes'] / 1e6, r['verify_failures']))
print("  clock: %s, %.1f ns a read" % (d['clock']['source'], d['clock']['overhead_ns']))
PY
}
echo "# $(date -u +%FT%TZ) $(uname -r) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1000000 10000000 100000000; do
	[ -f "$O/g$n.zpt" ] || run "$B/zpb-gentrace" $n "$O/g$n.zpt"
	run "$B/zpoolbench" replay "$O/g$n.zpt" --alloc null --pool-limit none -o "$O/null-$n.json" --quiet
	field "$O/null-$n.json"
done
[ -f "$O/s10000000.zpt" ] || run "$B/zpb-gentrace" 10000000 "$O/s10000000.zpt" 4096
run "$B/zpoolbench" replay "$O/s10000000.zpt" --alloc null --pool-limit none -o "$O/null-small.json" --quiet
field "$O/null-small.json"
run "$B/zpoolbench" replay "$O/g1000000.zpt" --alloc null,zsmalloc,z3fold,zbud,ideal -o "$O/ratio.json" --quiet
field "$O/ratio.json"
for s in traces/samples/*.zpt; do
	for t in 1 2; do
		run "$B/zpoolbench" replay "$s" --alloc all --threads $t -o "$O/$(basename "$s" .zpt)-$t.json" --quiet
		field "$O/$(basename "$s" .zpt)-$t.json"
	done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
