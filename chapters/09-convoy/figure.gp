# figure.gp (chapter 9) — (a) the I/O thread's round trips per second against the GIL's
# switch interval, log-log: beside one CPU-bound GIL-thread (C, and CPython dashed),
# with the rates alone, beside C threads and beside processes as flat lines; (b) the
# distribution of one round trip's time, alone and beside one CPU GIL-thread (the
# last round), as a cumulative share.
load "style.gp"
rates = dir."/convoy.csv"
latency = dir."/latency.csv"
if (!exists("switch_ms")) switch_ms = 5

# The median rate of one configuration, for the flat reference lines.
stats rates using (strcol("runtime") eq "c" && strcol("config") eq "alone" ? column("rate_median") : NaN) nooutput
alone_rate = STATS_max
stats rates using (strcol("runtime") eq "c" && strcol("config") eq "cthreads" ? column("rate_median") : NaN) nooutput
cthreads_rate = STATS_max
stats rates using (strcol("runtime") eq "c" && strcol("config") eq "processes" ? column("rate_median") : NaN) nooutput
processes_rate = STATS_max
is_sweep(runtime) = strcol("runtime") eq runtime && strstrt(strcol("config"), "gil1") == 1

call "panels.gp" 2
set title "(a) round trips per second against the switch interval"
set logscale xy
set xrange [0.05:40]
set xlabel "GIL switch interval (ms)"
set ylabel "round trips per second"
set key bottom left
if (!is_dumb) set key font ",9"
plot alone_rate with lines dt 1 lw 2 lc rgb mode_color("serial") title "alone", \
     cthreads_rate with lines dt 3 lw 2 lc rgb mode_color("threads") title "beside C threads (no GIL)", \
     processes_rate with lines dt 4 lw 2 lc rgb mode_color("processes") title "beside processes", \
     rates using (is_sweep("c") ? column("interval_ms") : NaN):"rate_median":"rate_lo":"rate_hi" \
         with yerrorlines pt 6 lw 2 lc rgb mode_color("gil-threads") title "beside 1 CPU GIL-thread", \
     rates using (is_sweep("cpython") ? column("interval_ms") : NaN):"rate_median":"rate_lo":"rate_hi" \
         with yerrorlines pt 7 dt 2 lw 2 lc rgb mode_color("cpython-threads") title "CPython: beside 1 CPU thread"
unset logscale
set title sprintf("(b) one round trip's time (switch interval %g ms)", switch_ms)
set logscale x
set xrange [*:*]
set yrange [0:1]
set xlabel "round-trip time (us)"
set ylabel "share of round trips at most this long"
set key bottom right
plot latency using (strcol("config") eq "alone" ? column("latency_us") : NaN):(1) smooth cnormal \
         lw 2 lc rgb mode_color("serial") title "alone", \
     latency using (strcol("config") eq "gil1" ? column("latency_us") : NaN):(1) smooth cnormal \
         lw 2 lc rgb mode_color("gil-threads") title "beside 1 CPU GIL-thread"
unset multiplot
