/* chapter.c — flags, runs, result files and report for every chapter. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capacity.h"
#include "chapter.h"
#include "cleanup.h"
#include "clock.h"
#include "fail.h"
#include "gnuplot.h"
#include "work.h"

static void die_writing(const chapter *c, const char *name)
{
    chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot write %s/%s: %s", c->cli.out, name, strerror(errno));
}

noreturn void chapter_fail(const chapter *c, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_user_v(c->program, status, fmt, ap);
}

/* A program started with stdin, stdout or stderr closed would hand that number to
 * the next file or pipe it opens, which then receives what was meant for the
 * stream (a pipe to python3 on fd 0, say). Fill the gaps with /dev/null first. */
static void open_standard_streams(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
            if (null >= 0 && null != fd) {
                dup2(null, fd);
                close(null);
            }
        }
}

/* The output directory held open (made if missing, opened without following a link)
 * for the whole run: an advisory lock on it (flock on its descriptor: no file is
 * created), and the folder every result is written into by descriptor
 * (open_staging, publish_results). Holding the lock, the staging folders of a run
 * killed by SIGKILL (which no handler could remove) are removed. */
static void hold_out_dir(chapter *c)
{
    char error[600];
    if (cli_check_out_dir(c->cli.out, error, sizeof error) != 0 ||
        (c->out_fd = cli_hold_out_dir(c->cli.out, ".run-", error, sizeof error)) < 0)
        chapter_fail(c, EXIT_BAD_INPUT, "%s", error);
    /* It stays open on purpose: the lock lasts as long as this run. */
}

/* Before the first round: what else is using the CPU (room.h). With --wait-quiet,
 * wait until nothing is, or give up (exit 1) saying who; otherwise, if something
 * is, say so in one line before anything runs (the verdict names it again). The
 * tiny scale (tests) looks for a tenth of a second, the others for a second. */
static void check_the_room(chapter *c)
{
    char who[300];
    c->room = room_measure(c->cli.scale == SCALE_TINY ? 0.1 : 1.0);
    int64_t give_up = now_ns() + (int64_t)(c->cli.wait_quiet_s * 1e9);
    while (c->cli.wait_quiet_s > 0 && room_is_busy(&c->room)) {
        room_describe(&c->room, who, sizeof who);
        if (now_ns() > give_up)
            chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the machine did not become quiet within %.0f s: another program "
                         "is using the CPU (%s); close it, or run without --wait-quiet", c->cli.wait_quiet_s, who);
        progress_milestone("waiting for a quiet machine: another program is using the CPU (%s)", who);
        c->room = room_measure(1.0);
    }
    room_describe(&c->room, who, sizeof who);
    if (room_is_busy(&c->room) && !c->cli.quiet) {
        char line[600];
        snprintf(line, sizeof line, "Another program is using the CPU (%s): the parallel modes cannot show their "
                 "speed. Close it, or run with --wait-quiet.", who);
        report_print_paragraph(stdout, line);
        putchar('\n');
        fflush(stdout);
    }
}

void chapter_begin(chapter *c, chapter_identity identity, chapter_flags flags, int argc, char **argv)
{
    chapter_begin_checked(c, identity, flags, NULL, NULL, argc, argv);
}

void chapter_begin_checked(chapter *c, chapter_identity identity, chapter_flags flags, chapter_input_check check,
                           void *check_ctx, int argc, char **argv)
{
    open_standard_streams();
    memset(c, 0, sizeof *c);
    c->identity = identity;
    c->number = identity.number;
    c->claim = identity.claim;
    c->decisive_series = -1;
    snprintf(c->capacity_what, sizeof c->capacity_what, "the C loop");
    snprintf(c->program, sizeof c->program, "chapter%d", identity.number);
    c->cli.program = c->program;
    c->cli.claim = identity.claim;
    c->cli.default_out = identity.results;
    c->cli.honours = flags.honours;
    c->cli.extras = flags.extras;
    c->cli.extra_count = flags.extra_count;
    c->cli.class_most_reps = flags.class_rounds;
    c->cli.answer_keys = identity.answers;
    cli_parse_or_exit(&c->cli, argc, argv);
    char why[400];
    if (check && !check(check_ctx, why, sizeof why))
        fail_user(c->program, EXIT_BAD_INPUT, "%s", why);

    /* Refuse an unusable --out before spending time on the experiment: make it now
     * (so whatever would stop it later stops it here), and hold it, so that a second
     * run into the same directory is refused instead of mixing its files with ours. */
    hold_out_dir(c);
    progress_enable(!c->cli.quiet);
    progress_name_as(c->program);
    machine_describe(&c->machine);
    c->noise_start = noise_snapshot_now();
    c->begun_ns = now_ns();
    char title[300];
    snprintf(title, sizeof title, "Chapter %d: \"%s\"", identity.number, identity.claim);
    c->report = report_new(title);
    check_the_room(c);
}

void chapter_series(chapter *c, const char *key, const char *family, double x, const char *label, pool_mode mode,
                    const char *reference, int reference_workers, unsigned colour)
{
    series_declare(&c->series, key, family, x, label, mode, reference, reference_workers, colour);
}

void chapter_values(chapter *c, const char *const *names, int count)
{
    if (count > CHAPTER_MAX_VALUES) fail_at(__FILE__, __LINE__, "chapter_values: too many values", EINVAL);
    for (int i = 0; i < count; i++) c->value_names[i] = names[i];
    c->value_count = count;
}

/* Runs are kept by the chapter: a const pointer handed out is one of ours. */
static chapter_run *ours(const chapter *c, const chapter_run *run)
{
    for (int i = c->run_count - 1; i >= 0; i--)
        if (c->runs[i] == run) return c->runs[i];
    fail_at(__FILE__, __LINE__, "a run this chapter did not keep", EINVAL);
}

void chapter_set_value(chapter *c, const chapter_run *run, int value, double v)
{
    if (value < 0 || value >= c->value_count) fail_at(__FILE__, __LINE__, "chapter_set_value: no such value", EINVAL);
    ours(c, run)->values[value] = v;
}

void chapter_measure_run(chapter *c, const chapter_run *run, double seconds)
{
    ours(c, run)->time_s = seconds;
}

void chapter_decide_by(chapter *c, const char *series, int workers, const char *ref, int ref_workers)
{
    c->decisive_series = series_of(&c->series, series);
    c->decisive_workers = workers;
    const series_def *d = &c->series.items[c->decisive_series];
    c->decisive_ref_workers = ref ? ref_workers : d->reference_workers;
    /* A copy: declaring the reference may move the table, and `d` with it. */
    char *reference = xstrdup(ref ? ref : d->reference);
    c->decisive_ref = series_of(&c->series, reference);
    free(reference);
}

bool chapter_wants(const chapter *c, pool_mode mode)
{
    if (mode == MODE_THREADS) return c->cli.runtime & RUNTIME_C;
    if (mode == MODE_GIL_THREADS) return c->cli.runtime & RUNTIME_GIL;
    return true;
}

static chapter_run *new_run(chapter *c, const char *series, int workers, int rep, int ntasks)
{
    int index = series_of(&c->series, series);
    pool_mode mode = c->series.items[index].mode;
    c->runs = xrealloc(c->runs, (size_t)c->run_count + 1, sizeof *c->runs);
    chapter_run *run = xcalloc(1, sizeof *run);
    c->runs[c->run_count++] = run;
    *run = (chapter_run){ .mode = mode, .series = index, .workers = pool_mode_serial_of(mode) == mode ? 1 : workers,
                          .rep = rep, .ntasks = ntasks };
    for (int i = 0; i < CHAPTER_MAX_VALUES; i++) run->values[i] = NAN;
    return run;
}

/* What the GIL did during a run: its hand-over gaps and count, added to the run's. */
static void add_gil_record(chapter_run *run, const gil_t *gil)
{
    unsigned long handovers;
    run->gil_gaps_s += ns_to_s(gil_handover_gap_ns(gil, &handovers));
    run->gil_handovers += handovers;
}

static double wall_of(const chapter_run *run)
{
    return ns_to_s(run->outcome.end_ns - run->outcome.start_ns);
}

/* "GIL-threads" for a mode's own series; the key ("releasing/4096B") for a declared one
 * (short: progress lines fit 80 columns). */
static const char *run_name(const chapter *c, const chapter_run *run, char *out, size_t size)
{
    const series_def *s = &c->series.items[run->series];
    if (strcmp(s->key, pool_mode_name(run->mode)) == 0) snprintf(out, size, "%s", pool_mode_label(run->mode));
    else snprintf(out, size, "%s", s->key);
    return out;
}

/* pool_map in the run's mode, its records into `records`: the chapter stops (exit 1)
 * if it fails; under GIL-threads, what the GIL did is added to the run. */
static void map_or_fail(chapter *c, chapter_run *run, int workers, pool_task task, void *ctx, int ntasks, gil_t *gil,
                        task_record *records, pool_outcome *outcome)
{
    pool_config config = { .mode = run->mode, .workers = workers, .chunksize = 1, .gil = gil };
    if (pool_map(&config, task, ctx, ntasks, records, outcome) != 0) {
        char name[160];
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the %s run failed: %s", run_name(c, run, name, sizeof name),
                     outcome->error);
    }
    if (gil && run->mode == MODE_GIL_THREADS) add_gil_record(run, gil);
}

const chapter_run *chapter_run_mode(chapter *c, pool_mode mode, int workers, int rep, pool_task task, void *ctx,
                                    int ntasks, gil_t *gil)
{
    return chapter_run_series(c, pool_mode_name(mode), workers, rep, task, ctx, ntasks, gil);
}

const chapter_run *chapter_run_series(chapter *c, const char *series, int workers, int rep, pool_task task,
                                      void *ctx, int ntasks, gil_t *gil)
{
    chapter_run *run = new_run(c, series, workers, rep, ntasks);
    char name[160];
    run_name(c, run, name, sizeof name);
    progress("%s: %d tasks, %d worker%s, round %d ...", name, ntasks, run->workers, run->workers == 1 ? "" : "s",
             rep + 1);
    run->records = xcalloc((size_t)ntasks, sizeof *run->records);
    map_or_fail(c, run, workers, task, ctx, ntasks, gil, run->records, &run->outcome);
    run->time_s = wall_of(run);
    progress_milestone("round %d: %s, %d worker%s: %.3f s", rep + 1, name, run->workers,
                       run->workers == 1 ? "" : "s", run->time_s);
    return run;
}

void chapter_warm_up(chapter *c, pool_mode mode, int workers, pool_task task, void *ctx, int ntasks, gil_t *gil)
{
    progress("%s: warm-up (not timed) ...", pool_mode_label(mode));
    task_record *records = xcalloc((size_t)ntasks, sizeof *records);
    pool_outcome outcome;
    pool_config config = { .mode = mode, .workers = workers, .chunksize = 1, .gil = gil };
    if (pool_map(&config, task, ctx, ntasks, records, &outcome) != 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the %s warm-up failed: %s", pool_mode_label(mode), outcome.error);
    free(records);
}

uint64_t chapter_cpu_jobs(chapter *c)
{
    double job_seconds = cli_work_seconds(c->cli.scale) / c->cli.jobs;
    progress("calibrating: how many loop iterations make a %.3f s job here?", job_seconds);
    uint64_t iterations = calibrate_cpu_heavy(job_seconds);
    chapter_meta(c, "iterations_per_job", "%llu", (unsigned long long)iterations);
    chapter_calibrated(c, job_seconds * c->cli.jobs);
    chapter_warm_up(c, MODE_THREADS, c->cli.workers, cpu_heavy_task, &iterations, c->cli.jobs, NULL);
    return iterations;
}

int chapter_memory_flag(chapter *c, const char *flag, int mib)
{
    long cap = machine_available_mib() / 4;
    if (mib <= cap) return mib;
    if (cli_given(&c->cli, flag))
        chapter_fail(c, EXIT_BAD_INPUT, "%s %d: at most %ld here (a quarter of the memory available now)", flag, mib,
                     cap);
    chapter_meta(c, "memory_cap", "%s lowered from %d to %ld MiB (a quarter of the memory available)", flag, mib, cap);
    return (int)cap;
}

int chapter_sweep_to(const long *steps, int count, long most, long *out)
{
    int n = 0;
    for (int i = 0; i < count && steps[i] <= most; i++) out[n++] = steps[i];
    if (n == 0 || out[n - 1] != most) out[n++] = most;
    return n;
}

/* Seconds an experiment may spend on rounds beyond the minimum, by scale. */
static double round_budget_s(cli_scale scale)
{
    static const double budget[] = { 0, 12, 120 };
    return budget[scale];
}

#define NARROW_ENOUGH 0.03

/* Should round number `done` (0-based) run? Yes below the scale's minimum; no at
 * its maximum or past the time budget; in between, yes while `relative_width`
 * (the decisive interval's half-width / median, stats_relative_width) is over 3 %. */
static bool another_round(chapter *c, int done, double relative_width)
{
    bool more = done < CHAPTER_MAX_ROUNDS &&
                (done < c->cli.reps ||
                 (done < c->cli.max_reps && relative_width > NARROW_ENOUGH &&
                  ns_to_s(now_ns() - c->begun_ns) <
                      (c->round_budget_s > 0 && c->cli.scale != SCALE_PAPER ? c->round_budget_s
                                                                            : round_budget_s(c->cli.scale))));
    if (!more) c->rounds = done;
    else if (done >= c->cli.reps) progress("round %d: the interval is still +-%.0f %%, one more round", done + 1,
                                           100 * relative_width);
    return more;
}

static estimate ratio_of(const chapter *c, int series, int workers, int ref, int ref_workers);

/* The machine's parallel capacity at the start of a round (capacity.h): all its CPUs'
 * workers against one, on the C loop (a 20 ms one) or the chapter's own workload, so
 * that it sees the same moment as the round. At the tiny scale (tests: nothing is
 * decided) once, on a 5 ms loop. */
static void probe_capacity(chapter *c)
{
    bool tiny = c->cli.scale == SCALE_TINY;
    if (c->capacity_count >= CHAPTER_MAX_ROUNDS || (tiny && c->capacity_count > 0)) return;
    if (!c->capacity_task) {
        c->capacity_iterations = capacity_iterations(tiny ? 0.005 : 0.02);
        c->capacity_task = cpu_heavy_task;
        c->capacity_ctx = &c->capacity_iterations;
    }
    pool_outcome outcome;
    double worth = capacity_probe(c->machine.cores, c->capacity_task, c->capacity_ctx, &outcome);
    if (worth > 0) c->capacity[c->capacity_count++] = worth;
    /* A worker that died in its task (killed, or crashed) stops the chapter as in any of
     * its runs; processes that could not be started (a limit on them) measure nothing,
     * and the round goes on without a probe. */
    else if (outcome.failed_task >= 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "the parallel capacity's probe failed: %s", outcome.error);
}

void chapter_capacity_workload(chapter *c, const char *what, pool_task task, void *ctx)
{
    if (c->capacity_count > 0 || !task)
        fail_at(__FILE__, __LINE__, "chapter_capacity_workload: after the first round, or without a task", EINVAL);
    snprintf(c->capacity_what, sizeof c->capacity_what, "%s", what);
    c->capacity_task = task;
    c->capacity_ctx = ctx;
}

bool chapter_next_round(chapter *c, int *rep)
{
    double width = INFINITY;
    if (c->decisive_series >= 0 && *rep >= 0)
        width = stats_relative_width(ratio_of(c, c->decisive_series, c->decisive_workers, c->decisive_ref,
                                              c->decisive_ref_workers));
    ++*rep;
    if (!another_round(c, *rep, width)) return false;
    probe_capacity(c);
    return true;
}

bool chapter_past_minimum(const chapter *c, int rep)
{
    return rep >= c->cli.reps;
}

int chapter_minimum_rounds(const chapter *c)
{
    return c->rounds < c->cli.reps ? c->rounds : c->cli.reps;
}

estimate chapter_capacity(const chapter *c)
{
    return stats_estimate(c->capacity, (size_t)c->capacity_count);
}

void chapter_calibrated(chapter *c, double serial_seconds)
{
    c->calibrated_serial_s = serial_seconds;
}

/* The run of series `series` with `workers` in round `rep`, or NULL. With workers 0 the
 * series must have one run in the round: pairing with the first of several would
 * compare different work (the contract's first version did). */
static const chapter_run *run_in_round(const chapter *c, int series, int workers, int rep)
{
    const chapter_run *found = NULL;
    for (int i = 0; i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->series != series || run->rep != rep || (workers && run->workers != workers)) continue;
        if (found) fail_at(__FILE__, __LINE__, "a reference with several runs in one round: name its workers", EINVAL);
        found = run;
    }
    return found;
}

static estimate ratio_of(const chapter *c, int series, int workers, int ref, int ref_workers)
{
    double ratios[c->run_count + 1];
    size_t n = 0;
    for (int i = 0; i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->series != series || (workers && run->workers != workers)) continue;
        const chapter_run *base = run_in_round(c, ref, ref_workers, run->rep);
        if (base && base->time_s > 0) ratios[n++] = run->time_s / base->time_s;
    }
    return stats_estimate(ratios, n);
}

estimate chapter_series_ratio(const chapter *c, const char *series, int workers, const char *ref, int ref_workers)
{
    int s = series_find(&c->series, series), r = series_find(&c->series, ref);
    if (s < 0 || r < 0) return (estimate){ 0 };
    return ratio_of(c, s, workers, r, ref_workers);
}

double chapter_round_time(const chapter *c, const char *series, int workers, int rep)
{
    int s = series_find(&c->series, series);
    const chapter_run *run = s < 0 ? NULL : run_in_round(c, s, workers, rep);
    return run ? run->time_s : 0;
}

estimate chapter_ratio(const chapter *c, pool_mode mode, int workers, pool_mode ref, int ref_workers)
{
    return chapter_series_ratio(c, pool_mode_name(mode), workers, pool_mode_name(ref), ref_workers);
}

estimate chapter_vs_reference(const chapter *c, const char *series, int workers)
{
    int s = series_find(&c->series, series);
    if (s < 0) return (estimate){ 0 };
    const series_def *d = &c->series.items[s];
    return chapter_series_ratio(c, series, workers, d->reference, d->reference_workers);
}

bool chapter_series_ran(const chapter *c, const char *series)
{
    int s = series_find(&c->series, series);
    for (int i = 0; s >= 0 && i < c->run_count; i++)
        if (c->runs[i]->series == s) return true;
    return false;
}

/* One turn of an interleaved round: the tasks once, their records appended to `run`'s. */
static void run_turn(chapter *c, chapter_run *run, int workers, pool_task task, void *ctx, int ntasks,
                     double switch_interval_s, int turn)
{
    gil_t *gil = run->mode == MODE_GIL_THREADS ? gil_create(switch_interval_s) : NULL;
    pool_outcome outcome;
    map_or_fail(c, run, workers, task, ctx, ntasks, gil, run->records + (size_t)turn * (size_t)ntasks, &outcome);
    if (gil) gil_destroy(gil);
    if (turn == 0) run->outcome = outcome;
    run->outcome.end_ns = outcome.end_ns;
    run->time_s += ns_to_s(outcome.end_ns - outcome.start_ns);
}

void chapter_run_interleaved(chapter *c, const pool_mode *modes, int nmodes, int workers, int rep, pool_task task,
                             void *slice_ctx, int ntasks, int turns, double switch_interval_s,
                             const chapter_run **runs)
{
    chapter_run *own[POOL_MODES]; /* the modes pool_map runs, each at most once */
    if (nmodes > POOL_MODES || turns < 1)
        fail_at(__FILE__, __LINE__, "chapter_run_interleaved: more modes than pool_map runs, or no turn", EINVAL);
    for (int m = 0; m < nmodes; m++) {
        own[m] = new_run(c, pool_mode_name(modes[m]), workers, rep, ntasks * turns);
        own[m]->records = xcalloc((size_t)ntasks * (size_t)turns, sizeof *own[m]->records);
    }
    progress("round %d: %d modes, %d turns each ...", rep + 1, nmodes, turns);
    for (int turn = 0; turn < turns; turn++)
        for (int i = 0; i < nmodes; i++) {
            int m = turn % 2 ? nmodes - 1 - i : i; /* mirrored every other turn */
            run_turn(c, own[m], workers, task, slice_ctx, ntasks, switch_interval_s, turn);
        }
    for (int m = 0; m < nmodes; m++) {
        char name[160];
        progress_milestone("round %d: %s, %d worker%s: %.3f s in %d turns", rep + 1,
                           run_name(c, own[m], name, sizeof name), own[m]->workers, own[m]->workers == 1 ? "" : "s",
                           own[m]->time_s, turns);
        runs[m] = own[m];
    }
}

const chapter_run *chapter_add_run(chapter *c, const char *series, int workers, int rep, int ntasks,
                                   task_record *records, int64_t start_ns, int64_t end_ns)
{
    chapter_run *run = new_run(c, series, workers, rep, ntasks);
    run->records = records;
    run->outcome = (pool_outcome){ .start_ns = start_ns, .end_ns = end_ns, .workers_started = workers,
                                   .failed_task = -1 };
    run->time_s = wall_of(run);
    char name[160];
    progress_milestone("round %d: %s, %d worker%s: %.3f s", rep + 1, run_name(c, run, name, sizeof name),
                       run->workers, run->workers == 1 ? "" : "s", run->time_s);
    return run;
}

double run_seconds(const chapter_run *run, int64_t ns)
{
    return ns_to_s(ns - run->outcome.start_ns);
}

mode_summary chapter_summary(const chapter *c, pool_mode mode)
{
    return chapter_summary_of(c, mode, 0);
}

mode_summary chapter_summary_of(const chapter *c, pool_mode mode, int workers)
{
    return chapter_series_summary(c, pool_mode_name(mode), workers);
}

/* The CPU time all of a run's tasks used, in seconds. */
static double run_cpu_s(const chapter_run *run)
{
    double cpu_s = 0;
    for (int t = 0; t < run->ntasks; t++) cpu_s += ns_to_s(run->records[t].cpu_ns);
    return cpu_s;
}

mode_summary chapter_series_summary(const chapter *c, const char *series, int workers)
{
    mode_summary s = { 0 };
    int index = series_find(&c->series, series);
    if (index < 0) return s;
    double wall[c->run_count + 1], cpu[c->run_count + 1], vcsw[c->run_count + 1], ivcsw[c->run_count + 1];
    for (int i = 0; i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->series != index || (workers && run->workers != workers)) continue;
        double v = 0, iv = 0;
        for (int t = 0; t < run->ntasks; t++) {
            v += (double)run->records[t].vcsw;
            iv += (double)run->records[t].ivcsw;
        }
        wall[s.reps] = run->time_s;
        cpu[s.reps] = run_cpu_s(run);
        vcsw[s.reps] = v;
        ivcsw[s.reps] = iv;
        s.workers = run->workers;
        s.reps++;
    }
    if (!s.reps) return s;
    s.ran = true;
    s.wall_s = stats_spread(wall, (size_t)s.reps);
    s.wall = stats_estimate(wall, (size_t)s.reps);
    s.vs_reference = chapter_vs_reference(c, series, workers);
    s.cpu_s = stats_median(cpu, (size_t)s.reps);
    s.vcsw = stats_median(vcsw, (size_t)s.reps);
    s.ivcsw = stats_median(ivcsw, (size_t)s.reps);
    s.utilisation = s.wall_s.median > 0 ? s.cpu_s / (s.wall_s.median * c->machine.cores) : 0;
    return s;
}

estimate chapter_cpu_share(const chapter *c, const char *series, int workers)
{
    int index = series_find(&c->series, series);
    double share[c->run_count + 1];
    size_t n = 0;
    for (int i = 0; index >= 0 && i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->series != index || (workers && run->workers != workers) || run->time_s <= 0) continue;
        share[n++] = run_cpu_s(run) / run->time_s;
    }
    return stats_estimate(share, n);
}

bool chapter_serial_starved(const chapter *c, char *why, size_t size)
{
    estimate got = chapter_cpu_share(c, pool_mode_name(MODE_SERIAL), 0);
    bool starved = got.n > 0 && got.median < SERIAL_HAD_A_CPU;
    if (why && size) why[0] = '\0';
    if (starved && why && size) {
        char text[64];
        snprintf(why, size, "Serial got only %s of a CPU while it ran (its CPU time / its wall time): another "
                 "program or the host held the rest, so a ratio against serial measures how the CPUs were "
                 "shared, not the work.", estimate_text(got, "%.2f", text, sizeof text));
    }
    return starved;
}

estimate chapter_value(const chapter *c, const char *series, int workers, int value)
{
    if (value < 0 || value >= c->value_count) fail_at(__FILE__, __LINE__, "chapter_value: no such value", EINVAL);
    int index = series_find(&c->series, series);
    double v[c->run_count + 1];
    size_t n = 0;
    for (int i = 0; index >= 0 && i < c->run_count; i++) {
        const chapter_run *run = c->runs[i];
        if (run->series == index && (!workers || run->workers == workers) && !isnan(run->values[value]))
            v[n++] = run->values[value];
    }
    return stats_estimate(v, n);
}

void chapter_meta(chapter *c, const char *key, const char *fmt, ...)
{
    if (c->meta_count == (int)(sizeof c->meta / sizeof *c->meta)) return;
    va_list ap;
    va_start(ap, fmt);
    char *value = xvasprintf(fmt, ap);
    va_end(ap);
    c->meta[c->meta_count++] = xasprintf("%s=%s", key, value);
    free(value);
}

void chapter_columns(chapter *c, const char *const *names, int count, chapter_extra_fields fields, void *ctx)
{
    c->extra_columns = names;
    c->extra_column_count = count;
    c->extra_fields = fields;
    c->extra_ctx = ctx;
}

/* "name = value" appended to the figure's variables. */
static void add_plot_line(chapter *c, const char *name, const char *value)
{
    char *joined = xasprintf("%s%s = %s\n", c->plot_vars ? c->plot_vars : "", name, value);
    free(c->plot_vars);
    c->plot_vars = joined;
}

void chapter_plot_string(chapter *c, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    char *quoted = gnuplot_string(text);
    add_plot_line(c, name, quoted);
    free(quoted);
    free(text);
}

void chapter_plot_text(chapter *c, const char *name, const char *text)
{
    chapter_plot_string(c, name, "%s", text);
    char *enhanced = gnuplot_enhanced_text(text), *enhanced_name = xasprintf("%s_enhanced", name);
    chapter_plot_string(c, enhanced_name, "%s", enhanced);
    free(enhanced_name);
    free(enhanced);
}

void chapter_plot_var(chapter *c, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *value = xvasprintf(fmt, ap);
    va_end(ap);
    add_plot_line(c, name, value);
    free(value);
}

/* Figures drawn from the previous run's data would contradict the new data: they go
 * (plots/render.sh draws the new ones; `make chapterN` calls it). */
static void remove_stale_figures(const chapter *c)
{
    const char *figures[] = { "figure.png", "figure.svg" };
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++) {
        struct stat st;
        if (fstatat(c->out_fd, figures[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            unlinkat(c->out_fd, figures[i], 0);
    }
}

/* Inside --out (held open since chapter_begin), a new private staging folder
 * (.run-XXXXXX), held open too: every result is created, renamed and removed
 * relative to the two (openat, renameat, unlinkat), so a folder swapped for a link
 * by someone else after it was opened is never written through. */
static void open_staging(chapter *c)
{
    if ((c->stage_fd = atomic_dir_create_at(c->out_fd, ".run-", c->staging_name, sizeof c->staging_name)) < 0)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot write into %s: %s", c->cli.out, strerror(errno));
    c->staging = xasprintf("%s/%s", c->cli.out, c->staging_name);
    cleanup_temp_dir(c->out_fd, c->staging_name);
}

/* Where a result file is written: a private staging folder inside --out
 * (DIR/.run-XXXXXX), so that the whole set moves into DIR at the end, together
 * (publish_results), and an interrupted run leaves DIR as it was. */
static void stage(chapter *c, const char *name)
{
    if (!c->staging) open_staging(c);
    for (int i = 0; i < c->staged_count; i++)
        if (strcmp(c->staged[i], name) == 0) return;
    if (c->staged_count == (int)(sizeof c->staged / sizeof *c->staged))
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "too many result files (%s)", name);
    c->staged[c->staged_count++] = xstrdup(name);
    cleanup_temp_file(c->stage_fd, name); /* removed if we die before it is published */
}

/* A result file, written into the staging folder by descriptor. */
static void open_result(chapter *c, const char *name, atomic_file *f)
{
    stage(c, name);
    if (atomic_file_open_at(f, c->stage_fd, c->staging, name) != 0) die_writing(c, name);
}

/* Move every staged result into --out, with the catchable signals held off, so that
 * the set lands whole: the previous run's files are replaced one rename at a time,
 * within microseconds, and no signal can stop it halfway. Figures drawn from the
 * previous data go (plots/render.sh draws the new ones). */
static void publish_results(chapter *c)
{
    if (!c->staging) return;
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &previous);
    /* First every target: a link, FIFO or device planted in the place of one result
     * stops the publication before any file has moved (never replaced, never mixed). */
    const char *refused = NULL;
    for (int i = 0; i < c->staged_count && !refused; i++) {
        struct stat st;
        if (fstatat(c->out_fd, c->staged[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
            refused = c->staged[i];
    }
    int saved = 0;
    if (!refused) {
        remove_stale_figures(c);
        for (int i = 0; i < c->staged_count && !saved; i++)
            if (renameat(c->stage_fd, c->staged[i], c->out_fd, c->staged[i]) != 0) saved = errno, refused = c->staged[i];
    }
    for (int i = 0; i < c->staged_count; i++) { /* what could not be published goes */
        unlinkat(c->stage_fd, c->staged[i], 0);
        cleanup_temp_file_done(c->stage_fd, c->staged[i]);
    }
    close(c->stage_fd);
    unlinkat(c->out_fd, c->staging_name, AT_REMOVEDIR);
    cleanup_temp_dir_done(c->out_fd, c->staging_name);
    sigprocmask(SIG_SETMASK, &previous, NULL);
    if (refused)
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot write %s/%s: %s", c->cli.out, refused,
                     saved ? strerror(saved) : "something that is not a regular file is in its place");
}

void chapter_open_csv(chapter *c, const char *name, csv_writer *w)
{
    stage(c, name);
    if (csv_open_at(w, c->stage_fd, c->staging, name) != 0) die_writing(c, name);
    const machine_info *m = &c->machine;
    csv_meta(w, "chapter", "%d", c->number);
    csv_meta(w, "claim", "%s", c->claim);
    csv_meta(w, "machine", "%s", m->cpu_model);
    csv_meta(w, "cores", "%d", m->cores);
    csv_meta(w, "memory_gib", "%.1f", m->memory_gib);
    csv_meta(w, "kernel", "%s", m->kernel);
    csv_meta(w, "compiler", "%s", m->compiler);
    csv_meta(w, "date", "%s", m->date);
    csv_meta(w, "revision", "%s", m->revision);
    csv_meta(w, "scale", "%s", cli_scale_name(c->cli.scale));
    csv_meta(w, "settings", "%s", c->cli.settings[0] ? c->cli.settings : "default");
    csv_meta(w, "runtime", "%s", cli_runtime_name(c->cli.runtime));
    csv_meta(w, "jobs", "%d", c->cli.jobs);
    csv_meta(w, "workers", "%d", c->cli.workers);
    csv_meta(w, "reps", "%d", c->cli.reps);
    csv_meta(w, "switch_interval_ms", "%g", c->cli.switch_interval_ms);
    for (int i = 0; i < c->meta_count; i++) fprintf(w->file.stream, "# %s\n", c->meta[i]);
}

void chapter_commit_csv(chapter *c, csv_writer *w, const char *name)
{
    if (csv_commit(w) != 0) die_writing(c, name);
}

static void write_data_csv(chapter *c)
{
    csv_writer w;
    chapter_open_csv(c, "data.csv", &w);
    const char *common[] = { CSV_COMMON_COLUMNS };
    for (int i = 0; i < CSV_COMMON_COLUMN_COUNT; i++) csv_str(&w, common[i]);
    for (int i = 0; i < c->value_count; i++) csv_str(&w, c->value_names[i]);
    for (int i = 0; i < c->extra_column_count; i++) csv_str(&w, c->extra_columns[i]);
    csv_end_row(&w);
    for (int r = 0; r < c->run_count; r++) {
        const chapter_run *run = c->runs[r];
        for (int t = 0; t < run->ntasks; t++) {
            const task_record *rec = &run->records[t];
            csv_int(&w, c->number);
            csv_str(&w, c->series.items[run->series].key);
            csv_str(&w, pool_mode_name(run->mode));
            csv_int(&w, run->workers);
            csv_int(&w, run->rep);
            csv_int(&w, rec->task);
            csv_int(&w, rec->worker);
            csv_int(&w, rec->pid);
            csv_num(&w, run_seconds(run, rec->start_ns), 6);
            csv_num(&w, run_seconds(run, rec->end_ns), 6);
            csv_num(&w, ns_to_s(rec->cpu_ns), 6);
            csv_int(&w, rec->core);
            csv_int(&w, rec->vcsw);
            csv_int(&w, rec->ivcsw);
            csv_int(&w, rec->result);
            for (int i = 0; i < c->value_count; i++) {
                if (isnan(run->values[i])) csv_str(&w, "");
                else csv_num(&w, run->values[i], 6);
            }
            if (c->extra_fields) c->extra_fields(&w, run, t, c->extra_ctx);
            csv_end_row(&w);
        }
    }
    chapter_commit_csv(c, &w, "data.csv");
}

/* Is run i the first of its series with its worker count? */
static bool first_with_workers(const chapter *c, int i)
{
    for (int k = 0; k < i; k++)
        if (c->runs[k]->series == c->runs[i]->series && c->runs[k]->workers == c->runs[i]->workers) return false;
    return true;
}

static void csv_estimate(csv_writer *w, estimate e, int decimals)
{
    if (e.n > 0) csv_num(w, e.median, decimals); else csv_str(w, "");
    if (e.n > 0) csv_num(w, e.lo, decimals); else csv_str(w, "");
    if (e.n > 0) csv_num(w, e.hi, decimals); else csv_str(w, "");
}

/* One row per series and worker count, over the rounds: what the figures and the
 * class pool. Each names its series and the reference its ratio is taken against. */
static void write_modes_csv(chapter *c)
{
    csv_writer w;
    chapter_open_csv(c, "modes.csv", &w);
    const char *columns[] = { "series", "family", "x", "mode", "label", "workers", "reps", "wall_median_s",
                              "wall_min_s", "wall_max_s", "cpu_s", "utilisation", "vcsw", "ivcsw", "wall_lo_s",
                              "wall_hi_s", "reference", "reference_workers", "vs_reference", "vs_reference_lo",
                              "vs_reference_hi" };
    int count = (int)(sizeof columns / sizeof *columns);
    for (int i = 0; i < count; i++) csv_str(&w, columns[i]);
    for (int i = 0; i < c->value_count; i++) {
        char lo[64], hi[64];
        snprintf(lo, sizeof lo, "%s_lo", c->value_names[i]);
        snprintf(hi, sizeof hi, "%s_hi", c->value_names[i]);
        csv_str(&w, c->value_names[i]), csv_str(&w, lo), csv_str(&w, hi);
    }
    csv_end_row(&w);
    for (int k = 0; k < c->series.count; k++) {
        const series_def *d = &c->series.items[k];
        for (int i = 0; i < c->run_count; i++) {
            const chapter_run *run = c->runs[i];
            if (run->series != k || !first_with_workers(c, i)) continue;
            mode_summary s = chapter_series_summary(c, d->key, run->workers);
            csv_str(&w, d->key);
            csv_str(&w, d->family);
            if (isnan(d->x)) csv_str(&w, ""); else csv_num(&w, d->x, 6);
            csv_str(&w, pool_mode_name(d->mode));
            csv_str(&w, d->label);
            csv_int(&w, s.workers);
            csv_int(&w, s.reps);
            /* Times to the nanosecond, the clock's unit: a message's one-way time
             * (chapter 13) is well below a microsecond. */
            csv_num(&w, s.wall_s.median, 9);
            csv_num(&w, s.wall_s.min, 9);
            csv_num(&w, s.wall_s.max, 9);
            csv_num(&w, s.cpu_s, 9);
            csv_num(&w, s.utilisation, 4);
            csv_num(&w, s.vcsw, 0);
            csv_num(&w, s.ivcsw, 0);
            csv_num(&w, s.wall.lo, 9);
            csv_num(&w, s.wall.hi, 9);
            /* A reference that never ran (a mode's serial run, in a chapter without one): none. */
            bool compared = chapter_series_ran(c, d->reference);
            csv_str(&w, compared ? d->reference : "");
            csv_int(&w, compared ? d->reference_workers : 0);
            /* Against its reference, paired within each round; the 95 % interval where
             * there are enough rounds (else [min, max]). */
            csv_estimate(&w, s.vs_reference, 4);
            for (int v = 0; v < c->value_count; v++) csv_estimate(&w, chapter_value(c, d->key, run->workers, v), 6);
            csv_end_row(&w);
        }
    }
    chapter_commit_csv(c, &w, "modes.csv");
}

/* Variables the gnuplot script loads: the caption note, and the chapter's own. */
/* name = 'text', quoted as data. */
static void write_plot_string(FILE *out, const char *name, const char *text)
{
    char *quoted = gnuplot_string(text);
    fprintf(out, "%s = %s\n", name, quoted);
    free(quoted);
}

/* name = 'text' for the terminal figure, and name_enhanced = the same with gnuplot's
 * enhanced-text markup escaped, for PNG and SVG (a CPU's name may hold _ or ^). */
static void write_plot_text(FILE *out, const char *name, const char *text)
{
    char *enhanced = gnuplot_enhanced_text(text), *enhanced_name = xasprintf("%s_enhanced", name);
    write_plot_string(out, name, text);
    write_plot_string(out, enhanced_name, enhanced);
    free(enhanced_name);
    free(enhanced);
}

static void write_plot_vars(chapter *c)
{
    atomic_file f;
    open_result(c, "plot-vars.gp", &f);
    fprintf(f.stream, "# written by %s: what the figure needs to know about the run\n", c->program);
    fprintf(f.stream, "cores = %d\njobs = %d\nchapter = %d\n", c->machine.cores, c->cli.jobs, c->number);
    char jobs[32] = "";
    if (cli_honours(&c->cli, CLI_JOBS)) snprintf(jobs, sizeof jobs, ", %d jobs", c->cli.jobs);
    char *note = xasprintf("%d CPUs (%s), scale %s%s, switch interval %g ms", c->machine.cores, c->machine.cpu_model,
                           cli_scale_name(c->cli.scale), jobs, c->cli.switch_interval_ms);
    write_plot_text(f.stream, "note", note);
    write_plot_text(f.stream, "claim", c->claim);
    free(note);
    modes_write_gnuplot(f.stream);
    series_write_gnuplot(&c->series, f.stream);
    if (c->plot_vars) fputs(c->plot_vars, f.stream); /* the chapter's own, after: they may override */
    if (atomic_file_commit(&f) != 0) die_writing(c, "plot-vars.gp");
}

/* Median CPU time of a mode's runs (all tasks of a run together). */
static double median_cpu_s(const chapter *c, pool_mode mode)
{
    return chapter_summary(c, mode).cpu_s;
}

/* How many rounds the C program ran: its highest round number, plus one. (Real
 * CPython's reps are its own: a chapter may run more or fewer of them.) */
static int rounds_done(const chapter *c)
{
    int rounds = 0;
    for (int i = 0; i < c->run_count; i++)
        if (pool_mode_serial_of(c->runs[i]->mode) == MODE_SERIAL && c->runs[i]->rep + 1 > rounds)
            rounds = c->runs[i]->rep + 1;
    return rounds;
}

/* How far apart the same serial work took, (max - min) / median over the rounds:
 * per C serial series (each the same work in every round), the median over them
 * (-1: no series with two rounds). A spread between different work is no noise. */
static double serial_spread(const chapter *c)
{
    double spreads[c->series.count + 1];
    size_t n = 0;
    for (int k = 0; k < c->series.count; k++) {
        const series_def *d = &c->series.items[k];
        if (d->mode != MODE_SERIAL) continue;
        mode_summary s = chapter_series_summary(c, d->key, 0);
        if (s.reps >= 2 && s.wall_s.median > 0) spreads[n++] = (s.wall_s.max - s.wall_s.min) / s.wall_s.median;
    }
    return n ? stats_median(spreads, n) : -1;
}

/* Below this share of the CPUs' count, the measured capacity is low enough to name. */
#define CAPACITY_LOW 0.8

/* Did the CPUs do under CAPACITY_LOW of their count's worth over this run (median)? */
static bool capacity_was_low(const chapter *c)
{
    estimate worth = chapter_capacity(c);
    return worth.n > 0 && c->machine.cores > 1 && worth.median < CAPACITY_LOW * c->machine.cores;
}

/* " Parallel capacity: ..." for the Noise paragraph, its preamble keys and plot
 * variables (capacity.h); "" where no round probed it. */
static void describe_capacity(chapter *c, char *out, size_t size)
{
    out[0] = '\0';
    estimate worth = chapter_capacity(c);
    int physical = capacity_physical_cores(), cpus = c->machine.cores;
    chapter_meta(c, "physical_cores", "%d", physical);
    if (worth.n == 0) return;
    char text[96], remark[240] = "";
    estimate_text(worth, "%.2f", text, sizeof text);
    chapter_meta(c, "parallel_capacity", "%s cores' worth of %d CPUs (%s, over %d round%s)", text, cpus,
                 c->capacity_what, worth.n, worth.n == 1 ? "" : "s");
    chapter_plot_var(c, "capacity", "%.4f", worth.median);
    chapter_plot_var(c, "capacity_lo", "%.4f", worth.lo);
    chapter_plot_var(c, "capacity_hi", "%.4f", worth.hi);
    chapter_plot_text(c, "capacity_what", c->capacity_what);
    if (physical > 0 && physical < cpus)
        snprintf(remark, sizeof remark, "; the kernel shows them as hardware threads of %d core%s, which share their "
                 "execution units", physical, physical == 1 ? "" : "s");
    else if (physical == cpus && capacity_was_low(c))
        snprintf(remark, sizeof remark, "; the kernel shows %d separate cores, yet they did less: on a virtual machine "
                 "they may be hardware threads of fewer cores on the host, or the host was busy", cpus);
    else if (worth.median > cpus)
        /* Each worker's share is its time alone over its time beside the others: above 1
         * only when the lone run was the slower one. */
        snprintf(remark, sizeof remark, "; that is more than %d CPUs can do, which happens only when the same work "
                 "alone took longer than beside the others: read it as %d", cpus, cpus);
    snprintf(out, size, " Parallel capacity: %d CPUs did %s cores' worth of %s together (all at once against one "
             "alone, at the start of each round)%s.", cpus, text, c->capacity_what, remark);
}

/* The noise meter's line, its preamble keys, and a warning on the verdict when high. */
static void measure_noise(chapter *c)
{
    noise_report noise = noise_between(c->noise_start, noise_snapshot_now());
    mode_summary serial = chapter_summary(c, MODE_SERIAL);
    noise.serial_spread = serial_spread(c);
    /* GIL-threads run one thread at a time, as serial does: the same work should cost
     * the same CPU time. (C threads and processes run side by side, where cores that
     * share caches or a physical core slow each other: that is not noise.) */
    if (c->same_work && serial.ran && serial.cpu_s > 0 && chapter_summary(c, MODE_GIL_THREADS).ran)
        noise.cpu_drift = fabs(median_cpu_s(c, MODE_GIL_THREADS) / serial.cpu_s - 1);
    char line[600];
    noise_describe(&noise, c->machine.cores, line, sizeof line);
    bool high = noise_is_high(&noise, c->machine.cores);
    chapter_meta(c, "noise_steal_pct", "%.2f", 100 * noise.steal_share);
    chapter_meta(c, "noise_load_at_start", "%.2f", noise.load_at_start);
    chapter_meta(c, "noise_serial_spread_pct", "%.1f", noise.serial_spread < 0 ? -1 : 100 * noise.serial_spread);
    chapter_meta(c, "noise_cpu_drift_pct", "%.1f", noise.cpu_drift < 0 ? -1 : 100 * noise.cpu_drift);
    chapter_meta(c, "noise_level", "%s", high ? "high" : "low");
    chapter_meta(c, "rounds", "%d", rounds_done(c));
    char capacity[600];
    describe_capacity(c, capacity, sizeof capacity);
    if (c->calibrated_serial_s > 0 && serial.ran) {
        chapter_meta(c, "calibrated_serial_s", "%.4f", c->calibrated_serial_s);
        chapter_meta(c, "measured_serial_s", "%.4f", serial.wall_s.median);
        report_noise(c->report, "%s. Calibration: serial was to take %.3f s and took %.3f s (median of %d rounds).%s",
                     line, c->calibrated_serial_s, serial.wall_s.median, serial.reps, capacity);
    } else {
        report_noise(c->report, "%s.%s", line, capacity);
    }
    int rounds = rounds_done(c);
    if (rounds > 0 && rounds < STATS_MIN_VALUES)
        report_verdict_append(c->report, " (%d round%s: too few for an interval, so nothing is decided here; `--reps "
                              "%d` or more decides.)", rounds, rounds == 1 ? "" : "s", STATS_DECIDING_VALUES);
    else if (rounds >= STATS_MIN_VALUES && rounds < STATS_DECIDING_VALUES)
        report_verdict_append(c->report, " (%d rounds: their intervals hold the median only %.0f %% of the time, not "
                              "95 %%, so nothing is decided here; `--reps %d` or more decides.)", rounds,
                              100 * stats_order_coverage(rounds, 1), STATS_DECIDING_VALUES);
    char who[300];
    room_describe(&c->room, who, sizeof who);
    chapter_meta(c, "room_others_cores", "%.2f", c->room.others_cores);
    chapter_meta(c, "room_busy", "%s", room_is_busy(&c->room) ? who : "no");
    if (room_is_busy(&c->room)) {
        report_verdict_append(c->report, " (Before the first round another program was using the CPU (%s): the "
                              "parallel modes could not show their speed. Close it, or run with `--wait-quiet`.)", who);
    } else if (high) {
        report_verdict_append(c->report, " (This machine was noisy during the run: see the Noise line. `--reps %d` "
                              "runs more rounds.)", 2 * (c->cli.max_reps > 3 ? c->cli.max_reps : 3));
    }
    if (capacity_was_low(c))
        report_verdict_append(c->report, " (The %d CPUs did only %.2f cores' worth of %s together on this run: no "
                              "parallel mode can go faster than that here.)", c->machine.cores,
                              chapter_capacity(c).median, c->capacity_what);
}

three_way chapter_parallel_call(const chapter *c, three_way call, three_way serial_answer)
{
    return call == serial_answer && capacity_was_low(c) ? CALL_UNDECIDED : call;
}

const char *chapter_undecided_cause(chapter *c, three_way call)
{
    int low = 0, cores = c->machine.cores;
    for (int i = 0; i < c->capacity_count; i++) low += c->capacity[i] < CAPACITY_LOW * cores;
    c->undecided_cause[0] = '\0';
    if (call == CALL_UNDECIDED && low > 0 && cores > 1 && !capacity_was_low(c)) /* else the run's note says it */
        snprintf(c->undecided_cause, sizeof c->undecided_cause, " At the start of %d of %d rounds the %d CPUs did "
                 "under %.1f cores' worth of %s together: around those moments no parallel mode could show its "
                 "speed.", low, c->capacity_count, cores, CAPACITY_LOW * cores, c->capacity_what);
    return c->undecided_cause;
}


void chapter_answer(chapter *c, const char *key, estimate measured)
{
    int i = predict_key_index(&c->cli.answers, key);
    if (i < 0) fail_at(__FILE__, __LINE__, "chapter_answer: a key the README's Predict block does not name", EINVAL);
    if (measured.n == 0) return; /* its modes did not run */
    c->answers[i] = measured;
    c->answered[i] = true;
}

/* answers.csv: key, median, lo, hi, n, guess: one row per quantity the Predict block
 * names (empty fields where it was not measured, or not guessed with --predict). */
static void write_answers_csv(chapter *c)
{
    if (c->cli.answers.count == 0) return;
    csv_writer w;
    chapter_open_csv(c, "answers.csv", &w);
    const char *columns[] = { "key", "median", "lo", "hi", "n", "guess" };
    csv_header(&w, columns, 6);
    for (int i = 0; i < c->cli.answers.count; i++) {
        estimate e = c->answers[i];
        bool interval = c->answered[i] && e.n >= STATS_MIN_VALUES;
        csv_str(&w, c->cli.answers.keys[i]);
        if (c->answered[i]) csv_num(&w, e.median, 4); else csv_str(&w, "");
        if (interval) csv_num(&w, e.lo, 4); else csv_str(&w, "");
        if (interval) csv_num(&w, e.hi, 4); else csv_str(&w, "");
        csv_int(&w, c->answered[i] ? (int64_t)e.n : 0);
        int guessed = -1;
        for (int g = 0; g < c->cli.guesses.count; g++)
            if (strcmp(c->cli.guesses.keys[g], c->cli.answers.keys[i]) == 0) guessed = g;
        if (guessed >= 0) csv_num(&w, c->cli.guesses.values[guessed], 4); else csv_str(&w, "");
        csv_end_row(&w);
    }
    chapter_commit_csv(c, &w, "answers.csv");
}

/* The README section that explains answer key `i` (chapter_identity's answer_sections),
 * into out; "" where its Predict item names none. */
static void answer_section(const chapter *c, int i, char *out, size_t size)
{
    const char *s = c->identity.answer_sections ? c->identity.answer_sections : "";
    for (int k = 0; k < i && s; k++) {
        s = strchr(s, '|');
        if (s) s++;
    }
    snprintf(out, size, "%.*s", s ? (int)strcspn(s, "|") : 0, s ? s : "");
}

/* Each --predict guess beside what was measured, and where the chapter explains it. */
static void print_predictions(const chapter *c)
{
    const predict_guesses *g = &c->cli.guesses;
    if (g->count == 0) return;
    printf("\nYour predictions (--predict), against this run's medians and 95%% intervals:\n");
    for (int k = 0; k < g->count; k++) {
        int i = predict_key_index(&c->cli.answers, g->keys[k]);
        char line[300];
        predict_verdict(g->keys[k], g->values[k], c->answers[i], c->answered[i], line + 2, sizeof line - 2);
        memcpy(line, "  ", 2);
        report_print_paragraph(stdout, line);
        char section[160];
        answer_section(c, i, section, sizeof section);
        if (*section) {
            snprintf(line, sizeof line, "    explained in \u201c%s\u201d, %s/README.md", section, c->identity.dir);
            report_print_paragraph(stdout, line);
        }
    }
}

int chapter_finish(chapter *c)
{
    if (!report_headline_text(c->report))
        fail_at(__FILE__, __LINE__, "chapter_finish: the chapter wrote no headline (report_headline)", EINVAL);
    measure_noise(c);
    write_data_csv(c);
    write_modes_csv(c);
    write_answers_csv(c);
    write_plot_vars(c);
    char setup[240];
    int rounds = rounds_done(c);
    char jobs[64] = "";
    if (cli_honours(&c->cli, CLI_JOBS)) snprintf(jobs, sizeof jobs, ", %d jobs, %d workers", c->cli.jobs, c->cli.workers);
    snprintf(setup, sizeof setup, "Scale %s%s, %d round%s, GIL switch interval %g ms; the run took %.1f s",
             cli_scale_name(c->cli.scale), jobs, rounds, rounds == 1 ? "" : "s", c->cli.switch_interval_ms,
             ns_to_s(now_ns() - c->begun_ns));
    atomic_file summary;
    open_result(c, "summary.md", &summary);
    report_markdown_to(c->report, summary.stream, &c->machine, setup);
    if (atomic_file_commit(&summary) != 0) die_writing(c, "summary.md");
    publish_results(c);
    report_print(c->report, stdout, c->cli.quiet);
    print_predictions(c);
    if (!c->cli.quiet) printf("\nResults: %s/{data.csv,modes.csv,summary.md}\n", c->cli.out);
    if (!c->cli.quiet && c->cli.settings[0] && !c->cli.out_given)
        printf("These flags change the experiment (%s), so the run went beside the default one, not over it. Side "
               "by side: make compare A=%s B=%s\n", c->cli.settings, c->cli.default_out, c->cli.out);
    if (fflush(stdout) != 0 || ferror(stdout)) /* > /dev/full, a closed pipe: say so, do not pretend */
        chapter_fail(c, EXIT_EXPERIMENT_FAILED, "cannot write the report to standard output: %s", strerror(errno));

    for (int r = 0; r < c->run_count; r++) {
        free(c->runs[r]->records);
        free(c->runs[r]);
    }
    free(c->runs);
    for (int i = 0; i < c->staged_count; i++) free(c->staged[i]);
    free(c->staging);
    for (int i = 0; i < c->meta_count; i++) free(c->meta[i]);
    free(c->plot_vars);
    series_free(&c->series);
    report_free(c->report);
    return 0;
}

chapter_plateau chapter_plateau_of(const chapter *c, const char *series, const int *counts, int n)
{
    estimate times[CHAPTER_MOST_COUNTS] = { { 0 } };
    int on[CHAPTER_MOST_COUNTS] = { 0 };
    if (n > CHAPTER_MOST_COUNTS) n = CHAPTER_MOST_COUNTS;
    for (int i = 0; i < n; i++) times[i] = chapter_series_summary(c, series, counts[i]).wall;
    int best = stats_plateau(times, n, on);
    chapter_plateau r = { .best = counts[best], .smallest = 0, .best_at_edge = best == n - 1 };
    for (int i = 0; i < n; i++) {
        if (!on[i]) continue;
        if (!r.smallest) r.smallest = counts[i];
        r.largest = counts[i];
        snprintf(r.plateau + strlen(r.plateau), sizeof r.plateau - strlen(r.plateau), "%s%d", *r.plateau ? ", " : "",
                 counts[i]);
    }
    return r;
}
