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

/* A chapter's own flag. */
typedef struct {
    const char *name;    /* "--gap-us" */
    const char *metavar; /* "US" */
    const char *help;
    cli_kind kind;       /* value is int*, double* or const char** */
    double min, max;     /* accepted range of a number, inclusive */
    void *value;         /* holds the default; receives the parsed value */
} cli_extra;

typedef struct {
    /* Set by the chapter before parsing. */
    const char *program;    /* "chapter1" */
    const char *claim;      /* shown by --help */
    const char *default_out;
    const cli_extra *extras;
    int extra_count;
    const char *answer_keys; /* the quantities --predict may name, space-separated ("" or NULL: none) */

    /* Filled by parsing. */
    int jobs;                  /* default: online cores */
    int workers;               /* default: jobs */
    bool workers_set;          /* --workers was given */
    int reps;                  /* rounds at least: --reps N, or by scale (tiny 1, class 6, paper 10) */
    int max_reps;              /* and at most: --reps N, or by scale (tiny 1, class 9, paper 15) */
    cli_scale scale;           /* default class */
    cli_runtime runtime;       /* default both */
    double switch_interval_ms; /* default 5, CPython's */
    const char *out;
    bool quiet;
    predict_keys answers;      /* from answer_keys */
    predict_guesses guesses;   /* --predict KEY=VALUE,...: none by default */
} cli_options;

typedef enum { CLI_RUN, CLI_DONE, CLI_USAGE_ERROR } cli_status;

/* Parse argv. CLI_DONE: --help or --version was printed to `out`. CLI_USAGE_ERROR:
 * `error` holds the one-line reason. */
cli_status cli_parse(cli_options *o, int argc, char **argv, char *error, size_t error_size, FILE *out);

/* Parse, or print the error to stderr and exit 2 (exit 0 after --help/--version). */
void cli_parse_or_exit(cli_options *o, int argc, char **argv);

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

#endif
