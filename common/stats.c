/* stats.c — medians and interval coverage. */
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
