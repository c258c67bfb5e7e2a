/* chapter13.c — "Processes scale past one machine; threads can't": the same CPU map
 * on MPI ranks, what starting them costs, and what a message costs.
 *
 * (a) Chapter 1's cpu_heavy jobs split over 1 .. 2 x cores workers, as forked
 *     processes (the pool) and as MPI ranks (mpirun -np N, Open MPI), in the same
 *     rounds: speed-up against one worker for both. The ranks' time runs from a
 *     barrier after MPI_Init to rank 0 holding every job's record (MPI_Gatherv).
 * (b) Start-up: from the fork of mpirun to rank 0's first line (every rank through
 *     MPI_Init and a barrier), against a fork pool and a thread pool of as many
 *     workers, to the moment all of them run (common/pool).
 * (c) What a message costs: round trips of 8 B to 4 MiB between two ranks over
 *     Open MPI's shared-memory transport and over TCP, and between two processes
 *     over a pipe and over shared memory, and two threads (common/pingpong).
 * (d) When distributing pays: a model of a job of W seconds over P ranks that
 *     exchange M bytes S times, from (a)'s speed-up and (c)'s message costs.
 * Real CPython runs (a) and (c)'s shared-memory ping-pong with mpi4py (original.py)
 * under the same mpirun.
 *
 * usage:  build/chapter13 [--hostfile FILE] [--steps S] [--message-bytes M] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/13-beyond-one-machine/reference/summary.md. */
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "cpython.h"
#include "mpirun.h"
#include "pingpong.h"
#include "work.h"

/* Ranks and processes "match" when their times at one count are within 25 % of each
 * other, over the whole interval. */
#define MATCH_WITHIN 1.25
#define MOST_WORKERS 16
/* The map: enough jobs that every count from 1 to 2 x cores gets an even share. */
#define JOBS_PER_CORE 12
/* The round trips timed per message size, at most (fewer for large ones). */
#define MOST_TRIPS 2000
/* CPython's round trips are slower (each call goes through the interpreter). */
#define MOST_PYTHON_TRIPS 500
/* At the tiny scale, which only shows that everything runs (and runs under the
 * sanitizers, which slow every copy down): at most this many, in C and CPython. */
#define MOST_TINY_TRIPS 64

static const long sizes[] = { 8, 64, 512, 4096, 32768, 262144, 1048576, 4194304 };
#define SIZES (int)(sizeof sizes / sizeof *sizes)

/* The ways a message travels, each a family of series over the sizes. */
enum { WAY_MPI_SHM, WAY_MPI_TCP, WAY_PIPE, WAY_SHM, WAY_THREADS, WAY_CPYTHON, WAYS };
static const struct {
    const char *family, *label;
    pool_mode mode;
    unsigned colour;
} ways[WAYS] = {
    { "pingpong-mpi-shm", "MPI, shared memory", MODE_MPI, 0x6a3d9a },
    { "pingpong-mpi-tcp", "MPI, TCP", MODE_MPI, 0xe31a1c },
    { "pingpong-pipe", "processes, pipe", MODE_PROCESSES, 0x2ca02c },
    { "pingpong-shm", "processes, shared memory", MODE_PROCESSES, 0x1b9e77 },
    { "pingpong-threads", "threads, shared buffer", MODE_THREADS, 0x1f77b4 },
    { "pingpong-cpython", "CPython MPI (mpi4py), shared memory", MODE_CPYTHON_MPI, 0xcab2d6 },
};

typedef struct {
    chapter *c;
    mpi_launcher mpi;
    int counts[MOST_WORKERS], count_n; /* 1 .. 2 x cores workers (tiny: 1 and the cores) */
    int most_trips, most_python_trips; /* per message size (pingpong_trips) */
    int cores;                         /* the cores (or, with a hostfile, the slots) */
    int jobs;
    uint64_t iterations;
    double steps, message_bytes; /* the model's job (--steps, --message-bytes) */
    const char *const *hostfile; /* --hostfile, once parsed; NULL inside: none */
    bool have_mpi;               /* mpirun and the ranks' program were found */
    char no_mpi[400];            /* why not, and how to install Open MPI */
} experiment;

static const char *pingpong_key(char *out, size_t size, int way, int s)
{
    return series_key(out, size, ways[way].family, (double)sizes[s], "B");
}

static void declare_series(experiment *e)
{
    chapter *c = e->c;
    chapter_series(c, "processes", "processes", NAN, "processes (fork pool)", MODE_PROCESSES, "processes", 1, 0);
    chapter_series(c, "mpi", "mpi", NAN, NULL, MODE_MPI, "mpi", 1, 0);
    chapter_series(c, "cpython-mpi", "cpython-mpi", NAN, NULL, MODE_CPYTHON_MPI, "cpython-mpi", 1, 0);
    /* Start-up at n workers, against itself at 1 (how it grows with n). */
    static const struct { const char *key, *label; pool_mode mode; } launches[] = {
        { "launch-threads", "start-up: thread pool", MODE_THREADS },
        { "launch-processes", "start-up: fork pool", MODE_PROCESSES },
        { "launch-mpi", "start-up: mpirun", MODE_MPI },
    };
    for (size_t i = 0; i < sizeof launches / sizeof *launches; i++)
        chapter_series(c, launches[i].key, launches[i].key, NAN, launches[i].label, launches[i].mode, launches[i].key,
                       1, 0);
    for (int w = 0; w < WAYS; w++)
        for (int s = 0; s < SIZES; s++) {
            char key[64];
            chapter_series(c, pingpong_key(key, sizeof key, w, s), ways[w].family, (double)sizes[s], ways[w].label,
                           ways[w].mode, NULL, 0, ways[w].colour);
        }
}

/* ---- running MPI ---------------------------------------------------------------- */

static double mpirun_timeout_s(const experiment *e)
{
    return 60 + 20 * cli_work_seconds(e->c->cli.scale);
}

/* Run the ranks; a failure ends the chapter (exit 1, one line). The first time the
 * shared-memory transport fails, once more without its single-copy mechanism, the
 * setting for a container that forbids one process to read another's memory with
 * process_vm_readv (btl_vader_single_copy_mechanism: cma, emulated or none, as
 * `ompi_info --param btl vader --level 9` lists it). */
static void run_ranks(experiment *e, int ranks, mpi_transport transport, const char *const *args, mpi_outcome *out)
{
    if (mpirun_run(&e->mpi, ranks, transport, args, mpirun_timeout_s(e), out) == 0) return;
    if (out->shared_memory_failed && !e->mpi.single_copy_off) {
        warn_user(e->c->program, "%s; again with --mca btl_vader_single_copy_mechanism none", out->error);
        chapter_meta(e->c, "mpi_single_copy", "none (the shared-memory transport failed: %s)", out->error);
        e->mpi.single_copy_off = true;
        mpirun_done(out);
        if (mpirun_run(&e->mpi, ranks, transport, args, mpirun_timeout_s(e), out) == 0) return;
    }
    chapter_fail(e->c, EXIT_EXPERIMENT_FAILED, "%s%s", out->error,
                 out->shared_memory_failed ? " (the shared-memory transport: try OMPI_MCA_btl=^vader in the "
                                             "environment, or a larger /dev/shm)" : "");
}

/* The next line of rank 0's output, or NULL. */
static char *next_line(char **cursor)
{
    if (!*cursor || !**cursor) return NULL;
    char *line = *cursor, *end = strchr(line, '\n');
    if (end) *end = '\0';
    *cursor = end ? end + 1 : line + strlen(line);
    return line;
}

/* "job TASK RANK PID START END CPU RESULT" into a record, times from `base`. */
static bool parse_job(const char *line, int64_t base, int jobs, task_record *records)
{
    int64_t task, rank, pid, start, end, cpu, result;
    int used = 0;
    if (sscanf(line, "job %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 "%n",
               &task, &rank, &pid, &start, &end, &cpu, &result, &used) != 7 || line[used] != '\0')
        return false;
    if (task < 0 || task >= jobs || records[task].end_ns || start < 0 || end < start || cpu < 0) return false;
    records[task] = (task_record){ .task = (int)task, .worker = (int)rank, .pid = (int)pid, .start_ns = base + start,
                                   .end_ns = base + end, .cpu_ns = cpu, .core = -1, .result = result };
    return true;
}

/* One map on `ranks` ranks: its run (barrier to gather) and its start-up. */
static void mpi_map(experiment *e, int ranks, int rep)
{
    char iterations[32], jobs[16];
    snprintf(iterations, sizeof iterations, "%" PRIu64, e->iterations);
    snprintf(jobs, sizeof jobs, "%d", e->jobs);
    const char *args[] = { "map", iterations, jobs, NULL };
    mpi_outcome out;
    run_ranks(e, ranks, MPI_SHARED_MEMORY, args, &out);
    task_record *records = xcalloc((size_t)e->jobs, sizeof *records);
    int64_t base = out.capture.first_out_ns, wall = -1;
    int said_ranks = 0, parsed = 0, bad = 0;
    char *cursor = out.capture.out.text, *line;
    while ((line = next_line(&cursor)) && !bad) {
        if (sscanf(line, "ready %d", &said_ranks) == 1) continue;
        if (sscanf(line, "map %d %" SCNd64, &said_ranks, &wall) == 2) continue;
        if (parse_job(line, base, e->jobs, records)) parsed++;
        else bad = 1;
    }
    uint64_t expected = cpu_heavy_expected(e->iterations);
    for (int t = 0; t < e->jobs && !bad; t++) bad = records[t].result != (int64_t)expected;
    if (bad || parsed != e->jobs || wall <= 0 || said_ranks != ranks) {
        free(records);
        mpirun_done(&out);
        chapter_fail(e->c, EXIT_EXPERIMENT_FAILED,
                     "the %d ranks' output is not what the chapter expects (%d of %d jobs "
                     "with the right sum)", ranks, bad ? 0 : parsed, e->jobs);
    }
    chapter_add_run(e->c, "mpi", ranks, rep, e->jobs, records, base, base + wall);
    task_record *ready = xcalloc(1, sizeof *ready);
    *ready = (task_record){ .start_ns = out.capture.started_ns, .end_ns = out.capture.first_out_ns, .core = -1 };
    chapter_add_run(e->c, "launch-mpi", ranks, rep, 1, ready, out.capture.started_ns, out.capture.first_out_ns);
    mpirun_done(&out);
}

/* One untimed map on 2 ranks: Open MPI's libraries into the page cache, and a
 * transport that fails (a container's) found before the first round. */
static void mpi_warm_up(experiment *e)
{
    char iterations[32];
    snprintf(iterations, sizeof iterations, "%" PRIu64, e->iterations);
    const char *args[] = { "map", iterations, "2", NULL };
    mpi_outcome out;
    run_ranks(e, 2, MPI_SHARED_MEMORY, args, &out);
    mpirun_done(&out);
}

/* The MPI ping-pong over one transport: every size, one run each. */
static void mpi_pingpong(experiment *e, int way, int rep)
{
    char trips[16], size_text[SIZES][24];
    const char *args[SIZES + 3] = { "pingpong", trips };
    snprintf(trips, sizeof trips, "%d", e->most_trips);
    for (int s = 0; s < SIZES; s++) {
        snprintf(size_text[s], sizeof size_text[s], "%ld", sizes[s]);
        args[2 + s] = size_text[s];
    }
    args[SIZES + 2] = NULL;
    mpi_outcome out;
    run_ranks(e, 2, way == WAY_MPI_TCP ? MPI_TCP : MPI_SHARED_MEMORY, args, &out);
    char *cursor = out.capture.out.text, *line;
    int found = 0;
    while ((line = next_line(&cursor))) {
        long size;
        int n;
        int64_t ns;
        if (sscanf(line, "pingpong %ld %d %" SCNd64, &size, &n, &ns) != 3) continue;
        for (int s = 0; s < SIZES; s++) {
            if (sizes[s] != size || n < 1 || ns <= 0) continue;
            char key[64];
            task_record *r = xcalloc(1, sizeof *r);
            *r = (task_record){ .start_ns = out.capture.first_out_ns, .end_ns = out.capture.first_out_ns + ns,
                                .core = -1, .result = size };
            const chapter_run *run = chapter_add_run(e->c, pingpong_key(key, sizeof key, way, s), 2, rep, 1, r,
                                                     r->start_ns, r->end_ns);
            chapter_measure_run(e->c, run, (double)ns / 1e9 / n / 2); /* one way */
            found++;
        }
    }
    mpirun_done(&out);
    if (found != SIZES)
        chapter_fail(e->c, EXIT_EXPERIMENT_FAILED, "the MPI ping-pong printed %d of its %d sizes", found, SIZES);
}

/* ---- the same on one machine, without MPI --------------------------------------- */

static void local_pingpong(experiment *e, int way, int rep)
{
    static const pingpong_way local[WAYS] = { [WAY_PIPE] = PINGPONG_PIPE, [WAY_SHM] = PINGPONG_SHM,
                                              [WAY_THREADS] = PINGPONG_THREADS };
    for (int s = 0; s < SIZES; s++) {
        int trips = pingpong_trips(sizes[s], e->most_trips);
        double seconds;
        char error[200], key[64];
        int64_t begun = now_ns();
        if (pingpong_run(local[way], sizes[s], trips, &seconds, error, sizeof error) != 0)
            chapter_fail(e->c, EXIT_EXPERIMENT_FAILED, "%s: %s", ways[way].label, error);
        task_record *r = xcalloc(1, sizeof *r);
        *r = (task_record){ .start_ns = begun, .end_ns = now_ns(), .core = -1, .result = sizes[s] };
        const chapter_run *run = chapter_add_run(e->c, pingpong_key(key, sizeof key, way, s), 2, rep, 1, r,
                                                 r->start_ns, r->end_ns);
        chapter_measure_run(e->c, run, seconds / trips / 2);
    }
}

/* A start-up task: wait until every worker of the pool has started one, so the run
 * measures the moment all of them run (as mpirun's barrier does for the ranks). */
typedef struct {
    atomic_int started;
    int workers;
} all_started;

static int64_t wait_for_all(void *ctx, int task)
{
    all_started *a = ctx;
    atomic_fetch_add(&a->started, 1);
    int64_t deadline = now_ns() + 10 * NS_PER_S;
    while (atomic_load(&a->started) < a->workers && now_ns() < deadline) sched_yield();
    return task;
}

static void pool_launch(experiment *e, const char *series, int workers, int rep)
{
    all_started *a = pool_shared_alloc(sizeof *a);
    atomic_init(&a->started, 0);
    a->workers = workers;
    const chapter_run *run = chapter_run_series(e->c, series, workers, rep, wait_for_all, a, workers, NULL);
    int64_t last = run->outcome.start_ns;
    for (int t = 0; t < run->ntasks; t++)
        if (run->records[t].start_ns > last) last = run->records[t].start_ns;
    chapter_measure_run(e->c, run, run_seconds(run, last));
    pool_shared_free(a, sizeof *a);
}

/* ---- one round ------------------------------------------------------------------- */

static void check_sums(experiment *e, const chapter_run *run)
{
    for (int t = 0; t < run->ntasks; t++)
        if (run->records[t].result != (int64_t)cpu_heavy_expected(e->iterations))
            chapter_fail(e->c, EXIT_EXPERIMENT_FAILED, "a job of the fork pool returned the wrong sum");
}

/* The ping-pongs' rounds: their intervals are narrow after a few, and each costs two
 * starts of mpirun. */
#define PINGPONG_ROUNDS 3

/* Every count once, the pool and the ranks in turn (which goes first alternates from
 * round to round, so neither always follows the other); the ping-pongs in the first
 * rounds. */
static void run_round(experiment *e, int rep)
{
    for (int i = 0; i < e->count_n; i++) {
        int n = e->counts[i];
        if (e->have_mpi && rep % 2) mpi_map(e, n, rep);
        check_sums(e, chapter_run_series(e->c, "processes", n, rep, cpu_heavy_task, &e->iterations, e->jobs, NULL));
        if (e->have_mpi && !(rep % 2)) mpi_map(e, n, rep);
        pool_launch(e, "launch-processes", n, rep);
        pool_launch(e, "launch-threads", n, rep);
    }
    if (rep >= PINGPONG_ROUNDS) return;
    for (int w = 0; w < WAY_CPYTHON; w++) { /* CPython's comes after the rounds (run_python) */
        if (w != WAY_MPI_SHM && w != WAY_MPI_TCP) local_pingpong(e, w, rep);
        else if (e->have_mpi) mpi_pingpong(e, w, rep);
    }
}

/* ---- what it shows --------------------------------------------------------------- */

/* A table cell: the estimate, or "-" where nothing ran (no Open MPI). */
static void estimate_cell(report *r, estimate e, const char *format)
{
    char text[64];
    report_cell(r, "%s", e.n ? estimate_text(e, format, text, sizeof text) : "-");
}

/* The command line of the map at the core count, as a student would type it. */
static void say_command(experiment *e)
{
    mpirun_line line;
    mpirun_command(&e->mpi, e->cores, MPI_SHARED_MEMORY, &line);
    /* the hostfile as given, not its copy, where it is plain text inside a code span */
    const char *path = *e->hostfile && strspn(*e->hostfile, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                           "0123456789._/-") == strlen(*e->hostfile)
                           ? *e->hostfile : "FILE";
    char text[600] = "";
    for (int i = 0; i < line.count; i++) {
        /* mpirun by name, not where PATH found it */
        bool copy = i > 0 && strcmp(line.argv[i - 1], "--hostfile") == 0;
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s ",
                 i == 0 ? "mpirun" : copy ? path : line.argv[i]);
    }
    report_text(e->c->report, "The ranks ran as `%sbuild/mpi-rank map %" PRIu64 " %d` (-np: 1 to %d); the TCP "
                "ping-pong with `--mca btl tcp,self` instead.", text, e->iterations, e->jobs,
                e->counts[e->count_n - 1]);
}

static void map_table(experiment *e)
{
    chapter *c = e->c;
    if (e->have_mpi) say_command(e);
    const char *names[] = { "workers", "processes s", "speed-up", "MPI ranks s", "speed-up", "ranks / processes" };
    report_table(c->report, "(a) The same CPU jobs on n workers: forked processes and MPI ranks (median and 95% "
                 "interval over rounds; speed-up over 1 worker, paired within each round):", 6, names);
    for (int i = 0; i < e->count_n; i++) {
        int n = e->counts[i];
        report_cell(c->report, "%d%s", n, n == e->cores ? (e->mpi.hosts ? " (= slots)" : " (= cores)") : "");
        estimate_cell(c->report, chapter_series_summary(c, "processes", n).wall, "%.3f");
        estimate_cell(c->report, stats_inverse(chapter_series_ratio(c, "processes", n, "processes", 1)), "%.2fx");
        estimate_cell(c->report, chapter_series_summary(c, "mpi", n).wall, "%.3f");
        estimate_cell(c->report, stats_inverse(chapter_series_ratio(c, "mpi", n, "mpi", 1)), "%.2fx");
        estimate_cell(c->report, chapter_series_ratio(c, "mpi", n, "processes", n), "%.2fx");
        report_end_row(c->report);
    }
    /* Where adding workers stops paying, for each (as chapter 7 names it). */
    chapter_plateau pool = chapter_plateau_of(c, "processes", e->counts, e->count_n);
    chapter_meta(c, "processes_plateau", "%s", pool.plateau);
    if (!e->have_mpi) {
        report_text(c->report, "The fork pool was as fast as its fastest within the intervals at %s workers.",
                    pool.plateau);
        return;
    }
    chapter_plateau ranks = chapter_plateau_of(c, "mpi", e->counts, e->count_n);
    chapter_meta(c, "mpi_plateau", "%s", ranks.plateau);
    report_text(c->report, "As fast as the fastest within the intervals (the plateau): the fork pool at %s workers, "
                "the ranks at %s (%s = %d).", pool.plateau, ranks.plateau, e->mpi.hosts ? "slots" : "cores", e->cores);
    /* What the times are made of: the same loop and iterations in both, so a difference
     * in CPU time per job is a difference in how fast the loop ran, not start-up or
     * messages. */
    double pool_job = chapter_series_summary(c, "processes", 1).cpu_s / e->jobs;
    double rank_job = chapter_series_summary(c, "mpi", 1).cpu_s / e->jobs;
    chapter_meta(c, "cpu_ms_per_job", "fork pool %.2f, ranks %.2f (1 worker)", 1e3 * pool_job, 1e3 * rank_job);
    report_text(c->report, "CPU time per job on 1 worker (median over rounds): %.2f ms in the fork pool, %.2f ms in the "
                "ranks: the same loop and iterations, so the ranks' loop ran %.2fx as fast. This chapter does not "
                "measure why; it moves the ratio of their times by as much.", 1e3 * pool_job, 1e3 * rank_job,
                rank_job > 0 ? pool_job / rank_job : NAN);
}

static void launch_table(experiment *e)
{
    chapter *c = e->c;
    const char *names[] = { "workers", "thread pool ms", "fork pool ms", "mpirun ms" };
    report_table(c->report, "(b) Start-up: from starting n workers until all of them run (median and 95% interval "
                 "over rounds, in ms):", 4, names);
    for (int i = 0; i < e->count_n; i++) {
        int n = e->counts[i];
        const char *keys[] = { "launch-threads", "launch-processes", "launch-mpi" };
        report_cell(c->report, "%d", n);
        for (int k = 0; k < 3; k++)
            estimate_cell(c->report, stats_scaled(chapter_series_summary(c, keys[k], n).wall, 1e3), "%.2f");
        report_end_row(c->report);
    }
}

static estimate one_way(const chapter *c, int way, int s)
{
    char key[64];
    return chapter_series_summary(c, pingpong_key(key, sizeof key, way, s), 2).wall;
}

static void pingpong_table(experiment *e)
{
    chapter *c = e->c;
    const char *names[] = { "bytes", "MPI shm", "MPI TCP", "pipe", "shared memory", "threads", "CPython MPI" };
    char caption[200];
    snprintf(caption, sizeof caption, "(c) One message, one way (half a round trip; median and interval over the "
             "first %d rounds, in microseconds):", PINGPONG_ROUNDS);
    report_table(c->report, caption, WAYS + 1, names);
    for (int s = 0; s < SIZES; s++) {
        char size[24];
        report_cell(c->report, "%s", bytes_text((size_t)sizes[s], size, sizeof size));
        for (int w = 0; w < WAYS; w++) estimate_cell(c->report, stats_scaled(one_way(c, w, s), 1e6), "%.3g");
        report_end_row(c->report);
    }
}

/* ---- (d) the model --------------------------------------------------------------- */

/* A link: its latency (one way, seconds) and bandwidth (bytes per second). */
typedef struct {
    const char *name;
    double latency_s, bytes_per_s;
} link_cost;

/* Latency and bandwidth from this run's one-way times: the smallest message's time,
 * and the largest message's size over its time. */
static link_cost measured_link(const chapter *c, int way)
{
    double small = one_way(c, way, 0).median, large = one_way(c, way, SIZES - 1).median;
    return (link_cost){ ways[way].label, small, (double)sizes[SIZES - 1] / large };
}

/* Two cluster links, from published figures (README, "When does distributing pay?"):
 * 10 Gigabit Ethernet with TCP as Hurwitz and Feng measured it between two PCs (Hot
 * Interconnects 11, 2003: 20 us end to end, over 4 Gb/s), and InfiniBand HDR at the
 * 200 Gb/s and sub-600 ns latency NVIDIA's ConnectX-6 user manual states. */
static const link_cost cluster_links[] = {
    { "10 Gigabit Ethernet, TCP (2003)", 20e-6, 4e9 / 8 },
    { "InfiniBand HDR (ConnectX-6)", 0.6e-6, 200e9 / 8 },
};

/* One exchange of M bytes on P ranks: the α-β (Hockney) cost of one message, times
 * the log2 P steps of a recursive-doubling allreduce (Thakur, Rabenseifner and Gropp,
 * 2005). */
static double exchange_s(link_cost l, double bytes, int ranks)
{
    return ranks > 1 ? ceil(log2(ranks)) * (l.latency_s + bytes / l.bytes_per_s) : 0;
}

/* The rank count (up to 1024) with the shortest predicted time for `work_s` seconds of
 * work spread ideally: where adding ranks stops paying. */
static int best_ranks(link_cost l, double work_s, double steps, double bytes)
{
    int best = 1;
    double best_s = work_s;
    for (int p = 2; p <= 1024; p++) {
        double t = work_s / p + steps * exchange_s(l, bytes, p);
        if (t < best_s) best = p, best_s = t;
    }
    return best;
}

/* The smallest job (seconds of work on one rank) for which 2 ranks beat 1: W / s2 +
 * S x exchange < W, s2 the speed-up 2 ranks measured. */
static double break_even_s(link_cost l, double steps, double bytes, double speed_up_2)
{
    return speed_up_2 > 1 ? steps * exchange_s(l, bytes, 2) / (1 - 1 / speed_up_2) : INFINITY;
}

static void model(experiment *e, double *tcp_break_even)
{
    chapter *c = e->c;
    /* This machine's two links: MPI's two transports, or without Open MPI the two
     * ways between processes that need none. */
    const char *speed_series = e->have_mpi ? "mpi" : "processes";
    int first = e->have_mpi ? WAY_MPI_SHM : WAY_SHM, second = e->have_mpi ? WAY_MPI_TCP : WAY_PIPE;
    estimate s2 = stats_inverse(chapter_series_ratio(c, speed_series, 2, speed_series, 1));
    link_cost links[4] = { measured_link(c, first), measured_link(c, second), cluster_links[0], cluster_links[1] };
    chapter_plot_string(c, "shm_label", "%s (measured)", ways[first].label);
    chapter_plot_string(c, "tcp_label", "%s (measured)", ways[second].label);
    const char *names[] = { "link", "latency us", "bandwidth GB/s", "one exchange on 2 ranks ms",
                            "2 ranks pay from a job of" };
    char caption[300];
    snprintf(caption, sizeof caption, "(d) When distributing pays: a job of W seconds on P ranks that exchange %.0f "
             "bytes %.0f times (2 ranks measured %.2fx the speed of 1):", e->message_bytes, e->steps, s2.median);
    report_table(c->report, caption, 5, names);
    for (int i = 0; i < 4; i++) {
        double w = break_even_s(links[i], e->steps, e->message_bytes, s2.median);
        if (i == 1) *tcp_break_even = w;
    }
    double work_s = isfinite(*tcp_break_even) ? 4 * *tcp_break_even : 1.0;
    static const char *const var_prefix[] = { "shm", "tcp", "ge", "ib" };
    for (int i = 0; i < 4; i++) {
        double w = break_even_s(links[i], e->steps, e->message_bytes, s2.median);
        report_cell(c->report, "%s%s", links[i].name, i < 2 ? " (measured)" : "");
        report_cell(c->report, "%.2f", links[i].latency_s * 1e6);
        report_cell(c->report, "%.2f", links[i].bytes_per_s / 1e9);
        report_cell(c->report, "%.3f", exchange_s(links[i], e->message_bytes, 2) * 1e3);
        report_cell(c->report, isfinite(w) ? "%.3f s" : "never", w);
        report_end_row(c->report);
        char name[32];
        snprintf(name, sizeof name, "%s_alpha", var_prefix[i]);
        chapter_plot_var(c, name, "%g", links[i].latency_s);
        snprintf(name, sizeof name, "%s_beta", var_prefix[i]);
        chapter_plot_var(c, name, "%g", links[i].bytes_per_s);
        snprintf(name, sizeof name, "%s_best_p", var_prefix[i]);
        chapter_plot_var(c, name, "%d", best_ranks(links[i], work_s, e->steps, e->message_bytes));
    }
    chapter_plot_var(c, "model_steps", "%g", e->steps);
    chapter_plot_var(c, "model_bytes", "%.0f", e->message_bytes);
    chapter_plot_var(c, "model_work_s", "%g", work_s);
    chapter_meta(c, "tcp_break_even_s", "%.3g", *tcp_break_even);
}

/* ---- the verdict ----------------------------------------------------------------- */

/* The ranks' speed-up at `workers` over the fork pool's, round by round (each over its
 * own 1-worker time, so a loop that runs faster in one program cancels out). */
static estimate speed_up_ratio(const experiment *e, int workers)
{
    double ranks[CHAPTER_MAX_ROUNDS], pool[CHAPTER_MAX_ROUNDS];
    int n = 0;
    for (int rep = 0; rep < e->c->rounds && n < CHAPTER_MAX_ROUNDS; rep++) {
        double m1 = chapter_round_time(e->c, "mpi", 1, rep), mw = chapter_round_time(e->c, "mpi", workers, rep);
        double p1 = chapter_round_time(e->c, "processes", 1, rep);
        double pw = chapter_round_time(e->c, "processes", workers, rep);
        if (m1 <= 0 || mw <= 0 || p1 <= 0 || pw <= 0) continue;
        ranks[n] = m1 / mw, pool[n] = p1 / pw, n++;
    }
    return stats_paired_ratio(ranks, pool, (size_t)n);
}

static void verdict(experiment *e, double tcp_break_even)
{
    chapter *c = e->c;
    estimate at_cores = chapter_series_ratio(c, "mpi", e->cores, "processes", e->cores);
    /* The claim is about speed-up: the ranks' over the fork pool's, at the core count. */
    estimate speed_ups = speed_up_ratio(e, e->cores);
    three_way not_slower = stats_below(stats_inverse(speed_ups), MATCH_WITHIN),
              not_faster = stats_below(speed_ups, MATCH_WITHIN);
    three_way matched = not_slower == CALL_TRUE && not_faster == CALL_TRUE ? CALL_TRUE
                        : not_slower == CALL_FALSE || not_faster == CALL_FALSE ? CALL_FALSE : CALL_UNDECIDED;
    estimate mpi_up = stats_inverse(chapter_series_ratio(c, "mpi", e->cores, "mpi", 1));
    estimate small_shm = one_way(c, WAY_MPI_SHM, 0), small_tcp = one_way(c, WAY_MPI_TCP, 0);
    estimate launch = chapter_series_summary(c, "launch-mpi", e->cores).wall;
    estimate fork = chapter_series_summary(c, "launch-processes", e->cores).wall;
    chapter_answer(c, "pipe/shm", chapter_series_ratio(c, "pingpong-pipe/8B", 2, "pingpong-shm/8B", 2));
    if (!e->have_mpi) {
        char up[64], msg[64];
        estimate pool_up = stats_inverse(chapter_series_ratio(c, "processes", e->cores, "processes", 1));
        report_verdict(c->report, "NOT TESTABLE here: no MPI rank ran (%s). Without them: %d forked processes reached "
                       "a speed-up of %s over one, and an 8-byte message between two processes took %s us over "
                       "shared memory.", e->no_mpi, e->cores, estimate_text(pool_up, "%.2fx", up, sizeof up),
                       estimate_text(stats_scaled(one_way(c, WAY_SHM, 0), 1e6), "%.2f", msg, sizeof msg));
        report_headline(c->report, "NOT TESTABLE here: Open MPI is not installed (make deps installs it)");
        return;
    }
    chapter_answer(c, "mpi/processes", at_cores);
    chapter_answer(c, "mpi/one", mpi_up);
    chapter_answer(c, "launch/fork", chapter_series_ratio(c, "launch-mpi", e->cores, "launch-processes", e->cores));
    chapter_answer(c, "tcp/shm", chapter_series_ratio(c, "pingpong-mpi-tcp/8B", 2, "pingpong-mpi-shm/8B", 2));
    char a[64], b[64], d[64], f[64], g[64], h[64], k[64];
    char when[80];
    const char *call = matched == CALL_TRUE    ? "MATCHED"
                       : matched == CALL_FALSE ? "NOT MATCHED"
                                               : stats_call_word(CALL_UNDECIDED);
    if (isfinite(tcp_break_even)) snprintf(when, sizeof when, "from jobs of %.3g s", tcp_break_even);
    else snprintf(when, sizeof when, "never (2 ranks were not faster than 1)");
    report_verdict(c->report,
                   "%s on this machine: at %d %s, %d MPI ranks reached a speed-up of %s over one rank, %s the fork "
                   "pool's (their time: %s the fork pool's); starting them took %s ms against %s ms for the fork pool; "
                   "one 8-byte message took "
                   "%s us over MPI's shared memory and %s us over TCP. With %.0f exchanges of %.0f bytes, 2 ranks beat "
                   "1 over %s %s.", call, e->cores, e->mpi.hosts ? "slots" : "cores", e->cores,
                   estimate_text(mpi_up, "%.2fx", b, sizeof b), estimate_text(speed_ups, "%.2fx", k, sizeof k),
                   estimate_text(at_cores, "%.2fx", a, sizeof a),
                   estimate_text(stats_scaled(launch, 1e3), "%.0f", d, sizeof d),
                   estimate_text(stats_scaled(fork, 1e3), "%.1f", f, sizeof f),
                   estimate_text(stats_scaled(small_shm, 1e6), "%.2f", g, sizeof g),
                   estimate_text(stats_scaled(small_tcp, 1e6), "%.1f", h, sizeof h), e->steps, e->message_bytes,
                   e->mpi.hosts ? "TCP" : "loopback TCP", when);
    report_headline(c->report, "%s: the ranks' speed-up %.2fx the fork pool's; mpirun starts in %.0f ms, a fork in "
                    "%.1f ms", call, speed_ups.median, launch.median * 1e3, fork.median * 1e3);
}

/* ---- real CPython ------------------------------------------------------------------ */

/* CPython's ping-pong runs: one per size, its one task's result the size. */
static void name_python_pingpong(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx,
                                 char *key, size_t size)
{
    (void)mode, (void)workers, (void)ctx;
    for (int s = 0; s < SIZES && ntasks == 1; s++)
        if (records[0].result == sizes[s]) pingpong_key(key, size, WAY_CPYTHON, s);
}

/* Their time, one way: the run's trips over twice their count. */
static void measure_python_pingpong(experiment *e)
{
    for (int i = 0; i < e->c->run_count; i++) {
        const chapter_run *run = e->c->runs[i];
        const char *family = e->c->series.items[run->series].family;
        if (strcmp(family, ways[WAY_CPYTHON].family) != 0 || run->ntasks != 1) continue;
        int trips = pingpong_trips(run->records[0].result, e->most_python_trips);
        chapter_measure_run(e->c, run, ns_to_s(run->records[0].end_ns - run->records[0].start_ns) / trips / 2);
    }
}

static void python_pingpong(experiment *e, cpython *py)
{
    char list[400] = "";
    for (int s = 0; s < SIZES; s++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%ld:%d", s ? "," : "", sizes[s],
                 pingpong_trips(sizes[s], e->most_python_trips));
    mpirun_line line;
    mpirun_command(&e->mpi, 2, MPI_SHARED_MEMORY, &line);
    py->launcher = line.argv;
    py->name_series = name_python_pingpong;
    if (cpython_run(py, NULL, 10, "--modes mpi --part pingpong --sizes %s", list)) measure_python_pingpong(e);
    py->name_series = NULL;
    py->launcher = NULL;
}

static void run_python(experiment *e, cpython *py, int rounds)
{
    if (!e->have_mpi) {
        if (!py->disabled) report_text(e->c->report, "Real CPython was not run: its ranks need mpirun too.");
        return;
    }
    if (!cpython_require_module(py, "mpi4py", "/usr/bin/python3")) return;
    py->reps = rounds < 3 ? rounds : 3;
    /* The same total work as (a), in a tenth as many jobs: CPython's loop is slower. */
    double job_s = cli_work_seconds(e->c->cli.scale) / e->cores;
    /* One rank and the core count: each mpirun of python3 costs a second or two. */
    int ranks[] = { 1, e->cores };
    for (int i = 0; i < (e->cores > 1 ? 2 : 1); i++) {
        mpirun_line line;
        mpirun_command(&e->mpi, ranks[i], MPI_SHARED_MEMORY, &line);
        py->launcher = line.argv;
        if (!cpython_run(py, NULL, 4 * job_s * e->cores * py->reps, "--modes mpi --jobs %d --seconds %.4f",
                         2 * e->cores, job_s / 2)) {
            py->launcher = NULL;
            return;
        }
    }
    py->launcher = NULL;
    python_pingpong(e, py);
}

static void python_table(experiment *e, const cpython *py)
{
    chapter *c = e->c;
    if (!chapter_series_ran(c, "cpython-mpi")) return;
    const char *names[] = { "runtime", "ranks", "wall s", "speed-up over 1" };
    report_table(c->report, "(e) The same map in real CPython on mpi4py ranks (original.py; median and interval over "
                 "its reps):", 4, names);
    for (int i = 0; i < e->count_n; i++) {
        int n = e->counts[i];
        if (!chapter_series_summary(c, "cpython-mpi", n).ran) continue;
        report_cell(c->report, "CPython MPI ranks");
        report_cell(c->report, "%d", n);
        estimate_cell(c->report, chapter_series_summary(c, "cpython-mpi", n).wall, "%.3f");
        estimate_cell(c->report, stats_inverse(chapter_series_ratio(c, "cpython-mpi", n, "cpython-mpi", 1)), "%.2fx");
        report_end_row(c->report);
    }
    estimate python_up = stats_inverse(chapter_series_ratio(c, "cpython-mpi", e->cores, "cpython-mpi", 1));
    chapter_answer(c, "cpython-mpi/one", python_up);
    cpython_agreement(py, "ranks' speed-up at the core count over one rank", "C ranks",
                      stats_inverse(chapter_series_ratio(c, "mpi", e->cores, "mpi", 1)), MODE_CPYTHON_MPI, python_up);
}

/* ---- setting up -------------------------------------------------------------------- */

/* build/mpi-rank: next to this program. */
static void rank_program_path(char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    snprintf(out, size, "%s/mpi-rank", n > 0 ? dirname(self) : ".");
}

/* Before anything runs: the hostfile is outside data (common/mpirun checks it). */
static bool check_hostfile(void *ctx, char *why, size_t why_size)
{
    experiment *e = ctx;
    if (!*e->hostfile) return true;
    char reason[300];
    if (mpirun_hostfile(&e->mpi, *e->hostfile, reason, sizeof reason) == 0) return true;
    snprintf(why, why_size, "--hostfile %s: %s", *e->hostfile, reason);
    return false;
}

static void prepare(experiment *e)
{
    chapter *c = e->c;
    char program[PATH_MAX + 16];
    rank_program_path(program, sizeof program);
    /* Without Open MPI the chapter still runs what needs none (the fork pool, the
     * pipe, shared memory and threads), and says what is missing and how to get it. */
    e->have_mpi = mpirun_find(&e->mpi, program, e->no_mpi, sizeof e->no_mpi) == 0;
    if (!e->have_mpi) {
        warn_user(c->program, "%s", e->no_mpi);
        report_text(c->report, "The MPI rows are missing: %s (Debian's openmpi-bin and libopenmpi-dev, and "
                    "python3-mpi4py for the CPython rows).", e->no_mpi);
    }
    e->cores = e->mpi.hosts ? e->mpi.slots : c->machine.cores;
    /* Every count up to twice the cores; at the tiny scale, which only shows that
     * everything runs, the two the verdict compares (each is one mpirun per round). */
    e->count_n = 0;
    bool tiny = c->cli.scale == SCALE_TINY;
    for (int n = 1; n <= 2 * e->cores && e->count_n < MOST_WORKERS; n++)
        if (!tiny || n == 1 || n == e->cores || (e->cores == 1 && n == 2)) e->counts[e->count_n++] = n;
    e->most_trips = tiny ? MOST_TINY_TRIPS : MOST_TRIPS;
    e->most_python_trips = tiny ? MOST_TINY_TRIPS : MOST_PYTHON_TRIPS;
    e->jobs = JOBS_PER_CORE * e->cores;
    /* Half the scale's work per map: each round runs it 2 x 2 x cores times. */
    e->iterations = calibrate_cpu_heavy(cli_work_seconds(c->cli.scale) / 2 / e->jobs);
    chapter_meta(c, "mpi", "%s (%s)", e->have_mpi ? e->mpi.version : "none", e->have_mpi ? e->mpi.mpirun : "not found");
    chapter_meta(c, "mpi_as_root", "%s", e->mpi.as_root ? "yes: --allow-run-as-root" : "no");
    if (e->mpi.hosts) chapter_meta(c, "hostfile", "%d hosts, %d slots", e->mpi.hosts, e->mpi.slots);
    chapter_meta(c, "jobs", "%d", e->jobs);
    chapter_meta(c, "iterations_per_job", "%" PRIu64, e->iterations);
    chapter_calibrated(c, cli_work_seconds(c->cli.scale) / 2);
}

int main(int argc, char **argv)
{
    const char *hostfile = NULL;
    double steps = 100, message_bytes = 1 << 20;
    const cli_extra extras[] = {
        { "--hostfile", "FILE", "run the ranks on the hosts FILE names (Open MPI's hostfile: HOST slots=N per line)",
          CLI_TEXT, 0, 0, &hostfile, NULL, NULL },
        { "--steps", "S", "the model's job: how many times its ranks exchange data", CLI_NUMBER, 1, 1e6, &steps, NULL,
          NULL },
        { "--message-bytes", "M", "the model's job: bytes each exchange sends", CLI_NUMBER, 1, 1e10, &message_bytes,
          NULL, NULL },
    };
    chapter c;
    experiment e = { .c = &c, .hostfile = &hostfile, .mpi = MPI_LAUNCHER_INIT };
    chapter_begin_checked(&c, CHAPTER_IDENTITY,
                          (chapter_flags){ .honours = CLI_PYTHON, .extras = extras, .extra_count = 3 },
                          check_hostfile, &e, argc, argv);
    c.same_work = true;
    e.steps = steps, e.message_bytes = message_bytes;
    cpython py;
    cpython_open(&py, &c); /* a bad --python stops here, before anything runs */
    prepare(&e);
    declare_series(&e);

    /* One untimed map of each kind first: caches, the CPU's clock, Open MPI's files. */
    chapter_warm_up(&c, MODE_PROCESSES, e.cores, cpu_heavy_task, &e.iterations, e.jobs, NULL);
    if (e.have_mpi) {
        mpi_warm_up(&e);
        chapter_decide_by(&c, "mpi", e.cores, "processes", e.cores);
    } else {
        chapter_decide_by(&c, "processes", e.cores, "processes", 1);
    }
    int rounds = 0;
    for (int rep = -1; chapter_next_round(&c, &rep); rounds = rep + 1) run_round(&e, rep);
    run_python(&e, &py, rounds);

    map_table(&e);
    launch_table(&e);
    pingpong_table(&e);
    double tcp_break_even = INFINITY;
    model(&e, &tcp_break_even);
    python_table(&e, &py);
    cpython_close(&py);
    verdict(&e, tcp_break_even);
    chapter_plot_var(&c, "most_workers", "%d", e.counts[e.count_n - 1]);
    chapter_plot_var(&c, "slots", "%d", e.cores);
    int status = chapter_finish(&c);
    mpirun_close(&e.mpi);
    return status;
}
