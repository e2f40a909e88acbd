#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# selfgate.sh baseline|gate BUILDDIR: the project gating itself.
#   baseline  replay every bundled sample trace (traces/samples/*.zpt) in
#             deterministic mode (and under callgrind when replay offers
#             --instructions) into gate/baselines/NAME.json ('ninja baseline';
#             docs/gate.md says when regenerating them is legitimate);
#   gate      replay them the same way and gate each against its committed
#             baseline with gate/default-rules.txt ('ninja gate-self', CI).
#             Page counts are exact, instructions per op a 2% threshold.
set -eu
mode=$1
b=${2:-build}
zpb="$b/zpoolbench"
allocs=all
dir=gate/baselines
# Deterministic: one thread, deterministic workqueues, so page counts repeat
# exactly. Timelines are not gated: a sparse one keeps the baselines small.
set -- --alloc "$allocs" --deterministic --sample-ops 1000000 --quiet
if "$zpb" replay --help 2>&1 | grep -q -- '--instructions'; then
	# The baselines carry instructions per op: a run without them could not be gated.
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "selfgate: valgrind is needed for instructions per op (apt-get install valgrind)" >&2
		exit 2
	fi
	set -- "$@" --instructions callgrind
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-selfgate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0 failed=
for t in traces/samples/*.zpt; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .zpt)
	n=$((n + 1))
	case $mode in
	baseline)
		mkdir -p "$dir"
		echo "baseline: replaying $t"
		"$zpb" replay "$t" "$@" -o "$dir/$name.json"
		;;
	gate)
		if [ ! -f "$dir/$name.json" ]; then
			echo "gate-self: no baseline $dir/$name.json for $t (run: ninja baseline)" >&2
			exit 2
		fi
		echo "gate-self: replaying $t"
		"$zpb" replay "$t" "$@" -o "$tmp/$name.json"
		rc=0
		"$zpb" gate "$dir/$name.json" "$tmp/$name.json" > "$tmp/$name.md" || rc=$?
		cat "$tmp/$name.md"
		[ $rc = 0 ] || failed="$failed $name"
		;;
	*)
		echo "usage: selfgate.sh baseline|gate BUILDDIR" >&2
		exit 2
		;;
	esac
done
if [ $n = 0 ]; then
	echo "selfgate: no bundled traces in traces/samples/: nothing to $mode"
	exit 0
fi
if [ -n "$failed" ]; then
	echo "gate-self: regressions against the committed baselines in:$failed (see docs/gate.md)" >&2
	exit 1
fi
[ "$mode" = gate ] && echo "gate-self: $n trace(s) pass against gate/baselines/"
exit 0
