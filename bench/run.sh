#!/usr/bin/env bash
# run.sh: the benchmarks, in one run, as ratios against peers measured in the same run:
#   filter throughput vs tcpdump (libpcap) and vs `cat` (the floor) on a synthetic DNS flood,
#   bpfgen invocations per second, interpreter and JIT vs libpcap's bpf_filter and the
#   generator's speed (Google Benchmark).
#   Usage: bench/run.sh [PACKETS]  (default 1000000)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packets=${1:-1000000}
"$top/scripts/setup.sh"
bin=$top/build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "flood: $packets packets"
/usr/bin/python3 "$top/bench/make_flood.py" "$work/flood.pcap" "$packets"
echo "capture: $(du -h "$work/flood.pcap" | cut -f1)"

# best of 3 wall-clock seconds of a command (stdout to a file in the work directory)
best_of_3() {
    local best=""
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        "$@" >"$work/out" 2>/dev/null
        end=$(date +%s.%N)
        best=$(echo "$start $end $best" | awk '{t=$2-$1; if ($3=="" || t<$3) print t; else print $3}')
    done
    echo "$best"
}

expr='udp dst port 53 and udp[10:2] & 0x8000 = 0'
l3=$("$bin/bpfgen" -o 0 dns -- '*.www.example.uk')
l2=$("$bin/bpfgen" -o 14 dns -- '*.www.example.uk')
cat "$work/flood.pcap" >/dev/null  # page cache
floor=$(best_of_3 cat "$work/flood.pcap")
tcpdump_time=$(best_of_3 tcpdump -r "$work/flood.pcap" -w - "$expr")
filter_e=$(best_of_3 "$bin/filter" -e "$expr" "$work/flood.pcap")
filter_l3=$(best_of_3 "$bin/filter" --l3 -b "$l3" "$work/flood.pcap")
filter_l2=$(best_of_3 "$bin/filter" -b "$l2" "$work/flood.pcap")

report() {  # name seconds
    awk -v n="$1" -v t="$2" -v p="$packets" -v f="$floor" -v d="$tcpdump_time" \
        'BEGIN {printf "%-42s %8.3f s %12.0f packets/s   %5.2fx tcpdump   %5.2fx floor\n", n, t, p/t, d/t, t/f}'
}
echo
echo "== filter throughput (best of 3; 'x tcpdump' > 1 is faster than tcpdump, 'x floor' is time over cat's)"
report "cat (floor)" "$floor"
report "tcpdump -r -w - '$expr'" "$tcpdump_time"
report "filter -e (same expression)" "$filter_e"
report "filter --l3 -b (dns *.www.example.uk, -o 0)" "$filter_l3"
report "filter -b (dns *.www.example.uk, -o 14)" "$filter_l2"

echo
echo "== bpfgen whole-process invocations (against /bin/true, the cost of starting a process)"
runs=200
start=$(date +%s.%N)
for _ in $(seq $runs); do /bin/true; done
middle=$(date +%s.%N)
for _ in $(seq $runs); do "$bin/bpfgen" -o 0 dns -- '*.example.uk' >/dev/null; done
end=$(date +%s.%N)
echo "$start $middle $end $runs" | awk '{printf "bpfgen dns *.example.uk: %.0f invocations/s; /bin/true: %.0f/s (%.2fx the time of /bin/true; %d runs each)\n", $4/($3-$2), $4/($2-$1), ($3-$2)/($2-$1), $4}'

echo
echo "== interpreter and JIT vs libpcap bpf_filter (same programs, same packets; -o 14)"
"$top/build/bench/interpreter_bench" --benchmark_min_time=0.05
echo
echo "== generator"
"$top/build/bench/generator_bench" --benchmark_min_time=0.3
echo
echo "== filter -b against cat, CPU (user+sys), median ratio of repetitions"
BPFTOOLS_BIN=$bin "$top/bench/filter_cpu.sh" "$packets" 9
