/* test_stats.c — the measurement layer: intervals on the median, the three-way rule,
 * plateaus, paired ratios over rounds, the noise meter's judgement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chapter.h"
#include "clock.h"
#include "noise.h"
#include "stats.h"

static void test_coverage_of_order_statistics(void **state)
{
    (void)state;
    /* 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2): known values. */
    assert_true(fabs(stats_order_coverage(3, 1) - 0.75) < 1e-12);
    assert_true(fabs(stats_order_coverage(5, 1) - 0.9375) < 1e-12);
    assert_true(fabs(stats_order_coverage(6, 1) - 0.96875) < 1e-12);
    assert_true(fabs(stats_order_coverage(9, 2) - (1 - 2 * 10.0 / 512)) < 1e-12);
    assert_true(stats_order_coverage(4, 3) == 0); /* k past the middle: no interval */
}

static void test_interval_on_known_data(void **state)
{
    (void)state;
    double six[] = { 5, 1, 4, 2, 6, 3 }; /* unsorted on purpose */
    estimate e = stats_estimate(six, 6);
    assert_true(e.median == 3.5);
    assert_true(e.lo == 1 && e.hi == 6); /* 6 values: [min, max] covers 96.9 % */
    assert_true(e.coverage > 0.95);
    assert_int_equal(e.n, 6);
    double ten[] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };
    e = stats_estimate(ten, 10);
    assert_true(e.median == 5.5);
    assert_true(e.lo == 2 && e.hi == 9); /* k = 2 covers 97.9 %, k = 3 only 89 % */
    assert_true(six[0] == 5);             /* the input is left alone */
}

static void test_too_few_values_give_no_interval(void **state)
{
    (void)state;
    double two[] = { 1, 3 };
    estimate e = stats_estimate(two, 2);
    assert_true(e.median == 2 && e.lo == 2 && e.hi == 2 && e.coverage == 0);
    assert_true(isinf(stats_relative_width(e)));
    assert_int_equal(stats_below(e, 100), CALL_UNDECIDED); /* even far from the threshold */
    assert_int_equal(stats_estimate(NULL, 0).n, 0);
}

static void test_three_way_rule_at_and_around_the_threshold(void **state)
{
    (void)state;
    estimate e = { .median = 0.9, .lo = 0.85, .hi = 0.94, .coverage = 0.97, .n = 6 };
    assert_int_equal(stats_below(e, 0.95), CALL_TRUE);
    e.hi = 0.95; /* touching the threshold is not below it */
    assert_int_equal(stats_below(e, 0.95), CALL_UNDECIDED);
    e = (estimate){ .median = 1.0, .lo = 0.95, .hi = 1.1, .coverage = 0.97, .n = 6 };
    assert_int_equal(stats_below(e, 0.95), CALL_FALSE); /* at the threshold counts as not below */
    e.lo = 0.9499;
    assert_int_equal(stats_below(e, 0.95), CALL_UNDECIDED);
    /* 3 to 5 values: an interval far from the threshold that holds the median only
     * 75-94 % of the time decides nothing. */
    double three[] = { 0.5, 0.52, 0.55 }, five[] = { 0.5, 0.51, 0.52, 0.53, 0.55 }, six[] = { 0.5, 0.51, 0.52, 0.53, 0.54, 0.55 };
    assert_int_equal(stats_below(stats_estimate(three, 3), 0.95), CALL_UNDECIDED);
    assert_int_equal(stats_below(stats_estimate(five, 5), 0.95), CALL_UNDECIDED);
    assert_false(stats_decides(stats_estimate(five, 5)));
    assert_int_equal(stats_below(stats_estimate(six, 6), 0.95), CALL_TRUE);
    assert_true(stats_decides(stats_estimate(six, 6)));
    assert_string_equal(stats_call_word(CALL_UNDECIDED), "NOT DISTINGUISHABLE HERE");
    assert_string_equal(stats_call_word(CALL_TRUE), "TRUE");
}

static void test_plateau_keeps_every_overlapping_point(void **state)
{
    (void)state;
    estimate points[] = {
        { 3.0, 2.9, 3.1, 0.97, 6 }, { 1.6, 1.5, 1.7, 0.97, 6 }, { 1.1, 1.0, 1.3, 0.97, 6 },
        { 1.0, 0.9, 1.05, 0.97, 6 }, { 1.2, 1.06, 1.4, 0.97, 6 },
    };
    int on[5];
    int best = stats_plateau(points, 5, on);
    assert_int_equal(best, 3);
    assert_int_equal(on[0], 0);
    assert_int_equal(on[1], 0);
    assert_int_equal(on[2], 1); /* 1.0-1.3 overlaps 0.9-1.05 */
    assert_int_equal(on[3], 1);
    assert_int_equal(on[4], 0); /* 1.06-1.4 does not */
}

static void test_paired_ratio_of_arrays_leaves_out_unrun_pairs(void **state)
{
    (void)state;
    const double num[] = { 2, 3, 0, 4, 5, 6, 7 }, den[] = { 1, 1, 1, 2, 0, 3, 7 };
    estimate e = stats_paired_ratio(num, den, 7); /* 2, 3, 2, 2, 1: pairs 2 and 4 left out */
    assert_int_equal(e.n, 5);
    assert_true(e.median == 2 && e.lo == 1 && e.hi == 3);
    assert_int_equal(stats_paired_ratio(num, den, 0).n, 0);
}

static void test_inverse_swaps_the_bounds(void **state)
{
    (void)state;
    estimate e = stats_inverse((estimate){ 0.5, 0.25, 1.0, 0.97, 6 });
    assert_true(e.median == 2 && e.lo == 1 && e.hi == 4 && e.n == 6);
}

/* A chapter with hand-made runs: chapter_ratio pairs them round by round. */
static void add(chapter *c, pool_mode mode, int rep, double seconds)
{
    task_record *records = calloc(1, sizeof *records);
    chapter_add_run(c, pool_mode_name(mode), mode == MODE_SERIAL ? 1 : 2, rep, 1, records, 0, (int64_t)(seconds * 1e9));
}

/* A chapter of its own in a new folder (another copy of the suite may run beside this one). */
static char out_dir[64];

static void begin(chapter *c)
{
    snprintf(out_dir, sizeof out_dir, "/tmp/tvp-test-stats-XXXXXX");
    assert_non_null(mkdtemp(out_dir));
    char *argv[] = { "chapterT", "--quiet", "--out", out_dir };
    chapter_begin(c, (chapter_identity){ 99, "a test", "chapters/99-test", "", out_dir, "" }, (chapter_flags){ 0 }, 4, argv);
}

static void end(chapter *c)
{
    for (int r = 0; r < c->run_count; r++) {
        free(c->runs[r]->records);
        free(c->runs[r]);
    }
    free(c->runs);
    series_free(&c->series);
    report_free(c->report);
    rmdir(out_dir);
}

static void add_series(chapter *c, const char *series, int rep, double seconds)
{
    task_record *records = calloc(1, sizeof *records);
    chapter_add_run(c, series, 2, rep, 1, records, 0, (int64_t)(seconds * 1e9));
}

/* A task that takes 20 ms and returns its context's number. */
static int64_t sleep_a_little(void *ctx, int task)
{
    (void)task;
    sleep_ns(20 * 1000 * 1000);
    return *(const int64_t *)ctx;
}

/* Modes interleaved in turns: each one run of the round, its turns' records together,
 * its time the sum of its turns, the order mirrored every other turn, and the GIL's
 * hand-overs counted within turns only. */
static void test_interleaved_turns(void **state)
{
    (void)state;
    chapter c;
    begin(&c);
    enum { TASKS = 2, TURNS = 4 };
    const pool_mode modes[] = { MODE_SERIAL, MODE_GIL_THREADS, MODE_THREADS };
    const chapter_run *runs[3];
    int64_t turn_marker = 7;
    chapter_run_interleaved(&c, modes, 3, 2, 0, sleep_a_little, &turn_marker, TASKS, TURNS, 0.005, runs);
    assert_int_equal(c.run_count, 3);
    for (int m = 0; m < 3; m++) {
        const chapter_run *r = runs[m];
        assert_int_equal(r->mode, modes[m]);
        assert_int_equal(r->rep, 0);
        assert_int_equal(r->ntasks, TASKS * TURNS);
        double sum = 0;
        for (int turn = 0; turn < TURNS; turn++) {
            int64_t start = INT64_MAX, end = 0;
            for (int t = 0; t < TASKS; t++) {
                const task_record *rec = &r->records[turn * TASKS + t];
                assert_int_equal(rec->result, 7);
                if (rec->start_ns < start) start = rec->start_ns;
                if (rec->end_ns > end) end = rec->end_ns;
            }
            sum += (double)(end - start) / 1e9;
        }
        /* the sum of the turns, which hold the tasks (and a pool's start-up besides) */
        assert_true(r->time_s >= sum && r->time_s < r->outcome.end_ns - r->outcome.start_ns);
    }
    /* turn 0: serial before C threads; turn 1: C threads before serial */
    assert_true(runs[0]->records[0].start_ns < runs[2]->records[0].start_ns);
    assert_true(runs[2]->records[TASKS].start_ns < runs[0]->records[TASKS].start_ns);
    /* The GIL lay free between GIL-threads' turns while the other modes ran (60 ms a
     * turn): none of that is a hand-over gap. Within a turn, one hand-over each. */
    assert_true(runs[1]->gil_gaps_s < 0.1);
    assert_true(runs[1]->gil_handovers >= 1 && runs[1]->gil_handovers <= (unsigned long)(TASKS * TURNS));
    assert_int_equal(runs[0]->gil_handovers, 0);
    end(&c);
}

/* The rounds' parallel capacities, as chapter_next_round's probes would leave them. */
#define SET_CAPACITIES(c, values)                                                                    \
    do {                                                                                             \
        memcpy((c)->capacity, (values), sizeof(values));                                             \
        (c)->capacity_count = (int)(sizeof(values) / sizeof *(values));                              \
    } while (0)

/* An undecided verdict names rounds that began with the CPUs doing well under their
 * count's worth; a decided one names nothing, nor does a run whose capacity was low
 * throughout (chapter_finish names that). */
static void test_low_capacity_rounds_named(void **state)
{
    (void)state;
    chapter c;
    begin(&c);
    c.machine.cores = 2;
    const double one_low[] = { 1.9, 1.2, 1.95, 1.9 }, all_low[] = { 1.2, 1.1, 1.3, 1.9 }, none[] = { 1.9, 1.8, 1.7, 2.0 };
    SET_CAPACITIES(&c, one_low);
    assert_non_null(strstr(chapter_undecided_cause(&c, CALL_UNDECIDED),
                           " At the start of 1 of 4 rounds the 2 CPUs did under 1.6 cores' worth"));
    assert_string_equal(chapter_undecided_cause(&c, CALL_TRUE), "");
    assert_string_equal(chapter_undecided_cause(&c, CALL_FALSE), "");
    SET_CAPACITIES(&c, all_low);
    assert_string_equal(chapter_undecided_cause(&c, CALL_UNDECIDED), "");
    SET_CAPACITIES(&c, none);
    assert_string_equal(chapter_undecided_cause(&c, CALL_UNDECIDED), "");
    c.capacity_count = 0;
    assert_string_equal(chapter_undecided_cause(&c, CALL_UNDECIDED), "");
    end(&c);
}

static int64_t a_kernel(void *ctx, int task)
{
    return *(const int *)ctx + task;
}

/* The C loop by default; a chapter's own kernel when it names one before the first
 * round, and the text then names that workload. */
static void test_capacity_workload_is_named(void **state)
{
    (void)state;
    chapter c;
    begin(&c);
    c.machine.cores = 2;
    assert_string_equal(c.capacity_what, "the C loop");
    int base = 7;
    chapter_capacity_workload(&c, "a kernel", a_kernel, &base);
    assert_ptr_equal(c.capacity_task, a_kernel);
    assert_ptr_equal(c.capacity_ctx, &base);
    const double one_low[] = { 1.9, 1.2, 1.95, 1.9 };
    SET_CAPACITIES(&c, one_low);
    assert_non_null(strstr(chapter_undecided_cause(&c, CALL_UNDECIDED), "cores' worth of a kernel together"));
    end(&c);
}

/* A "not faster" answer on CPUs that did well under their count's worth is the
 * machine's, not the threads': undecided. A speed-up measured even so stands, and
 * nothing changes when the capacity was fine or not measured, or on one CPU. */
static void test_parallel_call_on_low_capacity(void **state)
{
    (void)state;
    chapter c;
    begin(&c);
    c.machine.cores = 2;
    const double low[] = { 1.1, 1.2, 1.05, 1.3 }, fine[] = { 1.9, 1.2, 1.95, 1.9 };
    SET_CAPACITIES(&c, low);
    assert_int_equal(chapter_parallel_call(&c, CALL_FALSE, CALL_FALSE), CALL_UNDECIDED);
    assert_int_equal(chapter_parallel_call(&c, CALL_TRUE, CALL_TRUE), CALL_UNDECIDED);
    assert_int_equal(chapter_parallel_call(&c, CALL_TRUE, CALL_FALSE), CALL_TRUE);
    assert_int_equal(chapter_parallel_call(&c, CALL_UNDECIDED, CALL_FALSE), CALL_UNDECIDED);
    SET_CAPACITIES(&c, fine);
    assert_int_equal(chapter_parallel_call(&c, CALL_FALSE, CALL_FALSE), CALL_FALSE);
    SET_CAPACITIES(&c, low);
    c.machine.cores = 1;
    assert_int_equal(chapter_parallel_call(&c, CALL_FALSE, CALL_FALSE), CALL_FALSE);
    c.machine.cores = 2;
    c.capacity_count = 0;
    assert_int_equal(chapter_parallel_call(&c, CALL_FALSE, CALL_FALSE), CALL_FALSE);
    end(&c);
}

/* Two variants of one mode, each compared with its own reference in the same round:
 * a reference against itself is exactly 1, and no series borrows another's. */
static void test_series_pair_with_their_own_reference(void **state)
{
    (void)state;
    chapter c;
    begin(&c);
    chapter_series(&c, "serial/64B", "serial", 64, NULL, MODE_SERIAL, NULL, 0, 0);
    chapter_series(&c, "serial/1MiB", "serial", 1 << 20, NULL, MODE_SERIAL, NULL, 0, 0);
    chapter_series(&c, "releasing/64B", "releasing", 64, "releasing", MODE_GIL_THREADS, "serial/64B", 0, 0);
    chapter_series(&c, "releasing/1MiB", "releasing", 1 << 20, "releasing", MODE_GIL_THREADS, "serial/1MiB", 0, 0);
    for (int rep = 0; rep < 6; rep++) { /* the small size takes 1 s, the large 10 s: different work */
        add_series(&c, "serial/64B", rep, 1.0 + rep * 0.01);
        add_series(&c, "serial/1MiB", rep, 10.0 + rep * 0.1);
        add_series(&c, "releasing/64B", rep, 1.2 * (1.0 + rep * 0.01));
        add_series(&c, "releasing/1MiB", rep, 5.0 + rep * 0.05);
    }
    estimate self = chapter_vs_reference(&c, "serial/1MiB", 0);
    assert_true(self.median == 1.0 && self.lo == 1.0 && self.hi == 1.0);
    estimate small = chapter_vs_reference(&c, "releasing/64B", 0), large = chapter_vs_reference(&c, "releasing/1MiB", 0);
    assert_true(fabs(small.median - 1.2) < 1e-9 && fabs(large.median - 0.5) < 1e-9);
    mode_summary s = chapter_series_summary(&c, "releasing/64B", 0);
    assert_int_equal(s.reps, 6); /* its own runs only, not the other size's */
    assert_true(s.wall.hi < 2.0);
    assert_false(chapter_series_ran(&c, "holding/64B"));
    end(&c);
}

static void test_paired_ratio_cancels_a_slow_round(void **state)
{
    (void)state;
    chapter c;
    begin(&c);
    /* Round 2 is three times slower for everyone: the paired ratio does not move. */
    const double serial[] = { 1.0, 1.1, 3.0, 0.9, 1.0, 1.05 };
    for (int rep = 0; rep < 6; rep++) {
        add(&c, MODE_SERIAL, rep, serial[rep]);
        add(&c, MODE_GIL_THREADS, rep, serial[rep] * (rep % 2 ? 1.02 : 1.01));
    }
    estimate e = chapter_ratio(&c, MODE_GIL_THREADS, 0, MODE_SERIAL, 0);
    assert_int_equal(e.n, 6);
    assert_true(e.lo >= 1.0099 && e.hi <= 1.0201);
    mode_summary s = chapter_summary(&c, MODE_GIL_THREADS);
    assert_true(s.vs_reference.lo >= 1.0099 && s.vs_reference.hi <= 1.0201);
    assert_true(s.wall.hi >= 3.0); /* unpaired, the slow round shows */
    /* A mode with no run in a round is left out of that round. */
    estimate none = chapter_ratio(&c, MODE_THREADS, 0, MODE_SERIAL, 0);
    assert_int_equal(none.n, 0);
    end(&c);
}

static void test_noise_judgement(void **state)
{
    (void)state;
    noise_report quiet = { .steal_share = 0.001, .others_running = 0, .serial_spread = 0.03, .cpu_drift = 0.02,
                           .readable = true };
    assert_false(noise_is_high(&quiet, 2));
    noise_report r = quiet;
    r.steal_share = 0.05;
    assert_true(noise_is_high(&r, 2));
    r = quiet;
    r.serial_spread = 0.2;
    assert_true(noise_is_high(&r, 2));
    r = quiet;
    r.cpu_drift = 0.15;
    assert_true(noise_is_high(&r, 2));
    r = quiet;
    r.others_running = 2;
    assert_true(noise_is_high(&r, 2));
    noise_snapshot a = { .steal = 10, .total = 1000, .load_1min = 0.5, .running = 3, .readable = true };
    noise_snapshot b = { .steal = 60, .total = 2000, .readable = true };
    noise_report between = noise_between(a, b);
    assert_true(fabs(between.steal_share - 0.05) < 1e-12);
    assert_int_equal(between.others_running, 2);
    char line[300];
    noise_describe(&between, 2, line, sizeof line);
    assert_non_null(strstr(line, "steal 5.0 %"));
    assert_non_null(strstr(line, "level: HIGH"));
    /* This machine's own /proc can be read. */
    assert_true(noise_snapshot_now().readable);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_of_order_statistics),
        cmocka_unit_test(test_interval_on_known_data),
        cmocka_unit_test(test_too_few_values_give_no_interval),
        cmocka_unit_test(test_three_way_rule_at_and_around_the_threshold),
        cmocka_unit_test(test_plateau_keeps_every_overlapping_point),
        cmocka_unit_test(test_paired_ratio_of_arrays_leaves_out_unrun_pairs),
        cmocka_unit_test(test_inverse_swaps_the_bounds),
        cmocka_unit_test(test_paired_ratio_cancels_a_slow_round),
        cmocka_unit_test(test_series_pair_with_their_own_reference),
        cmocka_unit_test(test_interleaved_turns),
        cmocka_unit_test(test_low_capacity_rounds_named),
        cmocka_unit_test(test_parallel_call_on_low_capacity),
        cmocka_unit_test(test_capacity_workload_is_named),
        cmocka_unit_test(test_noise_judgement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
