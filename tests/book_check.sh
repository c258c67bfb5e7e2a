#!/bin/sh
# book_check.sh — open the built book in headless Chromium: a PNG screenshot of the
# index and of one chapter page, and a failure if any image did not load.
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
        --virtual-time-budget=5000 "$@" 2>/dev/null
}
book_abs=$(cd "$book" && pwd)
for page in index.html chapter2.html; do
    shot=$book/screenshot-${page%.html}.png
    chrome --window-size=1280,2400 --screenshot="$shot" "file://$book_abs/$page" >/dev/null
    check "$page: screenshot taken ($shot)" sh -c "head -c 8 '$shot' 2>/dev/null | grep -q PNG"
    # A copy of the page that writes its broken images into the DOM once loaded.
    probe=$book/.probe-$page
    sed 's|</body>|<script>window.addEventListener("load", function () { var bad = []; var all = document.images; for (var i = 0; i < all.length; i++) if (!all[i].complete \|\| all[i].naturalWidth === 0) bad.push(all[i].getAttribute("src")); document.body.setAttribute("data-images", all.length + " loaded, broken: " + (bad.join(" ") \|\| "none")); });</script></body>|' \
        "$book/$page" >"$probe"
    chrome --dump-dom "file://$book_abs/.probe-$page" >"$tmp/dom"
    rm -f "$probe"
    verdict=$(grep -o 'data-images="[^"]*"' "$tmp/dom" | head -1)
    check "$page: every image loaded (${verdict:-no report})" sh -c "echo '$verdict' | grep -q 'broken: none' && ! echo '$verdict' | grep -q '\"0 loaded'"
done
finish book_check
