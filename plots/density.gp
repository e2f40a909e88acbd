# SPDX-License-Identifier: GPL-2.0-only
# Density over time: each allocator's pool (MiB) as the trace replays, with
# the bytes stored (what an ideal allocator would need) for reference.
# Data: stem-i.dat columns: record, pool MiB, stored MiB.
load 'style.gp'
set xlabel 'trace position (records replayed)'
set ylabel 'memory (MiB)'
set yrange [0:*]
# %g, not a fixed number of decimals: ticks 0.25 apart never round into duplicates (0.3, 0.3)
set format y '%g'
plot for [i=1:n] file(i) using 1:2 with lines lw lw lc rgb word(colors, i) title word(names, i).' pool', \
     file(1) using 1:3 with lines ls 100 title 'stored (compressed) bytes'
