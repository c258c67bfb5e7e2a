#!/bin/sh
# prose.sh — the text is computed with the data.
#
# 1. Every placeholder of every chapter's README names a quantity of its committed
#    reference run (build/book --check-text fills them as the book does).
# 2. No README states a measured number by hand: every number with a unit of time,
#    a ratio or a share in the prose (outside code, placeholders, the README's
#    generated chapter table, and the "The claim" section, which quotes the article)
#    is one of the constants below.
# 3. The checker itself finds a typed measurement, and a placeholder naming nothing.
. "$(dirname "$0")/lib.sh"

# The constants a README may state: settings, thresholds and definitions, not results.
# Each is "number unit" as written; a new one needs a reason here.
allowed='
95 %|75 %|96.9 %|99.2 %   the intervals'"'"' confidence levels (common/stats.h)
0 %|100 %|25 %|50 %|5 %|3 %   definitions and thresholds (cores busy, overlap, the 3 % round rule); 25 %: the article
1.1x|1.25x|1.5x|3x|0.8x|0.95   the chapters'"'"' three-way thresholds (named in each README)
2 ×|3 ×|4 ×                   sweep ranges: k × cores
0.1 ms|0.1 s|0.15 s|0.2 s|0.25 s|0.02 s|0.05 s|0.3 s|1 s|5 s|10 s|15 s|20 s|1 ms|5 ms|10 ms|20 ms|50 µs   settings: switch intervals, page latencies, windows, budgets, the scale'"'"'s work
64 bytes|2047 bytes|5120 bytes|5121 bytes|5 KiB|32 KiB|1 MiB|256 MiB|512 MiB|1024 MiB|1 GiB|2 GiB   sizes the chapters choose
0.75 ms|4 ms|2048 bytes       constants of the sources cited beside them (EEVDF base slice, the HZ=250 tick, HASHLIB_GIL_MINSIZE)
8 B|4 MiB|20 µs|0.6 µs        chapter 13: the ping-pong sizes from the smallest to the largest; the cited links latencies (Hurwitz and Feng; ConnectX-6)
'

scan() {
    python3 -I - "$allowed" "$@" <<'PY'
import re, sys
allowed = set()
for line in sys.argv[1].strip().splitlines():
    tokens = re.split(r"\s{3,}", line.strip())[0]
    allowed.update(t.strip() for t in tokens.split("|"))
UNIT = r"(?:x\b|×|ms\b|µs\b|us\b|ns\b|%|s\b|MiB/s|GiB/s|KiB\b|MiB\b|GiB\b|bytes\b)"
NUMBER = re.compile(r"(?<![\w.{:@/-])(\d+(?:\.\d+)?(?:\s?[–-]\s?\d+(?:\.\d+)?)?)(\s?)" + UNIT)

def prose(text):
    # The README's chapter table is generated from the reference runs (make readme;
    # book.sh checks it is the one the folders give): computed, not typed.
    text = re.sub(r"<!-- chapters:.*?<!-- /chapters -->", "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", "", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.sub(r"\n## The claim\n.*?(?=\n## )", "\n", text, flags=re.S)  # the article's numbers

for path in sys.argv[2:]:
    text = prose(open(path, encoding="utf-8").read())
    for m in NUMBER.finditer(text):
        token = re.sub(r"\s+", " ", m.group(0))
        if token in allowed or token.replace(" ", "") in allowed:
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        line = text[start:text.find("\n", m.end())].strip()
        print("%s: %s  (in: %s)" % (path, token, line[:100]))
PY
}

"$BUILD/book" --check-text >"$tmp/check" 2>&1
check "every README placeholder names a quantity of its reference run (book --check-text)" [ $? -eq 0 ]
grep -v "^book:" "$tmp/check" | sed 's/^/    /'

for n in $(chapter_numbers); do
    readme=$(chapter_dir "$n")/README.md
    typed=$(scan "$readme")
    check "chapter $n's README types no measured number (each comes from a placeholder)" [ -z "$typed" ]
    [ -z "$typed" ] || echo "$typed" | sed 's/^/    /'
done
typed=$(scan README.md)
check "README.md types no measured number" [ -z "$typed" ]
[ -z "$typed" ] || echo "$typed" | sed 's/^/    /'

# The checks can fail: a typed measurement, and a placeholder that names nothing.
printf '# x\n\nThe gaps were about 17 µs each, and threads took 1.93x the serial time.\n' >"$tmp/typed.md"
check "the scan finds a typed measurement (17 µs, 1.93x)" [ "$(scan "$tmp/typed.md" | wc -l)" -eq 2 ]
tree=$tmp/tree
mkdir -p "$tree/chapters"
cp -R chapters/03-faster-than-serial "$tree/chapters/"
cp -R chapters/book "$tree/chapters/"
printf '\nIt took {{answer:no/such}} and {{mode:serial@1:wall_median_s|ms}}.\n' >>"$tree/chapters/03-faster-than-serial/README.md"
"$BUILD/book" --chapters "$tree/chapters" --check-text >"$tmp/out" 2>&1
status=$?
check "book --check-text fails on a placeholder naming nothing, and names it" \
    [ "$status" -eq 1 ] && grep -q "chapter 3: 1 placeholder unfilled; the first: {{answer:no/such}}" "$tmp/out"
finish prose
