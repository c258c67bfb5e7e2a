# figure.gp (chapter 13) — (a) speed-up against workers for the fork pool and the MPI
# ranks (and CPython's ranks), cores marked; (b) start-up against workers; (c) one
# message's one-way time against its size for five ways; (d) the model's time
# against ranks for four links, where each stops paying marked.
load "style.gp"
modes = dir."/modes.csv"
is_family(f) = strcol("family") eq f
if (!exists("most_workers")) most_workers = 2 * cores
if (!exists("slots")) slots = cores

panel_height = 560 # room for the keys under the plots
call "panels.gp" 4
set title "(a) speed-up over 1 worker, the same jobs".(is_dumb ? "" : " (whiskers: 95% interval)")
set xlabel "workers"
set ylabel "speed-up"
set xrange [0.5:most_workers + 0.5]
set yrange [0:*]
set xtics 1
set arrow 1 from slots, graph 0 to slots, graph 1 nohead dt 3 lc rgb "#888888"
set label 1 "cores" at slots, graph 0.9 offset 0.5,0 tc rgb "#666666"
if (is_dumb) { set key below } else { set key below font small_font maxcols 2 }
plot modes using (is_family("processes") ? column("workers") : NaN):(1 / column("vs_reference")):(1 / column("vs_reference_hi")):(1 / column("vs_reference_lo")) \
         with @errorlines pt 7 lw 2 lc rgb series_color("processes") title series_label("processes"), \
     modes using (is_family("mpi") ? column("workers") : NaN):(1 / column("vs_reference")):(1 / column("vs_reference_hi")):(1 / column("vs_reference_lo")) \
         with @errorlines pt 5 lw 2 lc rgb series_color("mpi") title series_label("mpi"), \
     modes using (is_family("cpython-mpi") ? column("workers") : NaN):(1 / column("vs_reference")) \
         with linespoints pt 9 dt 2 lw 2 lc rgb series_color("cpython-mpi") title series_label("cpython-mpi"), \
     x <= slots ? x : slots with lines dt 2 lc rgb "#aaaaaa" title "ideal"
unset arrow 1
unset label 1

set title "(b) start-up: until every worker runs"
if (is_dumb) { set key below } else { set key below font small_font maxcols 3 }
set ylabel "milliseconds (log scale)"
set logscale y
set yrange [*:*]
plot for [f in "launch-threads launch-processes launch-mpi"] modes \
         using (is_family(f) ? column("workers") : NaN):(1000 * column("wall_median_s")) \
         with linespoints pt 7 lw 2 lc rgb series_color(f) title series_label(f)

set title "(c) one message, one way"
set xlabel "bytes (log scale)"
set ylabel "microseconds (log scale)"
set logscale x 2
set xrange [5:6e6]
set xtics ("8 B" 8, "64 B" 64, "512 B" 512, "4 KiB" 4096, "32 KiB" 32768, "256 KiB" 262144, "4 MiB" 4194304)
set yrange [0.05:*]
if (is_dumb) { set key below } else { set key below font small_font maxcols 3 }
plot for [f in "pingpong-mpi-shm pingpong-mpi-tcp pingpong-pipe pingpong-shm pingpong-threads pingpong-cpython"] modes \
         using (is_family(f) ? column("x") : NaN):(1e6 * column("wall_median_s")) \
         with linespoints pt 7 lw 2 lc rgb series_color(f) title series_label(f)

set title sprintf("(d) the model: W = %.3g s of work (4 x the TCP break-even) on P ranks,\n%.0f exchanges of %.0f bytes; a dot: the fastest P", model_work_s, model_steps, model_bytes)
set xlabel "ranks (log scale)"
set ylabel "seconds (log scale)"
set xrange [1:1024]
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "256" 256, "1024" 1024)
set samples 1024
set yrange [*:*]
if (is_dumb) { set key below } else { set key below font small_font maxcols 2 }
exchange(a, b, p) = p > 1 ? ceil(log(p) / log(2)) * (a + model_bytes / b) : 0
model(a, b, p) = model_work_s / p + model_steps * exchange(a, b, p)
plot model(shm_alpha, shm_beta, floor(x)) with lines lw 2 lc rgb series_color("pingpong-mpi-shm") title shm_label, \
     model(tcp_alpha, tcp_beta, floor(x)) with lines lw 2 lc rgb series_color("pingpong-mpi-tcp") title tcp_label, \
     model(ge_alpha, ge_beta, floor(x)) with lines lw 2 dt 2 lc rgb "#ff7f00" title "10 GbE TCP (2003)", \
     model(ib_alpha, ib_beta, floor(x)) with lines lw 2 dt 4 lc rgb "#000000" title "InfiniBand HDR", \
     "+" using (shm_best_p):(model(shm_alpha, shm_beta, shm_best_p)) every ::0::0 with points pt 7 ps 2 lc rgb series_color("pingpong-mpi-shm") notitle, \
     "+" using (tcp_best_p):(model(tcp_alpha, tcp_beta, tcp_best_p)) every ::0::0 with points pt 7 ps 2 lc rgb series_color("pingpong-mpi-tcp") notitle, \
     "+" using (ge_best_p):(model(ge_alpha, ge_beta, ge_best_p)) every ::0::0 with points pt 7 ps 2 lc rgb "#ff7f00" notitle, \
     "+" using (ib_best_p):(model(ib_alpha, ib_beta, ib_best_p)) every ::0::0 with points pt 7 ps 2 lc rgb "#000000" notitle
unset multiplot
