# figure.gp (chapter 12) — (a) the time to start one worker per core and get an answer,
# against the parent's touched memory, one line per start method (C solid, CPython
# dashed); (b) children forked beside a thread that takes a lock: how many found it
# held for ever, against children started by posix_spawn.
load "style.gp"
modes = dir."/modes.csv"
if (!exists("forks")) forks = 1
if (!exists("stuck")) stuck = 0
if (!exists("spawned")) spawned = 1
if (!exists("spawned_stuck")) spawned_stuck = 0
is(f) = strcol("family") eq f

panel_height = 500 # room for the key under (a)
call "panels.gp" 2
set title "(a) time to start one worker per core".(is_dumb ? "" : " (whiskers: interval)")
set logscale y
set xrange [*:*] # the parent sizes this run measured, and a margin
set offsets graph 0.05, graph 0.05, 0, 0
set xlabel "parent's touched memory (MiB)"
set ylabel "milliseconds"
# Under the plot, where it hides no line.
if (is_dumb) { set key below maxrows 3 } else { set key below font small_font maxrows 3 }
ms(c) = 1e3 * column(c)
plot for [m in "fork spawn forkserver"] modes using (is(m) ? column("x") : NaN):(ms("wall_median_s")):(ms("wall_lo_s")):(ms("wall_hi_s")) \
         with @errorlines lw 2 pt 7 lc rgb series_color(m) title series_label(m), \
     for [m in "fork spawn forkserver"] modes using (is("cpython-".m) ? column("x") : NaN):(ms("wall_median_s")):(ms("wall_lo_s")):(ms("wall_hi_s")) \
         with @errorlines lw 2 pt 6 dt 2 lc rgb series_color("cpython-".m) title series_label("cpython-".m)
unset logscale
set title "(b) children that found another thread's lock held for ever"
set offsets 0, 0, 0, 0
set xrange [-0.6:1.6]
set yrange [0:100]
set xtics ("fork" 0, "posix\\_spawn" 1)
if (is_dumb) set xtics ("fork" 0, "posix_spawn" 1)
set xlabel "how the child was started"
set ylabel "% of children"
set style fill solid 0.85 noborder
set boxwidth 0.5
unset key
plot '+' using (0):(100.0 * stuck / forks) every ::0::0 with boxes lc rgb series_color("fork"), \
     '+' using (1):(100.0 * spawned_stuck / spawned) every ::0::0 with boxes lc rgb series_color("spawn"), \
     '+' using (0):(100.0 * stuck / forks):(sprintf("%d of %d", stuck, forks)) every ::0::0 with labels offset 0,1, \
     '+' using (1):(100.0 * spawned_stuck / spawned):(sprintf("%d of %d", spawned_stuck, spawned)) every ::0::0 \
         with labels offset 0,1
unset multiplot
