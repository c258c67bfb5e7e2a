/* cpython_output.h — what a chapter's original.py prints, read.
 *
 * The script prints CSV (the format is in chapters/python/harness.py): "# key=value"
 * lines in which the interpreter describes itself, a header, then each run followed
 * by its tasks and, for chapter 2, the intervals its tracker saw. Every field is
 * checked (a finite number of sane size, whole where it must be, within the limits
 * a chapter can ask for); the first line that does not make sense is reported by
 * its number and nothing of the output is used. */
#ifndef TVP_CPYTHON_OUTPUT_H
#define TVP_CPYTHON_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "pool.h"

/* A running interval one original.py task reported (chapter 2's live tracker). */
typedef struct {
    pool_mode mode;
    int rep, task, core;
    double start_s, end_s; /* from the run's start */
} cpython_span;

/* One run the script reported: its tasks' records, times from the script's start. */
typedef struct {
    pool_mode mode;
    int workers, rep, ntasks, filled;
    double wall_s;
    task_record *records;
} cpython_pending_run;

typedef struct {
    cpython_pending_run *runs;
    int count;
    cpython_span *spans;
    size_t span_count;
    char version[40];   /* "# python=3.11.2" */
    bool free_threaded; /* "# gil=disabled" */
    char *facts;        /* the script's other "key=value" lines, one per line */
} cpython_output;

/* Read `text` (changed in place) into a zeroed `p`: 0, or the number of the first
 * line that is wrong (one past the last when runs are missing or incomplete). */
int cpython_output_parse(char *text, cpython_output *p);
void cpython_output_free(cpython_output *p);

/* Parse what original.py printed, as the chapter does, and throw it away: 0 and the
 * number of runs when it is all well formed, else the number of the first bad
 * line. For the parser's tests (tests/test_parsers.c). */
int cpython_parse_check(const char *output, int *runs);

/* cpython-threads for `python_mode` threads of the GIL'd interpreter, ...: the mode
 * of a run the script reported as "serial", "threads" or "processes"; "asyncio" is
 * cpython-asyncio for either build; MODE_COUNT for anything else. */
pool_mode cpython_mode(bool free_threaded, const char *python_mode);

#endif
