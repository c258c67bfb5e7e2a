# figure.gp (chapter 9) — (a) the I/O thread's round trips per second against the GIL's
# switch interval, log-log: beside one CPU-bound GIL-thread (C, and CPython dashed),
# with the rates alone, beside C threads and beside processes as flat lines; (b) the
# distribution of one round trip's time, alone and beside one CPU GIL-thread (the
# last round), as a cumulative share.
load "style.gp"
modes = dir."/modes.csv"
latency = dir."/latency.csv"
if (!exists("switch_ms")) switch_ms = 5

# One rate per family that is not swept (modes.csv: round_trips_per_s).
stats modes using (strcol("family") eq "alone" ? column("round_trips_per_s") : NaN) nooutput
alone_rate = STATS_max
stats modes using (strcol("family") eq "cthreads" ? column("round_trips_per_s") : NaN) nooutput
cthreads_rate = STATS_max
stats modes using (strcol("family") eq "cpu-processes" ? column("round_trips_per_s") : NaN) nooutput
processes_rate = STATS_max
is_sweep(f) = strcol("family") eq f

panel_height = 540 # room for the keys under the plots
call "panels.gp" 2
set title "(a) round trips per second against the switch interval"
set logscale xy
set xrange [0.05:40]
set xlabel "GIL switch interval (ms)"
set ylabel "round trips per second"
# The key under the plot (over it, it would hide points and, in the terminal, its
# glyphs would mix with the lines'.
if (is_dumb) { set key below } else { set key below font small_font maxcols 2; set rmargin 5 }
plot alone_rate with lines dt 1 lw 2 lc rgb series_color("alone") title series_label("alone"), \
     cthreads_rate with lines dt 3 lw 2 lc rgb series_color("cthreads") title series_label("cthreads"), \
     processes_rate with lines dt 4 lw 2 lc rgb series_color("cpu-processes") title series_label("cpu-processes"), \
     modes using (is_sweep("gil1") ? column("x") : NaN):"round_trips_per_s":"round_trips_per_s_lo":"round_trips_per_s_hi" \
         with @errorlines pt 6 lw 2 lc rgb series_color("gil1") title series_label("gil1"), \
     modes using (is_sweep("cpython-gil1") ? column("x") : NaN):"round_trips_per_s":"round_trips_per_s_lo":"round_trips_per_s_hi" \
         with @errorlines pt 7 dt 2 lw 2 lc rgb series_color("cpython-gil1") title series_label("cpython-gil1")
unset logscale
set title sprintf("(b) one round trip's time (switch interval %g ms)", switch_ms)
set logscale x
set xrange [*:*]
set yrange [0:1]
set xlabel "round-trip time (us)"
set ylabel "share of round trips at most this long"
if (is_dumb) { set key below } else { set key below font small_font }
plot latency using (strcol("config") eq "alone" ? column("latency_us") : NaN):(1) smooth cnormal \
         lw 2 lc rgb series_color("alone") title series_label("alone"), \
     latency using (strcol("config") eq "gil1" ? column("latency_us") : NaN):(1) smooth cnormal \
         lw 2 lc rgb series_color("gil1") title series_label("gil1")
unset multiplot
