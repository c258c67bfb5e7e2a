/* work.h — the workloads: the article's counting loop and its live tracker.
 *
 * Both call gil_tick() once per iteration: that is where CPython's interpreter
 * would check for a drop request (the loop's backward jump). Outside a GIL the
 * tick costs the same and never fires, so every mode runs identical code. */
#ifndef TVP_WORK_H
#define TVP_WORK_H

#include <stddef.h>
#include <stdint.h>

/* The article's cpu_heavy: count += i for i in range(iterations). Returns the sum,
 * so callers (and tests) can check the work was really done. */
uint64_t cpu_heavy(uint64_t iterations);

/* cpu_heavy as a pool task: `iterations` points to the uint64_t count per task.
 * Returns the sum (the same for every task). */
int64_t cpu_heavy_task(void *iterations, int task);

/* The sum cpu_heavy(n) must return, so a run can check its own results. */
uint64_t cpu_heavy_expected(uint64_t iterations);

/* Iterations of cpu_heavy that take about `seconds` of one core's time here (the
 * rate is measured at the first call of each thread, then reused). */
uint64_t calibrate_cpu_heavy(double seconds);

/* A stretch of time during which a job was running on one core. */
typedef struct {
    int64_t start_ns, end_ns;
    int core;
} run_interval;

/* Where the live tracker writes: caller-provided (shared memory for processes). */
typedef struct {
    run_interval *intervals;
    size_t capacity;
    size_t count;
    uint64_t samples;
    uint64_t dropped; /* intervals that did not fit (the figure would be incomplete) */
} tracker_log;

/* The article's live_tracker: take `samples` clock readings in a tight loop. Each
 * run of readings no more than gap_ns apart, on one core, is one running interval;
 * a longer gap means the job was not running (waiting for the GIL, descheduled). */
void live_tracker(uint64_t samples, int64_t gap_ns, tracker_log *log);

/* Samples of live_tracker that take about `seconds` here. */
uint64_t calibrate_live_tracker(double seconds);

#endif
