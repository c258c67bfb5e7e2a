# chapter8.gp — bars: time per way of waiting (log scale), and the memory and threads it took.
load "style.gp"
data = dir."/memory.csv"
set style fill solid 0.85 noborder
set boxwidth 0.6
set offsets 0.6, 0.6, 0, 0
set xtics noenhanced
if (!is_dumb) set xtics font small_font

call "panels.gp" 2
set title "time to fetch every page (log scale)"
set ylabel "seconds"
set logscale y
plot data using 0:"wall_s":(mode_color(strcol("mode"))):xtic(strcol("label")) with boxes lc rgb variable, \
     data using 0:"wall_s":(sprintf("%.2f s", column("wall_s"))) with labels offset 0,1
unset logscale
set title "memory (PSS) of the fetching processes; labels: threads / processes"
set ylabel "MiB"
set yrange [0:*]
set offsets 0.6, 0.6, graph 0.12, 0 # room above the tallest bar for its label
plot data using 0:(column("memory_kib") / 1024.0):(mode_color(strcol("mode"))):xtic(strcol("label")) \
         with boxes lc rgb variable, \
     data using 0:(column("memory_kib") / 1024.0):(sprintf("%d / %d", column("threads"), column("processes"))) \
         with labels offset 0,1
unset multiplot
