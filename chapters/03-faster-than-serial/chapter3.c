/* chapter3.c — "Multithreading is always faster than serial."
 *
 * The article ran CPU work serially and on threads: threads were 0.6 % slower.
 * Here serial code, GIL-threads and C threads run the very same loop (with its
 * GIL polls), so the ratios isolate the GIL's effect. The table also counts the
 * price of taking turns — context switches and GIL hand-overs — and compares CPU
 * time with wall time: the article's "each core at about 25 %", measured.
 *
 * usage:  build/chapter3 [--jobs N] [--reps N] [--switch-interval MS] ...
 *
 * sample output (2 cores, class scale, 3 reps):
 *   mode         workers  wall s  vs serial  cores busy  ctx switches  GIL hand-overs
 *   serial             1   2.503      1.00x         50%             4               -
 *   GIL-threads        2   2.528      1.01x         50%          1012             505
 *   C threads          2   1.262      0.50x         99%             9               -
 *   VERDICT: FALSE under the GIL on this machine: 2 GIL-threads took 1.01x the serial
 *   time. With C threads it took 0.50x: 1.98x faster. */
#include <stdio.h>
#include <stdlib.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "cpython.h"
#include "work.h"


static void table(chapter *c, const unsigned long *handovers)
{
    const char *columns[] = { "mode", "workers", "wall s", "min-max s", "vs serial", "CPU s", "cores busy",
                              "ctx switches", "GIL hand-overs" };
    report_table(c->report, "The same CPU work, serial and on threads (median over reps; vs serial: against the "
                 "same language's serial run):", 9, columns);
    const pool_mode order[] = { MODE_SERIAL, MODE_GIL_THREADS, MODE_THREADS, MODE_CPYTHON_SERIAL, MODE_CPYTHON_THREADS,
                                MODE_FREE_THREADED_SERIAL, MODE_FREE_THREADED_THREADS };
    for (size_t m = 0; m < sizeof order / sizeof *order; m++) {
        mode_summary s = chapter_summary(c, order[m]);
        if (!s.ran) continue;
        double serial = chapter_summary(c, pool_mode_serial_of(order[m])).wall_s.median;
        report_cell(c->report, "%s", pool_mode_label(order[m]));
        report_cell(c->report, "%d", s.workers);
        report_cell(c->report, "%.3f", s.wall_s.median);
        report_cell(c->report, "%.3f-%.3f", s.wall_s.min, s.wall_s.max);
        report_cell(c->report, "%.3fx", s.wall_s.median / serial);
        report_cell(c->report, "%.3f", s.cpu_s);
        report_cell(c->report, "%.0f%%", 100 * s.utilisation);
        report_cell(c->report, "%.0f", s.vcsw + s.ivcsw);
        if (order[m] == MODE_GIL_THREADS)
            report_cell(c->report, "%lu", handovers[order[m]]);
        else
            report_cell(c->report, "-");
        report_end_row(c->report);
    }
    mode_summary gil = chapter_summary(c, MODE_GIL_THREADS), threads = chapter_summary(c, MODE_THREADS);
    report_text(c->report, "\"cores busy\" is CPU time / (wall time x %d cores).", c->machine.cores);
    if (gil.ran)
        report_text(c->report, "GIL-threads used %.2f cores' worth of CPU on average (CPU s / wall s) out of %d; "
                    "on the article's 4 cores the same one core's worth is the 25%% it saw.",
                    gil.cpu_s / gil.wall_s.median, c->machine.cores);
    if (threads.ran)
        report_text(c->report, "C threads used %.2f cores' worth of CPU on average out of %d.",
                    threads.cpu_s / threads.wall_s.median, c->machine.cores);
}

static void verdict(chapter *c)
{
    double serial = chapter_summary(c, MODE_SERIAL).wall_s.median;
    mode_summary gil = chapter_summary(c, MODE_GIL_THREADS), threads = chapter_summary(c, MODE_THREADS);
    char gil_part[200] = "", c_part[200] = "";
    /* "Faster" needs a margin beyond noise: 3 % of the serial time. */
    if (gil.ran) {
        double r = gil.wall_s.median / serial;
        snprintf(gil_part, sizeof gil_part, "%s under the GIL on this machine: %d GIL-threads took %.3fx the serial "
                 "time%s.", r < 0.97 ? "TRUE" : "FALSE", gil.workers, r,
                 r < 0.97 ? "" : r > 1.0 ? " (the switching tax)" : " (no faster)");
    }
    if (threads.ran) {
        double r = threads.wall_s.median / serial;
        snprintf(c_part, sizeof c_part, "%s%d C threads took %.3fx the serial time (%.2fx %s)%s.",
                 gil.ran ? " " : "", threads.workers, r, r < 1 ? 1 / r : r, r < 1 ? "faster" : "slower",
                 c->machine.cores < 2 ? ": with 1 core they cannot be faster either" : "");
        if (!gil.ran)
            snprintf(gil_part, sizeof gil_part, "%s for C threads on this machine: ", r < 0.97 ? "TRUE" : "FALSE");
    }
    report_verdict(c->report, "%s%s", gil_part, c_part);
}

/* threads' time over serial time, C and CPython side by side. */
static void compare_with_cpython(chapter *c, const cpython *py)
{
    double serial = chapter_summary(c, MODE_SERIAL).wall_s.median;
    cpython_compare(py, "threads' time / serial time", chapter_summary(c, MODE_GIL_THREADS).wall_s.median / serial,
                    chapter_summary(c, MODE_CPYTHON_THREADS).wall_s.median /
                        chapter_summary(c, MODE_CPYTHON_SERIAL).wall_s.median,
                    chapter_summary(c, MODE_THREADS).wall_s.median / serial,
                    chapter_summary(c, MODE_FREE_THREADED_THREADS).wall_s.median /
                        chapter_summary(c, MODE_FREE_THREADED_SERIAL).wall_s.median);
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

    double job_seconds = cli_work_seconds(c.cli.scale) / c.cli.jobs;
    progress("calibrating: how many loop iterations make a %.3f s job here?", job_seconds);
    uint64_t iterations = calibrate_cpu_heavy(job_seconds);
    chapter_meta(&c, "iterations_per_job", "%llu", (unsigned long long)iterations);

    /* GIL hand-overs per rep, for the switching tax; the table shows the median. */
    double handover_counts[100];
    const pool_mode order[] = { MODE_SERIAL, MODE_GIL_THREADS, MODE_THREADS };
    for (int rep = 0; rep < c.cli.reps; rep++)
        for (int m = 0; m < 3; m++) {
            if (!chapter_wants(&c, order[m])) continue;
            gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
            chapter_run_mode(&c, order[m], c.cli.workers, rep, cpu_heavy_task, &iterations, c.cli.jobs, gil);
            /* The first take counts as a switch too: hand-overs are one fewer. */
            if (order[m] == MODE_GIL_THREADS) handover_counts[rep] = (double)gil_switches(gil) - 1;
            gil_destroy(gil);
        }
    unsigned long handovers[MODE_COUNT] = { 0 };
    if (chapter_wants(&c, MODE_GIL_THREADS))
        handovers[MODE_GIL_THREADS] = (unsigned long)stats_median(handover_counts, (size_t)c.cli.reps);

    /* Real CPython: the article's loop, serial and on threads; each job a sixth of a C
     * job's time, 3 reps or more. */
    cpython_run(&py, NULL, job_seconds * c.cli.jobs * py.reps / 2, "--modes serial,threads --jobs %d "
                "--workers %d --seconds %.4f", c.cli.jobs, c.cli.workers, job_seconds / 6);

    table(&c, handovers);
    verdict(&c);
    compare_with_cpython(&c, &py);
    cpython_close(&py);
    return chapter_finish(&c);
}
