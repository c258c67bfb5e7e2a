# figure.gp (chapter 10) — threads' time / serial time against the buffer size (log x):
# GIL-threads whose C code releases the GIL (with the best ratio allowed by the
# measured GIL-held share, dashed), GIL-threads whose C code holds it, C threads,
# processes, and real CPython's zlib.crc32 and hashlib.sha256. The ideal, 1 / cores,
# the reachable ideal (1 / this run's capacity) and the sizes over which the C code
# releases the GIL are marked.
load "style.gp"
modes = dir."/modes.csv"
is_family(f) = strcol("family") eq f

panel_height = 720 # room for the key under the plot
call "panels.gp" 1
set title "threads' time / serial time for the same checksums".(is_dumb ? "" : " (whiskers: 95% interval)")
set logscale x 2
set xrange [40:1.6e6]
set yrange [0:1.6]
set xlabel "bytes per buffer (per call into C)"
set ylabel "1.0 = as slow as serial"
set xtics ("64 B" 64, "512 B" 512, "4 KiB" 4096, "32 KiB" 32768, "256 KiB" 262144, "1 MiB" 1048576)
set arrow 1 from 5120, graph 0 to 5120, graph 1 nohead dt 3 lc rgb "#888888"
set label 1 "zlib releases the GIL over 5 KiB" at 5120, graph 0.96 offset 0.5,0 tc rgb "#666666"
set arrow 2 from graph 0, first 1.0 / cores to graph 1, first 1.0 / cores nohead dt 2 lc rgb "#aaaaaa"
set label 2 "ideal: 1 / cores" at graph 0.02, first 1.0 / cores offset 0,-0.8 tc rgb "#666666"
# The reachable ideal: 1 / what the CPUs did together this run (common/capacity.h).
if (exists("capacity")) {
    set arrow 3 from graph 0, first 1.0 / capacity to graph 1, first 1.0 / capacity nohead dt 5 lc rgb "#d95f02"
    set label 3 sprintf("reachable: 1 / %.2f (the CPUs' worth)", capacity) at graph 0.02, first 1.0 / cores \
        offset 0,-1.9 tc rgb "#d95f02"
}
# Under the plot, where it hides no line.
if (is_dumb) { set key below } else { set key below font small_font maxcols 2 }
# Each line is one family of series (modes.csv), in the colours and labels plot-vars.gp gives them.
plot modes using (is_family("releasing") ? column("x") : NaN):"vs_reference":"vs_reference_lo":"vs_reference_hi" \
         with @errorlines pt 6 lw 2 lc rgb series_color("releasing") title series_label("releasing"), \
     modes using (is_family("releasing") ? column("x") : NaN):"best_ratio" \
         with lines dt 2 lw 2 lc rgb series_color("releasing") title "best possible: max(GIL held, 1/threads)", \
     modes using (is_family("holding") ? column("x") : NaN):"vs_reference":"vs_reference_lo":"vs_reference_hi" \
         with @errorlines pt 4 lw 1 lc rgb series_color("holding") title series_label("holding"), \
     modes using (is_family("threads") ? column("x") : NaN):"vs_reference" \
         with linespoints pt 7 lw 1 lc rgb series_color("threads") title series_label("threads"), \
     modes using (is_family("processes") ? column("x") : NaN):"vs_reference" \
         with linespoints pt 7 lw 1 lc rgb series_color("processes") title series_label("processes"), \
     modes using (is_family("cpython-crc32") ? column("x") : NaN):"vs_reference":"vs_reference_lo":"vs_reference_hi" \
         with @errorlines pt 7 dt 2 lw 2 lc rgb series_color("cpython-crc32") title series_label("cpython-crc32"), \
     modes using (is_family("cpython-sha256") ? column("x") : NaN):"vs_reference":"vs_reference_lo":"vs_reference_hi" \
         with @errorlines pt 5 dt 4 lw 2 lc rgb series_color("cpython-sha256") title series_label("cpython-sha256")
unset multiplot
