# chapter2.gp — timeline: when each job was running, coloured by core, a panel per mode.
# Left: the first few switch intervals, where GIL-threads' turns show. Right: the whole
# run, where turns of a few milliseconds blur into one bar (so it is not shown first).
load "style.gp"
if (!exists("shown_rep")) shown_rep = 0
data = dir."/intervals.csv"
modes = "gil-threads threads processes"
# Real CPython's panels below, when original.py ran: its threads, processes and free-threaded threads.
do for [m in "cpython-threads cpython-processes cpython-ft-threads"] {
    if (strstrt(" ".python_modes." ", " ".m." ") > 0) { modes = modes." ".m }
}
if (!exists("switch_ms")) switch_ms = 5
if (!exists("xmax")) xmax = 1
if (!exists("python_xmax")) python_xmax = xmax
zoom_of(end) = (24 * switch_ms / 1000.0 < end) ? 24 * switch_ms / 1000.0 : end
set yrange [-0.7:jobs - 0.3]
set ytics 1
set ylabel "job"

# Draw the running intervals of mode m over [0:right].
timeline(m) = sprintf("plot data using (strcol('mode') eq '%s' && column('rep') == shown_rep ? column('start_s') : NaN):'task':(column('end_s') - column('start_s')):(0):(column('core') < 0 ? mode_color('%s') : core_color(column('core'))) with vectors nohead lw %d lc rgb variable", m, m, is_dumb ? 1 : 12)

columns = is_dumb ? 1 : 2
# In the terminal, ten rows per panel, so that both jobs' lines stand clear of the axes.
if (is_dumb) { set terminal dumb size term_cols, 4 + words(modes) * 10 } else { eval canvas(words(modes) / 2.0) }
set multiplot layout words(modes),columns title figure_title."\n".small(sprintf("colour = core; left: the first intervals (switch interval %g ms), right: the whole run", switch_ms))
do for [i = 1:words(modes)] {
    m = word(modes, i)
    end = is_python(m) ? python_xmax : xmax
    zoom = zoom_of(end)
    if (i == words(modes)) { set xlabel "s since the pool started" }
    set title panel_title(m).sprintf(", first %.0f ms", zoom * 1000) offset 0,-0.5
    set xrange [0:zoom]
    set xtics nice_step(zoom)
    eval timeline(m)
    if (!is_dumb) { # where turns this short blur into one bar
        set title panel_title(m).", whole run" offset 0,-0.5
        set xrange [0:end * 1.02]
        set xtics nice_step(end * 1.02)
        eval timeline(m)
    }
}
unset multiplot
