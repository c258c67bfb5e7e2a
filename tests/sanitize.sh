#!/bin/sh
# sanitize.sh — every chapter, built with ThreadSanitizer and with AddressSanitizer+UBSan
# (and the latency server they start, built the same way), at --scale tiny. Any
# sanitizer report fails the run. `make sanitize` builds the programs first.
. "$(dirname "$0")/lib.sh"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

for variant in tsan asan; do
    for n in $(chapter_numbers); do
        program=build/$variant/chapter$n
        if [ ! -x "$program" ]; then
            not_ok "$program is missing (make sanitize builds it)"
            continue
        fi
        if "$program" --scale tiny --out "$tmp/$variant-$n" --quiet >"$tmp/stdout" 2>"$tmp/stderr"; then
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
