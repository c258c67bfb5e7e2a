# chapter1.gp — Gantt chart: a bar per job from its start to its end, a panel per mode.
load "plots/style.gp"
data = dir."/data.csv"
modes = "serial gil-threads threads processes"
if (!exists("xmax")) {
    stats data using "end_s" nooutput
    xmax = STATS_max
}
set xrange [0:xmax * 1.02]
set yrange [-0.7:jobs - 0.3]
set ytics 1
set ylabel "job"

set multiplot layout 4,1 title "Chapter 1: \"Multiprocessing and multithreading are basically the same thing\"\n".small(note)
do for [i = 1:words(modes)] {
    m = word(modes, i)
    set title mode_label(m) offset 0,-0.5
    if (i == words(modes)) { set xlabel "seconds since the pool started (start-up included)" }
    plot data using (strcol("mode") eq m && column("rep") == 0 ? column("start_s") : NaN):"task": \
         (column("end_s") - column("start_s")):(0) \
         with vectors nohead lw (is_dumb ? 1 : 14) lc rgb mode_color(m)
}
unset multiplot
