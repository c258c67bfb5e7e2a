/* test_parsers.c — every parser of outside data, fuzzed: thousands of mutated inputs
 * (bytes flipped, inserted, deleted, lines repeated or cut, numbers replaced by NaN,
 * infinities and huge values) through the interpreter-output parser, the URL-list
 * reader, the latency-profile parser, the flag parser, the --predict parser and the
 * share file reader (class gather). Nothing may crash, hang or
 * allocate by a number it read (ASan+UBSan run this in make test); what is refused
 * is refused with a reason. The generator is seeded, so a failure repeats. */
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

#include "cli.h"
#include "cpython.h"
#include "fail.h"
#include "http.h"
#include "predict.h"
#include "profile.h"
#include "share.h"

#define ITERATIONS 3000

static const char valid_output[] =
    "# python=3.11.7\n"
    "# iterations_per_job=1000\n"
    "record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result\n"
    "run,threads,2,0,2,0,0,0.0,0.5,0.0,0,0,-1,0\n"
    "task,threads,2,0,0,100,101,0.01,0.4,0.39,1,2,0,12345\n"
    "task,threads,2,0,1,100,102,0.02,0.45,0.4,1,2,1,12345\n"
    "running,threads,2,0,0,100,101,0.01,0.2,0.0,0,0,0,0\n"
    "run,serial,1,0,1,0,0,0.0,0.3,0.0,0,0,-1,0\n"
    "task,serial,1,0,0,100,100,0.0,0.3,0.3,0,1,0,12345\n";

/* What a hostile or broken interpreter might print instead of a number or a line. */
static const char *const nasty[] = {
    "nan", "inf", "-inf", "1e308", "-1e308", "1e999", "99999999999999999999", "-1", "0x10", "", ",",
    "#=x", "# =", "# python=`touch /tmp/x`", "#", "\n", "run", "task", "running", "4294967296", "2147483648",
    "1e12", "100000", "65537", "0.5", "\"", "\\", "%s%n", "\x1b[31m",
};

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 8) & 0xffffff;
}

/* One mutation of `text` (malloc'd). */
static char *mutate(const char *text, unsigned *rng)
{
    size_t n = strlen(text);
    const char *piece = nasty[next_random(rng) % (sizeof nasty / sizeof *nasty)];
    size_t at = n ? next_random(rng) % n : 0, cut = next_random(rng) % 12;
    char *out = xcalloc(2 * n + strlen(piece) + 64, 1);
    switch (next_random(rng) % 6) {
    case 0: /* flip a byte */
        memcpy(out, text, n + 1);
        if (n) out[at] = (char)(next_random(rng) & 0xff ? next_random(rng) & 0xff : 'x');
        break;
    case 1: /* insert a nasty piece */
        memcpy(out, text, at);
        strcpy(out + at, piece);
        strcat(out, text + at);
        break;
    case 2: /* delete a few bytes */
        memcpy(out, text, at);
        strcat(out, at + cut < n ? text + at + cut : "");
        break;
    case 3: /* replace one field (between commas) by a nasty piece */
    {
        const char *comma = strchr(text + at, ',');
        size_t end = comma ? (size_t)(comma - text) : n;
        memcpy(out, text, at);
        strcpy(out + at, piece);
        strcat(out, text + end);
        break;
    }
    case 4: /* repeat the text (lines twice: duplicated tasks, extra runs) */
        memcpy(out, text, n);
        memcpy(out + n, text + at, n - at + 1);
        break;
    default: /* cut it short */
        memcpy(out, text, at);
        break;
    }
    return out;
}

static void test_interpreter_output_parser(void **state)
{
    (void)state;
    int runs = -1;
    assert_int_equal(cpython_parse_check(valid_output, &runs), 0); /* the seed itself is good */
    assert_int_equal(runs, 2);
    assert_int_not_equal(cpython_parse_check("# python=3.11\n", &runs), 0); /* no header, no runs */
    assert_int_not_equal(cpython_parse_check("", &runs), 0);
    unsigned rng = 1;
    int refused = 0;
    for (int i = 0; i < ITERATIONS; i++) {
        char *once = mutate(valid_output, &rng), *twice = mutate(once, &rng);
        int bad = cpython_parse_check(twice, &runs);
        assert_true(bad >= 0);
        refused += bad != 0;
        free(once);
        free(twice);
    }
    assert_true(refused > ITERATIONS / 4); /* the mutations do hit: most are refused */
    /* A run that claims a huge task count is refused, not allocated. */
    assert_int_not_equal(cpython_parse_check("record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,"
                                             "result\nrun,threads,2,0,2000000000,0,0,0,1,0,0,0,-1,0\n", &runs), 0);
    /* A 0.2 s job's checksum (chapter 1 at class scale) is data; a time of 1e12 s
     * (which in nanoseconds would not fit an int64_t) is not. */
    const char *header = "record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result\n"
                         "run,serial,1,0,1,0,0,0.0,0.43,0.0,0,0,-1,0\n";
    char text[512];
    snprintf(text, sizeof text, "%stask,serial,1,0,0,100,100,0.0,0.43,0.43,0,1,0,7836319900146\n", header);
    assert_int_equal(cpython_parse_check(text, &runs), 0);
    snprintf(text, sizeof text, "%stask,serial,1,0,0,100,100,0.0,1e12,0.43,0,1,0,1\n", header);
    assert_int_not_equal(cpython_parse_check(text, &runs), 0);
}

static const char valid_share[] =
    "# threads-vs-processes share, format 3\n"
    "# id=3433690a\n"
    "# machine=AMD EPYC\n"
    "# cores=2\n"
    "# memory_gib=23.5\n"
    "# kernel=Linux 6.18.44 x86_64\n"
    "# compiler=gcc 12.2.0\n"
    "# python=CPython 3.11.7\n"
    "# guess=3,gil/serial,1,1.04,0.9,1.2\n"
    "# guess=3,threads/serial,0.5,0.56,,\n"
    "chapter,scale,settings,series,family,mode,reference,reference_workers,workers,rounds,wall_median_s,vs_reference,"
    "vs_reference_lo,vs_reference_hi\n"
    "1,class,default,gil-threads,gil-threads,gil-threads,serial,0,2,8,0.052249,1.0125,0.98,1.05\n"
    "1,class,default,serial,serial,serial,serial,0,1,8,0.051604,1.0000,1.0000,1.0000\n"
    "2,tiny,switch-interval=0.1 runtime=gil,gil-threads,gil-threads,gil-threads,serial,0,2,1,0.110916,,,\n"
    "1,class,default,cpython-threads,cpython-threads,cpython-threads,cpython-serial,0,2,8,0.021154,1.2010,1.1,1.3\n";

/* A share file is handed in by a student: checked whole, its numbers within their
 * ranges, whatever the mutation. */
static void test_share_reader(void **state)
{
    (void)state;
    share_machine *s = xcalloc(1, sizeof *s);
    char why[300];
    char *seed = xstrdup(valid_share);
    assert_null(share_parse(seed, s, why, sizeof why)); /* the seed itself is good */
    assert_int_equal(s->row_count, 4);
    assert_int_equal(s->cores, 2);
    assert_string_equal(s->rows[2].settings, "switch-interval=0.1 runtime=gil");
    assert_int_equal(s->guess_count, 2);
    assert_string_equal(s->guesses[0].key, "gil/serial");
    assert_true(s->guesses[0].guess == 1 && s->guesses[0].lo == 0.9 && isnan(s->guesses[1].lo));
    free(seed);
    /* A share of the format before settings were recorded: refused, saying what to do. */
    char *older = xstrdup(valid_share);
    memcpy(strstr(older, "format 3"), "format 2", 8);
    assert_non_null(share_parse(older, s, why, sizeof why));
    assert_non_null(strstr(why, "another format"));
    free(older);
    unsigned rng = 11;
    int refused = 0;
    for (int i = 0; i < ITERATIONS; i++) {
        char *once = mutate(valid_share, &rng), *twice = mutate(once, &rng);
        why[0] = '\0';
        if (share_parse(twice, s, why, sizeof why)) {
            refused++;
            assert_non_null(strstr(why, "line "));
            assert_null(strchr(why, '\n'));
        } else {
            assert_true(s->cores >= 1 && s->cores <= SHARE_MAX_CORES);
            assert_true(s->row_count >= 0 && s->row_count <= SHARE_MAX_ROWS);
            for (int r = 0; r < s->row_count; r++) {
                const share_row *row = &s->rows[r];
                assert_true(row->mode >= 0 && row->mode < MODE_COUNT);
                assert_true(row->workers >= 1 && row->chapter >= 0 && row->chapter <= SHARE_MAX_CHAPTER);
                assert_false(row->lo > row->hi);
                assert_true(share_printable(row->settings) && *row->settings && !strchr("=+-@", row->settings[0]));
            }
            for (int k = 0; k < SHARE_MACHINE_KEY_COUNT; k++) assert_true(share_printable(s->values[k]));
            for (int g = 0; g < s->guess_count; g++)
                assert_true(s->guesses[g].guess >= 0 && !(s->guesses[g].lo > s->guesses[g].hi) && *s->guesses[g].key);
        }
        free(once);
        free(twice);
    }
    assert_true(refused > ITERATIONS / 4);
    free(s);
}

static const char valid_urls[] = "# a list\nhttp://127.0.0.1:9/a\n\nhttps://example.invalid/b?c=d#e\n";

static void test_url_list_reader(void **state)
{
    (void)state;
    char path[] = "/tmp/tvp-test-urls-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unsigned rng = 7;
    char **urls, error[600];
    int count;
    for (int i = 0; i < ITERATIONS; i++) {
        char *text = i == 0 ? xstrdup(valid_urls) : mutate(valid_urls, &rng);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        error[0] = '\0';
        if (http_read_urls(path, &urls, &count, error, sizeof error) == 0) {
            assert_true(count >= 1 && count <= 1024);
            http_free_urls(urls, count);
        } else {
            assert_true(strlen(error) > 0);
            assert_null(strchr(error, '\n')); /* one line */
            assert_null(strchr(error, '\x1b'));
        }
        if (i == 0) assert_int_equal(count, 2);
        free(text);
    }
    unlink(path);
}

static void test_profile_parser(void **state)
{
    (void)state;
    static const char *const seeds[] = { "uniform:0.25", "article", "lognormal:0.1,0.5" };
    unsigned rng = 11;
    for (int i = 0; i < ITERATIONS; i++) {
        char *text = mutate(seeds[i % 3], &rng);
        latency_profile p;
        char error[300] = "";
        if (profile_parse(text, 1, &p, error, sizeof error) != 0) assert_true(strlen(error) > 0);
        free(text);
    }
}

static void test_flag_parser(void **state)
{
    (void)state;
    static const char *const seeds[] = { "--jobs", "4", "--switch-interval", "0.5", "--reps", "3", "--scale", "tiny" };
    unsigned rng = 13;
    FILE *null = fopen("/dev/null", "w");
    for (int i = 0; i < ITERATIONS; i++) {
        char *args[9] = { "chapterT" };
        char *owned[8];
        for (int k = 0; k < 8; k++) args[k + 1] = owned[k] = mutate(seeds[k], &rng);
        cli_options o = { .program = "chapterT", .claim = "a test", .default_out = "results/chapterT" };
        char error[512];
        cli_status status = cli_parse(&o, 9, args, error, sizeof error, null);
        if (status == CLI_RUN) assert_true(o.jobs >= 1 && o.reps >= 1 && o.reps <= o.max_reps);
        for (int k = 0; k < 8; k++) free(owned[k]);
    }
    fclose(null);
}

/* --predict: a guess list against a chapter's keys. Refused with a one-line reason,
 * or accepted with known keys, finite values and no key twice. */
static void test_predict_parser(void **state)
{
    (void)state;
    static const char *const seeds[] = { "gil/serial=1.0,threads/serial=0.5", "cpython/serial=2e0",
                                         "gil/serial=1,threads/serial=0.25,cpython/serial=1" };
    predict_keys keys;
    assert_int_equal(predict_keys_from(&keys, "gil/serial threads/serial cpython/serial"), 0);
    unsigned rng = 17;
    for (int i = 0; i < ITERATIONS; i++) {
        char *text = mutate(seeds[i % 3], &rng);
        predict_guesses g = { 0 };
        char error[400] = "";
        if (predict_parse(&g, &keys, text, error, sizeof error) != 0) {
            assert_true(strlen(error) > 0 && !strchr(error, '\n'));
        } else {
            for (int k = 0; k < g.count; k++) {
                assert_true(predict_key_index(&keys, g.keys[k]) >= 0 && isfinite(g.values[k]));
                for (int j = 0; j < k; j++) assert_string_not_equal(g.keys[j], g.keys[k]);
            }
        }
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict_parser),
        cmocka_unit_test(test_interpreter_output_parser),
        cmocka_unit_test(test_url_list_reader),
        cmocka_unit_test(test_share_reader),
        cmocka_unit_test(test_profile_parser),
        cmocka_unit_test(test_flag_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
