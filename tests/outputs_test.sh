#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# outputs_test.sh BUILDDIR: how every command writes its outputs and what a
# signal leaves behind (docs/zpoolbench.1, OUTPUT FILES and SIGNALS).
# '-o -' writes to standard output; a symlink is written through and a FIFO
# written into, neither replaced; '-o DIR' fails before any work in one
# line; SIGTERM, SIGHUP and SIGINT leave no OUT.tmp.XXXXXX, with a message;
# replay's first one writes the runs so far marked incomplete, a second one
# quits; a temporary left by SIGKILL is swept by the next write of OUT.
# Everything happens in a temporary directory; no /dev entry is touched.
set -u
b=${1:-build}
z="$b/zpoolbench"
. tests/sh_harness.sh
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "$why"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-outputs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
t="$tmp/work"
mkdir "$t"
# A non-interactive shell starts background jobs with SIGINT ignored (and
# zpoolbench keeps an ignored signal ignored): give them the default back.
bg=
if env --default-signal=INT true 2>/dev/null; then bg="env --default-signal=INT"; fi
signum() { case $1 in HUP) echo 1 ;; INT) echo 2 ;; TERM) echo 15 ;; esac; }
sigs="TERM HUP"
[ -n "$bg" ] && sigs="TERM HUP INT"

run() { "$z" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?; }
lines() { wc -l <"$1" | tr -d ' '; }
temps() { ls -a "$t" | grep -c '\.tmp\.'; }

sample=traces/samples/synth-mixed.zpt
"$z" synth --ops 200 --seed 3 -o "$t/small.zpt" 2>/dev/null

# --- '-o -': standard output, for each command with -o -----------------------
dash_json() {
	why="exit $rc, stderr: $(head -n 2 "$tmp/err"), stdout starts: $(head -c 60 "$tmp/out")"
	[ "$rc" = 0 ] && grep -q '"complete": true' "$tmp/out" && [ ! -e ./- ] && [ ! -e "$t/-" ]
}
dash_trace() {
	cp "$tmp/out" "$t/from-stdout"
	why="exit $rc, stderr: $(head -n 2 "$tmp/err")"
	[ "$rc" = 0 ] && [ ! -e ./- ] && "$z" trace info "$t/from-stdout" >/dev/null 2>&1
}
run replay "$t/small.zpt" --alloc null -q -o -
check replay_dash_o_writes_the_results_to_standard_output dash_json
run synth --ops 50 --seed 1 -o -
check synth_dash_o_writes_the_trace_to_standard_output dash_trace
run trace convert "$t/small.zpt" -
check trace_convert_dash_writes_the_trace_to_standard_output dash_trace
run trace import bpftrace tests/fixtures/zswap-bpftrace.txt -o -
check trace_import_dash_o_writes_the_trace_to_standard_output dash_trace
run capture pages tests/fixtures/zswap-bpftrace.txt --order lru -o -
check capture_pages_dash_o_writes_the_trace_to_standard_output dash_trace
run validate tests/fixtures/zram/textcorpus-lz4.zpt tests/fixtures/zram/textcorpus-lz4.truth.json -o -
why="exit $rc, stdout starts: $(head -c 60 "$tmp/out")"
check validate_dash_o_writes_json_to_stdout_and_the_table_to_stderr \
	eval '[ "$rc" -le 1 ] && [ "$(head -c 1 "$tmp/out")" = "{" ] && grep -q "^| mark" "$tmp/err"'
run report "$b/../tests/fixtures/results-zbud.json" -o -
why="exit $rc, stderr: $(cat "$tmp/err")"
check report_dash_o_is_refused_in_one_line eval '[ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && [ ! -e ./- ]'

# A regression writes a file named '-' here: remove it if this run made it.
if [ -e ./- ] && [ ./- -nt "$tmp" ]; then rm -f ./-; fi

# --- a symlink and a FIFO are written through, not replaced -------------------
echo old >"$t/target"
ln -s target "$t/link"
run replay "$t/small.zpt" --alloc null -q -o "$t/link"
why="exit $rc, $(ls -l "$t/link" "$t/target" 2>&1 | tr '\n' ' ')"
check replay_writes_through_a_symlink_and_keeps_it \
	eval '[ "$rc" = 0 ] && [ -L "$t/link" ] && grep -q zpoolbench-results "$t/target"'
run synth --ops 50 --seed 1 -o "$t/link"
why="exit $rc, $(ls -l "$t/link" 2>&1)"
check synth_writes_a_trace_through_a_symlink \
	eval '[ "$rc" = 0 ] && [ -L "$t/link" ] && "$z" trace info "$t/target" >/dev/null 2>&1'
mkfifo "$t/fifo"
cat "$t/fifo" >"$t/from-fifo" &
reader=$!
run replay "$t/small.zpt" --alloc null -q -o "$t/fifo"
[ -p "$t/fifo" ] || kill $reader 2>/dev/null	# replaced: nobody will open the reader's end
wait $reader
why="exit $rc, $(ls -l "$t/fifo"), read: $(head -c 40 "$t/from-fifo")"
check replay_writes_into_a_fifo_and_leaves_it_a_fifo \
	eval '[ "$rc" = 0 ] && [ -p "$t/fifo" ] && grep -q "\"complete\": true" "$t/from-fifo"'
cat "$t/fifo" >"$t/from-fifo" &
reader=$!
run trace convert "$t/small.zpt" "$t/fifo" --text
[ -p "$t/fifo" ] || kill $reader 2>/dev/null
wait $reader
why="exit $rc, read: $(head -n 1 "$t/from-fifo")"
check trace_convert_writes_into_a_fifo \
	eval '[ "$rc" = 0 ] && [ -p "$t/fifo" ] && head -n 1 "$t/from-fifo" | grep -q "^# zpoolbench-trace"'

# --- '-o DIR': one line, before any work -------------------------------------
mkdir "$t/adir"
run replay "$sample" --alloc zsmalloc,zbud -o "$t/adir"
why="exit $rc, stderr: $(cat "$tmp/err")"
check replay_o_dir_fails_before_the_runs_in_one_line \
	eval '[ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -q "adir: is a directory" "$tmp/err"'
for cmd in "synth synth --ops 10 --seed 1 -o" "trace_convert trace convert $t/small.zpt" \
	   "capture_pages capture pages tests/fixtures/zswap-bpftrace.txt -o"; do
	# shellcheck disable=SC2086
	set -- $cmd
	name=$1
	shift
	run "$@" "$t/adir"
	why="exit $rc, stderr: $(cat "$tmp/err")"
	check "${name}_output_to_a_directory_is_one_line" \
		eval '[ "$rc" = 2 ] && [ "$(lines "$tmp/err")" = 1 ] && grep -q "is a directory" "$tmp/err"'
done
why="entries: $(ls "$t/adir")"
check outputs_to_a_directory_leave_nothing_in_it eval '[ -z "$(ls -A "$t/adir")" ] && [ "$(temps)" = 0 ]'

# --- signals while a trace is being written ----------------------------------
# start_synth: a synth that runs until signalled, once its temporary exists.
start_synth() {
	$bg "$z" synth --ops 10000000000 --seed 1 -o "$t/big.zpt" 2>"$tmp/err" &
	pid=$!
	n=0
	while [ "$(temps)" = 0 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
}
for sig in $sigs; do
	start_synth
	had=$(temps)
	kill -$sig $pid
	wait $pid
	rc=$?
	why="exit $rc (want $((128 + $(signum $sig)))), temporaries before $had, after $(temps), stderr: $(cat "$tmp/err")"
	check "synth_killed_by_sig${sig}_removes_its_temporary_and_says_so" \
		eval '[ "$had" = 1 ] && [ "$(temps)" = 0 ] && [ ! -e "$t/big.zpt" ] && [ "$rc" = $((128 + $(signum $sig))) ] &&
		      grep -q "^zpoolbench: SIG$sig: quitting" "$tmp/err"'
done
start_synth
kill -KILL $pid
wait $pid
had=$(temps)
"$z" synth --ops 10 --seed 1 -o "$t/big.zpt" 2>/dev/null
why="temporaries after SIGKILL $had, after the next write $(temps)"
check the_next_write_of_out_sweeps_a_temporary_left_by_sigkill eval '[ "$had" = 1 ] && [ "$(temps)" = 0 ]'

# --- replay: the first signal writes what was done, a second one quits ---------
# A timed trace with a 100 s gap: replay waits in it, stop flag set, until signalled.
printf '# zpoolbench-trace 1\n# page_size 4096\n0 0 STORE 0:1 100\n100000000000 0 LOAD 0:1\n' >"$t/gap.txt"
# waiting PID: until the replay is in its timed wait (nanosleep, on x86-64), or 3 s elsewhere.
waiting() {
	n=0
	while [ $n -lt 300 ] && kill -0 "$1" 2>/dev/null; do
		if [ "$(uname -m)" = x86_64 ]; then
			cat /proc/"$1"/task/*/syscall 2>/dev/null | grep -qE '^(35|230) ' && return
		elif [ $n -ge 30 ]; then
			return
		fi
		sleep 0.1
		n=$((n + 1))
	done
}
for sig in $sigs; do
	rm -f "$t/r.json"
	$bg "$z" replay "$t/gap.txt" --alloc null --timed -q -o "$t/r.json" 2>"$tmp/err" &
	pid=$!
	waiting $pid
	kill -$sig $pid
	wait $pid
	rc=$?
	why="exit $rc, stderr: $(cat "$tmp/err")"
	check "replay_sig${sig}_writes_the_runs_so_far_marked_incomplete" \
		eval '[ "$rc" = 1 ] && grep -q "\"complete\": false" "$t/r.json" && [ "$(temps)" = 0 ] &&
		      grep -q "^zpoolbench: SIG$sig: stopping" "$tmp/err"'
done
# Into a FIFO nobody reads: after the first signal the replay waits to write its
# results; the second one must end it there, saying so.
mkfifo "$t/nobody"
two=INT
[ -n "$bg" ] || two=TERM
$bg "$z" replay "$t/gap.txt" --alloc null --timed -q -o "$t/nobody" 2>"$tmp/err" &
pid=$!
waiting $pid
kill -$two $pid
n=0
while ! grep -q "SIG$two: stopping" "$tmp/err" && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
kill -$two $pid
wait $pid
rc=$?
why="exit $rc, stderr: $(cat "$tmp/err")"
check replay_second_signal_quits_at_once_with_a_message \
	eval '[ "$rc" = $((128 + $(signum $two))) ] && [ "$(temps)" = 0 ] && grep -q "^zpoolbench: SIG$two: stopping" "$tmp/err" &&
	      grep -q "^zpoolbench: SIG$two: quitting" "$tmp/err"'
finish
