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
#include "modes.h"

/* The modes pool_map runs are the first four of the catalogue (pool_mode_is_pooled). */
#define POOL_MODES MODE_EVENT_LOOP

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
