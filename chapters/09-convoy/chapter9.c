/* chapter9.c — "Threads are fine for I/O, even in Python": the convoy effect.
 *
 * One I/O thread makes short request/response round trips with an echo peer in
 * another process (one byte each way over a Unix socket pair), for a fixed window.
 * Like CPython's socket calls, it releases the GIL around each send() and recv()
 * (Py_BEGIN_ALLOW_THREADS) and takes it back after. It runs alone, then beside
 * CPU-bound threads of several kinds:
 *
 *   alone               no other thread
 *   1 CPU GIL-thread    one CPU-bound GIL-thread beside it (and the same at switch
 *                       intervals of 0.1, 1 and 20 ms: the sweep)
 *   N CPU GIL-threads   one per core
 *   N CPU C threads     no GIL at all (the I/O thread is a C thread too)
 *   N CPU processes     the CPU work in other processes; the I/O thread alone under its GIL
 *
 * Each time the I/O thread returns from send() or recv() it must get the GIL back,
 * and a CPU-bound holder lets go only when asked, after a switch interval: up to
 * two intervals per round trip (CPython's Python/ceval_gil.c, take_gil()). The configurations run in
 * rounds; the verdict is the slowdown beside one CPU GIL-thread, paired per round.
 *
 * usage:  build/chapter9 [--window-ms MS] [--switch-interval MS] [--python PATH] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/09-convoy/reference/summary.md. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "child.h"
#include "clock.h"
#include "cpython.h"

/* "Fine for I/O" means the I/O thread keeps more than 2/3 of its speed: slowed by
 * less than 1.5x. */
#define FINE_BELOW 1.5
#define LATENCY_CAPACITY 200000

typedef enum { BESIDE_NOTHING, BESIDE_GIL_THREADS, BESIDE_C_THREADS, BESIDE_PROCESSES } neighbour;

/* What runs beside the I/O thread: each a family of series, compared with "alone" in
 * the same round. Its time is the I/O thread's seconds per round trip. */
typedef struct {
    const char *family, *label;
    neighbour beside;
    int cpu;         /* CPU-bound threads or processes beside the I/O thread (-1: one per core) */
    unsigned colour;
} neighbourhood;

static const neighbourhood neighbourhoods[] = {
    { "alone", "alone", BESIDE_NOTHING, 0, 0x7f7f7f },
    { "gil1", "beside 1 CPU GIL-thread", BESIDE_GIL_THREADS, 1, 0xd62728 },
    { "giln", "beside a CPU GIL-thread per core", BESIDE_GIL_THREADS, -1, 0x7f0000 },
    { "cthreads", "beside a CPU C thread per core (no GIL)", BESIDE_C_THREADS, -1, 0x1f77b4 },
    { "cpu-processes", "beside a CPU process per core", BESIDE_PROCESSES, -1, 0x2ca02c },
};
#define NEIGHBOURHOODS (int)(sizeof neighbourhoods / sizeof *neighbourhoods)
enum { ALONE, GIL1, GILN, CTHREADS, CPU_PROCESSES };

/* The sweep beside one CPU GIL-thread: these switch intervals, and the chapter's. */
static const double sweep_ms[] = { 0.1, 1, 20 };
#define SWEEP (int)(sizeof sweep_ms / sizeof *sweep_ms)

/* One measurement: a neighbourhood at a switch interval. */
typedef struct {
    char key[48];
    const neighbourhood *n;
    double interval_ms;
} config;

static config configs[NEIGHBOURHOODS + SWEEP];
static int config_count;

enum { VALUE_RATE };
static const char *const value_names[] = { "round_trips_per_s" };

/* The sweep's intervals and the chapter's, each once, in increasing order (the
 * figure's line runs through modes.csv's rows in their order). Returns the count. */
static int sweep_points(double chapter_ms, double *points)
{
    int count = 0;
    bool placed = false;
    for (int k = 0; k < SWEEP; k++) {
        if (!placed && chapter_ms <= sweep_ms[k]) {
            points[count++] = chapter_ms;
            placed = true;
        }
        if (sweep_ms[k] != chapter_ms) points[count++] = sweep_ms[k];
    }
    if (!placed) points[count++] = chapter_ms;
    return count;
}

/* gil1 at the chapter's interval and at each sweep interval (once each, in order). */
static void declare_configs(chapter *c)
{
    double chapter_ms = c->cli.switch_interval_ms;
    for (int i = 0; i < NEIGHBOURHOODS; i++) {
        const neighbourhood *n = &neighbourhoods[i];
        double points[SWEEP + 1];
        int count = i == GIL1 ? sweep_points(chapter_ms, points) : 1;
        if (i != GIL1) points[0] = chapter_ms;
        for (int k = 0; k < count; k++) {
            config *k_ = &configs[config_count++];
            *k_ = (config){ .n = n, .interval_ms = points[k] };
            if (i == GIL1) series_key(k_->key, sizeof k_->key, n->family, points[k], "ms");
            else snprintf(k_->key, sizeof k_->key, "%s", n->family);
            chapter_series(c, k_->key, n->family, i == GIL1 ? points[k] : NAN, n->label,
                           n->beside == BESIDE_C_THREADS ? MODE_THREADS : MODE_GIL_THREADS, "alone", 0, n->colour);
        }
    }
    chapter_values(c, value_names, 1);
    chapter_meta(c, "time_is", "the I/O thread's seconds per round trip");
}

/* ---- the echo peer: another process, so it shares no GIL with us ---- */

static void echo_forever(void *arg)
{
    const int *pair = arg;
    close(pair[0]); /* our end: or the peer would keep it open, and never see end of file */
    int fd = pair[1];
    char byte;
    while (recv(fd, &byte, 1, 0) == 1 && send(fd, &byte, 1, MSG_NOSIGNAL) == 1) {
    }
    _exit(0);
}

static child_process start_echo_peer(const chapter *c, int *our_end)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "socketpair: %s", strerror(errno));
    child_options options = CHILD_OPTIONS_DEFAULT;
    child_process peer;
    if (child_start(&peer, &options, echo_forever, pair) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot start the echo peer: %s", strerror(errno));
    close(pair[1]);
    *our_end = pair[0];
    return peer;
}

/* ---- the tasks: task 0 is the I/O thread, the others burn CPU until it is done ---- */

typedef struct {
    int fd;
    int64_t window_ns;
    atomic_int stop;
    int64_t *latency_ns; /* of the current run */
    size_t latencies;
} convoy;

/* Round trips for one window; each send and recv releases the GIL, as CPython's
 * socket methods do. Returns how many, or -1 if the peer stopped answering. */
static int64_t io_thread(convoy *x)
{
    char byte = 'x';
    int64_t end = now_ns() + x->window_ns, trips = 0;
    x->latencies = 0;
    while (now_ns() < end) {
        int64_t t0 = now_ns();
        gil_release();
        ssize_t sent = send(x->fd, &byte, 1, MSG_NOSIGNAL);
        gil_acquire();
        gil_release();
        ssize_t got = sent == 1 ? recv(x->fd, &byte, 1, 0) : -1;
        gil_acquire();
        if (got != 1) {
            atomic_store(&x->stop, 1);
            return -1;
        }
        if (x->latencies < LATENCY_CAPACITY) x->latency_ns[x->latencies++] = now_ns() - t0;
        trips++;
    }
    atomic_store(&x->stop, 1);
    return trips;
}

/* Pure computation with the eval loop's GIL check, until the I/O thread is done. */
static int64_t cpu_thread(convoy *x)
{
    uint64_t sum = 0;
    while (!atomic_load_explicit(&x->stop, memory_order_relaxed))
        for (uint64_t i = 0; i < 4096; i++) {
            sum += i ^ (sum >> 3);
            gil_tick();
        }
    return (int64_t)(sum & 0x7fffffff);
}

static int64_t convoy_task(void *ctx, int task)
{
    return task == 0 ? io_thread(ctx) : cpu_thread(ctx);
}

static void burn_forever(void *unused)
{
    (void)unused;
    for (volatile uint64_t i = 0;; i++) {
    }
}

/* ---- one configuration, one round ---- */

static int cpu_count(const chapter *c, const neighbourhood *n)
{
    return n->cpu < 0 ? c->machine.cores : n->cpu;
}

/* A run's time: the I/O thread's seconds per round trip; and its rate beside it. */
static void measure_trips(chapter *c, const chapter_run *run)
{
    const task_record *io = &run->records[0];
    double seconds = ns_to_s(io->end_ns - io->start_ns);
    if (io->result <= 0 || seconds <= 0) return;
    chapter_measure_run(c, run, seconds / (double)io->result);
    chapter_set_value(c, run, VALUE_RATE, (double)io->result / seconds);
}

static void run_config(chapter *c, const config *k, convoy *x, int rep)
{
    int cpu = cpu_count(c, k->n);
    child_process burners[256];
    int burning = 0;
    if (k->n->beside == BESIDE_PROCESSES) /* forked now: the pool's threads do not exist yet */
        for (; burning < cpu && burning < 256; burning++) {
            child_options options = CHILD_OPTIONS_DEFAULT;
            if (child_start(&burners[burning], &options, burn_forever, NULL) != 0)
                chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot start a CPU process: %s", strerror(errno));
        }
    int threads = 1 + (k->n->beside == BESIDE_GIL_THREADS || k->n->beside == BESIDE_C_THREADS ? cpu : 0);
    gil_t *gil = gil_create(k->interval_ms / 1000.0);
    atomic_store(&x->stop, 0);
    const chapter_run *run = chapter_run_series(c, k->key, threads, rep, convoy_task, x, threads, gil);
    gil_destroy(gil);
    for (int b = 0; b < burning; b++) child_stop(&burners[b]);
    if (run->records[0].result < 0) chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the echo peer stopped answering");
    measure_trips(c, run);
}

/* ---- what the rounds say ---- */

/* k's time per round trip / alone's, paired within each round: how many times slower. */
static estimate slowdown(const chapter *c, const char *key)
{
    return chapter_vs_reference(c, key, 0);
}

static const char *gil1_key(const chapter *c, char *out, size_t size)
{
    return series_key(out, size, "gil1", c->cli.switch_interval_ms, "ms");
}

static void table(chapter *c)
{
    const char *columns[] = { "the I/O thread ran", "switch ms", "round trips/s (95% CI)",
                              "times slower than alone (95% CI)" };
    report_table(c->report, "One I/O thread's round trips with an echo peer in another process (median and 95% "
                 "interval over rounds; times slower: alone's rate / this one's, paired within each round, so below "
                 "1 means faster than alone):", 4, columns);
    for (int i = 0; i < config_count; i++) {
        const config *k = &configs[i];
        char rate[64], slow[64], label[96];
        snprintf(label, sizeof label, "%s", k->n->label);
        if (k->n->cpu < 0) snprintf(label, sizeof label, "%.*s (%d)", (int)strcspn(k->n->label, ","), k->n->label,
                                    c->machine.cores);
        if (k->n == &neighbourhoods[GIL1]) snprintf(label, sizeof label, "%s, %g ms", k->n->label, k->interval_ms);
        report_cell(c->report, "%s", label);
        report_cell(c->report, "%g", k->n->beside == BESIDE_C_THREADS ? 0 : k->interval_ms);
        report_cell(c->report, "%s", estimate_text(chapter_value(c, k->key, 0, VALUE_RATE), "%.0f", rate, sizeof rate));
        report_cell(c->report, "%s", i == ALONE ? "1" : estimate_text(slowdown(c, k->key), "%.1fx", slow, sizeof slow));
        report_end_row(c->report);
    }
    report_text(c->report, "switch ms 0: no GIL (C threads). Processes: the CPU work ran in %d other processes; the "
                "I/O thread held its own GIL alone.", c->machine.cores);
}

/* Least squares of log(rate) on log(interval) over a family's sweep: the slope (-1
 * when the rate follows 1 / interval). */
static double sweep_slope(const chapter *c, const char *family)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < c->series.count; i++) {
        const series_def *d = &c->series.items[i];
        estimate rate = chapter_value(c, d->key, 0, VALUE_RATE);
        if (strcmp(d->family, family) != 0 || isnan(d->x) || rate.n == 0 || rate.median <= 0) continue;
        double x = log(d->x), y = log(rate.median);
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    return n >= 2 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : NAN;
}

static void verdict(chapter *c)
{
    char key[48];
    estimate gil = slowdown(c, gil1_key(c, key, sizeof key)), threads = slowdown(c, "cthreads"),
             processes = slowdown(c, "cpu-processes");
    chapter_answer(c, "gil/alone", gil);
    chapter_answer(c, "threads/alone", threads);
    chapter_answer(c, "processes/alone", processes);
    three_way fine = stats_below(gil, FINE_BELOW);
    char a[64], b[64], d[64];
    double slope = sweep_slope(c, "gil1");
    report_text(c->report, "The sweep of the switch interval beside one CPU GIL-thread: the round-trip rate fell as "
                "interval^%.2f (a least-squares line through the medians on log-log axes; -1 would be one round trip "
                "per interval).", slope);
    chapter_meta(c, "sweep_slope", "%.3f", slope);
    report_verdict(c->report, "%s on this machine: beside one CPU-bound GIL-thread the I/O thread made %s fewer round "
                   "trips per second than alone (%g ms switch interval; fine means under 1.5x over the whole "
                   "interval). Beside CPU-bound C threads the factor was %s, beside CPU-bound processes %s (below 1: "
                   "faster than alone).", stats_call_word(fine),
                   estimate_text(gil, "%.1fx", a, sizeof a), c->cli.switch_interval_ms,
                   estimate_text(threads, "%.2fx", b, sizeof b), estimate_text(processes, "%.2fx", d, sizeof d));
    report_headline(c->report, "%s under the GIL: beside one CPU GIL-thread, %.3gx fewer round trips than alone "
                    "(C threads %.2fx, processes %.2fx)", stats_call_word(fine), gil.median, threads.median,
                    processes.median);
}

/* ---- real CPython: the same, with threading and socket ---- */

/* CPython's families: alone, beside one CPU thread (the sweep), beside one per core. */
static void declare_python_series(chapter *c)
{
    char key[48];
    double chapter_ms = c->cli.switch_interval_ms;
    chapter_series(c, "cpython-alone", "cpython-alone", NAN, "CPython alone", MODE_CPYTHON_THREADS, NULL, 0, 0x8c564b);
    double points[SWEEP + 1];
    for (int k = 0, count = sweep_points(chapter_ms, points); k < count; k++)
        chapter_series(c, series_key(key, sizeof key, "cpython-gil1", points[k], "ms"), "cpython-gil1", points[k],
                       "CPython beside 1 CPU thread", MODE_CPYTHON_THREADS, "cpython-alone", 0, 0);
    chapter_series(c, "cpython-giln", "cpython-giln", NAN, "CPython beside a CPU thread per core",
                   MODE_CPYTHON_THREADS, "cpython-alone", 0, 0xbcbd22);
}

/* A CPython run's series: how many CPU threads ran beside its I/O thread (its
 * workers less one), at the switch interval of that call (the context). */
static void name_python_run(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx, char *key,
                            size_t size)
{
    (void)mode, (void)ntasks, (void)records;
    const double *interval_ms = ctx;
    if (workers == 1) snprintf(key, size, "cpython-alone");
    else if (workers == 2) series_key(key, size, "cpython-gil1", *interval_ms, "ms");
    else snprintf(key, size, "cpython-giln");
}

/* One call of original.py; each run it adds is measured per round trip. */
static void python_call(chapter *c, cpython *py, double interval_ms, const char *cpu_threads, double window_s)
{
    int from = c->run_count;
    py->switch_interval_ms = interval_ms;
    py->name_ctx = &interval_ms;
    cpython_run(py, NULL, 3 * 3 * window_s, "--modes threads --workers 1 --cpu-threads %s --window %.4f", cpu_threads,
                window_s);
    for (int i = from; i < c->run_count; i++) measure_trips(c, c->runs[i]);
}

static void run_cpython(chapter *c, cpython *py, double window_s)
{
    py->reps = c->cli.scale == SCALE_TINY ? 1 : 3; /* an interval, and the chapter within 20 s (tiny: shows it runs) */
    py->name_series = name_python_run;
    char first[32];
    /* alone, beside 1, and beside one per core when that is more than 1 */
    if (c->machine.cores > 1) snprintf(first, sizeof first, "0,1,%d", c->machine.cores);
    else snprintf(first, sizeof first, "0,1");
    python_call(c, py, c->cli.switch_interval_ms, first, window_s);
    if (!chapter_series_ran(c, "cpython-alone")) return;
    for (int k = 0; k < SWEEP; k++)
        if (sweep_ms[k] != c->cli.switch_interval_ms) python_call(c, py, sweep_ms[k], "1", window_s);
    py->switch_interval_ms = 0;
    py->name_series = NULL;
}

static void compare_with_cpython(chapter *c, const cpython *py)
{
    char key[48];
    if (!chapter_series_ran(c, "cpython-alone")) return;
    const char *columns[] = { "the I/O thread ran", "switch ms", "round trips/s (interval)",
                              "times slower than alone" };
    report_table(c->report, "The same in real CPython (threading, socket; sys.setswitchinterval):", 4, columns);
    estimate alone_rate = chapter_value(c, "cpython-alone", 0, VALUE_RATE);
    for (int i = 0; i < c->series.count; i++) {
        const series_def *d = &c->series.items[i];
        if (d->mode != MODE_CPYTHON_THREADS || !chapter_series_ran(c, d->key)) continue;
        char rate[64], slow[64];
        bool alone = strcmp(d->key, "cpython-alone") == 0;
        report_cell(c->report, "%s", d->label);
        report_cell(c->report, "%g", isnan(d->x) ? c->cli.switch_interval_ms : d->x);
        report_cell(c->report, "%s", estimate_text(chapter_value(c, d->key, 0, VALUE_RATE), "%.0f", rate, sizeof rate));
        report_cell(c->report, "%s", alone ? "1" : estimate_text(slowdown(c, d->key), "%.1fx", slow, sizeof slow));
        report_end_row(c->report);
    }
    if (alone_rate.n >= STATS_MIN_VALUES)
        report_text(c->report, "CPython ran %d rounds per configuration: its intervals run from the smallest to the "
                    "largest value, which hold the true median %.1f %% of the time (common/stats.h).", alone_rate.n,
                    100 * alone_rate.coverage);
    cpython_agreement(py, "how many times slower beside one CPU-bound thread", "GIL-threads",
                      slowdown(c, gil1_key(c, key, sizeof key)), MODE_CPYTHON_THREADS,
                      slowdown(c, series_key(key, sizeof key, "cpython-gil1", c->cli.switch_interval_ms, "ms")));
}

/* The last round's trips beside one CPU GIL-thread, in switch intervals: under half
 * an interval (the I/O thread took the GIL back before the CPU thread had it), about
 * one (it waited once: after send() or after recv()), about two (both), or more. */
static void describe_trips(chapter *c, const int64_t *beside, size_t n)
{
    if (n == 0) return;
    double interval_ns = c->cli.switch_interval_ms * 1e6;
    size_t counts[4] = { 0 };
    for (size_t i = 0; i < n; i++) {
        double intervals = (double)beside[i] / interval_ns;
        counts[intervals < 0.5 ? 0 : intervals < 1.5 ? 1 : intervals < 2.5 ? 2 : 3]++;
    }
    static const char *const names[] = { "trips_under_half_pct", "trips_one_pct", "trips_two_pct",
                                         "trips_more_pct" };
    double pct[4];
    for (int k = 0; k < 4; k++) {
        pct[k] = 100.0 * (double)counts[k] / (double)n;
        chapter_meta(c, names[k], "%.1f", pct[k]);
    }
    report_text(c->report, "Round trips beside one CPU GIL-thread in the last round (%zu trips, %g ms switch "
                "interval): %.0f %% took under half an interval, %.0f %% about one interval, %.0f %% about two, "
                "%.0f %% longer.", n, c->cli.switch_interval_ms, pct[0], pct[1], pct[2], pct[3]);
}

/* ---- the figure's data ---- */

/* The last round's latencies, alone and beside one CPU GIL-thread: the CDF. */
static void write_latencies_csv(chapter *c, const int64_t *alone, size_t alone_n, const int64_t *beside,
                                size_t beside_n)
{
    csv_writer w;
    chapter_open_csv(c, "latency.csv", &w);
    const char *columns[] = { "config", "latency_us" };
    csv_header(&w, columns, 2);
    for (int which = 0; which < 2; which++) {
        const int64_t *l = which ? beside : alone;
        size_t n = which ? beside_n : alone_n;
        for (size_t i = 0; i < n; i++) {
            csv_str(&w, which ? "gil1" : "alone"); /* the families: the chapter's interval */
            csv_num(&w, (double)l[i] / 1e3, 2);
            csv_end_row(&w);
        }
    }
    chapter_commit_csv(c, &w, "latency.csv");
}

int main(int argc, char **argv)
{
    double window_ms = 0;
    static const double window_by_scale[] = { 30, 150, 1000 };
    const cli_extra extras[] = {
        { "--window-ms", "MS", "how long each measurement makes round trips", CLI_NUMBER, 10, 10000, &window_ms,
          window_by_scale, NULL },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_SWITCH_INTERVAL | CLI_PYTHON,
                                   .extras = extras, .extra_count = 1 },
                  argc, argv);
    cpython py;
    cpython_open(&py, &c);
    c.round_budget_s = 9; /* CPython's runs come after the rounds: the chapter stays within 20 s */
    chapter_meta(&c, "window_ms", "%g", window_ms);
    declare_configs(&c);
    declare_python_series(&c);

    /* The peer first, before any thread exists. */
    convoy x = { .window_ns = (int64_t)(window_ms * 1e6) };
    child_process peer = start_echo_peer(&c, &x.fd);
    x.latency_ns = xcalloc(LATENCY_CAPACITY, sizeof *x.latency_ns);
    /* The last round's latencies alone and beside one CPU GIL-thread, for the CDF. */
    int64_t *alone = xcalloc(LATENCY_CAPACITY, sizeof *alone), *beside = xcalloc(LATENCY_CAPACITY, sizeof *beside);
    size_t alone_n = 0, beside_n = 0;

    /* Rounds of every configuration; more while the decisive slowdown is uncertain. */
    char decisive[48];
    chapter_decide_by(&c, gil1_key(&c, decisive, sizeof decisive), 0, NULL, 0);
    for (int rep = -1; chapter_next_round(&c, &rep);)
        for (int i = 0; i < config_count; i++) {
            run_config(&c, &configs[i], &x, rep);
            if (strcmp(configs[i].key, "alone") == 0) memcpy(alone, x.latency_ns, (alone_n = x.latencies) * sizeof *alone);
            if (strcmp(configs[i].key, decisive) == 0) memcpy(beside, x.latency_ns, (beside_n = x.latencies) * sizeof *beside);
        }
    write_latencies_csv(&c, alone, alone_n, beside, beside_n);
    close(x.fd);
    child_stop(&peer);

    run_cpython(&c, &py, window_ms / 1000);
    table(&c);
    describe_trips(&c, beside, beside_n);
    verdict(&c);
    compare_with_cpython(&c, &py);
    chapter_plot_var(&c, "switch_ms", "%g", c.cli.switch_interval_ms);
    free(alone);
    free(beside);
    free(x.latency_ns);
    cpython_close(&py);
    return chapter_finish(&c);
}
