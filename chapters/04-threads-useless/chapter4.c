/* chapter4.c — "Multithreading is useless."
 *
 * The article downloaded 16 web pages: serially 7.9 s, with 4 threads 2.5 s, 8
 * threads 1.1 s, 16 threads 0.62 s. Threads help when the work is waiting. Here the
 * pages come from the workbook's own latency server on 127.0.0.1 (no internet
 * needed, the same latency every run), fetched with libcurl: serially, then on
 * 4, 8 and 16 C threads and GIL-threads. A GIL-thread releases the GIL while it
 * waits for the network, as CPython does, so both kinds of threads should help.
 *
 * usage:  build/chapter4 [--requests N] [--profile P] [--urls FILE] [--workers N] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/04-threads-useless/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "iolab.h"


static void verdict(chapter *c, const iolab *lab, int most)
{
    char parts[600] = "";
    iolab_verdict_part(lab, MODE_GIL_THREADS, most, parts, sizeof parts);
    iolab_verdict_part(lab, MODE_THREADS, most, parts, sizeof parts);
    report_verdict(c->report, "On this machine (useful means at least 1.5x faster than serial, over the whole "
                   "interval): %s; %d pages.", parts, lab->count);
    char short_parts[300] = "";
    iolab_headline_part(lab, MODE_GIL_THREADS, most, short_parts, sizeof short_parts);
    iolab_headline_part(lab, MODE_THREADS, most, short_parts, sizeof short_parts);
    report_headline(c->report, "%s, %d workers", short_parts, most);
}

/* Speed-up over serial with the most threads, C and CPython side by side, paired per round. */
static void compare_with_cpython(const chapter *c, const cpython *py, int most)
{
    char what[80];
    snprintf(what, sizeof what, "serial time / %d threads' time", most);
    cpython_compare(py, what, stats_inverse(chapter_ratio(c, MODE_GIL_THREADS, most, MODE_SERIAL, 0)),
                    stats_inverse(chapter_ratio(c, MODE_CPYTHON_THREADS, most, MODE_CPYTHON_SERIAL, 0)),
                    stats_inverse(chapter_ratio(c, MODE_THREADS, most, MODE_SERIAL, 0)),
                    stats_inverse(chapter_ratio(c, MODE_FREE_THREADED_THREADS, most, MODE_FREE_THREADED_SERIAL, 0)));
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
    pool_mode decisive = chapter_wants(&c, MODE_GIL_THREADS) ? MODE_GIL_THREADS : MODE_THREADS;
    chapter_decide_by(&c, pool_mode_name(decisive), most, NULL, 0);
    int rounds = 0;
    for (int rep = -1; chapter_next_round(&c, &rep); rounds = rep + 1)
        iolab_sweep_round(&lab, rep, sweep, sweep_count, gil, false);
    gil_destroy(gil);
    /* Real CPython fetches the same pages with urllib: serially and on threads, as many rounds. */
    py.reps = rounds;
    iolab_run_cpython(&lab, &py, "serial,threads", sweep, sweep_count, NULL);

    iolab_table(&lab, "Fetching the pages.");
    if (lab.local && lab.profile.kind == PROFILE_ARTICLE)
        report_text(c.report, "With the article profile one page takes 10 s: no number of threads can finish "
                    "before it does, so the best case is the slowest page (ideal %.1f s).",
                    iolab_ideal_s(&lab, most));
    verdict(&c, &lab, most);
    compare_with_cpython(&c, &py, most);
    cpython_close(&py);
    /* The Gantt shows the middle worker count: with 8 workers, 16 requests go in two waves. */
    iolab_write_figure_data(&lab, sweep, sweep_count, chapter_wants(&c, MODE_THREADS) ? MODE_THREADS : MODE_GIL_THREADS,
                            sweep[sweep_count / 2]);
    int status = chapter_finish(&c); /* data.csv takes the lab's fetch records */
    iolab_close(&lab);
    return status;
}
