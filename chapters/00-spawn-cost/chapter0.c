/* chapter0.c — the answer the article starts from: "Threads run in the same memory
 * space; processes have separate memory. Spawning processes is a bit slower than
 * spawning threads. Once they are running, there is not much difference."
 *
 * Four measurements, each a check of one half-sentence:
 *   1. memory: a new thread and a forked child each write x = 1; who sees it?
 *   2. spawning: pthread_create+join, fork+wait, vfork+wait, posix_spawn+wait of
 *      /bin/true, many times each, the methods interleaved (one of each, then
 *      again), so each start's cost against a thread's is paired;
 *   3. once running: the same CPU jobs on C threads, GIL-threads and processes, in
 *      rounds, with intervals;
 *   4. fork's cost as the parent's touched memory grows, beside a thread's;
 *   5. real CPython (original.py): threading.Thread start+join against
 *      multiprocessing's Process start+join under each start method.
 * The verdict's label is computed from the two halves' three-way calls.
 *
 * usage:  build/chapter0 [--max-rss-mib N] [--scale S] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/00-spawn-cost/reference/summary.md. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "cpython.h"
#include "fail.h"
#include "work.h"


extern char **environ;

/* ---- 1. who sees the child's write? ---- */

static volatile int x;

static void *write_x(void *unused)
{
    (void)unused;
    x = 1;
    return NULL;
}

static void memory_lesson(chapter *c)
{
    pthread_t t;
    x = 0;
    CHECK_PTHREAD(pthread_create(&t, NULL, write_x, NULL));
    CHECK_PTHREAD(pthread_join(t, NULL));
    int after_thread = x;

    x = 0;
    pid_t pid = fork();
    if (pid == -1) fail_at(__FILE__, __LINE__, "fork", errno);
    if (pid == 0) {
        x = 1; /* the child's own copy */
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    int after_fork = x;

    const char *names[] = { "the child is a", "it wrote", "the parent then reads x" };
    report_table(c->report, "1. Same memory or separate memory?", 3, names);
    report_cell(c->report, "thread");
    report_cell(c->report, "x = 1");
    report_cell(c->report, "%d", after_thread);
    report_end_row(c->report);
    report_cell(c->report, "forked process");
    report_cell(c->report, "x = 1");
    report_cell(c->report, "%d", after_fork);
    report_end_row(c->report);
}

/* ---- 2 and 3. what it costs to start and finish one unit of work ---- */

typedef enum { SPAWN_THREAD, SPAWN_FORK, SPAWN_VFORK, SPAWN_POSIX_SPAWN, SPAWN_KINDS } spawn_kind;
static const char *const spawn_names[] = { "pthread_create+join", "fork+wait", "vfork+wait", "posix_spawn+wait" };

static void *do_nothing(void *unused)
{
    return unused;
}

/* One creation and its join or wait, timed. */
static double spawn_once(spawn_kind kind)
{
    int64_t t0 = now_ns();
    pid_t pid = 0;
    switch (kind) {
    case SPAWN_THREAD: {
        pthread_t t;
        CHECK_PTHREAD(pthread_create(&t, NULL, do_nothing, NULL));
        CHECK_PTHREAD(pthread_join(t, NULL));
        break;
    }
    case SPAWN_FORK:
        pid = fork();
        if (pid == 0) _exit(0);
        break;
    case SPAWN_VFORK:
        pid = vfork();
        if (pid == 0) _exit(0); /* the only safe thing a vfork child may do */
        break;
    case SPAWN_POSIX_SPAWN: {
        char *argv[] = { "true", NULL };
        int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
        if (rc != 0) fail_at(__FILE__, __LINE__, "posix_spawn /bin/true", rc);
        break;
    }
    default:
        break;
    }
    if (pid == -1) fail_at(__FILE__, __LINE__, spawn_names[kind], errno);
    if (pid > 0) waitpid(pid, NULL, 0);
    return ns_to_s(now_ns() - t0);
}

typedef struct {
    spawn_kind kind;
    long rss_mib;
    double median, p10, p90;
    estimate vs_thread; /* paired: this start / the thread start just before it */
} spawn_cost;

/* `reps` starts of each kind, interleaved (thread, then each other kind, then again),
 * after one untimed start of each; every start goes to spawn.csv. */
static void measure(const spawn_kind *kinds, int nkinds, long rss_mib, int reps, csv_writer *w, spawn_cost *costs)
{
    double *seconds = xcalloc((size_t)(nkinds * reps), sizeof *seconds);
    for (int k = 0; k < nkinds; k++) spawn_once(kinds[k]); /* warm up: first-time page faults are not the lesson */
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < nkinds; k++) {
            double t = seconds[k * reps + r] = spawn_once(kinds[k]);
            csv_str(w, spawn_names[kinds[k]]);
            csv_int(w, rss_mib);
            csv_int(w, r);
            csv_num(w, t, 9);
            csv_end_row(w);
        }
    for (int k = 0; k < nkinds; k++) { /* kinds[0] is the thread */
        const double *mine = seconds + k * reps;
        costs[k] = (spawn_cost){ kinds[k], rss_mib, stats_median(mine, (size_t)reps),
                                 stats_percentile(mine, (size_t)reps, 10), stats_percentile(mine, (size_t)reps, 90),
                                 stats_paired_ratio(mine, seconds, (size_t)reps) };
    }
    free(seconds);
}

/* Every median measured, for the figure's spawn_summary.csv. */
static spawn_cost measured[64];
static int measured_count;

static void cost_row(chapter *c, const spawn_cost *s)
{
    if (measured_count < 64) measured[measured_count++] = *s;
    char ratio[64];
    report_cell(c->report, "%s", spawn_names[s->kind]);
    report_cell(c->report, "%ld", s->rss_mib);
    report_cell(c->report, "%.3f", s->median * 1e3);
    report_cell(c->report, "%.3f-%.3f", s->p10 * 1e3, s->p90 * 1e3);
    report_cell(c->report, "%s", s->kind == SPAWN_THREAD ? "1" : estimate_text(s->vs_thread, "%.1fx", ratio, sizeof ratio));
    report_end_row(c->report);
}

/* Memory the parent has written, so fork must set up copy-on-write for all of it. */
static char *touch(long mib)
{
    if (mib == 0) return NULL;
    size_t bytes = (size_t)mib << 20;
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail_at(__FILE__, __LINE__, "mmap", errno);
    memset(p, 1, bytes);
    return p;
}


static void write_summary_csv(chapter *c)
{
    csv_writer w;
    chapter_open_csv(c, "spawn_summary.csv", &w);
    const char *columns[] = { "method", "rss_mib", "median_s", "p10_s", "p90_s", "part" };
    csv_header(&w, columns, 6);
    for (int i = 0; i < measured_count; i++) {
        csv_str(&w, spawn_names[measured[i].kind]);
        csv_int(&w, measured[i].rss_mib);
        csv_num(&w, measured[i].median, 9);
        csv_num(&w, measured[i].p10, 9);
        csv_num(&w, measured[i].p90, 9);
        csv_str(&w, i < SPAWN_KINDS ? "small" : "memory");
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "spawn_summary.csv");
}

/* ---- 2. starting one unit of work, with a small parent ---- */

static const char *const cost_columns[] = { "method", "parent MiB touched", "median ms", "p10-p90 ms",
                                            "vs thread (95% CI)" };

static estimate small_parent(chapter *c, csv_writer *w)
{
    static const int reps_by_scale[] = { 30, 400, 2000 };
    int reps = reps_by_scale[c->cli.scale];
    const spawn_kind kinds[] = { SPAWN_THREAD, SPAWN_FORK, SPAWN_VFORK, SPAWN_POSIX_SPAWN };
    spawn_cost small[SPAWN_KINDS];
    progress("spawning: %d of each method, interleaved ...", reps);
    measure(kinds, SPAWN_KINDS, 0, reps, w, small);
    report_table(c->report, "2. Start one unit of work and wait for it (a small parent; the methods interleaved, "
                 "each start's cost / the thread start just before it, median and 95% interval):", 5, cost_columns);
    for (int k = 0; k < SPAWN_KINDS; k++) cost_row(c, &small[k]);
    chapter_plot_string(c, "note", "%d CPUs (%s), scale %s, %d spawns per method", c->machine.cores,
                        c->machine.cpu_model, cli_scale_name(c->cli.scale), reps);
    return small[SPAWN_FORK].vs_thread;
}

/* ---- 3. once running: the same CPU jobs, one per core ---- */

static void once_running(chapter *c)
{
    int jobs = c->machine.cores;
    double job_seconds = cli_work_seconds(c->cli.scale) / 4 / jobs;
    uint64_t iterations = calibrate_cpu_heavy(job_seconds);
    const pool_mode running[] = { MODE_THREADS, MODE_GIL_THREADS, MODE_PROCESSES };
    chapter_warm_up(c, MODE_PROCESSES, jobs, cpu_heavy_task, &iterations, jobs, NULL);
    chapter_series(c, "threads", "threads", NAN, NULL, MODE_THREADS, "processes", 0, 0);
    chapter_series(c, "gil-threads", "gil-threads", NAN, NULL, MODE_GIL_THREADS, "processes", 0, 0);
    chapter_series(c, "processes", "processes", NAN, NULL, MODE_PROCESSES, NULL, 0, 0);
    chapter_decide_by(c, chapter_wants(c, MODE_THREADS) ? "threads" : "gil-threads", 0, NULL, 0);
    for (int rep = -1; chapter_next_round(c, &rep);) {
        for (int m = 0; m < 3; m++) {
            if (!chapter_wants(c, running[m])) continue;
            gil_t *gil = gil_create(c->cli.switch_interval_ms / 1000.0);
            chapter_run_mode(c, running[m], jobs, rep, cpu_heavy_task, &iterations, jobs, gil);
            gil_destroy(gil);
        }
    }
    const char *run_names[] = { "mode", "jobs", "wall s (95% CI)", "vs processes (95% CI)" };
    report_table(c->report, "3. Once running: the same CPU jobs, one per core (median and 95% interval over rounds; "
                 "vs processes: paired within each round):", 4, run_names);
    for (int m = 0; m < 3; m++) {
        mode_summary s = chapter_summary(c, running[m]);
        if (!s.ran) continue;
        char a[64], b[64];
        report_cell(c->report, "%s", pool_mode_label(running[m]));
        report_cell(c->report, "%d", jobs);
        report_cell(c->report, "%s", estimate_text(s.wall, "%.3f", a, sizeof a));
        report_cell(c->report, "%s", estimate_text(s.vs_reference, "%.2fx", b, sizeof b));
        report_end_row(c->report);
    }
}

/* ---- 4. fork as the parent's memory grows; a thread does not care ---- */

static estimate memory_growth(chapter *c, csv_writer *w, int max_rss_mib, long *largest_mib)
{
    static const long steps[] = { 0, 256, 1024, 2048, 4096, 8192 };
    long sizes[7];
    int count = chapter_sweep_to(steps, 6, max_rss_mib, sizes);
    report_table(c->report, "4. fork+wait as the parent's touched memory grows (threads beside it, interleaved):", 5,
                 cost_columns);
    const spawn_kind kinds[] = { SPAWN_THREAD, SPAWN_FORK };
    estimate largest = { 0 };
    for (int i = 0; i < count; i++) {
        long mib = sizes[i];
        progress("fork with %ld MiB touched ...", mib);
        char *memory = touch(mib);
        spawn_cost pair[2];
        measure(kinds, 2, mib, c->cli.scale == SCALE_TINY ? 5 : 15, w, pair);
        cost_row(c, &pair[1]);
        cost_row(c, &pair[0]);
        largest = pair[1].vs_thread;
        *largest_mib = mib;
        if (memory) munmap(memory, (size_t)mib << 20);
    }
    return largest;
}

/* ---- 5. real CPython: threading.Thread and multiprocessing.Process ---- */

/* original.py's kinds, by the code its runs report in `result`. */
static const char *const python_kinds[] = { "thread", "fork", "spawn", "forkserver" };
#define PYTHON_KINDS 4

static void python_key(int kind, char *key, size_t size)
{
    snprintf(key, size, "cpython-%s-start", python_kinds[kind]);
}

static void name_python_start(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx,
                              char *key, size_t size)
{
    (void)mode, (void)workers, (void)ctx;
    int64_t kind = ntasks > 0 ? records[0].result : -1;
    if (kind < 0 || kind >= PYTHON_KINDS) kind = 0; /* harness.py's codes; the parser bounds them */
    python_key((int)kind, key, size);
}

static void declare_python_series(chapter *c)
{
    char key[64], ref[64], label[64];
    python_key(0, ref, sizeof ref);
    for (int k = 0; k < PYTHON_KINDS; k++) {
        python_key(k, key, sizeof key);
        snprintf(label, sizeof label, k == 0 ? "CPython Thread start+join" : "CPython Process (%s) start+join",
                 python_kinds[k]);
        chapter_series(c, key, key, NAN, label, k == 0 ? MODE_CPYTHON_THREADS : MODE_CPYTHON_PROCESSES, ref, 0, 0);
    }
}

/* Every kind, interleaved, `reps` times each; then the table. */
static void python_starts(chapter *c, cpython *py, estimate c_fork_vs_thread)
{
    static const int reps_by_scale[] = { 3, 20, 60 };
    py->reps = reps_by_scale[c->cli.scale];
    py->name_series = name_python_start;
    /* spawn starts a whole interpreter, some 50 ms a time: a generous bound. */
    cpython_run(py, NULL, 0.2 * PYTHON_KINDS * py->reps, "--modes threads,processes --workers 1");
    char key[64];
    python_key(0, key, sizeof key);
    if (chapter_series_ran(c, key)) {
        const char *columns[] = { "CPython", "median ms (95% CI)", "vs Thread (95% CI)" };
        report_table(c->report, "5. The same in real CPython: start one unit of work and wait for it (original.py; "
                     "the kinds interleaved, each start / the Thread start of the same rep):", 3, columns);
        for (int k = 0; k < PYTHON_KINDS; k++) {
            python_key(k, key, sizeof key);
            if (!chapter_series_ran(c, key)) continue;
            mode_summary s = chapter_series_summary(c, key, 0);
            char a[64], b[64];
            report_cell(c->report, "%s", c->series.items[series_find(&c->series, key)].label);
            report_cell(c->report, "%s", estimate_text(stats_scaled(s.wall, 1e3), "%.3f", a, sizeof a));
            report_cell(c->report, "%s", k == 0 ? "1" : estimate_text(chapter_vs_reference(c, key, 0), "%.1fx", b,
                                                                         sizeof b));
            report_end_row(c->report);
        }
        python_key(1, key, sizeof key);
        estimate fork = chapter_vs_reference(c, key, 0);
        char a[64], b[64];
        if (fork.n)
            report_text(c->report, "The C program's fork+wait cost %s a thread's create+join, against real CPython's "
                        "%s for a forked Process against a Thread. multiprocessing does more around fork() "
                        "(Lib/multiprocessing/popen_fork.py: a pipe to learn the child's end, the child's "
                        "bootstrap); this chapter does not time those parts apart.",
                        estimate_text(c_fork_vs_thread, "%.1fx", a, sizeof a), estimate_text(fork, "%.1fx", b, sizeof b));
    }
}

/* ---- the verdict: two half-sentences, each called three-way, then together ---- */

/* "A bit slower": a process costs under 3x a thread to start. */
#define A_BIT_BELOW 3.0
/* "Not much difference": threads take under 1.25x the processes' time. */
#define SAME_BELOW 1.25

static const char *combined_label(three_way start, three_way running)
{
    if (start == CALL_UNDECIDED || running == CALL_UNDECIDED) return stats_call_word(CALL_UNDECIDED);
    if (start == running) return stats_call_word(start);
    return "HALF TRUE"; /* one half-sentence held, the other did not */
}

static void verdict(chapter *c, estimate fork_vs_thread, estimate big_fork, long big_mib)
{
    pool_mode threads = chapter_wants(c, MODE_GIL_THREADS) ? MODE_GIL_THREADS : MODE_THREADS;
    estimate running = chapter_ratio(c, threads, 0, MODE_PROCESSES, 0);
    three_way start_call = stats_below(fork_vs_thread, A_BIT_BELOW), running_call = stats_below(running, SAME_BELOW);
    char a[64], b[64], d[64];
    report_verdict(c->report, "%s on this machine: the memory is shared by threads and not by processes; fork+wait "
                   "cost %s a thread's create+join with a small parent (\"a bit slower\", under 3x: %s) and %s with "
                   "%ld MiB touched; once running, %s took %s the processes' time on CPU work (\"not much "
                   "difference\", under 1.25x: %s).", combined_label(start_call, running_call),
                   estimate_text(fork_vs_thread, "%.1fx", a, sizeof a), stats_call_word(start_call),
                   estimate_text(big_fork, "%.1fx", b, sizeof b), big_mib, pool_mode_label(threads),
                   estimate_text(running, "%.2fx", d, sizeof d), stats_call_word(running_call));
    report_headline(c->report, "%s: a process cost %.1fx a thread to start (%.0fx with %ld MiB); on CPU work %s took "
                    "%.2fx the processes' time", combined_label(start_call, running_call), fork_vs_thread.median,
                    big_fork.median, big_mib, pool_mode_label(threads), running.median);
}

int main(int argc, char **argv)
{
    int max_rss_mib = 0;
    static const double max_rss_by_scale[] = { 256, 2048, 8192 };
    const cli_extra extras[] = {
        { "--max-rss-mib", "N", "largest parent memory to fork from (a default over a quarter of free memory is "
          "lowered to it)", CLI_INT, 0, 65536, &max_rss_mib, max_rss_by_scale, NULL },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON,
                                   .extras = extras, .extra_count = 1 },
                  argc, argv);
    max_rss_mib = chapter_memory_flag(&c, "--max-rss-mib", max_rss_mib);
    cpython py;
    cpython_open(&py, &c); /* a bad --python stops here, before anything runs */

    memory_lesson(&c);
    csv_writer w;
    chapter_open_csv(&c, "spawn.csv", &w);
    const char *columns[] = { "method", "rss_mib", "rep", "seconds" };
    csv_header(&w, columns, 4);
    estimate fork_vs_thread = small_parent(&c, &w);
    /* Part 3 before part 4, whose gigabytes of freed memory keep the kernel busy for a while. */
    once_running(&c);
    long big_mib = 0;
    estimate big_fork = memory_growth(&c, &w, max_rss_mib, &big_mib);
    declare_python_series(&c);
    python_starts(&c, &py, fork_vs_thread);
    cpython_close(&py);
    chapter_commit_csv(&c, &w, "spawn.csv");
    write_summary_csv(&c);
    verdict(&c, fork_vs_thread, big_fork, big_mib);
    return chapter_finish(&c);
}
