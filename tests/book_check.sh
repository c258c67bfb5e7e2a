#!/bin/sh
# book_check.sh — open the built book in headless Chromium, as a reader would:
# - screenshots of the index and of chapter 2, and of chapter 3 on a 1024 x 768
#   projector (results/book/screenshot-*.png);
# - every image loaded; at 1024 x 768 every figure at least 900 px wide; at 1366 x 768
#   the smallest text in any figure at least 14 px on the screen;
# - a reader's page: results folded until opened, the contents on one screen, the
#   search (whole words, decoded snippets, the word marked), the arrow keys and the
#   light/dark toggle;
# - a phone: no page wider than the screen, the contents table without scrolling;
# - the offline search finds sections for "GIL";
# - printed: the book (index.html, every chapter) to PDF, its first page not blank,
#   and a screenshot of a page in the print layout (screenshot-print.png).
# Usage: tests/book_check.sh [BOOK_DIR]   (default results/book; `make book-check`)
. "$(dirname "$0")/lib.sh"
book=${1:-results/book}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    not_ok "chromium is not installed (apt-get install chromium)"
    finish book_check
    exit 1
fi
[ -s "$book/index.html" ] || { not_ok "no book at $book (make book)"; finish book_check; exit 1; }
# The flags this machine's closed network needs, and a throw-away profile.
chrome() {
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-sync \
        --disable-background-networking --disable-component-update --user-data-dir="$tmp/profile" \
        --hide-scrollbars --virtual-time-budget=5000 "$@" 2>/dev/null
}
book_abs=$(cd "$book" && pwd)
is_png() { head -c 8 "$1" 2>/dev/null | grep -q PNG; }

# A copy of a page that, once loaded, writes into the DOM what a reader would see:
# images loaded and broken, the narrowest figure's width, and the search's hits for "GIL".
probe='<script>window.addEventListener("load", function () { var bad = [], all = document.images, narrowest = 100000, figures = document.querySelectorAll("figure img"); for (var i = 0; i < all.length; i++) if (!all[i].complete || all[i].naturalWidth === 0) bad.push(all[i].getAttribute("src")); for (var j = 0; j < figures.length; j++) narrowest = Math.min(narrowest, Math.round(figures[j].getBoundingClientRect().width)); var hits = window.bookSearch ? window.bookSearch("GIL").length : -1; document.body.setAttribute("data-check", "images=" + all.length + " broken=" + (bad.join(",") || "none") + " figures=" + figures.length + " narrowest=" + narrowest + " gil_hits=" + hits); });</script></body>'
inspect() { # inspect PAGE WIDTH HEIGHT: the data-check line
    awk -v p="$probe" '{ i = index($0, "</body>"); if (i) $0 = substr($0, 1, i - 1) p substr($0, i + 7) } 1' \
        "$book/$1" >"$book/.probe-$1"
    chrome --window-size="$2,$3" --dump-dom "file://$book_abs/.probe-$1" >"$tmp/dom"
    rm -f "$book/.probe-$1"
    grep -o 'data-check="[^"]*"' "$tmp/dom" | head -1 | sed 's/^data-check="//; s/"$//'
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

for page in index.html chapter2.html; do
    shot=$book/screenshot-${page%.html}.png
    chrome --window-size=1280,2400 --screenshot="$shot" "file://$book_abs/$page" >/dev/null
    check "$page: screenshot taken ($shot)" is_png "$shot"
    seen=$(inspect "$page" 1280 2400)
    check "$page: every image loaded (${seen:-no report})" \
        sh -c "[ '$(field "$seen" broken)' = none ] && [ '$(field "$seen" images)' -gt 0 ]"
done

# A phone (a 390 px window; headless Chromium lays a page out at least 500 px wide):
# no page is wider than the screen (long code breaks, wide tables scroll inside
# themselves), and the front page's contents table fits without scrolling.
phone_probe='<script>window.addEventListener("load", function () { var t = document.querySelector("table.contents"); document.body.setAttribute("data-check", "page_width=" + document.documentElement.scrollWidth + " view=" + window.innerWidth + " contents_scroll=" + (t ? t.scrollWidth - t.clientWidth : 0)); });</script></body>'
wide=
for page in index.html $(cd "$book" && ls chapter[0-9]*.html); do
    awk -v p="$phone_probe" '{ i = index($0, "</body>"); if (i) $0 = substr($0, 1, i - 1) p substr($0, i + 7) } 1' \
        "$book/$page" >"$book/.probe-$page"
    chrome --window-size=390,844 --dump-dom "file://$book_abs/.probe-$page" >"$tmp/dom"
    rm -f "$book/.probe-$page"
    seen=$(grep -o 'data-check="[^"]*"' "$tmp/dom" | head -1 | sed 's/^data-check="//; s/"$//')
    [ -n "$seen" ] && [ "$(field "$seen" page_width)" -le "$(field "$seen" view)" ] || wide="$wide $page($seen)"
    [ "$page" = index.html ] && front=$seen
done
check "on a phone no page is wider than the screen${wide:+:$wide}" test -z "$wide"
check "on a phone the front page's contents fit its width ($front)" test "$(field "$front" contents_scroll)" -le 1

# A projector: 1024 x 768.
shot=$book/screenshot-chapter3-1024x768.png
chrome --window-size=1024,768 --screenshot="$shot" "file://$book_abs/chapter3.html" >/dev/null
check "chapter3.html at 1024x768: screenshot taken ($shot)" is_png "$shot"
seen=$(inspect chapter3.html 1024 768)
check "chapter3.html at 1024x768: every figure at least 900 px wide (${seen:-no report})" \
    sh -c "[ '$(field "$seen" figures)' -ge 1 ] && [ '$(field "$seen" narrowest)' -ge 900 ]"
# A reader's page, probed once loaded: the results folded under the Predict block
# (no figure shown until opened, then every one as wide as the column); the front
# page's contents table within one screen; the search: "GIL" and "false sharing"
# found, snippets with no HTML entity left in them, "read" matched only at the start
# of a word (never inside "threads"); a search word marked on the page it opens.
reader_probe='<script>window.addEventListener("load", function () {
  var figures = document.querySelectorAll("figure img"), shown = 0, narrowest = 100000, i;
  for (i = 0; i < figures.length; i++) if (figures[i].checkVisibility()) shown++;
  var folded = document.querySelectorAll("details.results:not([open])").length;
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  for (i = 0; i < figures.length; i++) narrowest = Math.min(narrowest, Math.round(figures[i].getBoundingClientRect().width));
  var gil = window.bookSearch("GIL"), sharing = window.bookSearch("false sharing"), read = window.bookSearch("read");
  var entities = gil.concat(sharing).filter(function (r) { return /&[a-z]+;|&#[0-9]+;/.test(r.snippet); }).length;
  var inside = read.filter(function (r) { return !/(^|[^a-z0-9_])read/i.test(r.entry.t + " " + r.entry.x); }).length;
  var marks = window.bookHighlight ? (window.bookHighlight("interval"), document.querySelectorAll("main mark").length) : -1;
  document.body.setAttribute("data-check", "figures=" + figures.length + " shown_folded=" + shown + " folded=" + folded +
    " narrowest_open=" + narrowest + " gil=" + gil.length + " sharing=" + sharing.length + " read=" + read.length +
    " entities=" + entities + " read_inside=" + inside + " marks=" + marks);
});</script></body>'
probe_with() { # probe_with PAGE WIDTH HEIGHT SCRIPT: the data-check line
    awk -v p="$4" '{ i = index($0, "</body>"); if (i) $0 = substr($0, 1, i - 1) p substr($0, i + 7) } 1' \
        "$book/$1" >"$book/.probe-$1"
    chrome --window-size="$2,$3" --dump-dom "file://$book_abs/.probe-$1" >"$tmp/dom"
    rm -f "$book/.probe-$1"
    grep -o 'data-check="[^"]*"' "$tmp/dom" | head -1 | sed 's/^data-check="//; s/"$//'
}
read3=$(probe_with chapter3.html 1366 768 "$(printf '%s' "$reader_probe" | tr '\n' ' ')")
check "chapter 3: the results folded under the Predict block until opened, then every figure column-wide (${read3:-no report})" \
    sh -c "[ '$(field "$read3" folded)' -ge 1 ] && [ '$(field "$read3" shown_folded)' = 0 ] && [ '$(field "$read3" figures)' -ge 1 ] && [ '$(field "$read3" narrowest_open)' -ge 900 ]"
check "search: \"GIL\" and \"false sharing\" found, snippets without HTML entities" \
    sh -c "[ '$(field "$read3" gil)' -gt 0 ] && [ '$(field "$read3" sharing)' -gt 0 ] && [ '$(field "$read3" entities)' = 0 ]"
check "search: \"read\" matches whole words and word starts, never the inside of \"threads\" ($(field "$read3" read) hits)" \
    sh -c "[ '$(field "$read3" read)' -gt 0 ] && [ '$(field "$read3" read_inside)' = 0 ]"
check "a search word is marked on the page ($(field "$read3" marks) marks of \"interval\")" test "$(field "$read3" marks)" -gt 0
contents_probe='<script>window.addEventListener("load", function () { var t = document.querySelector("table.contents"); document.body.setAttribute("data-check", "contents_height=" + (t ? Math.round(t.getBoundingClientRect().height) : -1)); });</script></body>'
front=$(probe_with index.html 1366 768 "$contents_probe")
check "the front page's contents table fits one screen at 1366x768 ($(field "$front" contents_height) px)" \
    sh -c "[ '$(field "$front" contents_height)' -gt 0 ] && [ '$(field "$front" contents_height)' -le 768 ]"
# The keys and the theme: on chapter 3, the toggle pressed, then the right arrow: the
# page that loads is chapter 4, in the theme chosen (dumped as Chromium left it).
keys_probe='<script>window.addEventListener("load", function () { document.getElementById("theme").click(); document.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true })); });</script></body>'
probe_with chapter3.html 1366 768 "$keys_probe" >/dev/null
check "the right arrow turns to chapter 4, and the light/dark choice stays ($(grep -o '<html[^>]*>' "$tmp/dom" | head -1))" \
    sh -c "grep -q '<title>Chapter 4' '$tmp/dom' && grep -q '<html[^>]*data-theme=\"\(dark\|light\)\"' '$tmp/dom'"

# From the back of a room: at 1366 x 768, the smallest text of every figure the
# book shows, in screen pixels: its smallest font size in the SVG, scaled by the
# width the page gives the figure over the SVG's own width (its viewBox).
smallest_figure_text() { # smallest_figure_text SHOWN_WIDTH: "PX FILE" of the smallest
    for svg in "$book"/figures/*.svg; do
        width=$(sed -n 's/.*viewBox="0 0 \([0-9.]*\) [0-9.]*".*/\1/p' "$svg" | head -1)
        size=$(grep -o 'font-size="[0-9.]*"' "$svg" | tr -dc '0-9.\n' | sort -n | head -1)
        [ -n "$width" ] && [ -n "$size" ] && awk -v s="$size" -v w="$width" -v shown="$1" -v f="${svg##*/}" \
            'BEGIN { printf "%.1f %s\n", s * shown / w, f }'
    done | sort -n | head -1
}
wide=$(inspect chapter3.html 1366 768)
smallest=$(smallest_figure_text "$(field "$wide" narrowest)")
check "at 1366x768 every figure's smallest text is at least 14 px (smallest: ${smallest:-none measured} px, figures ${wide:-not shown})" \
    sh -c "[ -n '$smallest' ] && awk -v px='${smallest%% *}' 'BEGIN { exit !(px >= 14) }'"
check "the offline search finds sections for \"GIL\" ($(field "$seen" gil_hits) hits)" \
    test "$(field "$seen" gil_hits)" -gt 0
check "the search index is there" test -s "$book/search-index.js"

# Paper. The whole book to PDF; its first page must draw text (a blank first page
# draws nothing). Then a page in the print layout, as a picture.
chrome --print-to-pdf="$tmp/book.pdf" --no-pdf-header-footer "file://$book_abs/index.html" >/dev/null
check "the book prints to PDF" sh -c "head -c 5 '$tmp/book.pdf' 2>/dev/null | grep -q '%PDF'"
first_page_has_text() {
    python3 - "$1" <<'PY'
import re, sys, zlib
pdf = open(sys.argv[1], "rb").read()
objects = {int(m.group(1)): m.start() for m in re.finditer(rb"(\d+) 0 obj", pdf)}
def body(n):
    start = objects[n]
    return pdf[start:pdf.index(b"endobj", start)]
pages = [n for n in objects if re.search(rb"/Type\s*/Page[^s]", body(n))]
first = min(pages, key=lambda n: objects[n])  # Chromium writes the pages in order
contents = re.search(rb"/Contents\s*(\d+) 0 R", body(first))
stream = body(int(contents.group(1)))
data = stream[stream.index(b"stream") + 6:].lstrip(b"\r\n")
data = data[:data.rindex(b"endstream")]
text = zlib.decompress(data) if b"FlateDecode" in stream else data
sys.exit(0 if re.search(rb"\bT[Jj]\b", text) else 1)
PY
}
check "the printed book's first page is not blank" first_page_has_text "$tmp/book.pdf"
sed 's|href="book.css"|href="print.css"|' "$book/chapter3.html" >"$book/.print-chapter3.html"
sed 's/@media print {/@media all {/' "$book/book.css" >"$book/print.css"
shot=$book/screenshot-print.png
chrome --window-size=794,1123 --screenshot="$shot" "file://$book_abs/.print-chapter3.html" >/dev/null
rm -f "$book/.print-chapter3.html" "$book/print.css"
check "a page in the print layout: screenshot taken ($shot)" is_png "$shot"
finish book_check
