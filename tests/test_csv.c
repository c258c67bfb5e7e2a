/* test_csv.c — RFC 4180 quoting, the preamble, and atomic replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

static char dir[] = "/tmp/tvp-test-csv-XXXXXX";

static char *quoted(const char *value)
{
    static char buffer[256];
    memset(buffer, 0, sizeof buffer);
    FILE *f = fmemopen(buffer, sizeof buffer, "w");
    csv_write_field(f, value);
    fclose(f);
    return buffer;
}

static void test_fields_are_quoted_only_when_needed(void **state)
{
    (void)state;
    assert_string_equal(quoted("plain"), "plain");
    assert_string_equal(quoted(""), "");
    assert_string_equal(quoted("3.25"), "3.25");
    assert_string_equal(quoted("a,b"), "\"a,b\"");
    assert_string_equal(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_string_equal(quoted("two\nlines"), "\"two\nlines\"");
    assert_string_equal(quoted("cr\rhere"), "\"cr\rhere\"");
    assert_string_equal(quoted("\""), "\"\"\"\"");
}

static char *slurp(const char *path)
{
    static char buffer[4096];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    buffer[n] = '\0';
    fclose(f);
    return buffer;
}

static int files_in_dir(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void write_table(csv_writer *w, const char *mode)
{
    const char *columns[] = { "mode", "seconds" };
    csv_meta(w, "cores", "%d", 2);
    csv_meta(w, "note", "line\nbreak");
    csv_header(w, columns, 2);
    csv_str(w, mode);
    csv_num(w, 1.5, 3);
    csv_end_row(w);
    csv_str(w, "x,y");
    csv_int(w, -42);
    csv_end_row(w);
}

static void test_nothing_appears_until_commit(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    csv_writer w;
    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), 0);
    write_table(&w, "threads");
    assert_int_equal(access(path, F_OK), -1); /* not yet */
    assert_int_equal(csv_commit(&w), 0);
    assert_string_equal(slurp(path), "# cores=2\n# note=line break\nmode,seconds\nthreads,1.500\n\"x,y\",-42\n");
    assert_int_equal(files_in_dir(), 1); /* no temporary file left */
    unlink(path);
}

static void test_abort_keeps_the_previous_file(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/b.csv", dir);
    csv_writer w;
    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), 0);
    write_table(&w, "old");
    assert_int_equal(csv_commit(&w), 0);
    char before[4096];
    strcpy(before, slurp(path));

    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), 0);
    write_table(&w, "new");
    csv_abort(&w); /* an interrupted run */
    assert_string_equal(slurp(path), before);
    assert_int_equal(files_in_dir(), 1);

    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), 0);
    write_table(&w, "new");
    assert_int_equal(csv_commit(&w), 0);
    assert_non_null(strstr(slurp(path), "new,1.500"));
    unlink(path);
}

static void test_unwritable_path_fails_cleanly(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/c.csv", dir);
    csv_writer w;
    errno = 0;
    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(files_in_dir(), 0);
}

static void test_full_device_fails_commit_and_keeps_old_file(void **state)
{
    (void)state;
    /* A write error (here: into /dev/full through the temp file's stream) must make
     * commit fail, remove the temp file and leave the target alone. */
    char path[256];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    csv_writer w;
    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), 0);
    write_table(&w, "old");
    assert_int_equal(csv_commit(&w), 0);
    assert_int_equal(csv_open_at(&w, AT_FDCWD, NULL, path), 0);
    FILE *full = fopen("/dev/full", "w");
    if (!full) skip();
    fclose(w.file.stream);
    w.file.stream = full; /* the disk fills up */
    write_table(&w, "new");
    for (int i = 0; i < 10000; i++) csv_str(&w, "filler filler filler filler");
    assert_int_equal(csv_commit(&w), -1);
    assert_non_null(strstr(slurp(path), "old,1.500"));
    assert_int_equal(files_in_dir(), 1);
    unlink(path);
}

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_are_quoted_only_when_needed),
        cmocka_unit_test(test_nothing_appears_until_commit),
        cmocka_unit_test(test_abort_keeps_the_previous_file),
        cmocka_unit_test(test_unwritable_path_fails_cleanly),
        cmocka_unit_test(test_full_device_fails_commit_and_keeps_old_file),
    };
    return cmocka_run_group_tests_name("csv", tests, make_dir, remove_dir);
}
