# SPDX-License-Identifier: GPL-2.0-only
# Compression efficiency: pages kept per pool page for each allocator (the
# compression ratio the allocator delivers), with its density under its name.
# Data: stem-1.dat rows: name, compression ratio, density (0..1), colour (integer 0xrrggbb),
# and the interval for the median over repetitions (lo, hi; drawn only when hi > lo).
load 'style.gp'
set xlabel 'allocator (density: compressed bytes per pool byte)' offset 0,-0.5
set ylabel 'compression ratio (stored pages per pool page)'
set yrange [0:*]
set xrange [-0.6:n - 0.4]
set boxwidth 0.6
set xtics scale 0
set bmargin 5
set grid noxtics
plot file(1) using 0:2:4:xtic(stringcolumn(1).sprintf("\n%.0f%% dense", 100 * $3)) with boxes lc rgb variable notitle, \
     file(1) using 0:($6 > $5 ? $2 : NaN):5:6 with yerrorbars lc rgb '#333333' pt 7 ps 0 lw 1.5 notitle, \
     file(1) using 0:2:(sprintf('%.2f', $2)) with labels offset 0,0.8 notitle, \
     for [i=1:n] NaN with boxes lc rgb word(colors, i) title word(names, i)
