#!/usr/bin/env bash
# xdp_vs_iptables.sh: the same dns rule dropping the same bounded UDP DNS flood, once through
# iptables (iptables_bpf's script: xt_bpf in the INPUT path) and once through XDP (xdp_bpf,
# generic and native mode), on a veth pair between two network namespaces this script makes
# and always removes. The flood comes from build/bench/flood_sender (AF_PACKET, sendmmsg, past
# the qdisc) in one namespace; the other drops it. For each way: packets per second and CPU
# per packet, and the ratios against iptables measured in the same run; before them, the
# floor: the same flood delivered to a port no one listens on (no rule), and the BPF_PROG_TEST_RUN
# table of xdp_rules_bench (1, 100, 1,000 rules, against our interpreter and JIT).
#   Usage: bench/xdp_vs_iptables.sh [PACKETS]  (default 300000; as root)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packets=${1:-300000}
if [ "$(id -u)" != 0 ]; then
    echo "skipped: needs root (network namespaces, iptables, bpf())"
    exit 0
fi
cmake --build "$top/build" --target xdp_bpf iptables_bpf flood_sender xdp_rules_bench >/dev/null
bin=$top/build/bin
sender=$top/build/bench/flood_sender
work=$(mktemp -d)
tag=bpftools-bench-$$
rx=$tag-rx
tx=$tag-tx
rx_if=bbrx$(($$ % 10000))
tx_if=bbtx$(($$ % 10000))
cleanup() {
    ip netns del "$rx" 2>/dev/null || true
    ip netns del "$tx" 2>/dev/null || true
    umount "$work/pins" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
in_rx() { nsenter --net=/run/netns/"$rx" "$@"; }
in_tx() { nsenter --net=/run/netns/"$tx" "$@"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== BPF_PROG_TEST_RUN: the XDP program vs our interpreter and JIT, same rules, same frames"
"$top/build/bench/xdp_rules_bench"

ip netns add "$rx"
ip netns add "$tx"
ip link add "$rx_if" netns "$rx" type veth peer name "$tx_if" netns "$tx"
in_rx ip addr add 10.213.0.1/24 dev "$rx_if"
in_tx ip addr add 10.213.0.2/24 dev "$tx_if"
for side in rx tx; do
    if [ $side = rx ]; then run=in_rx; dev=$rx_if; else run=in_tx; dev=$tx_if; fi
    $run ip link set "$dev" up
    $run ip link set lo up
done
rx_mac=$(in_rx ip -o link show dev "$rx_if" | awk '{for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1)}')
mkdir "$work/pins"
mount -t bpf bpf "$work/pins"

# CPU seconds of the softirq threads (ksoftirqd/N): receive work the sender's context leaves.
softirq_seconds() {
    local total=0 pid
    for pid in $(pgrep -x 'ksoftirqd/[0-9]+' || true); do
        total=$((total + $(awk '{print $14 + $15}' /proc/"$pid"/stat)))
    done
    echo "$total $(getconf CLK_TCK)" | awk '{printf "%.3f", $1 / $2}'
}

# One flood; prints "packets seconds cpu_seconds" (sender user + system + softirq threads).
flood() {
    local before after line
    before=$(softirq_seconds)
    line=$(in_tx "$sender" "$tx_if" "$rx_mac" 10.213.0.2 10.213.0.1 "$packets")
    after=$(softirq_seconds)
    echo "$line" | awk -v b="$before" -v a="$after" \
        '{print $2, $5, $9 + $12 + (a - b)}'
}

# Best of 3 floods (least CPU per packet); prints "packets/s ns_cpu_per_packet".
measure() {
    local best="" result
    for _ in 1 2 3; do
        result=$(flood)
        best=$(echo "$result $best" | awk '{pps=$1/$2; cpu=$3*1e9/$1; if ($4=="" || cpu<$5) print pps, cpu; else print $4, $5}')
    done
    echo "$best"
}

declare -A pps cpu
record() {  # name
    local m
    m=$(measure)
    pps[$1]=${m% *}
    cpu[$1]=${m#* }
}

echo
echo "== $packets-packet flood over a veth between two namespaces (best of 3 by CPU per packet)"
record "no rule (UDP, no listener)"

# iptables: the rule's script from iptables_bpf, on the receiving interface.
(cd "$work" && "$bin/iptables_bpf" -w rule.sh dns -- '*.www.example.uk' >/dev/null)
in_rx env DEFAULTINT="$rx_if" BPFTOOLS_LOCK_DIR="$work/locks" bash "$work/rule.sh" 10.213.0.1/32 >/dev/null
record "iptables (xt_bpf)"
chain=$(sed -n 's/^CHAIN=//p' "$work/rule.sh" | tr -d "'\"")
iptables_drops=$(in_rx iptables -L "$chain" -v -x -n 2>/dev/null | awk '$3 == "DROP" {s += $1} END {print s + 0}')
in_rx env DEFAULTINT="$rx_if" BPFTOOLS_LOCK_DIR="$work/locks" bash "$work/rule.sh" --delete >/dev/null

xdp_drops=""
for mode in generic native; do
    if ! in_rx "$bin/xdp_bpf" attach "$rx_if" --mode $mode --pin-dir "$work/pins" \
        'dns -- *.www.example.uk' 2>"$work/err"; then
        echo "XDP $mode mode: skipped: $(cat "$work/err")"
        continue
    fi
    record "XDP $mode (xdp_bpf)"
    xdp_drops="$xdp_drops $mode: $(in_rx "$bin/xdp_bpf" stats "$rx_if" --json --pin-dir "$work/pins" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["rules"][0]["packets"])')"
    in_rx "$bin/xdp_bpf" detach "$rx_if" --pin-dir "$work/pins"
done

echo
echo "| path | packets/s | CPU ns/packet | CPU vs iptables | packets/s vs iptables |"
echo "| --- | --- | --- | --- | --- |"
for name in "no rule (UDP, no listener)" "iptables (xt_bpf)" "XDP generic (xdp_bpf)" "XDP native (xdp_bpf)"; do
    [ -n "${pps[$name]:-}" ] || continue
    awk -v n="$name" -v p="${pps[$name]}" -v c="${cpu[$name]}" -v ip="${pps["iptables (xt_bpf)"]}" \
        -v ic="${cpu["iptables (xt_bpf)"]}" \
        'BEGIN {printf "| %s | %.2f M | %.0f | %.2fx less | %.2fx |\n", n, p / 1e6, c, ic / c, p / ip}'
done
echo
echo "every name of the flood matches the rule; packets the rule dropped (3 floods each):"
echo "  iptables: $iptables_drops;$xdp_drops"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
