# io_sweep.gp — the I/O chapters' figure, loaded by chapter4.gp and chapter5.gp after
# they set `sweep_modes`. Left: wall time against workers, beside the
# ideal (each request costs only its latency). Right: a Gantt of one run's requests.
load "style.gp"
modes_file = dir."/modes.csv"
ideal_file = dir."/ideal.csv"
data = dir."/data.csv"
if (!exists("max_workers")) max_workers = 16
if (!exists("gantt_mode")) gantt_mode = "threads"
if (!exists("gantt_workers")) gantt_workers = max_workers
if (!exists("requests")) requests = 16

call "panels.gp" 2
set title "time to fetch ".requests." pages (serial drawn at 1 worker)"
set logscale xy 2
set xrange [0.8:max_workers * 1.25]
set xtics (1, 2, 4, 8, 16, 32, 64)
set xlabel "workers"
set ylabel "seconds"
set key top right
# Real CPython's modes (python_modes, when original.py ran) are dashed, and drawn a
# little to the right of the C program's (x 1.08), so that CPython's serial point does
# not hide serial's. The ideal is known at the measured counts, and joined like them.
python_shift(m) = is_python(m) ? 1.08 : 1
plot ideal_file using "workers":"ideal_s" with linespoints dt 3 lw 2 pt 1 lc rgb "black" title "ideal", \
     for [m in "serial ".sweep_modes." ".python_modes] modes_file \
         using (strcol("mode") eq m ? column("workers") * python_shift(m) : NaN):"wall_median_s" \
         with linespoints pt (m eq "serial" ? 5 : mode_point(m)) \
         ps (is_dumb ? 1 : m eq "gil-threads" ? 2.2 : m eq "serial" ? 1.8 : 1.3) lw 2 \
         dt mode_dash(m) lc rgb mode_color(m) title mode_label(m)
unset logscale
unset key
set xrange [*:*]
set xtics autofreq
set title mode_label(gantt_mode).", ".gantt_workers." workers: one bar per request"
set xlabel "seconds since the pool started"
set ylabel "request"
set yrange [-0.7:requests - 0.3]
plot data using (strcol("mode") eq gantt_mode && column("workers") == gantt_workers && column("rep") == 0 \
                 ? column("start_s") : NaN):"task":(column("end_s") - column("start_s")):(0) \
     with vectors nohead lw (is_dumb ? 1 : 6) lc rgb mode_color(gantt_mode)
unset multiplot
