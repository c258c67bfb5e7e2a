/* chapter1.c — "Multiprocessing and multithreading are basically the same thing."
 *
 * The article ran 4 CPU-heavy jobs on 4 cores: threads took 20 s, processes 5 s.
 * Here the same jobs run four ways: serially (the reference), as GIL-threads (C
 * threads under an emulation of CPython's GIL), as plain C threads, and as forked
 * processes. The Gantt chart shows when each job ran.
 *
 * usage:  build/chapter1 [--jobs N] [--runtime c|gil|both] [--switch-interval MS] ...
 *
 * sample output (2 cores, class scale):
 *   mode         workers  wall s  vs serial  CPU s  cores busy
 *   serial             1   2.503      1.00x  2.502        50%
 *   GIL-threads        2   2.521      0.99x  2.519        50%
 *   C threads          2   1.258      1.99x  2.510       100%
 *   processes          2   1.262      1.98x  2.512        99%
 *   VERDICT: FALSE on this machine under the GIL: 2 processes finished 2 jobs 2.00x
 *   faster than 2 GIL-threads. Plain C threads took 1.00x the processes' time. */
#include <stdio.h>
#include <stdlib.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "cpython.h"
#include "work.h"


/* The benchmark checks its own result: every job must have summed 0..n-1. */
static void check_results(const chapter *c, const chapter_run *run, uint64_t iterations)
{
    uint64_t expected = cpu_heavy_expected(iterations);
    for (int t = 0; t < run->ntasks; t++)
        if ((uint64_t)run->records[t].result != expected)
            chapter_fail(c, EXIT_EXPERIMENT_FAILED, "%s job %d computed a wrong sum: the experiment is broken",
                         pool_mode_label(run->mode), t);
}

static void table(chapter *c)
{
    const char *columns[] = { "mode", "workers", "wall s", "vs serial", "CPU s", "cores busy" };
    report_table(c->report, "Each mode ran the same jobs (median over reps; vs serial: against the same "
                 "language's serial run):", 6, columns);
    for (pool_mode mode = 0; mode < MODE_COUNT; mode++) {
        mode_summary s = chapter_summary(c, mode);
        if (!s.ran) continue;
        double serial = chapter_summary(c, pool_mode_serial_of(mode)).wall_s.median;
        report_cell(c->report, "%s", pool_mode_label(mode));
        report_cell(c->report, "%d", s.workers);
        report_cell(c->report, "%.3f", s.wall_s.median);
        report_cell(c->report, "%.2fx", serial / s.wall_s.median);
        report_cell(c->report, "%.3f", s.cpu_s);
        report_cell(c->report, "%.0f%%", 100 * s.utilisation);
        report_end_row(c->report);
    }
}

/* The verdict, from the numbers: processes vs GIL-threads, and the C note. */
static void verdict(chapter *c)
{
    double processes = chapter_summary(c, MODE_PROCESSES).wall_s.median;
    mode_summary gil = chapter_summary(c, MODE_GIL_THREADS), threads = chapter_summary(c, MODE_THREADS);
    int parallel = c->machine.cores < c->cli.jobs ? c->machine.cores : c->cli.jobs;
    if (c->cli.workers < parallel) parallel = c->cli.workers;
    char c_note[200] = "";
    if (threads.ran)
        snprintf(c_note, sizeof c_note, " Plain C threads took %.2fx the processes' time: in C, threads run in "
                 "parallel too.", threads.wall_s.median / processes);
    if (parallel < 2) {
        report_verdict(c->report, "NOT TESTABLE here: with %d core%s, %d job%s and %d worker%s nothing can run in "
                       "parallel, so processes cannot be faster than threads (processes %.3f s).%s",
                       c->machine.cores, c->machine.cores == 1 ? "" : "s", c->cli.jobs, c->cli.jobs == 1 ? "" : "s",
                       c->cli.workers, c->cli.workers == 1 ? "" : "s", processes, c_note);
    } else if (gil.ran) {
        double ratio = gil.wall_s.median / processes;
        report_verdict(c->report, "%s on this machine under the GIL: %d processes finished %d jobs %.2fx %s than "
                       "%d GIL-threads (%.3f s vs %.3f s).%s",
                       ratio >= 1.25 ? "FALSE" : "NOT SHOWN", c->cli.workers, c->cli.jobs, ratio,
                       ratio >= 1 ? "faster" : "slower", c->cli.workers, processes, gil.wall_s.median, c_note);
    } else {
        double ratio = threads.wall_s.median / processes;
        report_verdict(c->report, "%s for C threads on this machine: %d C threads took %.2fx the time of %d "
                       "processes on CPU work (the GIL-threads were not run; try --runtime both).",
                       ratio < 1.25 ? "ROUGHLY TRUE" : "FALSE", c->cli.workers, ratio, c->cli.workers);
    }
}

/* processes' speed-up over threads, C and CPython side by side. */
static void compare_with_cpython(chapter *c, const cpython *py)
{
    double processes = chapter_summary(c, MODE_PROCESSES).wall_s.median;
    double python_processes = chapter_summary(c, MODE_CPYTHON_PROCESSES).wall_s.median;
    double ft_processes = chapter_summary(c, MODE_FREE_THREADED_PROCESSES).wall_s.median;
    cpython_compare(py, "threads' time / processes' time",
                    chapter_summary(c, MODE_GIL_THREADS).wall_s.median / processes,
                    chapter_summary(c, MODE_CPYTHON_THREADS).wall_s.median / python_processes,
                    chapter_summary(c, MODE_THREADS).wall_s.median / processes,
                    chapter_summary(c, MODE_FREE_THREADED_THREADS).wall_s.median / ft_processes);
    cpython_check_cpu_time(py);
}

int main(int argc, char **argv)
{
    cpython_flags python_flags = CPYTHON_DEFAULTS;
    const cli_extra extras[] = { CPYTHON_EXTRAS(python_flags) };
    chapter c;
    chapter_begin(&c, CHAPTER_NUMBER, CHAPTER_CLAIM, extras, CPYTHON_EXTRA_COUNT, argc, argv);
    cpython py;
    cpython_open(&py, &c, &python_flags);
    py.reps = c.cli.reps < 3 ? 3 : c.cli.reps; /* short CPython runs are noisy: take a median of 3 at least */

    /* Size the jobs: together they are the scale's amount of single-core work. */
    double job_seconds = cli_work_seconds(c.cli.scale) / c.cli.jobs;
    progress("calibrating: how many loop iterations make a %.3f s job here?", job_seconds);
    uint64_t iterations = calibrate_cpu_heavy(job_seconds);
    chapter_meta(&c, "iterations_per_job", "%llu", (unsigned long long)iterations);

    gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
    for (int rep = 0; rep < c.cli.reps; rep++) {
        for (pool_mode mode = 0; mode < POOL_MODES; mode++) {
            if (!chapter_wants(&c, mode)) continue;
            const chapter_run *run =
                chapter_run_mode(&c, mode, c.cli.workers, rep, cpu_heavy_task, &iterations, c.cli.jobs, gil);
            check_results(&c, run, iterations);
        }
    }
    gil_destroy(gil);

    /* Real CPython runs the article's own loop. It is about 100 times slower per
     * iteration, so its jobs are sized by time: a sixth of a C job, 3 reps or more. */
    cpython_run(&py, NULL, job_seconds * c.cli.jobs * py.reps / 2, "--modes serial,threads,processes --jobs %d "
                "--workers %d --seconds %.4f", c.cli.jobs, c.cli.workers, job_seconds / 6);

    table(&c);
    report_text(c.report, "GIL-threads are C threads that must hold an emulated CPython GIL to run; "
                          "C threads and processes have no GIL. Every mode runs the same loop.");
    verdict(&c);
    compare_with_cpython(&c, &py);
    cpython_close(&py);
    return chapter_finish(&c);
}
