#!/bin/sh
# e2e.sh — every chapter end to end at --scale tiny, through make as a student runs
# it: exit 0, at most 80 columns wide in an 80x24 pty, the documented CSV, summary.md,
# both figures, no process or temporary file left behind.
. "$(dirname "$0")/lib.sh"

HEADER="chapter,series,mode,workers,rep,task,worker,pid,start_s,end_s,cpu_s,core,vcsw,ivcsw,result"

first_data_line() { grep -v '^#' "$1" | head -1; }

# An SVG drawn by rsvg-convert (librsvg, make deps) without complaint, into a PNG with
# something on it: a blank 1200 x 800 PNG is under 5 KB, a figure several times that.
svg_renders() {
    command -v rsvg-convert >/dev/null 2>&1 || { echo "    (rsvg-convert missing: make deps)"; return 1; }
    rsvg-convert -b white -f png -o "$tmp/svg.png" "$1" 2>"$tmp/rsvg" && [ ! -s "$tmp/rsvg" ] &&
        [ "$(stat -c %s "$tmp/svg.png")" -gt 12000 ]
}

# The answer is the last thing on the screen: after the terminal figure, a "VERDICT: "
# headline of at most two lines, and nothing after it.
ends_with_headline() {
    tr -d '\r' <"$1" | awk 'NF { last = NR } /^figure: /{ f = NR } /^VERDICT: /{ v = NR } END { exit !(f && v > f && last - v <= 1) }'
}

for n in $(chapter_numbers); do
    # As a student runs it (make, in an 80x24 terminal), with everything it prints
    # (lib.sh: tiny_run, made once for the suites that read it).
    out=$(tiny_run "$n")
    if tiny_run_ok "$out"; then
        ok "make chapter$n ARGS=\"--scale tiny\" exits 0"
    else
        not_ok "make chapter$n ARGS=\"--scale tiny\" exits 0" "$(tail -5 "$out.stdout" | tr -d '\r') $(cat "$out.stderr")"
        continue
    fi
    # (A terminal's line ends in CR LF; a CR alone would redraw a line.)
    width=$(cat "$out.stdout" "$out.stderr" | tr '\r' '\n' | LC_ALL=C.UTF-8 wc -L)
    check "make chapter$n in 80 columns prints no line wider than 80 characters, progress lines included ($width at most)" \
        test "$width" -le 80
    if [ -e "$out.session" ]; then
        check "chapter$n drew its progress lines in the terminal" grep -q '^  \.\. ' "$out.stdout"
    fi
    check "chapter$n prints a computed verdict" grep -q '^VERDICT: ' "$out.stdout"
    check "make chapter$n ends with the verdict's headline, at most two lines, under the terminal figure" \
        ends_with_headline "$out.stdout"
    check "chapter$n data.csv has the documented header" \
        test "$(first_data_line "$out/data.csv" | cut -d, -f1-15)" = "$HEADER"
    check "chapter$n data.csv has its machine preamble" grep -q '^# cores=[0-9]' "$out/data.csv"
    check "chapter$n data.csv has rows for every mode" \
        test "$(grep -v '^#' "$out/data.csv" | awk -F, -v n="$n" '$1 == n && $2 != ""' | wc -l)" -ge 4
    check "chapter$n summary.md has the Noise line" grep -q '^\*\*Noise:\*\* .*level: ' "$out/summary.md"
    check "chapter$n data.csv records the noise" grep -q '^# noise_level=' "$out/data.csv"
    check "chapter$n summary.md has the table and verdict" \
        sh -c "[ \$(grep -c '^| ' '$out/summary.md') -ge 3 ] && grep -q '^\*\*Verdict:\*\*' '$out/summary.md'"
    check "chapter$n leaves no temporary file" no_temp_files "$out"
    if command -v gnuplot >/dev/null 2>&1; then
        # Drawn again from the same folder (make drew it once): a figure is a function of the CSVs.
        plots/render.sh "$n" "$out" >/dev/null 2>"$tmp/gp" || not_ok "chapter$n figure renders" "$(cat "$tmp/gp")"
        check "chapter$n figure.png is a PNG" sh -c "head -c 8 '$out/figure.png' | grep -q PNG"
        check "chapter$n figure.svg is an SVG" grep -q '<svg' "$out/figure.svg"
        if [ -s "$tmp/gp" ]; then not_ok "chapter$n gnuplot said nothing" "$(head -c 600 "$tmp/gp")"
        else ok "chapter$n gnuplot said nothing"; fi
        check "chapter$n figure.svg renders in another SVG renderer, not blank" svg_renders "$out/figure.svg"
        # Where the run measured its CPUs' capacity, the figure names the work it was measured on.
        what=$(sed -n 's/^# parallel_capacity=.* of [0-9]* CPUs (\(.*\), over [0-9]* rounds*)$/\1/p' "$out/data.csv")
        [ -z "$what" ] || check "chapter$n figure says what its capacity was measured on ($what)" \
            grep -qF "cores' worth of $what" "$out/figure.svg"
    else
        not_ok "chapter$n figure (gnuplot missing: make deps)"
    fi
    check "chapter$n leaves no process behind" no_leftover
    check "chapter$n --help exits 0" sh -c "'$BUILD/chapter$n' --help >/dev/null"
    check "chapter$n --version exits 0" sh -c "'$BUILD/chapter$n' --version | grep -q threads-vs-processes"
done


# Chapter 11 at the tiny scale on a loaded machine may lose no update at all: its
# figure still draws, gnuplot quiet (an axis from 0 to 0 was a warning).
run11=$(tiny_run 11)
if tiny_run_ok "$run11" && command -v gnuplot >/dev/null 2>&1; then
    cp -R "$run11" "$tmp/none-lost"
    awk -F, -v OFS=, '/^#/ { print; next }
        !header { header = 1; for (i = 1; i <= NF; i++) if ($i ~ /^lost_pct/) lost[i] = 1; print; next }
        { for (i in lost) if ($i != "") $i = 0; print }' "$run11/modes.csv" >"$tmp/none-lost/modes.csv"
    plots/render.sh 11 "$tmp/none-lost" >/dev/null 2>"$tmp/gp"
    check "chapter 11's figure of a run that lost no update: drawn, gnuplot quiet ($(head -c 100 "$tmp/gp"))" \
        sh -c "[ ! -s '$tmp/gp' ] && grep -q '<svg' '$tmp/none-lost/figure.svg'"
fi

# 4 rounds: an interval that holds the median 87.5 % of the time, printed as such, and
# no decision from it.
"$BUILD/chapter3" --scale tiny --reps 4 --python none --quiet --out "$tmp/v4" >/dev/null 2>&1
verdict_of "$tmp/v4" >"$tmp/verdict"
check "4 rounds: the interval says its coverage after it (87.5 %, printed 88 %)" \
    sh -c "tr '\\n' ' ' <'$tmp/verdict' | grep -q 'GIL-threads took [0-9.]*x ([0-9.]*x-[0-9.]*x, 88 %)'"
check "4 rounds: nothing is decided, and the verdict says why" \
    sh -c "tr '\\n' ' ' <'$tmp/verdict' | grep -q '^VERDICT: NOT DISTINGUISHABLE HERE under the GIL.*C threads.*NOT DISTINGUISHABLE HERE for C threads.*4 rounds: their intervals hold the median only 88 % of the time'"
check "a verdict from one round decides nothing and says so" \
    sh -c "'$BUILD/chapter3' --scale tiny --python none --quiet --out '$tmp/v1' >/dev/null && grep -q '^\*\*Verdict:\*\* NOT DISTINGUISHABLE HERE.*too few for an interval' '$tmp/v1/summary.md'"

# Progress into a pipe or a file (a teacher's `| tee`): one line per finished run, with
# the program, the time since the start, the round and the mode.
"$BUILD/chapter8" --scale tiny --out "$tmp/progress" 2>"$tmp/progress.err" >/dev/null
check "progress to a file: one line per run, named and timed" \
    sh -c "grep -q '^\[chapter8 +[0-9.]* s\] round 1: serial, 1 worker: [0-9.]* s\$' '$tmp/progress.err' && [ \$(wc -l <'$tmp/progress.err') -ge 5 ]"

# The README's lesson plan: every command in it runs, in order, as a student's machine
# would run it (from a folder of the test's own, where results/ is the default --out),
# at the tiny scale and without CPython to keep the suite short. make deps all is the
# README's first command, which CI runs; make share shares the tiny runs (--all), and
# the class is gathered from this one machine's share.
lesson_plan_commands() {
    sed -n '/^## A lesson plan/,/^## The book/p' README.md | tr '\n' ' ' | grep -o '`make [^`]*`' | tr -s ' ' | tr -d '`'
}
lp=$tmp/lesson-plan
bin=$(cd "$BUILD" && pwd)
mkdir -p "$lp/folder"
lesson_plan_commands >"$tmp/plan"
check "the lesson plan names chapters to run ($(wc -l <"$tmp/plan") commands)" test "$(grep -c '^make chapter' "$tmp/plan")" -ge 8
while read -r command; do
    eval "set -- ${command#make }" # the words as the shell splits them: ARGS="..." is one
    target=$1; shift
    args=; dir=; chapter=; a=; b=
    for word; do
        case $word in ARGS=*) args=${word#ARGS=} ;; DIR=*) dir=${word#DIR=} ;; CHAPTER=*) chapter=${word#CHAPTER=} ;;
        A=*) a=${word#A=} ;; B=*) b=${word#B=} ;; esac
    done
    case $target in
    deps) continue ;;
    all) continue ;;
    chapter[0-9]*) (cd "$lp" && eval "set -- $args" && "$bin/$target" "$@" --scale tiny --python none --quiet) ;;
    compare) (cd "$lp" && "$bin/class" compare "$a" "$b") ;;
    share) (cd "$lp" && "$bin/class" share --all && cp results/share/*.csv folder/) ;;
    class) (cd "$lp" && "$bin/class" gather "$dir" --chapter "$chapter" --out results/class) ;;
    book) "$bin/book" --results "$lp/results" --out "$lp/results/book" ;; # the chapters' texts: from the workbook
    *) false ;;
    esac >"$tmp/plan.out" 2>&1
    check "lesson plan: $command" test $? -eq 0
done <"$tmp/plan"
check "lesson plan: the exercise run went beside the default run" \
    test -s "$lp/results/chapter3/switch-interval-0.1/modes.csv" -a -s "$lp/results/chapter3/modes.csv"

# The committed reference figures too: the book shows them.
for f in chapters/[0-9][0-9]-*/reference/figure.svg; do
    check "$f renders in another SVG renderer, not blank" svg_renders "$f"
done

finish e2e
