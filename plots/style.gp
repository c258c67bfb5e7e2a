# style.gp — the one place for the workbook's look. Every chapterN.gp loads it.
#
# plots/render.sh sets dir (the chapter's results directory) and target (png, svg
# or dumb), then runs the chapter's figure.gp; the figure goes to standard output.
# Provides: the terminal, mode_color(), mode_label(), core_color(), the
# data file settings, the heading, and the run's variables from DIR/plot-vars.gp
# (written by the chapter program: note, cores, claim, the modes' names and colours).

note = ""
python_modes = ""   # the CPython modes original.py ran, when it did
python_label = "CPython"
python_version = ""
load dir."/plot-vars.gp"
heading = sprintf("Chapter %d: \"%s\"", chapter, target eq "dumb" ? claim : claim_enhanced)

# mode_color(m) and mode_label(m) come from plot-vars.gp: common/modes.h is their one source.
# Real CPython's lines are dashed, the C program's solid.
is_python(m) = strstrt(m, "cpython") == 1
mode_dash(m) = is_python(m) ? 2 : 1
# "C program: GIL-threads", "CPython threads (3.11.7)": a panel's title.
# (python_version is the GIL'd interpreter's; a free-threaded one is labelled by its mode.)
panel_title(m) = !is_python(m) ? "C program: ".mode_label(m) : \
                 (strstrt(m, "-ft-") > 0 || python_version eq "") ? mode_label(m) : \
                 mode_label(m)." (".python_version.")"
# Open circles for GIL-threads, so they show when they fall on top of C threads.
mode_point(m) = m eq "gil-threads" ? 6 : 7
# One colour per core (cycling after eight).
core_color(c) = int(word("0x1b9e77 0xd95f02 0x7570b3 0xe7298a 0x66a61e 0xe6ab02 0xa6761d 0x666666", \
                         int(c) % 8 + 1))

set datafile separator comma
set datafile commentschars "#"
set datafile columnheaders

is_dumb = (target eq "dumb")
# Every figure goes to standard output: plots/render.sh hands gnuplot a file it
# created itself (build/figure-write), so gnuplot never opens an output by name.
set output
if (target eq "png") {
    set terminal pngcairo size 1200,800 font "DejaVu Sans,11" linewidth 1.2
}
if (target eq "svg") {
    set terminal svg size 1200,800 dynamic font "DejaVu Sans,11"
}
# The terminal figure is as wide as the terminal (term_cols, from plots/render.sh:
# the rule of common/report.h, at least 80 columns); a panel is term_panel_rows high.
if (!exists("term_cols")) term_cols = 80
term_panel_rows = 26
if (is_dumb) {
    set terminal dumb size term_cols, 36
}

if (!is_dumb) set grid xtics ytics lc rgb "#dddddd" lt 1
# A smaller second title line (plain text in the terminal, which has no fonts).
small(s) = is_dumb ? s : "{/*0.8 ".s."}"
set border 3
set tics nomirror
set key noautotitle
