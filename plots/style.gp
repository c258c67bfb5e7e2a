# style.gp — the one place for the workbook's look. Every chapterN.gp loads it.
#
# Expects: dir (the chapter's results directory) and target (png, svg or dumb).
# Provides: the terminal and output, mode_color(), core_color(), the data file
# settings, and the run's variables from dir/plot-vars.gp (note, cores, ...).

if (!exists("dir")) dir = "results/chapter1"
if (!exists("target")) target = "png"
note = ""
python_modes = ""   # the CPython modes original.py ran, when it did
python_label = "CPython"
python_version = ""
if (system("[ -f '".dir."/plot-vars.gp' ] && echo 1 || echo 0") eq "1") load dir."/plot-vars.gp"

# One colour per mode, the same in every chapter.
mode_color(m) = m eq "serial" ? 0x7f7f7f : \
                m eq "gil-threads" ? 0xd62728 : \
                m eq "threads" ? 0x1f77b4 : \
                m eq "processes" ? 0x2ca02c : \
                m eq "event-loop" ? 0x9467bd : \
                m eq "cpython-serial" ? 0x8c564b : \
                m eq "cpython-threads" ? 0xff7f0e : \
                m eq "cpython-processes" ? 0xbcbd22 : \
                m eq "cpython-ft-serial" ? 0x5f5f5f : \
                m eq "cpython-ft-threads" ? 0x17becf : \
                m eq "cpython-ft-processes" ? 0x98df8a : 0x000000
mode_label(m) = m eq "serial" ? "serial" : \
                m eq "gil-threads" ? "GIL-threads" : \
                m eq "threads" ? "C threads" : \
                m eq "processes" ? "processes" : \
                m eq "event-loop" ? "event loop" : \
                m eq "cpython-serial" ? "CPython serial" : \
                m eq "cpython-threads" ? "CPython threads" : \
                m eq "cpython-processes" ? "CPython processes" : \
                m eq "cpython-ft-serial" ? "free-threaded CPython serial" : \
                m eq "cpython-ft-threads" ? "free-threaded CPython threads" : \
                m eq "cpython-ft-processes" ? "free-threaded CPython processes" : m
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
if (target eq "png") {
    set terminal pngcairo size 1200,800 font "DejaVu Sans,11" linewidth 1.2
    set output dir."/figure.png"
}
if (target eq "svg") {
    set terminal svg size 1200,800 dynamic font "DejaVu Sans,11"
    set output dir."/figure.svg"
}
if (is_dumb) {
    set terminal dumb size 110,36
    set output
}

if (!is_dumb) set grid xtics ytics lc rgb "#dddddd" lt 1
# A smaller second title line (plain text in the terminal, which has no fonts).
small(s) = is_dumb ? s : "{/*0.8 ".s."}"
set border 3
set tics nomirror
set key noautotitle
