#!/bin/sh
# e2e.sh — every chapter end to end at --scale tiny, and every bad flag refused.
# Prints "ok"/"not ok" per check and "e2e: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d /tmp/tvp-e2e-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok()     { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "    $2"; }
check()  { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

HEADER="chapter,mode,workers,rep,task,worker,pid,start_s,end_s,cpu_s,core,vcsw,ivcsw,result"

first_data_line() { grep -v '^#' "$1" | head -1; }
no_leftover() { ! pgrep -f "$BUILD/(chapter[0-9]|latency-server)" >/dev/null 2>&1; }
no_temp_files() { [ -z "$(find "$1" -name '*.tmp.*' 2>/dev/null)" ]; }

for n in 0 1 2 3 4 5 6 7 8; do
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
        test "$(grep -c "^$n,\(serial\|gil-threads\|threads\|processes\|event-loop\)," "$out/data.csv")" -ge 4
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

# Bad input: exit 2, exactly one line on stderr naming the problem, nothing written.
bad() {
    n=$1 what=$2; shift 2
    out=$tmp/bad-$n
    rm -rf "$out"
    "$BUILD/chapter$n" --out "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    lines=$(wc -l <"$tmp/stderr")
    if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$what" "$tmp/stderr" && [ ! -e "$out" ]; then
        ok "chapter$n $* is refused (exit 2, one line)"
    else
        not_ok "chapter$n $* is refused (exit 2, one line)" "status $status, $lines lines: $(cat "$tmp/stderr")"
    fi
}
for n in 0 1 2 3 4 5 6 7 8; do
    bad "$n" --jobs --jobs 0
    bad "$n" --jobs --jobs -3
    bad "$n" --jobs --jobs abc
    bad "$n" --jobs --jobs 99999999999999999999
    bad "$n" --workers --workers 0
    bad "$n" --reps --reps 0
    bad "$n" --scale --scale huge
    bad "$n" --runtime --runtime python
    bad "$n" --switch-interval --switch-interval -1
    bad "$n" --switch-interval --switch-interval 0
    bad "$n" --switch-interval --switch-interval 3600000
    bad "$n" "unknown flag" --bogus
done
bad 2 --gap-us --gap-us 0
printf 'http://127.0.0.1:9/a\nnot a url\n' >"$tmp/bad-urls"
printf '# only a comment\n\n' >"$tmp/empty-urls"
bad 0 --max-rss-mib --max-rss-mib -1
bad 6 --tiny-tasks --tiny-tasks 0
bad 7 --cpu-ms --cpu-ms -1
for n in 4 5 7 8; do
    bad "$n" --requests --requests 0
    bad "$n" --requests --requests many
    bad "$n" "profile" --profile uniform:-1
    bad "$n" "profile" --profile lognormal:0.1
    bad "$n" "profile" --profile bogus
    bad "$n" "No such file" --urls "$tmp/no-such-file"
    bad "$n" ":2:" --urls "$tmp/bad-urls"
    bad "$n" "no URLs" --urls "$tmp/empty-urls"
done

# Real URLs: a closed port gives error rows, not a crash.
printf 'http://127.0.0.1:9/closed\n' >"$tmp/closed-urls"
if build/chapter4 --urls "$tmp/closed-urls" --workers 2 --out "$tmp/closed" --quiet >/dev/null 2>"$tmp/stderr"; then
    check "a closed port is recorded as an error row" grep -q "Could not connect\|Couldn't connect\|Connection refused" \
        "$tmp/closed/data.csv"
else
    not_ok "chapter4 --urls to a closed port exits 0" "$(cat "$tmp/stderr")"
fi

# Interrupted mid-run (Ctrl-C, kill): out within 2 s, no server or worker left, no
# half-written file, earlier results untouched.
for n in 4 5; do
    out=$tmp/int$n
    mkdir -p "$out" && echo "earlier results" >"$out/data.csv"
    for sig in INT TERM; do
        # A background job of a script ignores SIGINT unless told not to, as a terminal's would not.
        env --default-signal=INT "$BUILD/chapter$n" --out "$out" --quiet >/dev/null 2>&1 &
        pid=$!
        sleep 1.5
        kill -s "$sig" "$pid"
        t0=$(date +%s%N)
        wait "$pid" 2>/dev/null
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        sleep 0.3
        check "chapter$n stops within 2 s of SIG$sig (${ms} ms)" test "$ms" -lt 2000
        check "chapter$n leaves no server or worker after SIG$sig" no_leftover
        check "chapter$n leaves earlier results after SIG$sig" grep -q "earlier results" "$out/data.csv"
        check "chapter$n leaves no temporary file after SIG$sig" no_temp_files "$out"
    done
done

# A bad flag does not touch earlier results.
keep=$tmp/keep
mkdir -p "$keep" && echo "earlier results" >"$keep/data.csv"
"$BUILD/chapter1" --out "$keep" --jobs 0 2>/dev/null
check "a refused run leaves earlier results intact" grep -q "earlier results" "$keep/data.csv"

# An --out that cannot be a directory.
"$BUILD/chapter1" --scale tiny --out /dev/null/x >/dev/null 2>"$tmp/stderr"
status=$?
check "an impossible --out exits 2 with one line" \
    sh -c "[ $status -eq 2 ] && [ \$(wc -l <'$tmp/stderr') -eq 1 ] && grep -q -- --out '$tmp/stderr'"

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
