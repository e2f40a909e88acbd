# SPDX-License-Identifier: GPL-2.0-only
# The style every zpoolbench picture shares. The report writer runs each
# picture's script with these variables set (gnuplot -e):
#   term    'svg' or 'png'          out     the output file
#   stem    data file prefix: per-allocator files are stem-1.dat, stem-2.dat, ...
#   n       number of allocators    names   their names, space-separated
#   colors  their colours ('#rrggbb', same order; fixed per allocator)
#   title_text  the picture's title
# Optional: height (pixels, default 450).
if (!exists("height")) height = 450
if (term eq 'png') {
	set terminal pngcairo size 800,height font 'DejaVu Sans,10' noenhanced background rgb 'white'
} else {
	set terminal svg size 800,height font 'DejaVu Sans,11' noenhanced background rgb 'white'
}
set output out
set encoding utf8
set border 3 lw 1 lc rgb '#444444'
set tics nomirror textcolor rgb '#222222'
set grid lc rgb '#e0e0e0' lw 1 dt 1
set key outside right top vertical Left reverse samplen 2 spacing 1.1 box lc rgb '#cccccc'
set title title_text font ',13'
set datafile missing 'nan'
set datafile commentschars '#'
set style fill solid 0.85 border lc rgb '#333333'
# Reference lines: stored bytes (black dashed), limits (red dotted).
set style line 100 lc rgb '#000000' dt 2 lw 1.5
set style line 101 lc rgb '#cc0000' dt 3 lw 2
lw = 2
file(i) = sprintf('%s-%d.dat', stem, i)
# Percentile axis as HdrHistogram draws it: x = 1/(1-q) on a log scale.
set_percentile_axis = "set logscale x; set xrange [2:10000]; set xtics ('50%%' 2, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000); set mxtics 10; set xlabel 'percentile (log scale of 1/(1-q))'"
# Latency axes (log scale, in ns) labelled in readable units.
ns_tics = "('1 ns' 1, '10 ns' 10, '100 ns' 100, '1 µs' 1e3, '10 µs' 1e4, '100 µs' 1e5, '1 ms' 1e6, '10 ms' 1e7, '100 ms' 1e8, '1 s' 1e9, '10 s' 1e10)"
