/* gil.c — CPython's GIL, after Python/ceval_gil.c (take_gil / drop_gil, FORCE_SWITCHING). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "gil.h"

#define CACHE_LINE 64

struct gil {
    /* Polled by the running thread at every "bytecode boundary" (gil_tick), so it
     * has a cache line to itself: sharing one with the fields the other threads
     * write at each hand-over cost the running thread 1-2 % of its speed here.
     * CPython, too, keeps the flag it polls (eval_breaker) apart from the GIL. */
    _Alignas(CACHE_LINE) atomic_int drop_request;

    _Alignas(CACHE_LINE) pthread_mutex_t mutex; /* guards locked's changes, switch_number, holds */
    pthread_cond_t cond;         /* signalled when the GIL is dropped */
    atomic_int locked;
    atomic_uintptr_t last_holder;
    unsigned long switch_number; /* counts hand-overs between different threads */

    pthread_mutex_t switch_mutex; /* FORCE_SWITCHING: the dropper waits for a taker */
    pthread_cond_t switch_cond;

    int64_t interval_ns;
    gil_hold *holds;
    size_t hold_count, hold_capacity;
};

static atomic_int never_requested; /* the flag polled outside any GIL: always 0 */
_Thread_local atomic_int *gil_drop_flag = &never_requested;

/* What this thread is attached to. */
static _Thread_local gil_t *current_gil;
static _Thread_local int current_tag;
static _Thread_local int64_t hold_started_ns;
static _Thread_local char thread_identity; /* its address names the thread */

static uintptr_t self(void)
{
    return (uintptr_t)&thread_identity;
}

gil_t *gil_create(double switch_interval_s)
{
    gil_t *g = aligned_alloc(CACHE_LINE, sizeof *g); /* sizeof is a multiple of the alignment */
    if (!g) fail_at(__FILE__, __LINE__, "aligned_alloc", ENOMEM);
    memset(g, 0, sizeof *g);
    pthread_condattr_t attr;
    CHECK_PTHREAD(pthread_condattr_init(&attr));
    CHECK_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    CHECK_PTHREAD(pthread_mutex_init(&g->mutex, NULL));
    CHECK_PTHREAD(pthread_cond_init(&g->cond, &attr));
    CHECK_PTHREAD(pthread_mutex_init(&g->switch_mutex, NULL));
    CHECK_PTHREAD(pthread_cond_init(&g->switch_cond, NULL));
    CHECK_PTHREAD(pthread_condattr_destroy(&attr));
    g->interval_ns = (int64_t)(switch_interval_s * 1e9);
    if (g->interval_ns < 1000) g->interval_ns = 1000; /* CPython's floor: 1 microsecond */
    return g;
}

void gil_destroy(gil_t *g)
{
    if (!g) return;
    CHECK_PTHREAD(pthread_mutex_destroy(&g->mutex));
    CHECK_PTHREAD(pthread_cond_destroy(&g->cond));
    CHECK_PTHREAD(pthread_mutex_destroy(&g->switch_mutex));
    CHECK_PTHREAD(pthread_cond_destroy(&g->switch_cond));
    free(g->holds);
    free(g);
}

static struct timespec deadline_after(int64_t ns)
{
    int64_t t = now_ns() + ns;
    return (struct timespec){ .tv_sec = t / NS_PER_S, .tv_nsec = t % NS_PER_S };
}

static void record_hold(gil_t *g, int64_t end_ns) /* called with g->mutex held */
{
    if (g->hold_count == g->hold_capacity) {
        g->hold_capacity = g->hold_capacity ? 2 * g->hold_capacity : 1024;
        g->holds = xrealloc(g->holds, g->hold_capacity, sizeof *g->holds);
    }
    g->holds[g->hold_count++] = (gil_hold){ current_tag, hold_started_ns, end_ns };
}

static void take_gil(gil_t *g)
{
    CHECK_PTHREAD(pthread_mutex_lock(&g->mutex));
    while (atomic_load_explicit(&g->locked, memory_order_relaxed)) {
        unsigned long saved_switch_number = g->switch_number;
        struct timespec deadline = deadline_after(g->interval_ns);
        int rc = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        if (rc != 0 && rc != ETIMEDOUT) fail_at(__FILE__, __LINE__, "pthread_cond_timedwait", rc);
        /* Waited a whole interval and nobody switched: ask the holder to drop it. */
        if (rc == ETIMEDOUT && atomic_load_explicit(&g->locked, memory_order_relaxed) &&
            g->switch_number == saved_switch_number)
            atomic_store_explicit(&g->drop_request, 1, memory_order_relaxed);
    }
    /* switch_mutex before last_holder changes: see drop_gil(). */
    CHECK_PTHREAD(pthread_mutex_lock(&g->switch_mutex));
    atomic_store_explicit(&g->locked, 1, memory_order_relaxed);
    if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) != self()) {
        atomic_store_explicit(&g->last_holder, self(), memory_order_relaxed);
        ++g->switch_number;
    }
    CHECK_PTHREAD(pthread_cond_signal(&g->switch_cond));
    CHECK_PTHREAD(pthread_mutex_unlock(&g->switch_mutex));
    atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
    hold_started_ns = now_ns();
    CHECK_PTHREAD(pthread_mutex_unlock(&g->mutex));
}

/* force_switch: the thread stays in the interpreter (eval breaker, blocking call),
 * so honour a pending drop request by waiting until someone else has the GIL. */
static void drop_gil(gil_t *g, bool force_switch)
{
    atomic_store_explicit(&g->last_holder, self(), memory_order_relaxed);
    CHECK_PTHREAD(pthread_mutex_lock(&g->mutex));
    record_hold(g, now_ns());
    atomic_store_explicit(&g->locked, 0, memory_order_relaxed);
    CHECK_PTHREAD(pthread_cond_signal(&g->cond));
    CHECK_PTHREAD(pthread_mutex_unlock(&g->mutex));

    if (force_switch && atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
        CHECK_PTHREAD(pthread_mutex_lock(&g->switch_mutex));
        if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == self()) {
            atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
            /* One wait, as CPython: a spurious wake-up only costs fairness. */
            CHECK_PTHREAD(pthread_cond_wait(&g->switch_cond, &g->switch_mutex));
        }
        CHECK_PTHREAD(pthread_mutex_unlock(&g->switch_mutex));
    }
}

void gil_enter(gil_t *g, int tag)
{
    current_gil = g;
    current_tag = tag;
    gil_drop_flag = &g->drop_request;
    take_gil(g);
}

void gil_leave(void)
{
    if (!current_gil) return;
    drop_gil(current_gil, false);
    current_gil = NULL;
    gil_drop_flag = &never_requested;
}

void gil_release(void)
{
    if (current_gil) drop_gil(current_gil, true);
}

void gil_acquire(void)
{
    if (current_gil) take_gil(current_gil);
}

void gil_yield(void)
{
    if (!current_gil) return;
    drop_gil(current_gil, true);
    take_gil(current_gil);
}

const gil_hold *gil_holds(const gil_t *g, size_t *count)
{
    *count = g->hold_count;
    return g->holds;
}

unsigned long gil_switches(gil_t *g)
{
    CHECK_PTHREAD(pthread_mutex_lock(&g->mutex));
    unsigned long n = g->switch_number;
    CHECK_PTHREAD(pthread_mutex_unlock(&g->mutex));
    return n;
}

int64_t gil_handover_gap_ns(const gil_t *gil, unsigned long *handovers)
{
    size_t count;
    const gil_hold *holds = gil_holds(gil, &count);
    int64_t gaps = 0;
    *handovers = 0;
    for (size_t i = 1; i < count; i++) {
        if (holds[i].tag == holds[i - 1].tag) continue;
        (*handovers)++;
        if (holds[i].start_ns > holds[i - 1].end_ns) gaps += holds[i].start_ns - holds[i - 1].end_ns;
    }
    return gaps;
}
