/* test_pool.c — pool_map in every mode: each task once, in order; a dying worker reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"

enum { TASKS = 37 };

typedef struct {
    atomic_int *runs; /* per task, in shared memory: how many times it ran */
    int crash_task;   /* this task dies (-1: none) */
    int crash_how;    /* 0: abort(), 1: _exit(3) */
} counting_ctx;

static int64_t counting_task(void *p, int task)
{
    counting_ctx *ctx = p;
    atomic_fetch_add(&ctx->runs[task], 1);
    if (task == ctx->crash_task) {
        if (ctx->crash_how == 0) abort();
        _exit(3);
    }
    return (int64_t)task * 7 + 1;
}

static void assert_no_children_left(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void run_and_check(pool_mode mode, int workers, int chunksize)
{
    atomic_int *runs = pool_shared_alloc(TASKS * sizeof *runs);
    counting_ctx ctx = { runs, -1, 0 };
    task_record records[TASKS];
    memset(records, 0xff, sizeof records);
    gil_t *gil = gil_create(0.001);
    pool_config config = { mode, workers, chunksize, gil };
    pool_outcome out;
    assert_int_equal(pool_map(&config, counting_task, &ctx, TASKS, records, &out), 0);
    assert_int_equal(out.failed_task, -1);
    assert_true(out.end_ns >= out.start_ns);
    for (int i = 0; i < TASKS; i++) {
        assert_int_equal(atomic_load(&runs[i]), 1);     /* exactly once */
        assert_int_equal(records[i].task, i);           /* in order */
        assert_int_equal(records[i].result, i * 7 + 1); /* its own result */
        assert_true(records[i].end_ns >= records[i].start_ns);
        assert_true(records[i].start_ns >= out.start_ns && records[i].end_ns <= out.end_ns);
        assert_true(records[i].cpu_ns >= 0);
        if (mode == MODE_SERIAL) assert_int_equal(records[i].worker, 0);
        assert_true(records[i].worker >= 0 && records[i].worker < workers);
        if (mode == MODE_PROCESSES)
            assert_int_not_equal(records[i].pid, getpid());
        else
            assert_int_equal(records[i].pid, getpid());
    }
    assert_no_children_left();
    gil_destroy(gil);
    pool_shared_free(runs, TASKS * sizeof *runs);
}

static void test_every_mode_runs_each_task_once_in_order(void **state)
{
    (void)state;
    const int workers[] = { 1, 2, 3, 8 };
    const int chunks[] = { 1, 3, 16, 100 };
    for (pool_mode mode = 0; mode < POOL_MODES; mode++)
        for (size_t w = 0; w < sizeof workers / sizeof *workers; w++)
            for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
                if (mode != MODE_PROCESSES && c > 0) continue; /* chunksize is for processes */
                run_and_check(mode, workers[w], chunks[c]);
            }
}

static void test_process_workers_are_separate_processes(void **state)
{
    (void)state;
    atomic_int *runs = pool_shared_alloc(TASKS * sizeof *runs);
    counting_ctx ctx = { runs, -1, 0 };
    task_record records[TASKS];
    pool_config config = { MODE_PROCESSES, 3, 1, NULL };
    pool_outcome out;
    assert_int_equal(pool_map(&config, counting_task, &ctx, TASKS, records, &out), 0);
    assert_int_equal(out.workers_started, 3);
    /* A worker keeps one pid for all its tasks, and workers differ. */
    int pid_of[3] = { 0, 0, 0 };
    for (int i = 0; i < TASKS; i++) {
        int w = records[i].worker;
        if (!pid_of[w]) pid_of[w] = records[i].pid;
        assert_int_equal(records[i].pid, pid_of[w]);
    }
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++)
            if (pid_of[a] && pid_of[b]) assert_int_not_equal(pid_of[a], pid_of[b]);
    pool_shared_free(runs, TASKS * sizeof *runs);
}

static void test_empty_map_succeeds(void **state)
{
    (void)state;
    task_record none[1];
    pool_outcome out;
    for (pool_mode mode = 0; mode < POOL_MODES; mode++) {
        gil_t *gil = gil_create(0.001);
        pool_config config = { mode, 2, 1, gil };
        assert_int_equal(pool_map(&config, counting_task, NULL, 0, none, &out), 0);
        gil_destroy(gil);
    }
    assert_no_children_left();
}

static void crash_and_check(int chunksize, int how, const char *expected)
{
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    atomic_int *runs = pool_shared_alloc(TASKS * sizeof *runs);
    counting_ctx ctx = { runs, 5, how };
    task_record records[TASKS];
    pool_config config = { MODE_PROCESSES, 2, chunksize, NULL };
    pool_outcome out;
    assert_int_equal(pool_map(&config, counting_task, &ctx, TASKS, records, &out), -1);
    assert_int_equal(out.failed_task, 5);
    assert_non_null(strstr(out.error, "task 5"));
    assert_non_null(strstr(out.error, expected));
    assert_null(strchr(out.error, '\n'));
    assert_no_children_left();
    pool_shared_free(runs, TASKS * sizeof *runs);
}

static void test_crashing_task_is_reported_and_leaves_no_child(void **state)
{
    (void)state;
    char signal_text[32];
    snprintf(signal_text, sizeof signal_text, "signal %d", SIGABRT);
    crash_and_check(1, 0, signal_text);
    crash_and_check(4, 0, signal_text);
    crash_and_check(1, 1, "exited with status 3");
}

static void test_mode_names(void **state)
{
    (void)state;
    assert_string_equal(pool_mode_name(MODE_GIL_THREADS), "gil-threads");
    assert_string_equal(pool_mode_label(MODE_THREADS), "C threads");
    assert_string_equal(pool_mode_name(MODE_COUNT), "?");
    assert_string_equal(pool_mode_name(MODE_CPYTHON_THREADS), "cpython-threads");
    assert_string_equal(pool_mode_name(MODE_FREE_THREADED_THREADS), "cpython-ft-threads");
    assert_string_equal(pool_mode_label(MODE_FREE_THREADED_PROCESSES), "free-threaded CPython processes");
}

/* Each mode is compared with the serial run of its own language. */
static void test_serial_of_each_mode(void **state)
{
    (void)state;
    const pool_mode c_modes[] = { MODE_SERIAL, MODE_GIL_THREADS, MODE_THREADS, MODE_PROCESSES, MODE_EVENT_LOOP };
    for (int i = 0; i < 5; i++) assert_int_equal(pool_mode_serial_of(c_modes[i]), MODE_SERIAL);
    for (pool_mode m = MODE_CPYTHON_SERIAL; m <= MODE_CPYTHON_PROCESSES; m++)
        assert_int_equal(pool_mode_serial_of(m), MODE_CPYTHON_SERIAL);
    for (pool_mode m = MODE_FREE_THREADED_SERIAL; m <= MODE_FREE_THREADED_PROCESSES; m++)
        assert_int_equal(pool_mode_serial_of(m), MODE_FREE_THREADED_SERIAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_mode_runs_each_task_once_in_order),
        cmocka_unit_test(test_process_workers_are_separate_processes),
        cmocka_unit_test(test_empty_map_succeeds),
        cmocka_unit_test(test_crashing_task_is_reported_and_leaves_no_child),
        cmocka_unit_test(test_mode_names),
        cmocka_unit_test(test_serial_of_each_mode),
    };
    return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
