#!/bin/sh
# book.sh — the book's structure: every chapter present, every figure it shows exists,
# every internal link resolves, no absolute path of this machine in the HTML. Built
# twice: with no results yet (the reference runs alone) and with two chapters run.
. "$(dirname "$0")/lib.sh"



check_book() {
    label=$1 book=$2
    check "$label: index.html exists" test -s "$book/index.html"
    for dir in chapters/[0-9][0-9]-*; do
        n=$(basename "$dir" | sed 's/-.*//; s/^0*\(.\)/\1/')
        check "$label: chapter $n has its page" test -s "$book/chapter$n.html"
        check "$label: the contents list chapter $n" grep -q "href=\"chapter$n.html\"" "$book/index.html"
        check "$label: chapter $n shows its reference run" grep -q "figures/chapter$n-reference.svg" "$book/chapter$n.html"
    done
    # Every src and href: a file in the book, and an anchor that exists in it.
    broken=""
    for page in "$book"/*.html; do
        for link in $(grep -o '\(src\|href\)="[^"]*"' "$page" | sed 's/^[a-z]*="//; s/"$//'); do
            case $link in http://* | https://* | mailto:*) continue ;; esac
            file=${link%%#*} anchor=""
            [ "$file" = "$link" ] || anchor=${link#*#}
            target=$book/${file:-$(basename "$page")}
            if [ ! -e "$target" ]; then broken="$broken $(basename "$page"):$link"; continue; fi
            if [ -n "$anchor" ] && ! grep -q "id=\"$anchor\"" "$target"; then broken="$broken $(basename "$page"):$link"; fi
        done
    done
    check "$label: every internal link and figure resolves${broken:+ (broken:$broken)}" test -z "$broken"
    check "$label: no absolute path of this machine" sh -c "! grep -l '\"/\|/tmp/\|/work/\|/home/\|/root/' '$book'/*.html"
    check "$label: no network fetch" sh -c "! grep -l 'src=\"http\|href=\"http[^\"]*\.css' '$book'/*.html"
}

# 1. A fresh clone: no results, the reference runs alone.
"$BUILD/book" --results "$tmp/none" --out "$tmp/book1" >"$tmp/stdout" 2>&1
check "a book builds with no results yet" test $? -eq 0
check_book "no results" "$tmp/book1"
check "no results: the pages say how to run the chapter" grep -q "make chapter1" "$tmp/book1/chapter1.html"

# 2. Two chapters run here: their pages show this machine's table, verdict and figure.
for n in 3 8; do
    "$BUILD/chapter$n" --scale tiny --quiet --out "$tmp/results/chapter$n" >/dev/null &&
        plots/render.sh "$n" "$tmp/results/chapter$n" >/dev/null
done
"$BUILD/book" --results "$tmp/results" --out "$tmp/book2" >/dev/null
check_book "two chapters run" "$tmp/book2"
for n in 3 8; do
    check "chapter $n shows this machine's figure" grep -q "figures/chapter$n.svg" "$tmp/book2/chapter$n.html"
    check "chapter $n shows this machine's verdict in the contents" \
        sh -c "grep -A0 'href=\"chapter$n.html\"' '$tmp/book2/index.html' | grep -v -q 'not measured yet'"
done
check "chapter $n's page shows its measured table" grep -q "<table>" "$tmp/book2/chapter8.html"
check "a bad flag is refused" sh -c "! '$BUILD/book' --bogus 2>/dev/null"

check "README.md's chapter table is the one the chapter folders give (make readme)" \
    sh -c 'chapters/chapters.sh readme | cmp -s - README.md'

finish book
