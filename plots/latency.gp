# SPDX-License-Identifier: GPL-2.0-only
# Latency percentile spectrum of one op type, drawn as HdrHistogram does:
# latency against percentile on a log scale from p50 to p99.99.
# Data: stem-i.dat columns: 1/(1-q), latency ns, q.
load 'style.gp'
eval set_percentile_axis
set logscale y
eval 'set ytics '.ns_tics
set ylabel 'latency (log scale)'
plot for [i=1:n] file(i) using 1:2 with lines lw lw lc rgb word(colors, i) title word(names, i)
