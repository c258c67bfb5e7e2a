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

# No chapter, worker or latency server of this build is still running: a process whose
# executable is this checkout's $BUILD/chapterN or latency-server (so another copy of
# the workbook running beside the suite is not ours). Zombies have no executable and are
# left out: once a parent is gone, reaping them is PID 1's job, and some PID 1s never do.
no_leftover() {
    ours=$(cd "$BUILD" && pwd -P) || return 1
    for proc in /proc/[0-9]*; do
        exe=$(readlink "$proc/exe" 2>/dev/null) || continue
        case $exe in "$ours"/chapter[0-9]* | "$ours"/latency-server) return 1 ;; esac
    done
    return 0
}
# How many processes of process group $1 exist: live ones, or (with "any") zombies too.
in_group() { ps -eo pgid=,stat= | awk -v g="$1" -v any="${2:-}" '$1 == g && (any || $2 !~ /^Z/)' | wc -l; }
no_temp_files() { [ -z "$(find "$1" -name '*.tmp.*' 2>/dev/null)" ]; }

# The closing line run.sh reads; the exit status says whether all passed.
finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
