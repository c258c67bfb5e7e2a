#!/bin/sh
# e2e.sh — every chapter end to end at --scale tiny: exit 0, the documented CSV,
# summary.md, both figures, no process or temporary file left behind.
. "$(dirname "$0")/lib.sh"

HEADER="chapter,mode,workers,rep,task,worker,pid,start_s,end_s,cpu_s,core,vcsw,ivcsw,result"

first_data_line() { grep -v '^#' "$1" | head -1; }

for n in $(chapter_numbers); do
    out=$tmp/ch$n
    if "$BUILD/chapter$n" --scale tiny --out "$out" --quiet >"$tmp/stdout" 2>"$tmp/stderr"; then
        ok "chapter$n --scale tiny exits 0"
    else
        not_ok "chapter$n --scale tiny exits 0" "$(cat "$tmp/stderr")"
        continue
    fi
    check "chapter$n prints a computed verdict" grep -q '^VERDICT: ' "$tmp/stdout"
    check "chapter$n data.csv has the documented header" \
        test "$(first_data_line "$out/data.csv" | cut -d, -f1-14)" = "$HEADER"
    check "chapter$n data.csv has its machine preamble" grep -q '^# cores=[0-9]' "$out/data.csv"
    check "chapter$n data.csv has rows for every mode" \
        test "$(grep -v '^#' "$out/data.csv" | awk -F, -v n="$n" '$1 == n && $2 != ""' | wc -l)" -ge 4
    check "chapter$n summary.md has the table and verdict" \
        sh -c "[ \$(grep -c '^| ' '$out/summary.md') -ge 3 ] && grep -q '^\*\*Verdict:\*\*' '$out/summary.md'"
    check "chapter$n leaves no temporary file" no_temp_files "$out"
    if command -v gnuplot >/dev/null 2>&1; then
        plots/render.sh "$n" "$out" >/dev/null 2>"$tmp/gp" || not_ok "chapter$n figure renders" "$(cat "$tmp/gp")"
        check "chapter$n figure.png is a PNG" sh -c "head -c 8 '$out/figure.png' | grep -q PNG"
        check "chapter$n figure.svg is an SVG" grep -q '<svg' "$out/figure.svg"
        check "chapter$n gnuplot said nothing" test ! -s "$tmp/gp"
    else
        not_ok "chapter$n figure (gnuplot missing: make deps)"
    fi
    check "chapter$n leaves no process behind" no_leftover
    check "chapter$n --help exits 0" sh -c "'$BUILD/chapter$n' --help >/dev/null"
    check "chapter$n --version exits 0" sh -c "'$BUILD/chapter$n' --version | grep -q threads-vs-processes"
done

finish e2e
