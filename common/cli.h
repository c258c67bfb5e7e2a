/* cli.h — the flags every chapter takes, plus a chapter's own (ARCHITECTURE.md).
 *
 * Bad input never runs an experiment: an unknown flag, a value that is not a
 * number, out of range or a typo'd word gets one line naming the flag and what
 * it accepts, and exit status 2. */
#ifndef TVP_CLI_H
#define TVP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "predict.h"

typedef enum { SCALE_TINY, SCALE_CLASS, SCALE_PAPER } cli_scale;
typedef enum { RUNTIME_C = 1, RUNTIME_GIL = 2, RUNTIME_BOTH = 3 } cli_runtime;

typedef enum { CLI_INT, CLI_NUMBER, CLI_TEXT } cli_kind;

/* The common flags a chapter may honour (chapter_flags.honours). --scale, --reps,
 * --out, --quiet, --predict, --help and --version every chapter honours. */
typedef enum {
    CLI_JOBS = 1 << 0 | 1 << 1,   /* --jobs, and --workers */
    CLI_WORKERS = 1 << 1,         /* --workers alone: the I/O chapters' pool size */
    CLI_RUNTIME = 1 << 2,         /* --runtime: it runs both C threads and GIL-threads */
    CLI_SWITCH_INTERVAL = 1 << 3, /* --switch-interval: it runs a GIL */
    CLI_PYTHON = 1 << 4,          /* --python: it runs real CPython */
} cli_flag;

/* A chapter's own flag. */
typedef struct {
    const char *name;    /* "--gap-us" */
    const char *metavar; /* "US" */
    const char *help;    /* what it does; --help adds the default and the range */
    cli_kind kind;       /* value is int*, double* or const char** */
    double min, max;     /* accepted range of a number, inclusive */
    void *value;         /* holds the default; receives the parsed value */
    const double *by_scale; /* the default by scale (tiny, class, paper); NULL: *value.
                             * A flag given on the command line is never replaced by it. */
    const char *const *text_by_scale; /* the same for a CLI_TEXT flag */
} cli_extra;

typedef struct {
    /* Set by the chapter before parsing. */
    const char *program;    /* "chapter1" */
    const char *claim;      /* shown by --help */
    const char *default_out;
    const cli_extra *extras;
    int extra_count;
    const char *answer_keys; /* the quantities --predict may name, space-separated ("" or NULL: none) */
    unsigned honours;        /* cli_flag: the common flags that change what it does */
    int class_most_reps;     /* the class scale's most rounds (0: 16); set by a chapter whose
                              * verdict needs more on a noisy machine */

    /* Filled by parsing. */
    int jobs;                  /* default: online cores */
    int workers;               /* default: jobs */
    bool workers_set;          /* --workers was given */
    int reps;                  /* rounds at least: --reps N, or by scale (tiny 1, class 6, paper 10) */
    int max_reps;              /* and at most: --reps N, or by scale (tiny 1, class 16 or the
                                * chapter's class_most_reps, paper 30) */
    cli_scale scale;           /* default class */
    cli_runtime runtime;       /* default both */
    double switch_interval_ms; /* default 5, CPython's */
    const char *python;        /* --python: a path or a command name; "none" runs no Python (default NULL: python3) */
    const char *out;           /* --out; else default_out, or default_out/SETTINGS where settings were given */
    bool out_given;            /* --out was given */
    char settings[160];        /* the flags given that change what is measured ("switch-interval=0.1
                                * runtime=c"), in the order given; "" for the default experiment
                                * (--scale, --reps, --out, --predict, --python, --quiet and --wait-quiet
                                * are not settings: the same experiment, more or less of it, elsewhere,
                                * another CPython beside it) */
    char out_buffer[512];      /* holds default_out/SETTINGS */
    bool where;                /* --where: print the results folder and exit */
    bool quiet;
    double wait_quiet_s;       /* --wait-quiet[=SECONDS]: wait at most this long for a quiet machine; 0: do not */
    predict_keys answers;      /* from answer_keys */
    predict_guesses guesses;   /* --predict KEY=VALUE,...: none by default */
    unsigned long long extras_given; /* bit i: extras[i] was on the command line */
} cli_options;

typedef enum { CLI_RUN, CLI_DONE, CLI_USAGE_ERROR } cli_status;

/* Parse argv. CLI_DONE: --help, --version or --where was printed to `out`. CLI_USAGE_ERROR:
 * `error` holds the one-line reason. */
cli_status cli_parse(cli_options *o, int argc, char **argv, char *error, size_t error_size, FILE *out);

/* Parse, or print the error to stderr and exit 2 (exit 0 after --help/--version). */
void cli_parse_or_exit(cli_options *o, int argc, char **argv);

/* Does the chapter honour every one of `flags` (cli_flag)? */
bool cli_honours(const cli_options *o, unsigned flags);

/* Was this chapter's own flag (`name`, "--requests") on the command line? */
bool cli_given(const cli_options *o, const char *name);

const char *cli_scale_name(cli_scale scale);
const char *cli_runtime_name(cli_runtime runtime);

/* Total single-core seconds of CPU work a chapter's experiment is sized to, per scale:
 * tiny 0.1 s (tests), class 0.3 s, paper 2.5 s: one run of one mode; a verdict takes several rounds. */
double cli_work_seconds(cli_scale scale);

/* Could `dir` be created (or written, if it exists)? Creates nothing, so a run that
 * fails later leaves no trace. 0, or -1 with a message in `error`. */
int cli_check_out_dir(const char *dir, char *error, size_t error_size);
/* Create `dir` and its parents; -1 with errno (and a message in `error`). */
int cli_make_out_dir(const char *dir, char *error, size_t error_size);
/* cli_make_out_dir, then the folder opened without following a link in its last
 * part (O_DIRECTORY | O_NOFOLLOW): everything written into it afterwards goes by
 * this descriptor, so swapping the folder for a link later changes nothing. Its
 * descriptor, or -1 with a message in `error`. */
int cli_open_out_dir(const char *dir, char *error, size_t error_size);
/* cli_open_out_dir, then an advisory lock on it (flock on its descriptor, held as
 * long as the descriptor: a second run into it is refused, not mixed in), and, the
 * lock held, the staging folders named `staging_prefix`XXXXXX that a run killed by
 * SIGKILL left (atomic_dir_remove_stale). Its descriptor, or -1 with a message. */
int cli_hold_out_dir(const char *dir, const char *staging_prefix, char *error, size_t error_size);

#endif
