# chapter0.gp — what starting one unit of work costs, as points on a log scale (bars
# would mislead there: a bar's length on a log axis depends on where the axis starts,
# so 8x could look like 2x); and fork's cost as the parent's touched memory grows,
# beside a thread's.
load "style.gp"
data = dir."/spawn_summary.csv"
method_color(m) = m eq "pthread_create+join" ? mode_color("threads") : \
                  m eq "posix_spawn+wait" ? 0x8c564b : \
                  m eq "vfork+wait" ? 0x17becf : mode_color("processes")

call "panels.gp" 2
set title "start one unit of work and wait for it (median, p10-p90)"
set logscale y
set ylabel "milliseconds (log scale)"
set offsets 0.7, 0.7, 0, 0
set xtics noenhanced
if (!is_dumb) set xtics font small_font
set key noenhanced
# The first four rows are the small-parent measurements, one per method.
plot data every ::0::3 using 0:(1000 * column("median_s")):(1000 * column("p10_s")):(1000 * column("p90_s")) \
         with yerrorbars lc rgb "black" pt 0 notitle, \
     data every ::0::3 using 0:(1000 * column("median_s")):(method_color(strcol("method"))):xtic(strcol("method")) \
         with points pt 7 ps (is_dumb ? 1 : 2.2) lc rgb variable, \
     data every ::0::3 using 0:(1000 * column("median_s")):(sprintf("%.3f ms", 1000 * column("median_s"))) \
         with labels left offset 1.5,0
set title "as the parent's touched memory grows"
set xlabel "parent's touched memory (MiB)"
set xtics norotate autofreq
set offsets 0, 0, 0, 0
set key top left
# After the four small-parent rows, the memory rows alternate: fork+wait, then pthread_create+join.
plot data every 2::4 using "rss_mib":(1000 * column("median_s")) \
         with linespoints pt 7 lw 2 lc rgb mode_color("processes") title "fork+wait", \
     data every 2::5 using "rss_mib":(1000 * column("median_s")) \
         with linespoints pt 7 lw 2 lc rgb mode_color("threads") title "pthread_create+join"
unset multiplot
