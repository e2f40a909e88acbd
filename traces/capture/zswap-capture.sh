#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# zswap-capture.sh [--print] [BPFTRACE-OPTION]...: run traces/capture/zswap.bt
# on this kernel, with the function that frees a zswap entry named as this
# kernel names it: zswap_entry_free since v6.9, zswap_free_entry in
# v6.5..v6.8 (the script's only kernel-dependent line). Events go to
# standard output, for 'zpoolbench trace import bpftrace'; Ctrl-C ends.
#   --print   print the script for this kernel instead of running it
#   ZPB_ZSWAP_FREE=NAME overrides the name (tests check both without a kernel)
set -eu
bt="$(dirname "$0")/zswap.bt"
free=${ZPB_ZSWAP_FREE:-}
if [ -z "$free" ]; then
	for name in zswap_entry_free zswap_free_entry; do
		if grep -q " $name\$" /proc/kallsyms 2>/dev/null; then free=$name; break; fi
	done
fi
if [ -z "$free" ]; then
	echo "zswap-capture: this kernel has neither zswap_entry_free (v6.9+) nor zswap_free_entry (v6.5..v6.8) in /proc/kallsyms: no zswap, a kernel before v6.5, or the function inlined" >&2
	exit 2
fi
script=$(sed "s/^kprobe:zswap_entry_free\$/kprobe:$free/" "$bt")
if [ "${1:-}" = --print ]; then
	printf '%s\n' "$script"
	exit 0
fi
command -v bpftrace >/dev/null 2>&1 || { echo "zswap-capture: bpftrace is not installed (apt-get install bpftrace)" >&2; exit 2; }
exec bpftrace "$@" -e "$script"
