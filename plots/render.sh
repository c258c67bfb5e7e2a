#!/bin/sh
# render.sh N DIR [--show] — draw chapter N's figure (N = class: the class's) from the CSVs in DIR:
# DIR/figure.png and DIR/figure.svg, and with --show the same chart in the terminal.
# Works from any directory (`make figureN` calls it). Each figure is drawn into a
# new temporary file beside its target and renamed over it only when gnuplot
# succeeded (build/figure-write), so an interrupted or failed drawing leaves the
# previous figure whole.
# DIR and the output names reach gnuplot as single-quoted strings, where gnuplot
# substitutes nothing (a quote in them is doubled; a newline is refused).
set -eu
if [ $# -lt 2 ]; then echo "usage: plots/render.sh N DIR [--show]" >&2; exit 2; fi
n=$1 dir=$2 show=${3:-}
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# "class": the class's figure (make class), drawn the same way.
if [ "$n" = class ]; then chapter=chapters/class; else chapter=$(cd "$here/.." && chapters/chapters.sh dir "$n") || exit 2; fi
script=$here/../$chapter/figure.gp
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "figure: gnuplot is not installed (make deps installs it); $dir/data.csv and summary.md are written, the figure is not."
    exit 0
fi
if [ -L "$dir/data.csv" ]; then echo "figure: $dir/data.csv is a symbolic link: not drawn" >&2; exit 1; fi
if [ ! -f "$dir/plot-vars.gp" ] || [ ! -f "$dir/data.csv" ]; then
    echo "figure: $dir holds no results of chapter $n (make chapter$n writes them)" >&2
    exit 2
fi
case $dir in *'
'*) echo "figure: a directory name with a newline is not supported" >&2; exit 2 ;; esac
# A results folder may come from someone else, and gnuplot runs what plot-vars.gp
# holds: it is loaded only if it is data as the chapters write it (numbers, quoted
# strings, names; no system(), no backquotes: common/gnuplot.h).
check=$here/../build/plotvars-check write=$here/../build/figure-write
for tool in "$check" "$write"; do
    if [ ! -x "$tool" ]; then echo "figure: $tool is missing (make builds it): not drawing from $dir" >&2; exit 2; fi
done
"$check" "$dir/plot-vars.gp" || exit 1
export GNUPLOT_LIB="$here" # where `load "style.gp"` finds the shared files
quoted() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
# The terminal's width, by the rule of common/report.h: $COLUMNS when it is a number,
# else the terminal's, else 80; never under 80 (capped at 200 for the figure).
columns=${COLUMNS:-}
case $columns in ''|*[!0-9]*) columns=$( { [ -t 1 ] && stty size </dev/tty; } 2>/dev/null | cut -d' ' -f2) ;; esac
case $columns in ''|*[!0-9]*) columns=80 ;; esac
[ "$columns" -ge 80 ] || columns=80
[ "$columns" -le 200 ] || columns=200
gnuplot=$(command -v gnuplot)
# draw TARGET [WRAPPER ARG...]: gnuplot drawing the figure for TARGET on its standard
# output, started by WRAPPER when one is given.
draw() {
    target=$1; shift
    "$@" "$gnuplot" -e "dir = $(quoted "$dir"); target = '$target'; term_cols = $columns" "$script"
}
# Each file through figure-write: a new file created in DIR by descriptor receives
# gnuplot's output and is renamed over the figure only if gnuplot succeeded and wrote
# something, so a link, a folder or a FIFO in a figure's place is never written through.
for target in png svg; do
    draw "$target" "$write" "$dir" "figure.$target" || exit 1 # figure-write said why
done
if [ "$show" = --show ]; then
    draw dumb | tr -d '\f' # the form feed a terminal page starts with is no column
fi
echo "figure: $dir/figure.{png,svg}"
