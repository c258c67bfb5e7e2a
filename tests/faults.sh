#!/bin/sh
# faults.sh — interruptions and failures mid-run: a chapter stops within 2 s, leaves
# no process in its group, no half-written file, and earlier results intact; a worker
# killed mid-map is reported by task and signal; a full disk is an error, not a mess.
. "$(dirname "$0")/lib.sh"

elapsed_ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# wait_for WHEN SESSION: sleep WHEN seconds, or, for WHEN = "until:PATTERN", until a
# process of the session SESSION (the chapter started it: setsid) has PATTERN in its
# command line (at most 60 s).
wait_for() {
    case $1 in
    until:*) for _ in $(seq 600); do pgrep -s "$2" -f -- "${1#until:}" >/dev/null && return; sleep 0.1; done ;;
    *) sleep "$1" ;;
    esac
}

# interrupt NAME SIGNAL TARGET WHEN CHAPTER ARGS...: start the chapter in a process
# group of its own, send SIGNAL at WHEN (wait_for) to TARGET (leader: the chapter
# alone, as `kill` does; group: everyone, as Ctrl-C does), then check the aftermath.
interrupt() {
    name=$1 sig=$2 target=$3 delay=$4 n=$5
    shift 5
    out=$tmp/int
    rm -rf "$out" && mkdir -p "$out" && echo "earlier results" >"$out/data.csv"
    # A script's background job ignores SIGINT unless told not to; setsid gives it its own group.
    setsid env --default-signal=INT "$BUILD/chapter$n" --out "$out" --quiet "$@" >/dev/null 2>&1 &
    pid=$!
    wait_for "$delay" "$pid"
    if [ "$target" = group ]; then kill -s "$sig" -- "-$pid"; else kill -s "$sig" "$pid"; fi
    t0=$(date +%s%N)
    wait "$pid" 2>/dev/null
    ms=$(elapsed_ms "$t0")
    sleep 0.2 # let the kernel deliver the death signals to any child
    label="chapter$n $name, SIG$sig to the $target"
    check "$label: exits within 2 s ($ms ms)" test "$ms" -lt 2000
    if [ "$sig" = KILL ]; then
        # SIGKILL cannot be caught: the children die with it, PID 1 reaps them.
        check "$label: nothing alive left in its process group" test "$(in_group "$pid")" -eq 0
    else
        # Caught: the chapter killed and reaped its own children before dying.
        check "$label: nothing left in its process group, not even a zombie" test "$(in_group "$pid" any)" -eq 0
    fi
    check "$label: nothing alive left in its session (an interpreter's own group included)" \
        test "$(in_session "$pid")" -eq 0
    check "$label: no server or worker left" no_leftover
    check "$label: earlier results intact" grep -qx "earlier results" "$out/data.csv"
    check "$label: no temporary file" no_temp_files "$out"
}

# Chapter 2 runs GIL-threads, then C threads, then processes (1.25-2.5 s each).
interrupt "in the GIL-threads phase" INT leader 0.8 2 --runtime gil
interrupt "in the C-threads phase" INT leader 0.5 2 --runtime c
interrupt "in the processes phase" INT leader 1.9 2 --runtime c
interrupt "in the processes phase" TERM leader 1.9 2 --runtime c
interrupt "in the processes phase" INT group 1.9 2 --runtime c
# With the latency server as a child too.
interrupt "fetching on threads" INT leader 1.0 4
interrupt "fetching on processes" TERM leader 5.0 5 --runtime c
interrupt "fetching on processes" INT group 5.0 5 --runtime c
interrupt "in the event loop" KILL leader 4.2 8
# Chapter 9's echo peer and CPU processes, chapter 10's zlib runs and CPython.
interrupt "beside CPU processes (the echo peer and burners alive)" INT group 3.5 9 --python none
interrupt "while CPython's echo peer runs" TERM leader until:peer.sendall 9 --scale tiny
interrupt "in its checksum rounds" INT group 2.0 10 --python none
interrupt "in its counting rounds (processes among them)" TERM group 1.5 11
interrupt "with its fork server and workers alive" INT group 0.8 12 --python none
interrupt "while it forks beside a lock-taking thread" TERM leader 3.0 12 --python none

# A worker process killed mid-map: a clear error naming its task, no hang, no zombie.
out=$tmp/killed
"$BUILD/chapter6" --out "$out" --quiet >/dev/null 2>"$tmp/stderr" &
pid=$!
worker=""
# Its pools are short-lived: kill the first worker found alive (retry if it just ended).
for i in $(seq 500); do
    worker=$(pgrep -P "$pid" | head -1)
    if [ -n "$worker" ] && kill -KILL "$worker" 2>/dev/null; then break; fi
    worker=""
    sleep 0.01
done
t0=$(date +%s%N)
wait "$pid"
status=$?
ms=$(elapsed_ms "$t0")
check "a killed worker fails the run with status 1" test "$status" -eq 1
check "a killed worker is reported by task and signal: $(head -1 "$tmp/stderr")" \
    sh -c "grep -q 'task [0-9]* failed: worker [0-9]* (pid $worker) was killed by signal 9' '$tmp/stderr'"
check "a killed worker stops the run within 2 s ($ms ms)" test "$ms" -lt 2000
check "a killed worker is reaped, not left a zombie" test ! -e "/proc/$worker"
check "a killed worker leaves no other worker" no_leftover
check "a killed worker leaves no result files" test ! -e "$out/data.csv"

# A full disk: the write fails with a clear message, and no half-written file stays.
full=$tmp/full
mkdir -p "$full"
if mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
    mkdir -p "$full/out"
    dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null || true
    "$BUILD/chapter1" --scale tiny --out "$full/out" --quiet >/dev/null 2>"$tmp/stderr"
    status=$?
    check "a full disk fails the run with status 1" test "$status" -eq 1
    check "a full disk is one clear line: $(head -1 "$tmp/stderr")" \
        sh -c "[ \$(wc -l <'$tmp/stderr') -eq 1 ] && grep -q 'No space left on device' '$tmp/stderr'"
    check "a full disk leaves no half-written file" sh -c "[ -z \"\$(ls '$full/out')\" ]"
    umount "$full"
    # A figure redrawn on a full disk: the good one stays, and render.sh says so.
    mount -t tmpfs -o size=512k tmpfs "$full"
    "$BUILD/chapter3" --scale tiny --quiet --python none --out "$full/fig" >/dev/null 2>&1 &&
        plots/render.sh 3 "$full/fig" >/dev/null 2>&1
    cp "$full/fig/figure.png" "$tmp/good.png"
    dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null || true
    plots/render.sh 3 "$full/fig" >/dev/null 2>"$tmp/stderr"
    status=$?
    check "a figure redrawn on a full disk: exit non-zero, the good figure kept ($(head -1 "$tmp/stderr"))" \
        sh -c "[ $status -ne 0 ] && cmp -s '$full/fig/figure.png' '$tmp/good.png'"
    check "a figure redrawn on a full disk: no temporary file left" no_temp_files "$full/fig"
    umount "$full"
    # A book rebuilt on a full disk: the previous book stays whole, and no staging folder.
    mount -t tmpfs -o size=8m tmpfs "$full"
    "$BUILD/book" --out "$full/book" >/dev/null 2>&1
    cp "$full/book/index.html" "$tmp/good.html"
    pages=$(find "$full/book" -type f | wc -l)
    dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null || true
    "$BUILD/book" --out "$full/book" >/dev/null 2>"$tmp/stderr"
    status=$?
    check "a book rebuilt on a full disk: exit 1, one line ($(head -1 "$tmp/stderr"))" \
        sh -c "[ $status -eq 1 ] && [ \$(wc -l <'$tmp/stderr') -eq 1 ]"
    check "a book rebuilt on a full disk: the previous book is whole ($pages files)" \
        sh -c "cmp -s '$full/book/index.html' '$tmp/good.html' && [ \$(find '$full/book' -type f | wc -l) -eq $pages ]"
    check "a book rebuilt on a full disk: no staging folder left" sh -c "[ -z \"\$(ls -A '$full/book' | grep '^\\.book-')\" ]"
    umount "$full"
else
    echo "skip - a full disk (cannot mount a small tmpfs here: needs root)"
fi

# Real URLs that fail: no verdict from failed work, and no crash. Every request
# refused: exit 1, one line naming the failure. One of two refused: a run, whose
# verdict says what failed and decides nothing from it.
printf 'http://127.0.0.1:9/closed\n' >"$tmp/closed-urls"
"$BUILD/chapter4" --urls "$tmp/closed-urls" --workers 2 --python none --out "$tmp/closed" --quiet >/dev/null 2>"$tmp/stderr"
status=$?
check "every URL refused: exit 1 with one line, no verdict (status $status)" \
    sh -c "[ $status -eq 1 ] && [ \$(wc -l <'$tmp/stderr') -eq 1 ] && grep -q 'requests failed.*no verdict' '$tmp/stderr'"
"$BUILD/latency-server" --port-file "$tmp/half-port" --profile uniform:0.01 >/dev/null 2>&1 &
server=$!
for i in $(seq 100); do [ -s "$tmp/half-port" ] && break; sleep 0.02; done
printf 'http://127.0.0.1:%s/page/1\nhttp://127.0.0.1:9/closed\n' "$(cat "$tmp/half-port")" >"$tmp/half-urls"
"$BUILD/chapter4" --urls "$tmp/half-urls" --workers 2 --python none --reps 3 --out "$tmp/half" --quiet >"$tmp/stdout" 2>"$tmp/stderr"
status=$?
kill "$server"
wait "$server" 2>/dev/null
check "one URL of two refused: the run ends (status $status)" test "$status" -eq 0
check "one URL of two refused: the error is recorded as a row" \
    grep -q "Could not connect\|Couldn't connect\|Connection refused" "$tmp/half/data.csv"
check "one URL of two refused: the verdict computes no speed from it" \
    sh -c "tr '\\n' ' ' <'$tmp/stdout' | grep -q 'NOT DISTINGUISHABLE HERE for .* requests failed' && ! tr '\\n' ' ' <'$tmp/stdout' | grep -q 'TRUE for\|FALSE for'"
check "no process left behind" no_leftover

finish faults
