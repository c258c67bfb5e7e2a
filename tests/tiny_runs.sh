#!/bin/sh
# tiny_runs.sh DIR — every chapter at the tiny scale, as a student runs it (make, real
# CPython, the figures), into DIR/chapterN with what make printed beside it
# (lib.sh's tiny_run), once for the suites that read them: tests/run.sh starts it
# first and e2e.sh, cpython.sh and book.sh read DIR as their runs come in.
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || { echo "usage: tests/tiny_runs.sh DIR" >&2; exit 2; }
for n in $(chapter_numbers); do
    make_tiny_run "$n" "$1"
    check "chapter$n ran at the tiny scale for the other suites" tiny_run_ok "$1/chapter$n"
    # In a pty the run had a session of its own: nothing of it may be alive there.
    if [ -s "$1/chapter$n.session" ]; then
        check "chapter$n's tiny run left nothing alive in its terminal's session" \
            test "$(in_session "$(cat "$1/chapter$n.session")")" -eq 0
    fi
done
check "the tiny runs leave no process behind" no_leftover
finish tiny_runs
