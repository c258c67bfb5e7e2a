# panels.gp — `call "panels.gp" N`: N panels under the chapter's heading, one above
# the other, each the figure's whole width: in the terminal (80 columns at least) and
# in the PNG and SVG, whose canvas grows by one panel_height per panel (style.gp), so
# that its text stays legible when the book shows the figure as wide as its column.
panel_count = int(ARG1)
if (is_dumb) {
    set terminal dumb size term_cols, 4 + panel_count * term_panel_rows
} else {
    eval canvas(panel_count)
}
set multiplot layout panel_count,1 title figure_title
