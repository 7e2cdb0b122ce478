#!/usr/bin/python3
"""make_flood.py: writes a synthetic DNS flood capture for the benchmarks.

Ethernet/IPv4/UDP DNS queries: 70% random-label <random>.www.example.uk, 20%
www.example.uk, 10% other names. Deterministic (seeded) so runs compare.

usage: make_flood.py OUT.pcap [COUNT]   (COUNT defaults to 1,000,000)
"""
import random
import struct
import sys


def dns_query(qid, name):
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    qname = b"".join(bytes([len(label)]) + label for label in name.split(b".")) + b"\0"
    return header + qname + struct.pack("!HH", 1, 1)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame(rng, name):
    payload = dns_query(rng.getrandbits(16), name)
    udp = struct.pack("!HHHH", rng.randint(1024, 65535), 53, 8 + len(payload), 0) + payload
    src = bytes([198, 51, 100, rng.randint(1, 254)])
    dst = bytes([192, 0, 2, 53])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), rng.getrandbits(16), 0, 64, 17,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    return eth + ip + udp


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = random.Random(20141105)
    letters = b"abcdefghijklmnopqrstuvwxyz0123456789"
    others = [b"example.com", b"www.example.org", b"mail.example.uk", b"a.b.c.example.net"]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            draw = rng.random()
            if draw < 0.7:
                label = bytes(rng.choice(letters) for _ in range(rng.randint(4, 16)))
                name = label + b".www.example.uk"
            elif draw < 0.9:
                name = b"www.example.uk"
            else:
                name = rng.choice(others)
            data = frame(rng, name)
            f.write(struct.pack("<IIII", 1416000000 + i // 1000, (i % 1000) * 1000, len(data),
                                len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
