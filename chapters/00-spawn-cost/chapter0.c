/* chapter0.c — the answer the article starts from: "Threads run in the same memory
 * space; processes have separate memory. Spawning processes is a bit slower than
 * spawning threads. Once they are running, there is not much difference."
 *
 * Four measurements, each a check of one half-sentence:
 *   1. memory: a new thread and a forked child each write x = 1; who sees it?
 *   2. spawning: pthread_create+join, fork+wait, vfork+wait, posix_spawn+wait of
 *      /bin/true, many times each (median and spread);
 *   3. once running: the same CPU jobs on C threads, GIL-threads and processes;
 *   4. fork's cost as the parent's touched memory grows, beside a thread's.
 *
 * usage:  build/chapter0 [--max-rss-mib N] [--scale S] ...
 *
 * sample output (2 cores, class scale):
 *   pthread_create+join   0.021 ms   fork+wait 0.160 ms   posix_spawn 0.420 ms
 *   fork+wait with 2048 MiB touched: 11.2 ms
 *   VERDICT: HALF TRUE on this machine: a process cost 7.6x a thread to start ... */
#include <errno.h>
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
} spawn_cost;

static spawn_cost measure(spawn_kind kind, long rss_mib, int reps, csv_writer *w)
{
    double *seconds = xcalloc((size_t)reps, sizeof *seconds);
    spawn_once(kind); /* warm up: first-time page faults are not the lesson */
    for (int r = 0; r < reps; r++) {
        seconds[r] = spawn_once(kind);
        csv_str(w, spawn_names[kind]);
        csv_int(w, rss_mib);
        csv_int(w, r);
        csv_num(w, seconds[r], 9);
        csv_end_row(w);
    }
    spawn_cost cost = { kind, rss_mib, stats_median(seconds, (size_t)reps), stats_percentile(seconds, (size_t)reps, 10),
                        stats_percentile(seconds, (size_t)reps, 90) };
    free(seconds);
    return cost;
}

/* Every median measured, for the figure's spawn_summary.csv. */
static spawn_cost measured[64];
static int measured_count;

static void cost_row(chapter *c, const spawn_cost *s, double thread_median)
{
    if (measured_count < 64) measured[measured_count++] = *s;
    report_cell(c->report, "%s", spawn_names[s->kind]);
    report_cell(c->report, "%ld", s->rss_mib);
    report_cell(c->report, "%.3f", s->median * 1e3);
    report_cell(c->report, "%.3f-%.3f", s->p10 * 1e3, s->p90 * 1e3);
    report_cell(c->report, "%.1fx", s->median / thread_median);
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

static long available_mib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    long kib = 0;
    char line[128];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib / 1024;
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

/* ---- 3. once running ---- */

int main(int argc, char **argv)
{
    int max_rss_mib = -1; /* by scale */
    const cli_extra extras[] = {
        { "--max-rss-mib", "N", "largest parent memory to fork from (default: tiny 256, class 2048, paper 8192; "
          "capped at a quarter of free memory)", CLI_INT, 0, 65536, &max_rss_mib },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_NUMBER, CHAPTER_CLAIM, extras, 1, argc, argv);
    static const int reps_by_scale[] = { 30, 400, 2000 }, max_rss_by_scale[] = { 256, 2048, 8192 };
    int reps = reps_by_scale[c.cli.scale];
    if (max_rss_mib < 0) max_rss_mib = max_rss_by_scale[c.cli.scale];

    memory_lesson(&c);

    /* 2. spawning with a small parent */
    csv_writer w;
    chapter_open_csv(&c, "spawn.csv", &w);
    const char *columns[] = { "method", "rss_mib", "rep", "seconds" };
    csv_header(&w, columns, 4);
    spawn_cost small[SPAWN_KINDS];
    /* The spawn table is finished after part 3, which adds its rows to spawn.csv. */
    for (spawn_kind k = 0; k < SPAWN_KINDS; k++) {
        progress("%s x %d ...", spawn_names[k], reps);
        small[k] = measure(k, 0, reps, &w);
    }
    const char *names[] = { "method", "parent MiB touched", "median ms", "p10-p90 ms", "vs thread" };
    report_table(c.report, "2. Start one unit of work and wait for it (a small parent):", 5, names);
    for (spawn_kind k = 0; k < SPAWN_KINDS; k++) cost_row(&c, &small[k], small[SPAWN_THREAD].median);

    /* 3. once running: the same CPU jobs, one per core. Measured before part 4, whose
     * gigabytes of freed memory keep the kernel busy for a while afterwards. */
    int jobs = c.machine.cores;
    double job_seconds = cli_work_seconds(c.cli.scale) / 4 / jobs;
    uint64_t iterations = calibrate_cpu_heavy(job_seconds);
    gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
    const pool_mode running[] = { MODE_THREADS, MODE_GIL_THREADS, MODE_PROCESSES };
    for (int rep = 0; rep < c.cli.reps; rep++)
        for (int m = 0; m < 3; m++)
            if (chapter_wants(&c, running[m]))
                chapter_run_mode(&c, running[m], jobs, rep, cpu_heavy_task, &iterations, jobs, gil);
    gil_destroy(gil);
    const char *run_names[] = { "mode", "jobs", "wall s", "vs processes" };
    report_table(c.report, "3. Once running: the same CPU jobs, one per core:", 4, run_names);
    double processes = chapter_summary(&c, MODE_PROCESSES).wall_s.median;
    for (int m = 0; m < 3; m++) {
        mode_summary s = chapter_summary(&c, running[m]);
        if (!s.ran) continue;
        report_cell(c.report, "%s", pool_mode_label(running[m]));
        report_cell(c.report, "%d", jobs);
        report_cell(c.report, "%.3f", s.wall_s.median);
        report_cell(c.report, "%.2fx", s.wall_s.median / processes);
        report_end_row(c.report);
    }

    /* 4. fork as the parent's memory grows; a thread does not care */
    long cap = available_mib() / 4, sizes[] = { 0, 256, 1024, 2048, 4096, 8192 };
    report_table(c.report, "4. fork+wait as the parent's touched memory grows (threads beside it):", 5, names);
    spawn_cost largest_fork = small[SPAWN_FORK], largest_thread = small[SPAWN_THREAD];
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        long mib = sizes[i];
        if (mib > max_rss_mib || mib > cap) break;
        progress("fork with %ld MiB touched ...", mib);
        char *memory = touch(mib);
        int n = c.cli.scale == SCALE_TINY ? 5 : 15;
        spawn_cost f = measure(SPAWN_FORK, mib, n, &w), t = measure(SPAWN_THREAD, mib, n, &w);
        cost_row(&c, &f, t.median);
        cost_row(&c, &t, t.median);
        largest_fork = f;
        largest_thread = t;
        if (memory) munmap(memory, (size_t)mib << 20);
    }
    chapter_commit_csv(&c, &w, "spawn.csv");
    write_summary_csv(&c);

    /* The verdict, half-sentence by half-sentence. */
    double start_ratio = small[SPAWN_FORK].median / small[SPAWN_THREAD].median;
    double big_ratio = largest_fork.median / largest_thread.median;
    mode_summary threads = chapter_summary(&c, MODE_THREADS), gil_threads = chapter_summary(&c, MODE_GIL_THREADS);
    char running_part[240] = "";
    if (threads.ran)
        snprintf(running_part, sizeof running_part, "once running, C threads took %.2fx the processes' time on CPU "
                 "work", threads.wall_s.median / processes);
    if (gil_threads.ran)
        snprintf(running_part + strlen(running_part), sizeof running_part - strlen(running_part),
                 "%sGIL-threads %.2fx", threads.ran ? ", but " : "once running, ", gil_threads.wall_s.median / processes);
    report_verdict(c.report, "HALF TRUE on this machine: the memory is shared by threads and not by processes; "
                   "fork+wait cost %.1fx a thread's create+join with a small parent and %.1fx with %ld MiB touched; "
                   "%s.", start_ratio, big_ratio, largest_fork.rss_mib, running_part);
    chapter_plot_string(&c, "note", "%d cores (%s), scale %s, %d spawns per method", c.machine.cores,
                     c.machine.cpu_model, cli_scale_name(c.cli.scale), reps);
    return chapter_finish(&c);
}
