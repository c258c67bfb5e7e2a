/* chapter8.c — "You need threads (or processes) for concurrent I/O."
 *
 * Beyond the article: Python's asyncio fetches many pages at once from a single
 * thread. Its C counterpart is an event loop — here libcurl's multi interface,
 * which starts all 16 transfers and then waits on all their sockets together.
 * The same 16 pages are fetched serially, by the event loop on one thread, and
 * by 16 threads and 16 processes; the summary compares time, threads and memory.
 * Real CPython (original.py) does the same serially, on 16 threads and with asyncio.
 *
 * usage:  build/chapter8 [--requests N] [--profile P] [--urls FILE] [--workers N] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/08-event-loop/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "cpython.h"
#include "iolab.h"


/* Last run of each mode: how many threads and processes it took, and their memory. */
static void resources(chapter *c, const iolab *lab)
{
    const char *names[] = { "mode", "threads fetching", "processes", "memory MiB", "wall s" };
    report_table(c->report, "What each way of waiting costs (the last round):", 5, names);
    csv_writer w;
    chapter_open_csv(c, "memory.csv", &w);
    const char *columns[] = { "mode", "label", "threads", "processes", "memory_kib", "wall_s" };
    csv_header(&w, columns, 6);
    for (pool_mode mode = 0; mode < MODE_COUNT; mode++) {
        const iolab_run_record *last = NULL;
        for (int r = 0; r < lab->run_count; r++)
            if (lab->runs[r].run->mode == mode) last = &lab->runs[r];
        if (!last) continue;
        int threads = iolab_threads_used(last, lab->count), processes = iolab_processes_used(last, lab->count);
        long kib = iolab_memory_kib(last, lab->count);
        double wall = iolab_wall_s(lab, mode, 0);
        report_cell(c->report, "%s", pool_mode_label(mode));
        report_cell(c->report, "%d", threads);
        report_cell(c->report, "%d", processes);
        report_cell(c->report, "%.1f", (double)kib / 1024);
        report_cell(c->report, "%.3f", wall);
        report_end_row(c->report);
        csv_str(&w, pool_mode_name(mode));
        csv_str(&w, pool_mode_label(mode));
        csv_int(&w, threads);
        csv_int(&w, processes);
        csv_int(&w, kib);
        csv_num(&w, wall, 6);
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "memory.csv");
}

/* The claim is FALSE when one thread with an event loop is useful (under 1/1.5 of the
 * serial time) and keeps up with the many workers (under 1.1x their time), each over
 * the whole interval; TRUE when the event loop is not useful; otherwise undecided. */
#define KEEPS_UP_BELOW 1.1

static void verdict(chapter *c, const iolab *lab, int workers)
{
    pool_mode rival = chapter_summary(c, MODE_THREADS).ran ? MODE_THREADS : MODE_PROCESSES;
    estimate useful = chapter_ratio(c, MODE_EVENT_LOOP, 0, MODE_SERIAL, 0);
    estimate keeps_up = chapter_ratio(c, MODE_EVENT_LOOP, 0, rival, workers);
    three_way is_useful = stats_below(useful, IOLAB_USEFUL_BELOW), is_close = stats_below(keeps_up, KEEPS_UP_BELOW);
    int failed = iolab_failed_requests(lab, MODE_EVENT_LOOP, 0) + iolab_failed_requests(lab, MODE_SERIAL, 0) +
                 iolab_failed_requests(lab, rival, workers);
    if (failed) is_useful = CALL_UNDECIDED; /* no speed from failed work */
    three_way call = is_useful == CALL_FALSE                              ? CALL_TRUE
                     : is_useful == CALL_TRUE && is_close == CALL_TRUE    ? CALL_FALSE
                     : is_useful == CALL_TRUE && is_close == CALL_FALSE   ? CALL_TRUE
                                                                          : CALL_UNDECIDED;
    char a[64], b[64];
    report_verdict(c->report, "%s on this machine: one thread with an event loop fetched %d pages %s faster than "
                   "serial code, in %s the time of %d %s (useful: at least 1.5x faster than serial; keeping up: "
                   "under 1.1x the workers' time; each over the whole interval).", stats_call_word(call), lab->count,
                   estimate_text(stats_inverse(useful), "%.2fx", a, sizeof a),
                   estimate_text(keeps_up, "%.2fx", b, sizeof b), workers, pool_mode_label(rival));
    if (failed) report_verdict_append(c->report, " %d requests failed: nothing is decided from them.", failed);
    report_headline(c->report, "%s: one thread with an event loop, %.1fx serial's speed, took %.2fx the time of %d %s",
                    stats_call_word(call), useful.median > 0 ? 1 / useful.median : 0, keeps_up.median, workers,
                    pool_mode_label(rival));
}

/* Real CPython: serially, on as many threads as the C workers, and asyncio with
 * every request in flight on one thread. */
static void run_python(cpython *py, iolab *lab, int workers, int rounds)
{
    py->first_only = true; /* asyncio is one thread in either build: python3 alone */
    py->reps = rounds / 2 > 3 ? rounds / 2 : 3;
    iolab_run_cpython(lab, py, "serial,threads,asyncio", &workers, 1, NULL);
}

/* The C event loop against the C threads, beside asyncio against CPython's threads. */
static void compare_with_python(chapter *c, int workers)
{
    estimate loop = chapter_ratio(c, MODE_EVENT_LOOP, 0, MODE_THREADS, workers),
             python = chapter_ratio(c, MODE_CPYTHON_ASYNCIO, 0, MODE_CPYTHON_THREADS, workers);
    char a[64], b[64];
    if (python.n)
        report_text(c->report, "The C event loop took %s the time of %d C threads, against real CPython's asyncio, "
                    "%s the time of %d CPython threads (each a median and interval over rounds).",
                    estimate_text(loop, "%.2fx", a, sizeof a), workers, estimate_text(python, "%.2fx", b, sizeof b),
                    workers);
}

/* One round: serial, the event loop, then the workers. */
static void run_round(iolab *lab, int rep, int workers, gil_t *gil)
{
    iolab_run(lab, MODE_SERIAL, 1, rep, NULL);
    iolab_run_event_loop(lab, rep);
    if (chapter_wants(lab->chapter, MODE_GIL_THREADS)) iolab_run(lab, MODE_GIL_THREADS, workers, rep, gil);
    if (chapter_wants(lab->chapter, MODE_THREADS)) iolab_run(lab, MODE_THREADS, workers, rep, NULL);
    iolab_run(lab, MODE_PROCESSES, workers, rep, NULL);
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
    cpython_open(&py, &c); /* a bad --python stops here, before anything runs */
    iolab lab;
    iolab_open(&lab, &c, &flags); /* the server starts before any thread exists */
    int workers = c.cli.workers_set ? c.cli.workers : lab.count; /* one worker per request */

    gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
    chapter_decide_by(&c, pool_mode_name(MODE_EVENT_LOOP), 0, NULL, 0);
    int rounds = 0;
    for (int rep = -1; chapter_next_round(&c, &rep); rounds = rep + 1) run_round(&lab, rep, workers, gil);
    gil_destroy(gil);

    run_python(&py, &lab, workers, rounds);
    cpython_close(&py);
    iolab_table(&lab, "Fetching the pages.");
    compare_with_python(&c, workers);
    resources(&c, &lab);
    report_text(c.report, "The event loop is one thread: while its requests wait, it waits on all their sockets "
                "at once (curl_multi_poll), so it needs no thread, stack or process per request.");
    verdict(&c, &lab, workers);
    iolab_write_figure_data(&lab, &workers, 1, MODE_EVENT_LOOP, 1);

    int status = chapter_finish(&c); /* data.csv takes the lab's fetch records */
    iolab_close(&lab);
    return status;
}
