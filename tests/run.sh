#!/bin/sh
# run.sh — run every test: the cmocka unit tests in each build (release,
# ThreadSanitizer, AddressSanitizer+UBSan: the two sanitizer builds are made here,
# the release build is expected made), then the shell suites (end to end, bad
# input, faults, every chapter under the sanitizers, valgrind). Ends with one line,
# "tests: N passed, M failed"; exits non-zero if anything failed.
#
# The parts run side by side (TEST_JOBS at a time, default: the cores plus two, as
# most of them wait on children, sockets and timers), the longest first, each in its
# own session (setsid), so that a suite's "nothing left behind" looks only at what it
# started; the results are reported in a fixed order. `tests/run.sh --one PART DIR` runs
# one part, its output into DIR/PART.log and its status into DIR/PART.status.
set -u
cd "$(dirname "$0")/.."
CHAPTERS_SH_LIBRARY=1 . chapters/chapters.sh # chapter_numbers

# A sanitizer report makes the program fail, not just print.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

# The parts, longest first (measured on 2 cores: exercises about 95 s ... prose 3 s),
# but tiny_runs at the very start: e2e, cpython and book read its runs as they come.
PARTS="tiny_runs sanitize-asan exercises-first exercises-second cpython faults e2e noise sanitize-tsan unit-tsan valgrind
       hostile unit-asan mpi class contract new_chapter unit-release book bad_inputs prose"

# unit-BUILD: every cmocka test of that build, as "ok"/"FAIL" lines and a closing count.
run_unit() {
    build=$1 passed=0 failed=0 log=$(mktemp)
    if [ ! -d "$build/tests" ]; then
        echo "FAIL $build/tests is missing: run 'make test', which builds it"
        echo "unit: 0 passed, 1 failed"
        rm -f "$log"
        return 1
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
            echo "ok - $test: ${ok} passed"
        fi
    done
    rm -f "$log"
    echo "unit: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# The ThreadSanitizer or ASan+UBSan build, made by the first of its two parts to start
# (the other waits on the lock, then finds it made): the sanitizer builds compile while
# other parts run, filling the CPU time those spend waiting. Its compiler's messages
# go into the part's log.
build_variant() {
    flock "$logs/build-$1.lock" make --no-print-directory -j"$(nproc)" VARIANT="$1" sanitized
}

run_part() {
    case $1 in
    unit-release) run_unit build ;;
    unit-tsan) build_variant tsan && run_unit build/tsan ;;
    unit-asan) build_variant asan && run_unit build/asan ;;
    tiny_runs) tests/tiny_runs.sh "$TVP_TINY_RUNS" ;;
    sanitize-tsan) build_variant tsan && tests/sanitize.sh tsan ;;
    sanitize-asan) build_variant asan && tests/sanitize.sh asan ;;
    # The chapters' exercises in two halves, split by chapter (0-6, 7-12: about even).
    exercises-first) tests/exercises.sh $(chapter_numbers | head -7) ;;
    exercises-second) tests/exercises.sh $(chapter_numbers | tail -n +8) ;;
    *) BUILD=build "tests/$1.sh" ;;
    esac
}

if [ "${1:-}" = --one ]; then
    [ $# -eq 3 ] || { echo "usage: tests/run.sh [--one PART DIR]" >&2; exit 2; }
    logs=$3
    started=$(date +%s)
    if run_part "$2" >"$3/$2.log" 2>&1; then status=0; else status=1; fi
    # CPU seconds of the part's own processes (the shell's and its children's, user +
    # system): on 2 cores the suite is bound by these, not by waiting.
    # (`times` in a file: in a command substitution it would report that subshell's.)
    times >"$3/$2.times"
    cpu=$(awk '{ for (i = 1; i <= NF; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } } END { printf "%.0f", s }' "$3/$2.times")
    echo "$status $(($(date +%s) - started)) $cpu $started" >"$3/$2.status"
    exit 0
fi
[ $# -eq 0 ] || { echo "usage: tests/run.sh [--one PART DIR]" >&2; exit 2; }
jobs=${TEST_JOBS:-$(($(nproc) + 2))}
case $jobs in
*[!0-9]*) valid=no ;;
*) if [ "$jobs" -ge 1 ] 2>/dev/null; then valid=yes; else valid=no; fi ;;
esac
if [ "$valid" = no ]; then
    echo "tests/run.sh: TEST_JOBS: expected how many parts run at a time, a whole number from 1, got '$jobs'" >&2
    exit 2
fi

# A version manager's python3 (pyenv's is a shell script that looks the interpreter up,
# about 0.1 s of CPU each start) is looked up once here: the interpreter's own folder
# goes first on PATH, as the suites start python3 hundreds of times. The same
# interpreter runs; a python3 that is the interpreter itself changes nothing.
interpreter=$(python3 -I -c 'import sys; print(sys.executable)' 2>/dev/null) || interpreter=
if [ -n "$interpreter" ] && [ "$(command -v python3)" != "$interpreter" ] && [ -x "${interpreter%/*}/python3" ]; then
    PATH="${interpreter%/*}:$PATH"
    export PATH
fi

logs=$(mktemp -d /tmp/tvp-tests-XXXXXX)
# Interrupted (Ctrl-C reaches only this session): stop every part's session too.
stop_parts() {
    for signal in TERM KILL; do
        for leader in $(pgrep -f -- "run.sh --one [a-z_-]* $logs\$"); do pkill "-$signal" -s "$leader"; done
        sleep 0.5
    done
}
trap 'rm -rf "$logs"' EXIT
# Every chapter's tiny run, made once (tests/tiny_runs.sh) for the suites that read it.
export TVP_TINY_RUNS="$logs/tiny"
mkdir -p "$TVP_TINY_RUNS"
trap 'stop_parts; exit 130' INT TERM HUP
started=$(date +%s)
printf '%s\n' $PARTS | xargs -P "$jobs" -I PART setsid tests/run.sh --one PART "$logs"

passed=0 failed=0 cpu_total=0
for part in $PARTS; do
    name=${part%%-*} # unit-tsan reports as "unit", exercises-first as "exercises"
    log=$logs/$part.log
    read -r status seconds cpu began <"$logs/$part.status" 2>/dev/null || { status=1 seconds=? cpu=? began=$started; }
    cpu_total=$((cpu_total + ${cpu:-0}))
    ok=$(sed -n "s/^$name: \([0-9]*\) passed.*/\1/p" "$log" 2>/dev/null)
    bad=$(sed -n "s/^$name: [0-9]* passed, \([0-9]*\) failed/\1/p" "$log" 2>/dev/null)
    passed=$((passed + ${ok:-0}))
    failed=$((failed + ${bad:-1}))
    if [ "$status" -eq 0 ]; then
        echo "ok   $part: ${ok:-0} passed in $seconds s from +$((began - started)) s (CPU $cpu s)$(grep -c '^skip' "$log" | sed 's/^0$//; s/^\(.\)/, \1 skipped/')"
    else
        echo "FAIL $part (in $seconds s)"
        grep -v '^ok' "$log"
    fi
done

echo "all parts in $(($(date +%s) - started)) s, $jobs at a time, $cpu_total CPU seconds on $(nproc) CPUs"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
