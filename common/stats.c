/* stats.c — medians, intervals on them, the three-way rule, plateaus, and interval coverage. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "stats.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

spread stats_spread(const double *values, size_t n)
{
    spread s = { 0, 0, 0 };
    if (!n) return s;
    double *sorted = xcalloc(n, sizeof *sorted);
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);
    s.min = sorted[0];
    s.max = sorted[n - 1];
    s.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    free(sorted);
    return s;
}

double stats_median(const double *values, size_t n)
{
    return stats_spread(values, n).median;
}

double stats_percentile(const double *values, size_t n, double p)
{
    if (!n) return 0;
    double *sorted = xcalloc(n, sizeof *sorted);
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    double v = sorted[rank == 0 ? 0 : rank > n ? n - 1 : rank - 1];
    free(sorted);
    return v;
}

/* P(B <= j), B ~ Binomial(n, 1/2), summed exactly in doubles (n is small). */
static double binomial_half_cdf(int n, int j)
{
    double term = ldexp(1.0, -n), sum = 0; /* C(n,0) / 2^n */
    for (int i = 0; i <= j && i <= n; i++) {
        sum += term;
        term = term * (n - i) / (i + 1);
    }
    return sum;
}

double stats_order_coverage(int n, int k)
{
    if (n <= 0 || k < 1 || 2 * k > n + 1) return 0;
    return 1 - 2 * binomial_half_cdf(n, k - 1);
}

estimate stats_estimate(const double *values, size_t n)
{
    estimate e = { .n = (int)n };
    if (!n) return e;
    double *sorted = xcalloc(n, sizeof *sorted);
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);
    e.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    e.lo = e.hi = e.median;
    if (n >= STATS_MIN_VALUES) {
        int k = 1; /* [min, max] unless a narrower pair still covers 95 % */
        while (stats_order_coverage((int)n, k + 1) >= STATS_LEVEL) k++;
        e.lo = sorted[k - 1];
        e.hi = sorted[n - (size_t)k];
        e.coverage = stats_order_coverage((int)n, k);
    }
    free(sorted);
    return e;
}

estimate stats_paired_ratio(const double *numerator, const double *denominator, size_t n)
{
    double *ratios = xcalloc(n ? n : 1, sizeof *ratios);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (numerator[i] > 0 && denominator[i] > 0) ratios[kept++] = numerator[i] / denominator[i];
    estimate e = stats_estimate(ratios, kept);
    free(ratios);
    return e;
}

estimate stats_inverse(estimate e)
{
    if (e.median == 0 || e.lo == 0 || e.hi == 0) return e;
    return (estimate){ 1 / e.median, 1 / e.hi, 1 / e.lo, e.coverage, e.n };
}

estimate stats_scaled(estimate e, double factor)
{
    estimate scaled = { factor * e.median, factor * e.lo, factor * e.hi, e.coverage, e.n };
    if (factor < 0) scaled.lo = factor * e.hi, scaled.hi = factor * e.lo;
    return scaled;
}

double stats_relative_width(estimate e)
{
    if (e.n < STATS_MIN_VALUES || e.median == 0) return INFINITY;
    return (e.hi - e.lo) / 2 / fabs(e.median);
}

bool stats_decides(estimate e)
{
    return e.n >= STATS_MIN_VALUES && e.coverage >= STATS_LEVEL;
}

three_way stats_below(estimate e, double threshold)
{
    if (!stats_decides(e)) return CALL_UNDECIDED;
    if (e.hi < threshold) return CALL_TRUE;
    if (e.lo >= threshold) return CALL_FALSE;
    return CALL_UNDECIDED;
}

const char *stats_call_word(three_way call)
{
    return call == CALL_TRUE ? "TRUE" : call == CALL_FALSE ? "FALSE" : "NOT DISTINGUISHABLE HERE";
}

int stats_plateau(const estimate *points, int n, int *plateau)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (points[i].median < points[best].median) best = i;
    for (int i = 0; i < n; i++)
        plateau[i] = i == best || (points[i].n > 0 && points[i].lo <= points[best].hi && points[best].lo <= points[i].hi);
    return n > 0 ? best : -1;
}

typedef struct {
    double t;
    int delta; /* +1 opens, -1 closes */
} edge;

static int compare_edges(const void *a, const void *b)
{
    const edge *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return x->delta - y->delta; /* close before open at the same instant: touching is not overlapping */
}

void stats_coverage(const span *spans, size_t n, double *one, double *two)
{
    *one = *two = 0;
    if (!n) return;
    edge *edges = xcalloc(2 * n, sizeof *edges);
    for (size_t i = 0; i < n; i++) {
        edges[2 * i] = (edge){ spans[i].start, +1 };
        edges[2 * i + 1] = (edge){ spans[i].end, -1 };
    }
    qsort(edges, 2 * n, sizeof *edges, compare_edges);
    int open = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        if (i > 0) {
            double dt = edges[i].t - edges[i - 1].t;
            if (open >= 1) *one += dt;
            if (open >= 2) *two += dt;
        }
        open += edges[i].delta;
    }
    free(edges);
}
