#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# deps_test.sh BUILDDIR: './configure --install-deps' and CI (.ci/run) install
# the same Debian packages, and that list holds every optional tool a test
# or the report probes for, so a new user's 'ninja test' skips nothing CI
# runs. Prints "N passed, N failed" like the C test programs.
set -u
. tests/sh_harness.sh

conf=$(sed -n 's/^all_pkgs="\(.*\)"$/\1/p' configure | tr ' ' '\n' | grep . | sort -u)
# The apt-get install line of .ci/run, joined across its continuation lines.
ci=$(awk '/apt-get install/ { on = 1 } on { print; if (!/\\$/) exit }' .ci/run |
	tr ' \\\t' '\n\n\n' | grep -vE '^(apt-get|install|-y|-qq|--no-install-recommends|>/dev/null|)$' | sort -u)
if [ -z "$conf" ] || [ -z "$ci" ]; then
	bad deps_lists_are_found "configure all_pkgs: '$conf', .ci/run: '$ci'"
elif [ "$conf" = "$ci" ]; then
	ok configure_install_deps_and_ci_install_the_same_packages
else
	bad configure_install_deps_and_ci_install_the_same_packages \
		"only in configure: $(echo "$conf" | grep -vxF "$ci" | tr '\n' ' ')only in .ci/run: $(echo "$ci" | grep -vxF "$conf" | tr '\n' ' ')"
fi
# package:command a test or the report runs when it is there.
for pc in chromium:browser_test.sh groff-base:man_test.sh bpftrace:capture_bpftrace_test.sh \
	  valgrind:test_callgrind.c gnuplot-nox:report clang:fuzz \
	  make:plugin_test.sh pkg-config:plugin_test.sh; do
	p=${pc%%:*} user=${pc#*:}
	if echo "$conf" | grep -qxF "$p"; then ok "install_deps_installs_${p}_for_$(echo "$user" | tr . _)"
	else bad "install_deps_installs_${p}_for_$(echo "$user" | tr . _)" "$p is not in configure's all_pkgs"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
