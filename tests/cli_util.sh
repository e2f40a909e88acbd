# SPDX-License-Identifier: GPL-2.0-only
# cli_util.sh: sourced by the test scripts that walk the CLI (man_test.sh,
# cli_test.sh), so both find the commands the same way. Needs $z, the
# zpoolbench binary.

# listed [ARGS...]: the names under "Commands:" or "Kinds:" in
# 'zpoolbench ARGS --help': the commands, trace commands or capture kinds.
listed() {
	"$z" "$@" --help 2>/dev/null | awk '
		/^(Commands|Kinds):$/ { on = 1; next }
		on && /^$/ { exit }
		on && /^  [a-z]/ { print $1 }'
}
