#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run.sh HAVE_FUZZ SECONDS FUZZER...: run each libFuzzer target for SECONDS
# (FUZZ_SECONDS in the environment overrides) from the committed seeds in
# tests/fuzz/corpus/NAME (NAME: binary, json, rules, spec, replay or text, from
# the target's name),
# keeping what it finds in BUILDDIR/fuzz/corpus-NAME. Fails on the first
# target that finds a crash, a leak or a hang; the reproducer is left in
# BUILDDIR/fuzz/ and the log in BUILDDIR/fuzz/NAME.log.
set -u
have=$1 secs=${FUZZ_SECONDS:-$2}
shift 2
if [ "$have" != 1 ]; then
	echo "fuzz: skipped: clang with -fsanitize=fuzzer was not found by ./configure (apt-get install clang)"
	exit 0
fi
for f in "$@"; do
	dir=$(dirname "$f")
	case $(basename "$f") in
	*binary*) name=binary ;;
	*json*) name=json ;;
	*rules*) name=rules ;;
	*spec*) name=spec ;;
	*replay*) name=replay ;;
	*) name=text ;;
	esac
	work="$dir/corpus-$name" log="$dir/$name.log"
	mkdir -p "$work"
	echo "== $(basename "$f"): $secs s from tests/fuzz/corpus/$name"
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=8192 \
		-artifact_prefix="$dir/" -print_final_stats=1 "$work" "tests/fuzz/corpus/$name" > "$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$log"
	if [ $rc != 0 ]; then
		tail -n 40 "$log"
		echo "fuzz: $(basename "$f") failed (status $rc); log in $log"
		exit 1
	fi
done
echo "fuzz: no findings"
