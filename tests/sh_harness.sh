# SPDX-License-Identifier: GPL-2.0-only
# sh_harness.sh: sourced (from the top of the tree) by every tests/*_test.sh,
# so that each reports its checks as the C test programs do and tests/run.sh
# adds them up: "ok NAME", "FAIL NAME: why", and a last "N passed, N failed".
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
