#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# zblock-study.sh BUILDDIR OUTDIR: the table of docs/zblock.md, in one
# command (`ninja zblock-study` runs it into BUILDDIR/zblock-study).
#
# zblock (its latest table and v4's), zsmalloc (6.18's defaults and the 2026
# RFC's fixed 16-byte delta), z3fold and the ideal bound, each trace in one
# replay invocation, so that every figure of a table comes from one run on
# one machine state:
#   - at 4K: the bundled samples, and the zram fixtures (this kernel's own
#     zsmalloc was fed the same stores: tests/fixtures/zram/README.md);
#   - the two samples that carry their pages' contents again with zstd:3 at
#     replay (--compress), the codec of the published zblock figures;
#   - at 16K, when this build replays --page-size: the same files captured into
#     16K pages with the same commands as traces/samples/make_samples.sh
#     (budgets scaled to the same bytes of RAM), and the synth profile at
#     16K. The zram fixtures and the python heap exist only at 4K.
# Every replay is --deterministic (z3fold's deferred work runs inline, so
# its latency is its own) and --repeat 3 (latency with its spread).
# zpoolbench report ranks each input by the verdict's equal-work rules;
# bench/zblock_study.py turns the results and the report's ranking into
# OUTDIR/zblock-study.md.
set -eu
b=${1:-build}
out=${2:-$b/zblock-study}
zpb="$b/zpoolbench"
allocs=zblock,zblock:table=v4,zsmalloc,zsmalloc:delta=16,z3fold,ideal
repeat=${ZPB_STUDY_REPEAT:-3}

[ -x "$zpb" ] || { echo "zblock-study: no $zpb (run ninja first)" >&2; exit 2; }
rm -rf "$out.tmp"
mkdir -p "$out.tmp/results" "$out.tmp/traces"
res="$out.tmp/results"

# replay NAME TRACE [OPTIONS...]: one invocation, all the specs.
replay() {
	name=$1 trace=$2
	shift 2
	echo "zblock-study: $name: $trace $*" >&2
	"$zpb" replay "$trace" --alloc "$allocs" --deterministic --repeat "$repeat" --quiet \
		-o "$res/$name.json" "$@"
}

for t in traces/samples/*.zpt tests/fixtures/zram/*.zpt; do
	replay "4k-$(basename "$t" .zpt)" "$t"
done
# zstd:3 at replay, for a trace with contents not already captured with it.
with_zstd() {
	[ -f "$2.pages" ] || return 0
	[ "$("$zpb" trace info "$2" | awk '$1 == "compressor" { print $2 }')" != zstd:3 ] || return 0
	replay "$1-zstd" "$2" --compress zstd:3
}
for t in traces/samples/*.zpt; do
	with_zstd "4k-$(basename "$t" .zpt)" "$t"
done

if "$zpb" replay --help 2>/dev/null | grep -q -- "--page-size"; then
	tr="$out.tmp/traces"
	# make_samples.sh's captures at 16K: a quarter of the pages, the same bytes.
	"$zpb" capture pages /usr/bin/bash /usr/lib/x86_64-linux-gnu/libc.so.6 --page-size 16384 \
		--compressor lz4 --incompressible store --order lru --budget 64 \
		--working-set 150 --zipf 0.9 --ops 20000 --seed 1 -o "$tr/binaries-lru.zpt"
	set -- /usr/share/common-licenses/Apache-2.0 /usr/share/common-licenses/GFDL-1.3 \
		/usr/share/common-licenses/GPL-2 /usr/share/common-licenses/GPL-3 \
		/usr/share/common-licenses/LGPL-2.1 /usr/share/common-licenses/MPL-2.0
	"$zpb" capture pages "$@" --page-size 16384 \
		--compressor zstd:3 --incompressible store --order lru --budget 3 --zipf 0.8 --ops 5000 \
		--seed 1 -o "$tr/licenses-lru.zpt"
	"$zpb" synth --profile mixed --ops 60000 --seed 1 --page-size 16384 -o "$tr/synth-mixed.zpt"
	for t in "$tr"/*.zpt; do
		replay "16k-$(basename "$t" .zpt)" "$t"
		with_zstd "16k-$(basename "$t" .zpt)" "$t"
	done
else
	echo "zblock-study: this build has no --page-size: the 16K tables are left out" >&2
fi

"$zpb" report "$res"/*.json -o "$out.tmp/report" >/dev/null
python3 bench/zblock_study.py "$out.tmp/report/report.json" "$res"/*.json >"$out.tmp/zblock-study.md"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "zblock-study: $out/zblock-study.md (tables), $out/report/index.html (the report)"
