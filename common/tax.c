/* tax.c — the GIL-threads' excess over serial, split in two. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "clock.h"
#include "fail.h"
#include "tax.h"

gil_tax gil_tax_of_round(const chapter_run *serial, const chapter_run *with_gil)
{
    gil_tax tax = { 0 };
    tax.gaps_s = with_gil->gil_gaps_s;
    tax.handovers = with_gil->gil_handovers;
    tax.excess_s = with_gil->time_s - serial->time_s;
    int tasks = serial->ntasks < with_gil->ntasks ? serial->ntasks : with_gil->ntasks;
    for (int t = 0; t < tasks; t++)
        tax.extra_cpu_s += ns_to_s(with_gil->records[t].cpu_ns - serial->records[t].cpu_ns);
    return tax;
}

static double median_of(const gil_tax *taxes, int n, size_t offset)
{
    double *values = xcalloc((size_t)n, sizeof *values);
    for (int i = 0; i < n; i++) values[i] = *(const double *)((const char *)&taxes[i] + offset);
    double m = stats_median(values, (size_t)n);
    free(values);
    return m;
}

double gil_tax_median_handovers(const gil_tax *taxes, int rounds)
{
    double *values = xcalloc((size_t)(rounds > 0 ? rounds : 1), sizeof *values);
    for (int i = 0; i < rounds; i++) values[i] = (double)taxes[i].handovers;
    double m = stats_median(values, (size_t)rounds);
    free(values);
    return m;
}

void gil_tax_report(chapter *c, const gil_tax *taxes, int rounds)
{
    if (rounds <= 0) return;
    double excess = median_of(taxes, rounds, offsetof(gil_tax, excess_s));
    double gaps = median_of(taxes, rounds, offsetof(gil_tax, gaps_s));
    double cpu = median_of(taxes, rounds, offsetof(gil_tax, extra_cpu_s));
    double handovers = gil_tax_median_handovers(taxes, rounds);
    const char *larger = fabs(gaps) >= fabs(cpu) ? "the hand-over gaps" : "slower execution";
    report_text(c->report, "What the GIL-threads' extra time over serial was made of (medians over %d round%s): they "
                "took %.3f s %s than serial. (a) Hand-over gaps: the GIL lay free between two threads' turns for "
                "%.3f s in all (%.0f hand-overs, about %.0f us each; from the GIL's hold records). (b) Slower "
                "execution: the same work used %.3f s %s CPU time than serially. Larger part on this run: %s.",
                rounds, rounds == 1 ? "" : "s", fabs(excess), excess < 0 ? "less" : "more", gaps, handovers,
                handovers > 0 ? 1e6 * gaps / handovers : 0, fabs(cpu), cpu < 0 ? "less" : "more", larger);
    chapter_meta(c, "gil_excess_s", "%.4f", excess);
    chapter_meta(c, "gil_handover_gaps_s", "%.4f", gaps);
    chapter_meta(c, "gil_extra_cpu_s", "%.4f", cpu);
}
