/* tax.h — what the GIL-threads' extra time over serial was made of.
 *
 * GIL-threads run the same work as serial code, one thread at a time, so their
 * excess over serial can come from two places, measured separately per round:
 *   (a) hand-over gaps: the GIL lying free between one thread's turn and the next
 *       (the sum of those gaps, from the GIL's hold records, gil.h);
 *   (b) slower execution: the same work costing more CPU time than it did serially
 *       (caches, migrations between cores, the host, the clock speed).
 * Whatever is left is waiting that neither explains (a thread runnable but not
 * running). The chapter text states which part dominated, from these numbers. */
#ifndef TVP_TAX_H
#define TVP_TAX_H

#include "chapter.h"

typedef struct {
    double excess_s;     /* GIL-threads' wall time - serial's, same round */
    double gaps_s;       /* (a) */
    double extra_cpu_s;  /* (b) */
    unsigned long handovers;
} gil_tax;

/* The tax of one round, from its serial run and its GIL-threads run (which carries
 * what its GIL did: chapter_run's gil_gaps_s and gil_handovers). Both runs must have
 * run the same tasks. */
gil_tax gil_tax_of_round(const chapter_run *serial, const chapter_run *with_gil);

/* One paragraph: the medians over rounds of (a), (b) and the excess, and which part
 * was larger on this run. Says nothing when there is no round. */
void gil_tax_report(chapter *c, const gil_tax *taxes, int rounds);

/* The median hand-over count over rounds. */
double gil_tax_median_handovers(const gil_tax *taxes, int rounds);

#endif
