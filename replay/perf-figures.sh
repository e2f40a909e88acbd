#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# perf-figures.sh [--short] BUILDDIR OUTDIR: the replay engine's figures in
# docs/PERFORMANCE.md, each from the command printed before it, and each
# as a ratio to something measured in the same invocation: the null
# replay to zpb-limit (bench/limit.c, the least work any replay of the
# same trace must do), the allocators to null, 2 threads to 1 (null and
# zbud, wall and CPU, the median of three).
#
# --short (what CI runs, so that the script cannot rot): 2*10^5-record
# traces and one sample, about a minute. Without it: 10^6..10^8 records
# (the 10^8-record trace takes ~650 MB in OUTDIR) and every sample.
# Speed is never asserted: the script fails only if a command fails or a
# replay reports verify failures. Needs python3 to read the results files.
set -eu
short=0
if [ "${1:-}" = --short ]; then
	short=1
	shift
fi
B=${1:?usage: perf-figures.sh [--short] BUILDDIR OUTDIR}
O=${2:?usage: perf-figures.sh [--short] BUILDDIR OUTDIR}
for t in zpoolbench zpb-gentrace zpb-limit; do
	[ -x "$B/$t" ] || { echo "perf-figures: $B/$t is missing: run 'ninja' first" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "perf-figures: needs python3 (apt-get install python3)" >&2; exit 2; }
mkdir -p "$O"
run() { echo "\$ $*"; "$@"; }

# runs FILE: one line per run of a results file, and a non-zero exit on verify failures.
runs() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = 0
for r in d['runs']:
    S, L = r['latency_ns']['store'], r['latency_ns']['load']
    print("  %-9s threads %d records %d  %.2f M records/CPU-s  %.1f CPU ns/record  %.2f M records/s (wall)  "
          "overhead ratio %s  store p50/p99 %d/%d ns  load p50/p99 %d/%d ns  peak rss %.1f MB  verify failures %d" % (
          r['allocator'], len(r['threads']), r['records'], r['records_per_cpu_sec'] / 1e6,
          1e9 / r['records_per_cpu_sec'] if r['records_per_cpu_sec'] else 0, r['ops_per_sec'] / 1e6,
          ('%.3f' % r['harness_overhead_ratio']) if 'harness_overhead_ratio' in r else '-',
          S['p50'], S['p99'], L['p50'], L['p99'], r['memory']['peak_rss_bytes'] / 1e6, r['verify_failures']))
    bad += r['verify_failures']
print("  clock: %s, %.1f ns a read" % (d['clock']['source'], d['clock']['overhead_ns']))
sys.exit(1 if bad else 0)
PY
}

# rate FILE ALLOC: records per CPU-second of that allocator's runs, the median (--repeat).
rate() {
	python3 - "$1" "$2" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
print(statistics.median(r['records_per_cpu_sec'] for r in d['runs'] if r['allocator'] == sys.argv[2]))
PY
}

# limit TRACE NAME: zpb-limit, then the null replay (the median of 5, as zpb-limit's), then the ratios.
# The engine times each op with one chained clock read, so limit-chained is the reference
# of issue 11's target (null at least 0.8 of it); limit-two and limit-none are beside it.
limit() {
	run "$B/zpb-limit" "$1" | tee "$O/limit-$2.txt"
	run "$B/zpoolbench" replay "$1" --alloc null --pool-limit none --repeat 5 -o "$O/null-$2.json" --quiet
	runs "$O/null-$2.json"
	null=$(rate "$O/null-$2.json" null)
	awk -v null="$null" -v name="$2" '$1 == "limit" {
		printf "  ratio %s: null replay / limit-%s = %.3f  (%.2f vs %.2f M records/CPU-s)%s\n",
			name, $2, null / $8, null / 1e6, $8 / 1e6, $2 == "chained" ? "  [target >= 0.8]" : "" }' "$O/limit-$2.txt"
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(git rev-parse --short HEAD 2>/dev/null || echo '?') load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $short = 1 ]; then
	sizes=200000
	small=200000
else
	sizes="1000000 10000000 100000000"
	small=10000000
fi
for n in $sizes; do
	[ -f "$O/g$n.zpt" ] || run "$B/zpb-gentrace" $n "$O/g$n.zpt"
	limit "$O/g$n.zpt" "g$n"
done
[ -f "$O/s$small.zpt" ] || run "$B/zpb-gentrace" $small "$O/s$small.zpt" 4096
limit "$O/s$small.zpt" "s$small"

first=$(echo $sizes | cut -d' ' -f1)
run "$B/zpoolbench" replay "$O/g$first.zpt" --alloc all,null -o "$O/ratio.json" --quiet
runs "$O/ratio.json"
# Threads: 2 against 1 on the 10^6-record trace (2*10^5 with --short), no
# pool limit, three repetitions each, the median. The figure means what it
# says only with 2 CPUs free: the load average is printed beside it.
for a in null zbud; do
	for t in 1 2; do
		run "$B/zpoolbench" replay "$O/g$first.zpt" --alloc $a --pool-limit none --threads $t --repeat 3 \
			-o "$O/threads-$a-$t.json" --quiet
		runs "$O/threads-$a-$t.json"
	done
	python3 - "$O/threads-$a-1.json" "$O/threads-$a-2.json" "$a" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, statistics, sys
def med(f, k):
    return statistics.median(r[k] for r in json.load(open(f))['runs'])
for k, unit in (('ops_per_sec', 'records/s (wall)'), ('records_per_cpu_sec', 'records/CPU-s')):
    one, two = med(sys.argv[1], k), med(sys.argv[2], k)
    print("  scaling %-5s T2/T1 = %.2f (%.2f M -> %.2f M %s; %s CPUs, load %s)" % (
          sys.argv[3], two / one if one else 0, one / 1e6, two / 1e6, unit, sys.argv[4], sys.argv[5]))
PY
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
