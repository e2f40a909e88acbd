#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# install.sh PREFIX BINARY LIBRARY: what 'ninja install' runs.
set -eu
prefix=$1 bin=$2 lib=$3
install -d "$prefix/bin" "$prefix/lib" "$prefix/include/zpoolbench/kernel" "$prefix/share/doc/zpoolbench" \
	"$prefix/share/man/man1"
install -m 755 "$bin" "$prefix/bin/zpoolbench"
install -m 644 "$lib" "$prefix/lib/libzpoolbench.a"
install -m 644 allocators/zpool.h "$prefix/include/zpoolbench/"
install -m 644 allocators/kernel/*.h "$prefix/include/zpoolbench/kernel/"
install -m 644 docs/zpoolbench.1 "$prefix/share/man/man1/zpoolbench.1"
for d in README.md docs/*.md; do [ -f "$d" ] && install -m 644 "$d" "$prefix/share/doc/zpoolbench/"; done
echo "installed zpoolbench into $prefix"
