/* work.c — the counting loop, the live tracker, and their calibration. */
#include "clock.h"
#include "gil.h"
#include "work.h"

uint64_t cpu_heavy(uint64_t iterations)
{
    uint64_t count = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        count += i;
        /* Compiler barrier: without it -O2 folds the loop into n*(n-1)/2. */
        __asm__ volatile("" : "+r"(count));
        gil_tick();
    }
    return count;
}

int64_t cpu_heavy_task(void *iterations, int task)
{
    (void)task;
    return (int64_t)cpu_heavy(*(const uint64_t *)iterations);
}

uint64_t cpu_heavy_expected(uint64_t n)
{
    return n % 2 ? (n - 1) / 2 * n : n / 2 * (n - 1); /* n(n-1)/2, wrapping as the loop does */
}

static void log_interval(tracker_log *log, run_interval iv)
{
    if (log->count < log->capacity)
        log->intervals[log->count++] = iv;
    else
        log->dropped++;
}

void live_tracker(uint64_t samples, int64_t gap_ns, tracker_log *log)
{
    int64_t t = now_ns();
    run_interval current = { t, t, current_core() };
    for (uint64_t i = 0; i < samples; i++) {
        gil_tick();
        int64_t now = now_ns();
        int core = current_core();
        if (now - current.end_ns > gap_ns || core != current.core) {
            log_interval(log, current);
            current = (run_interval){ now, now, core };
        } else {
            current.end_ns = now;
        }
    }
    log_interval(log, current);
    log->samples += samples;
}

/* Units of work per CPU second, best of a few timed trials (CPU time, so a
 * moment of preemption during calibration does not skew it). */
static double best_rate(void (*run)(uint64_t), uint64_t start_units)
{
    uint64_t units = start_units;
    double best = 0;
    for (int trial = 0; trial < 5; trial++) {
        int64_t t0 = thread_cpu_ns();
        run(units);
        int64_t spent = thread_cpu_ns() - t0;
        if (spent < 10 * 1000 * 1000) { /* too short to time well: grow and retry */
            units *= 4;
            trial--;
            continue;
        }
        double rate = (double)units / ns_to_s(spent);
        if (rate > best) best = rate;
    }
    return best;
}

static volatile uint64_t calibration_sink;

static void run_cpu_heavy(uint64_t n)
{
    calibration_sink = cpu_heavy(n);
}

static void run_live_tracker(uint64_t n)
{
    run_interval scratch[64];
    tracker_log log = { .intervals = scratch, .capacity = 64 };
    live_tracker(n, 50000, &log);
}

static uint64_t units_for(double rate, double seconds)
{
    double n = rate * seconds;
    return n < 1 ? 1 : (uint64_t)n;
}

uint64_t calibrate_cpu_heavy(double seconds)
{
    /* Measured once per process (a chapter sizes its jobs and the capacity probe from
     * the same rate; measuring takes some 70 ms). A worker process never calibrates. */
    static _Thread_local double rate;
    if (rate <= 0) rate = best_rate(run_cpu_heavy, 1 << 16);
    return units_for(rate, seconds);
}

uint64_t calibrate_live_tracker(double seconds)
{
    return units_for(best_rate(run_live_tracker, 1 << 12), seconds);
}
