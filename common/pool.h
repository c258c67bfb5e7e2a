/* pool.h — pool_map(): the C counterpart of concurrent.futures' Executor.map.
 *
 * One call runs `ntasks` tasks as serial code, C threads, GIL-threads or forked
 * processes, and fills one record per task, in task order. Pool start-up and
 * shut-down are inside the timed region, as in the article's experiments.
 *
 * PROCESSES is a real pool like ProcessPoolExecutor: fork()ed workers receive
 * chunks of task indices and send their records back as messages over pipes.
 * Bulk data a task produces goes through pool_shared_alloc() memory instead. A
 * worker that dies is reported with its task and signal; the map never hangs;
 * every child is reaped before pool_map returns. */
#ifndef TVP_POOL_H
#define TVP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "gil.h"

typedef enum {
    MODE_SERIAL,
    MODE_GIL_THREADS,
    MODE_THREADS,
    MODE_PROCESSES,
    MODE_EVENT_LOOP, /* not a pool: one thread multiplexing I/O (chapter 8); pool_map refuses it */
    /* Not pools either: real CPython running a chapter's original.py (common/cpython),
     * with the GIL, and a free-threaded build (3.13t and later) without it. */
    MODE_CPYTHON_SERIAL,
    MODE_CPYTHON_THREADS,
    MODE_CPYTHON_PROCESSES,
    MODE_FREE_THREADED_SERIAL,
    MODE_FREE_THREADED_THREADS,
    MODE_FREE_THREADED_PROCESSES,
    MODE_COUNT
} pool_mode;

/* The modes pool_map runs: the first four. */
#define POOL_MODES MODE_EVENT_LOOP

/* "serial", "gil-threads", "threads", "processes", "event-loop", "cpython-threads",
 * "cpython-ft-threads", ...: the CSV's mode column. */
const char *pool_mode_name(pool_mode mode);
/* "serial", "GIL-threads", "C threads", "processes", "event loop", "CPython threads",
 * "free-threaded CPython threads", ...: for people. */
const char *pool_mode_label(pool_mode mode);
/* The serial mode a mode is compared with: CPython modes with CPython's serial run,
 * the rest with C's. */
pool_mode pool_mode_serial_of(pool_mode mode);

/* What happened to one task. Times are now_ns() values. */
typedef struct {
    int task;
    int worker;
    int pid, tid;
    int64_t start_ns, end_ns;
    int64_t cpu_ns;    /* CPU time the task's thread used while running it */
    int core;          /* core it started on */
    long vcsw, ivcsw;  /* voluntary / involuntary context switches during the task */
    int64_t result;
} task_record;

/* A task: runs task number `task`, returns its result. */
typedef int64_t (*pool_task)(void *ctx, int task);

typedef struct {
    pool_mode mode;
    int workers;   /* threads or processes; ignored by SERIAL */
    int chunksize; /* PROCESSES: task indices per message (0 means 1, as Executor.map) */
    gil_t *gil;    /* GIL_THREADS: the GIL to run under (required) */
} pool_config;

typedef struct {
    int64_t start_ns, end_ns; /* the whole map, start-up and shut-down included */
    int workers_started;
    int failed_task;          /* -1 when every task ran */
    char error[200];          /* why the map failed, one line */
} pool_outcome;

/* Returns 0 when every task ran, -1 otherwise (outcome->error says why). */
int pool_map(const pool_config *config, pool_task task, void *ctx, int ntasks,
             task_record *records, pool_outcome *outcome);

/* Zeroed memory that tasks in every mode share, forked workers included. */
void *pool_shared_alloc(size_t bytes);
void pool_shared_free(void *memory, size_t bytes);

#endif
