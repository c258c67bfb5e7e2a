/* chapter5.c — "Multiprocessing is bad for IO."
 *
 * The article fetched the same 16 pages with processes: 5.33 s serially, then
 * 1.27 s with 4 processes, 0.80 s with 8 and 0.56 s with 16 — nearly as good as
 * threads. Here the pages come from the local latency server again, fetched
 * serially, on 4, 8 and 16 threads and on 4, 8 and 16 forked processes.
 * Processes cost more to start; a second experiment measures how much, and how
 * that cost compares with the waiting as the pages get slower.
 *
 * usage:  build/chapter5 [--requests N] [--profile P] [--urls FILE] [--workers N] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/05-processes-io/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "iolab.h"


/* How much more a pool of processes costs than a pool of threads, at several latencies. */
static void startup_cost(chapter *c, iolab *lab, int workers)
{
    static const char *const profiles[] = { "uniform:0.02", "uniform:0.1", "uniform:0.25" };
    static const double latency[] = { 0.02, 0.1, 0.25 };
    const char *names[] = { "page latency s", "C threads s", "processes s", "extra s", "extra share",
                            "first request after s (threads / processes)" };
    report_table(c->report, "What processes cost to start (16 requests, one fresh pool each):", 6, names);
    csv_writer w;
    chapter_open_csv(c, "startup.csv", &w);
    const char *columns[] = { "latency_s", "threads_s", "processes_s", "threads_first_s", "processes_first_s" };
    csv_header(&w, columns, 5);
    for (int i = 0; i < 3; i++) {
        iolab_restart(lab, profiles[i]);
        double t_first, p_first;
        double t = iolab_time_once(lab, MODE_THREADS, workers, &t_first);
        double p = iolab_time_once(lab, MODE_PROCESSES, workers, &p_first);
        report_cell(c->report, "%.3f", latency[i]);
        report_cell(c->report, "%.3f", t);
        report_cell(c->report, "%.3f", p);
        report_cell(c->report, "%.4f", p - t);
        report_cell(c->report, "%.1f %%", 100 * (p - t) / p);
        report_cell(c->report, "%.4f / %.4f", t_first, p_first);
        report_end_row(c->report);
        csv_num(&w, latency[i], 3);
        csv_num(&w, t, 6);
        csv_num(&w, p, 6);
        csv_num(&w, t_first, 6);
        csv_num(&w, p_first, 6);
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "startup.csv");
}

static void verdict(chapter *c, const iolab *lab, int most)
{
    char parts[600] = "";
    iolab_verdict_part(lab, MODE_PROCESSES, most, parts, sizeof parts);
    if (chapter_summary(c, MODE_THREADS).ran) {
        char beside[300] = "";
        iolab_verdict_part(lab, MODE_THREADS, most, beside, sizeof beside);
        snprintf(parts + strlen(parts), sizeof parts - strlen(parts), " (beside them, %s)", beside);
    }
    report_verdict(c->report, "On this machine (useful means at least 1.5x faster than serial, over the whole "
                   "interval): %s; %d pages.", parts, lab->count);
    char short_parts[300] = "";
    iolab_headline_part(lab, MODE_PROCESSES, most, short_parts, sizeof short_parts);
    iolab_headline_part(lab, MODE_THREADS, most, short_parts, sizeof short_parts);
    report_headline(c->report, "%s, %d workers", short_parts, most);
}

/* The same pages with the most workers, wall times side by side (the pages are the
 * same, so the times compare directly): GIL-threads against CPython's threads (the
 * emulation), C processes against CPython's processes. */
static void compare_with_cpython(chapter *c, const cpython *py, int most)
{
    char what[120];
    snprintf(what, sizeof what, "seconds to fetch the pages with %d workers", most);
    cpython_agreement(py, what, "GIL-threads", chapter_summary_of(c, MODE_GIL_THREADS, most).wall,
                      MODE_CPYTHON_THREADS, chapter_summary_of(c, MODE_CPYTHON_THREADS, most).wall);
    cpython_agreement(py, what, "C processes", chapter_summary_of(c, MODE_PROCESSES, most).wall,
                      MODE_CPYTHON_PROCESSES, chapter_summary_of(c, MODE_CPYTHON_PROCESSES, most).wall);
    mode_summary p = chapter_summary_of(c, MODE_PROCESSES, most), q = chapter_summary_of(c, MODE_CPYTHON_PROCESSES, most);
    if (p.ran && q.ran && q.wall.lo > p.wall.hi && stats_decides(q.wall) && stats_decides(p.wall))
        report_text(c->report, "CPython's processes were slower over the whole interval: a CPython worker process "
                    "costs more to start (see the start-up table).");
}

int main(int argc, char **argv)
{
    iolab_flags flags = IOLAB_DEFAULTS;
    const cli_extra extras[] = { IOLAB_EXTRAS(flags, iolab_requests_by_scale, iolab_profiles_by_scale) };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_WORKERS | CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON,
                                   .extras = extras, .extra_count = IOLAB_EXTRA_COUNT },
                  argc, argv);
    cpython py;
    cpython_open(&py, &c);

    iolab lab;
    iolab_open(&lab, &c, &flags); /* the server starts before any thread exists */

    int sweep[3], sweep_count = iolab_worker_sweep(&c, sweep); /* 4, 8, 16, or --workers */
    int most = sweep[sweep_count - 1];

    gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
    chapter_decide_by(&c, pool_mode_name(MODE_PROCESSES), most, NULL, 0);
    int rounds = 0;
    for (int rep = -1; chapter_next_round(&c, &rep); rounds = rep + 1)
        iolab_sweep_round(&lab, rep, sweep, sweep_count, gil, true);
    gil_destroy(gil);
    /* Real CPython fetches the same pages on processes, and on threads with the most
     * workers to check the emulation, in 3 rounds at least (an interval), half the C
     * side's at most: its serial run is chapter 4's, and more would take this chapter
     * past 20 s. */
    py.reps = rounds / 2 > 3 ? rounds / 2 : 3;
    iolab_run_cpython(&lab, &py, "processes", sweep, sweep_count, NULL);
    iolab_run_cpython(&lab, &py, "threads", &most, 1, NULL);

    iolab_table(&lab, "Fetching the pages.");
    verdict(&c, &lab, most);
    compare_with_cpython(&c, &py, most);
    cpython_close(&py);
    iolab_write_figure_data(&lab, sweep, sweep_count, MODE_PROCESSES, sweep[sweep_count / 2]);
    if (lab.local && c.cli.scale != SCALE_TINY) startup_cost(&c, &lab, most);

    int status = chapter_finish(&c); /* data.csv takes the lab's fetch records */
    iolab_close(&lab);
    return status;
}
