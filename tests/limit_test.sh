#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# limit_test.sh BUILDDIR: zpb-limit (bench/limit.c), the reference that the
# engine's figures are divided by, decodes the same stream the replay
# reads: the same ops and distinct keys as 'zpoolbench trace info', on a
# trace of consecutive slots (4096) and a sparse one (2^18), in every
# timing mode; and it refuses a text trace, a cut trace and a bad option
# with one line and a non-zero exit. Speed is not asserted.
# Prints "N passed, N failed" like the C test programs.
set -u
b=${1:-build}
z="$b/zpoolbench"
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
for t in "$z" "$b/zpb-limit" "$b/zpb-gentrace"; do
	[ -x "$t" ] || { bad limit_test_inputs_exist "need $t"; finish; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-limit.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# info TRACE: "store N load N invalidate N writeback N compact N mark N keys N" from trace info.
info() {
	"$z" trace info "$1" | awk '
		$1 == "STORE" { s = $2 } $1 == "LOAD" { l = $2 } $1 == "INVALIDATE" { i = $2 }
		$1 == "WRITEBACK" { w = $2 } $1 == "COMPACT" { c = $2 } $1 == "MARK" { m = $2 }
		$1 == "distinct" && $2 == "keys" { k = $3 }
		END { printf "store %s load %s invalidate %s writeback %s compact %s mark %s keys %s\n", s, l, i, w, c, m, k }'
}

for keys in 4096 262144; do
	"$b/zpb-gentrace" 30000 "$tmp/g$keys.zpt" $keys >/dev/null 2>&1 || { bad "limit_gentrace_$keys" "zpb-gentrace failed"; continue; }
	want=$(info "$tmp/g$keys.zpt")
	for mode in none two chained; do
		out=$(ZPB_LIMIT_PASSES=1 "$b/zpb-limit" "$tmp/g$keys.zpt" $mode 2>&1)
		got=$(echo "$out" | sed -n 's/^ops //p')
		recs=$(echo "$out" | awk '$1 == "limit" { print $4 }')
		if [ "$got" = "$want" ] && [ "$recs" = 30000 ]; then
			ok "limit_decodes_what_trace_info_counts_${keys}_slots_$mode"
		else
			bad "limit_decodes_what_trace_info_counts_${keys}_slots_$mode" "trace info: '$want', zpb-limit: '$got', $recs records"
		fi
	done
done

"$z" trace convert "$tmp/g4096.zpt" "$tmp/g.txt" >/dev/null 2>&1
out=$("$b/zpb-limit" "$tmp/g.txt" 2>&1); rc=$?
case "$rc:$out" in
1:*"g.txt: not a binary trace"*) ok limit_refuses_a_text_trace_naming_it ;;
*) bad limit_refuses_a_text_trace_naming_it "exit $rc: $out" ;;
esac
head -c 20000 "$tmp/g4096.zpt" > "$tmp/cut.zpt"
out=$("$b/zpb-limit" "$tmp/cut.zpt" none 2>&1); rc=$?
case "$rc:$out" in
1:*"cut.zpt: cannot decode the record at byte "*) ok limit_refuses_a_cut_trace_naming_the_byte ;;
*) bad limit_refuses_a_cut_trace_naming_the_byte "exit $rc: $out" ;;
esac
out=$("$b/zpb-limit" "$tmp/g4096.zpt" fastest 2>&1); rc=$?
case "$rc:$out" in
2:*"unknown timing 'fastest'"*) ok limit_refuses_an_unknown_timing_mode ;;
*) bad limit_refuses_an_unknown_timing_mode "exit $rc: $out" ;;
esac
out=$(ZPB_LIMIT_PASSES=0 "$b/zpb-limit" "$tmp/g4096.zpt" 2>&1); rc=$?
case "$rc:$out" in
2:*"ZPB_LIMIT_PASSES='0'"*) ok limit_refuses_a_bad_pass_count ;;
*) bad limit_refuses_a_bad_pass_count "exit $rc: $out" ;;
esac
finish
