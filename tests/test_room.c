/* test_room.c — the room check: when the machine counts as busy, and how it is said. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "room.h"

static void test_busy_from_a_fifth_of_a_core_or_steal(void **state)
{
    (void)state;
    room_report quiet = { .readable = true, .others_cores = 0.1 }, busy = { .readable = true, .others_cores = 0.2 },
                stolen = { .readable = true, .steal_share = 0.06 }, unknown = { .readable = false, .others_cores = 2 };
    assert_false(room_is_busy(&quiet));
    assert_true(room_is_busy(&busy));
    assert_true(room_is_busy(&stolen));
    assert_false(room_is_busy(&unknown)); /* no /proc: nothing is claimed */
}

static void test_the_top_consumers_are_named(void **state)
{
    (void)state;
    room_report r = { .readable = true, .others_cores = 1.4, .top_count = 3,
                      .top = { { "firefox", 0.96 }, { "cc1", 0.4 }, { "idle-ish", 0.01 } } };
    char line[200];
    room_describe(&r, line, sizeof line);
    assert_string_equal(line, "firefox 96 %, cc1 40 %"); /* under 5 % of a core: not named */
    r.steal_share = 0.1;
    room_describe(&r, line, sizeof line);
    assert_non_null(strstr(line, "steal 10 %"));
    room_report spread = { .readable = true, .others_cores = 0.3 };
    room_describe(&spread, line, sizeof line);
    assert_string_equal(line, "30 % of a core in all"); /* many small ones, none named */
}

static void test_a_short_look_reads_the_machine(void **state)
{
    (void)state;
    room_report r = room_measure(0.05);
    assert_true(r.readable);
    assert_true(r.others_cores >= 0 && r.steal_share >= 0 && r.steal_share <= 1);
    assert_true(r.top_count >= 0 && r.top_count <= ROOM_TOP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_from_a_fifth_of_a_core_or_steal),
        cmocka_unit_test(test_the_top_consumers_are_named),
        cmocka_unit_test(test_a_short_look_reads_the_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
