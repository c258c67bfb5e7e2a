/* svg.h — is this SVG a drawing, and nothing else?
 *
 * The book shows figures from results/ folders, which another user may have made,
 * and a browser runs what an SVG carries: <script>, event attributes (onload=...),
 * links, external references. The workbook's figures are gnuplot's plain SVG, so a
 * figure is accepted only if it is made of the elements and attributes gnuplot
 * writes: no "<!" declarations, no element outside a short list, no attribute that
 * starts with "on", no link other than to a fragment of the same file ("#..."),
 * no url() other than "url(#...)", no "javascript:". */
#ifndef TVP_SVG_H
#define TVP_SVG_H

#include <stdbool.h>
#include <stddef.h>

/* True if `text` is such a drawing; else false with the first reason in `why`. */
bool svg_is_plain_drawing(const char *text, char *why, size_t why_size);

#endif
