/* chapter7.c — the article's rules of thumb: n_processes = n_cores for CPU work,
 * n_threads = m x n_cores for I/O work.
 *
 * The article states them without a measurement. Here two sweeps look for the best
 * count on this machine: (a) one CPU workload on 1 .. 3 x cores processes; (b) 128
 * requests of 0.05 s to the local latency server, each followed by 1 ms of CPU
 * work ("parse the body"), on m x cores C threads and GIL-threads for m = 1, 2, 4,
 * 8, 16, 32. ThreadPoolExecutor's default, min(32, cores + 4), is marked.
 *
 * usage:  build/chapter7 [--requests N] [--profile P] [--cpu-ms MS] ...
 *
 * sample output (2 cores, class scale):
 *   (a) best: 2 processes (= cores)
 *   (b) best: 64 C threads (m = 32), 64 GIL-threads (m = 32, within 5 % of m = 16)
 *   VERDICT: MEASURED on this machine: ... */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "iolab.h"
#include "work.h"


static const int multipliers[] = { 1, 2, 4, 8, 16, 32 };
#define MULTIPLIERS 6

/* The worker count with the lowest median time, among the runs of `mode`; counts
 * within 5 % of it are "about as good", and the smallest of those is reported too. */
static int best_workers(const chapter *c, pool_mode mode, const int *counts, int n, int *smallest_good)
{
    int best = counts[0];
    for (int i = 1; i < n; i++)
        if (chapter_summary_of(c, mode, counts[i]).wall_s.median < chapter_summary_of(c, mode, best).wall_s.median)
            best = counts[i];
    double best_s = chapter_summary_of(c, mode, best).wall_s.median;
    *smallest_good = best;
    for (int i = 0; i < n; i++)
        if (chapter_summary_of(c, mode, counts[i]).wall_s.median <= 1.05 * best_s) {
            *smallest_good = counts[i];
            break;
        }
    return best;
}

static void cpu_sweep(chapter *c, int *counts, int n)
{
    double work_s = cli_work_seconds(c->cli.scale) / 2;
    int tasks = 60 * c->machine.cores; /* fine-grained, so every count gets an even share */
    uint64_t iterations = calibrate_cpu_heavy(work_s / tasks);
    chapter_meta(c, "cpu_tasks", "%d", tasks);
    for (int rep = 0; rep < c->cli.reps; rep++)
        for (int i = 0; i < n; i++)
            chapter_run_mode(c, MODE_PROCESSES, counts[i], rep, cpu_heavy_task, &iterations, tasks, NULL);
    const char *names[] = { "processes", "wall s", "vs 1 process" };
    report_table(c->report, "(a) One CPU workload on n processes (median over reps):", 3, names);
    double one = chapter_summary_of(c, MODE_PROCESSES, 1).wall_s.median;
    for (int i = 0; i < n; i++) {
        double t = chapter_summary_of(c, MODE_PROCESSES, counts[i]).wall_s.median;
        report_cell(c->report, "%d%s", counts[i], counts[i] == c->machine.cores ? " (= cores)" : "");
        report_cell(c->report, "%.3f", t);
        report_cell(c->report, "%.2fx", one / t);
        report_end_row(c->report);
    }
}

static void io_table(chapter *c, const int *counts)
{
    const char *names[] = { "m", "threads", "C threads s", "GIL-threads s" };
    report_table(c->report, "(b) Requests with a CPU part on m x cores threads (median over reps):", 4, names);
    for (int i = 0; i < MULTIPLIERS; i++) {
        mode_summary t = chapter_summary_of(c, MODE_THREADS, counts[i]);
        mode_summary g = chapter_summary_of(c, MODE_GIL_THREADS, counts[i]);
        report_cell(c->report, "%d", multipliers[i]);
        report_cell(c->report, "%d", counts[i]);
        report_cell(c->report, t.ran ? "%.3f" : "-", t.wall_s.median);
        report_cell(c->report, g.ran ? "%.3f" : "-", g.wall_s.median);
        report_end_row(c->report);
    }
}

int main(int argc, char **argv)
{
    static const char default_profile[] = "uniform:0.05";
    iolab_flags flags = { 128, default_profile, NULL };
    double cpu_ms = 1.0;
    const cli_extra extras[] = {
        IOLAB_EXTRAS(flags),
        { "--cpu-ms", "MS", "CPU work after each request, in ms (default 1)", CLI_NUMBER, 0, 1000, &cpu_ms },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_NUMBER, CHAPTER_CLAIM, extras, IOLAB_EXTRA_COUNT + 1, argc, argv);
    if (c.cli.scale == SCALE_TINY) { /* a test run: fewer, shorter requests unless told otherwise */
        if (flags.requests == 128) flags.requests = 16;
        if (flags.profile == default_profile) flags.profile = "uniform:0.01";
    }
    int cores = c.machine.cores;

    iolab lab;
    iolab_open(&lab, &c, &flags); /* the server starts before any thread exists */
    lab.parse_iterations = cpu_ms > 0 ? calibrate_cpu_heavy(cpu_ms / 1000) : 0;
    chapter_meta(&c, "cpu_ms_per_request", "%g", cpu_ms);

    /* (a) n_processes: 1 .. 3 x cores */
    int process_counts[3 * 256], process_n = 3 * cores < 3 * 256 ? 3 * cores : 3 * 256;
    for (int i = 0; i < process_n; i++) process_counts[i] = i + 1;
    cpu_sweep(&c, process_counts, process_n);

    /* (b) n_threads = m x cores */
    int thread_counts[MULTIPLIERS];
    for (int i = 0; i < MULTIPLIERS; i++) thread_counts[i] = multipliers[i] * cores;
    gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
    for (int rep = 0; rep < c.cli.reps; rep++)
        for (int i = 0; i < MULTIPLIERS; i++) {
            if (chapter_wants(&c, MODE_THREADS)) iolab_run(&lab, MODE_THREADS, thread_counts[i], rep, NULL);
            if (chapter_wants(&c, MODE_GIL_THREADS)) iolab_run(&lab, MODE_GIL_THREADS, thread_counts[i], rep, gil);
        }
    gil_destroy(gil);
    io_table(&c, thread_counts);

    /* What the sweeps recommend. */
    int good_n, best_n = best_workers(&c, MODE_PROCESSES, process_counts, process_n, &good_n);
    char io_part[300] = "";
    for (pool_mode mode = MODE_GIL_THREADS; mode <= MODE_THREADS; mode++) {
        if (!chapter_wants(&c, mode)) continue;
        int good, best = best_workers(&c, mode, thread_counts, MULTIPLIERS, &good);
        snprintf(io_part + strlen(io_part), sizeof io_part - strlen(io_part), "%s%s: %d threads (m = %d; m = %d "
                 "within 5 %%)", *io_part ? "; " : "", pool_mode_label(mode), best, best / cores, good / cores);
    }
    int executor_default = cores + 4 < 32 ? cores + 4 : 32;
    report_text(c.report, "ThreadPoolExecutor's default would use %d threads here (min(32, cores + 4)).",
                executor_default);
    if (lab.local && lab.profile.kind == PROFILE_UNIFORM && cpu_ms > 0) {
        double wait = lab.profile.seconds, work = cpu_ms / 1000;
        report_text(c.report, "Each request waits %.3f s and then computes %.2f ms: a thread is busy %.1f %% of its "
                    "time, so one core can keep about %.0f such threads going before the CPU part becomes the limit "
                    "(GIL-threads share one core's worth between them all).", wait, cpu_ms,
                    100 * work / (wait + work), (wait + work) / work);
    }
    report_verdict(c.report, "MEASURED on this machine: for CPU work the best was %d processes (%d within 5 %%; "
                   "cores = %d); for this I/O, %s.", best_n, good_n, cores, io_part);

    chapter_plot_var(&c, "executor_default", "%d", executor_default);
    chapter_plot_var(&c, "most_processes", "%d", process_n);
    chapter_plot_string(&c, "note", "%d cores (%s), scale %s, %d requests of %s + %g ms CPU each", cores,
                     c.machine.cpu_model, cli_scale_name(c.cli.scale), lab.count,
                     lab.local ? lab.profile_text : "real URLs", cpu_ms);
    int status = chapter_finish(&c); /* data.csv takes the lab's fetch records */
    iolab_close(&lab);
    return status;
}
