#!/bin/sh
# class.sh — a class on one figure: `make share` on this machine writes one small
# file (no path, no user or host name); several machines' files, generated here
# from it, are gathered by `make class` into data.csv, a figure and a summary; the
# book gets a class page. Files handed in are untrusted: a bad one stops the
# gathering with one line naming it (exit 2) and nothing is written; text in them
# stays text (escaped in the page, never gnuplot code).
. "$(dirname "$0")/lib.sh"

# This machine's results: chapters 1 and 3, tiny.
for n in 1 3; do
    "$BUILD/chapter$n" --scale tiny --reps 3 --python none --quiet --out "$tmp/results/chapter$n" >/dev/null 2>&1 ||
        not_ok "chapter$n runs for the share"
done
# By default a share holds the default experiment at the class scale only: tiny runs
# are left out, named in one line, and with nothing else there is nothing to share.
"$BUILD/class" share --results "$tmp/results" --out "$tmp/share" >"$tmp/out" 2>"$tmp/err"
check "share of tiny runs only: exit 2, the tiny chapters named ($(head -c 150 "$tmp/out"))" \
    sh -c "[ ! -e '$tmp/share' ] && grep -q 'left out chapters 1, 3: .*make chapter1 chapter3' '$tmp/out' && grep -q 'no chapter has class-scale results' '$tmp/err'"
# --all (make share ALL=1): the last runs, whatever their scale, each row labelled.
"$BUILD/class" share --results "$tmp/results" --out "$tmp/share" --all >"$tmp/out" 2>&1
check "share --all writes one file and names it" sh -c "[ \$(ls '$tmp/share' | wc -l) -eq 1 ] && grep -q 'share: .*/tvp-[0-9a-f]*.csv (2 chapters' '$tmp/out'"
mine=$(ls "$tmp"/share/tvp-*.csv | head -1)
check "the share file describes the machine" grep -q "^# cores=$(nproc)\$" "$mine"
check "the share file holds no path, user name or host name" \
    sh -c "! grep -q '/\\|$(id -un)\\|$(hostname)' '$mine'"
check "the share file has chapter 1's and 3's modes, each row with its scale and settings" \
    sh -c "grep -q '^1,tiny,default,gil-threads,' '$mine' && grep -q '^3,tiny,default,threads,' '$mine'"
check "sharing the same results again gives the same file (one per machine)" \
    sh -c "'$BUILD/class' share --results '$tmp/results' --out '$tmp/share' --all >/dev/null && [ \$(ls '$tmp/share' | wc -l) -eq 1 ]"

# A class-scale run, an exercise run and a tiny run side by side. (The class-scale
# one is chapter 1's tiny run relabelled in its preamble: the selection reads only
# the preamble, and a real class-scale run would take this suite half a minute.)
mkdir -p "$tmp/mixed"
cp -r "$tmp/results/chapter1" "$tmp/mixed/chapter1"
sed -i 's/^# scale=tiny$/# scale=class/' "$tmp/mixed/chapter1/modes.csv"
"$BUILD/chapter3" --scale tiny --reps 3 --switch-interval 1 --python none --quiet --out "$tmp/mixed/chapter3" >/dev/null 2>&1 ||
    not_ok "chapter3 exercise run for the share"
cp -r "$tmp/results/chapter1" "$tmp/mixed/chapter2-not-a-chapter" # ignored: not a chapter's folder
"$BUILD/chapter2" --scale tiny --python none --quiet --out "$tmp/mixed/chapter2" >/dev/null 2>&1 || not_ok "chapter2 runs for the share"
"$BUILD/class" share --results "$tmp/mixed" --out "$tmp/share-mixed" >"$tmp/out" 2>&1
mixed=$(ls "$tmp"/share-mixed/tvp-*.csv 2>/dev/null | head -1)
check "share of a class run, an exercise run and a tiny run: the class run only, the others named ($(head -c 150 "$tmp/out"))" \
    sh -c "grep -q '^1,class,default,' '$mixed' && ! grep -q '^[23],' '$mixed' && grep -q 'left out chapters 2, 3: .*make chapter2 chapter3' '$tmp/out'"
"$BUILD/class" share --results "$tmp/mixed" --out "$tmp/share-all" --all >/dev/null 2>&1
all=$(ls "$tmp"/share-all/tvp-*.csv 2>/dev/null | head -1)
check "share --all of the same: every run, labelled with its scale and settings" \
    sh -c "grep -q '^1,class,default,' '$all' && grep -q '^3,tiny,switch-interval=1,' '$all' && grep -q '^2,tiny,default,' '$all'"
check "share with no results: exit 2" sh -c "'$BUILD/class' share --results '$tmp/nothing' --out '$tmp/s2' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$tmp/s2' ]"

# Exercise runs go beside the default run, not over it: run from a folder of the
# test's own (the default --out is results/chapterN under the current folder).
mkdir -p "$tmp/student"
bin=$(cd "$BUILD" && pwd)
(cd "$tmp/student" && "$bin/chapter3" --scale tiny --reps 3 --python none --quiet \
    --predict gil/serial=1.0,threads/serial=0.5 >/dev/null 2>&1) || not_ok "chapter3 default run, with predictions"
sum_before=$(cksum <"$tmp/student/results/chapter3/modes.csv")
(cd "$tmp/student" && "$bin/chapter3" --scale tiny --reps 3 --switch-interval 1 --runtime gil --python none >"$tmp/ex.out" 2>&1) ||
    not_ok "chapter3 exercise run"
check "an exercise run goes to results/chapter3/switch-interval-1_runtime-gil, and says how to compare" \
    sh -c "[ -s '$tmp/student/results/chapter3/switch-interval-1_runtime-gil/modes.csv' ] && tr '\\n' ' ' <'$tmp/ex.out' | grep -q 'make compare A=results/chapter3 B=results/chapter3/switch-interval-1_runtime-gil'"
check "...and leaves the default run untouched" test "$(cksum <"$tmp/student/results/chapter3/modes.csv")" = "$sum_before"
check "--where names the folder without running" \
    sh -c "cd '$tmp/student' && [ \"\$('$bin/chapter3' --switch-interval 1 --runtime gil --where)\" = results/chapter3/switch-interval-1_runtime-gil ]"
"$BUILD/class" share --results "$tmp/student/results" --out "$tmp/student/share" --all >/dev/null 2>&1
check "share after the exercise shares the default run" \
    sh -c "grep -q '^3,tiny,default,' '$tmp/student/share/'tvp-*.csv && ! grep -q 'switch-interval' '$tmp/student/share/'tvp-*.csv"
check "the share holds the student's predictions beside what the run measured" \
    sh -c "grep -q '^# guess=3,gil/serial,1,[0-9.]*,[0-9.]*,[0-9.]*\$' '$tmp/student/share/'tvp-*.csv && grep -q '^# guess=3,threads/serial,0.5,' '$tmp/student/share/'tvp-*.csv"
mkdir -p "$tmp/student/handed-in" && cp "$tmp/student/share/"tvp-*.csv "$tmp/student/handed-in/"
"$BUILD/class" gather "$tmp/student/handed-in" --chapter 3 --out "$tmp/student/class" >/dev/null 2>&1
check "the class page shows the class's guesses beside its measurements" \
    sh -c "grep -q '### The class.s predictions' '$tmp/student/class/summary.md' && grep -q '^| .gil/serial. | 1.00 | [0-9.]* | [01] of 1 |\$' '$tmp/student/class/summary.md'"
check "the class figure's data: each guess beside its run's measurement, keys numbered" \
    sh -c "grep -q '^1,gil/serial,1,1.0000,[0-9.]*,' '$tmp/student/class/guesses.csv' && grep -q '^2,threads/serial,1,0.5000,' '$tmp/student/class/guesses.csv' && grep -qx 'guesses = 2' '$tmp/student/class/plot-vars.gp'"
plots/render.sh class "$tmp/student/class" --show >"$tmp/guess-figure" 2>&1
check "the class figure draws the guesses in a panel of their own" \
    sh -c "[ -s '$tmp/student/class/figure.png' ] && grep -q 'guesses (--predict) beside what their runs measured' '$tmp/guess-figure'"
mkdir -p "$tmp/student/unguessed" && for f in "$tmp/student/handed-in/"tvp-*.csv; do
    grep -v '^# guess=' "$f" >"$tmp/student/unguessed/$(basename "$f")"
done
"$BUILD/class" gather "$tmp/student/unguessed" --chapter 3 --out "$tmp/student/class" >/dev/null 2>&1
check "a class that guessed nothing: guesses.csv replaced by its header alone, no panel" \
    sh -c "[ \$(wc -l <'$tmp/student/class/guesses.csv') -eq 1 ] && grep -qx 'guesses = 0' '$tmp/student/class/plot-vars.gp'"
"$BUILD/class" compare "$tmp/student/results/chapter3" "$tmp/student/results/chapter3/switch-interval-1_runtime-gil" >"$tmp/cmp" 2>&1
check "compare: the two runs side by side, C threads only in A" \
    sh -c "grep -q 'settings: switch-interval=1 runtime=gil' '$tmp/cmp' && grep -q '^  threads  *2  *[0-9.]* ([0-9.]*-[0-9.]*, 75 %)  *-\$' '$tmp/cmp'"
check "compare without two folders: exit 2" sh -c "'$BUILD/class' compare '$tmp/student/results/chapter3' 2>/dev/null; [ \$? -eq 2 ]"

# A class of five machines: this one, and four made from it with other core counts,
# other ids and other ratios (processes near 1 / cores, GIL-threads near 1).
mkdir -p "$tmp/class"
cp "$mine" "$tmp/class/"
for cores in 1 4 8 16; do
    awk -F, -v OFS=, -v c="$cores" '
        /^# id=/ { print "# id=feed00" (c < 10 ? "0" : "") c; next }
        /^# cores=/ { print "# cores=" c; next }
        /^# machine=/ { print "# machine=Laptop <b>" c "</b> `id` $(reboot) \x27q\x27"; next }
        /^#/ || /^chapter,/ { print; next }
        $6 == "processes" || $6 == "threads" { $12 = 1.05 / c; $13 = 1.0 / c; $14 = 1.1 / c }
        $6 == "gil-threads" { $12 = 1.02; $13 = 0.99; $14 = 1.06 }
        { print }' "$mine" >"$tmp/class/machine-$cores.csv"
done
"$BUILD/class" gather "$tmp/class" --chapter 1 --out "$tmp/out-class" >"$tmp/out" 2>&1
check "gather reads five machines" grep -q 'class: 5 machines, chapter 1' "$tmp/out"
check "data.csv has every machine's GIL-threads and processes" \
    sh -c "[ \$(grep -c ',gil-threads,' '$tmp/out-class/data.csv') -eq 5 ] && [ \$(grep -c ',processes,' '$tmp/out-class/data.csv') -eq 5 ]"
check "16 cores: processes at 1.05 / 16 of serial, a tiny run of the default settings, not the default experiment" \
    grep -q ',16,processes,processes,processes,serial,[0-9]*,tiny,default,0,0.0656,' "$tmp/out-class/data.csv"
check "summary.md shows each machine's scale and settings, and intervals of 3 rounds with their coverage" \
    sh -c "grep -q '| tiny | default |' '$tmp/out-class/summary.md' && grep -q '([0-9.]*-[0-9.]*, 75 %)' '$tmp/out-class/summary.md'"
check "summary.md has a row per machine" test "$(grep -c '^| [0-9] |' "$tmp/out-class/summary.md")" -eq 5
printf '%s\n' 'Laptop \<b\>16\</b\> \`id\` $\(reboot\)' >"$tmp/expected"
check "the machine's name stays text in summary.md (Markdown-escaped)" grep -qF -f "$tmp/expected" "$tmp/out-class/summary.md"
check "plot-vars.gp holds nothing from the files" sh -c "! grep -q 'Laptop\\|reboot' '$tmp/out-class/plot-vars.gp'"
plots/render.sh class "$tmp/out-class" >/dev/null 2>"$tmp/gp"
check "the class figure is drawn, gnuplot quiet" sh -c "[ -s '$tmp/out-class/figure.png' ] && [ -s '$tmp/out-class/figure.svg' ] && [ ! -s '$tmp/gp' ]"
if command -v rsvg-convert >/dev/null 2>&1; then
    rsvg-convert -b white -f png -o "$tmp/class.png" "$tmp/out-class/figure.svg" 2>"$tmp/rsvg"
    check "the class figure renders in rsvg-convert, not blank" \
        sh -c "[ ! -s '$tmp/rsvg' ] && [ \$(stat -c %s '$tmp/class.png') -gt 12000 ]"
fi
mkdir -p "$tmp/results/class" && cp "$tmp/out-class/summary.md" "$tmp/out-class/figure.svg" "$tmp/results/class/"
"$BUILD/book" --results "$tmp/results" --out "$tmp/book" >/dev/null
check "the book has the class page, linked from the sidebar" \
    sh -c "grep -q 'figures/class.svg' '$tmp/book/class.html' && grep -q 'href=\"class.html\"' '$tmp/book/chapter3.html'"
check "the class page shows the names as text, not HTML" \
    sh -c "grep -q 'Laptop &lt;b&gt;16' '$tmp/book/class.html' && ! grep -q '<b>16' '$tmp/book/class.html'"

# Bad files handed in: one line naming the file, exit 2, nothing written.
bad() { # bad NAME CONTENT-MAKER REASON
    rm -rf "$tmp/bad" "$tmp/out-bad"; mkdir -p "$tmp/bad"; cp "$mine" "$tmp/bad/"
    eval "$2"
    "$BUILD/class" gather "$tmp/bad" --out "$tmp/out-bad" >/dev/null 2>"$tmp/err"
    status=$?
    check "a handed-in file with $1: exit 2, one line naming it, nothing written ($(head -c 120 "$tmp/err"))" \
        sh -c "[ $status -eq 2 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q '$3' '$tmp/err' && [ ! -e '$tmp/out-bad' ]"
}
bad "another format" "echo 'chapter,mode' >'$tmp/bad/x.csv'" 'x.csv: line 1: it is not a share file'
bad "a control character" "sed 's/^# machine=.*/# machine=a\x1b[2Jb/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line 3: a control character'
bad "a NaN ratio" "sed 's/^\(1,tiny,default,gil-threads,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*\),[^,]*,/\1,nan,/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: a bad ratio'
bad "an unknown mode" "sed 's/^\(1,tiny,default,gil-threads,gil-threads\),gil-threads,/\1,rm -rf,/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: an unknown mode'
bad "a series that is not a plain name" "sed 's/^1,tiny,default,gil-threads,/1,tiny,default,\$(reboot),/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: a series, family or reference that is not a plain name'
bad "an unknown key" "sed 's/^# kernel=/# command=/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: an unknown preamble line'
bad "no core count" "grep -v '^# cores=' '$mine' >'$tmp/bad/x.csv'" 'x.csv: .*incomplete'
bad "a huge size" "head -c 70000 /dev/zero | tr '\\\\0' 'a' >'$tmp/bad/x.csv'" 'x.csv: is larger than 64 KiB'
bad "an interval upside down" "sed 's/^\(1,tiny,default,gil-threads,.*\),[^,]*,[^,]*\$/\1,0.5,0.4/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: an interval whose low end is above its high end'
bad "settings that are a spreadsheet formula" "sed 's/^1,tiny,default,/1,tiny,=cmd|calc!A0,/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: bad settings'
bad "a share of an older format" "sed '1s/format 3/format 2/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line 1: a share file of another format'
bad "a guess that is not numbers" "sed '2i # guess=3,gil/serial,=1+1,1,0.9,1.1' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: a bad guess'
bad "4096 cores" "sed 's/^# cores=.*/# cores=4096/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: a bad core count'
bad "the same machine twice" "cp '$mine' '$tmp/bad/again.csv'" 'come from the same machine (id [0-9a-f]*): keep one file per machine'
bad "a spreadsheet formula as its id" "sed 's/^# id=.*/# id==cmd|calc!A0/' '$mine' >'$tmp/bad/x.csv'" 'x.csv: line .*: a value that starts with =, +, - or @'
bad "a device behind a link" "ln -s /dev/zero '$tmp/bad/x.csv'" 'x.csv: is a symbolic link'
check "gather with no folder: exit 2" sh -c "'$BUILD/class' gather 2>/dev/null; [ \$? -eq 2 ]"
check "gather from an empty folder: exit 2" sh -c "mkdir -p '$tmp/empty'; '$BUILD/class' gather '$tmp/empty' --out '$tmp/o3' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$tmp/o3' ]"
make -s --no-print-directory class DIR="$tmp/class" CHAPTER=3 OUT="$tmp/make-class" >"$tmp/out" 2>&1
check "make class DIR=... CHAPTER=3 OUT=...: chapter 3's class, its figure drawn" \
    sh -c "grep -q 'class: 5 machines, chapter 3' '$tmp/out' && [ -s '$tmp/make-class/figure.svg' ] && grep -q '^# chapter=3' '$tmp/make-class/data.csv'"
# Names with quotes and $(...) in them are names: "Bob's class" works, and nothing runs.
odd="$tmp/Bob's class \$(shell touch pwned) \$(touch pwned)"
mkdir -p "$odd" && cp "$tmp/class"/*.csv "$odd/"
make -s --no-print-directory class DIR="$odd" CHAPTER=3 OUT="$odd/out" >"$tmp/out" 2>&1
check "make class with a quote and \$(...) in DIR and OUT: it works, and runs nothing" \
    sh -c "grep -q 'class: 5 machines, chapter 3' '$tmp/out' && [ -s \"\$1/out/figure.svg\" ] && [ ! -e pwned ] && [ ! -e \"\$1/pwned\" ]" - "$odd"
make -s --no-print-directory class DIR="$tmp/class" CHAPTER="3'; touch $tmp/pwned2; '\$(shell touch $tmp/pwned3)" OUT="$tmp/o-odd" >"$tmp/out" 2>&1
check "make class CHAPTER with a quote and a command: refused, nothing run" sh -c "[ ! -e '$tmp/pwned2' ] && [ ! -e '$tmp/pwned3' ] && [ ! -e '$tmp/o-odd' ]"
# Every chapter pools, from shares of tiny runs (every chapter's, as a student makes
# it: lib.sh's tiny_run, made once for the suites that read it) and of class-scale runs
# (the committed references' modes.csv): a figure drawn quietly, or one line saying
# there is nothing to pool and nothing written. A chapter that does not exist: exit 2.
mkdir -p "$tmp/all"
for n in $(chapter_numbers); do
    run=$(tiny_run "$n")
    tiny_run_ok "$run" && cp -R "$run" "$tmp/all/chapter$n" || not_ok "chapter$n runs for the share of every chapter"
    mkdir -p "$tmp/reference/chapter$n"
    { echo "# scale=class"; echo "# settings=default"; cat "$(chapter_dir "$n")/reference/modes.csv"; } \
        >"$tmp/reference/chapter$n/modes.csv"
done
id=0
for scale in all reference; do
    "$BUILD/class" share --results "$tmp/$scale" --out "$tmp/shares-$scale" --all >/dev/null 2>&1
    id=$((id + 1)) # two more machines: this one's id is taken
    sed "s/^# id=.*/# id=a11a11a$id/" "$tmp/shares-$scale"/*.csv >"$tmp/class/$scale.csv"
done
for n in $(chapter_numbers); do
    rm -rf "$tmp/every"
    "$BUILD/class" gather "$tmp/class" --chapter "$n" --out "$tmp/every" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if grep -q 'nothing to pool' "$tmp/out"; then
        check "make class CHAPTER=$n: nothing to pool, said in one line, nothing written" \
            sh -c "[ $status -eq 0 ] && [ \$(wc -l <'$tmp/out') -eq 1 ] && [ ! -e '$tmp/every' ]"
    else
        plots/render.sh class "$tmp/every" >/dev/null 2>"$tmp/gp"
        check "make class CHAPTER=$n: 7 machines pooled, its figure drawn, gnuplot quiet" \
            sh -c "[ $status -eq 0 ] && grep -q 'class: 7 machines, chapter $n' '$tmp/out' && [ -s '$tmp/every/figure.svg' ] && [ ! -s '$tmp/gp' ]"
    fi
done
for n in 99 x; do
    "$BUILD/class" gather "$tmp/class" --chapter "$n" --out "$tmp/none" >/dev/null 2>"$tmp/err"
    status=$?
    check "make class CHAPTER=$n: exit 2 naming the chapters that exist, nothing written" \
        sh -c "[ $status -eq 2 ] && grep -q 'no such chapter (there are chapters 0 to' '$tmp/err' && [ ! -e '$tmp/none' ]"
done
# What an editor or another system does to a file: a byte-order mark, CRLF line ends,
# an upper-case .CSV. The file is the same; other files are left out, and said.
rm -rf "$tmp/edited" "$tmp/out-edited" && mkdir -p "$tmp/edited"
{ printf '\357\273\277'; sed 's/$/\r/' "$mine"; } >"$tmp/edited/FROM-WINDOWS.CSV"
echo "notes" >"$tmp/edited/readme.txt"
"$BUILD/class" gather "$tmp/edited" --chapter 1 --out "$tmp/out-edited" >"$tmp/out" 2>"$tmp/err"
check "a share saved with a byte-order mark, CRLF, as .CSV: gathered" grep -q 'class: 1 machine, chapter 1' "$tmp/out"
check "...and the file that is not *.csv is said to be left out" grep -q '1 file in .* is not \*.csv: left out' "$tmp/err"
check "class --help: usage on standard output, exit 0" sh -c "'$BUILD/class' --help | grep -q '^usage: class share'"
check "make class without DIR: exit 2 and says how" sh -c "make -s --no-print-directory class 2>&1 | grep -q 'make class DIR=FOLDER'"
finish class
