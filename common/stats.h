/* stats.h — the few summary statistics the chapters report. */
#ifndef TVP_STATS_H
#define TVP_STATS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    double median, min, max;
} spread;

/* Median, min and max of `n` values (n may be 0: all zero). Does not change `values`. */
spread stats_spread(const double *values, size_t n);
double stats_median(const double *values, size_t n);
/* The p-th percentile (0-100), nearest rank; 0 for no values. */
double stats_percentile(const double *values, size_t n, double p);

/* ---- deciding from repeated, paired measurements ------------------------------
 *
 * A median with a distribution-free confidence interval on it (the "sign test" or
 * binomial interval: no assumption about the shape of the noise). Sorted, the
 * values x(1) <= ... <= x(n) bracket the true median between x(k) and x(n+1-k)
 * with probability 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2). We take the largest k
 * whose coverage is at least 95 %. Below 6 values no k reaches 95 %: the interval
 * is then [min, max] and `coverage` says what it really is (5 values: 93.8 %,
 * 3 values: 75 %); with fewer than 3 values there is no interval at all. */
typedef struct {
    double median, lo, hi;
    double coverage; /* 0..1: how often such an interval holds the true median */
    int n;
} estimate;

#define STATS_LEVEL 0.95
#define STATS_MIN_VALUES 3 /* fewer: no interval, so nothing can be decided */

estimate stats_estimate(const double *values, size_t n);
/* The coverage of [x(k), x(n+1-k)] among n values. */
double stats_order_coverage(int n, int k);
/* numerator[i] / denominator[i] for every i — a ratio paired within a round — as an
 * estimate. A pair with a side that is not positive (a run that did not happen) is
 * left out. */
estimate stats_paired_ratio(const double *numerator, const double *denominator, size_t n);
/* 1 / the quantity (a time ratio turned into a speed-up): median and bounds inverted. */
estimate stats_inverse(estimate e);
/* The same estimate in other units (seconds to milliseconds: 1e3), its coverage kept. */
estimate stats_scaled(estimate e, double factor);
/* Half the interval's width as a share of the median (0.05: +-5 %); infinity without an interval. */
double stats_relative_width(estimate e);

/* May this estimate decide anything? Only with an interval of at least 95 % coverage
 * (STATS_LEVEL: 6 values or more). An interval of 3 to 5 values is printed, with its
 * coverage said (estimate_text), and decides nothing. */
bool stats_decides(estimate e);
#define STATS_DECIDING_VALUES 6 /* the fewest whose interval reaches STATS_LEVEL */

/* The three-way rule: does the quantity lie below `threshold`?
 * TRUE only when the whole interval is below it, FALSE only when the whole interval
 * is at or above it, otherwise (or without an interval of 95 % coverage) UNDECIDED. */
typedef enum { CALL_TRUE, CALL_FALSE, CALL_UNDECIDED } three_way;
three_way stats_below(estimate e, double threshold);
/* "TRUE", "FALSE", "NOT DISTINGUISHABLE HERE". */
const char *stats_call_word(three_way call);

/* A sweep's plateau: the best point (lowest median) and every point whose interval
 * overlaps the best one's. plateau[i] is set for those; returns the best index. */
int stats_plateau(const estimate *points, int n, int *plateau);

/* Time intervals [start, end): how long at least one, and at least two, were open. */
typedef struct {
    double start, end;
} span;
void stats_coverage(const span *spans, size_t n, double *covered_by_one, double *covered_by_two);

#endif
