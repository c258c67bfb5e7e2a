/* capacity.c — k workers against one on the same loop, and the kernel's topology. */
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "capacity.h"
#include "clock.h"
#include "pool.h"
#include "work.h"

double capacity_probe(int workers, pool_task task, void *ctx, pool_outcome *outcome)
{
    *outcome = (pool_outcome){ .failed_task = -1 };
    if (workers < 1) {
        snprintf(outcome->error, sizeof outcome->error, "no workers to probe with");
        return -1;
    }
    task_record before[1], after[1], together[workers];
    pool_config one = { .mode = MODE_PROCESSES, .workers = 1 }, all = { .mode = MODE_PROCESSES, .workers = workers };
    /* Alone, together, alone again: each task's own start and end, so the pool's
     * start-up is not counted. Interference only ever adds time, so the faster of
     * the two lone runs is the better measure of one core's speed at this moment (a
     * slow lone run alone would make the CPUs look like more than they are). */
    if (pool_map(&one, task, ctx, 1, before, outcome) != 0 || pool_map(&all, task, ctx, workers, together, outcome) != 0 ||
        pool_map(&one, task, ctx, 1, after, outcome) != 0)
        return -1;
    double took[workers], alone_before = (double)(before[0].end_ns - before[0].start_ns),
                          alone_after = (double)(after[0].end_ns - after[0].start_ns);
    for (int i = 0; i < workers; i++) took[i] = (double)(together[i].end_ns - together[i].start_ns);
    return capacity_worth(alone_before < alone_after ? alone_before : alone_after, took, workers);
}

uint64_t capacity_iterations(double seconds)
{
    uint64_t sample = 1 << 20;
    int64_t t0 = thread_cpu_ns();
    volatile uint64_t sink = cpu_heavy(sample);
    (void)sink;
    int64_t spent = thread_cpu_ns() - t0;
    double n = spent > 0 ? (double)sample * seconds / ns_to_s(spent) : (double)sample;
    return n < 1 ? 1 : (uint64_t)n;
}

double capacity_worth(double alone_s, const double *together_s, int workers)
{
    double worth = 0;
    for (int i = 0; i < workers; i++)
        if (together_s[i] > 0) worth += alone_s / together_s[i];
    return worth;
}

/* The first CPU of a thread_siblings_list ("0-1", "0,4", "3"): the core's name. */
static int first_sibling(int cpu)
{
    char path[96], line[128];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int first = -1;
    if (fgets(line, sizeof line, f) && sscanf(line, "%d", &first) != 1) first = -1;
    fclose(f);
    return first;
}

int capacity_physical_cores(void)
{
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0) return 0;
    int cores = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &mask)) continue;
        int first = first_sibling(cpu);
        if (first < 0) return 0;
        /* A core counts once: at its first sibling in the mask. */
        bool counted = false;
        for (int other = 0; other < cpu && !counted; other++)
            counted = CPU_ISSET(other, &mask) && first_sibling(other) == first;
        cores += !counted;
    }
    return cores;
}
