/* prose.h — a chapter's text, filled from its measurements.
 *
 * A README never types a measured number: it names it, and the book fills it in
 * from the chapter's reference run (chapters/NN-slug/reference/), the way knitr
 * fills inline expressions. A placeholder is
 *
 *   {{answer:KEY}}                       answers.csv's KEY, median and interval
 *   {{mode:SERIES@WORKERS:COLUMN}}       a cell of modes.csv (workers 0: the
 *                                        series' only row), with its interval when
 *                                        the column has one (wall_median_s: wall_lo_s
 *                                        and wall_hi_s; vs_reference: _lo and _hi)
 *   {{fact:KEY}}                         a "# key=value" line of modes.csv's preamble
 *
 * each optionally followed by |FORMAT:
 *   x     a ratio, "1.07x (0.96–1.31x)", fewer decimals from 10x on (answer's default)
 *   s, ms, us   seconds shown in that unit, three significant digits
 *   pct   a percentage as stored ("49.0" → "49 %")
 *   share a share of one as a percentage (0.5013 → "50 %")
 *   n     a number, three significant digits (mode's default)
 *   text  as written (fact's default)
 *
 * tests/prose.sh checks that every placeholder of every README resolves against the
 * committed reference run, and that no README states a measured number without one. */
#ifndef TVP_PROSE_H
#define TVP_PROSE_H

#include <stddef.h>

/* `text` with every placeholder replaced from the run in `run_dir` (its modes.csv
 * and answers.csv), malloc'd. A placeholder that names nothing in the run becomes
 * "(not measured in this run)" and is counted in *missing, the first one quoted in
 * `why`. */
char *prose_fill(const char *text, const char *run_dir, int *missing, char *why, size_t why_size);

#endif
