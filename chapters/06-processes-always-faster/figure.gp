# chapter6.gp — (a) time against processes with the ideal curve, the knee at the core count,
# and the reachable ideal from the capacity the CPUs measured together this run;
# (b) tiny tasks: time per chunksize against serial code.
load "style.gp"
modes_file = dir."/modes.csv"
tiny_file = dir."/tiny.csv"
if (!exists("work_s")) work_s = 1
if (!exists("most")) most = 4 * cores
ideal(k) = work_s / (k < cores ? k : cores)
# What this run's CPUs could deliver together (common/capacity.h): the reachable ideal.
reachable(k) = exists("capacity") ? work_s / (k < capacity ? k : capacity) : NaN

call "panels.gp" 2
set title "(a) one CPU workload on k processes"
set xlabel "processes"
set ylabel "seconds"
set xrange [0.5:most + 0.5]
set yrange [0:*]
set xtics 1
set arrow 1 from cores, graph 0 to cores, graph 1 nohead dt 3 lc rgb "#888888"
set label 1 "cores" at cores, graph 0.04 offset 0.5,0 tc rgb "#666666"  # low: the key is at the top
set key top right  # the curve falls at the left, then stays at work / cores: top right is free
set samples most
plot [1:most] ideal(x) with lines dt 2 lw 2 lc rgb "black" title "ideal: work / min(k, cores)", \
     reachable(x) with lines dt 5 lw 2 lc rgb "#d95f02" \
         title (exists("capacity") ? sprintf("reachable: work / min(k, %.2f, the CPUs' worth)", capacity) : ""), \
     modes_file using (strcol("mode") eq "processes" ? column("workers") : NaN):"wall_median_s":"wall_lo_s":"wall_hi_s" \
         with yerrorlines pt 7 lw 2 lc rgb mode_color("processes") title "processes (median, 95% interval)"
unset arrow 1
unset label 1
unset key
set title "(b) ".tiny_tasks." tiny tasks: the pool's chunksize"
set xlabel "tasks per message (chunksize)"
set xrange [*:*]
set xtics autofreq
set style fill solid 0.85 noborder
set boxwidth 0.6
set offsets 0.6, 0.6, graph 0.08, 0  # room above the tallest bar for its label
plot tiny_file using 0:"wall_s":(mode_color(strcol("mode"))): \
         xtic(strcol("mode") eq "serial" ? "serial" : sprintf("%d", column("chunksize"))) \
         with boxes lc rgb variable, \
     tiny_file using 0:"wall_s":(sprintf("%.3f s", column("wall_s"))) with labels offset 0,1
unset multiplot
