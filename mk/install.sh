#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# install.sh PREFIX BUILDDIR BINARY LIBRARY: what 'ninja install' runs.
# DESTDIR (environment) is prepended to every path, for staged installs and
# packaging: DESTDIR=/tmp/stage ninja install. The pkg-config file names
# PREFIX, not DESTDIR, as packages expect; a test that installs into a
# staging directory points pkg-config there with PKG_CONFIG_SYSROOT_DIR or
# --define-variable=prefix=.
#
# What a plugin needs (docs/plugins.md): the headers under
# include/zpoolbench/ (plugin.h, zpool.h, kernel/*.h and kernel/config.h,
# this build's configuration, which spinlock.h reads) and zpoolbench.pc.
# It links against nothing: the kernel-compat layer it calls is in the
# zpoolbench binary, which exports it. libzpoolbench.a (the allocators and
# the compat layer) is for programs that embed the allocators instead.
set -eu
prefix=$1 b=$2 bin=$3 lib=$4
d=${DESTDIR:-}$prefix
inc=$d/include/zpoolbench
install -d "$d/bin" "$d/lib/pkgconfig" "$inc/kernel" "$d/share/doc/zpoolbench" "$d/share/man/man1"
install -m 755 "$bin" "$d/bin/zpoolbench"
install -m 644 "$lib" "$d/lib/libzpoolbench.a"
install -m 644 allocators/zpool.h allocators/plugin.h "$inc/"
install -m 644 allocators/kernel/*.h "$inc/kernel/"
install -m 644 "$b/config.h" "$inc/kernel/config.h"
abi=$(sed -n 's/^#define ZPB_PLUGIN_ABI_VERSION \([0-9]*\)$/\1/p' allocators/plugin.h)
version=$(sed -n 's/^#define ZPB_VERSION "\(.*\)"$/\1/p' "$b/config.h")
cat > "$d/lib/pkgconfig/zpoolbench.pc" <<PC
# zpoolbench plugins: cc -fPIC -shared \$(pkg-config --cflags --libs zpoolbench) ...
# (docs/plugins.md). The kernel-compat layer is resolved from the zpoolbench
# binary when it loads the plugin, so Libs names no library.
prefix=$prefix
includedir=\${prefix}/include
libdir=\${prefix}/lib
plugin_abi=$abi

Name: zpoolbench
Description: build an allocator plugin for zpoolbench (plugin ABI $abi)
Version: $version
Cflags: -I\${includedir} -D_GNU_SOURCE -pthread
Libs: -pthread
PC
install -m 644 docs/zpoolbench.1 "$d/share/man/man1/zpoolbench.1"
for f in README.md docs/*.md; do [ -f "$f" ] && install -m 644 "$f" "$d/share/doc/zpoolbench/"; done
install -d "$d/share/doc/zpoolbench/examples/plugin"
install -m 644 examples/plugin/Makefile examples/plugin/pageper.c "$d/share/doc/zpoolbench/examples/plugin/"
echo "installed zpoolbench into ${DESTDIR:+$DESTDIR}$prefix"
