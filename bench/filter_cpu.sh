#!/usr/bin/env bash
# filter_cpu.sh: the CPU (user + sys) of `filter -b RULE < flood.pcap > /dev/null` against
# `cat flood.pcap > /dev/null`, its floor, measured alternately in the same run on a
# synthetic 1,000,000-packet DNS flood; prints each repetition and the median ratio.
#   Usage: bench/filter_cpu.sh [PACKETS [REPETITIONS]]  (defaults 1000000 and 9)
#   The tools are taken from $BPFTOOLS_BIN, else build/bin (built by scripts/setup.sh).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packets=${1:-1000000}
repetitions=${2:-9}
bin=${BPFTOOLS_BIN:-$top/build/bin}
[ -x "$bin/filter" ] || "$top/scripts/setup.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$top/bench/make_flood.py" "$work/flood.pcap" "$packets"
rule=$("$bin/bpfgen" -o 14 dns -- '*.www.example.uk')
cat "$work/flood.pcap" >/dev/null  # page cache

# user+sys CPU seconds of a command, from bash's `time`
cpu_seconds() {
    local TIMEFORMAT='%U %S'
    { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%.3f\n", $1 + $2}'
}
run_cat() { cat "$work/flood.pcap"; }
run_filter() { "$bin/filter" -b "$rule" <"$work/flood.pcap"; }

echo "flood: $packets packets, $(du -h "$work/flood.pcap" | cut -f1); rule: dns *.www.example.uk, -o 14"
printf '%-10s %10s %10s %8s\n' repetition "cat CPU s" "filter CPU s" ratio
ratios=()
for i in $(seq "$repetitions"); do
    c=$(cpu_seconds run_cat)
    f=$(cpu_seconds run_filter)
    # cat's CPU on a warm 94 MB file is tens of ms: 1 ms of clock resolution is the floor.
    r=$(awk -v c="$c" -v f="$f" 'BEGIN {if (c < 0.001) c = 0.001; printf "%.2f", f / c}')
    ratios+=("$r")
    printf '%-10s %10s %10s %8s\n' "$i" "$c" "$f" "$r"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median filter/cat CPU ratio: ${median}x (goal 1.5x)"
