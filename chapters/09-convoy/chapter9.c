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
 * Each time the I/O thread's reply arrives it must get the GIL back, and a CPU-bound
 * holder lets go only when asked, after a switch interval: one round trip per
 * interval (CPython's Python/ceval_gil.c, take_gil()). The configurations run in
 * rounds; the verdict is the slowdown beside one CPU GIL-thread, paired per round.
 *
 * usage:  build/chapter9 [--window-ms MS] [--switch-interval MS] [--python PATH] ...
 *
 * sample verdict (2 cores, class scale):
 *   VERDICT: FALSE on this machine: beside one CPU-bound GIL-thread the I/O thread made
 *   187x (160x-210x) fewer round trips per second than alone (5 ms switch interval) ... */
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
#define MAX_ROUNDS 100
#define LATENCY_CAPACITY 200000

typedef enum { BESIDE_NOTHING, BESIDE_GIL_THREADS, BESIDE_C_THREADS, BESIDE_PROCESSES } neighbour;

typedef struct {
    const char *key, *label;
    neighbour beside;
    int cpu;            /* CPU-bound threads or processes beside the I/O thread (-1: one per core) */
    double interval_ms; /* the GIL's switch interval (0: the chapter's) */
    double rates[MAX_ROUNDS];
    int rounds;
} config;

static config configs[] = {
    { "alone", "alone", BESIDE_NOTHING, 0, 0, { 0 }, 0 },
    { "gil1", "beside 1 CPU GIL-thread", BESIDE_GIL_THREADS, 1, 0, { 0 }, 0 },
    { "giln", "beside a CPU GIL-thread per core", BESIDE_GIL_THREADS, -1, 0, { 0 }, 0 },
    { "cthreads", "beside a CPU C thread per core (no GIL)", BESIDE_C_THREADS, -1, 0, { 0 }, 0 },
    { "processes", "beside a CPU process per core", BESIDE_PROCESSES, -1, 0, { 0 }, 0 },
    { "gil1-0.1", "beside 1 CPU GIL-thread, 0.1 ms interval", BESIDE_GIL_THREADS, 1, 0.1, { 0 }, 0 },
    { "gil1-1", "beside 1 CPU GIL-thread, 1 ms interval", BESIDE_GIL_THREADS, 1, 1, { 0 }, 0 },
    { "gil1-20", "beside 1 CPU GIL-thread, 20 ms interval", BESIDE_GIL_THREADS, 1, 20, { 0 }, 0 },
};
#define CONFIGS (int)(sizeof configs / sizeof *configs)
#define ALONE 0
#define GIL1 1

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

static int cpu_count(const chapter *c, const config *k)
{
    return k->cpu < 0 ? c->machine.cores : k->cpu;
}

static double run_config(chapter *c, config *k, convoy *x, int rep)
{
    int cpu = cpu_count(c, k);
    child_process burners[256];
    int burning = 0;
    if (k->beside == BESIDE_PROCESSES) /* forked now: the pool's threads do not exist yet */
        for (; burning < cpu && burning < 256; burning++) {
            child_options options = CHILD_OPTIONS_DEFAULT;
            if (child_start(&burners[burning], &options, burn_forever, NULL) != 0)
                chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot start a CPU process: %s", strerror(errno));
        }
    int threads = 1 + (k->beside == BESIDE_GIL_THREADS || k->beside == BESIDE_C_THREADS ? cpu : 0);
    pool_mode mode = k->beside == BESIDE_C_THREADS ? MODE_THREADS : MODE_GIL_THREADS;
    gil_t *gil = gil_create((k->interval_ms > 0 ? k->interval_ms : c->cli.switch_interval_ms) / 1000.0);
    atomic_store(&x->stop, 0);
    const chapter_run *run = chapter_run_mode(c, mode, threads, rep, convoy_task, x, threads, gil);
    gil_destroy(gil);
    for (int b = 0; b < burning; b++) child_stop(&burners[b]);
    const task_record *io = &run->records[0];
    if (io->result < 0) chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the echo peer stopped answering");
    double rate = (double)io->result / ns_to_s(io->end_ns - io->start_ns);
    k->rates[k->rounds++] = rate;
    return rate;
}

/* ---- what the rounds say ---- */

/* alone's rate / k's rate, paired within each round: how many times slower. */
static estimate slowdown_from(const config *alone, const config *k)
{
    return stats_paired_ratio(alone->rates, k->rates, (size_t)(k->rounds < alone->rounds ? k->rounds : alone->rounds));
}

static estimate slowdown(const config *k)
{
    return slowdown_from(&configs[ALONE], k);
}

static void table(chapter *c)
{
    const char *columns[] = { "the I/O thread ran", "switch ms", "round trips/s (95% CI)",
                              "times slower than alone (95% CI)" };
    report_table(c->report, "One I/O thread's round trips with an echo peer in another process (median and 95% "
                 "interval over rounds; times slower: alone's rate / this one's, paired within each round, so below "
                 "1 means faster than alone):", 4, columns);
    for (int i = 0; i < CONFIGS; i++) {
        const config *k = &configs[i];
        char rate[64], slow[64], label[96];
        snprintf(label, sizeof label, "%s", k->label);
        if (k->cpu < 0) snprintf(label, sizeof label, "%.*s (%d)", (int)strcspn(k->label, ","), k->label,
                                 c->machine.cores);
        report_cell(c->report, "%s", label);
        report_cell(c->report, "%g", k->beside == BESIDE_C_THREADS ? 0 : k->interval_ms > 0 ? k->interval_ms
                                                                                             : c->cli.switch_interval_ms);
        report_cell(c->report, "%s", estimate_text(stats_estimate(k->rates, (size_t)k->rounds), "%.0f", rate,
                                                   sizeof rate));
        report_cell(c->report, "%s", i == ALONE ? "1" : estimate_text(slowdown(k), "%.1fx", slow, sizeof slow));
        report_end_row(c->report);
    }
    report_text(c->report, "switch ms 0: no GIL (C threads). Processes: the CPU work ran in %d other processes; the "
                "I/O thread held its own GIL alone.", c->machine.cores);
}

/* Least squares of log(rate) on log(interval) over the GIL sweep: the slope (-1 when
 * the rate follows 1 / interval). */
static double sweep_slope(const chapter *c)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < CONFIGS; i++) {
        const config *k = &configs[i];
        if (k->beside != BESIDE_GIL_THREADS || k->cpu != 1 || !k->rounds) continue;
        double x = log(k->interval_ms > 0 ? k->interval_ms : c->cli.switch_interval_ms);
        double y = log(stats_median(k->rates, (size_t)k->rounds));
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    return n >= 2 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : NAN;
}

static void verdict(chapter *c)
{
    estimate gil = slowdown(&configs[GIL1]), threads = slowdown(&configs[3]), processes = slowdown(&configs[4]);
    chapter_answer(c, "gil/alone", gil);
    chapter_answer(c, "threads/alone", threads);
    chapter_answer(c, "processes/alone", processes);
    three_way fine = stats_below(gil, FINE_BELOW);
    char a[64], b[64], d[64];
    double slope = sweep_slope(c);
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
}

/* ---- real CPython: the same, with threading and socket ---- */

/* Each cpython_run adds its runs at the end of the chapter's: the ones after `from`. */
static void python_rates(const chapter *c, int from, int cpu_threads, config *k)
{
    for (int i = from; i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->mode != MODE_CPYTHON_THREADS || run->workers != 1 + cpu_threads || k->rounds >= MAX_ROUNDS) continue;
        const task_record *io = &run->records[0];
        if (io->end_ns > io->start_ns) k->rates[k->rounds++] = (double)io->result / ns_to_s(io->end_ns - io->start_ns);
    }
}

static config python_configs[] = {
    { "alone", "CPython alone", BESIDE_NOTHING, 0, 0, { 0 }, 0 },
    { "gil1", "CPython beside 1 CPU thread", BESIDE_GIL_THREADS, 1, 0, { 0 }, 0 },
    { "giln", "CPython beside a CPU thread per core", BESIDE_GIL_THREADS, -1, 0, { 0 }, 0 },
    { "gil1-0.1", "CPython beside 1 CPU thread, 0.1 ms", BESIDE_GIL_THREADS, 1, 0.1, { 0 }, 0 },
    { "gil1-1", "CPython beside 1 CPU thread, 1 ms", BESIDE_GIL_THREADS, 1, 1, { 0 }, 0 },
    { "gil1-20", "CPython beside 1 CPU thread, 20 ms", BESIDE_GIL_THREADS, 1, 20, { 0 }, 0 },
};
#define PYTHON_CONFIGS (int)(sizeof python_configs / sizeof *python_configs)

static void run_cpython(chapter *c, cpython *py, double window_s)
{
    py->reps = 3; /* an interval, and the chapter within 20 s */
    int from = c->run_count;
    if (!cpython_run(py, NULL, 3 * 3 * window_s, "--modes threads --workers 1 --cpu-threads 0,1,%d --window %.4f",
                     c->machine.cores, window_s))
        return;
    for (int i = 0; i < 3; i++) python_rates(c, from, cpu_count(c, &python_configs[i]), &python_configs[i]);
    for (int i = 3; i < PYTHON_CONFIGS; i++) {
        py->switch_interval_ms = python_configs[i].interval_ms;
        from = c->run_count;
        cpython_run(py, NULL, 3 * window_s, "--modes threads --workers 1 --cpu-threads 1 --window %.4f", window_s);
        python_rates(c, from, 1, &python_configs[i]);
    }
    py->switch_interval_ms = 0;
}

static estimate python_slowdown(const config *k)
{
    return slowdown_from(&python_configs[0], k);
}

static void compare_with_cpython(chapter *c, const cpython *py)
{
    if (!python_configs[0].rounds || !python_configs[1].rounds) return;
    const char *columns[] = { "the I/O thread ran", "switch ms", "round trips/s (95% CI)",
                              "times slower than alone" };
    report_table(c->report, "The same in real CPython (threading, socket; sys.setswitchinterval):", 4, columns);
    for (int i = 0; i < PYTHON_CONFIGS; i++) {
        const config *k = &python_configs[i];
        if (!k->rounds) continue;
        char rate[64], slow[64];
        report_cell(c->report, "%s", k->label);
        report_cell(c->report, "%g", k->interval_ms > 0 ? k->interval_ms : c->cli.switch_interval_ms);
        report_cell(c->report, "%s", estimate_text(stats_estimate(k->rates, (size_t)k->rounds), "%.0f", rate,
                                                   sizeof rate));
        report_cell(c->report, "%s", i == 0 ? "1" : estimate_text(python_slowdown(k), "%.1fx", slow, sizeof slow));
        report_end_row(c->report);
    }
    cpython_agreement(py, "how many times slower beside one CPU-bound thread", "GIL-threads",
                      slowdown(&configs[GIL1]), MODE_CPYTHON_THREADS, python_slowdown(&python_configs[1]));
}

/* ---- the figure's data ---- */

static void write_rates_csv(chapter *c)
{
    csv_writer w;
    chapter_open_csv(c, "convoy.csv", &w);
    const char *columns[] = { "runtime", "config", "label", "interval_ms", "rate_median", "rate_lo", "rate_hi" };
    csv_header(&w, columns, 7);
    for (int lang = 0; lang < 2; lang++) {
        config *list = lang ? python_configs : configs;
        int n = lang ? PYTHON_CONFIGS : CONFIGS;
        for (int i = 0; i < n; i++) {
            if (!list[i].rounds) continue;
            estimate e = stats_estimate(list[i].rates, (size_t)list[i].rounds);
            csv_str(&w, lang ? "cpython" : "c");
            csv_str(&w, list[i].key);
            csv_str(&w, list[i].label);
            csv_num(&w, list[i].beside == BESIDE_C_THREADS ? 0 : list[i].interval_ms > 0 ? list[i].interval_ms
                                                                                        : c->cli.switch_interval_ms, 3);
            csv_num(&w, e.median, 2);
            csv_num(&w, e.lo, 2);
            csv_num(&w, e.hi, 2);
            csv_end_row(&w);
        }
    }
    chapter_commit_csv(c, &w, "convoy.csv");
}

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
            csv_str(&w, which ? "gil1" : "alone");
            csv_num(&w, (double)l[i] / 1e3, 2);
            csv_end_row(&w);
        }
    }
    chapter_commit_csv(c, &w, "latency.csv");
}

int main(int argc, char **argv)
{
    double window_ms = 0;
    cpython_flags python_flags = CPYTHON_DEFAULTS;
    const cli_extra extras[] = {
        { "--window-ms", "MS", "how long each measurement makes round trips (default by scale: 30, 150, 1000)",
          CLI_NUMBER, 10, 10000, &window_ms },
        CPYTHON_EXTRAS(python_flags),
    };
    chapter c;
    chapter_begin(&c, CHAPTER_NUMBER, CHAPTER_CLAIM, CHAPTER_ANSWERS, extras, 1 + CPYTHON_EXTRA_COUNT, argc, argv);
    c.ignores_jobs = true; /* its own counts: one per core, or a sweep */
    cpython py;
    cpython_open(&py, &c, &python_flags);
    static const double window_by_scale[] = { 30, 150, 1000 };
    c.round_budget_s = 9; /* CPython's runs come after the rounds: the chapter stays within 20 s */
    if (window_ms <= 0) window_ms = window_by_scale[c.cli.scale];
    chapter_meta(&c, "window_ms", "%g", window_ms);

    /* The peer first, before any thread exists. */
    convoy x = { .window_ns = (int64_t)(window_ms * 1e6) };
    child_process peer = start_echo_peer(&c, &x.fd);
    x.latency_ns = xcalloc(LATENCY_CAPACITY, sizeof *x.latency_ns);
    /* The last round's latencies alone and beside one CPU GIL-thread, for the CDF. */
    int64_t *alone = xcalloc(LATENCY_CAPACITY, sizeof *alone), *beside = xcalloc(LATENCY_CAPACITY, sizeof *beside);
    size_t alone_n = 0, beside_n = 0;

    /* Rounds of every configuration; more while the decisive slowdown is uncertain. */
    double width = INFINITY;
    for (int rep = 0; rep < MAX_ROUNDS && chapter_another_round(&c, rep, width); rep++) {
        for (int i = 0; i < CONFIGS; i++) {
            run_config(&c, &configs[i], &x, rep);
            if (i == ALONE) memcpy(alone, x.latency_ns, (alone_n = x.latencies) * sizeof *alone);
            if (i == GIL1) memcpy(beside, x.latency_ns, (beside_n = x.latencies) * sizeof *beside);
        }
        width = stats_relative_width(slowdown(&configs[GIL1]));
    }
    write_latencies_csv(&c, alone, alone_n, beside, beside_n);
    close(x.fd);
    child_stop(&peer);

    run_cpython(&c, &py, window_ms / 1000);
    table(&c);
    verdict(&c);
    compare_with_cpython(&c, &py);
    write_rates_csv(&c);
    chapter_plot_var(&c, "switch_ms", "%g", c.cli.switch_interval_ms);
    free(alone);
    free(beside);
    free(x.latency_ns);
    cpython_close(&py);
    return chapter_finish(&c);
}
