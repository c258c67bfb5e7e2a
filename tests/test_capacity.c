/* test_capacity.c — the parallel capacity's arithmetic, a probe, and the topology. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <string.h>

#include "capacity.h"
#include "clock.h"
#include "work.h"

static void test_worth_adds_each_workers_share_of_a_core(void **state)
{
    (void)state;
    double two_cores[] = { 1.0, 1.0 }, one_core[] = { 2.0, 2.0 }, smt[] = { 1.6, 1.7 }, uneven[] = { 1.0, 2.0 };
    assert_true(fabs(capacity_worth(1.0, two_cores, 2) - 2.0) < 1e-12); /* each as fast as alone */
    assert_true(fabs(capacity_worth(1.0, one_core, 2) - 1.0) < 1e-12);  /* each half as fast: one core's worth */
    assert_true(fabs(capacity_worth(1.0, smt, 2) - (1 / 1.6 + 1 / 1.7)) < 1e-12);
    assert_true(fabs(capacity_worth(1.0, uneven, 2) - 1.5) < 1e-12);
    double broken[] = { 0.0, 1.0 }; /* a worker with no time is left out, not a division by zero */
    assert_true(fabs(capacity_worth(1.0, broken, 2) - 1.0) < 1e-12);
}

static void test_a_probe_runs_and_measures_something(void **state)
{
    (void)state;
    /* One worker against itself: a positive, finite worth (its size is the machine's
     * business: beside other tests' load a lone run and the "together" run differ by
     * any factor; CI saw 0.3x). What it equals for given times is tested above. */
    uint64_t iterations = calibrate_cpu_heavy(0.01), few = 1000;
    pool_outcome outcome;
    double worth = capacity_probe(1, cpu_heavy_task, &iterations, &outcome);
    assert_true(worth > 0 && isfinite(worth));
    assert_int_equal(outcome.failed_task, -1);
    assert_true(capacity_probe(0, cpu_heavy_task, &few, &outcome) < 0);
}

/* A task that kills its own worker process, as someone's kill -9 would. */
static int64_t killed_task(void *ctx, int task)
{
    (void)ctx, (void)task;
    raise(SIGKILL);
    return 0;
}

static void test_a_probe_whose_worker_is_killed_says_so(void **state)
{
    (void)state;
    pool_outcome outcome;
    assert_true(capacity_probe(2, killed_task, NULL, &outcome) < 0);
    assert_int_equal(outcome.failed_task, 0);
    assert_non_null(strstr(outcome.error, "was killed by signal 9"));
}

static void test_the_topology_counts_cores_not_hardware_threads(void **state)
{
    (void)state;
    int physical = capacity_physical_cores();
    assert_true(physical >= 0 && physical <= online_cores()); /* 0: the kernel does not say */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worth_adds_each_workers_share_of_a_core),
        cmocka_unit_test(test_a_probe_runs_and_measures_something),
        cmocka_unit_test(test_a_probe_whose_worker_is_killed_says_so),
        cmocka_unit_test(test_the_topology_counts_cores_not_hardware_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
