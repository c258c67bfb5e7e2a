/* chapter7.c — the article's rules of thumb: n_processes = n_cores for CPU work,
 * n_threads = m x n_cores for I/O work.
 *
 * The article states them without a measurement. Here two sweeps look for the best
 * count on this machine: (a) one CPU workload on 1 .. 3 x cores processes; (b) 32
 * requests of 0.02 s to the local latency server, each followed by 1 ms of CPU
 * work ("parse the body"), on m x cores C threads and GIL-threads for m = 1, 2, 4,
 * 8, 16, 32. ThreadPoolExecutor's default, min(32, cores + 4), is marked. Both
 * sweeps run in rounds; the verdict names the plateau (every count whose interval
 * overlaps the fastest one's), never a single best chosen by noise. Real CPython
 * (original.py) sweeps the same: a ProcessPoolExecutor over the process counts, and
 * a ThreadPoolExecutor over the thread counts and its own default.
 *
 * usage:  build/chapter7 [--requests N] [--profile P] [--cpu-ms MS] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/07-rules-of-thumb/reference/summary.md. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "cpython.h"
#include "iolab.h"
#include "work.h"


static const int multipliers[] = { 1, 2, 4, 8, 16, 32 };
#define MULTIPLIERS 6

/* ---- (a) n_processes: one CPU workload on 1 .. 3 x cores processes ---- */

typedef struct {
    int counts[3 * 256], n, tasks;
    uint64_t iterations;
} cpu_sweep;

static void cpu_sweep_prepare(chapter *c, cpu_sweep *s)
{
    s->n = 3 * c->machine.cores < 3 * 256 ? 3 * c->machine.cores : 3 * 256;
    for (int i = 0; i < s->n; i++) s->counts[i] = i + 1;
    s->tasks = 60 * c->machine.cores; /* fine-grained, so every count gets an even share */
    s->iterations = calibrate_cpu_heavy(cli_work_seconds(c->cli.scale) / 3 / s->tasks);
    chapter_meta(c, "cpu_tasks", "%d", s->tasks);
}

static void cpu_sweep_round(chapter *c, cpu_sweep *s, int rep)
{
    for (int i = 0; i < s->n; i++)
        chapter_run_mode(c, MODE_PROCESSES, s->counts[i], rep, cpu_heavy_task, &s->iterations, s->tasks, NULL);
}

static void cpu_table(chapter *c, const cpu_sweep *s)
{
    const char *names[] = { "processes", "wall s (95% CI)", "speed-up over 1 (95% CI)" };
    report_table(c->report, "(a) One CPU workload on n processes (median and 95% interval over rounds; speed-up "
                 "paired within each round):", 3, names);
    for (int i = 0; i < s->n; i++) {
        mode_summary m = chapter_summary_of(c, MODE_PROCESSES, s->counts[i]);
        estimate up = stats_inverse(chapter_ratio(c, MODE_PROCESSES, s->counts[i], MODE_PROCESSES, 1));
        char a[64], b[64];
        report_cell(c->report, "%d%s", s->counts[i], s->counts[i] == c->machine.cores ? " (= cores)" : "");
        report_cell(c->report, "%s", estimate_text(m.wall, "%.3f", a, sizeof a));
        report_cell(c->report, "%s", estimate_text(up, "%.2fx", b, sizeof b));
        report_end_row(c->report);
    }
}

/* ---- (b) n_threads = m x cores: requests with a CPU part ---- */

static void io_round(chapter *c, iolab *lab, const int *counts, int rep, gil_t *gil)
{
    for (int i = 0; i < MULTIPLIERS; i++) {
        if (chapter_wants(c, MODE_THREADS)) iolab_run(lab, MODE_THREADS, counts[i], rep, NULL);
        if (chapter_wants(c, MODE_GIL_THREADS)) iolab_run(lab, MODE_GIL_THREADS, counts[i], rep, gil);
    }
}

static void io_table(chapter *c, const int *counts)
{
    const char *names[] = { "m", "threads", "C threads s (95% CI)", "GIL-threads s (95% CI)" };
    report_table(c->report, "(b) Requests with a CPU part on m x cores threads (median and 95% interval over "
                 "rounds):", 4, names);
    for (int i = 0; i < MULTIPLIERS; i++) {
        mode_summary t = chapter_summary_of(c, MODE_THREADS, counts[i]);
        mode_summary g = chapter_summary_of(c, MODE_GIL_THREADS, counts[i]);
        char a[64], b[64];
        report_cell(c->report, "%d", multipliers[i]);
        report_cell(c->report, "%d", counts[i]);
        report_cell(c->report, "%s", t.ran ? estimate_text(t.wall, "%.3f", a, sizeof a) : "-");
        report_cell(c->report, "%s", g.ran ? estimate_text(g.wall, "%.3f", b, sizeof b) : "-");
        report_end_row(c->report);
    }
}

/* ---- (c) and (d): the same sweeps in real CPython ---- */

/* The thread counts of (b) and ThreadPoolExecutor's default, in order, once each. */
static int python_thread_counts(const int *counts, int executor_default, int *out)
{
    int n = 0;
    bool placed = false;
    for (int i = 0; i < MULTIPLIERS; i++) {
        if (!placed && executor_default <= counts[i]) {
            if (executor_default < counts[i]) out[n++] = executor_default;
            placed = true;
        }
        out[n++] = counts[i];
    }
    if (!placed) out[n++] = executor_default;
    return n;
}

static void run_python(chapter *c, cpython *py, iolab *lab, const cpu_sweep *cpu, const int *py_threads,
                       int py_thread_n, double cpu_ms, int rounds)
{
    py->reps = rounds < 6 ? rounds : 6;
    char counts[200] = "";
    for (int i = 0; i < cpu->n; i++) snprintf(counts + strlen(counts), sizeof counts - strlen(counts), "%s%d",
                                               i ? "," : "", cpu->counts[i]);
    /* The same CPU work in all as C's part (a), in a sixth as many tasks: Python's are slower to hand out. */
    int tasks = cpu->tasks / 6 > 4 ? cpu->tasks / 6 : 4;
    double task_s = cli_work_seconds(c->cli.scale) / 3 / tasks;
    cpython_run(py, NULL, 3 * cli_work_seconds(c->cli.scale) * cpu->n * py->reps, "--part cpu --modes processes "
                "--workers %s --tasks %d --seconds %.5f", counts, tasks, task_s);
    char extra[64];
    snprintf(extra, sizeof extra, "--part io --cpu-ms %g", cpu_ms);
    iolab_run_cpython(lab, py, "threads", py_threads, py_thread_n, extra);
}

static void python_tables(chapter *c, const cpu_sweep *cpu, const int *py_threads, int py_thread_n, int executor_default)
{
    if (!chapter_summary(c, MODE_CPYTHON_PROCESSES).ran && !chapter_summary(c, MODE_CPYTHON_THREADS).ran) return;
    const char *names[] = { "runtime", "processes", "wall s (interval)", "speed-up over 1 (interval)" };
    report_table(c->report, "(c) The same CPU work in real CPython on a ProcessPoolExecutor of n processes "
                 "(original.py; median and interval over its reps):", 4, names);
    for (int i = 0; i < cpu->n; i++) {
        mode_summary m = chapter_summary_of(c, MODE_CPYTHON_PROCESSES, cpu->counts[i]);
        if (!m.ran) continue;
        estimate up = stats_inverse(chapter_ratio(c, MODE_CPYTHON_PROCESSES, cpu->counts[i], MODE_CPYTHON_PROCESSES, 1));
        char a[64], b[64];
        report_cell(c->report, "CPython processes");
        report_cell(c->report, "%d%s", cpu->counts[i], cpu->counts[i] == c->machine.cores ? " (= cores)" : "");
        report_cell(c->report, "%s", estimate_text(m.wall, "%.3f", a, sizeof a));
        report_cell(c->report, "%s", estimate_text(up, "%.2fx", b, sizeof b));
        report_end_row(c->report);
    }
    const char *io_names[] = { "runtime", "threads", "wall s (interval)" };
    report_table(c->report, "(d) The same requests in real CPython on a ThreadPoolExecutor of n threads (original.py; "
                 "* its default, min(32, cores + 4)):", 3, io_names);
    for (int i = 0; i < py_thread_n; i++) {
        mode_summary m = chapter_summary_of(c, MODE_CPYTHON_THREADS, py_threads[i]);
        if (!m.ran) continue;
        char a[64];
        report_cell(c->report, "CPython threads");
        report_cell(c->report, "%d%s", py_threads[i], py_threads[i] == executor_default ? " *" : "");
        report_cell(c->report, "%s", estimate_text(m.wall, "%.3f", a, sizeof a));
        report_end_row(c->report);
    }
    chapter_plateau p = chapter_plateau_of(c, pool_mode_name(MODE_CPYTHON_PROCESSES), cpu->counts, cpu->n);
    chapter_plateau t = chapter_plateau_of(c, pool_mode_name(MODE_CPYTHON_THREADS), py_threads, py_thread_n);
    bool default_on = t.smallest <= executor_default && executor_default <= t.largest;
    chapter_meta(c, "python_cpu_plateau", "%s", p.plateau);
    chapter_meta(c, "python_io_plateau", "%s", t.plateau);
    chapter_meta(c, "python_default_on_plateau", "%s", default_on ? "on" : "not on");
    report_text(c->report, "The C sweeps above, set against real CPython's: its processes were as fast as the fastest within the intervals at "
                "%s (lowest median at %d), and its threads at %s (lowest median at %d); ThreadPoolExecutor's "
                "default, %d threads, was %s that plateau.", p.plateau, p.best, t.plateau, t.best, executor_default,
                default_on ? "on" : "NOT on");
}

/* ---- what the sweeps recommend ---- */

static void verdict(chapter *c, const iolab *lab, const cpu_sweep *cpu, const int *thread_counts)
{
    int cores = c->machine.cores;
    chapter_plateau a = chapter_plateau_of(c, pool_mode_name(MODE_PROCESSES), cpu->counts, cpu->n);
    bool cores_on_plateau = a.smallest <= cores && cores <= a.largest;
    char io_part[400] = "", io_short[160] = "";
    for (pool_mode mode = MODE_GIL_THREADS; mode <= MODE_THREADS; mode++) {
        if (!chapter_wants(c, mode)) continue;
        int failed = iolab_failed_requests(lab, mode, 0);
        if (failed) { /* no count is named from failed work */
            snprintf(io_part + strlen(io_part), sizeof io_part - strlen(io_part), "%s%s: %s (%d requests failed)",
                     *io_part ? "; " : "", pool_mode_label(mode), stats_call_word(CALL_UNDECIDED), failed);
            snprintf(io_short + strlen(io_short), sizeof io_short - strlen(io_short), "%s%s: requests failed",
                     *io_short ? ", " : "", pool_mode_label(mode));
            continue;
        }
        chapter_plateau b = chapter_plateau_of(c, pool_mode_name(mode), thread_counts, MULTIPLIERS);
        snprintf(io_short + strlen(io_short), sizeof io_short - strlen(io_short), "%s%s m = %d to %d",
                 *io_short ? ", " : "", pool_mode_label(mode), b.smallest / cores, b.largest / cores);
        snprintf(io_part + strlen(io_part), sizeof io_part - strlen(io_part), "%s%s: as fast as the fastest within "
                 "the intervals %s threads (m = %d to %d; lowest median at %d)%s", *io_part ? "; " : "",
                 pool_mode_label(mode), b.plateau, b.smallest / cores, b.largest / cores, b.best,
                 b.best_at_edge ? ", the largest tried: the best may lie beyond" : "");
    }
    report_verdict(c->report, "MEASURED on this machine: for CPU work %s processes were as fast as the fastest "
                   "within the intervals (the plateau; cores = %d, %s it; lowest median at %d)%s; for this I/O, %s.",
                   a.plateau, cores, cores_on_plateau ? "on" : "NOT on", a.best,
                   a.best_at_edge ? " (the largest count tried: the best may lie beyond)" : "", io_part);
    report_headline(c->report, "MEASURED: CPU work, %d to %d processes (cores = %d, %s the plateau); I/O, %s",
                    a.smallest, a.largest, cores, cores_on_plateau ? "on" : "NOT on", io_short);
}

int main(int argc, char **argv)
{
    /* A test run (tiny): fewer, shorter requests. */
    static const double requests_by_scale[] = { 16, 32, 32 };
    static const char *const profiles_by_scale[] = { "uniform:0.01", "uniform:0.02", "uniform:0.02" };
    iolab_flags flags = IOLAB_DEFAULTS;
    double cpu_ms = 1.0;
    const cli_extra extras[] = {
        IOLAB_EXTRAS(flags, requests_by_scale, profiles_by_scale),
        { "--cpu-ms", "MS", "CPU work after each request, in ms", CLI_NUMBER, 0, 1000, &cpu_ms, NULL, NULL },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON,
                                   .extras = extras, .extra_count = IOLAB_EXTRA_COUNT + 1 },
                  argc, argv);
    int cores = c.machine.cores;
    cpython py;
    cpython_open(&py, &c); /* a bad --python stops here, before anything runs */

    iolab lab;
    iolab_open(&lab, &c, &flags); /* the server starts before any thread exists */
    lab.parse_iterations = cpu_ms > 0 ? calibrate_cpu_heavy(cpu_ms / 1000) : 0;
    chapter_meta(&c, "cpu_ms_per_request", "%g", cpu_ms);

    cpu_sweep cpu;
    cpu_sweep_prepare(&c, &cpu);
    int thread_counts[MULTIPLIERS];
    for (int i = 0; i < MULTIPLIERS; i++) thread_counts[i] = multipliers[i] * cores;

    /* Rounds of both sweeps, after a warm-up; more while (a)'s interval at the core count is wide. */
    chapter_warm_up(&c, MODE_PROCESSES, cores, cpu_heavy_task, &cpu.iterations, cpu.tasks, NULL);
    gil_t *gil = gil_create(c.cli.switch_interval_ms / 1000.0);
    /* More rounds while (a)'s speed-up at the core count is uncertain. */
    /* Processes on k workers against one process, in the same round. */
    chapter_series(&c, "processes", "processes", NAN, NULL, MODE_PROCESSES, "processes", 1, 0);
    chapter_decide_by(&c, pool_mode_name(MODE_PROCESSES), cores, pool_mode_name(MODE_PROCESSES), 1);
    int rounds = 0;
    for (int rep = -1; chapter_next_round(&c, &rep); rounds = rep + 1) {
        cpu_sweep_round(&c, &cpu, rep);
        io_round(&c, &lab, thread_counts, rep, gil);
    }
    gil_destroy(gil);
    int executor_default = cores + 4 < 32 ? cores + 4 : 32;
    int py_threads[MULTIPLIERS + 1];
    int py_thread_n = python_thread_counts(thread_counts, executor_default, py_threads);
    run_python(&c, &py, &lab, &cpu, py_threads, py_thread_n, cpu_ms, rounds);
    cpython_close(&py);
    cpu_table(&c, &cpu);
    io_table(&c, thread_counts);
    python_tables(&c, &cpu, py_threads, py_thread_n, executor_default);

    report_text(c.report, "ThreadPoolExecutor's default would use %d threads here (min(32, cores + 4)).",
                executor_default);
    if (lab.local && lab.profile.kind == PROFILE_UNIFORM && cpu_ms > 0) {
        double wait = lab.profile.seconds, work = cpu_ms / 1000;
        report_text(c.report, "Each request waits %.3f s and then computes %.2f ms: a thread is busy %.1f %% of its "
                    "time, so one core can keep about %.0f such threads going before the CPU part becomes the limit "
                    "(GIL-threads share one core's worth between them all). With %d requests, more than %d threads "
                    "have nothing left to fetch.", wait, cpu_ms, 100 * work / (wait + work), (wait + work) / work,
                    lab.count, lab.count);
    }
    verdict(&c, &lab, &cpu, thread_counts);

    chapter_plot_var(&c, "executor_default", "%d", executor_default);
    chapter_plot_var(&c, "most_processes", "%d", cpu.n);
    chapter_plot_string(&c, "note", "%d CPUs (%s), scale %s, %d requests of %s + %g ms CPU each", cores,
                        c.machine.cpu_model, cli_scale_name(c.cli.scale), lab.count,
                        lab.local ? lab.profile_text : "real URLs", cpu_ms);
    int status = chapter_finish(&c); /* data.csv takes the lab's fetch records */
    iolab_close(&lab);
    return status;
}
