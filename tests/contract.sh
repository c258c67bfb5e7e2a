#!/bin/sh
# contract.sh — one name per measured thing, and no flag without an effect.
#
# 1. Every chapter's data.csv and modes.csv (a tiny run each, and the committed
#    reference runs' modes.csv): each row names its series; each series has one mode;
#    each (series, workers) is one row of modes.csv (no two series pooled); each ratio's
#    reference is a series the chapter ran; a reference against itself is exactly 1.
# 2. Every chapter refuses each common flag it does not honour (its --help lists the
#    ones it does) with exit 2 and one line, before anything runs.
. "$(dirname "$0")/lib.sh"

# The checks of part 1, in Python (its csv module reads quoted fields): prints one line
# per problem, nothing when the files keep the contract.
check_files() {
    python3 -I - "$@" <<'PY'
import csv, sys

def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))

modes_path, data_path = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
modes = rows(modes_path)
problems = []
need = {"series", "mode", "workers", "reference", "reference_workers", "vs_reference"}
if not modes or not need <= set(modes[0]):
    problems.append("modes.csv lacks the columns " + ", ".join(sorted(need - set(modes[0] if modes else []))))
else:
    seen, mode_of = set(), {}
    for r in modes:
        key = (r["series"], r["workers"])
        if not r["series"]:
            problems.append("a modes.csv row names no series")
        if key in seen:
            problems.append("two rows for %s with %s workers: series pooled" % key)
        seen.add(key)
        if mode_of.setdefault(r["series"], r["mode"]) != r["mode"]:
            problems.append("series %s has two modes" % r["series"])
    workers_of = {}
    for s, w in seen:
        workers_of.setdefault(s, set()).add(w)
    for r in modes:
        ref, ref_workers = r["reference"], r["reference_workers"]
        if not ref:
            if r["vs_reference"]:
                problems.append("%s has a ratio but no reference" % r["series"])
            continue
        if ref not in workers_of:
            problems.append("%s is compared with %s, which did not run" % (r["series"], ref))
            continue
        if ref_workers != "0" and ref_workers not in workers_of[ref]:
            problems.append("%s is compared with %s on %s workers, which did not run" % (r["series"], ref, ref_workers))
        if ref_workers == "0" and len(workers_of[ref]) > 1:
            problems.append("%s is compared with %s, which ran with several worker counts" % (r["series"], ref))
        itself = r["series"] == ref and (ref_workers == "0" or ref_workers == r["workers"])
        if itself and r["vs_reference"] and not (float(r["vs_reference"]) == 1.0 and
                                                  float(r["vs_reference_lo"]) == 1.0 and float(r["vs_reference_hi"]) == 1.0):
            problems.append("%s against itself is %s, not exactly 1" % (r["series"], r["vs_reference"]))
    if data_path:
        data = rows(data_path)
        if not data or "series" not in data[0]:
            problems.append("data.csv has no series column")
        for r in data:
            if r.get("series") not in mode_of or mode_of[r["series"]] != r["mode"]:
                problems.append("data.csv: a run of %r (%s) that modes.csv does not name" % (r.get("series"), r["mode"]))
                break
for p in problems[:5]:
    print(p)
PY
}

common_flags="--jobs=2 --workers=2 --runtime=c --switch-interval=1 --python=none --predict=x=1"
for n in $(chapter_numbers); do
    # Its tiny run as a student makes it, real CPython's series among its own (lib.sh's
    # tiny_run, made once for the suites that read it).
    out=$(tiny_run "$n")
    if ! tiny_run_ok "$out"; then
        not_ok "chapter $n runs at tiny scale" "$(tail -2 "$out.stdout")"
        continue
    fi
    problems=$(check_files "$out/modes.csv" "$out/data.csv")
    check "chapter $n: data.csv and modes.csv name every series, each ratio its own reference" [ -z "$problems" ]
    [ -z "$problems" ] || echo "$problems" | sed 's/^/    /'
    reference=$(chapter_dir "$n")/reference/modes.csv
    if [ -f "$reference" ]; then
        problems=$(check_files "$reference")
        check "chapter $n: the committed reference run keeps the contract" [ -z "$problems" ]
        [ -z "$problems" ] || echo "$problems" | sed 's/^/    /'
    else
        not_ok "chapter $n: a committed reference modes.csv ($reference; make reference writes it)"
    fi
    # Part 2: the flags --help does not list are refused, one line, exit 2.
    "$BUILD/chapter$n" --help >"$tmp/help"
    for flag in $common_flags; do
        name=${flag%%=*}
        grep -q -- "^  $name " "$tmp/help" && continue
        "$BUILD/chapter$n" "$flag" --scale tiny --out "$tmp/refused$n" >"$tmp/out" 2>"$tmp/err"
        status=$?
        check "chapter $n refuses $name, which it does not honour (exit 2, one line, nothing run)" \
            [ "$status" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/refused$n/data.csv" ]
    done
done

# Today's contract catches yesterday's chapter 10: a modes.csv without series, whose
# serial row was a ratio of different work.
cat >"$tmp/old.csv" <<'CSV'
mode,label,workers,reps,wall_median_s,vs_serial
serial,serial,1,6,0.02,1.1088
CSV
check "a modes.csv of the first contract (no series, serial 1.11x itself) fails the check" \
    [ -n "$(check_files "$tmp/old.csv")" ]
cat >"$tmp/pooled.csv" <<'CSV'
series,mode,workers,reference,reference_workers,vs_reference,vs_reference_lo,vs_reference_hi
serial/64B,serial,1,serial/64B,0,0.976,0.9,1.0
CSV
check "a reference whose ratio to itself is not exactly 1 fails the check" [ -n "$(check_files "$tmp/pooled.csv")" ]

check "no chapter left a process behind" no_leftover
finish contract
