# lib.sh — what the shell test scripts share: counting, checks, and the tell-tales of a
# run that did not clean up (a process left behind, a temporary file left behind).
# Source it; it sets BUILD, tmp (removed at exit), passed and failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d /tmp/tvp-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
# chapter_numbers, chapter_dir N, chapter_claim N: the chapters are the folders.
CHAPTERS_SH_LIBRARY=1 . chapters/chapters.sh

ok()     { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; if [ -n "${2:-}" ]; then echo "    $2"; fi; }
check()  { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# No chapter, worker or latency server this suite started is still running: a process
# of this suite's session (tests/run.sh starts each suite in its own, with setsid, so
# suites running side by side are not each other's) whose executable is this
# checkout's $BUILD/chapterN, latency-server or mpi-rank (so another copy of the workbook
# running beside the suite is not ours either), or Open MPI's mpirun (orterun, prterun)
# or daemon (orted, prted) that a chapter of ours started. Zombies have no executable
# and are left out: once a parent is gone, reaping them is PID 1's job, and some PID 1s
# never do.
our_session=$(ps -o sid= -p $$ | tr -d ' ')
no_leftover() {
    ours=$(cd "$BUILD" && pwd -P) || return 1
    for proc in /proc/[0-9]*; do
        exe=$(readlink "$proc/exe" 2>/dev/null) || continue
        case $exe in
        "$ours"/chapter[0-9]* | "$ours"/latency-server | "$ours"/mpi-rank) ;;
        */mpirun | */orterun | */prterun | */orted | */prted) ;;
        *) continue ;;
        esac
        [ "$(ps -o sid= -p "${proc#/proc/}" 2>/dev/null | tr -d ' ')" = "$our_session" ] && return 1
    done
    return 0
}
# How many processes of process group $1 exist: live ones, or (with "any") zombies too.
in_group() { ps -eo pgid=,stat= | awk -v g="$1" -v any="${2:-}" '$1 == g && (any || $2 !~ /^Z/)' | wc -l; }
# How many live processes of session $1 exist (a chapter's interpreter and MPI
# launcher have process groups of their own in it).
in_session() { ps -eo sid=,stat= | awk -v s="$1" '$1 == s && $2 !~ /^Z/' | wc -l; }
no_temp_files() { [ -z "$(find "$1" -name '*.tmp.*' 2>/dev/null)" ]; }

# The full verdict paragraph of a results folder (summary.md's, as the terminal prints
# it: "VERDICT: ..."); --quiet prints only its headline.
verdict_of() { sed -n 's/^\*\*Verdict:\*\* /VERDICT: /p' "$1/summary.md"; }

# tiny_run N: the folder of chapter N run as a student runs it at the tiny scale
# (make chapterN ARGS="--scale tiny", with real CPython and the figures), in an
# 80x24 terminal (a pty, script(1): progress lines are drawn there), with what make
# printed beside it: FOLDER.stdout (the terminal's, CR LF line ends), FOLDER.stderr
# (script's own), FOLDER.status and FOLDER.session (the pty's session, where
# tiny_runs.sh looks for anything left behind). Without script(1): COLUMNS=80 and
# separate stdout and stderr, and no .session.
# tests/run.sh makes these runs once for the suites that read them (tests/tiny_runs.sh,
# into $TVP_TINY_RUNS); a suite run alone makes its own, once per chapter.
make_tiny_run() { # make_tiny_run N BASE
    mkdir -p "$2"
    if command -v script >/dev/null 2>&1; then
        # The shell script starts (sh, whatever the user's SHELL) leads the pty's
        # session; make takes its place (exec).
        SHELL=/bin/sh TINY_N=$1 TINY_BASE=$2 script -qec 'stty cols 80 rows 24; echo $$ >"$TINY_BASE/chapter$TINY_N.session";
            exec make -s --no-print-directory "chapter$TINY_N" ARGS="--scale tiny" OUT="$TINY_BASE/chapter$TINY_N"' \
            /dev/null >"$2/chapter$1.stdout" 2>"$2/chapter$1.stderr" </dev/null
    else
        COLUMNS=80 make -s --no-print-directory "chapter$1" ARGS="--scale tiny" OUT="$2/chapter$1" \
            >"$2/chapter$1.stdout" 2>"$2/chapter$1.stderr"
    fi
    echo $? >"$2/chapter$1.status.new" && mv "$2/chapter$1.status.new" "$2/chapter$1.status"
}
tiny_run() {
    if [ -n "${TVP_TINY_RUNS:-}" ]; then
        waited=0 # tests/tiny_runs.sh is making it: at most 10 minutes
        while [ ! -e "$TVP_TINY_RUNS/chapter$1.status" ] && [ "$waited" -lt 1200 ]; do sleep 0.5; waited=$((waited + 1)); done
        echo "$TVP_TINY_RUNS/chapter$1"
    else
        [ -e "$tmp/tiny/chapter$1.status" ] || make_tiny_run "$1" "$tmp/tiny"
        echo "$tmp/tiny/chapter$1"
    fi
}
# Did the tiny run in $1 exit 0?
tiny_run_ok() { [ "$(cat "$1.status" 2>/dev/null)" = 0 ]; }

# The closing line run.sh reads; the exit status says whether all passed.
finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
