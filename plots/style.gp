# style.gp — the one place for the workbook's look. Every chapterN.gp loads it.
#
# plots/render.sh sets dir (the chapter's results directory) and target (png, svg
# or dumb), then runs the chapter's figure.gp; the figure goes to standard output.
# Provides: the terminal, mode_color(), mode_label(), core_color(), the
# data file settings, the heading, and the run's variables from DIR/plot-vars.gp
# (written by the chapter program: note, cores, claim, the modes' names and colours).

note = ""
note_enhanced = ""  # the same, its enhanced-text markup characters escaped (PNG, SVG)
python_modes = ""   # the CPython modes original.py ran, when it did
python_label = "CPython"
python_version = ""
load dir."/plot-vars.gp"
if (note_enhanced eq "") note_enhanced = note
# Text longer than `limit` characters is broken in two at the first space after its
# middle (a space is never part of an enhanced-text escape), so that each line fits
# the canvas (the terminal wraps nothing: it is as wide as the terminal).
space_after(s, i) = i > strlen(s) ? 0 : s[i:i] eq " " ? i : space_after(s, i + 1)
wrap_point(s, limit) = target eq "dumb" || strlen(s) <= limit ? 0 : space_after(s, strlen(s) / 2)
wrapped(s, limit) = (wrap_at = wrap_point(s, limit), wrap_at > 0 ? s[1:wrap_at - 1]."\n".s[wrap_at + 1:] : s)
# The heading: the chapter and its claim; under it, in figure_title, the run's note
# and what the CPUs delivered together on this run (common/capacity.h).
heading = sprintf("Chapter %d: \"%s\"", chapter, wrapped(target eq "dumb" ? claim : claim_enhanced, 50))
# (capacity_what: what the CPUs ran together, "the C loop" or the chapter's own work.)
capacity_work = target ne "dumb" && exists("capacity_what_enhanced") ? capacity_what_enhanced : \
                exists("capacity_what") ? capacity_what : "work"
capacity_note = exists("capacity") ? sprintf("this run, the %d CPUs together did %.2f cores' worth of %s", cores, capacity, capacity_work) : ""

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
# Legible from the back of a room: the book shows a figure as wide as its text
# column, about canvas_width pixels at 1366 x 768, so a font of font_px stays about
# that size on the screen, and the smallest text (small(), `font small_font`) at
# least 14 px there (tests/book_check.sh measures it). Panels are stacked, each the
# canvas' whole width (panels.gp sets the height from their count).
font_px = 17
font_small_px = 15
small_font = sprintf(",%d", font_small_px)
canvas_width = 960
heading_height = 150
panel_height = 440
canvas(panels) = target eq "png" ? \
    sprintf("set terminal pngcairo size %d,%d font 'DejaVu Sans,%d' linewidth 1.5", \
            canvas_width, heading_height + panels * panel_height, font_px) : \
    sprintf("set terminal svg size %d,%d dynamic font 'DejaVu Sans,%d' linewidth 1.5", \
            canvas_width, heading_height + panels * panel_height, font_px)
if (target eq "png" || target eq "svg") eval canvas(1)
# Lines with whiskers in the files; in the terminal, lines and points only (`with
# @errorlines`): its whiskers and their key samples are characters that mix with the
# other lines'.
errorlines = is_dumb ? "linespoints" : "yerrorlines"
# A tick step of 1, 2 or 5 times a power of ten that gives at most about four ticks
# over `range`: numbers that do not run into each other in a narrow panel.
nice_step(range) = (nice_e = 10**floor(log10(range / 4.0)), nice_m = range / 4.0 / nice_e, \
                    (nice_m <= 1 ? 1 : nice_m <= 2 ? 2 : nice_m <= 5 ? 5 : 10) * nice_e)
# The terminal figure is as wide as the terminal (term_cols, from plots/render.sh:
# the rule of common/report.h, at least 80 columns); a panel is term_panel_rows high.
if (!exists("term_cols")) term_cols = 80
term_panel_rows = 26
if (is_dumb) {
    set terminal dumb size term_cols, 36
}

if (!is_dumb) set grid xtics ytics lc rgb "#dddddd" lt 1
# A smaller second title line (plain text in the terminal, which has no fonts).
small(s) = is_dumb ? s : sprintf("{/*%.3f %s}", 1.0 * font_small_px / font_px, s)
# A figure's title: the heading, then the note and the capacity in smaller type.
# (small() applies to one line: the note's halves each get their own.)
small_wrapped(s, limit) = (wrap_at = wrap_point(s, limit), \
                           wrap_at > 0 ? small(s[1:wrap_at - 1])."\n".small(s[wrap_at + 1:]) : small(s))
figure_title = heading."\n".small_wrapped(is_dumb ? note : note_enhanced, 90).(capacity_note ne "" ? "\n".small(capacity_note) : "")
set border 3
set tics nomirror
set key noautotitle
