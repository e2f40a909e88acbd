#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# sweep_test.sh BUILDDIR: zpoolbench sweep on the local engine, end to end:
# a sweep of 2 traces x 3 specs x 2 thread counts in which one job is
# killed (SIGKILL) and a rerun retries only it; Ctrl-C during a sweep
# leaving the finished jobs and the rerun finishing the rest; merge (and
# its refusal of two traces under one name); the sweep report; and the
# Slurm engine's array script, checked and one of its tasks run by hand
# (a real Slurm cluster: tests/sweep_slurm_test.sh). Prints "N passed,
# N failed" for tests/run.sh.
set -u
b=${1:-build}
z="$(pwd)/$b/zpoolbench"
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-sweep.XXXXXX") || exit 1
bgpid=
trap '[ -n "$bgpid" ] && kill "$bgpid" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
t1=$(pwd)/traces/samples/licenses-lru.zpt
t2=$(pwd)/traces/samples/binaries-lru.zpt
for t in "$t1" "$t2"; do [ -f "$t" ] || { bad sweep_test_traces_exist "no $t"; finish; }; done

# A stand-in for zpoolbench that logs each job and, once, kills the one
# job named in $tmp/kill_job with SIGKILL before it starts.
cat > "$tmp/wrap.sh" <<EOW
#!/bin/sh
echo "\$*" >> "$tmp/invocations"
case "\$*" in
*"\$(cat "$tmp/kill_job" 2>/dev/null || echo none).json"*)
	if [ ! -e "$tmp/killed" ]; then : > "$tmp/killed"; kill -9 \$\$; fi ;;
*"\$(cat "$tmp/slow_job" 2>/dev/null || echo none).json"*)
	sleep 60 ;;
esac
exec "$z" "\$@"
EOW
chmod +x "$tmp/wrap.sh"
njobs() { grep -c . "$1" 2>/dev/null || echo 0; }

cat > "$tmp/m.sweep" <<EOF2
# 2 traces x 3 specs x 2 thread counts
trace $t1 $t2
alloc zsmalloc z3fold zbud
threads 1 2
EOF2

# --dry-run lists 12 jobs, all new, and writes nothing.
"$z" sweep "$tmp/m.sweep" -o "$tmp/m.d" --dry-run > "$tmp/list" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(grep -c '^new	' "$tmp/list")" = 12 ] && [ ! -e "$tmp/m.d" ] &&
   grep -q '^new	licenses-lru__z3fold__threads-2	.* replay .*licenses-lru.zpt --alloc z3fold --threads 2 ' "$tmp/list"; then
	ok sweep_dry_run_lists_twelve_new_jobs_named_from_the_axes_and_writes_nothing
else
	bad sweep_dry_run_lists_twelve_new_jobs_named_from_the_axes_and_writes_nothing "exit $rc, $(head -c 300 "$tmp/list") $(cat "$tmp/err")"
fi

# One job killed: exit 1, 11 results, the joblog records signal 9.
echo licenses-lru__z3fold__threads-2 > "$tmp/kill_job"
timeout 300 "$z" sweep "$tmp/m.sweep" -o "$tmp/m.d" --zpoolbench "$tmp/wrap.sh" -q 2>"$tmp/err"
rc=$?
nres=$(ls "$tmp/m.d/results/"*.json 2>/dev/null | wc -l)
if [ $rc = 1 ] && [ "$nres" = 11 ] && [ ! -e "$tmp/m.d/results/licenses-lru__z3fold__threads-2.json" ] &&
   awk -F'\t' '$9 ~ /licenses-lru__z3fold__threads-2.json/ && $8 == 9 { f = 1 } END { exit !f }' "$tmp/m.d/joblog" &&
   grep -q 'FAILED licenses-lru__z3fold__threads-2: killed by signal 9' "$tmp/err"; then
	ok sweep_with_a_job_killed_exits_1_keeps_the_other_eleven_and_logs_signal_9
else
	bad sweep_with_a_job_killed_exits_1_keeps_the_other_eleven_and_logs_signal_9 "exit $rc, $nres results, $(cat "$tmp/err")"
fi

# Pinning: two 1-thread jobs may share the machine, never a CPU.
if awk -F'\t' 'NR > 1 { n++ } $9 ~ /--threads 2 .*--cpus [0-9]+,[0-9]+$/ || $9 ~ /--threads 1 .*--cpus [0-9]+$/ { good++ }
		END { exit !(n == 12 && good == 12) }' "$tmp/m.d/joblog"; then
	ok sweep_local_pins_each_job_to_as_many_cpus_as_it_has_threads
else
	bad sweep_local_pins_each_job_to_as_many_cpus_as_it_has_threads "$(cut -f9 "$tmp/m.d/joblog" | head -3)"
fi

# The rerun retries the failed job only.
: > "$tmp/invocations"
timeout 300 "$z" sweep "$tmp/m.sweep" -o "$tmp/m.d" --zpoolbench "$tmp/wrap.sh" -q 2>"$tmp/err"
rc=$?
nres=$(ls "$tmp/m.d/results/"*.json 2>/dev/null | wc -l)
if [ $rc = 0 ] && [ "$(njobs "$tmp/invocations")" = 1 ] && grep -q 'licenses-lru__z3fold__threads-2.json' "$tmp/invocations" &&
   [ "$nres" = 12 ]; then
	ok sweep_rerun_retries_only_the_killed_job_and_completes_the_sweep
else
	bad sweep_rerun_retries_only_the_killed_job_and_completes_the_sweep "exit $rc, $(njobs "$tmp/invocations") invocations, $nres results, $(cat "$tmp/err")"
fi
"$z" sweep "$tmp/m.sweep" -o "$tmp/m.d" --dry-run > "$tmp/list"
if [ "$(grep -c '^done	' "$tmp/list")" = 12 ]; then
	ok sweep_dry_run_after_the_sweep_lists_every_job_done
else
	bad sweep_dry_run_after_the_sweep_lists_every_job_done "$(cut -f1,2 "$tmp/list" | head -3)"
fi

# Ctrl-C (SIGINT to the sweep) while one job is still running: the
# finished job stays, the interrupted one is retried by the rerun.
cat > "$tmp/c.sweep" <<EOF2
trace $t1
alloc zbud z3fold
EOF2
echo licenses-lru__z3fold > "$tmp/slow_job"
"$z" sweep "$tmp/c.sweep" -o "$tmp/c.d" --zpoolbench "$tmp/wrap.sh" -q 2>"$tmp/err" &
bgpid=$!
i=0
while [ $i -lt 600 ] && [ ! -e "$tmp/c.d/results/licenses-lru__zbud.json" ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
kill -INT "$bgpid"
i=0
while [ $i -lt 200 ] && kill -0 "$bgpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$bgpid" 2>/dev/null; then
	bad sweep_ctrl_c_stops_within_20_seconds "still running"
	kill -9 "$bgpid"
fi
wait "$bgpid"
rc=$?
bgpid=
if [ $rc = 1 ] && [ -s "$tmp/c.d/results/licenses-lru__zbud.json" ] && [ ! -e "$tmp/c.d/results/licenses-lru__z3fold.json" ] &&
   grep -q 'interrupted' "$tmp/err"; then
	ok sweep_ctrl_c_keeps_the_finished_job_and_exits_1
else
	bad sweep_ctrl_c_keeps_the_finished_job_and_exits_1 "exit $rc, $(ls "$tmp/c.d/results"), $(cat "$tmp/err")"
fi
rm -f "$tmp/slow_job"
: > "$tmp/invocations"
timeout 120 "$z" sweep "$tmp/c.sweep" -o "$tmp/c.d" --zpoolbench "$tmp/wrap.sh" -q 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(njobs "$tmp/invocations")" = 1 ] && [ -s "$tmp/c.d/results/licenses-lru__z3fold.json" ]; then
	ok sweep_rerun_after_ctrl_c_runs_only_the_interrupted_job
else
	bad sweep_rerun_after_ctrl_c_runs_only_the_interrupted_job "exit $rc, $(njobs "$tmp/invocations") invocations, $(cat "$tmp/err")"
fi

# merge: 12 files, the axis found, one machine with its NUMA layout.
"$z" merge "$tmp/m.d" -o "$tmp/m.json" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q '"format": "zpoolbench-sweep"' "$tmp/m.json" &&
   [ "$(grep -c '"file": ' "$tmp/m.json")" = 12 ] && grep -A2 '"axes": \[' "$tmp/m.json" | grep -q '"threads"' &&
   grep -q '"numa": \[' "$tmp/m.json"; then
	ok merge_combines_twelve_results_with_threads_as_the_axis
else
	bad merge_combines_twelve_results_with_threads_as_the_axis "exit $rc, $(cat "$tmp/err")"
fi

# Two different traces under one name are refused, naming both files.
mkdir -p "$tmp/other"
cp "$t2" "$tmp/other/licenses-lru.zpt"
"$z" replay "$tmp/other/licenses-lru.zpt" --alloc zbud -q -o "$tmp/other.json" 2>/dev/null
"$z" merge "$tmp/m.d" "$tmp/other.json" -o "$tmp/mixed.json" 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && [ ! -e "$tmp/mixed.json" ] && grep -q "two different traces named 'licenses-lru'" "$tmp/err" &&
   grep -q 'other.json' "$tmp/err"; then
	ok merge_refuses_two_different_traces_under_one_name
else
	bad merge_refuses_two_different_traces_under_one_name "exit $rc, $(cat "$tmp/err")"
fi

# The sweep report: a table per trace with a verdict per row, the heatmap, the machine.
"$z" report "$tmp/m.json" -o "$tmp/rep" >/dev/null 2>"$tmp/err"
rc=$?
md="$tmp/rep/report.md"
if [ $rc = 0 ] && grep -q '^## licenses-lru' "$md" && grep -q '^## binaries-lru' "$md" &&
   [ "$(grep -c '^| threads=[12] |' "$md")" = 4 ] && grep -q '^## Heatmap' "$md" && grep -q '^## Per machine' "$md" &&
   grep '^| threads=1 |' "$md" | head -n 1 | grep -qE '(fewer pool pages than|no clear winner|only)'; then
	ok report_of_a_sweep_has_a_table_per_trace_with_verdicts_a_heatmap_and_machines
else
	bad report_of_a_sweep_has_a_table_per_trace_with_verdicts_a_heatmap_and_machines "exit $rc, $(cat "$tmp/err") $(head -c 600 "$md" 2>/dev/null)"
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "skip report_of_a_sweep_draws_the_heatmap: gnuplot is not installed"
elif grep -q '<svg' "$tmp/rep/index.html" && [ -s "$tmp/rep/img/sweep-heatmap.png" ]; then
	ok report_of_a_sweep_draws_the_heatmap
else
	bad report_of_a_sweep_draws_the_heatmap "$(grep -i 'heatmap' "$tmp/rep/index.html" | head -c 300)"
fi

# GNU parallel: the dry run shows the command handing the jobs over (the
# real run over ssh: sweep_parallel_test.sh); the engine's options are checked.
echo : > "$tmp/hosts"
"$z" sweep "$tmp/c.sweep" -o "$tmp/c.d" --engine parallel --sshloginfile "$tmp/hosts" --dry-run > "$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q '^# GNU parallel would run:' "$tmp/out" &&
   grep -q -- "--sshloginfile $tmp/hosts --joblog +joblog .*--transferfile '{1}' --return '{2}' --workdir ... --cleanup" "$tmp/out"; then
	ok sweep_parallel_dry_run_shows_transfer_return_and_the_joblog
else
	bad sweep_parallel_dry_run_shows_transfer_return_and_the_joblog "exit $rc, $(cat "$tmp/out" "$tmp/err")"
fi
"$z" sweep "$tmp/c.sweep" -o "$tmp/c.d" --engine parallel > "$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q 'needs --sshloginfile FILE' "$tmp/err"; then
	ok sweep_parallel_without_sshloginfile_is_refused
else
	bad sweep_parallel_without_sshloginfile_is_refused "exit $rc, $(cat "$tmp/err")"
fi
"$z" sweep "$tmp/c.sweep" -o "$tmp/c.d" --sshloginfile "$tmp/hosts" > "$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q -- '--sshloginfile is for --engine parallel' "$tmp/err"; then
	ok sweep_sshloginfile_without_the_parallel_engine_is_refused
else
	bad sweep_sshloginfile_without_the_parallel_engine_is_refused "exit $rc, $(cat "$tmp/err")"
fi

# Slurm: the array script of the jobs not done, each task's command by
# SLURM_ARRAY_TASK_ID; one task run by hand appends its joblog line.
cat > "$tmp/s.sweep" <<EOF2
trace $t1
alloc zbud z3fold zsmalloc
threads 1 2
EOF2
mkdir -p "$tmp/s.d"
"$z" sweep "$tmp/s.sweep" -o "$tmp/s.d" --engine slurm --dry-run > "$tmp/array.sh" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && head -n 1 "$tmp/array.sh" | grep -q '^#!/bin/sh' && grep -q '^#SBATCH --array=1-6$' "$tmp/array.sh" &&
   grep -q '^#SBATCH --cpus-per-task=2$' "$tmp/array.sh" && grep -q 'SLURM_ARRAY_TASK_ID' "$tmp/array.sh" &&
   [ "$(grep -c '^[1-6]) set -- ' "$tmp/array.sh")" = 6 ] && sh -n "$tmp/array.sh"; then
	ok sweep_slurm_dry_run_prints_an_array_script_of_six_tasks
else
	bad sweep_slurm_dry_run_prints_an_array_script_of_six_tasks "exit $rc, $(cat "$tmp/err") $(head -c 400 "$tmp/array.sh")"
fi
(cd / && SLURM_ARRAY_TASK_ID=2 timeout 120 sh "$tmp/array.sh") >/dev/null 2>"$tmp/err"
rc=$?
"$z" sweep "$tmp/s.sweep" -o "$tmp/s.d" --dry-run > "$tmp/list"
if [ $rc = 0 ] && grep -q '^done	licenses-lru__zbud__threads-2	' "$tmp/list" && [ "$(grep -c '^new	' "$tmp/list")" = 5 ]; then
	ok sweep_slurm_task_runs_its_job_and_logs_it_done
else
	bad sweep_slurm_task_runs_its_job_and_logs_it_done "exit $rc, $(cat "$tmp/err") $(cut -f1,2 "$tmp/list")"
fi
SLURM_ARRAY_TASK_ID=9 sh "$tmp/array.sh" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q "no job for SLURM_ARRAY_TASK_ID '9'" "$tmp/err"; then
	ok sweep_slurm_task_past_the_array_fails_naming_its_index
else
	bad sweep_slurm_task_past_the_array_fails_naming_its_index "exit $rc, $(cat "$tmp/err")"
fi
"$z" sweep "$tmp/s.sweep" -o "$tmp/s.d" --engine slurm --dry-run > "$tmp/array2.sh"
if grep -q '^#SBATCH --array=1-5$' "$tmp/array2.sh" && ! grep -q 'zbud__threads-2.json' "$tmp/array2.sh"; then
	ok sweep_slurm_script_leaves_out_the_jobs_done
else
	bad sweep_slurm_script_leaves_out_the_jobs_done "$(grep -E 'array|zbud' "$tmp/array2.sh")"
fi
finish
