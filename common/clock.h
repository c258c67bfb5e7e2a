/* clock.h — time and place: monotonic wall time, thread CPU time, current core.
 *
 * CLOCK_MONOTONIC is one clock for the whole machine, so timestamps taken in a
 * forked worker and in its parent can be compared directly. The sampling calls
 * are inline because the live tracker calls them tens of millions of times. */
#ifndef TVP_CLOCK_H
#define TVP_CLOCK_H

#include <sched.h>
#include <stdint.h>
#include <time.h>

#define NS_PER_S 1000000000LL

/* Nanoseconds on the machine-wide monotonic clock. */
static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* CPU time this thread has used, in nanoseconds. */
static inline int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* The core this thread is running on right now (-1 if the kernel cannot say). */
static inline int current_core(void)
{
    return sched_getcpu();
}

/* Seconds between two now_ns() readings. */
static inline double ns_to_s(int64_t ns)
{
    return (double)ns / (double)NS_PER_S;
}

/* Sleep for a number of nanoseconds, resuming after signals. */
void sleep_ns(int64_t ns);

/* Number of cores this process may use: its affinity mask (at least 1). */
int online_cores(void);

#endif
