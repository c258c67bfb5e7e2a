# chapter7.gp — the rules of thumb measured: (a) time against processes, (b) time against
# threads for I/O with a CPU part, ThreadPoolExecutor's default marked.
load "style.gp"
modes_file = dir."/modes.csv"
if (!exists("executor_default")) executor_default = cores + 4
if (!exists("most_processes")) most_processes = 3 * cores

# Enhanced text (PNG, SVG) needs the underscores escaped; the terminal shows them as they are.
call "panels.gp" 2
set title "(a) CPU work on n processes"
set xlabel "processes"
set ylabel "seconds"
set xrange [0.5:most_processes + 0.5]
set yrange [0:*]
set xtics 1
set arrow 1 from cores, graph 0 to cores, graph 1 nohead dt 3 lc rgb "#888888"
set label 1 "cores" at cores, graph 0.04 offset 0.5,0 tc rgb "#666666"  # low: the curves never go there
# What the CPUs did together this run (common/capacity.h): fewer cores' worth than CPUs
# when they share a physical core or the host is busy.
if (exists("capacity")) {
    set arrow 3 from capacity, graph 0 to capacity, graph 1 nohead dt 5 lc rgb "#d95f02"
    set label 3 sprintf("%.2f: the CPUs' worth together", capacity) at capacity, graph 0.6 left offset 0.5,0 tc rgb "#d95f02"
}
plot modes_file using (strcol("mode") eq "processes" ? column("workers") : NaN):"wall_median_s":"wall_lo_s":"wall_hi_s" \
     with yerrorlines pt 7 lw 2 lc rgb mode_color("processes")
unset arrow 1
unset label 1
unset arrow 3
unset label 3
set title "(b) I/O with a CPU part on m x cores threads"
set xlabel "threads (log scale)"
set logscale x 2
set xrange [cores * 0.8:cores * 32 * 1.25]
set xtics (2, 4, 8, 16, 32, 64, 128, 256)
set arrow 2 from executor_default, graph 0 to executor_default, graph 1 nohead dt 3 lc rgb "#888888"
set label 2 "ThreadPoolExecutor\ndefault" at executor_default, graph 0.4 offset 0.5,0 tc rgb "#666666"
set key top right
plot for [m in "gil-threads threads"] modes_file \
         using (strcol("mode") eq m ? column("workers") : NaN):"wall_median_s" \
         with linespoints pt mode_point(m) ps (m eq "gil-threads" ? 2 : 1.3) lw 2 lc rgb mode_color(m) \
         title mode_label(m)
unset multiplot
