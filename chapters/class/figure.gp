# figure.gp (class) — every machine of the class: each mode's time over its serial
# time, against the machine's core count (points spread a little sideways so that
# machines with the same count stay apart; whiskers: each run's 95% interval); and
# where students guessed (--predict), their guesses beside what their runs measured.
load "style.gp"
data = dir."/data.csv"
heading = sprintf("The class: chapter %d on %d machine%s", chapter, machines, machines == 1 ? "" : "s")
# families: the chapter's families of series pooled (plot-vars.gp, plain names), each in
# a colour of its own; log_ratios: the ratios span more than 20x (chapter 9's slowdowns).
offset(f) = (strstrt(families, f) - strlen(families) / 2.0) / (8.0 * strlen(families))
spread(machine) = (int(machine) % 7 - 3) * 0.04
if (!exists("guesses")) guesses = 0
if (guesses > 0) { panel_height = 620; call "panels.gp" "2" } else { set title figure_title }
if (guesses > 0) set title "each mode's time over its reference's, machine by machine"
set xlabel "cores of the machine"
set ylabel "time / its reference's time (1.0 = as fast as the reference)"
set logscale x 2
set xrange [0.7:*]
if (log_ratios) { set logscale y; set yrange [ratio_lo / 1.5:ratio_hi * 1.5] } else { set yrange [0:*] }
if (guesses > 0) {
    set ylabel "time / reference's time"
    if (is_dumb) { set key below } else { set key below font small_font maxcols 2 }
} else {
    set key outside right top
}
set samples 200
# x of a row of family f: its machine's cores, spread a little.
at(f) = column("cores") * 2 ** (spread(column("machine")) + offset(f))
# The default experiment at the class scale, family by family; every other run (another
# scale, other settings: data.csv's default_run 0) as open grey circles, apart.
plot for [i = 1:words(families)] data using (strcol("family") eq word(families, i) && column("default_run") == 1 ? at(word(families, i)) : NaN):"vs_reference":"vs_reference_lo":"vs_reference_hi" \
         with yerrorbars pt (i % 13 + 1) ps (is_dumb ? 1 : 1.3) lw 1.5 lc i title word(families, i), \
     data using (column("default_run") == 0 ? at(strcol("family")) : NaN):"vs_reference" \
         with points pt 6 ps (is_dumb ? 1 : 1.3) lc rgb "#888888" title "another scale or settings (see the table)", \
     1 with lines dt 2 lc rgb "black" title "as fast as the reference", \
     1 / x with lines dt 3 lc rgb "#888888" title "1 / cores (every core busy)"

# The predictions: every guess (open circles, spread a little by machine) beside the
# median and interval its own run measured (filled), quantity by quantity, on a log
# axis (a ratio of 0.5 and one of 300 share it); a guess of 0 or less is not drawn.
if (guesses > 0) {
    unset logscale x
    set title "the class's guesses (--predict) beside what their runs measured"
    set xlabel "quantity (the chapter's Predict block)"
    set ylabel "value (log scale)"
    set logscale y
    set autoscale y
    set xrange [0.5:*]
    set xtics noenhanced
    set key below
    guess_file = dir."/guesses.csv"
    plot guess_file using (column("key_index") + spread(column("machine"))):"guess" \
             with points pt 6 ps (is_dumb ? 1 : 1.5) lc rgb "#d95f02" title "a student's guess", \
         guess_file using (column("key_index") + spread(column("machine")) + 0.1):"median" \
             with points pt 7 ps (is_dumb ? 1 : 1.2) lc rgb "#1b9e77" title "what that student's run measured", \
         guess_file using (column("key_index") + spread(column("machine")) + 0.1):"median":"lo":"hi" \
             with yerrorbars pt 0 lc rgb "#1b9e77" notitle, \
         guess_file using "key_index":(NaN):xtic(strcol("key")) notitle
    unset multiplot
}
