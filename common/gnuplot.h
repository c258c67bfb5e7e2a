/* gnuplot.h — text handed to gnuplot as data, never as code.
 *
 * Every string a figure script loads (plot-vars.gp) is written with these: in
 * single quotes, where gnuplot substitutes nothing (no backquotes, no macros, no
 * backslash escapes). */
#ifndef TVP_GNUPLOT_H
#define TVP_GNUPLOT_H

/* 'text' with every quote doubled and control characters (which could end the
 * command) turned into spaces. Malloc'd. */
char *gnuplot_string(const char *text);

/* The text for gnuplot's enhanced mode (PNG, SVG), where _ ^ { } @ & ~ are markup:
 * each escaped. Malloc'd; still to be quoted with gnuplot_string(). */
char *gnuplot_enhanced_text(const char *text);

#endif
