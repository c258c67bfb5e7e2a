/* room.h — what else is using the CPU, checked before a chapter measures.
 *
 * A parallel mode can only show its speed on cores that are free. Before the first
 * round the chapter watches the machine for a moment: the CPU time every other
 * process used (utime + stime of /proc/PID/stat, proc(5)), summed by command name,
 * and steal (/proc/stat: time the hypervisor gave this VM's CPUs to someone else).
 * If other programs took a sizeable part of a core, the chapter says so in one line
 * before anything runs, naming the top consumers, and the verdict names that cause
 * when it cannot decide. --wait-quiet waits until the machine is quiet instead. */
#ifndef TVP_ROOM_H
#define TVP_ROOM_H

#include <stdbool.h>
#include <stddef.h>

#define ROOM_TOP 3

typedef struct {
    char name[32];  /* the command name (comm), as ps shows it */
    double cores;   /* cores' worth of CPU its processes used */
} room_consumer;

typedef struct {
    bool readable;        /* false where /proc could not be read */
    double seconds;       /* how long it watched */
    double others_cores;  /* cores' worth of CPU every other process used */
    double steal_share;   /* 0..1 of all CPU time, stolen by the hypervisor */
    room_consumer top[ROOM_TOP];
    int top_count;
} room_report;

/* Watch the machine for `seconds`: everything but this process. */
room_report room_measure(double seconds);

/* Busy enough that parallel modes cannot show their speed: other programs took a
 * fifth of a core or more, or steal over 5 %. */
bool room_is_busy(const room_report *r);

/* "firefox 96 %, cc1 40 %" (a core's worth is 100 %), and the steal when there is
 * some: the consumers for a one-line message. */
void room_describe(const room_report *r, char *out, size_t size);

#endif
