/* pool.c — pool_map() in four modes: serial, C threads, GIL-threads, processes. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "fail.h"
#include "pool.h"

void *pool_shared_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail_at(__FILE__, __LINE__, "mmap", errno);
    return p;
}

void pool_shared_free(void *memory, size_t bytes)
{
    if (memory) munmap(memory, bytes ? bytes : 1);
}

/* ---- one task, measured ---------------------------------------------------- */

static void run_one(pool_task task, void *ctx, int index, int worker, task_record *r)
{
    struct rusage before, after;
    getrusage(RUSAGE_THREAD, &before);
    r->task = index;
    r->worker = worker;
    r->pid = getpid();
    r->tid = gettid();
    r->core = current_core();
    int64_t cpu0 = thread_cpu_ns();
    r->start_ns = now_ns();
    r->result = task(ctx, index);
    r->end_ns = now_ns();
    r->cpu_ns = thread_cpu_ns() - cpu0;
    getrusage(RUSAGE_THREAD, &after);
    r->vcsw = after.ru_nvcsw - before.ru_nvcsw;
    r->ivcsw = after.ru_nivcsw - before.ru_nivcsw;
}

/* ---- serial and threads ---------------------------------------------------- */

typedef struct {
    const pool_config *config;
    pool_task task;
    void *ctx;
    int ntasks;
    task_record *records;
    atomic_int next_task;
} thread_pool;

typedef struct {
    thread_pool *pool;
    int index;
} thread_worker;

static void *thread_worker_main(void *arg)
{
    thread_worker *self = arg;
    thread_pool *pool = self->pool;
    if (pool->config->mode == MODE_GIL_THREADS) gil_enter(pool->config->gil, self->index);
    for (;;) {
        int i = atomic_fetch_add(&pool->next_task, 1);
        if (i >= pool->ntasks) break;
        run_one(pool->task, pool->ctx, i, self->index, &pool->records[i]);
    }
    gil_leave();
    return NULL;
}

static int map_threads(thread_pool *pool, int workers)
{
    pthread_t *threads = xcalloc((size_t)workers, sizeof *threads);
    thread_worker *args = xcalloc((size_t)workers, sizeof *args);
    for (int w = 0; w < workers; w++) {
        args[w] = (thread_worker){ pool, w };
        CHECK_PTHREAD(pthread_create(&threads[w], NULL, thread_worker_main, &args[w]));
    }
    for (int w = 0; w < workers; w++) CHECK_PTHREAD(pthread_join(threads[w], NULL));
    free(threads);
    free(args);
    return 0;
}

/* ---- processes ------------------------------------------------------------- */

typedef struct {
    int first, count; /* a chunk of task indices; the worker stops at end of file */
} chunk_message;

typedef struct {
    child_process child;
    int task_fd;    /* parent writes chunk_messages */
    int result_fd;  /* parent reads task_records */
    int busy_first, busy_count; /* the chunk it is working on (count 0: idle) */
} process_worker;

static ssize_t read_full(int fd, void *buffer, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, (char *)buffer + got, size - got);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static int write_full(int fd, const void *buffer, size_t size)
{
    size_t put = 0;
    while (put < size) {
        ssize_t n = write(fd, (const char *)buffer + put, size - put);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        put += (size_t)n;
    }
    return 0;
}

/* The worker process: run chunks until the parent closes the task pipe. */
static noreturn void process_worker_main(int worker, int task_fd, int result_fd, int chunksize,
                                         pool_task task, void *ctx, atomic_int *current_task)
{
    task_record *batch = xcalloc((size_t)chunksize, sizeof *batch);
    chunk_message m;
    while (read_full(task_fd, &m, sizeof m) == (ssize_t)sizeof m) {
        for (int k = 0; k < m.count; k++) {
            /* So the parent can name the task if this process dies in it. */
            atomic_store(&current_task[worker], m.first + k);
            run_one(task, ctx, m.first + k, worker, &batch[k]);
        }
        if (write_full(result_fd, batch, (size_t)m.count * sizeof *batch) != 0) _exit(1);
    }
    _exit(0);
}

typedef struct {
    const pool_config *config;
    pool_task task;
    void *ctx;
    int ntasks, chunksize, next_first;
    task_record *records;
    process_worker *workers;
    int nworkers;
    atomic_int *current_task; /* shared: the task each worker is running */
} process_pool;

typedef struct {
    process_pool *pool;
    int index, task_fd, result_fd; /* the worker's ends */
    int parent_task_fd, parent_result_fd; /* the parent's ends, which the worker must not hold */
} worker_start;

static void process_worker_body(void *arg)
{
    worker_start *start = arg;
    process_pool *pool = start->pool;
    /* Drop the parent's ends of every pipe, or end-of-file would never come. */
    for (int other = 0; other < start->index; other++) {
        close(pool->workers[other].task_fd);
        close(pool->workers[other].result_fd);
    }
    close(start->parent_task_fd);
    close(start->parent_result_fd);
    process_worker_main(start->index, start->task_fd, start->result_fd, pool->chunksize, pool->task, pool->ctx,
                        pool->current_task);
}

static int start_process_worker(process_pool *pool, int w)
{
    int to_worker[2], from_worker[2];
    if (pipe(to_worker) == -1) return -1;
    if (pipe(from_worker) == -1) {
        close(to_worker[0]);
        close(to_worker[1]);
        return -1;
    }
    /* A worker must not outlive the map: if the parent dies (Ctrl-C, kill), so does it. */
    child_options options = CHILD_OPTIONS_DEFAULT;
    worker_start start = { pool, w, to_worker[0], from_worker[1], to_worker[1], from_worker[0] };
    child_process child;
    if (child_start(&child, &options, process_worker_body, &start) != 0) {
        int saved = errno;
        close(to_worker[0]), close(to_worker[1]), close(from_worker[0]), close(from_worker[1]);
        errno = saved;
        return -1;
    }
    close(to_worker[0]);
    close(from_worker[1]);
    pool->workers[w] = (process_worker){ child, to_worker[1], from_worker[0], 0, 0 };
    return 0;
}

/* Give an idle worker the next chunk, if any is left. */
static int dispatch(process_pool *pool, process_worker *worker)
{
    if (pool->next_first >= pool->ntasks) return 0;
    int count = pool->ntasks - pool->next_first;
    if (count > pool->chunksize) count = pool->chunksize;
    chunk_message m = { pool->next_first, count };
    if (write_full(worker->task_fd, &m, sizeof m) != 0) return -1;
    worker->busy_first = m.first;
    worker->busy_count = m.count;
    pool->next_first += count;
    return 0;
}

/* Collect the records of a finished chunk. -1: the worker is gone. */
static int collect(process_pool *pool, process_worker *worker)
{
    size_t size = (size_t)worker->busy_count * sizeof(task_record);
    task_record *batch = xcalloc((size_t)worker->busy_count, sizeof *batch);
    int ok = read_full(worker->result_fd, batch, size) == (ssize_t)size;
    for (int k = 0; ok && k < worker->busy_count; k++) {
        int t = batch[k].task;
        if (t < 0 || t >= pool->ntasks) ok = 0;
        else pool->records[t] = batch[k];
    }
    free(batch);
    if (!ok) return -1;
    worker->busy_count = 0;
    return 0;
}

static void describe_death(process_pool *pool, int w, pid_t pid, int status, pool_outcome *out)
{
    int t = atomic_load(&pool->current_task[w]);
    out->failed_task = t;
    if (WIFSIGNALED(status))
        snprintf(out->error, sizeof out->error, "task %d failed: worker %d (pid %d) was killed by signal %d (%s)",
                 t, w, (int)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out->error, sizeof out->error, "task %d failed: worker %d (pid %d) exited with status %d",
                 t, w, (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Wait for results and hand out chunks until every task is done or a worker dies. */
static int run_chunks(process_pool *pool)
{
    struct pollfd *fds = xcalloc((size_t)pool->nworkers, sizeof *fds);
    int done = 0, failed = -1;
    for (int w = 0; w < pool->nworkers && failed < 0; w++)
        if (dispatch(pool, &pool->workers[w]) != 0) failed = w;
    while (failed < 0 && done < pool->ntasks) {
        for (int w = 0; w < pool->nworkers; w++) {
            fds[w].fd = pool->workers[w].busy_count ? pool->workers[w].result_fd : -1;
            fds[w].events = POLLIN;
        }
        if (poll(fds, (nfds_t)pool->nworkers, -1) == -1) {
            if (errno == EINTR) continue;
            fail_at(__FILE__, __LINE__, "poll", errno);
        }
        for (int w = 0; w < pool->nworkers && failed < 0; w++) {
            if (!fds[w].revents) continue;
            int finished = pool->workers[w].busy_count;
            if (collect(pool, &pool->workers[w]) != 0 || dispatch(pool, &pool->workers[w]) != 0)
                failed = w;
            else
                done += finished;
        }
    }
    free(fds);
    return failed;
}

/* Close every pipe (workers see end of file and exit) and reap every child. After
 * a failure the others are killed first, as a broken ProcessPoolExecutor does. */
static void shut_down(process_pool *pool, int failed, pool_outcome *out)
{
    for (int w = 0; w < pool->nworkers; w++) {
        if (failed >= 0 && w != failed) kill(pool->workers[w].child.pid, SIGKILL);
        close(pool->workers[w].task_fd);
        close(pool->workers[w].result_fd);
    }
    for (int w = 0; w < pool->nworkers; w++) {
        pid_t pid = pool->workers[w].child.pid;
        int status = child_wait(&pool->workers[w].child);
        if (w == failed) describe_death(pool, w, pid, status, out);
    }
}

static int map_processes(process_pool *pool, pool_outcome *out)
{
    /* A write to a dead worker's pipe must be an error we report, not our death. */
    struct sigaction ignore = { .sa_handler = SIG_IGN }, previous;
    sigaction(SIGPIPE, &ignore, &previous);
    int nchunks = (pool->ntasks + pool->chunksize - 1) / pool->chunksize;
    int wanted = pool->config->workers < nchunks ? pool->config->workers : nchunks;
    pool->workers = xcalloc((size_t)(wanted ? wanted : 1), sizeof *pool->workers);
    pool->current_task = pool_shared_alloc((size_t)(wanted ? wanted : 1) * sizeof(atomic_int));
    int failed = -1, rc = 0;
    for (int w = 0; w < wanted; w++) {
        if (start_process_worker(pool, w) != 0) {
            snprintf(out->error, sizeof out->error, "could not start worker process %d: %s", w, strerror(errno));
            rc = -1;
            break;
        }
        pool->nworkers++;
    }
    if (rc == 0) failed = run_chunks(pool);
    shut_down(pool, rc == 0 ? failed : -2, out);
    if (failed >= 0) rc = -1;
    out->workers_started = pool->nworkers;
    pool_shared_free(pool->current_task, (size_t)(wanted ? wanted : 1) * sizeof(atomic_int));
    free(pool->workers);
    sigaction(SIGPIPE, &previous, NULL);
    return rc;
}

/* ---- the map --------------------------------------------------------------- */

int pool_map(const pool_config *config, pool_task task, void *ctx, int ntasks, task_record *records,
             pool_outcome *out)
{
    if (!pool_mode_is_pooled(config->mode)) fail_at(__FILE__, __LINE__, "pool_map: not a pool mode", EINVAL);
    *out = (pool_outcome){ .failed_task = -1 };
    out->start_ns = now_ns();
    int rc = 0;
    int workers = config->workers > 0 ? config->workers : 1;
    switch (config->mode) {
    case MODE_SERIAL:
        for (int i = 0; i < ntasks; i++) run_one(task, ctx, i, 0, &records[i]);
        out->workers_started = 0;
        break;
    case MODE_GIL_THREADS:
    case MODE_THREADS: {
        if (config->mode == MODE_GIL_THREADS && !config->gil)
            fail_at(__FILE__, __LINE__, "pool_map(GIL_THREADS) without a GIL", EINVAL);
        /* As ThreadPoolExecutor: never more threads than tasks. */
        if (workers > ntasks) workers = ntasks > 0 ? ntasks : 1;
        thread_pool pool = { config, task, ctx, ntasks, records, 0 };
        rc = map_threads(&pool, workers);
        out->workers_started = workers;
        break;
    }
    case MODE_PROCESSES: {
        process_pool pool = { .config = config, .task = task, .ctx = ctx, .ntasks = ntasks,
                              .chunksize = config->chunksize > 0 ? config->chunksize : 1, .records = records };
        rc = map_processes(&pool, out);
        break;
    }
    default:
        fail_at(__FILE__, __LINE__, "pool_map: not a pool mode", EINVAL);
    }
    out->end_ns = now_ns();
    return rc;
}
