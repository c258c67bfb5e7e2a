#!/bin/sh
# bad_inputs.sh — whatever the audience types, a program answers with one line naming
# the problem and exit status 2, and writes nothing: no new file, no changed file.
. "$(dirname "$0")/lib.sh"

# refused WHAT PROGRAM ARGS...: PROGRAM (a chapter number, or "server") refuses ARGS.
# The output directory holds an earlier result that must come through untouched.
refused() {
    what=$1 program=$2
    shift 2
    out=$tmp/out
    rm -rf "$out" && mkdir -p "$out" && echo "earlier results" >"$out/data.csv"
    if [ "$program" = server ]; then
        "$BUILD/latency-server" --port-file "$out/port" "$@" >"$tmp/stdout" 2>"$tmp/stderr" &
        pid=$!
        # A server that starts would wait for a signal: give it a moment, then stop it.
        sleep 0.3
        kill "$pid" 2>/dev/null
        wait "$pid"
        status=$?
        name="latency-server $*"
    else
        "$BUILD/chapter$program" --scale tiny --out "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
        status=$?
        name="chapter$program $*"
    fi
    lines=$(wc -l <"$tmp/stderr")
    untouched=$([ "$(ls "$out")" = data.csv ] && grep -qx "earlier results" "$out/data.csv" && echo yes)
    if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$what" "$tmp/stderr" && [ "$untouched" = yes ]; then
        ok "$name: exit 2, one line naming $what, nothing written"
    else
        not_ok "$name is refused" "status $status, $lines lines, untouched: ${untouched:-no}: $(head -c 300 "$tmp/stderr")"
    fi
}

# Every shared numeric flag: zero, negative, not a number, overflowing, out of range.
for n in $(chapter_numbers); do
    refused --jobs "$n" --jobs 0
    refused --jobs "$n" --jobs abc
done
for value in 0 -3 abc 2x "" 99999999999999999999 1025 1.5; do refused --jobs 1 --jobs "$value"; done
for value in 0 -1 seven 18446744073709551617 1025; do refused --workers 1 --workers "$value"; done
for value in 0 -1 many 101 99999999999999999999; do refused --reps 3 --reps "$value"; done
for value in 0 -1 abc 1e400 3600000 nan inf 5ms; do refused --switch-interval 2 --switch-interval "$value"; done
for value in 0 -5 x 100001 99999999999999999999; do refused --gap-us 2 --gap-us "$value"; done
for value in 0 -1 many 1025 99999999999999999999; do refused --requests 4 --requests "$value"; done
for value in 0 99 x 99999999999999999999; do refused --tiny-tasks 6 --tiny-tasks "$value"; done
for value in -1 x 65537 99999999999999999999; do refused --max-rss-mib 0 --max-rss-mib "$value"; done
for value in -1 x 1001 1e400; do refused --cpu-ms 7 --cpu-ms "$value"; done

# Words and flags.
refused --scale 1 --scale huge
refused --scale 1 --scale Class
refused --runtime 3 --runtime python
refused --runtime 3 --runtime C
refused "unknown flag" 2 --bogus
refused "unknown flag" 2 -j 2
refused "unknown flag" 4 requests
refused "needs a value" 1 --jobs
refused "needs a value" 5 --profile
refused "quote the flags" 3 --reps --quiet

# make's own mistakes: a chapter that does not exist, "make chapter 3", an unquoted ARGS.
make_says() { # make_says WHAT ARGS...: exit 2, and a line holding WHAT (make adds its own "Error" line)
    what=$1
    shift
    make -s --no-print-directory "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    check "make $*: exit 2, saying $what" sh -c "[ $status -eq 2 ] && grep -q -- '$what' '$tmp/stderr'"
}
make_says "there is no chapter99; the chapters are 0 1" chapter99
make_says "a chapter is one word: make chapter3" chapter 3
make_says "no target .12. (make help" 12
make_says "--out needs a value (try --help; through make, quote the flags" chapter3 ARGS=--out
for n in $(chapter_numbers); do refused "--python: /nonexistent/python3 is not an executable" "$n" --python /nonexistent/python3; done
refused "--python: no-such-python is not an executable" 3 --python no-such-python
refused "--python: /etc/passwd is not an executable" 1 --python /etc/passwd
refused "--python: /tmp is not an executable" 2 --python /tmp
refused "--jobs has no effect here" 6 --jobs 2

# Where the results would go: a later --out wins over the helper's own.
refused "not writable" 1 --out /proc/1/results
refused "Not a directory" 1 --out /dev/null/results
refused "--out" 1 --out ""
mkdir -p "$tmp/real-out" && ln -sfn "$tmp/real-out" "$tmp/link-out"
refused "is a symbolic link" 1 --out "$tmp/link-out"

# Chapter 9's measurement window.
refused "--window-ms" 9 --window-ms 0
refused "--window-ms" 9 --window-ms abc
refused "--window-ms" 9 --window-ms 1e9

# Chapter 12's sizes.
refused "--forks" 12 --forks 1
refused "--forks" 12 --forks many
refused "--max-rss-mib" 12 --max-rss-mib -5

# The I/O chapters' own inputs.
printf 'http://127.0.0.1:9/a\nnot a url\n' >"$tmp/bad-urls"
printf '# only a comment\n\n' >"$tmp/empty-urls"
: >"$tmp/blank-urls"
for n in 4 5 7 8; do
    refused "profile" "$n" --profile bogus
    refused "profile" "$n" --profile uniform:-1
    refused "profile" "$n" --profile lognormal:0.1
    refused "profile" "$n" --profile uniform:1e999
    refused "No such file" "$n" --urls "$tmp/no-such-file"
    refused ":2:" "$n" --urls "$tmp/bad-urls"
    refused "no URLs" "$n" --urls "$tmp/empty-urls"
done
refused "no URLs" 4 --urls "$tmp/blank-urls"
refused "is a directory" 4 --urls "$tmp"
# Inputs that never end or that are not text: refused at once, never read for ever.
mkfifo "$tmp/fifo-urls"
refused "is not a regular file" 4 --urls "$tmp/fifo-urls"
refused "is not a regular file" 5 --urls /dev/zero
refused "is not a regular file" 8 --urls /dev/null
head -c 2000000 /dev/zero | tr '\0' 'a' >"$tmp/huge-urls"
refused "larger than 1 MiB" 4 --urls "$tmp/huge-urls"
{ printf 'http://127.0.0.1:9/a\n'; head -c 5000 /dev/zero | tr '\0' 'a'; printf '\nhttp://127.0.0.1:9/b\n'; } >"$tmp/long-urls"
refused ":2: a line longer than 2048" 7 --urls "$tmp/long-urls"
printf 'http://127.0.0.1:9/a\nhttp://127.0.0.1:9/\033[31mred\n' >"$tmp/escape-urls"
refused ":2: not an http(s) URL: 'http://127.0.0.1:9/?\[31mred'" 4 --urls "$tmp/escape-urls"
printf 'http://127.0.0.1:9/a\000\nhttp://127.0.0.1:9/b\n' >"$tmp/nul-urls"
refused "NUL byte" 4 --urls "$tmp/nul-urls"
printf 'ftp://127.0.0.1/a\n' >"$tmp/ftp-urls"
refused "not an http(s) URL" 4 --urls "$tmp/ftp-urls"

# The latency server itself.
refused "profile" server --profile bogus
refused "profile" server --profile uniform:
refused "--port" server --port 70000
refused "--port" server --port abc
refused "--body-bytes" server --body-bytes -1
refused "--seed" server --seed x
refused "unknown flag" server --verbose
refused "needs a value" server --profile
"$BUILD/latency-server" --port-file "$tmp/taken" >/dev/null 2>&1 &
holder=$!
for i in $(seq 50); do [ -s "$tmp/taken" ] && break; sleep 0.05; done
refused "cannot listen" server --port "$(cat "$tmp/taken")"
kill "$holder"
wait "$holder"
check "no process left behind by refused runs" no_leftover

# The test runner's own setting: refused in one line before any part starts (a part
# started would take minutes; the timeout says so).
for jobs in 0 00 abc -1 1.5; do
    env TEST_JOBS="$jobs" timeout 20 tests/run.sh >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    check "TEST_JOBS='$jobs': exit 2, one line naming TEST_JOBS and the value, no part started" \
        sh -c '[ "$1" -eq 2 ] && [ "$(wc -l <"$2/stderr")" -eq 1 ] && [ ! -s "$2/stdout" ] &&
            grep -qF "TEST_JOBS: expected how many parts run at a time, a whole number from 1, got '"'"'$3'"'"'" "$2/stderr"' \
        - "$status" "$tmp" "$jobs"
done

finish bad_inputs
