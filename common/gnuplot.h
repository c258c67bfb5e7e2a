/* gnuplot.h — text handed to gnuplot as data, never as code.
 *
 * Every string a figure script loads (plot-vars.gp) is written with these: in
 * single quotes, where gnuplot substitutes nothing (no backquotes, no macros, no
 * backslash escapes). */
#ifndef TVP_GNUPLOT_H
#define TVP_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

/* 'text' with every quote doubled and control characters (which could end the
 * command) turned into spaces. Malloc'd. */
char *gnuplot_string(const char *text);

/* The text for gnuplot's enhanced mode (PNG, SVG), where _ ^ { } @ & ~ are markup:
 * each escaped. Malloc'd; still to be quoted with gnuplot_string(). */
char *gnuplot_enhanced_text(const char *text);

/* Is `text` (a plot-vars.gp, perhaps from someone else's results folder) only data,
 * as the chapters write it? Comment lines, and assignments NAME = EXPRESSION or
 * NAME(ARG) = EXPRESSION (continued with a trailing backslash), whose expressions hold
 * only numbers, single-quoted strings, names, calls of functions the file defined
 * above, and operators: no backquote, double quote, macro (@), $, ';' or call of
 * anything else (system() and the like); no assignment to what render.sh hands the
 * figure script (dir, target, output, term_cols) or to a name with capitals. False with the line and the reason in `why`. */
bool gnuplot_vars_are_data(const char *text, char *why, size_t why_size);

#endif
