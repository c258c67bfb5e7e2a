/* chapter6.c — "[Bonus] Multiprocessing is always faster than serial."
 *
 * The article says: true, if done right — never more processes than cores. This
 * chapter measures both ways of doing it wrong. (a) Oversubscription: one fixed
 * amount of CPU work, split into many tasks, on 1 .. 4 x cores processes. (b) Tiny
 * tasks: 100 000 tasks of a few microseconds each, serially and on a process pool
 * that sends 1, 16, 256 or 4096 tasks per message (Executor.map's chunksize).
 *
 * usage:  build/chapter6 [--reps N] [--scale S] [--tiny-tasks N] ...
 *
 * sample output (2 cores, class scale):
 *   processes  1  1.251 s   processes 2  0.630 s   processes 8  0.641 s
 *   tiny tasks: serial 0.301 s; chunksize 1: 2.105 s (6.99x serial); 256: 0.161 s
 *   VERDICT: TRUE only if done right on this machine: ... */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "chapter.h"
#include "chapter_identity.h" /* CHAPTER_NUMBER, CHAPTER_CLAIM: made from this folder */
#include "clock.h"
#include "fail.h"
#include "work.h"


/* ---- (a) oversubscription ---- */

static double oversubscription(chapter *c, int tasks, uint64_t *iterations, int most)
{
    for (int rep = 0; rep < c->cli.reps; rep++)
        for (int k = 1; k <= most; k++)
            chapter_run_mode(c, MODE_PROCESSES, k, rep, cpu_heavy_task, iterations, tasks, NULL);
    const char *names[] = { "processes", "wall s", "min-max s", "vs 1 process", "ideal s", "cores busy" };
    report_table(c->report, "(a) The same CPU work on more and more processes:", 6, names);
    double one = chapter_summary_of(c, MODE_PROCESSES, 1).wall_s.median, work = one;
    for (int k = 1; k <= most; k++) {
        mode_summary s = chapter_summary_of(c, MODE_PROCESSES, k);
        double ideal = work / (k < c->machine.cores ? k : c->machine.cores);
        report_cell(c->report, "%d%s", k, k == c->machine.cores ? " (= cores)" : "");
        report_cell(c->report, "%.3f", s.wall_s.median);
        report_cell(c->report, "%.3f-%.3f", s.wall_s.min, s.wall_s.max);
        report_cell(c->report, "%.2fx", one / s.wall_s.median);
        report_cell(c->report, "%.3f", ideal);
        report_cell(c->report, "%.0f%%", 100 * s.utilisation);
        report_end_row(c->report);
    }
    return work;
}

/* ---- (b) tiny tasks ---- */

typedef struct {
    const char *mode;
    int chunksize;
    double wall_s;
} tiny_result;

static double time_map(const chapter *c, pool_mode mode, int workers, int chunksize, uint64_t *iterations, int tasks,
                       task_record *records)
{
    pool_config config = { .mode = mode, .workers = workers, .chunksize = chunksize };
    pool_outcome out;
    if (pool_map(&config, cpu_heavy_task, iterations, tasks, records, &out) != 0) {
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the tiny-task pool failed: %s", out.error);
    }
    return ns_to_s(out.end_ns - out.start_ns);
}

static int tiny_tasks(chapter *c, int tasks, uint64_t *iterations, tiny_result *results)
{
    static const int chunks[] = { 1, 16, 256, 4096 };
    task_record *records = xcalloc((size_t)tasks, sizeof *records);
    double serial[100], pooled[4][100];
    for (int rep = 0; rep < c->cli.reps; rep++) {
        progress("tiny tasks: %d serially, rep %d of %d ...", tasks, rep + 1, c->cli.reps);
        serial[rep] = time_map(c, MODE_SERIAL, 1, 1, iterations, tasks, records);
        for (int k = 0; k < 4; k++) {
            progress("tiny tasks: %d on %d processes, chunksize %d ...", tasks, c->machine.cores, chunks[k]);
            pooled[k][rep] = time_map(c, MODE_PROCESSES, c->machine.cores, chunks[k], iterations, tasks, records);
        }
    }
    free(records);
    int n = 0;
    results[n++] = (tiny_result){ "serial", 0, stats_median(serial, (size_t)c->cli.reps) };
    for (int k = 0; k < 4; k++)
        results[n++] = (tiny_result){ "processes", chunks[k], stats_median(pooled[k], (size_t)c->cli.reps) };

    const char *names[] = { "mode", "chunksize", "wall s", "vs serial", "per task us" };
    report_table(c->report, "(b) Many tiny tasks, serially and on a process pool (median over reps):", 5, names);
    for (int i = 0; i < n; i++) {
        report_cell(c->report, "%s", results[i].mode);
        report_cell(c->report, results[i].chunksize ? "%d" : "-", results[i].chunksize);
        report_cell(c->report, "%.3f", results[i].wall_s);
        report_cell(c->report, "%.2fx", results[i].wall_s / results[0].wall_s);
        report_cell(c->report, "%.2f", 1e6 * results[i].wall_s / tasks);
        report_end_row(c->report);
    }
    csv_writer w;
    chapter_open_csv(c, "tiny.csv", &w);
    const char *columns[] = { "mode", "chunksize", "tasks", "workers", "wall_s" };
    csv_header(&w, columns, 5);
    for (int i = 0; i < n; i++) {
        csv_str(&w, results[i].mode);
        csv_int(&w, results[i].chunksize);
        csv_int(&w, tasks);
        csv_int(&w, i ? c->machine.cores : 1);
        csv_num(&w, results[i].wall_s, 6);
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "tiny.csv");
    return n;
}

/* ---- verdicts ---- */

static void verdict(chapter *c, int most, const tiny_result *tiny, int tiny_count)
{
    int cores = c->machine.cores, best = 1;
    double one = chapter_summary_of(c, MODE_PROCESSES, 1).wall_s.median;
    for (int k = 1; k <= most; k++)
        if (chapter_summary_of(c, MODE_PROCESSES, k).wall_s.median <
            chapter_summary_of(c, MODE_PROCESSES, best).wall_s.median)
            best = k;
    double at_cores = chapter_summary_of(c, MODE_PROCESSES, cores).wall_s.median;
    double at_most = chapter_summary_of(c, MODE_PROCESSES, most).wall_s.median;
    report_text(c->report, "(a) %d processes (= cores) ran %.2fx faster than 1; %d processes took %.2fx the time "
                "of %d: more processes than cores bought nothing. The fastest count was %d.",
                cores, one / at_cores, most, at_most / at_cores, cores, best);
    double serial = tiny[0].wall_s, chunk1 = tiny[1].wall_s;
    int first_win = 0;
    for (int i = 1; i < tiny_count && !first_win; i++)
        if (tiny[i].wall_s < serial) first_win = tiny[i].chunksize;
    char win[160] = "no chunksize tried beat serial code";
    if (first_win) snprintf(win, sizeof win, "from chunksize %d on, the pool beat serial code", first_win);
    report_text(c->report, "(b) With one task per message the pool took %.2fx the serial time; %s.",
                chunk1 / serial, win);
    int wrong_a = at_most > at_cores * 0.97, wrong_b = chunk1 > serial;
    report_verdict(c->report, "%s on this machine: processes beat serial code %s, but %s%s%s.",
                   wrong_b || wrong_a ? "TRUE ONLY IF DONE RIGHT" : "TRUE",
                   cores > 1 ? "on CPU work split over the cores" : "nowhere (1 core)",
                   wrong_a ? "more processes than cores were no faster" : "oversubscription did not hurt",
                   wrong_b ? ", and tiny tasks sent one by one made the pool " : "",
                   wrong_b ? "slower than serial code" : "");
}

int main(int argc, char **argv)
{
    int tiny_count_flag = 0;
    const cli_extra extras[] = {
        { "--tiny-tasks", "N", "how many tiny tasks in part (b) (default by scale: 5000, 100000, 1000000)", CLI_INT,
          100, 10000000, &tiny_count_flag },
    };
    chapter c;
    chapter_begin(&c, CHAPTER_NUMBER, CHAPTER_CLAIM, extras, 1, argc, argv);
    int cores = c.machine.cores, most = 4 * cores;

    /* (a) a fixed amount of work in 16 tasks per core, so every worker count divides it finely. */
    int tasks = 16 * cores;
    double work_s = cli_work_seconds(c.cli.scale) / 2;
    progress("calibrating the tasks ...");
    uint64_t task_iterations = calibrate_cpu_heavy(work_s / tasks);
    chapter_meta(&c, "tasks", "%d", tasks);
    chapter_meta(&c, "iterations_per_task", "%llu", (unsigned long long)task_iterations);
    double work = oversubscription(&c, tasks, &task_iterations, most);

    /* (b) tiny tasks of about 3 microseconds each. */
    static const int tiny_by_scale[] = { 5000, 100000, 1000000 };
    int tiny = tiny_count_flag ? tiny_count_flag : tiny_by_scale[c.cli.scale];
    uint64_t tiny_iterations = calibrate_cpu_heavy(3e-6);
    chapter_meta(&c, "tiny_tasks", "%d", tiny);
    chapter_meta(&c, "iterations_per_tiny_task", "%llu", (unsigned long long)tiny_iterations);
    tiny_result results[5];
    int n = tiny_tasks(&c, tiny, &tiny_iterations, results);

    verdict(&c, most, results, n);
    chapter_plot_var(&c, "work_s", "%.6f", work);
    chapter_plot_var(&c, "most", "%d", most);
    chapter_plot_var(&c, "tiny_tasks", "%d", tiny);
    chapter_plot_string(&c, "note", "%d cores (%s), scale %s, %d tasks in (a), %d tiny tasks in (b)", cores,
                     c.machine.cpu_model, cli_scale_name(c.cli.scale), tasks, tiny);
    return chapter_finish(&c);
}
