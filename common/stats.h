/* stats.h — the few summary statistics the chapters report. */
#ifndef TVP_STATS_H
#define TVP_STATS_H

#include <stddef.h>

typedef struct {
    double median, min, max;
} spread;

/* Median, min and max of `n` values (n may be 0: all zero). Does not change `values`. */
spread stats_spread(const double *values, size_t n);
double stats_median(const double *values, size_t n);
/* The p-th percentile (0-100), nearest rank; 0 for no values. */
double stats_percentile(const double *values, size_t n, double p);

/* Time intervals [start, end): how long at least one, and at least two, were open. */
typedef struct {
    double start, end;
} span;
void stats_coverage(const span *spans, size_t n, double *covered_by_one, double *covered_by_two);

#endif
