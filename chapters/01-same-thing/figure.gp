# chapter1.gp — Gantt chart: a bar per job from its start to its end, a panel per mode.
# With real CPython's rows (python_modes), a second column shows them on their own time axis.
load "style.gp"
data = dir."/data.csv"
c_modes = "serial gil-threads threads processes"
# At most four CPython panels: serial, threads, processes, and free-threaded threads.
python_panels = ""
do for [m in "cpython-serial cpython-threads cpython-processes cpython-ft-threads"] {
    if (strstrt(" ".python_modes." ", " ".m." ") > 0) { python_panels = python_panels." ".m }
}
columns = (python_panels ne "" && !is_dumb) ? 2 : 1

in_list(m, list) = strstrt(" ".list." ", " ".m." ") > 0
gantt(m) = sprintf("plot data using (strcol('mode') eq '%s' && column('rep') == 0 ? column('start_s') : NaN):'task':(column('end_s') - column('start_s')):(0) with vectors nohead lw %d lc rgb %d", m, is_dumb ? 1 : (columns == 2 ? 10 : 14), mode_color(m))

stats data using (in_list(strcol("mode"), c_modes) && column("rep") == 0 ? column("end_s") : NaN) nooutput
c_end = STATS_max
python_end = 1
if (columns == 2) {
    stats data using (in_list(strcol("mode"), python_panels) && column("rep") == 0 ? column("end_s") : NaN) nooutput
    python_end = STATS_max
}
set yrange [-0.7:jobs - 0.3]
set ytics 1
set ylabel "job"
# Each column gets its own time axis: CPython's jobs were sized to a sixth of a C job's time.
if (is_dumb) { set terminal dumb size term_cols, 4 + 4 * 10 } else { eval canvas(3) }
set multiplot layout 4,columns columnsfirst title figure_title
do for [side = 1:columns] {
    list = side == 1 ? c_modes : python_panels
    set xrange [0:(side == 1 ? c_end : python_end) * 1.02]
    set xtics nice_step((side == 1 ? c_end : python_end) * 1.02)
    unset xlabel
    do for [i = 1:words(list)] {
        m = word(list, i)
        set title panel_title(m) offset 0,-0.5
        if (i == words(list)) { set xlabel "s since the pool started" }
        eval gantt(m)
    }
    if (side == 2 && words(list) < 4) { set multiplot next }
}
unset multiplot
