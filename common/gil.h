/* gil.h — an emulation of CPython's Global Interpreter Lock (Python/ceval_gil.c, 3.2+).
 *
 * Only the thread holding the GIL may run "bytecode". A thread that wants it waits
 * at most one switch interval; if no switch happened meanwhile it sets a drop
 * request. The holder polls that request on every iteration of its loop (gil_tick(),
 * one relaxed atomic load; CPython's eval breaker is checked less often: on backward
 * jumps and calls since 3.10), drops the GIL, and — FORCE_SWITCHING, as in CPython —
 * waits until another thread has taken it, so it cannot grab it straight back.
 * Blocking calls go between gil_release() and gil_acquire(), as C code in CPython
 * wraps them in Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS.
 *
 * Every hold is recorded (who, from, to) so chapters can show the turns taken. */
#ifndef TVP_GIL_H
#define TVP_GIL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gil gil_t;

/* One period during which one thread held the GIL. */
typedef struct {
    int tag;          /* the tag the thread passed to gil_enter() */
    int64_t start_ns; /* now_ns() when it took the GIL */
    int64_t end_ns;   /* now_ns() when it dropped it */
} gil_hold;

/* A GIL with the given switch interval (CPython's sys.setswitchinterval). */
gil_t *gil_create(double switch_interval_s);
void gil_destroy(gil_t *gil);

/* The calling thread joins the interpreter (with a tag for the records) and takes
 * the GIL; gil_leave() drops it and detaches. */
void gil_enter(gil_t *gil, int tag);
void gil_leave(void);

/* Around a blocking call. Both do nothing in a thread that has not entered a GIL,
 * so I/O code can call them in every mode. */
void gil_release(void);
void gil_acquire(void);

/* The recorded holds, in the order they ended. Read only while no thread is attached. */
const gil_hold *gil_holds(const gil_t *gil, size_t *count);
/* The time the GIL lay free while passing from one thread to another: the sum of
 * the gaps between one thread's hold and the next thread's, and how many such
 * hand-overs there were (read only while no thread is attached). */
int64_t gil_handover_gap_ns(const gil_t *gil, unsigned long *handovers);
/* How many times the GIL passed from one thread to another. */
unsigned long gil_switches(gil_t *gil);

/* --- the bytecode boundary ------------------------------------------------------
 * Every thread polls a drop-request flag: its GIL's, or — outside any GIL — a flag
 * that is never set. So a C thread, a GIL-thread and a serial loop all pay the
 * very same cost per tick: the check is not what differs between them (what the
 * GIL adds is its hand-overs and the turns' effect on how the loop runs; tax.h). */
extern _Thread_local atomic_int *gil_drop_flag;
void gil_yield(void); /* drop the GIL and take it back (the eval breaker's work) */

static inline void gil_tick(void)
{
    if (__builtin_expect(atomic_load_explicit(gil_drop_flag, memory_order_relaxed), 0))
        gil_yield();
}

#endif
