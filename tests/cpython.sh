#!/bin/sh
# cpython.sh — real CPython beside the emulation (every chapter): original.py's rows
# land in data.csv and summary.md; no python3, --python none, a broken interpreter
# and garbage output each leave a chapter that still succeeds and says why in one
# line; a free-threaded interpreter is labelled as such; an interrupted python3
# leaves no process behind.
. "$(dirname "$0")/lib.sh"

PYTHON=$(command -v python3 || true)
rows() { grep -c "^$2,[^,]*,$3," "$1/data.csv"; } # rows of chapter $2's mode $3 (any series) in dir $1

# A stand-in interpreter: a shell script in $tmp/bin named $1 whose body is $2.
fake() {
    mkdir -p "$tmp/bin"
    printf '#!/bin/sh\n%s\n' "$2" >"$tmp/bin/$1"
    chmod +x "$tmp/bin/$1"
}

if [ -z "$PYTHON" ]; then
    echo "skip - python3 is not installed: the CPython rows cannot be checked"
    finish cpython
    exit
fi

# 1. Each chapter's CPython modes, with the interpreter and the agreement stated.
expect_0="cpython-threads cpython-processes"
expect_1="cpython-serial cpython-threads cpython-processes"
expect_2="cpython-threads cpython-processes"
expect_3="cpython-serial cpython-threads"
expect_4="cpython-serial cpython-threads"
expect_5="cpython-processes cpython-threads"
expect_6="cpython-serial cpython-processes"
expect_7="cpython-processes cpython-threads"
expect_8="cpython-serial cpython-threads cpython-asyncio"
expect_9="cpython-threads"
expect_10="cpython-serial cpython-threads"
expect_11="cpython-threads"
expect_12="cpython-processes"
expect_13="cpython-mpi"
for n in $(chapter_numbers); do
    # A chapter whose CPython runs under mpirun (13: mpi4py) has no CPython rows without
    # Open MPI, or without a python3 that imports mpi4py (Debian's python3-mpi4py).
    if grep -q mpi4py "$(chapter_dir "$n")/original.py" 2>/dev/null && ! { command -v mpirun >/dev/null 2>&1 &&
        { python3 -I -c 'import mpi4py' 2>/dev/null || /usr/bin/python3 -I -c 'import mpi4py' 2>/dev/null; }; }; then
        echo "skip - chapter$n's CPython rows need Open MPI (mpirun) and mpi4py (make deps installs both)"
        continue
    fi
    out=$(tiny_run "$n") # lib.sh: as a student runs it, with python3
    # What it said on stderr besides its progress lines ("[chapterN +1.2 s] round 1: ...").
    grep -v '^\[chapter[0-9]* +[0-9.]* s\] ' "$out.stderr" >"$tmp/stderr"
    if ! tiny_run_ok "$out"; then
        not_ok "chapter$n with python3 exits 0" "$(cat "$tmp/stderr")"
        continue
    fi
    eval "modes=\$expect_$n"
    for mode in $modes; do
        check "chapter$n has $mode rows" test "$(rows "$out" "$n" "$mode")" -ge 1
    done
    check "chapter$n names the interpreter in data.csv" grep -q '^# python=CPython 3\.[0-9]*\.[0-9]* (/' "$out/data.csv"
    check "chapter$n's summary says which CPython ran original.py" \
        grep -q "Real CPython: CPython 3.* ran \`\(mpirun [^\`]* \)\?[^ \`]*python3 -I -B $(chapter_dir "$n")/original.py --modes " "$out/summary.md"
    check "chapter$n's summary compares the emulation with CPython" \
        grep -q "against real CPython" "$out/summary.md"
    check "chapter$n's summary table has the CPython rows" grep -q '^| CPython ' "$out/summary.md"
    check "chapter$n said nothing on stderr" test ! -s "$tmp/stderr"
    check "chapter$n tells the figure about CPython" grep -q "^python_modes = 'cpython-" "$out/plot-vars.gp"
    check "chapter$n wrote no __pycache__ into the source tree" \
        test -z "$(find chapters -name __pycache__ 2>/dev/null)"
done
# Every original.py with process pools gives the same result under every start method:
# its settings reach the workers as arguments, not as globals only a forked child sees.
"$BUILD/latency-server" --port-file "$tmp/sm-port" --profile uniform:0.2 >/dev/null 2>&1 &
sm_server=$!
for i in $(seq 100); do [ -s "$tmp/sm-port" ] && break; sleep 0.02; done
printf 'http://127.0.0.1:%s/page/%d\n' "$(cat "$tmp/sm-port")" 1 "$(cat "$tmp/sm-port")" 2 >"$tmp/sm-urls"
for method in fork spawn forkserver; do
    o=$tmp/sm-$method
    "$PYTHON" chapters/01-same-thing/original.py --modes processes --jobs 2 --workers 2 --seconds 0.02 \
        --start-method "$method" >"$o.1" 2>&1
    check "chapter 1's original.py under $method: two jobs, one sum" \
        sh -c "[ \$(grep -c '^task,processes' '$o.1') -eq 2 ] && [ \$(grep '^task,processes' '$o.1' | cut -d, -f14 | sort -u | wc -l) -eq 1 ]"
    check "chapter 1's original.py under $method says so" grep -q "^# start_method=$method\$" "$o.1"
    "$PYTHON" chapters/02-parallel/original.py --modes processes --jobs 2 --workers 2 --seconds 0.05 --gap-us 2000000 \
        --start-method "$method" >"$o.2" 2>&1
    check "chapter 2's original.py under $method: its --gap-us (2 s) reached the workers (one interval per job, not the default 50 us's many)" \
        test "$(grep -c '^running,processes' "$o.2")" -eq 2
    "$PYTHON" chapters/05-processes-io/original.py --modes processes --workers 2 --timeout 0.05 \
        --start-method "$method" <"$tmp/sm-urls" >"$o.5" 2>/dev/null
    check "chapter 5's original.py under $method: its --timeout reached the workers (0.2 s pages time out)" \
        sh -c "[ \$(grep '^task,processes' '$o.5' | cut -d, -f14 | grep -c '^-1\$') -eq 2 ]"
    "$PYTHON" chapters/10-releases-the-gil/original.py --modes processes --jobs 2 --workers 2 --seconds 0.01 \
        --sizes 4096 --kernel sha256 --start-method "$method" >"$o.10" 2>&1
    check "chapter 10's original.py under $method: two jobs" test "$(grep -c '^task,processes' "$o.10")" -eq 2
done
kill "$sm_server"
wait "$sm_server" 2>/dev/null

# Where resource.RUSAGE_THREAD is missing (macOS, Windows), the harness degrades: the
# run goes on, its context-switch columns at zero.
"$PYTHON" -c "import resource, runpy, sys
del resource.RUSAGE_THREAD
sys.argv = ['original.py', '--modes', 'threads', '--jobs', '2', '--seconds', '0.01']
runpy.run_path('chapters/01-same-thing/original.py', run_name='__main__')" >"$tmp/no-rusage" 2>&1
check "without RUSAGE_THREAD original.py still runs, its switch counts at zero" \
    sh -c "[ \$(grep -c '^task,threads' '$tmp/no-rusage') -eq 2 ] && ! grep '^task,threads' '$tmp/no-rusage' | cut -d, -f11,12 | grep -qv '^0,0\$'"

# Every CPython task of chapter 1 computed the same sum, and threads share one pid.
check "chapter1's CPython jobs all computed the same sum" \
    test "$(grep '^1,cpython-' "$(tiny_run 1)/data.csv" | cut -d, -f15 | sort -u | wc -l)" -eq 1
check "chapter1's CPython threads ran in one process" \
    test "$(grep '^1,cpython-threads,' "$(tiny_run 1)/data.csv" | cut -d, -f8 | sort -u | wc -l)" -eq 1
# (Not "in two processes": at the tiny scale a job lasts about as long as starting a
# worker, and one worker may run both before the other is ready.)
serial_pid=$(grep '^1,cpython-serial,' "$(tiny_run 1)/data.csv" | cut -d, -f8 | sort -u | head -1)
check "chapter1's CPython processes ran in worker processes, not in the interpreter that ran serial ($serial_pid)" \
    sh -c "[ -n '$serial_pid' ] && grep '^1,cpython-processes,' '$(tiny_run 1)/data.csv' | cut -d, -f8 | grep -q . && ! grep '^1,cpython-processes,' '$(tiny_run 1)/data.csv' | cut -d, -f8 | grep -qx '$serial_pid'"
check "chapter2's intervals.csv has CPython's running intervals" grep -q '^cpython-threads,' "$(tiny_run 2)/intervals.csv"
check "chapter4's CPython fetches all succeeded" \
    test "$(grep '^4,cpython-' "$(tiny_run 4)/data.csv" | cut -d, -f15 | grep -c '^-')" -eq 0

# 2. --python none: no CPython rows, nothing said.
"$BUILD/chapter3" --scale tiny --out "$tmp/none" --quiet --python none >/dev/null 2>"$tmp/stderr"
check "--python none runs no CPython" test "$(grep -c '^3,cpython-' "$tmp/none/data.csv")" -eq 0
check "--python none says nothing" test ! -s "$tmp/stderr"

# 3. No python3 on PATH: one line, and the chapter succeeds with its C rows.
if env PATH=/nonexistent "$BUILD/chapter1" --scale tiny --out "$tmp/nopy" --quiet >/dev/null 2>"$tmp/stderr"; then
    ok "without python3 the chapter still exits 0"
else
    not_ok "without python3 the chapter still exits 0" "$(cat "$tmp/stderr")"
fi
check "without python3 one line says CPython was skipped" \
    sh -c "[ \$(wc -l <'$tmp/stderr') -eq 1 ] && grep -q 'CPython skipped: python3 is not on PATH' '$tmp/stderr'"
check "without python3 the summary says so" grep -q 'Real CPython was not run' "$tmp/nopy/summary.md"
check "without python3 there are no CPython rows" test "$(grep -c '^1,cpython-' "$tmp/nopy/data.csv")" -eq 0

# 4. An interpreter that fails, and one that prints garbage: one line each, exit 0.
fake broken 'echo "Traceback: something went wrong" >&2; exit 3'
"$BUILD/chapter3" --scale tiny --out "$tmp/broken" --quiet --python "$tmp/bin/broken" >/dev/null 2>"$tmp/stderr"
check "a failing interpreter leaves the chapter's exit status 0" test $? -eq 0
check "a failing interpreter is reported in one line with its last words" \
    sh -c "[ \$(wc -l <'$tmp/stderr') -eq 1 ] && grep -q 'original.py failed (exit status 3): Traceback: something' '$tmp/stderr'"
check "a failing interpreter adds no rows" test "$(grep -c '^3,cpython-' "$tmp/broken/data.csv")" -eq 0
fake garbage 'echo "record,mode,workers,rep,task,pid,tid,start_s,end_s,cpu_s,vcsw,ivcsw,core,result"; echo "run,threads,x"'
"$BUILD/chapter3" --scale tiny --out "$tmp/garbage" --quiet --python "$tmp/bin/garbage" >/dev/null 2>"$tmp/stderr"
check "garbage output is reported by line number" grep -q "line 2 of original.py's output" "$tmp/stderr"
check "garbage output adds no rows" test "$(grep -c '^3,cpython-' "$tmp/garbage/data.csv")" -eq 0
# The chapters whose CPython part is new (0, 6, 7, 8, 11) each meet one of the two
# (both take common/cpython's paths checked above; what each chapter must survive is
# a run without CPython rows): a failing interpreter in 0, 7 and 11, garbage in 6 and 8.
for n in 0 7 11; do
    "$BUILD/chapter$n" --scale tiny --out "$tmp/broken$n" --quiet --python "$tmp/bin/broken" >/dev/null 2>"$tmp/stderr"
    status=$?
    check "chapter$n with a failing interpreter: exit 0, one line per run of it, no CPython rows" \
        sh -c "[ $status -eq 0 ] && ! grep -qv 'original.py failed (exit status 3)' '$tmp/stderr' && [ \$(grep -c '^$n,cpython-' '$tmp/broken$n/data.csv') -eq 0 ]"
done
for n in 6 8; do
    "$BUILD/chapter$n" --scale tiny --out "$tmp/garbage$n" --quiet --python "$tmp/bin/garbage" >/dev/null 2>"$tmp/stderr"
    status=$?
    check "chapter$n with garbage output: exit 0, reported by line number, no CPython rows" \
        sh -c "[ $status -eq 0 ] && grep -q \"line 2 of original.py's output\" '$tmp/stderr' && [ \$(grep -c '^$n,cpython-' '$tmp/garbage$n/data.csv') -eq 0 ]"
done

# An interpreter that leaves a background process holding its standard output (a
# daemon, a stray worker): its rows count, and the chapter does not wait for it.
# (An unusual duration, so that no other sleep on the machine is taken for it.)
fake lingering "sleep 300.0431 & exec '$PYTHON' \"\$@\""
started=$(date +%s)
"$BUILD/chapter3" --scale tiny --out "$tmp/lingering" --quiet --python "$tmp/bin/lingering" >/dev/null 2>"$tmp/stderr"
status=$?
took=$(($(date +%s) - started))
check "a background process holding python3's output: exit 0, CPython rows kept, no wait ($took s)" \
    sh -c "[ $status -eq 0 ] && [ $took -lt 15 ] && [ \$(grep -c '^3,cpython-threads,' '$tmp/lingering/data.csv') -ge 1 ]"
check "...and it is stopped with the interpreter" sh -c "! pgrep -s '$our_session' -f 'sleep 300[.]0431' >/dev/null"

# 5. A free-threaded interpreter on the PATH. python3.13t here is a stand-in: real
#    python3 told that its GIL is off, which is what a 3.13t build reports.
fake python3.13t "exec '$PYTHON' -c 'import runpy, sys; sys._is_gil_enabled = lambda: False; sys.argv = [a for a in sys.argv[1:] if a not in (\"-I\", \"-B\")]; runpy.run_path(sys.argv[0], run_name=\"__main__\")' \"\$@\""
PATH="$tmp/bin:$PATH" "$BUILD/chapter3" --scale tiny --out "$tmp/ft" --quiet >/dev/null 2>"$tmp/stderr"
check "a free-threaded interpreter's rows are cpython-ft-threads" \
    test "$(grep -c '^3,cpython-ft-threads,' "$tmp/ft/data.csv")" -ge 1
check "...beside the GIL'd interpreter's" test "$(grep -c '^3,cpython-threads,' "$tmp/ft/data.csv")" -ge 1
check "...labelled free-threaded in the table" grep -q '^| free-threaded CPython threads ' "$tmp/ft/summary.md"
check "...and compared with C threads" grep -q 'Without a GIL (free-threaded CPython' "$tmp/ft/summary.md"
fake python3.13t "exec '$PYTHON' \"\$@\""
PATH="$tmp/bin:$PATH" "$BUILD/chapter3" --scale tiny --out "$tmp/notft" --quiet >/dev/null 2>"$tmp/stderr"
check "a python3.13t with its GIL on is set aside in one line" \
    sh -c "[ \$(wc -l <'$tmp/stderr') -eq 1 ] && grep -q 'not a free-threaded build' '$tmp/stderr'"
check "...and adds no free-threaded rows" test "$(grep -c '^3,cpython-ft-' "$tmp/notft/data.csv")" -eq 0
rm -f "$tmp/bin/python3.13t"

# 6. Interrupted while python3 runs: the interpreter and its own children are gone too.
# (An unusual duration, so that no other sleep on the machine is taken for one of its children.)
fake slow "sleep 300.0417 & sleep 300.0417"
# (A script's background job ignores SIGINT unless told not to; setsid gives it its own group.)
setsid env --default-signal=INT "$BUILD/chapter3" --scale tiny --out "$tmp/int" --quiet --python "$tmp/bin/slow" \
    >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
    pgrep -f "$tmp/bin/slow" >/dev/null && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"
check "SIGINT while python3 runs ends the chapter by SIGINT" test $? -eq 130
sleep 0.1
check "...and leaves none of the interpreter's processes" test -z "$(pgrep -f "$tmp/bin/slow")"
check "...not even its children" test -z "$(ps -eo args= | grep '^sleep 300.0417$')"

# 7. original.py killed outright while its ProcessPoolExecutor waits: its workers die too.
"$BUILD/latency-server" --profile uniform:5 --port-file "$tmp/port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
for i in 0 1 2 3; do echo "http://127.0.0.1:$(cat "$tmp/port")/page/$i"; done >"$tmp/urls"
"$PYTHON" chapters/05-processes-io/original.py --modes processes --workers 4 <"$tmp/urls" >/dev/null 2>&1 &
script=$!
for _ in $(seq 100); do [ "$(pgrep -P "$script" | wc -l)" -ge 4 ] && break; sleep 0.05; done
workers=$(pgrep -P "$script" | tr '\n' ' ')
check "original.py started its 4 pool workers" test "$(echo $workers | wc -w)" -eq 4
kill -KILL "$script"
sleep 0.5
alive=""
for w in $workers; do ps -o stat= -p "$w" 2>/dev/null | grep -qv '^Z' && alive="$alive $w"; done
check "SIGKILL to original.py takes its pool workers with it" test -z "$alive"
kill "$server"
wait "$server" 2>/dev/null

# 9. The interpreter runs isolated (-I): a sitecustomize.py on PYTHONPATH, or any other
#    PYTHON* variable, does not run inside the measurement.
mkdir -p "$tmp/site"
printf 'open("%s", "w").write("ran")\n' "$tmp/site/marker" >"$tmp/site/sitecustomize.py"
PYTHONPATH="$tmp/site" PYTHONSTARTUP="$tmp/site/sitecustomize.py" PYTHONWARNINGS=error \
    "$BUILD/chapter3" --scale tiny --out "$tmp/isolated" --quiet >/dev/null 2>"$tmp/stderr"
check "python3 runs isolated: a sitecustomize on PYTHONPATH did not run" test ! -e "$tmp/site/marker"
check "...and the CPython rows are there" test "$(grep -c '^3,cpython-threads,' "$tmp/isolated/data.csv")" -ge 1
check "...and the summary says it ran python3 -I -B" grep -q 'ran .python3 -I -B ' "$tmp/isolated/summary.md"

finish cpython
