/* share.h — the file a student hands in (`make share`) and the class reads (`make
 * class`): its format, in one place.
 *
 * A share file is CSV: the format line, the machine's description as "# key=value"
 * lines (share_machine_keys, in that order), the header (share_columns), and one
 * row per series and worker count of each chapter run on the machine, with the run's
 * scale and settings ("default", or the flags that changed the experiment). The
 * student's --predict guesses, where there were any, come as "# guess=CHAPTER,KEY,
 * GUESS,MEDIAN,LO,HI" lines in the preamble: each guess beside what its run measured. It comes
 * from another machine, so share_parse() checks it whole before anything uses it:
 * the format line, known keys, printable text of bounded length (no spreadsheet
 * formula: OWASP's CSV-injection rule), known modes and scales, plain names,
 * finite numbers in range, an interval the right way up, at most SHARE_MAX_ROWS
 * rows. A byte-order mark and CRLF line ends (an editor on another system) are
 * accepted. */
#ifndef TVP_SHARE_H
#define TVP_SHARE_H

#include <stdbool.h>
#include <stddef.h>

#include "modes.h"

#define SHARE_FORMAT_LINE "# threads-vs-processes share, format 3"
#define SHARE_OLDER_FORMAT "# threads-vs-processes share, format " /* format 2 had no settings */
#define SHARE_MAX_FILE_BYTES (64 * 1024)
#define SHARE_MAX_ROWS 400
#define SHARE_MAX_TEXT 100 /* a value of the machine's description */
#define SHARE_MAX_CHAPTER 99
#define SHARE_MAX_KEY 64   /* a series, family or reference name */
#define SHARE_MAX_SETTINGS 160 /* a run's settings: the flags that changed the experiment (cli.h) */
/* More logical CPUs than any machine a class brings (the largest servers have a
 * few hundred): a count above it is a made-up file. */
#define SHARE_MAX_CORES 1024

/* The columns of a row: what the chapter measured, against which reference. */
extern const char *const share_columns[];
#define SHARE_COLUMN_COUNT 14
/* The machine's description, in this order, in the preamble. */
extern const char *const share_machine_keys[];
#define SHARE_MACHINE_KEY_COUNT 7
enum { SHARE_KEY_ID = 0, SHARE_KEY_CORES = 2 };

typedef struct {
    int chapter, workers, rounds, reference_workers;
    char scale[8], series[SHARE_MAX_KEY + 1], family[SHARE_MAX_KEY + 1], reference[SHARE_MAX_KEY + 1];
    char settings[SHARE_MAX_SETTINGS + 1]; /* "default", or the flags that changed the experiment */
    pool_mode mode;
    double wall_median_s, vs_reference, lo, hi; /* NAN: no ratio (a series without a reference run), no interval */
} share_row;

#define SHARE_MAX_GUESSES 128 /* every key of every chapter: 13 chapters of at most 8 (predict.h) */
#define SHARE_GUESS_KEY "guess" /* the preamble key of a guess, which may repeat */
typedef struct {
    int chapter;
    char key[33];                 /* a Predict block's key: "gil/serial" */
    double guess, median, lo, hi; /* lo, hi: NAN where the run had no interval */
} share_guess;

typedef struct {
    char file[256]; /* the file's name, for messages (the caller's) */
    char values[SHARE_MACHINE_KEY_COUNT][SHARE_MAX_TEXT + 1];
    int cores;
    share_row rows[SHARE_MAX_ROWS];
    int row_count;
    share_guess guesses[SHARE_MAX_GUESSES];
    int guess_count;
} share_machine;

/* The text of a share file (changed in place) into *s. NULL if it is good; else
 * the reason, with its line number, in `why` (which is returned). */
const char *share_parse(char *text, share_machine *s, char *why, size_t why_size);

/* Every character printable (no control character, no DEL)? */
bool share_printable(const char *text);

#endif
