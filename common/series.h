/* series.h — the names of the things a chapter measures.
 *
 * A mode says how work runs (serial, GIL-threads, processes...); a series says what
 * was measured: one kind of run whose rounds may be pooled and compared. Chapters
 * 1-8 measure one thing per mode, and get one series per mode without declaring
 * anything (key = the mode's CSV name, compared with the same language's serial
 * run). Chapters that measure variants inside a mode (buffer sizes, switch
 * intervals, ways to count, start methods) declare each one, as a row of a table:
 *
 *   key        "releasing/4096": unique in the chapter; data.csv's and modes.csv's
 *              series column
 *   family     "releasing": the line a figure draws it on, beside the same family
 *              at other x; its colour and label are the family's
 *   x          where on that line (4096 bytes, 0.1 ms, 256 MiB); NAN: no sweep
 *   mode       how it runs (modes.h)
 *   reference  the series it is compared with, run for run in the same round (a
 *              series whose reference is itself is a reference: its ratio is 1)
 *   reference_workers  the reference's worker count; 0: the reference has one
 *
 * Every ratio pairs a run with its own series' reference in the same round, so no
 * figure, summary or class row ever mixes two series. */
#ifndef TVP_SERIES_H
#define TVP_SERIES_H

#include <stdio.h>

#include "modes.h"

typedef struct {
    char *key, *family, *label, *reference;
    double x;
    pool_mode mode;
    int reference_workers;
    unsigned colour; /* 0xRRGGBB */
} series_def;

typedef struct {
    series_def *items;
    int count;
} series_table;

/* Declare a series; `colour` 0 takes the mode's, `label` NULL the mode's, `reference`
 * NULL the series itself. Returns its index. A key declared twice, or with a family
 * that already has another mode, label or colour, is a bug (fail_at). */
int series_declare(series_table *t, const char *key, const char *family, double x, const char *label, pool_mode mode,
                   const char *reference, int reference_workers, unsigned colour);

/* The key of a point of a sweep: "family/x" with the unit ("releasing/4096B",
 * "gil1/0.1ms"), written into `out`. */
const char *series_key(char *out, size_t size, const char *family, double x, const char *unit);

/* The index of `key`, or -1. */
int series_find(const series_table *t, const char *key);

/* The index of `key`; a key that is a mode's CSV name is that mode's own series,
 * declared the first time (compared with the same language's serial run). Any other
 * undeclared key is a bug (fail_at). */
int series_of(series_table *t, const char *key);

/* gnuplot definitions for the figures: series_color(f) and series_label(f), f a
 * family (or a mode's CSV name), and `families`, every family in declaration order. */
void series_write_gnuplot(const series_table *t, FILE *out);

void series_free(series_table *t);

#endif
