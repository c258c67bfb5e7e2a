# chapter2.gp — timeline: when each job was running, coloured by core, a panel per mode.
# Left: the whole run. Right: the first few switch intervals, where GIL-threads' turns show.
load "plots/style.gp"
data = dir."/intervals.csv"
modes = "gil-threads threads processes"
if (!exists("switch_ms")) switch_ms = 5
if (!exists("xmax")) xmax = 1
zoom = (24 * switch_ms / 1000.0 < xmax) ? 24 * switch_ms / 1000.0 : xmax
set yrange [-0.7:jobs - 0.3]
set ytics 1
set ylabel "job"

# Draw the running intervals of mode m over [0:right].
timeline(m) = sprintf("plot data using (strcol('mode') eq '%s' && column('rep') == 0 ? column('start_s') : NaN):'task':(column('end_s') - column('start_s')):(0):(core_color(column('core'))) with vectors nohead lw %d lc rgb variable", m, is_dumb ? 1 : 12)

columns = is_dumb ? 1 : 2
set multiplot layout 3,columns title "Chapter 2: \"In multithreading, threads run in parallel\" (colour = core)\n".small(note)
do for [i = 1:words(modes)] {
    m = word(modes, i)
    if (i == words(modes)) { set xlabel "seconds since the pool started" }
    if (!is_dumb) {
        set title mode_label(m)." — whole run" offset 0,-0.5
        set xrange [0:xmax * 1.02]
        eval timeline(m)
    }
    set title mode_label(m).sprintf(" — first %.0f ms (switch interval %g ms)", zoom * 1000, switch_ms) offset 0,-0.5
    set xrange [0:zoom]
    eval timeline(m)
}
unset multiplot
