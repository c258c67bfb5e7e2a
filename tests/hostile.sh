#!/bin/sh
# hostile.sh — a hostile environment and hostile data: planted links and FIFOs, a
# proxy in the environment, closed or full standard streams, a file-size limit, two
# runs into one directory, names and data that would be code to gnuplot or the shell.
# Each class of attack must fail safely: one line and a clear status, or a correct
# run; never a write through a link, a hang, a proxy for the lab, a half-written file,
# or code run from data.
. "$(dirname "$0")/lib.sh"

# ---- 1. planted links and FIFOs in the output directory --------------------------
out=$tmp/planted
mkdir -p "$out"
echo "precious" >"$tmp/precious"
ln -s "$tmp/precious" "$out/data.csv"
"$BUILD/chapter3" --scale tiny --python none --quiet --out "$out" >/dev/null 2>"$tmp/err"
status=$?
check "a symlink planted as data.csv: the run fails (exit 1, one line)" \
    sh -c "[ $status -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'data.csv' '$tmp/err'"
check "a symlink planted as data.csv: its target is untouched" grep -qx precious "$tmp/precious"
check "a symlink planted as data.csv: the link is still a link" test -L "$out/data.csv"
check "a symlink planted as data.csv: no temporary file is left" no_temp_files "$out"

out=$tmp/fifo
mkdir -p "$out"
mkfifo "$out/summary.md"
timeout 60 "$BUILD/chapter3" --scale tiny --python none --quiet --out "$out" >/dev/null 2>"$tmp/err"
status=$?
check "a FIFO planted as summary.md: no hang, exit 1 (status $status)" test "$status" -eq 1
check "a FIFO planted as summary.md: still a FIFO, nothing written into it" test -p "$out/summary.md"

# Temporary names are not predictable: links planted for the next pids catch nothing.
out=$tmp/pids
mkdir -p "$out"
next=$(sh -c 'echo $$')
for i in $(seq 1 300); do
    for f in data.csv modes.csv summary.md plot-vars.gp; do ln -s "$tmp/precious" "$out/$f.tmp.$((next + i))"; done
done
"$BUILD/chapter1" --scale tiny --python none --quiet --out "$out" >/dev/null 2>"$tmp/err"
check "links planted at <name>.tmp.<pid>: the run succeeds" test -s "$out/summary.md"
check "links planted at <name>.tmp.<pid>: their target is untouched" grep -qx precious "$tmp/precious"

check "the latency server refuses a --port-file that is not a regular file" \
    sh -c "'$BUILD/latency-server' --port-file /dev/null >/dev/null 2>'$tmp/err'; [ \$? -eq 2 ] && [ -c /dev/null ]"
ln -s "$tmp/precious" "$tmp/port-link"
check "the latency server refuses a --port-file that is a symlink" \
    sh -c "'$BUILD/latency-server' --port-file '$tmp/port-link' >/dev/null 2>&1; [ \$? -eq 2 ] && grep -qx precious '$tmp/precious'"

# ---- 2. a proxy in the environment ----------------------------------------------
if http_proxy=http://127.0.0.1:1 HTTP_PROXY=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1 all_proxy=http://127.0.0.1:1 \
    "$BUILD/chapter4" --scale tiny --python none --quiet --out "$tmp/proxy" >"$tmp/out" 2>"$tmp/err"; then
    ok "a dead proxy in the environment: the lab's chapter still runs"
    check "a dead proxy in the environment: no request failed" sh -c "! tr '\\n' ' ' <'$tmp/out' | grep -q 'requests failed'"
else
    not_ok "a dead proxy in the environment: the lab's chapter still runs" "$(cat "$tmp/err")"
fi

# ---- 3. failed work never becomes a verdict ----------------------------------------
sh -c "ulimit -n 60; exec '$BUILD/chapter4' --scale tiny --python none --workers 256 --requests 256 --quiet --out '$tmp/fd'" \
    >"$tmp/out" 2>"$tmp/err"
status=$?
check "too few open files for 256 requests: it says so before starting" grep -q 'open files; the limit here is 60' "$tmp/err"
check "too few open files: exit 1, and no verdict from the failed requests (status $status)" \
    sh -c "[ $status -eq 1 ] && grep -q 'requests failed.*no verdict' '$tmp/err' && ! grep -q VERDICT '$tmp/out'"

# ---- 4. standard streams ----------------------------------------------------------
"$BUILD/chapter8" --scale tiny --out "$tmp/full" >/dev/full 2>"$tmp/err"
status=$?
check "stdout on a full device: exit 1 and a line saying so (status $status)" \
    sh -c "[ $status -eq 1 ] && grep -q 'standard output' '$tmp/err'"
if command -v python3 >/dev/null 2>&1; then
    "$BUILD/chapter4" --scale tiny --quiet --out "$tmp/closed" <&- >/dev/null 2>"$tmp/err"
    check "stdin closed: CPython still gets its URLs and its rows are there" grep -q '^4,cpython-threads,' "$tmp/closed/data.csv"
fi

# ---- 5. a file-size limit ---------------------------------------------------------
out=$tmp/fsize
sh -c "ulimit -f 2; exec '$BUILD/chapter1' --scale tiny --python none --quiet --out '$out'" >/dev/null 2>"$tmp/err"
status=$?
check "a file-size limit: exit 1 with one line, not a signal (status $status)" \
    sh -c "[ $status -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ]"
check "a file-size limit: no temporary file left" no_temp_files "$out"

# ---- 6. two runs into one directory -----------------------------------------------
out=$tmp/twice
"$BUILD/chapter8" --scale tiny --quiet --out "$out" >/dev/null 2>&1 &
first=$!
for i in $(seq 100); do [ -d "$out" ] && break; sleep 0.01; done
sleep 0.1
"$BUILD/chapter3" --scale tiny --python none --quiet --out "$out" >/dev/null 2>"$tmp/err"
status=$?
wait "$first"
check "a second run into a directory in use is refused (exit 2, one line)" \
    sh -c "[ $status -eq 2 ] && grep -q 'in use by another run' '$tmp/err'"
check "the first run's results are its own" grep -q '^# chapter=8$' "$out/data.csv"

# A result set lands whole: staged in DIR/.run-XXXXXX and moved in at the end. An
# interrupted run leaves the previous set untouched and no staging folder behind.
out=$tmp/whole
"$BUILD/chapter8" --scale tiny --quiet --out "$out" >/dev/null 2>&1
cp "$out/summary.md" "$tmp/before.md"
"$BUILD/chapter2" --scale tiny --reps 8 --python none --quiet --out "$out" >/dev/null 2>&1 &
pid=$!
sleep 0.4
kill -TERM "$pid" # (a background job of a script ignores SIGINT)
wait "$pid"
check "an interrupted run leaves the previous summary whole" cmp -s "$out/summary.md" "$tmp/before.md"
check "an interrupted run leaves the previous data.csv (chapter 8's)" grep -q '^# chapter=8$' "$out/data.csv"
no_staging() { [ -z "$(ls -A "$1" | grep '^\.run-')" ]; }
check "an interrupted run leaves no staging folder" no_staging "$out"
"$BUILD/chapter2" --scale tiny --python none --quiet --out "$out" >/dev/null 2>&1
check "a finished run replaces the set: data and summary are chapter 2's" \
    sh -c "grep -q '^# chapter=2\$' '$out/data.csv' && grep -q '^## Chapter 2: ' '$out/summary.md'"
check "a finished run leaves no staging folder" no_staging "$out"
check "a finished run leaves chapter 8's extra file alone (it is not in the new set)" test -f "$out/memory.csv"

# ---- 7. names and data are never code ---------------------------------------------
weird="$tmp/it's \`touch $tmp/pwned\` \$(touch $tmp/pwned2)"
"$BUILD/chapter3" --scale tiny --python none --quiet --out "$weird" >/dev/null 2>&1
if command -v gnuplot >/dev/null 2>&1; then
    plots/render.sh 3 "$weird" >/dev/null 2>"$tmp/err"
    check "a directory name with quotes, backquotes and \$(): the figure is drawn" test -s "$weird/figure.svg"
fi
check "a directory name with quotes, backquotes and \$(): nothing was run" sh -c "[ ! -e '$tmp/pwned' ] && [ ! -e '$tmp/pwned2' ]"
no_double_quotes() { ! grep -v '^#' "$1" | grep -q '"'; }
check "strings in plot-vars.gp are single-quoted data" no_double_quotes "$weird/plot-vars.gp"
# A failed drawing keeps the previous figure whole, and leaves no temporary file.
cp "$weird/figure.svg" "$tmp/good.svg"
echo "this is not gnuplot" >>"$weird/plot-vars.gp"
plots/render.sh 3 "$weird" >/dev/null 2>&1
check "a failed drawing leaves the previous figure whole" cmp -s "$weird/figure.svg" "$tmp/good.svg"
check "a failed drawing leaves no temporary figure" no_temp_files "$weird"

# A results folder from someone else is data: a plot-vars.gp that calls system() or
# holds a backquote is not loaded by gnuplot, and render.sh says which line.
mkdir -p "$tmp/foreign"
"$BUILD/chapter3" --scale tiny --quiet --python none --out "$tmp/foreign" >/dev/null 2>&1
for payload in "x = system('touch $tmp/pwned-gp')" "note = \`touch $tmp/pwned-gp\`" "mode_color(m) = system('touch $tmp/pwned-gp')" \
    "set output '|touch $tmp/pwned-gp'" "output = '$tmp/pwned-gp'" "GPVAL_TERM = 'x'"; do
    cp "$tmp/foreign/plot-vars.gp" "$tmp/foreign/vars.orig"
    printf '%s\n' "$payload" >>"$tmp/foreign/plot-vars.gp"
    plots/render.sh 3 "$tmp/foreign" >/dev/null 2>"$tmp/err"
    status=$?
    check "render.sh refuses a plot-vars.gp holding: $payload (exit 1, one line, nothing run)" \
        sh -c "[ $status -eq 1 ] && [ ! -e '$tmp/pwned-gp' ] && grep -q 'not drawn, it is not data' '$tmp/err'"
    mv "$tmp/foreign/vars.orig" "$tmp/foreign/plot-vars.gp"
done
plots/render.sh 3 "$tmp/foreign" >/dev/null 2>&1
check "...while the chapter's own plot-vars.gp draws" test -s "$tmp/foreign/figure.svg"

# ---- 8. folders and files swapped for links by a second process, during the run ----
# Someone who can write into a shared results folder watches it and, the moment a run
# creates something there (its staging folder, a figure's temporary file, the book's
# figures/ and source/), moves it aside and puts a link to a folder of theirs in its
# place. Writes go by descriptor, so whatever the timing nothing lands in that folder;
# the run either succeeds or fails with one line.
victim=$tmp/victim
mkdir -p "$victim"
# racer DIR SECONDS PREFIX...: swap every new entry of DIR whose name starts with a
# PREFIX, as fast as it can, for SECONDS; prints how many it swapped.
racer() {
    folder=$1
    shift
    python3 -c '
import os, sys, time
folder, victim, until, prefixes = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3]), tuple(sys.argv[4:])
swaps = 0
while time.time() < until:
    time.sleep(0.0002)  # a fifth of a millisecond: still inside every window, without taking a core
    try: names = os.listdir(folder)
    except OSError: continue
    for name in names:
        path = os.path.join(folder, name)
        if not name.startswith(prefixes) or name.endswith(".moved") or os.path.islink(path): continue
        try:
            os.rename(path, path + ".moved"); os.symlink(victim, path); swaps += 1
        except OSError: pass
print(swaps)' "$folder" "$victim" "$@"
}
# ...and the check is not empty: the racer did swap something.
victim_untouched() { [ "$(cat "$tmp/swaps")" -gt 0 ] && [ -z "$(ls -A "$victim")" ]; }
one_line_or_success() { [ "$1" -eq 0 ] || { [ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ]; }; }
# under_race N COMMAND...: run COMMAND N times while the racer ($racing) runs, then
# wait for it; $statuses lists the exits that were neither a success nor one line.
under_race() {
    times=$1
    shift
    statuses=
    for i in $(seq "$times"); do
        "$@" >/dev/null 2>"$tmp/err-$i"
        status=$?
        one_line_or_success "$status" "$tmp/err-$i" || statuses="$statuses $status"
    done
    wait "$racing"
}
if command -v python3 >/dev/null 2>&1; then
    out=$tmp/raced-run
    mkdir -p "$out"
    racer "$out" 6 .run- >"$tmp/swaps" &
    racing=$!
    under_race 6 "$BUILD/chapter3" --scale tiny --python none --quiet --out "$out"
    check "staging folders swapped for links while chapter 3 runs ($(cat "$tmp/swaps") swaps): nothing written through them" \
        victim_untouched
    check "staging folders swapped: every run succeeded or failed with one line${statuses:+ (not:$statuses)}" test -z "$statuses"

    if command -v gnuplot >/dev/null 2>&1; then
        out=$tmp/raced-figure
        "$BUILD/chapter3" --scale tiny --python none --quiet --out "$out" >/dev/null 2>&1
        racer "$out" 4 figure.png.tmp figure.svg.tmp >"$tmp/swaps" &
        racing=$!
        under_race 4 plots/render.sh 3 "$out"
        check "figure temporaries swapped for links while drawing ($(cat "$tmp/swaps") swaps): nothing written through them" \
            victim_untouched
        check "figure temporaries swapped: no figure is a link" sh -c "[ ! -L '$out/figure.png' ] && [ ! -L '$out/figure.svg' ]"
        check "figure temporaries swapped: every drawing succeeded or failed with one line${statuses:+ (not:$statuses)}" \
            test -z "$statuses"
    fi

    out=$tmp/raced-book
    "$BUILD/book" --out "$out" >/dev/null 2>&1
    racer "$out" 4 figures source >"$tmp/swaps" &
    racing=$!
    under_race 4 "$BUILD/book" --out "$out"
    check "the book's figures/ and source/ swapped for links ($(cat "$tmp/swaps") swaps): nothing written through them" \
        victim_untouched
    check "the book's folders swapped: every build succeeded or failed with one line${statuses:+ (not:$statuses)}" \
        test -z "$statuses"
fi

check "no process left behind" no_leftover
finish hostile
