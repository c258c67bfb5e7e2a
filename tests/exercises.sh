#!/bin/sh
# exercises.sh — the classroom parts of every chapter: its README has a Predict block
# and an Exercises section; every exercise's command runs (at --scale tiny, into a
# scratch directory, so the suite stays short); and where the Predict block names
# quantities, --predict sets each guess beside the measurement.
# `tests/exercises.sh N...` checks those chapters only (tests/run.sh runs two halves
# side by side); the --predict checks run with every chapter's half.
. "$(dirname "$0")/lib.sh"
only=${*:-$(chapter_numbers)}
for n in $only; do
    case " $(chapter_numbers | tr '\n' ' ') " in *" $n "*) ;; *) echo "exercises.sh: no chapter $n" >&2; exit 2 ;; esac
done

# The exercises' commands: `make chapterN ARGS="..."` lines of the Exercises section.
exercise_commands() {
    sed -n '/^## Exercises/,$p' "$1" | sed -n 's/^ *make chapter[0-9]* ARGS="\([^"]*\)" *$/\1/p'
}

# Each exercise's answering line: 'Answered by "PHRASE" in the output.', one per exercise, in order.
exercise_answers() {
    sed -n '/^## Exercises/,$p' "$1" | sed -n 's/.*Answered by "\([^"]*\)" in the output\..*/\1/p'
}

# Does chapter N take FLAG? (its --help lists it)
takes_flag() { "$BUILD/chapter$1" --help | grep -q -- "$2"; }
# Chapter N's default for FLAG at the tiny scale, as its --help says it.
tiny_default() { "$BUILD/chapter$1" --help | sed -n "s/^ *$2 .*default: tiny \([0-9.]*\).*/\1/p"; }

for n in $only; do
    readme=$(chapter_dir "$n")/README.md
    check "chapter$n README has a Predict block before its results" \
        awk '/^## Predict/ { p = 1 } /^<!-- results -->/ { exit !p }' "$readme"
    count=$(exercise_commands "$readme" | wc -l)
    check "chapter$n README has 3 to 5 exercises, each a make chapter$n command ($count)" \
        test "$count" -ge 3 -a "$count" -le 5
    check "chapter$n: every exercise names the line of output that answers it" \
        test "$(exercise_answers "$readme" | wc -l)" -eq "$count"
    exercise_answers "$readme" >"$tmp/answers"
    i=0
    exercise_commands "$readme" >"$tmp/commands"
    while IFS= read -r args; do
        i=$((i + 1))
        # ARGS is split as make's shell splits it; the tiny scale and a scratch --out come last, so they win.
        # To keep the suite short, CPython is left out and 4 requests are made, unless the exercise is about them
        # (its flags, or an answering line about CPython).
        eval "set -- $args"
        answer=$(sed -n "${i}p" "$tmp/answers")
        case " $args $answer" in *" --python"* | *CPython*) ;; *) takes_flag "$n" --python && set -- "$@" --python none ;; esac
        case " $args" in *" --requests"*) ;; *) takes_flag "$n" --requests && set -- "$@" --requests 4 ;; esac
        # More rounds (--reps 12) change no line the exercise names: the tiny scale's one shows it.
        case " $args" in *" --reps"*) set -- "$@" --reps 1 ;; esac
        # The same for the sizes of work (more tiny tasks, longer windows, more children): the tiny scale's.
        for size in --tiny-tasks --window-ms --forks; do
            case " $args" in *" $size"*) set -- "$@" "$size" "$(tiny_default "$n" "$size")" ;; esac
        done
        if "$BUILD/chapter$n" "$@" --scale tiny --quiet --out "$tmp/ex$n-$i" >"$tmp/out" 2>"$tmp/err"; then
            ok "chapter$n exercise $i runs: $args"
            check "chapter$n exercise $i prints its answering line (\"$answer\")" \
                sh -c 'cat "$1/summary.md" "$2" | grep -qF -- "$3"' - "$tmp/ex$n-$i" "$tmp/out" "$answer"
        else
            not_ok "chapter$n exercise $i runs: $args" "$(cat "$tmp/err")"
        fi
    done <"$tmp/commands"
    check "chapter$n exercises leave no process behind" no_leftover
done

# --predict: each named quantity, guessed, comes back beside the measured median and
# its interval. One round has none (the tiny scale's, which keeps the suite short);
# chapter 3 runs three, whose interval says it holds the median 75 % of the time.
for n in $only; do
    keys=$(chapter_answers "$n")
    [ -n "$keys" ] || continue
    guesses=$(for k in $keys; do printf '%s=1.0,' "$k"; done | sed 's/,$//')
    # What a measured guess reads as (the output's lines joined by single spaces).
    if [ "$n" = 3 ]; then
        rounds=3 measured='measured [0-9.e+-]* ([0-9.e+-]*-[0-9.e+-]*, 75 %): \(inside\|[0-9]* % \(above\|below\)\)'
    else
        rounds=1 measured='measured [0-9.e+-]*: [^(]*(one round: no interval)'
    fi
    set -- --scale tiny --reps "$rounds" --quiet --out "$tmp/p$n" --predict "$guesses"
    takes_flag "$n" --python && set -- "$@" --python none
    if "$BUILD/chapter$n" "$@" >"$tmp/out" 2>"$tmp/err"; then
        ok "chapter$n --predict $guesses runs"
    else
        not_ok "chapter$n --predict $guesses runs" "$(cat "$tmp/err")"
        continue
    fi
    for k in $keys; do
        # The CPython quantities need python3, which --python none left out: "not measured".
        check "chapter$n --predict: $k is set beside the measurement" sh -c 'tr -s "\n " "  " <"$1" | grep -q -- "$2"' \
            - "$tmp/out" " $k: you said 1.00\(, $measured\|; not measured on this run\)"
        check "chapter$n answers.csv has $k, and the guess" grep -q "^$k,.*,1\(\.0*\)\?\$" "$tmp/p$n/answers.csv"
    done
    # After each guess, the section of the chapter that explains it: named in its
    # Predict item, a heading of the README.
    readme=$(chapter_dir "$n")/README.md
    sed -n '/^## Predict/,/^## [^P]/p' "$readme" | grep '^[0-9][0-9]*\. `' >"$tmp/items"
    check "chapter$n: every Predict item names the section that explains it" \
        test "$(grep -c 'Explained in “[^”]*”\.$' "$tmp/items")" -eq "$(wc -l <"$tmp/items")"
    sed -n 's/.*Explained in “\([^”]*\)”\.$/\1/p' "$tmp/items" | sort -u >"$tmp/sections"
    while IFS= read -r section; do
        check "chapter$n: the section “$section” exists" grep -qxF -e "## $section" -e "### $section" "$readme"
        check "chapter$n --predict names “$section” after a guess" sh -c 'tr -s "\n " "  " <"$1" | grep -qF "explained in “$2”"' - "$tmp/out" "$section"
    done <"$tmp/sections"
    check "chapter$n --predict: a C quantity was measured" sh -c 'tr -s "\n " "  " <"$1" | grep -q -- "$2"' \
        - "$tmp/out" "$measured"
done
check "--predict with an unknown quantity: exit 2, one line naming the known ones" \
    sh -c "'$BUILD/chapter3' --predict nope=1 --out '$tmp/never' >/dev/null 2>'$tmp/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'this chapter answers gil/serial' '$tmp/err' && [ ! -e '$tmp/never' ]"
check "--predict in a chapter whose Predict block names no quantity: exit 2" \
    sh -c "'$BUILD/chapter5' --predict x=1 --out '$tmp/never' >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$tmp/never' ]"

finish exercises
