#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# sweep_parallel_test.sh BUILDDIR: zpoolbench sweep --engine parallel, over
# ssh to 127.0.0.1. Starts its own sshd (Debian's openssh-server) on a
# loopback port with a throwaway host key, user key and configuration in a
# temporary directory, runs a 2-job sweep through GNU parallel (traces
# transferred, results returned, the joblog kept), reruns it (nothing left
# to do), and stops the sshd; bounded in time and cleaned up on any exit.
# Skips, saying why, without sshd, GNU parallel, rsync or ssh.
# Prints "N passed, N failed" for tests/run.sh.
set -u
b=${1:-build}
z="$(pwd)/$b/zpoolbench"
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
skip() { echo "skip sweep_parallel_over_ssh: $1"; finish; }

sshd=/usr/sbin/sshd
[ -x "$sshd" ] || skip "no $sshd (Debian: apt-get install openssh-server)"
for p in ssh ssh-keygen rsync; do command -v $p >/dev/null 2>&1 || skip "no $p installed"; done
parallel --version 2>/dev/null | head -n 1 | grep -q '^GNU parallel' ||
	skip "GNU parallel is not installed (Debian: apt-get install parallel)"
# OpenSSH insists on its privilege separation directory, even for a private sshd.
if [ ! -d /run/sshd ]; then
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd 2>/dev/null
	[ -d /run/sshd ] || skip "sshd needs /run/sshd and this user cannot create it"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-sweep-ssh.XXXXXX") || exit 1
sshd_pid=
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_key" </dev/null || skip "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/user_key" </dev/null || skip "ssh-keygen failed"
cp "$tmp/user_key.pub" "$tmp/authorized_keys"
chmod 600 "$tmp/authorized_keys"

# A free loopback port: try a few, as another test or session may hold one.
tries=0
while :; do
	port=$((20000 + ($$ * 7 + tries * 131) % 40000))
	{
		echo "Port $port"
		echo "ListenAddress 127.0.0.1"
		echo "HostKey $tmp/host_key"
		echo "AuthorizedKeysFile $tmp/authorized_keys"
		echo "PidFile $tmp/sshd.pid"
		echo "StrictModes no"
		echo "UsePAM no"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin prohibit-password"
		echo "AllowUsers $(id -un)"
	} > "$tmp/sshd_config"
	"$sshd" -D -f "$tmp/sshd_config" -E "$tmp/sshd.log" &
	sshd_pid=$!
	sshcmd="ssh -F /dev/null -p $port -i $tmp/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5"
	i=0 up=0
	while [ $i -lt 50 ] && kill -0 "$sshd_pid" 2>/dev/null; do
		if $sshcmd 127.0.0.1 true </dev/null 2>/dev/null; then
			up=1
			break
		fi
		sleep 0.2
		i=$((i + 1))
	done
	[ $up = 1 ] && break
	kill "$sshd_pid" 2>/dev/null
	wait "$sshd_pid" 2>/dev/null
	sshd_pid=
	tries=$((tries + 1))
	[ $tries -lt 5 ] || skip "could not start sshd on a loopback port: $(tail -n 1 "$tmp/sshd.log" 2>/dev/null)"
done
ok sweep_parallel_test_sshd_accepts_the_throwaway_key

echo "$sshcmd 127.0.0.1" > "$tmp/sshlogins"
t=$(pwd)/traces/samples/licenses-lru.zpt
printf 'trace %s\nalloc zbud z3fold\n' "$t" > "$tmp/p.sweep"
timeout 180 "$z" sweep "$tmp/p.sweep" -o "$tmp/p.d" --engine parallel --sshloginfile "$tmp/sshlogins" -q \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -s "$tmp/p.d/results/licenses-lru__zbud.json" ] && [ -s "$tmp/p.d/results/licenses-lru__z3fold.json" ] &&
   grep -q '"format": "zpoolbench-results"' "$tmp/p.d/results/licenses-lru__zbud.json"; then
	ok sweep_parallel_over_ssh_returns_both_results_files
else
	bad sweep_parallel_over_ssh_returns_both_results_files "exit $rc, $(cat "$tmp/err") $(ls "$tmp/p.d/results" 2>&1)"
fi
# The joblog: parallel's own lines, one per job, run on the ssh host, exit 0,
# with the trace sent (Send > 0) and the results received (Receive > 0).
if awk -F'\t' 'NR > 1 && $2 ~ /127\.0\.0\.1$/ && $5 > 0 && $6 > 0 && $7 == 0 { n++ } END { exit n != 2 }' "$tmp/p.d/joblog"; then
	ok sweep_parallel_joblog_records_transfer_return_and_exit_0_per_job
else
	bad sweep_parallel_joblog_records_transfer_return_and_exit_0_per_job "$(cut -f1-8 "$tmp/p.d/joblog")"
fi
# The remote replay read the transferred copy (a relative path), and the original is intact.
if grep -q '"path": "traces/licenses-lru.zpt"' "$tmp/p.d/results/licenses-lru__zbud.json" && [ -s "$t" ]; then
	ok sweep_parallel_job_replays_the_transferred_trace
else
	bad sweep_parallel_job_replays_the_transferred_trace "$(grep '"path"' "$tmp/p.d/results/licenses-lru__zbud.json" | head -n 1)"
fi
timeout 60 "$z" sweep "$tmp/p.sweep" -o "$tmp/p.d" --engine parallel --sshloginfile "$tmp/sshlogins" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q '0 done now, 2 done before' "$tmp/err" && [ "$(grep -c . "$tmp/p.d/joblog")" = 3 ]; then
	ok sweep_parallel_rerun_of_a_finished_sweep_runs_nothing
else
	bad sweep_parallel_rerun_of_a_finished_sweep_runs_nothing "exit $rc, $(cat "$tmp/err")"
fi
finish
