/* noise.c — /proc/stat and /proc/loadavg, read twice. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "noise.h"

#define HIGH_STEAL 0.02
#define HIGH_SPREAD 0.10
#define HIGH_DRIFT 0.10

/* The aggregate "cpu" line: user nice system idle iowait irq softirq steal ... */
static bool read_cpu_line(noise_snapshot *s)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return false;
    char line[512];
    bool ok = false;
    while (fgets(line, sizeof line, f)) {
        uint64_t v[8] = { 0 };
        if (strncmp(line, "cpu ", 4) == 0 &&
            sscanf(line + 4, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                   " %" SCNu64, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
            s->steal = v[7];
            s->total = 0;
            for (int i = 0; i < 8; i++) s->total += v[i];
            ok = true;
        }
        if (strncmp(line, "procs_running ", 14) == 0) sscanf(line + 14, "%d", &s->running);
    }
    fclose(f);
    return ok;
}

noise_snapshot noise_snapshot_now(void)
{
    noise_snapshot s = { 0 };
    s.readable = read_cpu_line(&s);
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &s.load_1min) != 1) s.readable = false;
        fclose(f);
    } else {
        s.readable = false;
    }
    return s;
}

noise_report noise_between(noise_snapshot start, noise_snapshot end)
{
    noise_report r = { .serial_spread = -1, .cpu_drift = -1, .readable = start.readable && end.readable };
    uint64_t total = end.total > start.total ? end.total - start.total : 0;
    uint64_t steal = end.steal > start.steal ? end.steal - start.steal : 0;
    r.steal_share = total ? (double)steal / (double)total : 0;
    r.load_at_start = start.load_1min;
    r.others_running = start.running > 1 ? start.running - 1 : 0;
    return r;
}

bool noise_is_high(const noise_report *r, int cores)
{
    /* The load average lags a minute behind (a chapter run just before still shows in
     * it): the processes runnable at the start say more about other load now. */
    return r->steal_share > HIGH_STEAL || r->others_running > 0.5 * cores || r->serial_spread > HIGH_SPREAD ||
           r->cpu_drift > HIGH_DRIFT;
}

void noise_describe(const noise_report *r, int cores, char *out, size_t size)
{
    int n = 0;
    if (r->readable)
        n = snprintf(out, size, "steal %.1f %% of CPU time; load %.2f at the start (%d other runnable)",
                     100 * r->steal_share, r->load_at_start, r->others_running);
    else
        n = snprintf(out, size, "/proc/stat could not be read (no steal or load figures)");
    if (n >= 0 && (size_t)n < size && r->serial_spread >= 0)
        n += snprintf(out + n, size - (size_t)n, "; serial rounds spread %.1f %% (min to max)",
                      100 * r->serial_spread);
    if (n >= 0 && (size_t)n < size && r->cpu_drift >= 0)
        n += snprintf(out + n, size - (size_t)n, "; the same work took %.1f %% more or less CPU time on GIL-threads than serially",
                      100 * r->cpu_drift);
    if (n >= 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, "; level: %s", noise_is_high(r, cores) ? "HIGH" : "low");
}
