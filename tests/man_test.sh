#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# man_test.sh BUILDDIR: docs/zpoolbench.1 renders without a groff warning
# (as groff's default device and as man(1) shows it on a terminal; skipped
# with a message when groff is not installed), and it cannot silently fall
# behind the CLI: every command 'zpoolbench --help' lists, every trace
# command and capture kind has its own section (.SS "zpoolbench trace
# info"), every option that a --help text names appears in that
# command's section, and the .TH line names the version --version gives.
# Prints "N passed, N failed" like the C test programs, for tests/run.sh.
set -u
b=${1:-build}
z="$b/zpoolbench"
page=docs/zpoolbench.1
. tests/sh_harness.sh

if [ ! -x "$z" ] || [ ! -f "$page" ]; then
	bad man_test_inputs_exist "need $z and $page (run from the top of the tree)"
	finish
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-man.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# --- rendering ---
if command -v groff >/dev/null 2>&1; then
	for dev in default utf8; do
		if [ "$dev" = default ]; then
			groff -man -ww -z "$page" >"$tmp/warn" 2>&1
		else
			# man(1) on an 80-column terminal: 78n minus the 7n indent margin.
			groff -man -ww -z -Tutf8 -rLL=72n "$page" >"$tmp/warn" 2>&1
		fi
		if [ -s "$tmp/warn" ]; then
			bad "man_page_renders_without_warnings_$dev" "$(head -n 5 "$tmp/warn")"
		else
			ok "man_page_renders_without_warnings_$dev"
		fi
	done
else
	echo "skip man_page_renders_without_warnings: groff not installed (apt-get install groff-base)"
fi

# --- the page against the CLI ---
# The source with escapes undone, so that '\-\-alloc' reads '--alloc'.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\[:&%]//g' -e 's/\\c$//' "$page" >"$tmp/plain"

# section HEADING: the lines of the .SS or .SH section named HEADING.
section() {
	awk -v h="$1" '
		/^\.S[SH] / { t = $0; sub(/^\.S[SH] +/, "", t); gsub(/"/, "", t); on = (t == h); next }
		on' "$tmp/plain"
}

. tests/cli_util.sh

# check_options NAME ARGS...: every option ARGS' --help names is in section NAME.
check_options() {
	name=$1
	shift
	section "$name" >"$tmp/section"
	if [ ! -s "$tmp/section" ]; then
		bad "man_page_has_section_for_$(echo "$name" | tr ' ' _)" "no section .SS \"$name\" in $page"
		return
	fi
	ok "man_page_has_section_for_$(echo "$name" | tr ' ' _)"
	"$z" "$@" --help >"$tmp/help" 2>&1
	# Long options anywhere in the text; short ones where options are listed ("  -o, --output").
	missing=
	for o in $(grep -oE -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u) \
		$(grep -oE -- '^ +-[a-zA-Z],' "$tmp/help" | tr -d ' ,' | sort -u); do
		[ "$o" = --help ] || [ "$o" = -h ] && continue
		grep -qE -- "(^|[^a-zA-Z0-9-])$o([^a-zA-Z0-9-]|$)" "$tmp/section" || missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		bad "man_page_documents_every_option_of_$(echo "$name" | tr ' ' _)" \
			"'zpoolbench $* --help' names$missing, which section \"$name\" of $page lacks"
	else
		ok "man_page_documents_every_option_of_$(echo "$name" | tr ' ' _)"
	fi
}

cmds=$(listed)
if [ -z "$cmds" ]; then
	bad zpoolbench_help_lists_commands "no 'Commands:' list in '$z --help'"
	finish
fi
for c in $cmds; do
	check_options "zpoolbench $c" "$c"
done
subs=$(listed trace)
kinds=$(listed capture)
if [ -z "$subs" ] || [ -z "$kinds" ]; then
	bad trace_and_capture_help_list_their_commands "trace: '$subs', capture: '$kinds'"
else
	for s in $subs; do
		check_options "zpoolbench trace $s" trace "$s"
	done
	for k in $kinds; do
		check_options "zpoolbench capture $k" capture "$k"
	done
fi

# The top-level options (--help, --version) are in OPTIONS.
section OPTIONS >"$tmp/section"
missing=
for o in $("$z" --help | sed -n 's/^Options: //p' | tr ',' ' '); do
	grep -qE -- "(^|[^a-zA-Z0-9-])$o([^a-zA-Z0-9-]|$)" "$tmp/section" || missing="$missing $o"
done
if [ -n "$missing" ]; then
	bad man_page_documents_the_global_options "OPTIONS lacks$missing"
else
	ok man_page_documents_the_global_options
fi

# The page's header names the version the binary reports.
v=$("$z" --version | sed -n 's/^zpoolbench //p')
if grep -q "^\.TH ZPOOLBENCH 1 [^ ]* \"zpoolbench $v\"" "$page"; then
	ok man_page_names_the_binarys_version
else
	bad man_page_names_the_binarys_version "'zpoolbench --version' says $v; $page has: $(grep '^\.TH' "$page")"
fi

# The test itself must be able to fail: a section that is not there is found missing.
if [ -z "$(section 'zpoolbench no-such-command')" ] && [ -n "$(section 'zpoolbench replay')" ]; then
	ok man_test_tells_a_missing_section_from_a_present_one
else
	bad man_test_tells_a_missing_section_from_a_present_one "section() does not discriminate"
fi
finish
