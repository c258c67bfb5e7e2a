#!/bin/sh
# render.sh N DIR [--show] — draw chapter N's figure from the CSVs in DIR:
# DIR/figure.png and DIR/figure.svg, and with --show the same chart in the terminal.
set -eu
n=$1 dir=$2 show=${3:-}
here=$(dirname "$0")
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "figure: gnuplot is not installed (make deps installs it); $dir/data.csv and summary.md are written, the figure is not."
    exit 0
fi
for target in png svg; do
    gnuplot -e "dir='$dir'; target='$target'" "$here/chapter$n.gp"
done
if [ "$show" = --show ]; then
    gnuplot -e "dir='$dir'; target='dumb'" "$here/chapter$n.gp"
fi
echo "figure: $dir/figure.png $dir/figure.svg"
