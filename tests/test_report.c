/* test_report.c — the terminal form at a given width: no line wider than the
 * terminal, paragraphs wrapped without losing a word, a wide table printed in parts
 * that repeat the columns naming a row (or, where one column does not fit beside them,
 * as a list), and never narrower than 80 columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static char *printed(const report *r, const char *columns)
{
    setenv("COLUMNS", columns, 1);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    report_print(r, out, false);
    fclose(out);
    unsetenv("COLUMNS");
    return text;
}

static int widest_line(const char *text)
{
    int widest = 0;
    for (const char *line = text; *line;) {
        size_t length = strcspn(line, "\n");
        if ((int)length > widest) widest = (int)length;
        line += length + (line[length] == '\n');
    }
    return widest;
}

/* The words of a text, one space apart: wrapping may move line breaks, nothing else. */
static char *words(const char *text)
{
    char *out = calloc(strlen(text) + 1, 1), *o = out;
    for (const char *c = text; *c; c++) {
        if (*c == ' ' || *c == '\n') {
            if (o > out && o[-1] != ' ') *o++ = ' ';
        } else {
            *o++ = *c;
        }
    }
    if (o > out && o[-1] == ' ') o--;
    *o = '\0';
    return out;
}

static report *wide_report(void)
{
    report *r = report_new("Chapter 99: \"a claim long enough to need wrapping when the terminal is eighty columns wide\"");
    const char *columns[] = { "way", "threads", "additions per second (95% CI)", "time / one thread's (95% CI)",
                              "CPU seconds", "context switches" };
    report_table(r, "A table wider than the terminal:", 6, columns);
    const char *ways[] = { "mutex", "mutex", "atomic add", "atomic add" };
    for (int row = 0; row < 4; row++) {
        report_cell(r, "%s", ways[row]);
        report_cell(r, "%d", 1 + row % 2);
        report_cell(r, "1.23e+09 (1.20e+09-1.25e+09)");
        report_cell(r, "2.92x (2.80x-3.10x)");
        report_cell(r, "0.123");
        report_cell(r, "%d", 1000 * row);
        report_end_row(r);
    }
    report_text(r, "A paragraph of explanation that is much longer than one line of an eighty-column terminal, "
                "so that it must be broken at spaces, and a word that is far too long to fit on any line at all: "
                "https://example.org/a/very/long/path/that/keeps/going/and/going/past/the/edge/of/the/terminal/xyz.");
    report_verdict(r, "FALSE on this machine, with 2 threads and no GIL: slower than one thread (time ratio above 1 "
                   "over the whole interval): mutex 2.92x (2.80-3.10).");
    return r;
}

static void test_nothing_is_wider_than_the_terminal(void **state)
{
    (void)state;
    report *r = wide_report();
    char *text = printed(r, "80");
    assert_true(widest_line(text) <= 80);
    char *wide = printed(r, "200");
    assert_true(widest_line(wide) > 80); /* a wide terminal gets the table whole */
    char *narrow = printed(r, "40");     /* never laid out under 80 */
    assert_true(widest_line(narrow) <= 80 && widest_line(narrow) > 60);
    free(text);
    free(wide);
    free(narrow);
    report_free(r);
}

static void test_a_wide_table_repeats_the_columns_naming_a_row(void **state)
{
    (void)state;
    report *r = wide_report();
    char *text = printed(r, "80");
    /* "mutex" names two rows; "mutex" with its thread count names one: both columns repeat. */
    int headers = 0;
    for (const char *p = text; (p = strstr(p, "\n  way ")); p++) {
        size_t length = strcspn(p + 1, "\n");
        char line[200];
        snprintf(line, sizeof line, "%.*s", (int)length, p + 1);
        assert_non_null(strstr(line, " threads "));
        headers++;
    }
    assert_true(headers >= 2);
    assert_non_null(strstr(text, "context switches"));
    free(text);
    report_free(r);
}

static void test_wrapping_keeps_every_word(void **state)
{
    (void)state;
    report *r = wide_report();
    char *text = printed(r, "80"), *all = words(text);
    assert_non_null(strstr(all, "A paragraph of explanation that is much longer than one line of an eighty-column "
                                "terminal, so that it must be broken at spaces,"));
    assert_non_null(strstr(all, "VERDICT: FALSE on this machine, with 2 threads and no GIL: slower than one thread"));
    assert_non_null(strstr(text, "https://example.org/a/very/long/path")); /* cut, not dropped */
    free(all);
    free(text);
    report_free(r);
}

/* Names of rows so long that one value column does not fit beside them (chapter 9's
 * CPython table at 80 columns): each row becomes a line "names: value", wrapped. */
static void test_a_column_too_wide_for_its_row_names_becomes_a_list(void **state)
{
    (void)state;
    report *r = report_new("Chapter 99: \"a claim\"");
    const char *columns[] = { "the I/O thread ran", "switch ms", "times slower than alone" };
    report_table(r, "Round trips:", 3, columns);
    const char *rows[][3] = { { "CPython beside a CPU thread per core, a long name", "5", "911.3x (591.9x-936.2x, 75 %)" },
                              { "CPython beside a CPU thread per core, a long name", "20",
                                "1489.3x (1434.8x-1780.4x, 75 %)" } };
    for (int row = 0; row < 2; row++) {
        for (int c = 0; c < 3; c++) report_cell(r, "%s", rows[row][c]);
        report_end_row(r);
    }
    char *text = printed(r, "80");
    assert_true(widest_line(text) <= 80);
    char *all = words(text);
    assert_non_null(strstr(all, "CPython beside a CPU thread per core, a long name, 20: 1489.3x (1434.8x-1780.4x, 75 %)"));
    assert_non_null(strstr(text, "\n  the I/O thread ran, switch ms: times slower than alone\n"));
    free(all);
    free(text);
    report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_is_wider_than_the_terminal),
        cmocka_unit_test(test_a_wide_table_repeats_the_columns_naming_a_row),
        cmocka_unit_test(test_wrapping_keeps_every_word),
        cmocka_unit_test(test_a_column_too_wide_for_its_row_names_becomes_a_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
