/* room.c — other processes' CPU time over a short window, from /proc (proc(5)). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "noise.h"
#include "room.h"

#define PF_KTHREAD 0x00200000ULL /* include/linux/sched.h: "I am a kernel thread" */

typedef struct {
    int pid;
    unsigned long long start, ticks; /* start time (to tell a reused pid) and utime + stime, in clock ticks */
    int threads;
    char name[32];
} proc_sample;

/* One process's line of /proc/PID/stat. The name (field 2) is in parentheses and may
 * hold spaces or parentheses itself: the fields after it start at the last ')'. */
static bool read_stat(int pid, proc_sample *p)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    char *open = ok ? strchr(line, '(') : NULL, *close = ok ? strrchr(line, ')') : NULL;
    if (!open || !close || close < open) return false;
    snprintf(p->name, sizeof p->name, "%.*s", (int)(close - open - 1), open + 1);
    fail_one_line(p->name);
    /* After the name: state (3), ..., flags (9), ..., utime (14), stime (15), ...,
     * num_threads (20), starttime (22). A kernel thread (PF_KTHREAD in its flags) is
     * the kernel's own work for everyone, not another program: left out. */
    unsigned long long flags, utime, stime, start;
    if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %llu %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %d %*d %llu", &flags,
               &utime, &stime, &p->threads, &start) != 5 ||
        (flags & PF_KTHREAD))
        return false;
    p->pid = pid;
    p->ticks = utime + stime;
    p->start = start;
    return true;
}

/* Every process but this one. A malloc'd array of *count (NULL if /proc cannot be read). */
static proc_sample *sample_all(int *count)
{
    DIR *d = opendir("/proc");
    if (!d) return NULL;
    proc_sample *all = NULL;
    int n = 0, capacity = 0, self = getpid();
    for (struct dirent *e; (e = readdir(d));) {
        int pid = atoi(e->d_name);
        if (pid <= 0 || pid == self) continue;
        if (n == capacity) all = xrealloc(all, (size_t)(capacity = capacity ? 2 * capacity : 256), sizeof *all);
        if (read_stat(pid, &all[n])) n++;
    }
    closedir(d);
    *count = n;
    return all ? all : xcalloc(1, sizeof *all);
}

/* The same process in the first sample (the same pid and start time), or NULL. */
static const proc_sample *earlier(const proc_sample *now, const proc_sample *before, int before_count)
{
    for (int i = 0; i < before_count; i++)
        if (before[i].pid == now->pid && before[i].start == now->start) return &before[i];
    return NULL;
}

/* The cores' worth a process used between the samples (all its ticks if it was not
 * there before), at most one per thread it had at either sample: CPU time is counted
 * in clock ticks, so over a one-second window a single-threaded loop can read 101 %. */
static double cores_used(const proc_sample *now, const proc_sample *then, long ticks_per_s, double elapsed)
{
    unsigned long long ticks = !then ? now->ticks : now->ticks >= then->ticks ? now->ticks - then->ticks : 0;
    double cores = (double)ticks / (double)ticks_per_s / elapsed;
    int threads = then && then->threads > now->threads ? then->threads : now->threads;
    return threads > 0 && cores > threads ? threads : cores;
}

/* Add `cores` to the consumer named `name` (a new one if it is not there yet). */
static void add_to(room_consumer **names, int *count, const char *name, double cores)
{
    for (int i = 0; i < *count; i++)
        if (strcmp((*names)[i].name, name) == 0) {
            (*names)[i].cores += cores;
            return;
        }
    *names = xrealloc(*names, (size_t)*count + 1, sizeof **names);
    snprintf((*names)[*count].name, sizeof (*names)[*count].name, "%s", name);
    (*names)[(*count)++].cores = cores;
}

static int by_cores_descending(const void *a, const void *b)
{
    double x = ((const room_consumer *)a)->cores, y = ((const room_consumer *)b)->cores;
    return (x < y) - (x > y);
}

room_report room_measure(double seconds)
{
    room_report r = { .seconds = seconds };
    int before_count = 0, after_count = 0;
    noise_snapshot steal_before = noise_snapshot_now();
    int64_t t0 = now_ns();
    proc_sample *before = sample_all(&before_count);
    sleep_ns((int64_t)(seconds * 1e9));
    proc_sample *after = sample_all(&after_count);
    double elapsed = ns_to_s(now_ns() - t0);
    noise_snapshot steal_after = noise_snapshot_now();
    long ticks_per_s = sysconf(_SC_CLK_TCK);
    if (!before || !after || ticks_per_s <= 0 || elapsed <= 0) {
        free(before);
        free(after);
        return r;
    }
    r.readable = true;
    r.seconds = elapsed;
    room_consumer *names = NULL;
    int name_count = 0;
    for (int i = 0; i < after_count; i++) {
        double cores = cores_used(&after[i], earlier(&after[i], before, before_count), ticks_per_s, elapsed);
        if (cores <= 0) continue;
        r.others_cores += cores;
        add_to(&names, &name_count, after[i].name, cores);
    }
    if (name_count) qsort(names, (size_t)name_count, sizeof *names, by_cores_descending);
    for (int i = 0; i < name_count && i < ROOM_TOP; i++) r.top[r.top_count++] = names[i];
    if (steal_before.readable && steal_after.readable && steal_after.total > steal_before.total)
        r.steal_share = (double)(steal_after.steal - steal_before.steal) / (double)(steal_after.total - steal_before.total);
    free(names);
    free(before);
    free(after);
    return r;
}

bool room_is_busy(const room_report *r)
{
    return r->readable && (r->others_cores >= 0.2 || r->steal_share > 0.05);
}

void room_describe(const room_report *r, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; i < r->top_count && r->top[i].cores >= 0.05; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s %.0f %%", i ? ", " : "", r->top[i].name,
                 100 * r->top[i].cores);
    if (r->steal_share > 0.05)
        snprintf(out + strlen(out), size - strlen(out), "%ssteal %.0f %% (the host gave these CPUs to another machine)",
                 *out ? ", " : "", 100 * r->steal_share);
    if (!*out) snprintf(out, size, "%.0f %% of a core in all", 100 * r->others_cores);
}
