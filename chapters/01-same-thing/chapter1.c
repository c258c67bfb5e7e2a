/* chapter1.c — "Multiprocessing and multithreading are basically the same thing."
 *
 * The article ran 4 CPU-heavy jobs on 4 cores: threads took 20 s, processes 5 s.
 * Here the same jobs run four ways: serially (the reference), as GIL-threads (C
 * threads under an emulation of CPython's GIL), as plain C threads, and as forked
 * processes, in rounds (each mode once per round, interleaved), after a warm-up.
 * Ratios are taken within a round and reported as a median with its 95 % interval;
 * the verdict is TRUE or FALSE only when the whole interval is on one side of the
 * threshold. The Gantt chart shows when each job ran.
 *
 * usage:  build/chapter1 [--jobs N] [--runtime c|gil|both] [--switch-interval MS] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/01-same-thing/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "cpython.h"
#include "tax.h"
#include "work.h"

/* "Basically the same": threads take less than 1.25x the processes' time. */
#define SAME_BELOW 1.25

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
    const char *columns[] = { "mode", "workers", "wall s (95% CI)", "speed-up (95% CI)", "CPU s", "cores busy" };
    report_table(c->report, "Each mode ran the same jobs (median and 95% interval over rounds; speed-up: the same "
                 "language's serial time / this mode's, paired within each round):", 6, columns);
    for (pool_mode mode = 0; mode < MODE_COUNT; mode++) {
        mode_summary s = chapter_summary(c, mode);
        if (!s.ran) continue;
        estimate speedup = stats_inverse(s.vs_reference);
        char wall[64], up[64];
        report_cell(c->report, "%s", pool_mode_label(mode));
        report_cell(c->report, "%d", s.workers);
        report_cell(c->report, "%s", estimate_text(s.wall, "%.3f", wall, sizeof wall));
        report_cell(c->report, "%s", estimate_text(speedup, "%.2fx", up, sizeof up));
        report_cell(c->report, "%.3f", s.cpu_s);
        report_cell(c->report, "%.0f%%", 100 * s.utilisation);
        report_end_row(c->report);
    }
}

/* How many jobs could run at once here. */
static int parallelism(const chapter *c)
{
    int parallel = c->machine.cores < c->cli.jobs ? c->machine.cores : c->cli.jobs;
    return c->cli.workers < parallel ? c->cli.workers : parallel;
}

/* The verdict, from the paired ratios: GIL-threads (or C threads) against processes. */
static void verdict(chapter *c)
{
    estimate gil = chapter_ratio(c, MODE_GIL_THREADS, 0, MODE_PROCESSES, 0);
    estimate threads = chapter_ratio(c, MODE_THREADS, 0, MODE_PROCESSES, 0);
    chapter_answer(c, "gil/processes", gil);
    chapter_answer(c, "threads/processes", threads);
    chapter_answer(c, "processes/serial", chapter_ratio(c, MODE_PROCESSES, 0, MODE_SERIAL, 0));
    char a[64], c_note[200] = "", c_short[100] = "";
    if (threads.n > 0) {
        three_way call = stats_below(threads, SAME_BELOW);
        snprintf(c_note, sizeof c_note, " Plain C threads took %s the processes' time: %s for C threads.",
                 estimate_text(threads, "%.2fx", a, sizeof a), stats_call_word(call));
        snprintf(c_short, sizeof c_short, "%s for C threads (%.2fx)", stats_call_word(call), threads.median);
    }
    if (parallelism(c) < 2) {
        report_verdict(c->report, "NOT TESTABLE here: with %d core%s, %d job%s and %d worker%s nothing can run in "
                       "parallel, so processes cannot be faster than threads.%s", c->machine.cores,
                       c->machine.cores == 1 ? "" : "s", c->cli.jobs, c->cli.jobs == 1 ? "" : "s", c->cli.workers,
                       c->cli.workers == 1 ? "" : "s", c_note);
        report_headline(c->report, "NOT TESTABLE here: with %d core%s nothing runs in parallel%s%s", c->machine.cores,
                        c->machine.cores == 1 ? "" : "s", *c_short ? "; " : "", c_short);
    } else if (gil.n > 0) {
        /* Below 1.25x on CPUs that did well under their count's worth: the processes
         * could not show their speed, and nothing is decided. */
        three_way measured = stats_below(gil, SAME_BELOW), call = chapter_parallel_call(c, measured, CALL_TRUE);
        report_verdict(c->report, "%s on this machine under the GIL: %d GIL-threads took %s the time of %d processes "
                       "on %d jobs%s.%s%s", stats_call_word(call), c->cli.workers,
                       estimate_text(gil, "%.2fx", a, sizeof a), c->cli.workers, c->cli.jobs,
                       call == CALL_FALSE ? ", not below 1.25x" : call == CALL_TRUE ? ", below 1.25x" :
                       measured == CALL_TRUE ? ", below 1.25x, as low parallel capacity alone would make it" :
                       stats_decides(gil) ? ": the interval straddles 1.25x" : "", c_note,
                       chapter_undecided_cause(c, call));
        report_headline(c->report, "%s under the GIL (GIL-threads %.2fx the processes' time)%s%s",
                        stats_call_word(call), gil.median, *c_short ? ", " : "", c_short);
    } else {
        report_verdict(c->report, "For C threads on this machine (the GIL-threads were not run; try --runtime both):%s",
                       c_note);
        report_headline(c->report, "%s, against the processes' time", c_short);
    }
}

/* When the first job of a run started: the pool's start-up, median over rounds. */
static double startup_s(const chapter *c, pool_mode mode)
{
    double firsts[CHAPTER_MAX_ROUNDS];
    size_t n = 0;
    for (int i = 0; i < c->run_count && n < CHAPTER_MAX_ROUNDS; i++) {
        const chapter_run *run = c->runs[i];
        if (run->mode != mode || run->ntasks == 0) continue;
        double first = INFINITY;
        for (int t = 0; t < run->ntasks; t++) first = fmin(first, run_seconds(run, run->records[t].start_ns));
        firsts[n++] = first;
    }
    return n ? stats_median(firsts, n) : NAN;
}

/* Like with like: threads/serial of each language, then processes/serial with the
 * workers' start-up shown apart (CPython's jobs are short, so it weighs more there). */
static void compare_with_cpython(chapter *c, const cpython *py, double py_job_s)
{
    cpython_compare(py, "threads' time / serial time", chapter_ratio(c, MODE_GIL_THREADS, 0, MODE_SERIAL, 0),
                    chapter_ratio(c, MODE_CPYTHON_THREADS, 0, MODE_CPYTHON_SERIAL, 0),
                    chapter_ratio(c, MODE_THREADS, 0, MODE_SERIAL, 0),
                    chapter_ratio(c, MODE_FREE_THREADED_THREADS, 0, MODE_FREE_THREADED_SERIAL, 0));
    cpython_agreement(py, "processes' time / serial time", "C processes",
                      chapter_ratio(c, MODE_PROCESSES, 0, MODE_SERIAL, 0), MODE_CPYTHON_PROCESSES,
                      chapter_ratio(c, MODE_CPYTHON_PROCESSES, 0, MODE_CPYTHON_SERIAL, 0));
    double c_start = startup_s(c, MODE_PROCESSES), py_start = startup_s(c, MODE_CPYTHON_PROCESSES);
    if (!isnan(c_start) && !isnan(py_start))
        report_text(c->report, "Worker start-up inside those times (pool start to the first job's start, median): "
                    "%.1f ms for the C processes, %.1f ms for CPython's ProcessPoolExecutor: %.1f %% of one of its "
                    "%.0f ms jobs.", 1e3 * c_start, 1e3 * py_start, 100 * py_start / py_job_s, 1e3 * py_job_s);
    cpython_check_cpu_time(py);
}

/* The shortest CPython job above the tiny scale: 25 times the ~10 ms that
 * ProcessPoolExecutor took to start its workers on the reference machine, so that
 * start-up stays under 5 % of a job (the chapter prints the share it measured). */
#define CPYTHON_JOB_S 0.25

/* The rounds the verdict may take at the class scale, and the seconds they may last:
 * its ratios lie well apart from 1.25x, but the host's slow moments make single
 * rounds disagree, and about 24 paired rounds decide where 12 often did not. */
#define VERDICT_ROUNDS 24
#define ROUNDS_BUDGET_S 18

/* One round: every mode once, the same jobs; the GIL-threads' tax against serial.
 * Past the minimum rounds, serial (the speed-ups' reference, not the verdict's) is
 * left out: those rounds are for the ratios the verdict compares. */
static gil_tax run_round(chapter *c, int rep, uint64_t *iterations)
{
    gil_tax tax = { 0 };
    const chapter_run *serial = NULL;
    for (pool_mode mode = 0; mode < POOL_MODES; mode++) {
        if (!chapter_wants(c, mode) || (mode == MODE_SERIAL && chapter_past_minimum(c, rep))) continue;
        gil_t *gil = gil_create(c->cli.switch_interval_ms / 1000.0);
        const chapter_run *run =
            chapter_run_mode(c, mode, c->cli.workers, rep, cpu_heavy_task, iterations, c->cli.jobs, gil);
        check_results(c, run, *iterations);
        if (mode == MODE_SERIAL) serial = run;
        if (mode == MODE_GIL_THREADS && serial) tax = gil_tax_of_round(serial, run);
        gil_destroy(gil);
    }
    return tax;
}

int main(int argc, char **argv)
{
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_JOBS | CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON,
                                   .class_rounds = VERDICT_ROUNDS },
                  argc, argv);
    c.same_work = true;
    c.round_budget_s = ROUNDS_BUDGET_S;
    cpython py;
    cpython_open(&py, &c);

    uint64_t iterations = chapter_cpu_jobs(&c);
    double job_seconds = cli_work_seconds(c.cli.scale) / c.cli.jobs;
    /* Rounds; more while the decisive interval is wide (the tax: from the rounds with serial). */
    gil_tax taxes[CHAPTER_MAX_ROUNDS];
    pool_mode decisive = chapter_wants(&c, MODE_GIL_THREADS) ? MODE_GIL_THREADS : MODE_THREADS;
    chapter_decide_by(&c, pool_mode_name(decisive), 0, pool_mode_name(MODE_PROCESSES), 0);
    for (int rep = -1; chapter_next_round(&c, &rep);) taxes[rep] = run_round(&c, rep, &iterations);

    /* Real CPython runs the article's own loop, as many rounds as serial ran. It is
     * about 100 times slower per iteration, so its jobs are sized by time: a sixth of
     * a C job, and above the tiny scale at least CPYTHON_JOB_S, so that starting the
     * ProcessPoolExecutor's workers is a small part of each job. */
    int every_mode_rounds = chapter_minimum_rounds(&c);
    py.reps = every_mode_rounds;
    double py_job_s = c.cli.scale == SCALE_TINY || job_seconds / 6 > CPYTHON_JOB_S ? job_seconds / 6 : CPYTHON_JOB_S;
    cpython_run(&py, NULL, 4 * py_job_s * c.cli.jobs * py.reps, "--modes serial,threads,processes --jobs %d "
                "--workers %d --seconds %.4f", c.cli.jobs, c.cli.workers, py_job_s);

    table(&c);
    report_text(c.report, "GIL-threads are C threads that must hold an emulated CPython GIL to run; "
                          "C threads and processes have no GIL. Every mode runs the same loop.");
    gil_tax_report(&c, taxes, every_mode_rounds);
    verdict(&c);
    compare_with_cpython(&c, &py, py_job_s);
    cpython_close(&py);
    return chapter_finish(&c);
}
