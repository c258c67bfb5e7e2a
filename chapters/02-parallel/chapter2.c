/* chapter2.c — "In multithreading, threads run in parallel."
 *
 * The article's live_tracker: each job reads the clock in a tight loop and keeps
 * every reading. Plotted, GIL-threads take turns: one runs while the other waits.
 * Here each job also asks which core it is on, and runs of readings with no gap
 * become "running intervals". The timeline shows them for GIL-threads, C threads
 * and processes; the overlap fraction says how much of the time two or more jobs
 * were running at once.
 *
 * usage:  build/chapter2 [--jobs N] [--switch-interval MS] [--gap-us US] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/02-parallel/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "cpython.h"
#include "work.h"


typedef struct {
    uint64_t samples;   /* clock readings per job */
    int64_t gap_ns;     /* a longer pause between readings ends a running interval */
    tracker_log *logs;  /* one per job, in shared memory so forked jobs can write */
} tracker_job;

static int64_t track_job(void *ctx, int task)
{
    tracker_job *j = ctx;
    live_tracker(j->samples, j->gap_ns, &j->logs[task]);
    return (int64_t)j->logs[task].count;
}

/* Shared memory for one run's logs: `jobs` logs, each with room for `capacity` intervals. */
static tracker_log *new_logs(int jobs, size_t capacity)
{
    tracker_log *logs = pool_shared_alloc((size_t)jobs * sizeof *logs);
    for (int i = 0; i < jobs; i++) {
        logs[i].intervals = pool_shared_alloc(capacity * sizeof(run_interval));
        logs[i].capacity = capacity;
    }
    return logs;
}

static void free_logs(tracker_log *logs, int jobs)
{
    for (int i = 0; i < jobs; i++) pool_shared_free(logs[i].intervals, logs[i].capacity * sizeof(run_interval));
    pool_shared_free(logs, (size_t)jobs * sizeof *logs);
}

/* What one mode's run showed. */
typedef struct {
    pool_mode mode;
    const chapter_run *run;
    tracker_log *logs;
    double overlap;           /* share of the running time with >= 2 jobs running */
    double samples_per_s;     /* per job, over its whole start-to-end time */
    size_t intervals, dropped;
    double hold_median_ms;    /* GIL-threads only */
    size_t holds;
    double gaps_s;            /* GIL-threads only: the GIL free between two threads' turns */
    unsigned long handovers;
} tracked;

static void measure(tracked *t, int jobs)
{
    size_t total = 0;
    for (int i = 0; i < jobs; i++) total += t->logs[i].count;
    span *spans = xcalloc(total ? total : 1, sizeof *spans);
    size_t n = 0;
    double rate = 0;
    for (int i = 0; i < jobs; i++) {
        const tracker_log *log = &t->logs[i];
        for (size_t k = 0; k < log->count; k++)
            spans[n++] = (span){ ns_to_s(log->intervals[k].start_ns), ns_to_s(log->intervals[k].end_ns) };
        const task_record *r = &t->run->records[i];
        rate += (double)log->samples / ns_to_s(r->end_ns - r->start_ns);
        t->dropped += log->dropped;
    }
    double one, two;
    stats_coverage(spans, n, &one, &two);
    t->overlap = one > 0 ? two / one : 0;
    t->samples_per_s = rate / jobs;
    t->intervals = n;
    free(spans);
}

static void measure_holds(tracked *t, const gil_t *gil)
{
    size_t n;
    const gil_hold *holds = gil_holds(gil, &n);
    double *ms = xcalloc(n ? n : 1, sizeof *ms);
    for (size_t i = 0; i < n; i++) ms[i] = (double)(holds[i].end_ns - holds[i].start_ns) / 1e6;
    t->hold_median_ms = stats_median(ms, n);
    t->holds = n;
    t->gaps_s = ns_to_s(gil_handover_gap_ns(gil, &t->handovers));
    free(ms);
}

/* A CPython mode's last rep, measured from the intervals original.py reported. */
static bool measure_python(tracked *t, const chapter *c, const cpython *py, pool_mode mode)
{
    *t = (tracked){ .mode = mode };
    for (int i = 0; i < c->run_count; i++)
        if (c->runs[i]->mode == mode) t->run = c->runs[i];
    if (!t->run) return false;
    span *spans = xcalloc(py->span_count + 1, sizeof *spans);
    double *lengths = xcalloc(py->span_count + 1, sizeof *lengths);
    for (size_t k = 0; k < py->span_count; k++) {
        const cpython_span *s = &py->spans[k];
        if (s->mode != mode || s->rep != t->run->rep) continue;
        lengths[t->intervals] = 1000 * (s->end_s - s->start_s);
        spans[t->intervals++] = (span){ s->start_s, s->end_s };
    }
    double one, two;
    stats_coverage(spans, t->intervals, &one, &two);
    t->overlap = one > 0 ? two / one : 0;
    t->hold_median_ms = stats_median(lengths, t->intervals); /* its turns: as long as a GIL hold */
    for (int task = 0; task < t->run->ntasks; task++) {
        const task_record *r = &t->run->records[task];
        t->samples_per_s += (double)r->result / ns_to_s(r->end_ns - r->start_ns) / t->run->ntasks;
    }
    free(spans);
    free(lengths);
    return true;
}

/* How the emulation's turns and overlap compare with real CPython's. */
static void compare_with_cpython(chapter *c, const cpython *py, const tracked *gil, const tracked *python)
{
    const cpython_interpreter *in = cpython_for(py, MODE_CPYTHON_THREADS);
    if (!in || !gil || !python) return;
    report_text(c->report, "The GIL emulation against real CPython (%s): GIL-threads ran together %.1f%% of the time "
                "in turns of %.2f ms (median GIL hold); %s threads ran together %.1f%% of the time in turns of "
                "%.2f ms (median running interval).", in->name, 100 * gil->overlap, gil->hold_median_ms, in->label,
                100 * python->overlap, python->hold_median_ms);
}

/* intervals.csv: every running interval, for the timeline figure. */
static void write_intervals(chapter *c, const tracked *modes, int count, int jobs, const cpython *py)
{
    csv_writer w;
    chapter_open_csv(c, "intervals.csv", &w);
    const char *columns[] = { "mode", "rep", "task", "start_s", "end_s", "core" };
    csv_header(&w, columns, 6);
    for (int m = 0; m < count; m++)
        for (int i = 0; i < jobs; i++)
            for (size_t k = 0; k < modes[m].logs[i].count; k++) {
                const run_interval *iv = &modes[m].logs[i].intervals[k];
                csv_str(&w, pool_mode_name(modes[m].mode));
                csv_int(&w, modes[m].run->rep);
                csv_int(&w, i);
                csv_num(&w, run_seconds(modes[m].run, iv->start_ns), 6);
                csv_num(&w, run_seconds(modes[m].run, iv->end_ns), 6);
                csv_int(&w, iv->core);
                csv_end_row(&w);
            }
    for (size_t k = 0; k < py->span_count; k++) {
        const cpython_span *s = &py->spans[k];
        csv_str(&w, pool_mode_name(s->mode));
        csv_int(&w, s->rep);
        csv_int(&w, s->task);
        csv_num(&w, s->start_s, 6);
        csv_num(&w, s->end_s, 6);
        csv_int(&w, s->core);
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "intervals.csv");
}


static void table(chapter *c, const tracked *modes, int count)
{
    const char *columns[] = { "mode", "jobs", "wall s", "overlap", "running intervals", "samples/s per job" };
    report_table(c->report, "Who ran when, in the last round (overlap: share of the running time with 2 or more jobs "
                 "running; the verdict uses every round):", 6,
                 columns);
    for (int m = 0; m < count; m++) {
        const tracked *t = &modes[m];
        report_cell(c->report, "%s", pool_mode_label(t->mode));
        report_cell(c->report, "%d", t->run->ntasks);
        report_cell(c->report, "%.3f", ns_to_s(t->run->outcome.end_ns - t->run->outcome.start_ns));
        report_cell(c->report, "%.1f%%", 100 * t->overlap);
        report_cell(c->report, "%zu", t->intervals);
        report_cell(c->report, "%.1f M", t->samples_per_s / 1e6);
        report_end_row(c->report);
        if (t->dropped)
            report_text(c->report, "Warning: %zu %s intervals did not fit in memory and are missing from the figure.",
                        t->dropped, pool_mode_label(t->mode));
    }
}

static const tracked *find(const tracked *modes, int count, pool_mode mode)
{
    for (int m = 0; m < count; m++)
        if (modes[m].mode == mode) return &modes[m];
    return NULL;
}

/* A mode's overlap in every round, as a median with its interval. */
static estimate overlap_of(const tracked *all, int count, pool_mode mode)
{
    double overlaps[3 * CHAPTER_MAX_ROUNDS];
    size_t n = 0;
    for (int m = 0; m < count; m++)
        if (all[m].mode == mode) overlaps[n++] = all[m].overlap;
    return stats_estimate(overlaps, n);
}

/* TRUE when the whole interval is above half the time, FALSE when it is all below
 * 5 %, PARTLY TRUE when it lies all between, otherwise not distinguishable. */
static const char *parallel_call(estimate e)
{
    if (!stats_decides(e)) return stats_call_word(CALL_UNDECIDED);
    if (e.lo > 0.5) return "TRUE";
    if (e.hi < 0.05) return "FALSE";
    if (e.lo >= 0.05 && e.hi <= 0.5) return "PARTLY TRUE";
    return stats_call_word(CALL_UNDECIDED);
}

static void verdict(chapter *c, const tracked *shown, int shown_count, const tracked *all, int count)
{
    const tracked *gil = find(shown, shown_count, MODE_GIL_THREADS);
    if (gil)
        report_text(c->report, "GIL holds in the last round: %zu, median %.2f ms against a switch interval of %g ms: "
                    "each GIL-thread runs about one interval, then hands over. Between two threads' turns the GIL lay "
                    "free for %.2f ms in all (%lu hand-overs): %.1f %% of that run; the rest of the GIL-threads' time "
                    "went to running, one at a time.", gil->holds, gil->hold_median_ms, c->cli.switch_interval_ms,
                    1e3 * gil->gaps_s, gil->handovers,
                    100 * gil->gaps_s / ns_to_s(gil->run->outcome.end_ns - gil->run->outcome.start_ns));
    estimate g = overlap_of(all, count, MODE_GIL_THREADS), t = overlap_of(all, count, MODE_THREADS),
             p = overlap_of(all, count, MODE_PROCESSES);
    chapter_answer(c, "gil/together", g);
    chapter_answer(c, "threads/together", t);
    chapter_answer(c, "processes/together", p);
    char a[64], b[64], d[64];
    if (c->machine.cores < 2 || c->cli.jobs < 2) {
        report_verdict(c->report, "NOT TESTABLE here: with %d core%s and %d job%s no two jobs can run at once, in "
                       "any mode (processes overlapped %s of the time).", c->machine.cores,
                       c->machine.cores == 1 ? "" : "s", c->cli.jobs, c->cli.jobs == 1 ? "" : "s",
                       estimate_text(p, "%.2f", a, sizeof a));
        report_headline(c->report, "NOT TESTABLE here: with %d core%s and %d job%s no two jobs can run at once",
                        c->machine.cores, c->machine.cores == 1 ? "" : "s", c->cli.jobs, c->cli.jobs == 1 ? "" : "s");
        return;
    }
    char gil_part[200] = "", c_part[200] = "";
    if (g.n)
        snprintf(gil_part, sizeof gil_part, "%s for GIL-threads (share of the time running together: %s)",
                 parallel_call(g), estimate_text(g, "%.3f", a, sizeof a));
    if (t.n)
        snprintf(c_part, sizeof c_part, "%s%s for C threads (%s)", g.n ? ", " : "", parallel_call(t),
                 estimate_text(t, "%.3f", b, sizeof b));
    report_verdict(c->report, "%s%s on this machine; processes ran together %s of the time (TRUE: over half the "
                   "time, FALSE: under 5 %%, each over the whole interval).", gil_part, c_part,
                   estimate_text(p, "%.3f", d, sizeof d));
    char gil_short[80] = "", c_short[80] = "";
    if (g.n) snprintf(gil_short, sizeof gil_short, "%s for GIL-threads (together %.0f %% of the time)", parallel_call(g),
                      100 * g.median);
    if (t.n) snprintf(c_short, sizeof c_short, "%s%s for C threads (%.0f %%)", g.n ? ", " : "", parallel_call(t),
                      100 * t.median);
    report_headline(c->report, "%s%s; processes %.0f %%", gil_short, c_short, 100 * p.median);
}

/* Every round's tracked runs, and what they need. */
typedef struct {
    tracked runs[3 * CHAPTER_MAX_ROUNDS];
    int count, jobs;
    tracker_job job;
    size_t capacity;
    gil_t *gil; /* the last round's, for its holds */
} experiment;

/* One round: GIL-threads, C threads, processes, each tracking when its jobs ran. */
static void run_round(chapter *c, experiment *x, int rep)
{
    const pool_mode order[] = { MODE_GIL_THREADS, MODE_THREADS, MODE_PROCESSES };
    for (int m = 0; m < 3; m++) {
        if (!chapter_wants(c, order[m])) continue;
        tracked *t = &x->runs[x->count++];
        *t = (tracked){ .mode = order[m], .logs = new_logs(x->jobs, x->capacity) };
        x->job.logs = t->logs;
        if (order[m] == MODE_GIL_THREADS) {
            gil_destroy(x->gil); /* keep the holds of the last round only */
            x->gil = gil_create(c->cli.switch_interval_ms / 1000.0);
        }
        t->run = chapter_run_mode(c, order[m], c->cli.workers, rep, track_job, &x->job, x->jobs, x->gil);
        measure(t, x->jobs);
        if (order[m] == MODE_GIL_THREADS) measure_holds(t, x->gil);
    }
}

/* The last round of each mode, then CPython's: what the table shows. */
static int last_round(const chapter *c, const experiment *x, const cpython *py, tracked *shown)
{
    int per_round = x->count / (c->rounds ? c->rounds : 1), n = per_round;
    memcpy(shown, x->runs + x->count - per_round, (size_t)per_round * sizeof *shown);
    const pool_mode python_modes[] = { MODE_CPYTHON_THREADS, MODE_CPYTHON_PROCESSES, MODE_FREE_THREADED_THREADS,
                                       MODE_FREE_THREADED_PROCESSES };
    for (int m = 0; m < 4; m++) n += measure_python(&shown[n], c, py, python_modes[m]);
    return n;
}

/* How far the figure's time axes reach. */
static void figure_vars(chapter *c, const tracked *shown, int shown_count)
{
    double last_end = 0, python_end = 0;
    for (int m = 0; m < shown_count; m++)
        if (pool_mode_serial_of(shown[m].mode) == MODE_SERIAL)
            last_end = fmax(last_end, run_seconds(shown[m].run, shown[m].run->outcome.end_ns));
    for (int m = 0; m < shown_count; m++)
        if (pool_mode_serial_of(shown[m].mode) != MODE_SERIAL)
            python_end = fmax(python_end, run_seconds(shown[m].run, shown[m].run->outcome.end_ns));
    chapter_plot_var(c, "python_xmax", "%.6f", python_end);
    chapter_plot_var(c, "xmax", "%.6f", last_end);
    chapter_plot_var(c, "switch_ms", "%g", c->cli.switch_interval_ms);
    chapter_plot_var(c, "shown_rep", "%d", c->rounds > 0 ? c->rounds - 1 : 0); /* the table's round */
}

int main(int argc, char **argv)
{
    int gap_us = 50;
    const cli_extra extras[] = {
        { "--gap-us", "US", "a pause longer than this between clock readings ends a running interval", CLI_INT, 1,
          100000, &gap_us, NULL, NULL },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_JOBS | CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON,
                                   .extras = extras, .extra_count = 1 },
                  argc, argv);
    cpython py;
    cpython_open(&py, &c);

    /* Size the jobs: together they are the scale's amount of single-core work. */
    static experiment x; /* large: every round's runs */
    x.jobs = c.cli.jobs;
    double job_seconds = cli_work_seconds(c.cli.scale) / x.jobs;
    progress("calibrating: how many clock readings make a %.3f s job here?", job_seconds);
    x.job = (tracker_job){ calibrate_live_tracker(job_seconds), (int64_t)gap_us * 1000, NULL };
    chapter_meta(&c, "samples_per_job", "%llu", (unsigned long long)x.job.samples);
    chapter_meta(&c, "gap_us", "%d", gap_us);
    /* Room for an interval per switch interval of the whole run, and plenty more. */
    x.capacity = 65536 + (size_t)(4 * cli_work_seconds(c.cli.scale) / (c.cli.switch_interval_ms / 1000.0));

    for (int rep = -1; chapter_next_round(&c, &rep);) run_round(&c, &x, rep);

    /* Real CPython: the article's tracker on threads and processes, as many rounds, each
     * job a third of a C job's time. */
    py.reps = c.rounds;
    cpython_run(&py, NULL, 2 * job_seconds * x.jobs * py.reps, "--modes threads,processes --jobs %d --workers %d "
                "--seconds %.4f --gap-us %d", x.jobs, c.cli.workers, job_seconds / 3, gap_us);

    tracked shown[3 + 4];
    int shown_count = last_round(&c, &x, &py, shown);
    table(&c, shown, shown_count);
    verdict(&c, shown, shown_count, x.runs, x.count);
    compare_with_cpython(&c, &py, find(shown, shown_count, MODE_GIL_THREADS),
                         find(shown, shown_count, MODE_CPYTHON_THREADS));
    write_intervals(&c, x.runs, x.count, x.jobs, &py);
    figure_vars(&c, shown, shown_count);
    for (int m = 0; m < x.count; m++) free_logs(x.runs[m].logs, x.jobs);
    gil_destroy(x.gil);
    cpython_close(&py);
    return chapter_finish(&c);
}
