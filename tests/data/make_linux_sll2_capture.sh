#!/bin/sh
# make_linux_sll2_capture.sh: records linux_sll2_dns.pcap (see README.md), a capture of
# Linux cooked v2 (LINKTYPE_LINUX_SLL2, 276) made by Debian's tcpdump with `-i any`, inside
# a network namespace of its own: DNS queries over UDP (IPv4 and IPv6, answered with ICMP
# port unreachable), a malformed query and a TCP connection (handshake and close) for each.
# Usage (as root): tests/data/make_linux_sll2_capture.sh OUTPUT.pcap
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTPUT.pcap" >&2; exit 2; }
output=$1
namespace=bpftools-sll2-$$
packets=36  # 6 queries and their ICMP answers, then 6 TCP segments, per IP version

ip netns add "$namespace"
cleanup() { ip netns delete "$namespace" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

in_namespace() { ip netns exec "$namespace" "$@"; }
in_namespace ip link set lo up
in_namespace ip addr add 10.53.0.1/32 dev lo
in_namespace ip addr add fd53::1/128 dev lo

in_namespace tcpdump -i any -U -c "$packets" -w "$output" 2>/dev/null &
capture=$!
sleep 1

in_namespace /usr/bin/python3 - <<'EOF'
import socket
import struct
import time

def query(name, qtype=1, ident=0x1234, flags=0x0100):
    labels = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l)
    return struct.pack(">HHHHHH", ident, flags, 1, 0, 0, 0) + labels + b"\0" + \
        struct.pack(">HH", qtype, 1)

targets = [(socket.AF_INET, "10.53.0.1"), (socket.AF_INET6, "fd53::1")]
names = ["example.com", "www.example.com", "mail.example.org", "x.example.uk", "example.net"]
for family, address in targets:
    sender = socket.socket(family, socket.SOCK_DGRAM)
    for number, name in enumerate(names):
        sender.sendto(query(name, ident=0x1000 + number), (address, 53))
        time.sleep(0.05)
    # A malformed request (two questions) for dns_validate.
    sender.sendto(struct.pack(">HHHHHH", 7, 0x0100, 2, 0, 0, 0), (address, 53))
    sender.close()
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, 8080))
    listener.listen()
    client = socket.create_connection((address, 8080))
    accepted, _ = listener.accept()
    client.close()
    accepted.close()
    listener.close()
    time.sleep(0.1)
EOF
# tcpdump stops at the count; should a packet be missing, it is stopped after 2 s.
for _ in $(seq 20); do
    kill -0 "$capture" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$capture" 2>/dev/null || true
wait "$capture" || true
