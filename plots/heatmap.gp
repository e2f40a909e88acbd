# SPDX-License-Identifier: GPL-2.0-only
# A sweep's heatmap: one row per trace and combination of axis values, one
# column per allocator, each cell the allocator's median pool pages over the
# best allocator's in that row (1.00: the fewest pages; the ideal bound is
# not a column). Cells an allocator did not run are empty.
# Data: stem.tsv, tab-separated: column, row, ratio, column name, row name.
# Variables: ncols, nrows (height is set from nrows by the report).
load 'style.gp'
set datafile separator "\t"
unset grid
unset key
set border 0
set view map
set xrange [-0.5:ncols - 0.5]
set yrange [nrows - 0.5:-0.5]
set xtics scale 0 rotate by -20
set ytics scale 0
set cbrange [1:*]
set cblabel 'pool pages / the row''s fewest'
set palette defined (0 '#ffffff', 1 '#fde0c5', 2 '#f59e72', 3 '#c0392b')
set lmargin 34
data = stem . '.tsv'
plot data using 1:2:3 with image, \
     data using 1:2:(sprintf('%.2f', $3)) with labels font ',10', \
     data using 1:2:xticlabels(stringcolumn(4)):yticlabels(stringcolumn(5)) with points pt -1
