#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ci-extra.sh: the CI steps after the tests (.ci/run runs it after the
# sanitizer runs), each a short section: add yours as its own block. Runs from the
# top of the tree, after './configure' has written build/.
set -eu

# Short, bounded fuzzing of the trace readers, the JSON reader, the gate's
# rules parser, the allocator spec parser and replay (on null and zsmalloc):
# 15 s each, about 2 minutes with the build; 'ninja fuzz' runs each for 10
# minutes. Skips itself when clang's libFuzzer is missing.
echo "== fuzz-short: trace readers, JSON reader, rules and spec parsers, replay"
ninja fuzz-short

# Kernel truth: where CI runs as root with zram, capture a small image on
# this machine's kernel and validate the zsmalloc port against it, so that a
# kernel upgrade that changes zsmalloc is noticed. (The shipped fixtures are
# validated by test_fidelity in every run.)
echo "== fidelity: a fresh zram capture on this kernel"
if [ "$(id -u)" = 0 ] && { [ -e /sys/block/zram0 ] || [ -e /sys/class/zram-control ] || modprobe zram 2>/dev/null; }; then
	tmp=$(mktemp -d)
	head -c 4194304 /usr/bin/bash > "$tmp/image"
	cat /usr/lib/x86_64-linux-gnu/libc.so.6 >> "$tmp/image" 2>/dev/null || true
	build/zpoolbench capture zram "$tmp/image" -q --image-pages 1024 -o "$tmp/ci.zpt" --truth "$tmp/ci.truth.json"
	build/zpoolbench validate "$tmp/ci.zpt" "$tmp/ci.truth.json"
	rm -rf "$tmp"
else
	echo "fidelity: skipped (needs root and zram)"
fi

# The project gates itself: replay the bundled traces deterministically and
# gate page counts (exact) and instructions per op (threshold, when replay
# runs them under callgrind) against the baselines committed in
# gate/baselines/ (docs/gate.md says when 'ninja baseline' may rewrite them).
echo "== gate-self: the bundled traces against gate/baselines/"
ninja gate-self
