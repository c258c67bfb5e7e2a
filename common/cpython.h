/* cpython.h — real CPython beside the emulation (every chapter with an original.py).
 *
 * Each of those chapters has an original.py: the article's experiment, written
 * with the standard library only, that prints its timings as CSV (the format is
 * in chapters/python/harness.py). After the C experiment the chapter runs it with
 * python3 (or --python PATH), and with a free-threaded python3.13t or later when
 * one is on the PATH, and keeps its rows as runs of the modes cpython-serial,
 * cpython-threads, cpython-processes (cpython-ft-... without the GIL).
 *
 *   cpython_open()  find the interpreters and the script; exit 2 on a bad --python
 *   cpython_run()   run the script with each one and add its runs to the chapter
 *
 * No python3: one line says the CPython rows were skipped, and the chapter goes on. */
#ifndef TVP_CPYTHON_H
#define TVP_CPYTHON_H

#include <limits.h>
#include <stdbool.h>

#include "chapter.h"
#include "cpython_output.h"

/* Names the series of a run the script reported (its mode, workers, tasks and their
 * records: a chapter's original.py may put the variant in `result`), into `key`.
 * Unset, a run is its mode's own series. */
typedef void (*cpython_namer)(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx,
                              char *key, size_t size);

typedef struct {
    char path[PATH_MAX];
    char name[64];      /* for summaries: "python3", "python3.13t", or --python as typed */
    char label[80];     /* "CPython 3.11.2", "free-threaded CPython 3.13.1" */
    bool free_threaded; /* the GIL is off: its runs use the cpython-ft-... modes */
    bool ran;           /* its rows were added */
} cpython_interpreter;

typedef struct {
    chapter *chapter;
    bool disabled;         /* --python none */
    char script[PATH_MAX]; /* the chapter's original.py; "" if not found */
    cpython_interpreter interpreters[2]; /* python3 (or --python), then a free-threaded one */
    int count;
    cpython_span *spans;
    size_t span_count;
    int reps; /* original.py's --reps: the chapter's --reps unless the chapter asks for more */
    double switch_interval_ms; /* original.py's --switch-interval: 0 for the chapter's own */
    char *last_facts;          /* the "key=value" lines of the last successful run, one per line */
    cpython_namer name_series; /* NULL: each run is its mode's own series */
    bool first_only;           /* run python3 (or --python) alone: the chapter's rows would not tell a
                                * free-threaded build's apart (chapter 8's asyncio is one thread either way) */
    void *name_ctx;
    char *const *launcher;     /* words run before the interpreter (chapter 13: mpirun and its
                                * flags), NULL-terminated; NULL: the interpreter alone */
} cpython;

/* Find the interpreters (--python, else python3; and a free-threaded one) and the
 * chapter's original.py; exit 2 on a bad --python. The chapter honours CLI_PYTHON. */
void cpython_open(cpython *py, chapter *c);

/* Keep only an interpreter that can import `module` (chapter 13: mpi4py): python3 (or
 * --python) if it can, else `fallback` (a path; NULL: none) when --python was not
 * given. False when none can: the CPython rows are then skipped, and one line in the
 * summary and on the terminal says why. The free-threaded one is not run either. */
bool cpython_require_module(cpython *py, const char *module, const char *fallback);

/* Run `original.py ARGS --reps R --switch-interval MS` with each interpreter, with
 * py->reps and the chapter's switch interval; ARGS is printf-formatted, split at spaces.
 * `input` goes to its standard input (NULL: none). `expected_s` is about how long
 * it should take: a run that takes far longer is stopped. Returns how many
 * interpreters' rows were added. */
int cpython_run(cpython *py, const char *input, double expected_s, const char *args_format, ...)
    __attribute__((format(printf, 4, 5)));

/* The interpreter whose runs use `mode`'s family, or NULL if none ran. */
const cpython_interpreter *cpython_for(const cpython *py, pool_mode mode);

/* One comparison between the C program and CPython on one measure (`what`, e.g.
 * "processes' time / serial time"): each a median with its interval over rounds,
 * and "agree within noise" when the intervals overlap, otherwise how far apart.
 * Says nothing when either side did not run (n = 0). */
void cpython_agreement(const cpython *py, const char *what, const char *c_label, estimate c_side,
                       pool_mode python_mode, estimate python);

/* The line every summary states: how close the GIL emulation came to CPython on one
 * measure (`what`, e.g. "threads' time / serial time"), each a median with its
 * interval over rounds, and "agree within noise" when the intervals overlap; the
 * free-threaded build's figure beside C threads' when there is one. An estimate
 * with n = 0 did not run. */
void cpython_compare(const cpython *py, const char *what, estimate gil_threads, estimate cpython, estimate c_threads,
                     estimate free_threaded);

/* CPU-bound chapters: the same work should cost CPython the same CPU time on its
 * threads as in its serial run. When the threads needed clearly less, say so: that
 * moves CPython's ratios by as much, and it is not the GIL's doing (the chapter does
 * not measure why). */
void cpython_check_cpu_time(const cpython *py);

void cpython_close(cpython *py);

/* What the last successful original.py run said of itself under `key` (its "# key=value"
 * lines), copied into `out`; false if it said nothing of it. */
bool cpython_fact(const cpython *py, const char *key, char *out, size_t size);

#endif
