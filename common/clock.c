/* clock.c — the non-inline half of clock.h. */
#include <errno.h>
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
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)n : 1;
}
