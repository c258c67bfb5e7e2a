/* chapter.h — the chapter program contract (ARCHITECTURE.md, "A chapter"), so a
 * chapter file holds only its experiment.
 *
 *   chapter_begin()          flags (exit 2 on bad input), machine, output directory,
 *                            the noise meter's first reading
 *   chapter_warm_up()        one untimed run before the rounds
 *   chapter_another_round()  rounds: every mode once per round, interleaved, until
 *                            enough rounds (by scale), the decisive interval is
 *                            narrow, or the time budget is spent
 *   chapter_run_mode()       one pool_map, timed and kept; exit 1 if it fails
 *   chapter_summary()        per-mode numbers over the rounds, with intervals
 *   chapter_ratio()          a ratio of two modes paired round by round, with its interval
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
#include "pool.h"
#include "report.h"
#include "stats.h"

typedef struct {
    pool_mode mode;
    int workers, rep, ntasks;
    task_record *records;
    pool_outcome outcome;
} chapter_run;

typedef struct chapter chapter;

/* Writes a chapter's own extra data.csv columns for one task of one run. */
typedef void (*chapter_extra_fields)(csv_writer *w, const chapter_run *run, int task, void *ctx);

struct chapter {
    int number;
    const char *claim;
    cli_options cli;
    machine_info machine;
    report *report;
    chapter_run **runs; /* each run stays where it is: callers keep pointers to them */
    int run_count;
    char program[32], default_out[64];
    char *meta[32]; /* extra "key=value" preamble lines */
    int meta_count;
    char *plot_vars; /* gnuplot assignments for plot-vars.gp */
    const char *const *extra_columns;
    int extra_column_count;
    chapter_extra_fields extra_fields;
    void *extra_ctx;
    int64_t begun_ns;
    noise_snapshot noise_start;
    bool same_work;           /* every mode's runs do the same work as serial's: CPU drift is meaningful */
    double calibrated_serial_s; /* what the calibration predicted a serial run takes (0: none) */
    int rounds;               /* rounds done (set by chapter_another_round) */
    double round_budget_s;    /* seconds for extra rounds past the minimum; 0: the scale's default */
    bool ignores_jobs;        /* --jobs and --workers mean nothing here: the summary leaves them out */
    char *staging;            /* DIR/.run-XXXXXX: the results until they are published together */
    char *staged[24];         /* the names written there */
    estimate answers[PREDICT_MAX_KEYS]; /* by index in cli.answers */
    bool answered[PREDICT_MAX_KEYS];
    int staged_count;
};

/* Per mode, over all repetitions. */
typedef struct {
    bool ran;
    int workers, reps;
    spread wall_s;        /* the whole map, pool start-up included */
    estimate wall;        /* its median with a 95 % interval over the rounds */
    estimate vs_serial;   /* wall / the same language's serial wall, paired round by round */
    double cpu_s;         /* median over rounds of the CPU time all tasks used */
    double utilisation;   /* cpu_s / (wall median x cores): 1.0 = every core busy */
    double vcsw, ivcsw;   /* median over rounds of the context switches of all tasks */
} mode_summary;

/* `answer_keys`: the quantities --predict may name (CHAPTER_ANSWERS, from the
 * README's Predict block); each must then be given with chapter_answer(). */
void chapter_begin(chapter *c, int number, const char *claim, const char *answer_keys, const cli_extra *extras,
                   int extra_count, int argc, char **argv);

/* Stop the chapter: "chapterN: message" on one line, exit `status`
 * (EXIT_BAD_INPUT or EXIT_EXPERIMENT_FAILED; see fail.h). */
noreturn void chapter_fail(const chapter *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Is this mode part of the run? Serial and processes always are; C threads and
 * GIL-threads follow --runtime. */
bool chapter_wants(const chapter *c, pool_mode mode);

/* Run `ntasks` tasks in `mode` and keep the records. */
const chapter_run *chapter_run_mode(chapter *c, pool_mode mode, int workers, int rep, pool_task task, void *ctx,
                                    int ntasks, gil_t *gil);

/* Keep a run made some other way than pool_map (chapter 8's event loop). The
 * chapter takes the records (malloc'd, one per task). */
const chapter_run *chapter_add_run(chapter *c, pool_mode mode, int workers, int rep, int ntasks,
                                   task_record *records, int64_t start_ns, int64_t end_ns);

/* One untimed run (caches, page faults, the CPU's clock ramping up) before the rounds. */
void chapter_warm_up(chapter *c, pool_mode mode, int workers, pool_task task, void *ctx, int ntasks, gil_t *gil);

/* Should round number `done` (0-based) run? Yes below the scale's minimum; no at
 * its maximum or past the time budget; in between, yes while `relative_width`
 * (the decisive interval's half-width / median, stats_relative_width) is over 3 %. */
bool chapter_another_round(chapter *c, int done, double relative_width);

/* The work calibrated for one serial run should take this long: the noise line
 * compares it with what serial really took. */
void chapter_calibrated(chapter *c, double serial_seconds);

/* mode (with `workers`, 0: any) against ref (with `ref_workers`, 0: any): the ratio of
 * their wall times within each round, then its median and interval over rounds. */
estimate chapter_ratio(const chapter *c, pool_mode mode, int workers, pool_mode ref, int ref_workers);

/* Per mode over the rounds; chapter_summary_of() only the runs with that many workers. */
mode_summary chapter_summary(const chapter *c, pool_mode mode);
mode_summary chapter_summary_of(const chapter *c, pool_mode mode, int workers);

/* Extra preamble lines, extra data.csv columns, and variables for the figure. */
void chapter_meta(chapter *c, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void chapter_columns(chapter *c, const char *const *names, int count, chapter_extra_fields fields, void *ctx);
void chapter_plot_var(chapter *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A string variable for the figure: always use this for text (it is quoted so that
 * gnuplot reads it as data, never as code). */
void chapter_plot_string(chapter *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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

/* The CPU chapters' jobs: together the scale's amount of single-core work, split
 * over --jobs. Calibrates cpu_heavy's iterations per job on this machine, records
 * them and the predicted serial time, then runs one untimed warm-up on C threads. */
uint64_t chapter_cpu_jobs(chapter *c);

/* Seconds from the run's start (its pool start-up) to a now_ns() time. */
double run_seconds(const chapter_run *run, int64_t ns);

#endif
