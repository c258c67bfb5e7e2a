/* bench.c — the headline ratios on this machine, measured in one run.
 *
 * cpu_heavy with jobs = cores, as serial code, C threads, GIL-threads and
 * processes (modes interleaved, median of the reps), then the live tracker's
 * clock readings per second per thread; then 16 requests of 0.25 s each to the
 * local latency server, serially and on 16 C threads, 16 GIL-threads, 16
 * processes and one curl-multi event loop; then what a process costs to start
 * against a thread, and oversubscribed (4 x cores processes) against right-sized
 * (cores) on the same CPU work; last, chapter 3's two ways of pairing GIL-threads with
 * serial (one long run each per round, or six alternating turns each), quiet and
 * beside a busy loop pinned to the first CPU. Speedup = serial time / mode time. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "pool.h"
#include "stats.h"
#include "work.h"

enum { REPS = 9, IO_REPS = 6 }; /* 9 paired reps: a 96 % interval from the 2nd and 8th (stats.h) */
#define JOB_SECONDS 0.4

typedef struct {
    uint64_t samples;
    tracker_log *logs;
} tracker_job;

static int64_t track_job(void *ctx, int task)
{
    tracker_job *j = ctx;
    live_tracker(j->samples, 50000, &j->logs[task]);
    return 0;
}

/* Clock readings per second per job, with every job running at once in `mode`. */
static double samples_per_second(pool_mode mode, const pool_config *config, int jobs)
{
    enum { CAPACITY = 1 << 16 };
    tracker_job job = { calibrate_live_tracker(0.3), pool_shared_alloc((size_t)jobs * sizeof(tracker_log)) };
    for (int j = 0; j < jobs; j++)
        job.logs[j] = (tracker_log){ pool_shared_alloc(CAPACITY * sizeof(run_interval)), CAPACITY, 0, 0, 0 };
    task_record *records = calloc((size_t)jobs, sizeof *records);
    pool_config c = *config;
    c.mode = mode;
    pool_outcome out;
    if (pool_map(&c, track_job, &job, jobs, records, &out) != 0) {
        fprintf(stderr, "bench: live tracker failed: %s\n", out.error);
        exit(1);
    }
    double rate = 0;
    for (int j = 0; j < jobs; j++) {
        rate += (double)job.logs[j].samples / ns_to_s(records[j].end_ns - records[j].start_ns);
        pool_shared_free(job.logs[j].intervals, CAPACITY * sizeof(run_interval));
    }
    pool_shared_free(job.logs, (size_t)jobs * sizeof(tracker_log));
    free(records);
    return rate / jobs;
}

/* Wall time of one map of `jobs` tasks in `mode`, pool start-up included. */
static double wall_s(pool_mode mode, const pool_config *config, pool_task task, void *ctx, int jobs)
{
    task_record *records = calloc((size_t)jobs, sizeof *records);
    pool_outcome out;
    pool_config c = *config;
    c.mode = mode;
    if (pool_map(&c, task, ctx, jobs, records, &out) != 0) {
        fprintf(stderr, "bench: %s failed: %s\n", pool_mode_label(mode), out.error);
        exit(1);
    }
    free(records);
    return ns_to_s(out.end_ns - out.start_ns);
}

/* numerator[r] / denominator[r] for each rep (a paired ratio), as a median with its
 * 95 % interval (stats.h). */
static estimate paired(const double *numerator, const double *denominator, int reps)
{
    return stats_paired_ratio(numerator, denominator, (size_t)reps);
}

static void print_ratio(const char *name, estimate e)
{
    printf("%-34s %6.3f (%.3f-%.3f, %.0f %% interval, %d paired reps)\n", name, e.median, e.lo, e.hi,
           100 * e.coverage, e.n);
}

/* ---- I/O: 16 requests to the local latency server ---- */

enum { REQUESTS = 16 };

typedef struct {
    char *urls[REQUESTS];
    fetch_record *fetches;
} io_job;

static int64_t fetch_job(void *ctx, int task)
{
    io_job *j = ctx;
    http_fetch(j->urls[task], 2, 30, &j->fetches[task]);
    return j->fetches[task].status;
}

static int failures(const fetch_record *f)
{
    int n = 0;
    for (int i = 0; i < REQUESTS; i++) n += f[i].status != 200;
    return n;
}

static void io_bench(const lab_server *server, gil_t *gil)
{
    io_job job = { .fetches = pool_shared_alloc(REQUESTS * sizeof(fetch_record)) };
    char urls[REQUESTS][96];
    for (int i = 0; i < REQUESTS; i++) {
        snprintf(urls[i], sizeof urls[i], "%s/page/%d", server->base_url, i);
        job.urls[i] = urls[i];
    }
    printf("bench: %d requests x 0.05 s to the local latency server, %d workers, %d interleaved reps\n", REQUESTS,
           REQUESTS, IO_REPS);
    const pool_mode modes[] = { MODE_SERIAL, MODE_THREADS, MODE_GIL_THREADS, MODE_PROCESSES, MODE_EVENT_LOOP };
    double wall[MODE_COUNT][IO_REPS];
    int failed = 0;
    pool_config config = { MODE_SERIAL, REQUESTS, 1, gil };
    for (int rep = 0; rep < IO_REPS; rep++)
        for (int m = 0; m < 5; m++) {
            if (modes[m] == MODE_EVENT_LOOP) {
                int64_t t0 = now_ns();
                http_fetch_all(job.urls, REQUESTS, 2, 30, job.fetches);
                wall[modes[m]][rep] = ns_to_s(now_ns() - t0);
            } else {
                wall[modes[m]][rep] = wall_s(modes[m], &config, fetch_job, &job, REQUESTS);
            }
            failed += failures(job.fetches);
        }
    const char *names[] = { "", "serial/16 threads:", "serial/16 GIL-threads:", "serial/16 processes:",
                            "serial/curl-multi:" };
    for (int m = 1; m < 5; m++) print_ratio(names[m], paired(wall[MODE_SERIAL], wall[modes[m]], IO_REPS));
    printf("failed requests: %d\n", failed);
    pool_shared_free(job.fetches, REQUESTS * sizeof(fetch_record));
    if (failed) exit(1);
}

/* ---- spawning and oversubscription ---- */

static void *nothing(void *arg)
{
    return arg;
}

/* One creation and its join or wait, timed. */
static double spawn_s(int use_fork)
{
    int64_t t0 = now_ns();
    if (use_fork) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        waitpid(pid, NULL, 0);
    } else {
        pthread_t th;
        pthread_create(&th, NULL, nothing, NULL);
        pthread_join(th, NULL);
    }
    return ns_to_s(now_ns() - t0);
}

static void spawn_and_oversubscription_bench(int cores)
{
    enum { SPAWNS = 64 };
    double fork_s[SPAWNS], thread_s[SPAWNS];
    spawn_s(0), spawn_s(1); /* warm up */
    for (int r = 0; r < SPAWNS; r++) { /* interleaved: a thread, then a fork */
        thread_s[r] = spawn_s(0);
        fork_s[r] = spawn_s(1);
    }
    printf("bench: spawning with a small parent, %d of each, interleaved\n", SPAWNS);
    print_ratio("fork+wait / pthread_create+join:", paired(fork_s, thread_s, SPAWNS));
    int tasks = 16 * cores;
    uint64_t iterations = calibrate_cpu_heavy(0.3 / tasks);
    pool_config config = { MODE_PROCESSES, cores, 1, NULL };
    double right[REPS], over[REPS];
    for (int rep = 0; rep < REPS; rep++) {
        config.workers = cores;
        right[rep] = wall_s(MODE_PROCESSES, &config, cpu_heavy_task, &iterations, tasks);
        config.workers = 4 * cores;
        over[rep] = wall_s(MODE_PROCESSES, &config, cpu_heavy_task, &iterations, tasks);
    }
    printf("bench: %d CPU tasks (0.3 s of work), %d interleaved reps\n", tasks, REPS);
    char name[80];
    snprintf(name, sizeof name, "%d processes / %d (time):", 4 * cores, cores);
    print_ratio(name, paired(over, right, REPS));
}

/* ---- chapter 3's pairing: one long run per mode, or turns ---- */

enum { PAIRING_ROUNDS = 12, TURNS = 6 };

/* A busy loop on the first CPU this process may use, until killed. */
static pid_t start_pinned_hog(void)
{
    cpu_set_t mine, first;
    CPU_ZERO(&first);
    if (sched_getaffinity(0, sizeof mine, &mine) != 0) return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &mine)) {
            CPU_SET(cpu, &first);
            break;
        }
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the bench */
        sched_setaffinity(0, sizeof first, &first);
        for (volatile unsigned long spin = 0;; spin++) {
        }
    }
    return pid;
}

/* GIL-threads' time / serial's, per round, both ways, the ways alternating who goes first. */
static void pairing_rounds(int cores, double *one_run, double *turns)
{
    uint64_t full = calibrate_cpu_heavy(0.15), slice = full / TURNS;
    gil_t *gil = gil_create(0.005);
    pool_config config = { MODE_SERIAL, cores, 1, gil };
    for (int r = 0; r < PAIRING_ROUNDS; r++)
        for (int way = 0; way < 2; way++) {
            if ((way + r) % 2 == 0) {
                double s = wall_s(MODE_SERIAL, &config, cpu_heavy_task, &full, cores);
                one_run[r] = wall_s(MODE_GIL_THREADS, &config, cpu_heavy_task, &full, cores) / s;
                continue;
            }
            double s = 0, g = 0;
            for (int t = 0; t < TURNS; t++) { /* serial first, then GIL-threads first, ... */
                pool_mode first = t % 2 ? MODE_GIL_THREADS : MODE_SERIAL;
                double a = wall_s(first, &config, cpu_heavy_task, &slice, cores);
                double b = wall_s(t % 2 ? MODE_SERIAL : MODE_GIL_THREADS, &config, cpu_heavy_task, &slice, cores);
                s += first == MODE_SERIAL ? a : b;
                g += first == MODE_SERIAL ? b : a;
            }
            turns[r] = g / s;
        }
    gil_destroy(gil);
}

static void pairing_bench(int cores)
{
    for (int hog = 0; hog < 2; hog++) {
        pid_t pid = hog ? start_pinned_hog() : 0;
        double one_run[PAIRING_ROUNDS], turns[PAIRING_ROUNDS];
        pairing_rounds(cores, one_run, turns);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        printf("bench: chapter 3's pairing, GIL-threads / serial, %d rounds%s\n", PAIRING_ROUNDS,
               hog ? ", beside a busy loop on the first CPU" : "");
        estimate a = stats_estimate(one_run, PAIRING_ROUNDS), b = stats_estimate(turns, PAIRING_ROUNDS);
        printf("  one run each:   %.3f (%.3f-%.3f), interval +-%.1f %%\n", a.median, a.lo, a.hi,
               100 * stats_relative_width(a));
        printf("  %d turns each:   %.3f (%.3f-%.3f), interval +-%.1f %%\n", TURNS, b.median, b.lo, b.hi,
               100 * stats_relative_width(b));
    }
}

int main(void)
{
    /* The server child first, before any thread exists. */
    http_global_init();
    lab_server server;
    char error[300];
    if (lab_server_start(&server, "uniform:0.05", 1024, error, sizeof error) != 0) {
        fprintf(stderr, "bench: %s\n", error);
        return 1;
    }
    int cores = online_cores(), jobs = cores;
    uint64_t iterations = calibrate_cpu_heavy(JOB_SECONDS);
    gil_t *gil = gil_create(0.005);
    pool_config config = { MODE_SERIAL, jobs, 1, gil };
    const pool_mode modes[] = { MODE_SERIAL, MODE_THREADS, MODE_GIL_THREADS, MODE_PROCESSES };
    double wall[MODE_COUNT][REPS];

    printf("bench: cpu_heavy, %d jobs x %.2f s on %d cores, %d workers, %d interleaved reps\n",
           jobs, JOB_SECONDS, cores, jobs, REPS);
    for (int rep = 0; rep < REPS; rep++)
        for (int m = 0; m < 4; m++) wall[modes[m]][rep] = wall_s(modes[m], &config, cpu_heavy_task, &iterations, jobs);

    printf("  %-12s %9s %20s\n", "mode", "median s", "95% interval s");
    for (int m = 0; m < 4; m++) {
        estimate e = stats_estimate(wall[modes[m]], REPS);
        printf("  %-12s %9.3f %9.3f-%-9.3f\n", pool_mode_label(modes[m]), e.median, e.lo, e.hi);
    }
    /* Speed-ups paired within each rep: serial's time / the mode's, same rep. */
    print_ratio("processes/serial speedup:", paired(wall[MODE_SERIAL], wall[MODE_PROCESSES], REPS));
    print_ratio("C-threads/serial speedup:", paired(wall[MODE_SERIAL], wall[MODE_THREADS], REPS));
    print_ratio("GIL-threads/serial speedup:", paired(wall[MODE_SERIAL], wall[MODE_GIL_THREADS], REPS));

    printf("live tracker, samples/s per thread: %.1f M (C threads), %.1f M (GIL-threads), %d threads\n",
           samples_per_second(MODE_THREADS, &config, jobs) / 1e6,
           samples_per_second(MODE_GIL_THREADS, &config, jobs) / 1e6, jobs);
    io_bench(&server, gil);
    lab_server_stop(&server);
    spawn_and_oversubscription_bench(cores);
    pairing_bench(cores);
    gil_destroy(gil);
    return 0;
}
