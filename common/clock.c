/* clock.c — the non-inline half of clock.h. */
#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "clock.h"

void sleep_ns(int64_t ns)
{
    struct timespec ts = { .tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

int online_cores(void)
{
    /* The cores this process may run on (taskset, cgroup cpusets), as Python 3.13's
     * os.process_cpu_count() counts them; the online count only if that fails. */
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) >= 1) return CPU_COUNT(&allowed);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)n : 1;
}
