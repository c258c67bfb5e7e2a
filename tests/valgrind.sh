#!/bin/sh
# valgrind.sh — memcheck over one chapter's tiny run and over the unit tests: zero
# errors and no definite leaks. The GIL's timing tests step aside under valgrind,
# whose one-thread-at-a-time scheduler makes timing meaningless (TVP_UNDER_VALGRIND).
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
    not_ok "valgrind is not installed (make deps installs it)"
    finish valgrind
    exit 1
fi
memcheck() {
    TVP_UNDER_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$@" >"$tmp/out" 2>&1
}
if memcheck "$BUILD/chapter3" --scale tiny --out "$tmp/ch3" --quiet; then
    ok "memcheck chapter3 --scale tiny: 0 errors, no definite leaks"
else
    not_ok "memcheck chapter3 --scale tiny" "$(grep -m10 '==[0-9]*==' "$tmp/out")"
fi
for test in "$BUILD"/tests/test_*; do
    if memcheck "$test"; then
        ok "memcheck $(basename "$test"): 0 errors, no definite leaks"
    else
        not_ok "memcheck $(basename "$test")" "$(grep -m10 '==[0-9]*==\|FAILED\|ERROR' "$tmp/out")"
    fi
done
finish valgrind
