/* report.h — what a chapter tells its reader: progress, tables, the verdict.
 *
 * The same report prints to the terminal and is written as summary.md (Markdown,
 * for the book). Progress goes to stderr, and only when stderr is a terminal, so
 * it never lands in a file or a pipe. */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "machine.h"
#include "stats.h"

typedef struct report report;

report *report_new(const char *title);
void report_free(report *r);

/* A table: columns, then rows of cells. The first column is left-aligned, the rest right. */
void report_table(report *r, const char *caption, int column_count, const char *const *columns);
void report_cell(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_end_row(report *r);

/* A paragraph of explanation, and the verdict (one line, computed by the chapter). */
void report_text(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_verdict(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The verdict in short: the claim's answer for each runtime with its ratio ("FALSE
 * under the GIL (1.09x serial), TRUE for C threads (0.62x)"), at most two 80-column
 * lines with "VERDICT: " before it. It is what --quiet prints, the last lines `make
 * chapterN` prints (after the figure), and summary.md's "**In short:**" line, which
 * the book's contents table shows. */
void report_headline(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *report_headline_text(const report *r); /* NULL: none yet */

/* The noise meter's line ("Noise: ..."), placed just before the verdict; and more
 * words at the end of the last verdict. */
void report_noise(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_verdict_append(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "1.15x (1.08-1.22)": the median and its interval, each number printed with
 * `format` (one double, e.g. "%.2fx"); the median alone where there is no interval;
 * "1.15x (1.08-1.22, 75 %)", its coverage after it, where that is below 95 %. */
const char *estimate_text(estimate e, const char *format, char *out, size_t size);
/* A size for people, in the largest unit that divides it: "4 MiB", "32 KiB", "8 bytes". */
const char *bytes_text(size_t bytes, char *out, size_t size);

/* Text from outside the program (a URL, an interpreter's words) made plain text for
 * summary.md: Markdown's special characters backslash-escaped, so it can never
 * become a link, an image or HTML in the book; control characters shown as '?'.
 * malloc'd. */
char *report_escape_markdown(const char *text);

/* The width the terminal form is laid out for: $COLUMNS when it is a number, else
 * the width of the terminal `out` writes to (TIOCGWINSZ), else 80; never less than
 * REPORT_MIN_COLUMNS (a narrower window wraps the lines itself). plots/render.sh
 * applies the same rule to the terminal figure. */
#define REPORT_MIN_COLUMNS 80
int report_columns(FILE *out);

/* One paragraph in the terminal's width (leading spaces indent every line of it). */
void report_print_paragraph(FILE *out, const char *text);

/* Terminal form (tables aligned, the verdict last), laid out for report_columns(out):
 * paragraphs wrapped at spaces, a table too wide printed in parts. `verdict_only`:
 * the headline alone (the verdict paragraph where there is none). */
void report_print(const report *r, FILE *out, bool verdict_only);
/* summary.md's text into `out` (the caller writes it atomically: atomic_file.h);
 * `setup` describes the run (scale, jobs...). */
void report_markdown_to(const report *r, FILE *out, const machine_info *m, const char *setup);

/* "[chapter1] running GIL-threads ..." on stderr, when stderr is a terminal and
 * progress is on. */
void progress_enable(bool on);
/* The program name progress_milestone() prints when stderr is not a terminal. */
void progress_name_as(const char *program);
/* A finished run: on a terminal like progress(); to a pipe or a file (tee) too, as
 * "[chapter3 +4.2 s] round 2: GIL-threads ...": one line per run, with the time
 * since the start. */
void progress_milestone(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
