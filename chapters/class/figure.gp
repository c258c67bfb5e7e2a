# figure.gp (class) — every machine of the class: each mode's time over its serial
# time, against the machine's core count (points spread a little sideways so that
# machines with the same count stay apart; whiskers: each run's 95% interval).
load "style.gp"
data = dir."/data.csv"
heading = sprintf("The class: chapter %d on %d machine%s", chapter, machines, machines == 1 ? "" : "s")
modes = "gil-threads threads processes cpython-threads cpython-processes"
offset(m) = (strstrt(modes, m) - 20) / 200.0
spread(machine) = (int(machine) % 7 - 3) * 0.04
set title heading."\n".small(note)
set xlabel "cores of the machine"
set ylabel "time / serial time (1.0 = as slow as serial)"
set logscale x 2
set xrange [0.7:*]
set yrange [0:*]
set key outside right top
set samples 200
plot for [m in modes] data using (strcol("mode") eq m ? column("cores") * 2 ** (spread(column("machine")) + offset(m)) : NaN):"vs_serial":"vs_serial_lo":"vs_serial_hi" \
         with yerrorbars pt mode_point(m) ps (is_dumb ? 1 : 1.3) lw 1.5 lc rgb mode_color(m) title mode_label(m), \
     1 with lines dt 2 lc rgb "black" title "as slow as serial", \
     1 / x with lines dt 3 lc rgb "#888888" title "1 / cores (every core busy)"
