# chapter3.gp — grouped bars: time against the same language's serial run (median,
# whiskers: the 95% interval over rounds), and how busy the cores were. C and real CPython side by side.
load "style.gp"
data = dir."/modes.csv"
set style fill solid 0.85 noborder
set boxwidth 0.6
set offsets 0.6, 0.6, 0, 0
set yrange [0:*]
set xtics noenhanced
if (!is_dumb) { set xtics font ",9"; set bmargin 4 }
# Two-line bar labels for CPython's modes, so neighbours do not overlap.
bar_label(m) = strstrt(m, "-ft-") > 0 ? "free-threaded\nCPython ".word(mode_label(m), 3) : \
               is_python(m) ? "CPython\n".word(mode_label(m), 2) : mode_label(m)

call "panels.gp" 2
set title "time / serial time of the same language (whiskers: 95% interval over rounds)"
set ylabel "1.0 = as slow as serial"
plot data using 0:"vs_reference":(mode_color(strcol("mode"))):xtic(bar_label(strcol("mode"))) with boxes lc rgb variable, \
     data using 0:"vs_reference":"vs_reference_lo":"vs_reference_hi" with yerrorbars lc rgb "black" pt 7 ps 0.2, \
     data using 0:"vs_reference":(sprintf("%.2fx", column("vs_reference"))) with labels offset 0,-1.2 tc rgb "white", \
     1 with lines dt 2 lc rgb "black"
set title "cores busy: CPU time / (wall time x cores)"
set ylabel "% of all cores"
set yrange [0:110]
plot data using 0:(100 * column("utilisation")):(mode_color(strcol("mode"))):xtic(bar_label(strcol("mode"))) \
     with boxes lc rgb variable, \
     data using 0:(100 * column("utilisation")):(sprintf("%.0f%%", 100 * column("utilisation"))) \
     with labels offset 0,1
unset multiplot
