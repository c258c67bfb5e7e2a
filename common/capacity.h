/* capacity.h — how much parallel work this machine's CPUs deliver, measured.
 *
 * The affinity mask says how many CPUs a program may use; it does not say how much
 * work they do together. Two hardware threads of one core (SMT, hyper-threading:
 * what a laptop's "8 CPUs, 4 cores" are, and what a VM's vCPUs may be on the host)
 * share its execution units, so two workers on them can do far less than twice one
 * worker's work, and how much less depends on the loop. So each round a chapter
 * measures it: `workers` processes run the same work (the C loop, or the chapter's
 * own) at once, against one process running it alone; the cores' worth is the sum over the workers of (time alone /
 * its time beside the others): 2.0 on two real cores, about 1.2 on two hardware
 * threads of one core. The kernel's view of the topology
 * (/sys/devices/system/cpu/cpuN/topology/thread_siblings_list) is read beside it. */
#ifndef TVP_CAPACITY_H
#define TVP_CAPACITY_H

#include <stdint.h>

#include "pool.h"

/* One probe: `workers` forked processes each running task(ctx, i) at once, against
 * one process running it alone just before and just after (the faster of the two:
 * noise only adds time). The task is the workload whose capacity is measured: the C
 * loop (cpu_heavy_task with its iterations), or a chapter's own kernel. The cores'
 * worth, or -1 with `outcome` saying why: a process that could not be started
 * (failed_task -1), or a worker that died in its task (failed_task its task). */
double capacity_probe(int workers, pool_task task, void *ctx, pool_outcome *outcome);

/* Iterations of cpu_heavy for a probe of about `seconds` of one core: from one short
 * timed run (a millisecond), not calibrate_cpu_heavy's careful 0.1 s: the probe
 * compares the loop with itself, so its length need not be exact. */
uint64_t capacity_iterations(double seconds);

/* The arithmetic of a probe: the sum over `workers` of alone_s / together_s[i]
 * (a worker that took twice as long as alone did half a core's work). */
double capacity_worth(double alone_s, const double *together_s, int workers);

/* The kernel's topology for the CPUs this process may use: how many physical cores
 * they sit on (CPUs that are hardware threads of one core count once). 0 if the
 * kernel does not say. */
int capacity_physical_cores(void);

#endif
