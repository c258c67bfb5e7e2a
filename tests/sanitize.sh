#!/bin/sh
# sanitize.sh — every chapter, built with ThreadSanitizer and with AddressSanitizer+UBSan
# (and the latency server they start, built the same way), at --scale tiny. Any
# sanitizer report fails the run. `make sanitize` builds the programs first.
# `tests/sanitize.sh tsan` or `asan` runs one build only (tests/run.sh runs them side
# by side). Real CPython runs under ASan only, and in the chapters whose C side does
# something of its own with it (1: process pools, 4: URLs on its standard input,
# 8: asyncio, 10: its sizes named as series, 12: a namer with context): what the C
# side does with it (pipes, parsing) runs on one thread, and ThreadSanitizer looks at
# threads.
. "$(dirname "$0")/lib.sh"
variants=${1:-tsan asan}
case $variants in tsan | asan | "tsan asan") ;; *) echo "usage: tests/sanitize.sh [tsan|asan]" >&2; exit 2 ;; esac
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

for variant in $variants; do
    python_in=" 1 4 8 10 12 "
    [ "$variant" = tsan ] && python_in=""
    for n in $(chapter_numbers); do
        program=build/$variant/chapter$n
        if [ ! -x "$program" ]; then
            not_ok "$program is missing (make sanitize builds it)"
            continue
        fi
        python=
        case $python_in in *" $n "*) ;; *) python="--python none" ;; esac
        if "$program" --scale tiny $python --out "$tmp/$variant-$n" --quiet >"$tmp/stdout" 2>"$tmp/stderr"; then
            if grep -q "Sanitizer\|runtime error" "$tmp/stderr"; then
                not_ok "$variant chapter$n: a sanitizer report" "$(grep -m3 "Sanitizer\|runtime error" "$tmp/stderr")"
            else
                ok "$variant chapter$n --scale tiny: no sanitizer report"
            fi
        else
            not_ok "$variant chapter$n --scale tiny exits 0" "$(grep -m5 . "$tmp/stderr")"
        fi
    done
done
check "no process left behind" no_leftover
finish sanitize
