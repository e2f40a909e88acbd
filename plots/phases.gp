# SPDX-License-Identifier: GPL-2.0-only
# Where a store's and a load's time goes under replay --compress: one bar per
# allocator and op, stacked by phase (mean ns of each phase's histogram), the
# op's own p50 and p99 written above it as its spread.
# Data: stem-1.dat rows: label, compress, allocate, map, copy_in, decompress,
# verify (mean ns; 0 where the op has no such phase), p50, p99 (ns).
load 'style.gp'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set ylabel 'mean ns per op, by phase'
set yrange [0:*]
set xtics rotate by -30 scale 0
set bmargin 7
set grid noxtics
set key outside right top
phase_colors = '#4e79a7 #f28e2b #59a14f #e15759 #76b7b2 #edc948'
phase_names = 'compress allocate map copy-in decompress verify'
plot for [c=2:7] file(1) using c:xtic(1) lc rgb word(phase_colors, c - 1) title word(phase_names, c - 1), \
     file(1) using ($0):($2+$3+$4+$5+$6+$7):(sprintf('p50 %.0f\np99 %.0f', $8, $9)) with labels offset 0,1.5 font ',8' notitle
