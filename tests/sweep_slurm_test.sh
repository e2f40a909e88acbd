#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# sweep_slurm_test.sh BUILDDIR: zpoolbench sweep --engine slurm on a real,
# single-node Slurm cluster that the test starts itself (Debian's slurm-wlm
# and munge): munged with a throwaway key, slurmctld and slurmd on loopback
# ports, every file (configuration, state, spool, logs) in a temporary
# directory. A 4-task array (1 trace x 2 specs x 2 thread counts) is
# submitted with sbatch; the test waits for the 4 joblog lines the tasks
# append, checks every job done, and stops the daemons; bounded in time and
# cleaned up on any exit. Skips, saying why, where that cluster cannot run
# (not root, a daemon missing or not starting). The generated script itself
# is checked without Slurm by sweep_test.sh.
# Prints "N passed, N failed" for tests/run.sh.
set -u
b=${1:-build}
top=$(pwd)
z="$top/$b/zpoolbench"
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
skip() { echo "skip sweep_slurm_array_runs_for_real: $1"; finish; }

for p in munged slurmctld slurmd sbatch sinfo; do
	command -v $p >/dev/null 2>&1 || [ -x /usr/sbin/$p ] ||
		skip "no $p (Debian: apt-get install slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || skip "slurmd runs jobs as their user only when it is root; run as root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-sweep-slurm.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		i=0
		while [ $i -lt 50 ] && kill -0 "$p" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
cd "$tmp" || exit 1
mkdir state spool
PATH=$PATH:/usr/sbin

dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$tmp/munge.key"
munged -F -f --socket="$tmp/munge.sock" --key-file="$tmp/munge.key" --log-file="$tmp/munge.log" \
	--pid-file="$tmp/munge.pid" --seed-file="$tmp/munge.seed" >"$tmp/munged.out" 2>&1 &
pids="$pids $!"
i=0
while [ $i -lt 50 ] && [ ! -S "$tmp/munge.sock" ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$tmp/munge.sock" ] || skip "munged did not start: $(tail -n 1 "$tmp/munged.out")"

host=$(hostname -s)
port=$((20000 + ($$ * 13) % 40000))
cat > "$tmp/slurm.conf" <<EOF
ClusterName=zpbtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=zpb Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -f "$tmp/slurm.conf" >"$tmp/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$tmp/slurm.conf" >"$tmp/slurmd.out" 2>&1 &
pids="$pids $!"
i=0
while [ $i -lt 100 ] && ! sinfo -h -o %t 2>/dev/null | grep -q idle; do sleep 0.2; i=$((i + 1)); done
sinfo -h -o %t 2>/dev/null | grep -q idle ||
	skip "the single-node cluster did not come up: $(tail -n 1 "$tmp/slurmctld.log" "$tmp/slurmd.log" 2>/dev/null | tr '\n' ' ')"
ok sweep_slurm_test_single_node_cluster_is_up

printf 'trace %s\nalloc zbud z3fold\nthreads 1 2\n' "$top/traces/samples/licenses-lru.zpt" > "$tmp/s.sweep"
"$z" sweep "$tmp/s.sweep" -o "$tmp/s.d" --engine slurm 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q 'submitted .* as Slurm array job [0-9]* (4 tasks)' "$tmp/err" && [ -s "$tmp/s.d/slurm/array.sh" ]; then
	ok sweep_slurm_submits_a_four_task_array
else
	bad sweep_slurm_submits_a_four_task_array "exit $rc, $(cat "$tmp/err")"
	finish
fi
i=0
while [ $i -lt 600 ] && [ "$(grep -c . "$tmp/s.d/joblog")" -lt 5 ]; do sleep 0.2; i=$((i + 1)); done
"$z" sweep "$tmp/s.sweep" -o "$tmp/s.d" --dry-run > "$tmp/list"
if [ "$(grep -c '^done	' "$tmp/list")" = 4 ] &&
   awk -F'\t' -v h="$host" 'NR > 1 && $2 == h && $7 == 0 { n++ } END { exit n != 4 }' "$tmp/s.d/joblog" &&
   [ "$(ls "$tmp/s.d/results/"*.json | wc -l)" = 4 ]; then
	ok sweep_slurm_array_tasks_run_every_job_and_log_them_done
else
	bad sweep_slurm_array_tasks_run_every_job_and_log_them_done "$(cut -f1,2 "$tmp/list"; cut -f1-8 "$tmp/s.d/joblog"; cat "$tmp/s.d/logs/"slurm-* 2>/dev/null | head -5)"
fi
"$z" sweep "$tmp/s.sweep" -o "$tmp/s.d" --engine slurm 2>"$tmp/err"
if grep -q 'every job is done: nothing to submit' "$tmp/err"; then
	ok sweep_slurm_rerun_of_a_finished_sweep_submits_nothing
else
	bad sweep_slurm_rerun_of_a_finished_sweep_submits_nothing "$(cat "$tmp/err")"
fi
cd "$top"
finish
