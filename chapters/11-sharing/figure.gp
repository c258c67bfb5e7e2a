# figure.gp (chapter 11) — (a) additions per second against threads, log-log, one line
# per way, the ideal (serial's rate x threads, up to the cores) and the cores marked;
# (b) the share of updates lost: the C unsynchronised counter, and CPython's threads
# adding through a property with the GIL on (when python3 ran).
load "style.gp"
modes = dir."/modes.csv"
if (!exists("most")) most = 2 * cores
stats modes using (strcol("family") eq "serial" ? column("additions_per_s") : NaN) nooutput
serial_rate = STATS_max
ideal(k) = serial_rate * (k < cores ? k : cores)
is_way(w) = strcol("family") eq w

panel_height = 520 # room for the key under (a)
call "panels.gp" 2
set title "(a) additions per second".(is_dumb ? "" : " (whiskers: 95% interval)")
set logscale x 2
set logscale y 10
set xrange [0.8:most * 1.25]
set xtics () # every thread count labelled, on the log axis too
do for [k = 1:most] { set xtics add (sprintf("%d", k) k) }
set xlabel "threads"
set ylabel "additions per second"
set format y "%.0s %c" # 2 G, 500 M: the mantissa and its SI prefix
set arrow 1 from cores, graph 0 to cores, graph 1 nohead dt 3 lc rgb "#888888"
# Under the plot, where it hides no line.
if (is_dumb) { set key below maxrows 3 } else { set key below font small_font maxrows 3 }
set samples 100
plot [1:most] ideal(x) with lines dt 2 lw 1 lc rgb "black" title "ideal", \
     for [w in "mutex atomic false-sharing padded unsynchronised processes"] \
         modes using (is_way(w) ? column("workers") : NaN):"additions_per_s":"additions_per_s_lo":"additions_per_s_hi" \
         with @errorlines lw 2 pt 7 lc rgb series_color(w) title series_label(w)
unset logscale
unset arrow 1
set format y "%g"
set title "(b) updates lost: C with no lock, CPython with its GIL"
set xrange [0.5:most + 0.5]
# From 0 to the most lost (the top of its interval), and at least to 1 %: a run whose
# threads lost no update draws its zeros on an axis (gnuplot has no range for 0 to 0).
stats modes using (strcol("lost_pct_hi") ne "" ? column("lost_pct_hi") : 0) nooutput
set yrange [0:(STATS_max > 1 ? 1.05 * STATS_max : 1)]
set xtics 1
set ylabel "% of additions lost"
if (is_dumb) { set key below } else { set key inside top left font small_font }
if (!exists("python_ran")) python_ran = 0
lost_ways = python_ran ? "unsynchronised cpython-property" : "unsynchronised"
plot for [w in lost_ways] \
         modes using (is_way(w) ? column("workers") : NaN):"lost_pct":"lost_pct_lo":"lost_pct_hi" \
         with @errorlines lw 2 pt 7 lc rgb series_color(w) title series_label(w)
unset multiplot
