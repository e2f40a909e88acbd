# SPDX-License-Identifier: GPL-2.0-only
# Microbenchmarks (Google Benchmark JSON): time per operation against object
# size, one panel per benchmark kind (store, load, malloc_free, ...), one line
# per allocator; medians over repetitions.
# Data: stem-k-i.dat (kind k, allocator i) columns: size bytes, ns per op.
# Variables: nk (kinds), kinds (their names, space-separated).
height = 300 * ((nk + 1) / 2) + 60
load 'style.gp'
set multiplot layout (nk + 1) / 2, 2 title title_text font ',13'
unset title
set logscale x 2
set logscale y
set xlabel 'object size (bytes, log scale)'
set ylabel 'time per op (log scale)'
eval 'set ytics '.ns_tics
set key inside left top vertical Left reverse samplen 2 box lc rgb '#cccccc' font ',9'
do for [k=1:nk] {
	set title word(kinds, k) font ',11'
	plot for [i=1:n] sprintf('%s-%d-%d.dat', stem, k, i) using 1:2 with linespoints lw lw pt 7 ps 0.6 \
	     lc rgb word(colors, i) title word(names, i)
}
unset multiplot
