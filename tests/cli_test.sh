#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# cli_test.sh BUILDDIR: the conventions every zpoolbench command keeps, for
# every command, trace command and capture kind the --help texts list (so a
# new one is covered without editing this file): --help prints a usage on
# standard output and exits 0; an unknown option is one line on standard
# error, "zpoolbench: CMD: ..." naming it, and exit 2; no arguments at all
# print a hint (or the usage) on standard error and exit 2. Then a missing
# input file is named, with exit 2, for each command that reads one.
# Nothing here touches a device or another process. Prints "N passed,
# N failed" like the C test programs, for tests/run.sh.
set -u
b=${1:-build}
z="$b/zpoolbench"
. tests/sh_harness.sh

if [ ! -x "$z" ]; then
	bad cli_test_binary_exists "no $z (run from the top of the tree)"
	finish
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# run ARGS...: run zpoolbench, leaving $rc, $tmp/out and $tmp/err.
run() {
	"$z" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}
lines() { wc -l <"$1" | tr -d ' '; }

. tests/cli_util.sh

# conventions ARGS...: the three checks for the command ARGS (e.g. "trace info").
conventions() {
	name=$(echo "$*" | tr ' ' _)
	run "$@" --help
	if [ "$rc" = 0 ] && grep -q "^Usage: zpoolbench $*" "$tmp/out" && [ ! -s "$tmp/err" ]; then
		ok "${name}_help_prints_usage_and_exits_0"
	else
		bad "${name}_help_prints_usage_and_exits_0" "exit $rc, stdout: $(head -n 1 "$tmp/out"), stderr: $(head -n 2 "$tmp/err")"
	fi
	run "$@" --no-such-option
	if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ] &&
	   grep -q "^zpoolbench: $*: .*--no-such-option" "$tmp/err"; then
		ok "${name}_unknown_option_is_one_line_naming_it_and_exit_2"
	else
		bad "${name}_unknown_option_is_one_line_naming_it_and_exit_2" \
			"exit $rc, $(lines "$tmp/err") stderr lines: $(head -n 2 "$tmp/err")"
	fi
	[ "$*" = list ] && return	# list takes no arguments: without any it lists
	run "$@"
	if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -qE -- '--help|^Usage:' "$tmp/err"; then
		ok "${name}_without_arguments_hints_at_usage_and_exits_2"
	else
		bad "${name}_without_arguments_hints_at_usage_and_exits_2" "exit $rc, stderr: $(head -n 2 "$tmp/err")"
	fi
}

run
if [ "$rc" = 2 ] && grep -q '^Usage: zpoolbench' "$tmp/err"; then ok zpoolbench_without_a_command_prints_usage_and_exits_2
else bad zpoolbench_without_a_command_prints_usage_and_exits_2 "exit $rc"; fi
run no-such-command
if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -q "no-such-command" "$tmp/err"; then
	ok zpoolbench_unknown_command_is_one_line_and_exit_2
else
	bad zpoolbench_unknown_command_is_one_line_and_exit_2 "exit $rc: $(head -n 2 "$tmp/err")"
fi
run --version
if [ "$rc" = 0 ] && grep -qE '^zpoolbench [0-9]' "$tmp/out"; then ok zpoolbench_version_exits_0
else bad zpoolbench_version_exits_0 "exit $rc: $(cat "$tmp/out")"; fi

cmds=$(listed)
[ -n "$cmds" ] || bad zpoolbench_help_lists_commands "no 'Commands:' list in '$z --help'"
for c in $cmds; do
	conventions "$c"
done
for s in $(listed trace); do
	conventions trace "$s"
done
for k in $(listed capture); do
	conventions capture "$k"
done

# A missing input file is named, with exit 2. (capture process and zram
# are left out: they would look at a process or a device.)
nope="$tmp/no-such-file"
fx=tests/fixtures/results-z3fold.json
missing() { # NAME ARGS...
	name=$1
	shift
	run "$@"
	if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -qF "$nope" "$tmp/err"; then
		ok "$name"
	else
		bad "$name" "exit $rc, stderr: $(head -n 2 "$tmp/err")"
	fi
}
missing gate_names_a_missing_file gate "$fx" "$nope"
missing gate_names_a_missing_rules_file gate "$fx" "$fx" --rules "$nope"
missing report_names_a_missing_file report "$nope" -o "$tmp/report"
missing replay_names_a_missing_trace replay "$nope" --alloc null -o "$tmp/r.json" --quiet
missing validate_names_a_missing_truth_file validate traces/samples/synth-mixed.zpt "$nope"
missing trace_info_names_a_missing_trace trace info "$nope"
missing trace_dump_names_a_missing_trace trace dump "$nope"
missing trace_convert_names_a_missing_trace trace convert "$nope" "$tmp/t.zpt"
missing trace_validate_names_a_missing_trace trace validate "$nope"
missing trace_import_names_a_missing_capture trace import bpftrace "$nope" -o "$tmp/t.zpt"
missing capture_pages_names_a_missing_image capture pages "$nope" -o "$tmp/t.zpt"
missing synth_names_an_output_it_cannot_write synth --ops 10 --seed 1 -o "$nope/t.zpt"

# A number past 2^64 is refused, naming the option, not clamped to 2^64-1
# (strtoull's ERANGE), which ran --ops "forever" or took another --seed.
huge=99999999999999999999
refused() { # NAME OPTION ARGS...
	name=$1 opt=$2
	shift 2
	run "$@"
	if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -qF -- "$opt" "$tmp/err"; then
		ok "$name"
	else
		bad "$name" "exit $rc, stderr: $(head -n 2 "$tmp/err")"
	fi
}
refused synth_refuses_a_seed_past_2_64 --seed synth --ops 10 --seed $huge -o "$tmp/t.zpt"
refused capture_pages_refuses_ops_past_2_64 --ops \
	capture pages tests/fixtures/zswap-bpftrace.txt --order lru --ops $huge -o "$tmp/t.zpt"
refused trace_dump_refuses_head_past_2_64 --head trace dump traces/samples/synth-mixed.zpt --head $huge
refused trace_validate_refuses_max_problems_past_2_64 --max-problems \
	trace validate traces/samples/synth-mixed.zpt --max-problems $huge
refused capture_zram_refuses_pages_past_2_64 --pages \
	capture zram tests/fixtures/zswap-bpftrace.txt --pages $huge -o "$tmp/t.zpt" --truth "$tmp/t.json"

# An output that is the input (by any path) is refused before anything is
# written, and the input is left as it was: the rename used to replace it.
same() { # NAME INPUT ARGS...
	name=$1 in=$2
	shift 2
	cksum <"$in" >"$tmp/sum.before"
	run "$@"
	if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -q "is also the input" "$tmp/err" &&
	   cksum <"$in" | cmp -s - "$tmp/sum.before"; then
		ok "$name"
	else
		bad "$name" "exit $rc, stderr: $(head -n 2 "$tmp/err")"
	fi
}
cp traces/samples/synth-mixed.zpt "$tmp/in.zpt"
cp tests/fixtures/zswap-bpftrace.txt "$tmp/in.txt"
cp tests/fixtures/zram/pyheap-lz4.truth.json "$tmp/truth.json"
same trace_convert_refuses_its_input_as_output "$tmp/in.zpt" trace convert "$tmp/in.zpt" "$tmp/../${tmp##*/}/in.zpt"
same replay_refuses_its_trace_as_output "$tmp/in.zpt" replay "$tmp/in.zpt" --alloc null -q -o "$tmp/in.zpt"
same trace_import_refuses_its_capture_as_output "$tmp/in.txt" trace import bpftrace "$tmp/in.txt" -o "$tmp/in.txt"
same capture_pages_refuses_an_image_as_output "$tmp/in.txt" capture pages "$tmp/in.zpt" "$tmp/in.txt" -o "$tmp/in.txt"
same validate_refuses_its_truth_file_as_output "$tmp/truth.json" \
	validate tests/fixtures/zram/pyheap-lz4.zpt "$tmp/truth.json" -o "$tmp/truth.json"
# capture zram: checked before the device is touched (--device names none, in
# case the check goes: then the capture fails on it without a real zram).
same capture_zram_refuses_an_image_as_output "$tmp/in.txt" \
	capture zram "$tmp/in.txt" -o "$tmp/in.txt" --truth "$tmp/z.json" --device "$tmp/no-zram" -q
run capture zram "$tmp/in.txt" -o "$tmp/z.zpt" --truth "$tmp/./z.zpt" --device "$tmp/no-zram" -q
if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -q "is both the trace" "$tmp/err"; then
	ok capture_zram_refuses_one_file_as_trace_and_truth
else
	bad capture_zram_refuses_one_file_as_trace_and_truth "exit $rc, stderr: $(head -n 2 "$tmp/err")"
fi
# The command is named once: the library's message does not repeat it.
: >"$tmp/empty.img"
run capture pages "$tmp/empty.img" -o "$tmp/t.zpt"
if [ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] &&
   grep -qx "zpoolbench: capture pages: $tmp/empty.img: no pages (empty input)" "$tmp/err"; then
	ok capture_pages_names_an_empty_image_once
else
	bad capture_pages_names_an_empty_image_once "exit $rc, stderr: $(head -n 2 "$tmp/err")"
fi
# A --csv that is not a directory is found before the runs (no results file).
refused replay_refuses_a_csv_that_is_not_a_directory_before_the_runs --csv \
	replay "$tmp/in.zpt" --alloc null -q -o "$tmp/r.json" --csv "$tmp/in.txt"
# Two specs that are one allocator (at 4K zsmalloc's delta is 16) are
# replayed once, and stderr says which was dropped: the report would count
# them as two repetitions of one configuration otherwise.
run replay tests/fixtures/zram/pyheap-lz4.zpt --alloc zsmalloc,zsmalloc:delta=16 --deterministic \
	-q -o "$tmp/dup.json"
runs=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$tmp/dup.json" 2>/dev/null)
if [ "$rc" = 0 ] && [ "$runs" = 1 ] && [ "$(lines "$tmp/err")" = 1 ] &&
   grep -q "spec 2 is 'zsmalloc' again" "$tmp/err"; then
	ok replay_runs_two_specs_of_one_allocator_once_and_says_so
else
	bad replay_runs_two_specs_of_one_allocator_once_and_says_so "exit $rc, runs $runs, stderr: $(head -n 2 "$tmp/err")"
fi
rm -f "$tmp/dup.json"
# The page size: --page-size takes 4096, 16384 or 65536 only; without it a
# trace of another page size is one line naming the trace, and a trace of
# larger pages than --page-size is refused rather than clamped.
refused replay_refuses_a_page_size_of_8192 "--page-size: '8192'" \
	replay tests/fixtures/zram/pyheap-lz4.zpt --alloc zbud --page-size 8192 -q -o "$tmp/r.json"
printf '# zpoolbench-trace 1\n# page_size 8192\n1 0 STORE 0:1 100\n' >"$tmp/p8k.txt"
refused replay_refuses_a_trace_of_8k_pages_naming_it "$tmp/p8k.txt: page size 8192" \
	replay "$tmp/p8k.txt" --alloc zbud -q -o "$tmp/r.json"
printf '# zpoolbench-trace 1\n# page_size 16384\n1 0 STORE 0:1 10000\n2 0 STORE 0:2 5000\n' >"$tmp/p16k.txt"
refused replay_refuses_a_16k_trace_at_4k_pages "$tmp/p16k.txt: page size 16384: larger than" \
	replay "$tmp/p16k.txt" --alloc zbud --page-size 4096 -q -o "$tmp/r.json"
# A 16K trace replays at 16K by default, and the results say 16384. zbud:
# both objects in one page. zsmalloc:delta=16: 10008 bytes round up to size
# 10016, whose least tail waste over 1..8 16K pages is at 8 (864 bytes);
# 5008 to 5024, least waste at 4 pages (224 bytes): one zspage each, 12 pages.
run replay "$tmp/p16k.txt" --alloc zbud,zsmalloc:delta=16 --deterministic -q -o "$tmp/p16k.json"
got=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["options"]["page_size"], d["trace"]["page_size"], [r["final"]["pool_pages"] for r in d["runs"]], [r["allocator"] for r in d["runs"]])' "$tmp/p16k.json" 2>&1)
if [ "$rc" = 0 ] && [ "$got" = "16384 16384 [1, 12] ['zbud', 'zsmalloc:delta=16']" ]; then
	ok replay_defaults_to_the_traces_16k_pages_and_records_them
else
	bad replay_defaults_to_the_traces_16k_pages_and_records_them "exit $rc, got '$got', stderr: $(head -n 2 "$tmp/err")"
fi
rm -f "$tmp/p8k.txt" "$tmp/p16k.txt" "$tmp/p16k.json"
# selftest --page-size: the checks at 16K (zbud's largest object is then
# 15872 bytes, so every size up to it round-trips and 15873 is -ENOSPC).
refused selftest_refuses_a_page_size_of_8192 "--page-size: '8192'" \
	selftest --alloc zbud --page-size 8192
run selftest --alloc zbud --page-size 16384 --check conformance_every_size_round_trips_and_past_max_is_enospc --quiet
if [ "$rc" = 0 ] && grep -q "^1 passed, 0 failed" "$tmp/out"; then
	ok selftest_runs_the_checks_at_16k_pages
else
	bad selftest_runs_the_checks_at_16k_pages "exit $rc, stdout: $(tail -n 2 "$tmp/out"), stderr: $(head -n 2 "$tmp/err")"
fi
if [ -e "$tmp/report" ] || [ -e "$tmp/r.json" ] || [ -e "$tmp/t.zpt" ]; then
	bad failed_commands_leave_no_output "$(ls "$tmp")"
else
	ok failed_commands_leave_no_output
fi
finish
