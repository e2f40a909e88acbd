#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# browser_test.sh BUILDDIR: load a report written from the fixtures in
# headless Chromium (Debian's chromium package); it must load with no
# console messages (the page has no scripts, so any is an error), its DOM
# must hold the summary tables and every picture as inline SVG, and a
# screenshot is taken (BUILDDIR/tests/browser/report.png). Without
# /usr/bin/chromium it says it skipped. Prints "N passed, N failed" like the
# C test programs, for tests/run.sh.
set -u
b=${1:-build}
chromium=${ZPB_CHROMIUM:-/usr/bin/chromium}
. tests/sh_harness.sh

if [ ! -x "$chromium" ]; then
	echo "skip browser tests: $chromium not installed (apt-get install chromium)"
	echo "0 passed, 0 failed"
	exit 0
fi
out="$b/tests/browser"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zpb-browser.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"
rm -rf "$out/report"
if ! "$b/zpoolbench" report tests/fixtures/results-all.json tests/fixtures/results-all-4threads.json \
	tests/fixtures/gbench.json --baseline tests/fixtures/results-z3fold.json -o "$out/report" \
	>"$tmp/report.out" 2>&1; then
	bad report_for_browser_is_written "$(cat "$tmp/report.out")"
	echo "$pass passed, $fail failed"
	exit 1
fi
page="file://$(cd "$out/report" && pwd)/index.html"

run_chromium() { # extra flags...
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 --window-size=1200,2400 "$@" "$page"
}

if run_chromium --dump-dom >"$tmp/dom" 2>"$tmp/log"; then
	ok browser_loads_report
else
	bad browser_loads_report "chromium exited non-zero: $(tail -n 3 "$tmp/log")"
fi
if grep -q 'CONSOLE' "$tmp/log"; then
	bad report_page_has_no_console_messages "$(grep CONSOLE "$tmp/log" | head -n 3)"
else
	ok report_page_has_no_console_messages
fi
tables=$(grep -o '<table class="summary[ "]' "$tmp/dom" | wc -l)
svgs=$(grep -o '<svg' "$tmp/dom" | wc -l)
# Two replay inputs of 8 pictures each, less the panels that would be empty
# for the 4-thread fixture (no objects per page, no reclaim: it ran without
# a pool limit), plus scaling: 15. Each replay input has a density table
# and a latency table, the Google Benchmark input one table and no
# pictures, and the verdict across inputs one: 6 summary tables.
if [ "$tables" -eq 6 ]; then ok dom_has_the_summary_tables_of_every_input; else
	bad dom_has_the_summary_tables_of_every_input "expected 6 tables, found $tables"; fi
if [ "$svgs" -eq 15 ]; then ok dom_has_every_picture_as_inline_svg; else
	bad dom_has_every_picture_as_inline_svg "expected 15 <svg, found $svgs"; fi
dups=$(grep -o ' id="[^"]*"' "$tmp/dom" | sort | uniq -d | head -n 3 | tr '\n' ' ')
if [ -z "$dups" ]; then ok dom_ids_are_unique; else
	bad dom_ids_are_unique "repeated:$dups"; fi
if grep -Eq '(src|href)="https?:' "$out/report/index.html"; then
	bad report_needs_no_network "$(grep -Eo '(src|href)="https?:[^"]*' "$out/report/index.html" | head -n 1)"
else
	ok report_needs_no_network
fi
rm -f "$out/report.png"
run_chromium --screenshot="$out/report.png" >/dev/null 2>"$tmp/log2"
if [ -s "$out/report.png" ] && [ "$(head -c 4 "$out/report.png" | od -An -c | tr -d ' ')" = '211PNG' ]; then
	ok screenshot_is_taken
else
	bad screenshot_is_taken "no PNG at $out/report.png: $(tail -n 2 "$tmp/log2")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
