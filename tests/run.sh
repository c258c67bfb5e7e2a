#!/bin/sh
# run.sh — run every test: the cmocka unit tests in each build (release,
# ThreadSanitizer, AddressSanitizer+UBSan), then the shell suites (end to end, bad
# input, faults, every chapter under the sanitizers, valgrind). Ends with one line,
# "tests: N passed, M failed"; exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A sanitizer report makes the program fail, not just print.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

for build in build build/tsan build/asan; do
    if [ ! -d "$build/tests" ]; then
        echo "FAIL $build/tests is missing: run 'make test', which builds it"
        failed=$((failed + 1))
        continue
    fi
    for test in "$build"/tests/test_*; do
        [ -x "$test" ] || continue
        if "$test" >"$log" 2>&1; then status=0; else status=$?; fi
        ok=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
        bad=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
        passed=$((passed + ${ok:-0}))
        failed=$((failed + ${bad:-0}))
        if [ "$status" -ne 0 ] || [ -z "$ok" ] || grep -q "Sanitizer\|runtime error" "$log"; then
            # A crash or a sanitizer report counts as a failure even if cmocka said nothing.
            [ -n "$bad" ] && [ "$bad" -gt 0 ] || failed=$((failed + 1))
            echo "FAIL $test (exit $status)"
            cat "$log"
        else
            echo "ok   $test: ${ok} passed"
        fi
    done
done

# The shell suites, each ending "NAME: N passed, M failed".
for suite in e2e contract prose exercises class new_chapter noise hostile cpython bad_inputs faults sanitize valgrind book; do
    if BUILD=build "tests/$suite.sh" >"$log" 2>&1; then status=0; else status=1; fi
    ok=$(sed -n "s/^$suite: \([0-9]*\) passed.*/\1/p" "$log")
    bad=$(sed -n "s/^$suite: [0-9]* passed, \([0-9]*\) failed/\1/p" "$log")
    passed=$((passed + ${ok:-0}))
    failed=$((failed + ${bad:-1}))
    if [ "$status" -eq 0 ]; then
        echo "ok   tests/$suite.sh: $ok passed$(grep -c '^skip' "$log" | sed 's/^0$//; s/^\(.\)/, \1 skipped/')"
    else
        echo "FAIL tests/$suite.sh"
        grep -v '^ok' "$log"
    fi
done

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
