# chapter3.gp — grouped bars: time against the same language's serial run (median,
# whiskers: the 95% interval over rounds), and how busy the cores were. C and real CPython side by side.
# Lines: serial (1), the verdict's threshold (0.95), the ideal 1/CPUs, and the reachable
# ideal 1/capacity (the cores' worth the CPUs measured together this run: capacity.h).
load "style.gp"
data = dir."/modes.csv"
set style fill solid 0.85 noborder
set boxwidth 0.6
set offsets 0.6, 0.6, graph 0.4, 0 # room above the bars for the key
set yrange [0:*]
set xtics noenhanced
if (!is_dumb) set xtics font small_font
# Two-line bar labels for CPython's modes, so neighbours do not overlap.
bar_label(m) = strstrt(m, "-ft-") > 0 ? "free-threaded\nCPython ".word(mode_label(m), 3) : \
               is_python(m) ? "CPython\n".word(mode_label(m), 2) : mode_label(m)

call "panels.gp" 2
set title "time / serial time of the same language (whiskers: 95% interval over rounds)"
set ylabel "1.0 = as slow as serial"
set key top right opaque samplen 2
plot data using 0:"vs_reference":(mode_color(strcol("mode"))):xtic(bar_label(strcol("mode"))) with boxes lc rgb variable, \
     data using 0:"vs_reference":"vs_reference_lo":"vs_reference_hi" with yerrorbars lc rgb "black" pt 7 ps 0.2, \
     data using 0:(0):(sprintf("%.2fx", column("vs_reference"))) with labels offset 0,1 tc rgb "white", \
     1 with lines dt 2 lc rgb "black", \
     0.95 with lines dt 3 lc rgb "#555555" title "0.95: below it, faster (the verdict's line)", \
     1.0 / cores with lines dt 4 lc rgb "#7570b3" title sprintf("1/%d: every CPU a whole core", cores), \
     (exists("capacity") ? 1.0 / capacity : NaN) with lines dt 5 lc rgb "#d95f02" \
         title (exists("capacity") ? sprintf("1/%.2f: what the CPUs did together this run", capacity) : "")
unset key
set title "cores busy: CPU time / (wall time x cores)"
set ylabel "% of all cores"
set yrange [0:110]
plot data using 0:(100 * column("utilisation")):(mode_color(strcol("mode"))):xtic(bar_label(strcol("mode"))) \
     with boxes lc rgb variable, \
     data using 0:(100 * column("utilisation")):(sprintf("%.0f%%", 100 * column("utilisation"))) \
     with labels offset 0,1
unset multiplot
