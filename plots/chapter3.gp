# chapter3.gp — grouped bars: wall time (median, min-max whiskers) and how busy the cores were.
load "plots/style.gp"
data = dir."/modes.csv"
set style fill solid 0.85 noborder
set boxwidth 0.6
set offsets 0.6, 0.6, 0, 0
set yrange [0:*]

set multiplot layout 1,2 title "Chapter 3: \"Multithreading is always faster than serial\"\n".small(note)
set title "wall time (median, whiskers min-max)"
set ylabel "seconds"
plot data using 0:"wall_median_s":(mode_color(strcol("mode"))):xtic(strcol("label")) with boxes lc rgb variable, \
     data using 0:"wall_median_s":"wall_min_s":"wall_max_s" with yerrorbars lc rgb "black" pt 0
set title "cores busy: CPU time / (wall time x cores)"
set ylabel "% of all cores"
set yrange [0:110]
plot data using 0:(100 * column("utilisation")):(mode_color(strcol("mode"))):xtic(strcol("label")) \
     with boxes lc rgb variable, \
     data using 0:(100 * column("utilisation")):(sprintf("%.0f%%", 100 * column("utilisation"))) \
     with labels offset 0,1
unset multiplot
