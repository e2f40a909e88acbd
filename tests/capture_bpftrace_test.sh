#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# capture_bpftrace_test.sh BUILDDIR: traces/capture/zswap.bt, as
# zswap-capture.sh runs it, parses and compiles with the installed bpftrace
# (-d: a dry run that attaches nothing) for both kernels' names of the
# entry-free function (v6.9+ and v6.5..v6.8); a broken script is told
# apart. Then, where this kernel can attach kprobes (root, tracefs,
# zswap present), it runs the capture for a second. Each check that cannot
# run here says why and is skipped. Prints "N passed, N failed".
set -u
. tests/sh_harness.sh
skip=0
skipped() { echo "skip $1: $2"; skip=$((skip + 1)); }
cap=traces/capture/zswap-capture.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-bpftrace.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

for free in zswap_entry_free zswap_free_entry; do
	if ZPB_ZSWAP_FREE=$free "$cap" --print >"$tmp/$free.bt" && grep -qx "kprobe:$free" "$tmp/$free.bt"; then
		ok "capture_script_for_${free}_names_it"
	else
		bad "capture_script_for_${free}_names_it" "no 'kprobe:$free' line in the script zswap-capture.sh printed"
	fi
done
if ! command -v bpftrace >/dev/null 2>&1; then
	skipped capture_script_parses_with_the_installed_bpftrace "bpftrace is not installed (apt-get install bpftrace, or ./configure --install-deps)"
	finish
fi
ver=$(bpftrace --version 2>/dev/null)
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skipped capture_script_parses_with_the_installed_bpftrace "this kernel has no BTF (/sys/kernel/btf/vmlinux), which the script's struct casts need"
	finish
fi
for free in zswap_entry_free zswap_free_entry; do
	# -d compiles (resolving struct folio and zswap_entry from BTF) and stops before attaching.
	bpftrace -d -e "$(cat "$tmp/$free.bt")" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = 0 ]; then ok "capture_script_for_${free}_compiles_with_$(echo "$ver" | tr ' .' '__')"
	else bad "capture_script_for_${free}_compiles_with_$(echo "$ver" | tr ' .' '__')" "exit $rc: $(grep -v WARNING "$tmp/err" | head -n 3)"; fi
done
# The check can fail: a field zswap_entry does not have is an error.
sed 's/\$e->length/$e->no_such_field/' "$tmp/zswap_entry_free.bt" >"$tmp/broken.bt"
if bpftrace -d -e "$(cat "$tmp/broken.bt")" >/dev/null 2>&1; then
	bad bpftrace_dry_run_refuses_a_field_zswap_entry_lacks "bpftrace -d accepted \$e->no_such_field: the check above proves nothing"
else
	ok bpftrace_dry_run_refuses_a_field_zswap_entry_lacks
fi

# A live run: attaches the probes for a second.
why=
[ "$(id -u)" = 0 ] || why="not root"
[ -z "$why" ] && [ ! -e /sys/kernel/tracing/available_filter_functions ] &&
	[ ! -e /sys/kernel/debug/tracing/available_filter_functions ] &&
	why="this kernel cannot attach kprobes (no tracefs available_filter_functions)"
[ -z "$why" ] && ! grep -q ' zswap_store$' /proc/kallsyms && why="this kernel has no zswap_store (CONFIG_ZSWAP off, or before v6.5)"
# A symbol in kallsyms is not yet a kprobe site: tracefs lists the
# functions ftrace can patch, and bpftrace only warns ("not traceable")
# before failing to attach to one it does not list.
if [ -z "$why" ]; then
	aff=/sys/kernel/tracing/available_filter_functions
	[ -e "$aff" ] || aff=/sys/kernel/debug/tracing/available_filter_functions
	for fn in zswap_store zs_malloc; do
		[ -z "$why" ] && ! grep -Eq "^$fn( |\$)" "$aff" 2>/dev/null &&
			why="$fn is not traceable here ($aff does not list it, or cannot be read)"
	done
fi
# bpftrace raises RLIMIT_MEMLOCK itself; a container that forbids it cannot load BPF maps at all.
[ -z "$why" ] && ! (ulimit -l unlimited 2>/dev/null || ulimit -l 8192 2>/dev/null) &&
	[ "$(ulimit -l)" != unlimited ] && [ "$(ulimit -l)" -lt 8192 ] &&
	why="RLIMIT_MEMLOCK is $(ulimit -l) kB and cannot be raised here, so bpftrace cannot load its maps"
if [ -n "$why" ]; then
	skipped capture_attaches_on_this_kernel "$why"
else
	printf '%s\ninterval:s:1 { exit(); }\n' "$("$cap" --print)" >"$tmp/live.bt"
	timeout 60 bpftrace "$tmp/live.bt" >"$tmp/live.out" 2>"$tmp/live.err"
	rc=$?
	if [ $rc = 0 ] && grep -q '^# zswap.bt 1' "$tmp/live.out"; then ok capture_attaches_on_this_kernel
	else bad capture_attaches_on_this_kernel "exit $rc: $(head -n 3 "$tmp/live.err")"; fi
fi
echo "($skip skipped; $ver on Linux $(uname -r))"
finish
