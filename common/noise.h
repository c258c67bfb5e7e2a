/* noise.h — how much the machine disturbed a run: the noise meter.
 *
 * A shared VM or a laptop on battery changes speed under a program's feet. The meter
 * reads what Linux reports for the whole machine (/proc/stat, /proc/loadavg;
 * proc(5)) at the start and end of a run:
 *   - steal: time the hypervisor gave this VM's virtual CPUs to someone else, as a
 *     share of all CPU time during the run;
 *   - other load at the start: the 1-minute load average and the runnable
 *     processes other than this one.
 * The chapter adds what only it knows: how much its serial rounds varied, and how
 * much the CPU time of the same work drifted between serial and GIL-threads (both
 * run one thread at a time: the same loop should cost the same CPU time; more means
 * the machine ran it slower). */
#ifndef TVP_NOISE_H
#define TVP_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t steal, total;  /* jiffies over all CPUs, from /proc/stat */
    double load_1min;        /* /proc/loadavg */
    int running;             /* processes runnable at the moment, this one included */
    bool readable;           /* false where /proc could not be read (the meter then says so) */
} noise_snapshot;

noise_snapshot noise_snapshot_now(void);

typedef struct {
    double steal_share;       /* 0..1 of all CPU time between the snapshots */
    double load_at_start;     /* 1-minute load average at the start */
    int others_running;       /* runnable processes other than this one at the start */
    double serial_spread;     /* (max - min) / median of the serial rounds; < 0: unknown */
    double cpu_drift;         /* |CPU time of GIL-threads / serial's - 1| for the same work; < 0: unknown */
    bool readable;
} noise_report;

/* From two snapshots; serial_spread and cpu_drift start unknown (-1). */
noise_report noise_between(noise_snapshot start, noise_snapshot end);

/* Is the run noisy enough that its verdicts deserve suspicion? (steal over 2 %,
 * serial rounds spread over 10 %, or CPU time per
 * unit of work drifting by more than 10 %; other load: more runnable processes than
 * half the cores at the start. The load average is shown, not judged: it lags.) */
bool noise_is_high(const noise_report *r, int cores);

/* One line for people: "steal 0.4 % ..., level: low". */
void noise_describe(const noise_report *r, int cores, char *out, size_t size);

#endif
