# SPDX-License-Identifier: GPL-2.0-only
# Reclaim timeline: pool size against the limit, writebacks and misses as
# the trace replays, and the latency of reclaim calls.
# Data: stem-i.dat columns: record, pool pages, writebacks, misses;
# stem-i-lat.dat: as latency.gp. Variables: limit (pages, 0 = none),
# limit_far (1: the limit is far above the pool and is named, not drawn), have_lat (0/1).
height = 900
load 'style.gp'
set multiplot layout 3,1 title title_text font ',13'
unset title
set xlabel 'trace position (records replayed)'
set ylabel 'pool (pages)'
set yrange [0:*]
if (limit > 0 && !limit_far) {
	plot for [i=1:n] file(i) using 1:2 with lines lw lw lc rgb word(colors, i) title word(names, i), \
	     limit with lines ls 101 title 'pool limit'
} else {
	if (limit > 0) {
		set label 2 sprintf('pool limit %.0f pages: far above, not drawn', limit) at graph 0.02, 0.92 left
	} else {
		set label 2 'no pool limit set' at graph 0.02, 0.92 left
	}
	plot for [i=1:n] file(i) using 1:2 with lines lw lw lc rgb word(colors, i) title word(names, i)
	unset label 2
}
set ylabel 'events (cumulative)'
plot for [i=1:n] file(i) using 1:3 with lines lw lw lc rgb word(colors, i) title word(names, i).' writebacks', \
     for [i=1:n] file(i) using 1:4 with lines lw lw dt 2 lc rgb word(colors, i) title word(names, i).' misses'
if (have_lat) {
	eval set_percentile_axis
	set yrange [*:*]
	set logscale y
	eval 'set ytics '.ns_tics
	set ylabel 'reclaim latency (log)'
	plot for [i=1:n] sprintf('%s-%d-lat.dat', stem, i) using 1:2 with lines lw lw lc rgb word(colors, i) title word(names, i)
} else {
	unset xlabel
	set ylabel 'reclaim latency'
	set label 1 'no reclaim latency recorded (no pool limit hit)' at graph 0.5, 0.5 center
	unset key
	set xrange [0:1]
	set yrange [0:1]
	plot NaN notitle
}
unset multiplot
