/* chapter6.c — "[Bonus] Multiprocessing is always faster than serial."
 *
 * The article says: true, if done right — never more processes than cores. This
 * chapter measures both ways of doing it wrong. (a) Oversubscription: one fixed
 * amount of CPU work, split into many tasks, on 1 .. 4 x cores processes. (b) Tiny
 * tasks: 100 000 tasks of a few microseconds each, serially and on a process pool
 * that sends 1, 16, 256 or 4096 tasks per message (Executor.map's chunksize).
 * (c) Real CPython: the post's own experiment, original.py's ProcessPoolExecutor.map
 * of tiny tasks, one per message and in chunks, against the same tasks serially.
 *
 * usage:  build/chapter6 [--reps N] [--scale S] [--tiny-tasks N] ...
 *
 * Its verdict on the reference machine, as measured (never typed here): the
 * "Verdict" line of chapters/06-processes-always-faster/reference/summary.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "cpython.h"
#include "fail.h"
#include "work.h"


#define CHUNK_SIZES 4
/* The rounds the verdict may take at the class scale, and the seconds the run may
 * have spent when one more starts: the rounds past the minimum run only one process
 * and one per core, so they are short, and one slow round among the minimum's six
 * leaves the interval undecided. */
#define VERDICT_ROUNDS 24
#define ROUNDS_BUDGET_S 20
static const int chunks[CHUNK_SIZES] = { 1, 16, 256, 4096 };

/* Part (b)'s times, one per round: serial, then each chunksize. */
typedef struct {
    int tasks;
    uint64_t iterations;
    task_record *records;
    double serial[CHAPTER_MAX_ROUNDS], pooled[CHUNK_SIZES][CHAPTER_MAX_ROUNDS];
} tiny_part;

/* ---- (a) oversubscription ---- */

/* Every count in the minimum rounds; past them, only the two the verdict compares
 * (one process and one per core), which make a round a few times shorter. */
static void oversubscription_round(chapter *c, int rep, int tasks, uint64_t *iterations, int most)
{
    for (int k = 1; k <= most; k++) {
        if (chapter_past_minimum(c, rep) && k != 1 && k != c->machine.cores) continue;
        chapter_run_mode(c, MODE_PROCESSES, k, rep, cpu_heavy_task, iterations, tasks, NULL);
    }
}

/* The table, and each count's time as a share of one process's, paired per round. */
static void oversubscription_table(chapter *c, int most, estimate *vs_one)
{
    const char *names[] = { "processes", "wall s (95% CI)", "time / 1 process (95% CI)", "ideal", "cores busy" };
    report_table(c->report, "(a) The same CPU work on more and more processes (median and 95% interval over "
                 "rounds; the ratio is paired within each round):", 5, names);
    for (int k = 1; k <= most; k++) {
        mode_summary s = chapter_summary_of(c, MODE_PROCESSES, k);
        vs_one[k - 1] = chapter_ratio(c, MODE_PROCESSES, k, MODE_PROCESSES, 1);
        char wall[64], ratio[64];
        report_cell(c->report, "%d%s", k, k == c->machine.cores ? " (= cores)" : "");
        report_cell(c->report, "%s", estimate_text(s.wall, "%.3f", wall, sizeof wall));
        report_cell(c->report, "%s", estimate_text(vs_one[k - 1], "%.3f", ratio, sizeof ratio));
        report_cell(c->report, "%.3f", 1.0 / (k < c->machine.cores ? k : c->machine.cores));
        report_cell(c->report, "%.0f%%", 100 * s.utilisation);
        report_end_row(c->report);
    }
    report_text(c->report, "ideal: 1 / min(k, cores), the share of one process's time if the work split perfectly "
                "and the pool cost nothing to start. A measured ratio below it means the one-process run was slow "
                "in that round (the machine's noise, or its pool start-up), not that k processes beat the ideal.");
}

/* ---- (b) tiny tasks ---- */

static double time_map(const chapter *c, pool_mode mode, int workers, int chunksize, tiny_part *t)
{
    pool_config config = { .mode = mode, .workers = workers, .chunksize = chunksize };
    pool_outcome out;
    if (pool_map(&config, cpu_heavy_task, &t->iterations, t->tasks, t->records, &out) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the tiny-task pool failed: %s", out.error);
    return ns_to_s(out.end_ns - out.start_ns);
}

static void tiny_round(chapter *c, int rep, tiny_part *t)
{
    progress("tiny tasks: %d serially, round %d ...", t->tasks, rep + 1);
    t->serial[rep] = time_map(c, MODE_SERIAL, 1, 1, t);
    for (int k = 0; k < CHUNK_SIZES; k++) {
        progress("tiny tasks: %d on %d processes, chunksize %d ...", t->tasks, c->machine.cores, chunks[k]);
        t->pooled[k][rep] = time_map(c, MODE_PROCESSES, c->machine.cores, chunks[k], t);
    }
}

/* Each chunksize's time / serial's, paired per round. */
static estimate tiny_ratio(const tiny_part *t, int k, int rounds)
{
    return stats_paired_ratio(t->pooled[k], t->serial, (size_t)rounds);
}

static void tiny_table(chapter *c, const tiny_part *t, int rounds, estimate *vs_serial)
{
    const char *names[] = { "mode", "chunksize", "wall s (95% CI)", "vs serial (95% CI)", "per task us" };
    report_table(c->report, "(b) Many tiny tasks, serially and on a process pool (median and 95% interval over "
                 "rounds; vs serial: paired within each round):", 5, names);
    csv_writer w;
    chapter_open_csv(c, "tiny.csv", &w);
    const char *columns[] = { "mode", "chunksize", "tasks", "workers", "wall_s", "wall_lo_s", "wall_hi_s",
                              "vs_serial", "vs_serial_lo", "vs_serial_hi" };
    csv_header(&w, columns, 10);
    for (int k = -1; k < CHUNK_SIZES; k++) {
        estimate wall = stats_estimate(k < 0 ? t->serial : t->pooled[k], (size_t)rounds);
        estimate ratio = k < 0 ? (estimate){ 1, 1, 1, 1, rounds } : tiny_ratio(t, k, rounds);
        if (k >= 0) vs_serial[k] = ratio;
        char a[64], b[64];
        report_cell(c->report, "%s", k < 0 ? "serial" : "processes");
        report_cell(c->report, k < 0 ? "-" : "%d", k < 0 ? 0 : chunks[k]);
        report_cell(c->report, "%s", estimate_text(wall, "%.3f", a, sizeof a));
        report_cell(c->report, "%s", k < 0 ? "1" : estimate_text(ratio, "%.2fx", b, sizeof b));
        report_cell(c->report, "%.2f", 1e6 * wall.median / t->tasks);
        report_end_row(c->report);
        csv_str(&w, k < 0 ? "serial" : "processes");
        csv_int(&w, k < 0 ? 0 : chunks[k]);
        csv_int(&w, t->tasks);
        csv_int(&w, k < 0 ? 1 : c->machine.cores);
        csv_num(&w, wall.median, 6);
        csv_num(&w, wall.lo, 6);
        csv_num(&w, wall.hi, 6);
        csv_num(&w, ratio.median, 4);
        csv_num(&w, ratio.lo, 4);
        csv_num(&w, ratio.hi, 4);
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "tiny.csv");
}

/* ---- (c) real CPython: the post's Pool.map of tiny tasks ---- */

/* The chunksizes original.py sends, and its series: "cpython-tiny-serial" and
 * "cpython-tiny/chunk16B"-style keys made by series_key. */
static const int python_chunks[] = { 1, 16, 256 };
#define PYTHON_CHUNKS 3

static void python_key(int chunksize, char *key, size_t size)
{
    if (chunksize == 0)
        snprintf(key, size, "cpython-tiny-serial");
    else
        snprintf(key, size, "cpython-tiny/chunk%d", chunksize);
}

/* Every task of a run reports its run's chunksize (0: serial). */
static void name_python_run(pool_mode mode, int workers, int ntasks, const task_record *records, void *ctx,
                            char *key, size_t size)
{
    (void)mode, (void)workers, (void)ctx;
    python_key(ntasks > 0 ? (int)records[0].result : 0, key, size);
}

static void declare_python_series(chapter *c)
{
    char key[64], ref[64];
    python_key(0, ref, sizeof ref);
    chapter_series(c, ref, "cpython-tiny-serial", NAN, "CPython, serial", MODE_CPYTHON_SERIAL, NULL, 0, 0);
    for (int k = 0; k < PYTHON_CHUNKS; k++) { /* one family: its label says the pool, x the chunksize */
        python_key(python_chunks[k], key, sizeof key);
        chapter_series(c, key, "cpython-tiny", python_chunks[k], "CPython, process pool", MODE_CPYTHON_PROCESSES,
                       ref, 0, 0);
    }
}

/* A tenth of the C part's tiny tasks: each CPython task also pays the harness's
 * timing, tens of microseconds, so fewer show the same cost per message. */
static void python_tiny(chapter *c, cpython *py, int tiny_count, int rounds, const estimate *c_vs_serial)
{
    py->reps = rounds < 6 ? rounds : 6;
    py->name_series = name_python_run;
    int tasks = tiny_count / 10 > 100 ? tiny_count / 10 : 100;
    cpython_run(py, NULL, 0.001 * tasks * py->reps * (PYTHON_CHUNKS + 1), "--modes serial,processes --workers %d "
                "--tasks %d --chunksizes 1,16,256", c->machine.cores, tasks);
    char key[64];
    python_key(1, key, sizeof key);
    estimate chunk1 = chapter_vs_reference(c, key, 0);
    if (!chapter_series_ran(c, key)) return;
    const char *columns[] = { "CPython", "tasks", "wall s (95% CI)", "vs serial (95% CI)" };
    report_table(c->report, "(c) The same in real CPython: the post's ProcessPoolExecutor.map of tiny tasks "
                 "(original.py; vs serial: paired within each rep):", 4, columns);
    for (int k = -1; k < PYTHON_CHUNKS; k++) {
        python_key(k < 0 ? 0 : python_chunks[k], key, sizeof key);
        mode_summary s = chapter_series_summary(c, key, 0);
        char a[64], b[64];
        if (k < 0)
            report_cell(c->report, "CPython, serial");
        else
            report_cell(c->report, "CPython, %d per message", python_chunks[k]);
        report_cell(c->report, "%d", tasks);
        report_cell(c->report, "%s", estimate_text(s.wall, "%.3f", a, sizeof a));
        report_cell(c->report, "%s", k < 0 ? "1" : estimate_text(chapter_vs_reference(c, key, 0), "%.2fx", b, sizeof b));
        report_end_row(c->report);
    }
    char a[64], b[64], d[64], e[64];
    python_key(256, key, sizeof key);
    report_text(c->report, "(c) The C pool took %s the serial time with one tiny task per message and %s with 256, "
                "against real CPython's %s and %s.", estimate_text(c_vs_serial[0], "%.2fx", a, sizeof a),
                estimate_text(c_vs_serial[2], "%.2fx", b, sizeof b), estimate_text(chunk1, "%.2fx", d, sizeof d),
                estimate_text(chapter_vs_reference(c, key, 0), "%.2fx", e, sizeof e));
}

/* ---- the verdict ---- */

/* (a): the plateau of counts as fast as the best, and where the core count stands. */
static three_way oversubscription_verdict(chapter *c, int most, const estimate *vs_one, char *out, size_t size)
{
    int plateau[most];
    int best = stats_plateau(vs_one, most, plateau) + 1, cores = c->machine.cores;
    char counts[200] = "";
    for (int k = 1; k <= most; k++)
        if (plateau[k - 1]) snprintf(counts + strlen(counts), sizeof counts - strlen(counts), "%s%d", *counts ? ", " : "", k);
    char a[64];
    report_text(c->report, "(a) As fast as the fastest within the intervals (the plateau): %s processes; the "
                "lowest median was at %d%s. %d processes (= cores) took %s of one process's time.", counts, best,
                best == most ? ", the largest tried: the best may lie beyond the sweep" : "", cores,
                estimate_text(vs_one[cores - 1], "%.3f", a, sizeof a));
    /* Not faster on CPUs that did well under their count's worth: the machine decided it. */
    three_way faster = chapter_parallel_call(c, stats_below(vs_one[cores > 1 ? cores - 1 : 0], 0.95), CALL_FALSE);
    snprintf(out, size, "%s that %d processes beat one process on CPU work split over the cores (%s its time)",
             stats_call_word(faster), cores, a);
    return faster;
}

static void verdict(chapter *c, int most, const estimate *vs_one, const estimate *tiny_vs_serial)
{
    char done_right[300];
    three_way right_call = oversubscription_verdict(c, most, vs_one, done_right, sizeof done_right);
    /* Done wrong: tiny tasks sent one per message. Slower than serial over the whole interval? */
    chapter_answer(c, "processes/one", vs_one[c->machine.cores > 1 ? c->machine.cores - 1 : 0]);
    chapter_answer(c, "tiny/serial", tiny_vs_serial[0]);
    chapter_answer(c, "chunked/serial", tiny_vs_serial[2]); /* 256 tasks per message */
    three_way faster = stats_below(tiny_vs_serial[0], 1.0);
    three_way call = faster == CALL_FALSE ? CALL_FALSE : faster == CALL_TRUE ? CALL_TRUE : CALL_UNDECIDED;
    char a[64];
    report_text(c->report, "(b) With one tiny task per message the pool took %s the serial time.",
                estimate_text(tiny_vs_serial[0], "%.2fx", a, sizeof a));
    char b[64];
    three_way chunked = stats_below(tiny_vs_serial[2], 1.0);
    report_text(c->report, "(b) Done right, %d tiny tasks per message: the pool took %s the serial time: %s that "
                "it beat serial code (below 1x over the whole interval).", chunks[2],
                estimate_text(tiny_vs_serial[2], "%.2fx", b, sizeof b), stats_call_word(chunked));
    report_verdict(c->report, "%s as stated (\"always\") on this machine: tiny tasks sent one per message took %s "
                   "the serial time%s. Done right: %s.%s", stats_call_word(call), a,
                   call == CALL_FALSE ? ", slower over the whole interval" :
                   call == CALL_TRUE ? ", faster even so" : ", on both sides of 1x within the interval", done_right,
                   chapter_undecided_cause(c, right_call));
    int cores = c->machine.cores;
    report_headline(c->report, "%s as stated: one tiny task per message took %.2fx serial's time; done right, %d "
                    "processes took %.2fx one's: %s", stats_call_word(call), tiny_vs_serial[0].median, cores,
                    vs_one[cores > 1 ? cores - 1 : 0].median, right_call == CALL_UNDECIDED ? "undecided" :
                    stats_call_word(right_call));
}

int main(int argc, char **argv)
{
    int tiny_count = 0;
    static const double tiny_by_scale[] = { 5000, 20000, 200000 };
    const cli_extra extras[] = {
        { "--tiny-tasks", "N", "how many tiny tasks in part (b)", CLI_INT, 100, 10000000, &tiny_count, tiny_by_scale,
          NULL },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_IDENTITY,
                  (chapter_flags){ .honours = CLI_PYTHON, .extras = extras, .extra_count = 1,
                                   .class_rounds = VERDICT_ROUNDS },
                  argc, argv);
    c.round_budget_s = ROUNDS_BUDGET_S;
    cpython py;
    cpython_open(&py, &c); /* a bad --python stops here, before anything runs */
    int cores = c.machine.cores, most = 4 * cores;

    /* (a) a fixed amount of work in 16 tasks per core, so every worker count divides it finely. */
    int tasks = 16 * cores;
    double work_s = cli_work_seconds(c.cli.scale) / 2;
    progress("calibrating the tasks ...");
    uint64_t task_iterations = calibrate_cpu_heavy(work_s / tasks);
    chapter_meta(&c, "tasks", "%d", tasks);
    chapter_meta(&c, "iterations_per_task", "%llu", (unsigned long long)task_iterations);

    /* (b) tiny tasks of about 3 microseconds each. */
    tiny_part tiny = { .tasks = tiny_count,
                       .iterations = calibrate_cpu_heavy(3e-6) };
    tiny.records = xcalloc((size_t)tiny.tasks, sizeof *tiny.records);
    chapter_meta(&c, "tiny_tasks", "%d", tiny.tasks);
    chapter_meta(&c, "iterations_per_tiny_task", "%llu", (unsigned long long)tiny.iterations);

    /* Rounds of both parts, after a warm-up; more while (a)'s decisive ratio is wide. */
    chapter_warm_up(&c, MODE_PROCESSES, cores, cpu_heavy_task, &task_iterations, tasks, NULL);
    /* Processes on k workers against one process, in the same round. */
    chapter_series(&c, "processes", "processes", NAN, NULL, MODE_PROCESSES, "processes", 1, 0);
    chapter_decide_by(&c, pool_mode_name(MODE_PROCESSES), cores, pool_mode_name(MODE_PROCESSES), 1);
    for (int rep = -1; chapter_next_round(&c, &rep);) {
        oversubscription_round(&c, rep, tasks, &task_iterations, most);
        if (!chapter_past_minimum(&c, rep)) tiny_round(&c, rep, &tiny); /* part (b) is decided in the minimum rounds */
    }
    int tiny_rounds = chapter_minimum_rounds(&c);
    free(tiny.records);

    estimate vs_one[most], tiny_vs_serial[CHUNK_SIZES];
    oversubscription_table(&c, most, vs_one);
    tiny_table(&c, &tiny, tiny_rounds, tiny_vs_serial);
    declare_python_series(&c);
    python_tiny(&c, &py, tiny_count, tiny_rounds, tiny_vs_serial);
    cpython_close(&py);
    verdict(&c, most, vs_one, tiny_vs_serial);
    chapter_plot_var(&c, "work_s", "%.6f", chapter_summary_of(&c, MODE_PROCESSES, 1).wall_s.median);
    chapter_plot_var(&c, "most", "%d", most);
    chapter_plot_var(&c, "tiny_tasks", "%d", tiny.tasks);
    chapter_plot_string(&c, "note", "%d CPUs (%s), scale %s, %d tasks in (a), %d tiny tasks in (b)", cores,
                        c.machine.cpu_model, cli_scale_name(c.cli.scale), tasks, tiny.tasks);
    return chapter_finish(&c);
}
