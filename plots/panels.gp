# panels.gp — `call "panels.gp" N`: N panels under the chapter's heading: side by
# side in the PNG and the SVG; one above the other in the terminal, where each
# panel then gets the terminal's whole width, so its labels stay readable at 80
# columns.
panel_count = int(ARG1)
if (is_dumb) {
    set terminal dumb size term_cols, 4 + panel_count * term_panel_rows
    set multiplot layout panel_count,1 title heading."\n".small(note)
} else {
    set multiplot layout 1,panel_count title heading."\n".small(note)
}
