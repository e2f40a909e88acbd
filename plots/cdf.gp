# SPDX-License-Identifier: GPL-2.0-only
# Latency CDF of stores (solid) and loads (dashed) for each allocator.
# Data: stem-i.dat (stores) and stem-i-load.dat (loads) columns: latency ns, cumulative fraction.
load 'style.gp'
set logscale x
eval 'set xtics '.ns_tics
set xlabel 'latency (log scale)'
set ylabel 'fraction of ops at or below (%)'
set yrange [0:100]
plot for [i=1:n] file(i) using 1:(100 * $2) with steps lw lw lc rgb word(colors, i) title word(names, i).' store', \
     for [i=1:n] sprintf('%s-%d-load.dat', stem, i) using 1:(100 * $2) with steps lw lw dt 2 lc rgb word(colors, i) title word(names, i).' load'
