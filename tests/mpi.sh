#!/bin/sh
# mpi.sh — chapter 13 on Open MPI: a run on 2 ranks, the hostfile path (this machine
# given two slots), bad hostfiles and flags refused before anything runs, and faults
# (the chapter interrupted, mpirun killed, a rank killed): one line, exit 1, nothing
# left; and, with a PATH without mpirun, the chapter without Open MPI. Where Open MPI
# is not installed, the checks that need it are skipped, on a visible "skip" line.
. "$(dirname "$0")/lib.sh"

# Without mpirun (here: a PATH that has none) chapter 13 runs what needs no MPI, and
# says in one line what is missing and how to install it.
PATH=/nonexistent "$BUILD/chapter13" --scale tiny --out "$tmp/none" --python none --quiet >"$tmp/none.out" 2>"$tmp/none.err"
check "without mpirun: exit 0" test $? -eq 0
check "without mpirun: one line saying so, naming make deps" \
    sh -c "[ \$(grep -c 'Open MPI is not installed (no mpirun on PATH): make deps installs it' '$tmp/none.err') -eq 1 ]"
check "without mpirun: NOT TESTABLE, not a verdict on ranks" grep -q '^\*\*Verdict:\*\* NOT TESTABLE here: no MPI rank ran' "$tmp/none/summary.md"
check "without mpirun: the fork pool and the pipe still measured" \
    sh -c "grep -q '^processes,' '$tmp/none/modes.csv' && grep -q '^pingpong-pipe/8B,' '$tmp/none/modes.csv'"

if ! command -v mpirun >/dev/null 2>&1 || [ ! -x "$BUILD/mpi-rank" ]; then
    echo "skip - Open MPI is not installed (no mpirun, or no $BUILD/mpi-rank): make deps installs it"
    echo "mpi: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# ---- a run on 2 ranks ----
"$BUILD/chapter13" --scale tiny --out "$tmp/run" --python none --quiet >"$tmp/run.out" 2>&1
check "a tiny run: exit 0" test $? -eq 0
check "a tiny run: MPI ranks on 2 workers in data.csv" grep -q '^13,mpi,mpi,2,' "$tmp/run/data.csv"
check "a tiny run: the MPI ping-pong over TCP in modes.csv" grep -q '^pingpong-mpi-tcp/8B,' "$tmp/run/modes.csv"
check "a tiny run: mpirun's start-up in modes.csv" grep -q '^launch-mpi,' "$tmp/run/modes.csv"
check "a tiny run: a verdict" grep -q '^\*\*Verdict:\*\* ' "$tmp/run/summary.md"
check "a tiny run: which Open MPI, in the preamble" grep -q '^# mpi=Open MPI ' "$tmp/run/data.csv"
check "a tiny run: nothing of Open MPI left (lib.sh: mpirun, its daemons, ranks)" no_leftover

# ---- a class: the tiny run shared (ALL=1: it is not the class scale) and gathered ----
mkdir -p "$tmp/results" && cp -r "$tmp/run" "$tmp/results/chapter13"
"$BUILD/class" share --results "$tmp/results" --out "$tmp/share" --all >"$tmp/share.out" 2>&1
check "make share ALL=1: chapter 13's run in the file" sh -c "grep -q '^13,' '$tmp'/share/*.csv"
"$BUILD/class" gather "$tmp/share" --chapter 13 --out "$tmp/class" >"$tmp/class.out" 2>&1
check "make class CHAPTER=13: exit 0" test $? -eq 0
check "make class CHAPTER=13: the class page names chapter 13 and its machine" \
    grep -q '^## The class: chapter 13 on 1 machine' "$tmp/class/summary.md"

# ---- the hostfile path: this machine, with two slots ----
printf '# this machine, twice\nlocalhost slots=2\n' >"$tmp/hosts"
"$BUILD/chapter13" --scale tiny --out "$tmp/hf" --python none --hostfile "$tmp/hosts" --quiet >"$tmp/hf.out" 2>&1
check "--hostfile localhost slots=2: exit 0" test $? -eq 0
check "--hostfile: its hosts and slots in the preamble" grep -q '^# hostfile=1 hosts, 2 slots' "$tmp/hf/data.csv"
check "--hostfile: the ranks ran" grep -q '^13,mpi,mpi,2,' "$tmp/hf/data.csv"

# ---- bad input: exit 2, one line, nothing run ----
refused() { # refused NAME ARGS...: exit 2, one line, no results folder
    label=$1
    shift
    rm -rf "$tmp/bad"
    timeout 10 "$BUILD/chapter13" --scale tiny --out "$tmp/bad" --python none "$@" >"$tmp/bad.out" 2>&1
    status=$?
    check "$label: exit 2 ($status)" test "$status" -eq 2
    check "$label: one line" test "$(wc -l <"$tmp/bad.out")" -eq 1
    check "$label: no results" test ! -e "$tmp/bad/data.csv"
}
printf 'localhost; rm -rf /tmp/x\n' >"$tmp/shell"
refused "a hostfile with shell in it" --hostfile "$tmp/shell"
printf 'localhost slots=0\n' >"$tmp/zero"
refused "slots=0" --hostfile "$tmp/zero"
printf 'localhost slots=1\nlocalhost slots=1\n' >"$tmp/twice"
refused "a host named twice" --hostfile "$tmp/twice"
printf 'localhost cpus=2\n' >"$tmp/unknown"
refused "an unknown hostfile word" --hostfile "$tmp/unknown"
printf '# nothing\n\n' >"$tmp/empty"
refused "a hostfile that names no host" --hostfile "$tmp/empty"
refused "a hostfile that does not exist" --hostfile "$tmp/missing"
ln -s "$tmp/hosts" "$tmp/link"
refused "a hostfile that is a symbolic link" --hostfile "$tmp/link"
mkfifo "$tmp/fifo"
refused "a hostfile that is a FIFO" --hostfile "$tmp/fifo"
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/huge"
refused "a hostfile over 64 KiB" --hostfile "$tmp/huge"
refused "--steps 0" --steps 0
refused "--message-bytes x" --message-bytes x
refused "--jobs (chapter 13 does not honour it)" --jobs 2

# ---- the shared-memory transport failing, as in a container that forbids one process
# to read another's memory: a stand-in mpirun on the PATH prints what Open MPI's vader
# transport prints then (btl_vader_get.c), unless the single-copy mechanism is off ----
real_mpirun=$(command -v mpirun)
mkdir -p "$tmp/bin"
{
    echo '#!/bin/sh'
    echo 'case " $* " in'
    echo "*' --version '* | *' btl_vader_single_copy_mechanism none '*) exec '$real_mpirun' \"\$@\" ;;"
    echo 'esac'
    echo 'echo "Read -1, expected 40000, errno = 1" >&2'
    echo 'exit 1'
} >"$tmp/bin/mpirun"
chmod +x "$tmp/bin/mpirun"
PATH="$tmp/bin:$PATH" "$BUILD/chapter13" --scale tiny --out "$tmp/cma" --python none --quiet >"$tmp/cma.out" 2>"$tmp/cma.err"
check "shared memory refused: the run goes on (exit 0)" test $? -eq 0
check "shared memory refused: one line says so, and the setting that avoids it" \
    grep -q 'again with --mca btl_vader_single_copy_mechanism none' "$tmp/cma.err"
check "shared memory refused: the preamble records the setting" grep -q '^# mpi_single_copy=none ' "$tmp/cma/data.csv"
{
    echo '#!/bin/sh'
    echo "case \" \$* \" in *' --version '*) exec '$real_mpirun' \"\$@\" ;; esac"
    echo 'echo "Read -1, expected 8, errno = 1" >&2'
    echo 'exit 1'
} >"$tmp/bin/mpirun"
PATH="$tmp/bin:$PATH" "$BUILD/chapter13" --scale tiny --out "$tmp/cma2" --python none --quiet >"$tmp/cma2.out" 2>&1
check "shared memory failing either way: exit 1" test $? -eq 1
check "shared memory failing either way: the last line names the transport" \
    sh -c "tail -1 '$tmp/cma2.out' | grep -q 'the shared-memory transport: try'"
check "shared memory failing: nothing of Open MPI left" no_leftover

# ---- faults ----
# fault NAME WHAT DELAY: start a tiny run, after DELAY seconds do WHAT (term: SIGTERM
# to the chapter; mpirun: SIGKILL to its mpirun; rank: SIGKILL to a rank), then check.
fault() {
    label=$1 what=$2 delay=$3
    out=$tmp/fault
    rm -rf "$out" && mkdir -p "$out" && echo "earlier results" >"$out/data.csv"
    setsid env --default-signal=INT "$BUILD/chapter13" --scale tiny --out "$out" --python none --quiet >"$tmp/fault.out" 2>&1 &
    pid=$!
    sleep "$delay"
    tries=0 # until the signal hits what it is meant for (at most 10 s)
    until case $what in
        term) kill -TERM "$pid" ;;
        ctrl-c) kill -s INT -- "-$pid" ;; # as Ctrl-C does: the whole group
        mpirun) pkill -KILL -s "$pid" -x orterun || pkill -KILL -s "$pid" -x mpirun ;;
        rank) pkill -KILL -s "$pid" -f '/mpi-rank (map|pingpong) ' ;;
        esac || [ "$tries" -ge 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    t0=$(date +%s%N)
    wait "$pid" 2>/dev/null
    status=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    sleep 0.3
    if [ "$what" = term ] || [ "$what" = ctrl-c ]; then
        check "$label: exits within 2 s ($ms ms)" test "$ms" -lt 2000
    else
        check "$label: exit 1 ($status)" test "$status" -eq 1
        check "$label: one line" test "$(wc -l <"$tmp/fault.out")" -eq 1
    fi
    check "$label: no chapter, mpirun or rank left" no_leftover
    check "$label: nothing left in its group" test "$(in_group "$pid")" -eq 0
    check "$label: earlier results intact" grep -qx "earlier results" "$out/data.csv"
    check "$label: no temporary file" no_temp_files "$out"
}
fault "SIGTERM to chapter 13 while ranks run" term 1.5
fault "Ctrl-C (SIGINT to its group) while ranks run" ctrl-c 1.5
fault "mpirun killed" mpirun 1.5
fault "a rank killed" rank 1.5

echo "mpi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
