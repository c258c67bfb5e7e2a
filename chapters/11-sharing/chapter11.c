/* chapter11.c — "Without a GIL, threads are always faster": contention, false sharing
 * and lost updates.
 *
 * Threads add 1 to a count, many times; the total is fixed and split over 1, 2, ...,
 * 2 x cores threads. No GIL anywhere: these are plain C threads. The ways to count:
 *
 *   mutex          one shared counter behind a pthread mutex: the lock is the new GIL
 *   atomic         one shared counter, atomic_fetch_add: no lock, one cache line
 *                  bouncing between cores
 *   false sharing  a private counter per thread, side by side in one array: nothing
 *                  shared in the code, one cache line shared in the hardware
 *   padded         a private counter per thread, each on its own cache line; summed
 *                  at the end: the version that scales
 *   unsynchronised one shared counter, read, add, write (relaxed atomic load and
 *                  store: no undefined behaviour, sanitizers quiet): fast and wrong
 *   processes      a private counter per process: this experiment shares nothing
 *                  between them (mmap(MAP_SHARED) could)
 *
 * and serial, one thread, as the reference. Then real CPython, with its GIL on, runs
 * original.py: threads adding to one shared counter through a property, on a plain
 * attribute, and under a lock; it counts what the GIL did not protect. Every way runs in rounds; each time is
 * compared with the same way on one thread in the same round. The verdict says which
 * ways got slower with more threads, and how many updates the unsynchronised way lost.
 *
 * usage:  build/chapter11 [--scale S] [--reps N] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/11-sharing/reference/summary.md. */
#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "cpython.h"

#define MAX_THREADS 64
#define LINE 64 /* bytes in a cache line on x86-64 and most ARM cores; the run records the machine's */

typedef enum { WAY_SERIAL, WAY_MUTEX, WAY_ATOMIC, WAY_FALSE_SHARING, WAY_PADDED, WAY_UNSYNCHRONISED, WAY_PROCESSES,
               WAYS } way;
static const char *const way_keys[WAYS] = { "serial", "mutex", "atomic", "false-sharing", "padded", "unsynchronised",
                                            "processes" };
static const char *const way_labels[WAYS] = { "serial (one thread)", "mutex", "atomic add", "false sharing",
                                              "padded", "unsynchronised", "processes" };
/* Each way is a series (its runs on 1, 2, ... threads), compared with itself on one thread. */
static const unsigned way_colours[WAYS] = { 0x7f7f7f, 0xd62728, 0xff7f0e, 0x9467bd, 0x1f77b4, 0x8c564b, 0x2ca02c };

/* CPython's ways (original.py --way): each a series of cpython-threads runs. */
enum { PY_PROPERTY, PY_ATTRIBUTE, PY_LOCKED, PY_WAYS };
static const char *const py_ways[PY_WAYS] = { "property", "attribute", "locked" };
static const char *const py_labels[PY_WAYS] = { "CPython threads: += through a property",
                                                "CPython threads: += on an attribute",
                                                "CPython threads: += under a lock" };
static const unsigned py_colours[PY_WAYS] = { 0xe377c2, 0x17becf, 0xbcbd22 };

/* What each run carries beside its time: its additions per second, and for the
 * unsynchronised way the share of additions lost. */
enum { VALUE_RATE, VALUE_LOST };
static const char *const value_names[] = { "additions_per_s", "lost_pct" };

static void declare_ways(chapter *c)
{
    for (way how = WAY_SERIAL; how < WAYS; how++) {
        pool_mode mode = how == WAY_SERIAL ? MODE_SERIAL : how == WAY_PROCESSES ? MODE_PROCESSES : MODE_THREADS;
        chapter_series(c, way_keys[how], way_keys[how], NAN, way_labels[how], mode, NULL, 1, way_colours[how]);
    }
    for (int w = 0; w < PY_WAYS; w++) {
        char key[64];
        snprintf(key, sizeof key, "cpython-%s", py_ways[w]);
        chapter_series(c, key, key, NAN, py_labels[w], MODE_CPYTHON_THREADS, NULL, 1, py_colours[w]);
    }
    chapter_values(c, value_names, 2);
}

/* The shared state of one run. Each padded slot is a line of its own; the packed
 * slots share lines. */
typedef struct {
    alignas(LINE) atomic_llong value;
    char pad[LINE - sizeof(atomic_llong)];
} padded_slot;

typedef struct {
    way how;
    long long per_task;          /* additions per task */
    pthread_mutex_t lock;
    alignas(LINE) long long locked_counter;
    alignas(LINE) atomic_llong shared;          /* atomic and unsynchronised */
    alignas(LINE) atomic_llong packed[MAX_THREADS]; /* false sharing */
    padded_slot padded[MAX_THREADS];
} counting;

/* One task's additions; its result is what it counted (or 0 for the shared ways). */
static int64_t count_task(void *ctx, int task)
{
    counting *x = ctx;
    long long n = x->per_task;
    switch (x->how) {
    case WAY_MUTEX:
        for (long long i = 0; i < n; i++) {
            CHECK_PTHREAD(pthread_mutex_lock(&x->lock));
            x->locked_counter++;
            CHECK_PTHREAD(pthread_mutex_unlock(&x->lock));
        }
        return 0;
    case WAY_ATOMIC:
        for (long long i = 0; i < n; i++) atomic_fetch_add_explicit(&x->shared, 1, memory_order_relaxed);
        return 0;
    case WAY_UNSYNCHRONISED: /* read, add, write: another thread's write in between is lost */
        for (long long i = 0; i < n; i++)
            atomic_store_explicit(&x->shared, atomic_load_explicit(&x->shared, memory_order_relaxed) + 1,
                                  memory_order_relaxed);
        return 0;
    case WAY_FALSE_SHARING:
    case WAY_PADDED:
    case WAY_SERIAL:
    case WAY_PROCESSES: {
        /* A private counter, stored to memory at every addition (as a shared one would
         * be): only where it lives differs between the ways. */
        atomic_llong *mine = x->how == WAY_FALSE_SHARING ? &x->packed[task % MAX_THREADS]
                                                          : &x->padded[task % MAX_THREADS].value;
        for (long long i = 0; i < n; i++)
            atomic_store_explicit(mine, atomic_load_explicit(mine, memory_order_relaxed) + 1, memory_order_relaxed);
        return (int64_t)atomic_load_explicit(mine, memory_order_relaxed);
    }
    default:
        return 0;
    }
}

/* ---- one run ---- */

/* Run `how` on `threads` threads (or processes), kept as a run of its series with its
 * rate and, for the unsynchronised way, the share of additions lost. */
static void run_way(chapter *c, counting *x, way how, int threads, long long total, int rep)
{
    memset(x, 0, sizeof *x);
    CHECK_PTHREAD(pthread_mutex_init(&x->lock, NULL));
    x->how = how;
    int tasks = how == WAY_SERIAL ? 1 : threads;
    x->per_task = total / tasks;
    const chapter_run *run = chapter_run_series(c, way_keys[how], tasks, rep, count_task, x, tasks, NULL);
    CHECK_PTHREAD(pthread_mutex_destroy(&x->lock));
    long long expected = x->per_task * tasks, counted = 0;
    for (int t = 0; t < tasks; t++) counted += run->records[t].result;
    if (how == WAY_MUTEX) counted = x->locked_counter;
    if (how == WAY_ATOMIC || how == WAY_UNSYNCHRONISED) counted = atomic_load(&x->shared);
    if (how != WAY_UNSYNCHRONISED && counted != expected)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "%s on %d threads counted %lld, not %lld: the experiment is broken",
                     way_labels[how], threads, counted, expected);
    chapter_set_value(c, run, VALUE_RATE, (double)expected / run->time_s);
    if (how == WAY_UNSYNCHRONISED) chapter_set_value(c, run, VALUE_LOST, 100.0 * (double)(expected - counted) / (double)expected);
}

/* How many additions one thread of this way makes in `seconds` here, so that each
 * way's runs take about as long (the mutex's as long as the padded counter's). */
static long long calibrate(counting *x, way how, double seconds)
{
    for (long long n = 1 << 16;; n *= 4) {
        memset(x, 0, sizeof *x);
        CHECK_PTHREAD(pthread_mutex_init(&x->lock, NULL));
        x->how = how;
        x->per_task = n;
        int64_t t0 = now_ns();
        count_task(x, 0);
        double t = ns_to_s(now_ns() - t0);
        CHECK_PTHREAD(pthread_mutex_destroy(&x->lock));
        if (t > 0.005 || n > (1LL << 40)) return (long long)fmax(1024, (double)n * seconds / t);
    }
}

static void run_round(chapter *c, counting *x, const long long *totals, int most, int rep)
{
    run_way(c, x, WAY_SERIAL, 1, totals[WAY_SERIAL], rep);
    for (int k = 1; k <= most; k++)
        for (way how = WAY_MUTEX; how < WAYS; how++) run_way(c, x, how, k, totals[how], rep);
}

/* k threads' time / one thread's, the same way, paired within each round. */
static estimate vs_one(const chapter *c, way how, int k)
{
    return chapter_vs_reference(c, way_keys[how], k);
}

/* ---- the report ---- */

static void table(chapter *c, int most)
{
    const char *columns[] = { "way", "threads", "additions/s (95% CI)", "time / one thread's (95% CI)" };
    report_table(c->report, "The same additions split over more threads (median and 95% interval over rounds; "
                 "time compared with the same way on one thread, paired within each round):", 4, columns);
    for (way how = WAY_SERIAL; how < WAYS; how++)
        for (int k = 1; k <= (how == WAY_SERIAL ? 1 : most); k++) {
            char a[64], b[64];
            report_cell(c->report, "%s", way_labels[how]);
            report_cell(c->report, "%d", k);
            report_cell(c->report, "%s", estimate_text(chapter_value(c, way_keys[how], k, VALUE_RATE), "%.3g", a,
                                                       sizeof a));
            report_cell(c->report, "%s", k == 1 ? "1" : estimate_text(vs_one(c, how, k), "%.2fx", b, sizeof b));
            report_end_row(c->report);
        }
    const char *lost_columns[] = { "threads", "updates lost (95% CI)" };
    report_table(c->report, "The unsynchronised counter: the share of additions lost (read, add, write: another "
                 "thread's write in between is overwritten):", 2, lost_columns);
    for (int k = 1; k <= most; k++) {
        char a[64];
        report_cell(c->report, "%d", k);
        report_cell(c->report, "%s", estimate_text(chapter_value(c, way_keys[WAY_UNSYNCHRONISED], k, VALUE_LOST),
                                                   "%.1f%%", a, sizeof a));
        report_end_row(c->report);
    }
}

static void verdict(chapter *c, int cores)
{
    int k = cores >= 2 ? 2 : 1;
    /* Three groups, as every verdict: surely slower, surely not slower, and undecided. */
    char groups[3][400] = { "", "", "" }, a[64];
    for (way how = WAY_MUTEX; how < WAYS; how++) {
        estimate e = vs_one(c, how, k);
        three_way below = stats_below(e, 1.0);
        char *list = groups[below == CALL_FALSE ? 0 : below == CALL_TRUE ? 1 : 2];
        snprintf(list + strlen(list), sizeof groups[0] - strlen(list), "%s%s %s", *list ? ", " : "", way_labels[how],
                 estimate_text(e, "%.2fx", a, sizeof a));
    }
    estimate lost = chapter_value(c, way_keys[WAY_UNSYNCHRONISED], k, VALUE_LOST);
    chapter_answer(c, "mutex/one", vs_one(c, WAY_MUTEX, k));
    chapter_answer(c, "atomic/one", vs_one(c, WAY_ATOMIC, k));
    chapter_answer(c, "false-sharing/one", vs_one(c, WAY_FALSE_SHARING, k));
    chapter_answer(c, "lost", stats_scaled(lost, 0.01));
    three_way call = k < 2 ? CALL_UNDECIDED : *groups[0] ? CALL_FALSE : *groups[2] ? CALL_UNDECIDED : CALL_TRUE;
    report_verdict(c->report, "%s on this machine, with %d threads and no GIL: slower than one thread (time ratio "
                   "above 1 over the whole interval): %s; faster (below 1 over the whole interval): %s; "
                   "undecided: %s. The unsynchronised counter lost %.1f %% (%.1f-%.1f %%) of its updates: fast is "
                   "not the same as right.", stats_call_word(call), k, *groups[0] ? groups[0] : "none",
                   *groups[1] ? groups[1] : "none", *groups[2] ? groups[2] : "none", lost.median, lost.lo, lost.hi);
    report_headline(c->report, "%s, %d threads, no GIL: mutex %.2fx one thread's time, atomic %.2fx, false sharing "
                    "%.2fx; unsynchronised: %.0f %% lost", stats_call_word(call), k,
                    vs_one(c, WAY_MUTEX, k).median, vs_one(c, WAY_ATOMIC, k).median,
                    vs_one(c, WAY_FALSE_SHARING, k).median, lost.median);
}

/* ---- real CPython ---- */

/* Its runs' series: the way original.py was asked for (ctx). */
static void name_python_way(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx, char *key,
                            size_t size)
{
    (void)mode, (void)workers, (void)ntasks, (void)records;
    snprintf(key, size, "cpython-%s", py_ways[*(const int *)ctx]);
}

/* Each CPython run's rate and lost share: every task reported the counter's final value. */
static void count_python_losses(chapter *c, int way_index, long long additions)
{
    char key[64];
    snprintf(key, sizeof key, "cpython-%s", py_ways[way_index]);
    int series = series_find(&c->series, key);
    for (int i = 0; i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->series != series || run->ntasks < 1) continue;
        long long expected = additions / run->ntasks * run->ntasks, counted = run->records[0].result;
        if (way_index == PY_LOCKED && counted != expected)
            chapter_fail(c, EXIT_EXPERIMENT_FAILED, "CPython's locked counter on %d threads counted %lld, not %lld: "
                         "the experiment is broken", run->ntasks, counted, expected);
        chapter_set_value(c, run, VALUE_RATE, (double)expected / run->time_s);
        chapter_set_value(c, run, VALUE_LOST, 100.0 * (double)(expected - counted) / (double)expected);
    }
}

/* original.py once per way, on 1 and 2 threads (more threads only share one GIL),
 * as many rounds as the C side ran. */
static void run_python(chapter *c, cpython *py, int rounds)
{
    static int way_index;
    py->name_series = name_python_way;
    py->name_ctx = &way_index;
    py->reps = rounds < 6 ? rounds : 6; /* 6: the fewest values whose interval reaches 95 % (stats.h) */
    /* In all, about a tenth of a second of additions at class scale: some twenty switch
     * intervals of 5 ms per run on 2 threads, each a chance to lose a turn's work. */
    long long additions = (long long)(1.2e6 * cli_work_seconds(c->cli.scale));
    for (way_index = 0; way_index < PY_WAYS; way_index++) {
        cpython_run(py, NULL, 2.0 * py->reps, "--modes threads --workers 1,2 --way %s --additions %lld",
                    py_ways[way_index], additions);
        count_python_losses(c, way_index, additions);
    }
}

/* CPython's lost updates beside C's: the GIL does not make += atomic. */
static void python_table(chapter *c, const cpython *py)
{
    bool ran = cpython_for(py, MODE_CPYTHON_THREADS) != NULL;
    chapter_plot_var(c, "python_ran", "%d", ran); /* the figure draws its lost updates */
    if (!ran) return;
    const char *columns[] = { "way (GIL on)", "threads", "updates lost (95% CI)", "time / one thread's (95% CI)" };
    report_table(c->report, "Real CPython with its GIL: threads adding 1 to one shared counter (original.py: "
                 "counter.value += 1 through a property, counter.n += 1 on a plain attribute, and the property "
                 "under a lock):", 4, columns);
    for (int w = 0; w < PY_WAYS; w++) {
        char key[64];
        snprintf(key, sizeof key, "cpython-%s", py_ways[w]);
        for (int k = 1; k <= 2; k++) {
            char a[64], b[64];
            report_cell(c->report, "%s", py_labels[w]);
            report_cell(c->report, "%d", k);
            report_cell(c->report, "%s", estimate_text(chapter_value(c, key, k, VALUE_LOST), "%.1f%%", a, sizeof a));
            report_cell(c->report, "%s", k == 1 ? "1" : estimate_text(chapter_vs_reference(c, key, k), "%.2fx", b,
                                                                          sizeof b));
            report_end_row(c->report);
        }
    }
    estimate lost = chapter_value(c, "cpython-property", 2, VALUE_LOST),
             c_lost = chapter_value(c, way_keys[WAY_UNSYNCHRONISED], 2, VALUE_LOST);
    chapter_answer(c, "cpython-lost", stats_scaled(lost, 0.01));
    char a[64], b[64];
    report_text(c->report, "With the GIL on, 2 CPython threads adding through a property lost %s of their updates, "
                "against real CPython's lock, which lost none; C's unsynchronised counter lost %s on 2 threads. "
                "The GIL keeps one bytecode instruction whole, not a read, an add and a write: races were never a "
                "free-threading problem, and without the GIL threads run at once and meet them more often.",
                estimate_text(lost, "%.1f%%", a, sizeof a), estimate_text(c_lost, "%.1f%%", b, sizeof b));
    if (py->count > 1)
        report_text(c->report, "A free-threaded CPython (%s) is on this machine; this chapter runs only %s.",
                    py->interpreters[1].name, py->interpreters[0].name);
}

int main(int argc, char **argv)
{
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY, (chapter_flags){ .honours = CLI_PYTHON | CLI_SWITCH_INTERVAL }, argc, argv);
    cpython py;
    cpython_open(&py, &c);
    int cores = c.machine.cores, most = 2 * cores < MAX_THREADS ? 2 * cores : MAX_THREADS;
    long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
    chapter_meta(&c, "cache_line_bytes", "%ld (padding used: %d)", line > 0 ? line : -1, LINE);
    declare_ways(&c);

    /* Each way's total: as many additions as one thread does in the scale's time. */
    static counting x;
    long long totals[WAYS];
    double seconds = cli_work_seconds(c.cli.scale) / 12;
    for (way how = WAY_SERIAL; how < WAYS; how++) {
        totals[how] = calibrate(&x, how == WAY_PROCESSES ? WAY_PADDED : how, seconds);
        chapter_meta(&c, "additions", "%s: %lld", way_keys[how], totals[how]);
    }

    chapter_decide_by(&c, way_keys[WAY_ATOMIC], cores >= 2 ? 2 : 1, NULL, 0);
    int rounds = 0;
    for (int rep = -1; chapter_next_round(&c, &rep); rounds = rep + 1) run_round(&c, &x, totals, most, rep);
    run_python(&c, &py, rounds);

    table(&c, most);
    python_table(&c, &py);
    report_text(c.report, "Cache-line traffic is not counted here (that would take the processor's hardware "
                "counters, through perf); the times show what it costs.");
    verdict(&c, cores);
    chapter_plot_var(&c, "most", "%d", most);
    cpython_close(&py);
    return chapter_finish(&c);
}
