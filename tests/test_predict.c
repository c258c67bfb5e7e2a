/* test_predict.c — --predict: the keys a chapter names, guesses parsed against them,
 * every malformed guess refused with a reason, and the line that compares a guess
 * with the measurement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "predict.h"

static predict_keys chapter_keys(void)
{
    predict_keys keys;
    assert_int_equal(predict_keys_from(&keys, "gil/serial threads/serial  cpython/serial"), 0);
    return keys;
}

static void test_keys_are_read_from_the_list(void **state)
{
    (void)state;
    predict_keys keys = chapter_keys();
    assert_int_equal(keys.count, 3);
    assert_string_equal(keys.keys[1], "threads/serial");
    assert_int_equal(predict_key_index(&keys, "cpython/serial"), 2);
    assert_int_equal(predict_key_index(&keys, "gil"), -1);
    assert_int_equal(predict_keys_from(&keys, ""), 0);
    assert_int_equal(keys.count, 0);
    assert_int_equal(predict_keys_from(&keys, "a b a"), -1);            /* a repeat */
    assert_int_equal(predict_keys_from(&keys, "Capital"), -1);          /* a character outside a-z0-9/-_ */
    assert_int_equal(predict_keys_from(&keys, "a b c d e f g h i"), -1); /* more than PREDICT_MAX_KEYS */
}

static void test_guesses_are_parsed(void **state)
{
    (void)state;
    predict_keys keys = chapter_keys();
    predict_guesses g = { 0 };
    char error[300];
    assert_int_equal(predict_parse(&g, &keys, "gil/serial=1.0,threads/serial=0.5", error, sizeof error), 0);
    assert_int_equal(g.count, 2);
    assert_string_equal(g.keys[0], "gil/serial");
    assert_true(fabs(g.values[1] - 0.5) < 1e-12);
    /* A second --predict adds its keys; a key guessed again is refused, not replaced. */
    assert_int_equal(predict_parse(&g, &keys, "cpython/serial=2e0", error, sizeof error), 0);
    assert_int_equal(g.count, 3);
    assert_true(fabs(g.values[2] - 2.0) < 1e-12);
    assert_int_equal(predict_parse(&g, &keys, "gil/serial=3", error, sizeof error), -1);
    assert_non_null(strstr(error, "gil/serial is given twice"));
}

static void refused(const char *spec, const char *reason)
{
    predict_keys keys = chapter_keys();
    predict_guesses g = { 0 };
    char error[300] = "";
    assert_int_equal(predict_parse(&g, &keys, spec, error, sizeof error), -1);
    if (!strstr(error, reason)) fail_msg("'%s': expected '%s' in '%s'", spec, reason, error);
    assert_null(strchr(error, '\n'));
}

static void test_bad_guesses_are_refused_with_a_reason(void **state)
{
    (void)state;
    refused("", "expected KEY=VALUE");
    refused("gil/serial", "expected KEY=VALUE");
    refused("gil/serial=1,", "expected KEY=VALUE");
    refused("nope=1", "unknown quantity 'nope'; this chapter answers gil/serial, threads/serial, cpython/serial");
    refused("gil/serial=", "expected a number");
    refused("gil/serial=one", "expected a number");
    refused("gil/serial=nan", "expected a number");
    refused("gil/serial=inf", "expected a number");
    refused("gil/serial=1e999", "expected a number");
    refused("gil/serial=1e300", "expected a number from 0 to 100000");
    refused("gil/serial=-1", "expected a number from 0 to 100000");
    refused("gil/serial=1,gil/serial=2", "given twice");
    refused("an-extremely-long-key-that-overflows-the-buffer-of-a-key=1", "unknown quantity");

    predict_keys none;
    predict_guesses g = { 0 };
    char error[300];
    assert_int_equal(predict_keys_from(&none, ""), 0);
    assert_int_equal(predict_parse(&g, &none, "gil/serial=1", error, sizeof error), -1);
    assert_non_null(strstr(error, "no quantities to predict"));
}

static estimate measured(double median, double lo, double hi, size_t n)
{
    /* [min, max]: the interval of 6 to 8 values given here, as stats_estimate makes it */
    estimate e = { .median = median, .lo = lo, .hi = hi, .n = n,
                   .coverage = n >= STATS_MIN_VALUES ? stats_order_coverage((int)n, 1) : 0 };
    return e;
}

static void test_a_guess_is_set_beside_the_measurement(void **state)
{
    (void)state;
    char line[300];
    predict_verdict("gil/serial", 1.0, measured(1.02, 0.98, 1.10, 6), true, line, sizeof line);
    assert_non_null(strstr(line, "you said 1.00, measured 1.02 (0.980-1.10): inside the interval"));
    predict_verdict("threads/serial", 1.0, measured(0.5, 0.45, 0.55, 6), true, line, sizeof line);
    assert_non_null(strstr(line, "100 % above the median, outside the interval"));
    predict_verdict("threads/serial", 0.25, measured(0.5, 0.45, 0.55, 6), true, line, sizeof line);
    assert_non_null(strstr(line, "50 % below the median, outside the interval"));
    predict_verdict("gil/serial", 1.0, measured(1.0, 1.0, 1.0, 1), true, line, sizeof line);
    assert_non_null(strstr(line, "one round: no interval"));
    predict_verdict("gil/alone", 10, measured(211.7, 140.6, 298.9, 8), true, line, sizeof line);
    assert_non_null(strstr(line, "you said 10.0, measured 212 (141-299): 95 % below the median"));
    predict_verdict("gil/serial", 1.0, measured(1.02, 0.98, 1.10, 4), true, line, sizeof line);
    assert_non_null(strstr(line, "measured 1.02 (0.980-1.10, 88 %)")); /* 4 values: 87.5 % */
    /* A guess that reads as the median, and a median of 0 (no percentage of it). */
    predict_verdict("gil/together", 0.0, measured(0, 0, 0, 1), true, line, sizeof line);
    assert_non_null(strstr(line, "you said 0.00, measured 0.00: the median itself (one round: no interval)"));
    predict_verdict("gil/together", 0.5, measured(0, 0, 0, 1), true, line, sizeof line);
    assert_non_null(strstr(line, "measured 0.00: above the median (one round"));
    predict_verdict("threads/serial", 0.5, measured(0.5001, 0.5001, 0.5003, 6), true, line, sizeof line);
    assert_non_null(strstr(line, "the median itself, outside the interval"));
    predict_verdict("cpython/serial", 1.0, measured(0, 0, 0, 0), false, line, sizeof line);
    assert_non_null(strstr(line, "not measured on this run"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_are_read_from_the_list),
        cmocka_unit_test(test_guesses_are_parsed),
        cmocka_unit_test(test_bad_guesses_are_refused_with_a_reason),
        cmocka_unit_test(test_a_guess_is_set_beside_the_measurement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
