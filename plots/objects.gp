# SPDX-License-Identifier: GPL-2.0-only
# Objects per page at the end of the run: the share of each allocator's
# pages holding 1, 2, 3, ... compressed objects (bars side by side).
# Data: stem-i.dat columns: objects per page, share of pages (%).
load 'style.gp'
set xlabel 'objects per page'
set ylabel 'share of pages (%)'
set yrange [0:*]
set xtics 1
bw = 0.8 / n
set boxwidth bw
plot for [i=1:n] file(i) using ($1 + (i - (n + 1) / 2.0) * bw):2 with boxes lc rgb word(colors, i) title word(names, i)
