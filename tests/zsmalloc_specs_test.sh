#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# zsmalloc_specs_test.sh BUILDDIR: the conformance and shadow suites pass
# for zsmalloc's tunings too (issue 9), not only for its default spec: each
# suite is run again with ZPB_TEST_ALLOCATORS set to one spec, which makes
# every pool of the suite with that spec (tests/pool_util.h). A run counts
# only if the suite says it made its pools "as" that spec and ends with no
# failure. Prints "N passed, N failed" like the C test programs.
set -u
b=${1:-build}
. tests/sh_harness.sh

for spec in zsmalloc:delta=32 zsmalloc:chain_policy=rfc zsmalloc:delta=64:chain_policy=rfc; do
	for suite in test_conformance test_shadow; do
		name="${suite#test_}_passes_for_$(echo "$spec" | tr ':=' '__')"
		if [ ! -x "$b/tests/$suite" ]; then
			bad "$name" "$b/tests/$suite is not built (ninja all_tests)"
			continue
		fi
		out=$(ZPB_TEST_ALLOCATORS=$spec "$b/tests/$suite" 2>&1)
		rc=$?
		last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
		if ! printf '%s\n' "$out" | grep -q "^  zsmalloc: as $spec\$"; then
			bad "$name" "allocator zsmalloc, $suite: no pool was made as $spec"
		elif [ "$rc" != 0 ] || [ -z "$last" ] || [ "${last#* passed, }" != "0 failed" ]; then
			bad "$name" "allocator $spec, $suite: exit $rc, summary '${last:-none}': $(printf '%s\n' "$out" | grep -m 3 -E 'FAIL|: ' | tr '\n' ' ')"
		else
			ok "$name"
		fi
	done
done
finish
