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
        check "$label: chapter $n has the sidebar with every chapter" \
            test "$(grep -c '<li[^>]*><a href="chapter[0-9]*.html"><span class="number">' "$book/chapter$n.html")" -eq "$(chapter_numbers | wc -l)"
        check "$label: chapter $n's headings have anchors" grep -q "<h2 id=\"ch$n-predict\">.*href=\"#ch$n-predict\"" "$book/chapter$n.html"
        check "$label: chapter $n links to its program's source" grep -q "href=\"source/chapter$n-chapter$n.c.html\"" "$book/chapter$n.html"
        check "$label: chapter $n folds the reference run's answers" grep -q '<details class="answers">' "$book/chapter$n.html"
    done
    check "$label: a mobile viewport and the search on every page" \
        sh -c "! grep -L 'name=\"viewport\"' '$book'/*.html '$book'/source/*.html | grep -q . && ! grep -L 'search-index.js' '$book'/*.html | grep -q ."
    check "$label: the search index has every chapter's sections" \
        test "$(grep -o '"u":"chapter[0-9]*.html#' "$book/search-index.js" | sort -u | wc -l)" -eq "$(chapter_numbers | wc -l)"
    check "$label: light and dark themes follow the reader's setting" grep -q 'prefers-color-scheme: dark' "$book/book.css"
    check "$label: a print layout that wraps code" sh -c "grep -A12 '@media print' '$book/book.css' | grep -q 'pre-wrap'"
    check "$label: the one link out is to the original post" \
        sh -c "grep -oh 'href=\"http[^\"]*\"' '$book'/*.html | sort -u | grep -v -q 'medium.com/contentsquare-engineering-blog/multithreading-vs-multiprocessing-in-python' && exit 1 || exit 0"
    check "$label: a source page shows the code, escaped" grep -q '#include &lt;' "$book/source/chapter3-chapter3.c.html"
    check "$label: chapter 3's results are folded under its Predict block until opened" \
        grep -q '<details class="results">' "$book/chapter3.html"
    check "$label: common/gil.c has a page, its lines numbered and anchored, coloured by highlight.js" \
        sh -c "grep -q 'id=\"L1\" href=\"#L1\"' '$book/source/common-gil.c.html' && grep -q 'gil_t \*gil_create' '$book/source/common-gil.c.html' && grep -q 'highlight.min.js' '$book/source/common-gil.c.html' && [ -s '$book/highlight.min.js' ]"
    check "$label: chapter 9, which cites common/gil.c, links to its page" \
        grep -q '<a href="source/common-gil.c.html"><code>common/gil.c</code></a>' "$book/chapter9.html"
    check "$label: lunr.js, from Debian, is in the book for the search" \
        sh -c "[ -s '$book/lunr.min.js' ] && grep -q 'src=\"lunr.min.js\"' '$book/chapter3.html'"
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
mkdir -p "$tmp/results"
for n in 3 8; do cp -R "$(tiny_run "$n")" "$tmp/results/chapter$n"; done # lib.sh: with its figure
"$BUILD/book" --results "$tmp/results" --out "$tmp/book2" >/dev/null
check_book "two chapters run" "$tmp/book2"
for n in 3 8; do
    check "chapter $n shows this machine's figure" grep -q "figures/chapter$n.svg" "$tmp/book2/chapter$n.html"
    check "chapter $n shows this machine's verdict in the contents" \
        sh -c "grep '<tr><td>$n</td>' '$tmp/book2/index.html' | grep -v -q 'not measured yet'"
    check "chapter $n says its run (tiny) and the reference (class) used different scales" \
        grep -q 'class="scale-warning">Your run used the <strong>tiny</strong> scale, the reference run the <strong>class' "$tmp/book2/chapter$n.html"
done
check "chapter 3's folded answers hold this machine's too" \
    sh -c "grep -A3 '<details class=\"answers\">' '$tmp/book2/chapter3.html' >/dev/null && grep -q '<td><code>gil/serial</code></td><td>[0-9.]* ([0-9.]*-[0-9.]*)</td><td>[0-9.]*' '$tmp/book2/chapter3.html'"
check "chapter $n's page shows its measured table" grep -q "<table>" "$tmp/book2/chapter8.html"
check "a bad flag is refused" sh -c "! '$BUILD/book' --bogus 2>/dev/null"

# 3. A results folder is data, not code: a figure that carries a script, an event
#    attribute or an outside link is left out of the book, in one line each.
for kind in script onload link; do
    case $kind in
    script) body='<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' ;;
    onload) body='<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><g/></svg>' ;;
    link) body='<svg xmlns="http://www.w3.org/2000/svg"><use href="http://example.com/x.svg#a"/></svg>' ;;
    esac
    printf '%s\n' "$body" >"$tmp/results/chapter3/figure.svg"
    "$BUILD/book" --results "$tmp/results" --out "$tmp/book-$kind" >/dev/null 2>"$tmp/err"
    check "a figure.svg with a $kind is left out of the book, and said so" \
        sh -c "[ ! -e '$tmp/book-$kind/figures/chapter3.svg' ] && grep -q 'chapter3/figure.svg left out: it is not a plain drawing' '$tmp/err' && ! grep -rq 'alert(1)\|example.com' '$tmp/book-$kind'"
done

check "README.md's chapter table is the one the chapter folders give (make readme)" \
    sh -c 'chapters/chapters.sh readme | cmp -s - README.md'

finish book
