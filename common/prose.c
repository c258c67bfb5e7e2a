/* prose.c — a chapter's text, filled from its measurements. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fail.h"
#include "prose.h"
#include "textfile.h"

/* A run's result files, as read (NULL: absent). */
typedef struct {
    char *modes, *answers;
} run_files;

/* A quantity: its median, and its interval when it has one. */
typedef struct {
    double median, lo, hi;
    bool has_interval;
} quantity;

/* ---- finding a quantity ----------------------------------------------------- */

/* A measured quantity from a CSV field: any finite number (csv.h). */
static bool parse_number(const char *text, double *v)
{
    return csv_number(text, -DBL_MAX, DBL_MAX, v);
}

/* answers.csv: "key,median,lo,hi,n" (and ",guess" since guesses are kept). */
static bool answer_value(const char *answers, const char *key, quantity *q)
{
    size_t key_length = strlen(key);
    for (const char *line = answers; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, key_length) != 0 || line[key_length] != ',') continue;
        char row[256];
        snprintf(row, sizeof row, "%.*s", (int)strcspn(line, "\n"), line);
        char *f[6];
        int fields = csv_split(row, f, 6);
        if (fields != 5 && fields != 6) return false;
        q->has_interval = true;
        return parse_number(f[1], &q->median) && parse_number(f[2], &q->lo) && parse_number(f[3], &q->hi);
    }
    return false;
}

/* The interval columns of a modes.csv column: wall_median_s → wall_lo_s, wall_hi_s;
 * vs_reference → vs_reference_lo, vs_reference_hi. */
static void interval_columns(const char *column, char *lo, char *hi, size_t size)
{
    size_t n = strlen(column);
    if (n > 9 && strcmp(column + n - 9, "_median_s") == 0) {
        snprintf(lo, size, "%.*s_lo_s", (int)(n - 9), column);
        snprintf(hi, size, "%.*s_hi_s", (int)(n - 9), column);
    } else {
        snprintf(lo, size, "%s_lo", column);
        snprintf(hi, size, "%s_hi", column);
    }
}

#define MAX_COLUMNS 64

/* modes.csv's row of `series` with `workers` (0: its only row), column `column`. */
static bool mode_value(const char *modes, const char *series, int workers, const char *column, quantity *q)
{
    char *copy = xstrdup(modes), *names[MAX_COLUMNS], *fields[MAX_COLUMNS];
    int name_count = 0, rows = 0;
    char lo_name[96], hi_name[96];
    interval_columns(column, lo_name, hi_name, sizeof lo_name);
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        if (!name_count) {
            name_count = csv_split(line, names, MAX_COLUMNS);
            continue;
        }
        if (csv_split(line, fields, MAX_COLUMNS) != name_count) continue;
        int s = csv_column(names, name_count, "series"), w = csv_column(names, name_count, "workers");
        int v = csv_column(names, name_count, column), lo = csv_column(names, name_count, lo_name),
            hi = csv_column(names, name_count, hi_name);
        if (s < 0 || w < 0 || v < 0 || strcmp(fields[s], series) != 0) continue;
        if (workers && atoi(fields[w]) != workers) continue;
        if (!parse_number(fields[v], &q->median)) continue;
        q->has_interval = lo >= 0 && hi >= 0 && parse_number(fields[lo], &q->lo) && parse_number(fields[hi], &q->hi);
        rows++;
    }
    free(copy);
    return rows == 1; /* none, or several worker counts when none was named: not one quantity */
}

/* ---- writing it --------------------------------------------------------------- */

/* Three significant digits, no exponent. */
static void significant(double v, char *out, size_t size)
{
    int decimals = v == 0 ? 0 : 2 - (int)floor(log10(fabs(v)));
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    snprintf(out, size, "%.*f", decimals, v);
}

/* One number in `format`: its digits and its unit. */
static bool number_in(double v, const char *format, char *out, size_t size, const char **unit)
{
    static const struct {
        const char *name, *unit;
        double scale;
        int decimals; /* -1: three significant digits; -2: a ratio's (2 below 10, 1 below 100, else 0) */
    } formats[] = {
        { "x", "x", 1, -2 },   { "s", " s", 1, -1 },       { "ms", " ms", 1e3, -1 }, { "us", " µs", 1e6, -1 },
        { "pct", " %", 1, 0 }, { "share", " %", 100, 0 }, { "n", "", 1, -1 },
    };
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
        if (strcmp(format, formats[i].name) != 0) continue;
        if (formats[i].decimals == -2)
            snprintf(out, size, "%.*f", fabs(v) < 10 ? 2 : fabs(v) < 100 ? 1 : 0, v);
        else if (formats[i].decimals >= 0)
            snprintf(out, size, "%.*f", formats[i].decimals, v * formats[i].scale);
        else
            significant(v * formats[i].scale, out, size);
        *unit = formats[i].unit;
        return true;
    }
    return false;
}

/* "1.07x (0.96–1.31x)", "2.90 ms", ...; false for an unknown format. */
static bool format_quantity(const quantity *q, const char *format, char *out, size_t size)
{
    char median[40], lo[40], hi[40];
    const char *unit;
    if (!number_in(q->median, format, median, sizeof median, &unit)) return false;
    if (!q->has_interval) {
        snprintf(out, size, "%s%s", median, unit);
        return true;
    }
    number_in(q->lo, format, lo, sizeof lo, &unit);
    number_in(q->hi, format, hi, sizeof hi, &unit);
    snprintf(out, size, "%s%s (%s–%s%s)", median, unit, lo, hi, unit);
    return true;
}

/* ---- one placeholder ------------------------------------------------------------ */

/* The text of placeholder `spec` ("answer:gil/serial|x"), or false. */
static bool resolve(const run_files *run, char *spec, char *out, size_t size)
{
    char *format = strchr(spec, '|');
    if (format) *format++ = '\0';
    char *colon = strchr(spec, ':');
    if (!colon) return false;
    *colon = '\0';
    const char *kind = spec, *key = colon + 1;
    quantity q = { 0 };
    if (strcmp(kind, "fact") == 0) {
        char value[256];
        if (!run->modes || !csv_preamble_value(run->modes, key, value, sizeof value)) return false;
        if (!format || strcmp(format, "text") == 0) {
            snprintf(out, size, "%s", value);
            return true;
        }
        q.has_interval = false;
        return parse_number(value, &q.median) && format_quantity(&q, format, out, size);
    }
    if (strcmp(kind, "answer") == 0) {
        return run->answers && answer_value(run->answers, key, &q) && format_quantity(&q, format ? format : "x", out, size);
    }
    if (strcmp(kind, "mode") == 0) {
        char series[96], column[64];
        int workers;
        const char *at = strchr(key, '@');
        if (!run->modes || !at || sscanf(at + 1, "%d:%63s", &workers, column) != 2 || workers < 0) return false;
        snprintf(series, sizeof series, "%.*s", (int)(at - key), key);
        return mode_value(run->modes, series, workers, column, &q) && format_quantity(&q, format ? format : "n", out, size);
    }
    return false;
}

#define MAX_SPEC 200

char *prose_fill(const char *text, const char *run_dir, int *missing, char *why, size_t why_size)
{
    run_files run = { 0 };
    char path[1024], reason[160];
    snprintf(path, sizeof path, "%s/modes.csv", run_dir);
    run.modes = textfile_read(path, 4 << 20, reason, sizeof reason);
    snprintf(path, sizeof path, "%s/answers.csv", run_dir);
    run.answers = textfile_read(path, 1 << 20, reason, sizeof reason);
    *missing = 0;
    if (why_size) why[0] = '\0';
    char *filled = NULL;
    size_t filled_size = 0;
    FILE *out = open_memstream(&filled, &filled_size);
    if (!out) fail_at(__FILE__, __LINE__, "open_memstream", errno);
    for (const char *p = text; *p;) {
        const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close || close - open - 2 > MAX_SPEC) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(open - p), out);
        char spec[MAX_SPEC + 1], value[256];
        snprintf(spec, sizeof spec, "%.*s", (int)(close - open - 2), open + 2);
        if (resolve(&run, spec, value, sizeof value)) {
            fputs(value, out);
        } else {
            if (!*missing && why_size)
                snprintf(why, why_size, "{{%.*s}} names nothing in %s", (int)(close - open - 2), open + 2, run_dir);
            (*missing)++;
            fputs("(not measured in this run)", out);
        }
        p = close + 2;
    }
    fclose(out);
    free(run.modes);
    free(run.answers);
    return filled;
}
