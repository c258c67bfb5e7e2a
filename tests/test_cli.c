/* test_cli.c — the shared flags: defaults, good values, and every bad value refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"

static int gap_us = 50, window = 0;
static const double window_by_scale[] = { 30, 150, 1000 };
static const cli_extra extras[] = {
    { "--gap-us", "US", "a gap", CLI_INT, 1, 100000, &gap_us, NULL, NULL },
    { "--window", "MS", "a window", CLI_INT, 10, 10000, &window, window_by_scale, NULL },
};
static unsigned honours = CLI_JOBS | CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON;

static cli_status parse(cli_options *o, char *error, size_t size, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->honours = honours;
    o->program = "chapterT";
    o->claim = "a claim";
    o->default_out = "results/chapterT";
    o->extras = extras;
    o->extra_count = 2;
    FILE *sink = fopen("/dev/null", "w");
    cli_status status = cli_parse(o, argc, argv, error, size, sink);
    fclose(sink);
    return status;
}

#define PARSE(o, error, ...)                                                                       \
    ({                                                                                             \
        char *argv_[] = { "chapterT", __VA_ARGS__ };                                               \
        parse(o, error, sizeof error, (int)(sizeof argv_ / sizeof *argv_), argv_);                 \
    })

static void test_defaults(void **state)
{
    (void)state;
    cli_options o;
    char error[256];
    char *argv[] = { "chapterT" };
    assert_int_equal(parse(&o, error, sizeof error, 1, argv), CLI_RUN);
    assert_int_equal(o.jobs, online_cores());
    assert_int_equal(o.workers, o.jobs);
    /* class scale: at least 6 rounds (the fewest with a 95 % interval), at most 16 */
    assert_int_equal(o.reps, 6);
    assert_int_equal(o.max_reps, 16);
    assert_int_equal(o.scale, SCALE_CLASS);
    assert_int_equal(o.runtime, RUNTIME_BOTH);
    assert_true(o.switch_interval_ms == 5.0);
    assert_string_equal(o.out, "results/chapterT");
    assert_false(o.quiet);
}

/* A chapter whose verdict needs more rounds raises the class scale's most; --reps N and
 * the other scales are left as they are. */
static void test_a_chapter_may_raise_the_class_rounds(void **state)
{
    (void)state;
    char error[256];
    struct { char *args[3]; int argc, class_most, reps, max_reps; } cases[] = {
        { { "chapterT" }, 1, 24, 6, 24 },
        { { "chapterT" }, 1, 8, 6, 16 }, /* never below the scale's own 16 */
        { { "chapterT", "--reps", "5" }, 3, 24, 5, 5 },
        { { "chapterT", "--scale", "tiny" }, 3, 24, 1, 1 },
        { { "chapterT", "--scale", "paper" }, 3, 24, 10, 30 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cli_options o;
        memset(&o, 0, sizeof o);
        o.honours = honours;
        o.program = "chapterT";
        o.claim = "a claim";
        o.default_out = "results/chapterT";
        o.class_most_reps = cases[i].class_most;
        FILE *sink = fopen("/dev/null", "w");
        assert_int_equal(cli_parse(&o, cases[i].argc, cases[i].args, error, sizeof error, sink), CLI_RUN);
        fclose(sink);
        assert_int_equal(o.reps, cases[i].reps);
        assert_int_equal(o.max_reps, cases[i].max_reps);
    }
}

static void test_good_values(void **state)
{
    (void)state;
    cli_options o;
    char error[256];
    assert_int_equal(PARSE(&o, error, "--jobs", "4", "--workers=3", "--scale", "tiny", "--runtime", "gil",
                           "--switch-interval", "0.5", "--reps", "2", "--out", "x/y", "--quiet", "--gap-us",
                           "7"),
                     CLI_RUN);
    assert_int_equal(o.jobs, 4);
    assert_int_equal(o.workers, 3);
    assert_int_equal(o.scale, SCALE_TINY);
    assert_int_equal(o.runtime, RUNTIME_GIL);
    assert_true(o.switch_interval_ms == 0.5);
    assert_int_equal(o.reps, 2); /* --reps fixes the number of rounds */
    assert_int_equal(o.max_reps, 2);
    assert_string_equal(o.out, "x/y");
    assert_true(o.quiet);
    assert_int_equal(gap_us, 7);
    /* --workers follows --jobs unless given */
    assert_int_equal(PARSE(&o, error, "--jobs", "6"), CLI_RUN);
    assert_int_equal(o.workers, 6);
}

static void test_bad_values_are_refused_with_one_line(void **state)
{
    (void)state;
    struct {
        const char *flag, *value; /* value NULL: the flag alone */
    } bad[] = {
        { "--jobs", "0" },           { "--jobs", "-1" },          { "--jobs", "abc" },
        { "--jobs", "2x" },          { "--jobs", "" },            { "--jobs", "99999999999999999999" },
        { "--jobs", "1025" },        { "--jobs", "1.5" },         { "--workers", "0" },
        { "--workers", "-3" },       { "--reps", "0" },           { "--reps", "101" },
        { "--scale", "huge" },       { "--scale", "Tiny" },       { "--runtime", "python" },
        { "--runtime", "" },         { "--switch-interval", "0" }, { "--switch-interval", "-1" },
        { "--switch-interval", "3600000" }, { "--switch-interval", "nan" }, { "--switch-interval", "inf" },
        { "--switch-interval", "5ms" }, { "--out", "" },          { "--gap-us", "0" },
        { "--gap-us", "x" },         { "--bogus", NULL },         { "--jobs", NULL },
        { "jobs", NULL },            { "-j", NULL },
        { "--scale", "x\ny" },       { "--gap-us", "1\x1b[2J" }, /* quoted back: still one line, no escape */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cli_options o;
        char error[256] = "";
        cli_status status = bad[i].value ? PARSE(&o, error, (char *)bad[i].flag, (char *)bad[i].value)
                                         : PARSE(&o, error, (char *)bad[i].flag);
        if (status != CLI_USAGE_ERROR) fail_msg("%s %s was accepted", bad[i].flag, bad[i].value);
        assert_null(strchr(error, '\n'));                 /* one line */
        assert_null(strchr(error, '\x1b'));               /* no terminal escape */
        assert_non_null(strstr(error, "chapterT: "));      /* names the program */
        if (strncmp(bad[i].flag, "--", 2) == 0)
            assert_non_null(strstr(error, bad[i].flag));  /* and the flag */
    }
}

/* A common flag the chapter does not honour is refused, naming the flag, before anything runs. */
static void test_flags_not_honoured_are_refused(void **state)
{
    (void)state;
    cli_options o;
    char error[256];
    honours = CLI_WORKERS | CLI_SWITCH_INTERVAL;
    assert_int_equal(PARSE(&o, error, "--jobs", "4"), CLI_USAGE_ERROR);
    assert_non_null(strstr(error, "--jobs has no effect here"));
    assert_int_equal(PARSE(&o, error, "--python", "none"), CLI_USAGE_ERROR);
    assert_non_null(strstr(error, "does not run CPython"));
    assert_int_equal(PARSE(&o, error, "--runtime=c"), CLI_USAGE_ERROR);
    assert_non_null(strstr(error, "--runtime has no effect here"));
    assert_int_equal(PARSE(&o, error, "--workers", "4", "--switch-interval", "1"), CLI_RUN);
    honours = 0;
    assert_int_equal(PARSE(&o, error, "--switch-interval", "1"), CLI_USAGE_ERROR);
    assert_int_equal(PARSE(&o, error, "--predict", "a=1"), CLI_USAGE_ERROR);
    assert_non_null(strstr(error, "--predict has no effect here"));
    honours = CLI_JOBS | CLI_RUNTIME | CLI_SWITCH_INTERVAL | CLI_PYTHON;
}

/* A default by scale never replaces a value given on the command line. */
static void test_scale_defaults_yield_to_explicit_flags(void **state)
{
    (void)state;
    cli_options o;
    char error[256];
    assert_int_equal(PARSE(&o, error, "--scale", "tiny"), CLI_RUN);
    assert_int_equal(window, 30);
    assert_false(cli_given(&o, "--window"));
    assert_int_equal(PARSE(&o, error, "--window", "150", "--scale", "tiny"), CLI_RUN);
    assert_int_equal(window, 150);
    assert_true(cli_given(&o, "--window"));
    assert_int_equal(PARSE(&o, error, "--scale=paper"), CLI_RUN);
    assert_int_equal(window, 1000);
}

static void test_help_and_version_stop_without_running(void **state)
{
    (void)state;
    cli_options o;
    char error[256];
    assert_int_equal(PARSE(&o, error, "--help"), CLI_DONE);
    assert_int_equal(PARSE(&o, error, "--jobs", "2", "--version"), CLI_DONE);
}

/* A flag that changes the experiment is a setting: recorded, and the run goes beside
 * the default one, in a folder named from it;
 * --scale, --reps, --python, --predict are not settings; --out names the folder. */
static void test_settings_send_a_run_beside_the_default_one(void **state)
{
    (void)state;
    cli_options o;
    char error[256];
    assert_int_equal(PARSE(&o, error, "--scale", "tiny", "--reps", "3", "--python", "none"), CLI_RUN);
    assert_string_equal(o.settings, "");
    assert_string_equal(o.out, "results/chapterT");
    assert_int_equal(PARSE(&o, error, "--switch-interval", "0.1", "--runtime", "c"), CLI_RUN);
    assert_string_equal(o.settings, "switch-interval=0.1 runtime=c");
    assert_string_equal(o.out, "results/chapterT/switch-interval-0.1_runtime-c");
    assert_int_equal(PARSE(&o, error, "--switch-interval", "0.1", "--out", "elsewhere"), CLI_RUN);
    assert_string_equal(o.out, "elsewhere");
    assert_string_equal(o.settings, "switch-interval=0.1");
    assert_int_equal(PARSE(&o, error, "--jobs", "2", "--where"), CLI_DONE); /* printed, not run */
}

static void test_out_dir_is_created_with_parents(void **state)
{
    (void)state;
    char base[] = "/tmp/tvp-test-cli-XXXXXX", path[128], error[256];
    assert_non_null(mkdtemp(base));
    snprintf(path, sizeof path, "%s/a/b/c", base);
    assert_int_equal(cli_make_out_dir(path, error, sizeof error), 0);
    assert_int_equal(cli_make_out_dir(path, error, sizeof error), 0); /* again: fine */
    assert_int_equal(cli_make_out_dir("/dev/null/x", error, sizeof error), -1);
    assert_non_null(strstr(error, "--out"));
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -r %s", base);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_a_chapter_may_raise_the_class_rounds),
        cmocka_unit_test(test_good_values),
        cmocka_unit_test(test_bad_values_are_refused_with_one_line),
        cmocka_unit_test(test_flags_not_honoured_are_refused),
        cmocka_unit_test(test_scale_defaults_yield_to_explicit_flags),
        cmocka_unit_test(test_help_and_version_stop_without_running),
        cmocka_unit_test(test_out_dir_is_created_with_parents),
        cmocka_unit_test(test_settings_send_a_run_beside_the_default_one),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
