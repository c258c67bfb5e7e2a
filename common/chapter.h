/* chapter.h — the chapter program contract (ARCHITECTURE.md, "A chapter"), so a
 * chapter file holds only its experiment.
 *
 *   chapter_begin()          the chapter's identity (chapter_identity.h) and the flags
 *                            it honours (exit 2 on bad input or a flag it does not
 *                            honour), machine, output directory, the noise meter
 *   chapter_series()         what it measures, when a mode holds variants (series.h)
 *   chapter_warm_up()        one untimed run before the rounds
 *   chapter_next_round()     rounds: every series once per round, interleaved, until
 *                            enough rounds (by scale), the decisive series' interval
 *                            is narrow, or the time budget is spent
 *   chapter_run_series()     one pool_map, timed and kept under its series; exit 1 if
 *   chapter_run_mode()       it fails (a mode's own series)
 *   chapter_summary()        per-series numbers over the rounds, with intervals
 *   chapter_vs_reference()   a series against its reference, paired round by round
 *   chapter_ratio()          a ratio of two series paired round by round, with its interval
 *   chapter_answer()         a quantity the README's Predict block names, measured
 *   chapter_finish()         noise line; data.csv, modes.csv, answers.csv, plot-vars.gp,
 *                            summary.md; prints it all, and the --predict guesses
 */
#ifndef TVP_CHAPTER_H
#define TVP_CHAPTER_H

#include <stdbool.h>
#include <stdnoreturn.h>

#include "cli.h"
#include "fail.h"
#include "csv.h"
#include "machine.h"
#include "noise.h"
#include "room.h"
#include "pool.h"
#include "report.h"
#include "series.h"
#include "stats.h"

/* Who a chapter is: generated from its folder (chapters/chapters.sh header), as
 * CHAPTER_IDENTITY in chapter_identity.h. */
typedef struct {
    int number;
    const char *claim;   /* from the README's title line */
    const char *dir;     /* chapters/NN-slug */
    const char *answers; /* the Predict block's keys, space-separated */
    const char *results; /* results/chapterN: where its results go by default */
    const char *answer_sections; /* for each answer key, the README section that explains
                                  * it ("|"-separated, in the keys' order; "" where none) */
} chapter_identity;

/* What a chapter honours of the common flags (cli.h: CLI_JOBS | CLI_PYTHON ...), and
 * its own flags. Any other common flag exits 2 with a line saying it has no effect. */
typedef struct {
    unsigned honours;
    const cli_extra *extras;
    int extra_count;
    int class_rounds; /* at the class scale, rounds at most (0: the scale's 16): for a verdict
                       * whose ratio lies near its threshold, which a noisy machine decides
                       * only with more paired rounds (--reps N still fixes them) */
} chapter_flags;

/* The most rounds any chapter runs (--reps is at most this too). */
#define CHAPTER_MAX_ROUNDS 100
/* Named numbers a run may carry beside its time (chapter_values). */
#define CHAPTER_MAX_VALUES 4

typedef struct {
    pool_mode mode;
    int series; /* index in the chapter's series table */
    int workers, rep, ntasks;
    task_record *records;
    pool_outcome outcome;
    double time_s; /* what ratios compare: its wall time, unless the chapter measures it otherwise */
    double values[CHAPTER_MAX_VALUES]; /* chapter_values(); NAN: not set */
    double gil_gaps_s;                 /* under a GIL: how long it lay free between two threads' turns */
    unsigned long gil_handovers;       /* and how many times it passed from one thread to another */
} chapter_run;

typedef struct chapter chapter;

/* Writes a chapter's own extra data.csv columns for one task of one run. */
typedef void (*chapter_extra_fields)(csv_writer *w, const chapter_run *run, int task, void *ctx);

struct chapter {
    int number;
    const char *claim;
    chapter_identity identity;
    series_table series;
    int decisive_series, decisive_workers; /* chapter_decide_by(); -1: none */
    int decisive_ref, decisive_ref_workers;
    const char *value_names[CHAPTER_MAX_VALUES];
    int value_count;
    cli_options cli;
    machine_info machine;
    report *report;
    chapter_run **runs; /* each run stays where it is: callers keep pointers to them */
    int run_count;
    char program[32];
    char *meta[32]; /* extra "key=value" preamble lines */
    int meta_count;
    char *plot_vars; /* gnuplot assignments for plot-vars.gp */
    const char *const *extra_columns;
    int extra_column_count;
    chapter_extra_fields extra_fields;
    void *extra_ctx;
    int64_t begun_ns;
    noise_snapshot noise_start;
    room_report room;         /* what else used the CPU just before the first round (room.h) */
    double capacity[CHAPTER_MAX_ROUNDS]; /* each round's parallel capacity (capacity.h) */
    int capacity_count;
    pool_task capacity_task;  /* the probe's workload: the C loop unless chapter_capacity_workload set one */
    void *capacity_ctx;
    char capacity_what[64];   /* its name in the text: "the C loop", "zlib.crc32 on 1 MiB" */
    char undecided_cause[300]; /* chapter_undecided_cause's sentence */
    uint64_t capacity_iterations; /* the C loop's, for the probe: 5 ms (tiny) or 20 ms of one core */
    bool same_work;           /* every mode's runs do the same work as serial's: CPU drift is meaningful */
    double calibrated_serial_s; /* what the calibration predicted a serial run takes (0: none) */
    int rounds;               /* rounds done (set by chapter_next_round) */
    double round_budget_s;    /* seconds for extra rounds past the minimum; 0: the scale's default */
    char *staging;            /* DIR/.run-XXXXXX: the results until they are published together */
    char staging_name[16];    /* .run-XXXXXX */
    int out_fd;               /* --out, held open (and locked) from chapter_begin on */
    int stage_fd;             /* the staging folder, held open once the first result is written */
    char *staged[24];         /* the names written there */
    estimate answers[PREDICT_MAX_KEYS]; /* by index in cli.answers */
    bool answered[PREDICT_MAX_KEYS];
    int staged_count;
};

/* Per series (and worker count), over all rounds. */
typedef struct {
    bool ran;
    int workers, reps;
    spread wall_s;        /* each run's time (time_s): the whole map, pool start-up included */
    estimate wall;        /* its median with a 95 % interval over the rounds */
    estimate vs_reference; /* time / its reference's time (for a mode's series: the same
                            * language's serial run), paired round by round */
    double cpu_s;         /* median over rounds of the CPU time all tasks used */
    double utilisation;   /* cpu_s / (wall median x cores): 1.0 = every core busy */
    double vcsw, ivcsw;   /* median over rounds of the context switches of all tasks */
} mode_summary;

/* `identity`: CHAPTER_IDENTITY. The answer keys it names are the quantities --predict
 * may name (from the README's Predict block); each must then be given with
 * chapter_answer(). */
void chapter_begin(chapter *c, chapter_identity identity, chapter_flags flags, int argc, char **argv);
/* The same, with input the flags name that must be checked before anything runs
 * (chapter 13's hostfile): `check` is called once the flags are parsed; false, with a
 * one-line reason in `why`, exits 2. */
typedef bool (*chapter_input_check)(void *ctx, char *why, size_t why_size);
void chapter_begin_checked(chapter *c, chapter_identity identity, chapter_flags flags, chapter_input_check check,
                           void *check_ctx, int argc, char **argv);

/* Declare a series (series.h: key, family, x, label, mode, reference and its
 * workers, colour). A mode's own series needs no declaration. */
void chapter_series(chapter *c, const char *key, const char *family, double x, const char *label,
                           pool_mode mode, const char *reference, int reference_workers, unsigned colour);

/* The named numbers a run may carry beside its time (chapter 10's GIL-held share,
 * chapter 11's lost updates): data.csv and modes.csv get a column each. */
void chapter_values(chapter *c, const char *const *names, int count);
void chapter_set_value(chapter *c, const chapter_run *run, int value, double v);

/* The run's time for every ratio and summary: its wall time unless this sets it (say
 * in the preamble what it is instead: chapter_meta(c, "time_is", ...)). */
void chapter_measure_run(chapter *c, const chapter_run *run, double seconds);

/* Which ratio's interval decides whether another round is worth it: `series` (with
 * `workers`; 0: any) against `ref` (with `ref_workers`), or NULL: its declared
 * reference. */
void chapter_decide_by(chapter *c, const char *series, int workers, const char *ref, int ref_workers);

/* The rounds: `for (int rep = -1; chapter_next_round(&c, &rep);)` runs round rep =
 * 0, 1, ...: at least the scale's minimum, at most its maximum or CHAPTER_MAX_ROUNDS,
 * and in between while the decisive series' interval is wider than 3 % and the time
 * budget lasts. */
bool chapter_next_round(chapter *c, int *rep);
/* Is round `rep` past the minimum (the scale's, or --reps)? Every mode runs in the
 * minimum rounds; past them a chapter may spend its time only on what its verdict
 * compares. */
bool chapter_past_minimum(const chapter *c, int rep);
/* Once the rounds are over: how many ran every mode (the minimum, or fewer if the
 * rounds stopped sooner). */
int chapter_minimum_rounds(const chapter *c);
/* The machine's parallel capacity over this run's rounds: the cores' worth all its
 * CPUs delivered together on the probe's workload (capacity.h; median and interval). */
estimate chapter_capacity(const chapter *c);
/* The probe's workload, before the first round: the chapter's own kernel (`task` on
 * `ctx`, about 10 to 20 ms of one core per task, still valid through the rounds),
 * named `what` in the text ("zlib.crc32 on 1 MiB"), where its CPUs may deliver more
 * or less than on the C loop, the default. */
void chapter_capacity_workload(chapter *c, const char *what, pool_task task, void *ctx);
/* A verdict on parallel speed: `call`, unless it is `serial_answer` (what a machine
 * that runs one thing at a time would answer: "not faster") and this run's measured
 * parallel capacity was low (under 0.8 x the CPUs, which chapter_finish names after
 * the verdict): then the machine decided it, not the threads or processes, and the
 * answer is NOT DISTINGUISHABLE HERE. A speed-up measured despite low capacity
 * stands. */
three_way chapter_parallel_call(const chapter *c, three_way call, three_way serial_answer);
/* The measured cause an undecided parallel verdict names: " At the start of k of n
 * rounds the CPUs did under ... cores' worth ..." (a leading space: it follows the
 * verdict's sentence) when `call` is undecided and some rounds (not the run's median,
 * which chapter_finish names) began with the CPUs doing well under their count's
 * worth; else "". The text stays the chapter's until the next call. */
const char *chapter_undecided_cause(chapter *c, three_way call);

/* Stop the chapter: "chapterN: message" on one line, exit `status`
 * (EXIT_BAD_INPUT or EXIT_EXPERIMENT_FAILED; see fail.h). */
noreturn void chapter_fail(const chapter *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Is this mode part of the run? Serial and processes always are; C threads and
 * GIL-threads follow --runtime. */
bool chapter_wants(const chapter *c, pool_mode mode);

/* Run `ntasks` tasks in `mode` and keep the records, as a run of the mode's own series. */
const chapter_run *chapter_run_mode(chapter *c, pool_mode mode, int workers, int rep, pool_task task, void *ctx,
                                    int ntasks, gil_t *gil);
/* The same for a declared series, in its mode. */
const chapter_run *chapter_run_series(chapter *c, const char *series, int workers, int rep, pool_task task,
                                      void *ctx, int ntasks, gil_t *gil);

/* Several modes in one round, finely interleaved: the modes take `turns` turns, in
 * mirrored order (A B C, C B A, A B C ...), each turn the `ntasks` tasks with a slice of
 * the work (`slice_ctx`: the task's context for one turn). Each mode becomes one run of
 * its own series: its turns' records together, its time the sum of its turns' wall
 * times. On a host whose speed changes from one moment to the next, every mode then
 * meets the same moments, and the ratios between them vary far less from round to
 * round than with one long run each. GIL-threads get a GIL with this switch interval,
 * a new one each turn (so the time between turns is no hand-over). runs[m] receives
 * mode m's run. */
void chapter_run_interleaved(chapter *c, const pool_mode *modes, int nmodes, int workers, int rep, pool_task task,
                             void *slice_ctx, int ntasks, int turns, double switch_interval_s,
                             const chapter_run **runs);

/* Keep a run made some other way than pool_map (chapter 8's event loop, real
 * CPython), as a run of `series` (a declared key, or a mode's CSV name). The chapter
 * takes the records (malloc'd, one per task). */
const chapter_run *chapter_add_run(chapter *c, const char *series, int workers, int rep, int ntasks,
                                   task_record *records, int64_t start_ns, int64_t end_ns);

/* One untimed run (caches, page faults, the CPU's clock ramping up) before the rounds. */
void chapter_warm_up(chapter *c, pool_mode mode, int workers, pool_task task, void *ctx, int ntasks, gil_t *gil);

/* The work calibrated for one serial run should take this long: the noise line
 * compares it with what serial really took. */
void chapter_calibrated(chapter *c, double serial_seconds);

/* mode (with `workers`, 0: any) against ref (with `ref_workers`, 0: its only run in
 * the round), each its mode's own series: the ratio of their times within each
 * round, then its median and interval over rounds. */
estimate chapter_ratio(const chapter *c, pool_mode mode, int workers, pool_mode ref, int ref_workers);
/* The same for two series by key. */
estimate chapter_series_ratio(const chapter *c, const char *series, int workers, const char *ref, int ref_workers);
/* The time of `series` with `workers` in round `rep` (0 where it did not run): for
 * ratios the ones above do not pair (chapter 13's speed-up over a speed-up). */
double chapter_round_time(const chapter *c, const char *series, int workers, int rep);
/* A series (with `workers`, 0: any) against its declared reference. */
estimate chapter_vs_reference(const chapter *c, const char *series, int workers);

/* Per mode's own series over the rounds; chapter_summary_of() only the runs with that
 * many workers; chapter_series_summary() a declared series. */
mode_summary chapter_summary(const chapter *c, pool_mode mode);
mode_summary chapter_summary_of(const chapter *c, pool_mode mode, int workers);
mode_summary chapter_series_summary(const chapter *c, const char *series, int workers);
/* A run value (chapter_values) of a series' runs, median and interval over rounds. */
estimate chapter_value(const chapter *c, const char *series, int workers, int value);
/* The CPUs a series' runs got while they ran: their tasks' CPU time / the run's wall
 * time, round by round (a serial run that had a CPU to itself: about 1.0). */
estimate chapter_cpu_share(const chapter *c, const char *series, int workers);
/* Whether the serial runs got less than SERIAL_HAD_A_CPU of a CPU (median over rounds):
 * another program or the host held it, so ratios against serial measure how the
 * scheduler shared the CPUs. `why` (may be NULL) gets a sentence naming the share. */
#define SERIAL_HAD_A_CPU 0.9
bool chapter_serial_starved(const chapter *c, char *why, size_t size);
/* Did a series run at all? */
bool chapter_series_ran(const chapter *c, const char *series);

/* Extra preamble lines, extra data.csv columns (per task), and variables for the figure. */
void chapter_meta(chapter *c, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void chapter_columns(chapter *c, const char *const *names, int count, chapter_extra_fields fields, void *ctx);
void chapter_plot_var(chapter *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A string variable for the figure: always use this for text (it is quoted so that
 * gnuplot reads it as data, never as code). */
void chapter_plot_string(chapter *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Text for the figure's labels: `name` as it is (the terminal figure) and
 * `name_enhanced` with gnuplot's enhanced-text markup characters escaped (PNG, SVG). */
void chapter_plot_text(chapter *c, const char *name, const char *text);

/* Open DIR/name with the preamble written; the caller writes header and rows and
 * commits. Exits 1 with a message if the file cannot be created. */
void chapter_open_csv(chapter *c, const char *name, csv_writer *w);
/* Commit a CSV opened with chapter_open_csv, or exit 1 with the reason. */
void chapter_commit_csv(chapter *c, csv_writer *w, const char *name);

/* The measured value of a quantity the README's Predict block names (`key`, one of
 * CHAPTER_ANSWERS; another key is a bug). Written to answers.csv (the book shows the
 * reference run's under the Predict block) and set beside the --predict guesses. A
 * key left unanswered, or answered with no values (n = 0: its modes did not run), is
 * "not measured on this run". */
void chapter_answer(chapter *c, const char *key, estimate measured);

/* Write every result file and print the report. Returns the exit status. */
int chapter_finish(chapter *c);

/* A memory size a flag asks for (`flag`, "--max-rss-mib"): more than a quarter of this
 * machine's available memory is refused (exit 2) when the flag was given, and a
 * default lowered to it (said in the preamble). Returns the size to use. */
int chapter_memory_flag(chapter *c, const char *flag, int mib);

/* What a sweep of worker counts found: every count whose time's interval overlaps the
 * fastest one's (stats_plateau), never a single best chosen by noise. */
#define CHAPTER_MOST_COUNTS 768
typedef struct {
    int best, smallest, largest; /* counts: the lowest median, the plateau's ends */
    char plateau[160];           /* "4, 5, 6" */
    bool best_at_edge;           /* the lowest median is at the largest count tried */
} chapter_plateau;
/* The plateau of `series` over `counts` (its runs with each count of workers). */
chapter_plateau chapter_plateau_of(const chapter *c, const char *series, const int *counts, int n);

/* The points of a sweep up to `most`: every step not above it, then `most` itself if
 * it is not a step, so the value a flag asked for always has its row. Returns the
 * count (at most steps + 1). */
int chapter_sweep_to(const long *steps, int count, long most, long *out);

/* The CPU chapters' jobs: together the scale's amount of single-core work, split
 * over --jobs. Calibrates cpu_heavy's iterations per job on this machine, records
 * them and the predicted serial time, then runs one untimed warm-up on C threads. */
uint64_t chapter_cpu_jobs(chapter *c);

/* Seconds from the run's start (its pool start-up) to a now_ns() time. */
double run_seconds(const chapter_run *run, int64_t ns);

#endif
