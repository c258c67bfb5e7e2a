/* csv.h — results as CSV: RFC 4180 quoting, a "# key=value" preamble, atomic replace.
 *
 *   # chapter=1            <- preamble: where and how the numbers were measured
 *   # cores=2
 *   chapter,mode,...       <- header
 *   1,threads,...          <- rows
 *
 * Nothing appears at the path until csv_commit() succeeds. */
#ifndef TVP_CSV_H
#define TVP_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomic_file.h"

typedef struct {
    atomic_file file;
    int fields_in_row;
} csv_writer;

/* The columns every chapter's data.csv starts with (ARCHITECTURE.md, "A chapter"). */
#define CSV_COMMON_COLUMNS \
    "chapter", "series", "mode", "workers", "rep", "task", "worker", "pid", "start_s", "end_s", "cpu_s", "core", "vcsw", \
        "ivcsw", "result"
#define CSV_COMMON_COLUMN_COUNT 15

/* A new CSV file `name` in the folder held open as dirfd (AT_FDCWD: a path), written
 * whole or not at all (atomic_file_open_at). -1 with errno. */
int csv_open_at(csv_writer *w, int dirfd, const char *dir_path, const char *name);
void csv_meta(csv_writer *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void csv_header(csv_writer *w, const char *const *columns, int count);

void csv_str(csv_writer *w, const char *value);
void csv_int(csv_writer *w, int64_t value);
void csv_num(csv_writer *w, double value, int decimals);
void csv_end_row(csv_writer *w);

int csv_commit(csv_writer *w); /* -1 with errno: nothing was replaced */
void csv_abort(csv_writer *w);

/* Write `value` to `out` as one RFC 4180 field: quoted only when it holds a comma,
 * a double quote, CR or LF; quotes inside are doubled. */
void csv_write_field(FILE *out, const char *value);

/* Split one line of CSV at its commas, in place, into at most `max` fields: a field
 * in double quotes may hold commas (a doubled quote inside is one quote). Returns
 * how many fields it found. */
int csv_split(char *line, char **fields, int max);

/* The value of "# key=value" in the preamble at the top of `text`, into `out`
 * ("" and false if the preamble has no such line). */
bool csv_preamble_value(const char *text, const char *key, char *out, size_t size);

/* The index of column `name` among a header's `count` names, or -1. */
int csv_column(char *const *names, int count, const char *name);

/* A field (the whole of `text`) as a finite number within [min, max], into *value:
 * no trailing characters, no NaN or infinity, no overflow. false if it is not. */
bool csv_number(const char *text, double min, double max, double *value);

#endif
