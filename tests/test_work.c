/* test_work.c — the workloads compute what they claim; the tracker sees turns; stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "clock.h"
#include "fail.h"
#include "gil.h"
#include "stats.h"
#include "work.h"

static void test_cpu_heavy_really_counts(void **state)
{
    (void)state;
    assert_int_equal(cpu_heavy(0), 0);
    assert_int_equal(cpu_heavy(1), 0);
    assert_int_equal(cpu_heavy(10), 45);
    uint64_t n = 1000003;
    assert_int_equal(cpu_heavy(n), n * (n - 1) / 2);
    assert_int_equal(cpu_heavy_expected(n), n * (n - 1) / 2);
    assert_int_equal(cpu_heavy_expected(10), 45);
    assert_int_equal(cpu_heavy_expected(0), 0);
    assert_int_equal(cpu_heavy_task(&n, 7), (int64_t)(n * (n - 1) / 2));
}

static void test_calibrated_job_lasts_about_the_target(void **state)
{
    (void)state;
    /* Loose bounds: this checks the arithmetic of calibration, not the machine's speed. */
    uint64_t n = calibrate_cpu_heavy(0.05);
    int64_t t0 = thread_cpu_ns();
    cpu_heavy(n);
    double spent = ns_to_s(thread_cpu_ns() - t0);
    assert_true(spent > 0.05 / 5 && spent < 0.05 * 5);
}

static void test_tracker_alone_runs_in_few_long_intervals(void **state)
{
    (void)state;
    run_interval intervals[1024];
    tracker_log log = { intervals, 1024, 0, 0, 0 };
    int64_t t0 = now_ns();
    live_tracker(200000, 10 * 1000 * 1000, &log); /* gaps up to 10 ms still count as running */
    int64_t t1 = now_ns();
    assert_int_equal(log.samples, 200000);
    assert_true(log.count >= 1 && log.count < 50);
    for (size_t i = 0; i < log.count; i++) {
        assert_true(intervals[i].start_ns >= t0 && intervals[i].end_ns <= t1);
        assert_true(intervals[i].end_ns >= intervals[i].start_ns);
        if (i) assert_true(intervals[i].start_ns >= intervals[i - 1].end_ns);
    }
}

static void test_tracker_counts_intervals_that_do_not_fit(void **state)
{
    (void)state;
    run_interval one[1];
    tracker_log log = { one, 1, 0, 0, 0 };
    live_tracker(100000, 0, &log); /* gap 0: nearly every reading starts a new interval */
    assert_int_equal(log.count, 1);
    assert_true(log.dropped > 0);
}

typedef struct {
    gil_t *gil;
    int tag;
    uint64_t samples;
    tracker_log log;
    run_interval intervals[4096];
} tracked_thread;

static void *tracker_thread(void *p)
{
    tracked_thread *t = p;
    gil_enter(t->gil, t->tag);
    live_tracker(t->samples, 200 * 1000, &t->log);
    gil_leave();
    return NULL;
}

static void test_gil_threads_tracked_take_turns(void **state)
{
    (void)state;
    if (getenv("TVP_UNDER_VALGRIND")) skip(); /* valgrind's own thread schedule, see test_gil.c */
    static tracked_thread threads[2];
    gil_t *gil = gil_create(0.002);
    pthread_t id[2];
    uint64_t samples = calibrate_live_tracker(0.03);
    for (int i = 0; i < 2; i++) {
        threads[i].samples = samples;
        threads[i].gil = gil;
        threads[i].tag = i;
        threads[i].log = (tracker_log){ threads[i].intervals, 4096, 0, 0, 0 };
        CHECK_PTHREAD(pthread_create(&id[i], NULL, tracker_thread, &threads[i]));
    }
    for (int i = 0; i < 2; i++) CHECK_PTHREAD(pthread_join(id[i], NULL));
    span spans[8192];
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        assert_true(threads[i].log.count >= 3); /* it was stopped and resumed */
        for (size_t k = 0; k < threads[i].log.count; k++)
            spans[n++] = (span){ ns_to_s(threads[i].intervals[k].start_ns), ns_to_s(threads[i].intervals[k].end_ns) };
    }
    double one, two;
    stats_coverage(spans, n, &one, &two);
    assert_true(one > 0);
    assert_true(two / one < 0.01); /* never running at the same time */
    gil_destroy(gil);
}

static void test_coverage_counts_overlap(void **state)
{
    (void)state;
    double one, two;
    span a[] = { { 0, 2 }, { 1, 3 } };
    stats_coverage(a, 2, &one, &two);
    assert_float_equal(one, 3, 1e-12);
    assert_float_equal(two, 1, 1e-12);
    span touching[] = { { 0, 1 }, { 1, 2 } };
    stats_coverage(touching, 2, &one, &two);
    assert_float_equal(one, 2, 1e-12);
    assert_float_equal(two, 0, 1e-12);
    span nested[] = { { 0, 10 }, { 2, 3 }, { 2.5, 4 } };
    stats_coverage(nested, 3, &one, &two);
    assert_float_equal(one, 10, 1e-12);
    assert_float_equal(two, 2, 1e-12);
    stats_coverage(NULL, 0, &one, &two);
    assert_float_equal(one, 0, 0);
}

static void test_spread(void **state)
{
    (void)state;
    double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
    spread s = stats_spread(odd, 3);
    assert_float_equal(s.median, 3, 0);
    assert_float_equal(s.min, 1, 0);
    assert_float_equal(s.max, 5, 0);
    assert_float_equal(stats_median(even, 4), 2.5, 0);
    assert_float_equal(odd[0], 5, 0); /* input untouched */
    assert_float_equal(stats_median(NULL, 0), 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_heavy_really_counts),
        cmocka_unit_test(test_calibrated_job_lasts_about_the_target),
        cmocka_unit_test(test_tracker_alone_runs_in_few_long_intervals),
        cmocka_unit_test(test_tracker_counts_intervals_that_do_not_fit),
        cmocka_unit_test(test_gil_threads_tracked_take_turns),
        cmocka_unit_test(test_coverage_counts_overlap),
        cmocka_unit_test(test_spread),
    };
    return cmocka_run_group_tests_name("work", tests, NULL, NULL);
}
