/* plotvars_check.c — build/plotvars-check FILE: is this plot-vars.gp only data?
 *
 * plots/render.sh runs it before gnuplot loads a results folder's plot-vars.gp,
 * because a results folder may come from someone else and gnuplot would run what
 * the file holds (system(), backquotes). Exit 0 if the file is data as the chapters
 * write it (common/gnuplot.h, gnuplot_vars_are_data); else one line naming the line
 * and the reason, exit 1; exit 2 for a bad command line or an unreadable file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "gnuplot.h"
#include "textfile.h"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        puts("usage: plotvars-check FILE   (exit 0: FILE is plot-vars.gp data; 1: it is not)");
        fail_unless_stdout_written("plotvars-check");
        return 0;
    }
    if (argc != 2) fail_user("plotvars-check", EXIT_BAD_INPUT, "usage: plotvars-check FILE");
    char why[200];
    char *text = textfile_read(argv[1], 1 << 20, why, sizeof why);
    if (!text) fail_user("plotvars-check", EXIT_BAD_INPUT, "%s: %s", argv[1], why);
    bool data = gnuplot_vars_are_data(text, why, sizeof why);
    free(text);
    if (!data) fail_user("plotvars-check", EXIT_EXPERIMENT_FAILED, "%s: %s: not drawn, it is not data", argv[1], why);
    return 0;
}
