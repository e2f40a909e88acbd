#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gen.sh BUILDDIR MANIFEST: write the parts of the build that are lists, so
# that adding a port or a test is adding a file (or one line), never editing
# a list by hand:
#   BUILDDIR/ports.h         the registry's table, from allocators/ports.list
#   BUILDDIR/generated.ninja the ports' module.ninja includes, the
#                            libzpoolbench.a archive list, every test program
#                            (tests/test_*.c) and test script
#                            (tests/*_test.sh), the test, test-threaded,
#                            soak and all_tests lists, and the edge that
#                            reruns this script when those inputs change.
# A test program opts into a list with a line in its source:
#   // zpb-test: threaded   also in 'ninja test-threaded' (run under TSan in CI)
#   // zpb-test: soak       also in 'ninja soak' (ZPB_TEST_SCALE=20)
#   // zpb-test: custom     built elsewhere (its own module.ninja); listed only
# configure runs this; ninja reruns it when tests/ or the port list change.
set -eu
b=$1
manifest=$2
ports=allocators/ports.list
out=$b/generated.ninja
tmp=$out.tmp.$$
htmp=$b/ports.h.tmp.$$
trap 'rm -f "$tmp" "$htmp"' EXIT

# name DIR pairs, comments and blank lines dropped
port_lines() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$ports"; }

{
	echo "/* Written by mk/gen.sh from $ports; do not edit. */"
	port_lines | while read -r name dir; do
		[ -f "$dir/module.ninja" ] || { echo "gen.sh: $ports: $name: no $dir/module.ninja" >&2; exit 1; }
		echo "ZPB_PORT($name)"
	done
} > "$htmp"

# What every test program links besides its own object (ninja cannot split a
# variable into several paths, so the list is written out on each edge).
test_objs='$builddir/tests/harness.o $builddir/tests/pool_util.o $builddir/tests/trace_util.o'

has_tag() { grep -q "^// zpb-test: $2\$" "$1"; }

{
	echo "# Written by mk/gen.sh; do not edit: add a port to $ports, a test as tests/test_NAME.c."
	echo
	echo "# The ports"
	archives=
	port_lines | while read -r name dir; do echo "include $dir/module.ninja"; done
	for name in $(port_lines | awk '{ print $1 }'); do archives="$archives \$builddir/lib/$name.a"; done
	echo "build \$builddir/libzpoolbench.a: arcombine \$builddir/lib/allocators.a$archives"
	echo
	echo "# Test programs: each links the test helpers and both libraries."
	all= threaded= soak=
	for src in tests/test_*.c; do
		[ -f "$src" ] || continue
		t=$(basename "$src" .c)
		bin="\$builddir/tests/$t"
		all="$all $bin"
		has_tag "$src" threaded && threaded="$threaded $bin"
		has_tag "$src" soak && soak="$soak $bin"
		has_tag "$src" custom && continue
		echo "build \$builddir/tests/$t.o: cc $src"
		echo "build $bin: link \$builddir/tests/$t.o $test_objs \$builddir/libzpbtools.a \$builddir/libzpoolbench.a | \$builddir/zpoolbench \$builddir/tests/callgrind_child"
	done
	echo
	echo "# Test scripts: a wrapper runs each with the build directory."
	for src in tests/*_test.sh; do
		[ -f "$src" ] || continue
		t=$(basename "$src" .sh)
		all="$all \$builddir/tests/$t"
		echo "build \$builddir/tests/$t: script_wrapper $src | \$builddir/zpoolbench \$builddir/zpb-limit \$builddir/zpb-gentrace docs/zpoolbench.1 tests/cli_util.sh"
	done
	echo
	echo "build test: run_tests$all"
	echo "build test-threaded: run_tests$threaded"
	echo "build soak: run_soak$soak"
	echo "build all_tests: phony$all \$builddir/tests/callgrind_child"
	echo
	echo "# Rerun this script when a test or a port comes or goes."
	printf 'build %s: regen | mk/gen.sh %s tests' "$manifest" "$ports"
	for src in tests/test_*.c tests/*_test.sh; do [ -f "$src" ] && printf ' %s' "$src"; done
	port_lines | while read -r name dir; do printf ' %s/module.ninja' "$dir"; done
	echo
	echo "  generator = 1"
	echo "# A file that goes away must rerun the script, not stop the build."
	for src in tests/test_*.c tests/*_test.sh; do [ -f "$src" ] && echo "build $src: phony"; done
} > "$tmp"
mv "$tmp" "$out"
if ! cmp -s "$htmp" "$b/ports.h" 2>/dev/null; then mv "$htmp" "$b/ports.h"; fi
