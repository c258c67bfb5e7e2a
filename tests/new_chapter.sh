#!/bin/sh
# new_chapter.sh — "a new chapter is one folder": in a copy of the tree, chapter 3's
# folder is copied to the next free number N, two digits (chapters/NN-copy-of-three;
# its README's title renumbered, as its author would), and nothing else is edited.
# Chapter N must then build, run through `make chapterN`, and appear in `make help`,
# the book and the chapter list every test suite reads.
. "$(dirname "$0")/lib.sh"

tree=$tmp/tree
mkdir -p "$tree"
# The release build comes along (times kept), as in a checkout where someone adds a
# chapter: make then builds what the new chapter needs, not all of common/ again.
tar cf - --exclude=./build/tsan --exclude=./build/asan --exclude=./results --exclude=./.git . | tar xf - -C "$tree"
N=$(( $(chapter_numbers | tail -1) + 1 ))
[ "$N" -ge 10 ] || N=10 # two digits: the case that once broke
NN=$(printf '%02d' "$N")
cp -r chapters/03-faster-than-serial "$tree/chapters/$NN-copy-of-three"
sed -i "1s/^# Chapter 3:/# Chapter $N:/" "$tree/chapters/$NN-copy-of-three/README.md"

check "chapter $N is in the chapter list" sh -c "cd '$tree' && chapters/chapters.sh numbers | grep -qx $N"
check "make help lists chapter $N with its claim" \
    sh -c "make -C '$tree' --no-print-directory help | grep -c 'make chapter$N .*\"Multithreading is always faster than serial\"' >/dev/null"
if make -C "$tree" --no-print-directory -j2 chapter$N ARGS="--scale tiny --python none --quiet" >"$tmp/make" 2>&1; then
    ok "make chapter$N builds and runs it"
else
    not_ok "make chapter$N builds and runs it" "$(tail -5 "$tmp/make")"
fi
check "chapter $N wrote its results" test -f "$tree/results/chapter$N/summary.md"
check "chapter $N's summary names chapter $N" grep -q "^## Chapter $N: " "$tree/results/chapter$N/summary.md"
check "chapter $N's figure was drawn" test -s "$tree/results/chapter$N/figure.svg"
check "chapter $N ran its own copy of original.py" \
    sh -c "'$tree/build/chapter$N' --scale tiny --out '$tmp/chN' --quiet >/dev/null && grep -q 'chapters/$NN-copy-of-three/original.py' '$tmp/chN/summary.md' || ! command -v python3 >/dev/null"
if make -C "$tree" --no-print-directory build/book >"$tmp/book.log" 2>&1 &&
    "$tree/build/book" --chapters "$tree/chapters" --results "$tree/results" --out "$tmp/book" >>"$tmp/book.log" 2>&1; then
    ok "the book builds with chapter $N"
else
    not_ok "the book builds with chapter $N"
fi
check "the book has a page for chapter $N" test -f "$tmp/book/chapter$N.html"
check "the book's contents link chapter $N" grep -q "chapter$N.html" "$tmp/book/index.html"
# --out has one road: data and figures in DIR, and the terminal figure drawn from DIR.
outside=$tmp/outside
if make -C "$tree" --no-print-directory chapter3 ARGS="--scale tiny --python none --out $outside" >"$tmp/out3" 2>&1; then
    ok "make chapter3 ARGS=\"--out DIR\" runs"
else
    not_ok "make chapter3 ARGS=\"--out DIR\" runs" "$(tail -3 "$tmp/out3")"
fi
for f in data.csv summary.md figure.png figure.svg; do
    check "--out DIR holds $f" test -s "$outside/$f"
done
check "--out DIR left nothing in the tree's results/chapter3" test ! -e "$tree/results/chapter3"
check "the terminal figure was drawn from DIR" grep -qF "figure: $outside/figure.{png,svg}" "$tmp/out3"
check "OUT=DIR does the same" sh -c "make -C '$tree' --no-print-directory chapter8 OUT='$tmp/out8' ARGS='--scale tiny --quiet' >/dev/null 2>&1 && test -s '$tmp/out8/figure.svg'"
check "make figure8 OUT=DIR redraws it from any directory" \
    sh -c "rm '$tmp/out8/figure.svg' && cd / && make -C '$tree' --no-print-directory figure8 OUT='$tmp/out8' >/dev/null && test -s '$tmp/out8/figure.svg'"
check "plots/render.sh works from another directory" sh -c "cd / && '$tree/plots/render.sh' 8 '$tmp/out8' >/dev/null"
check "render.sh refuses a directory without results" sh -c "! '$tree/plots/render.sh' 8 '$tmp' 2>/dev/null"

check "no process left behind" no_leftover

finish new_chapter
