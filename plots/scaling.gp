# SPDX-License-Identifier: GPL-2.0-only
# Scaling: ops per second against replay threads, one line per allocator,
# from every results file given to the report (the median where several
# files share a thread count).
# Data: stem-i.dat columns: threads, ops/s. Variable: max_threads.
load 'style.gp'
set xlabel 'replay threads'
set ylabel 'throughput (ops/s)'
set xrange [0:max_threads + 1]
set xtics 1
set yrange [0:*]
set format y '%.3s%c'
plot for [i=1:n] file(i) using 1:2 with linespoints lw lw pt 7 ps 1.2 lc rgb word(colors, i) title word(names, i)
