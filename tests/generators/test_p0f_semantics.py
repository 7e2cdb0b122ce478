#!/usr/bin/python3
"""What the p0f programs match, on real packets.

For every field, every quirk and every olayout feature of a p0f signature, scapy builds a
TCP packet that fits the signature and one that differs in just that respect. bpfgen (the
built tool) writes the program for Ethernet frames (-o 14) and for raw IP packets (offset
0, where the signature's own IP version picks IPv4 or IPv6); libpcap's bpf_filter (through
ctypes) and, when the 'filter' tool is built, our interpreter (with --l3 at offset 0) must
pass the first packet and drop the second. A few refusals of the tool are checked too.

Exit status: 0 passed, 1 failed, 77 skipped (bpfgen not built).
"""
import os
import struct
import subprocess
import sys
import tempfile

from scapy.all import IP, Ether, IPv6, Raw, TCP

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from libpcap_filter import BpfInsn, libpcap  # noqa: E402

BIN = os.environ.get("BPFTOOLS_BIN", "build/bin")
BPFGEN = os.path.join(BIN, "bpfgen")
FILTER = os.path.join(BIN, "filter")
LINKTYPE_ETHERNET = 1

failures = []
checked = {"libpcap": 0, "interpreter": 0}




# --- packets --------------------------------------------------------------------------

NOP = b"\x01"
EOL = b"\x00"


def mss(value):
    return struct.pack("!BBH", 2, 4, value)


def ws(shift):
    return struct.pack("!BBB", 3, 3, shift)


SOK = b"\x04\x02"


def ts(own, peer):
    return struct.pack("!BBII", 8, 10, own, peer)


def tcp(options=b"", payload=b"", **fields):
    """A SYN (unless flags say otherwise) whose options are exactly these bytes, zero-padded
    to whole words, and then the payload."""
    options += b"\x00" * (-len(options) % 4)
    fields.setdefault("flags", "S")
    fields.setdefault("window", 8192)
    return TCP(dataofs=5 + len(options) // 4, options=[], **fields) / Raw(options + payload)


def v4(segment, **fields):
    fields.setdefault("ttl", 64)
    return IP(src="192.0.2.1", dst="198.51.100.80", **fields) / segment


def v6(segment, **fields):
    fields.setdefault("hlim", 64)
    return IPv6(src="2001:db8::1", dst="2001:db8::80", **fields) / segment


# (signature, packet it fits, packet that differs only in what the case is about)
CASES = []


def case(signature, fits, differs):
    CASES.append((signature, fits, differs))


def both_versions(fields, build):
    """The case for IPv4 and IPv6: build(ip) returns (fits, differs) for a wrapper ip."""
    for version, ip in (("4", v4), ("6", v6)):
        fits, differs = build(ip)
        case(f"{version}:{fields}", fits, differs)


# ver (through the first check, "ip" or "ip6")
case("4:255-:*:*:*,*:::*", v4(tcp()), v6(tcp()))
case("6:255-:*:*:*,*:::*", v6(tcp()), v4(tcp()))
# ittl: at most the initial TTL, and no more than 35 hops below it; ttl- checks nothing
case("4:128:*:*:*,*:::*", v4(tcp(), ttl=128), v4(tcp(), ttl=129))
case("4:128:*:*:*,*:::*", v4(tcp(), ttl=94), v4(tcp(), ttl=93))
case("4:32:*:*:*,*:::*", v4(tcp(), ttl=1), v4(tcp(), ttl=33))
case("4:33:*:*:*,*:::*", v4(tcp(), ttl=1), v4(tcp(), ttl=34))
case("4:34:*:*:*,*:::*", v4(tcp(), ttl=34), v4(tcp(), ttl=35))
case("4:35:*:*:*,*:::*", v4(tcp(), ttl=1), v4(tcp(), ttl=0))
case("6:64:*:*:*,*:::*", v6(tcp(), hlim=64), v6(tcp(), hlim=128))
case("4:64-:*:*:*,*:::*", v4(tcp(), ttl=255), v4(tcp(), ttl=255, flags="evil"))
# olen: IPv4 option words
case("4:255-:1:*:*,*:::*", v4(tcp(), options=b"\x01\x01\x01\x00"), v4(tcp()))
case("4:255-:0:*:*,*:::*", v4(tcp()), v4(tcp(), options=b"\x01\x01\x01\x00"))
# mss
both_versions("255-:*:1460:*,*:mss::*", lambda ip: (ip(tcp(mss(1460))), ip(tcp(mss(900)))))
case("4:255-:*:0:*,*:mss::*", v4(tcp(mss(1))), v4(tcp(ws(1))))  # mss 0: not checked
# wsize: value, mss*N, mtu*N (MTU 1500), %N
both_versions("255-:*:*:65535,*:::*",
              lambda ip: (ip(tcp(window=65535)), ip(tcp(window=65534))))
both_versions("255-:*:*:mss*8,*:mss::*",
              lambda ip: (ip(tcp(mss(1000), window=8000)), ip(tcp(mss(1000), window=4000))))
case("4:255-:*:*:mtu*2,*:::*", v4(tcp(window=3000)), v4(tcp(window=4500)))
both_versions("255-:*:*:%200,*:::*",
              lambda ip: (ip(tcp(window=8000)), ip(tcp(window=8100))))
# scale
both_versions("255-:*:*:*,7:nop,ws::*", lambda ip: (ip(tcp(NOP + ws(7))), ip(tcp(NOP + ws(6)))))
case("4:255-:*:*:*,0:ws::*", v4(tcp(ws(9))), v4(tcp(mss(9) + NOP)))  # scale 0: not checked
# olayout: each option kind in its place, and the data offset that fits them
both_versions("255-:*:*:*,*:mss,sok,ts,nop,ws::*",
              lambda ip: (ip(tcp(mss(1460) + SOK + ts(1, 0) + NOP + ws(7))),
                          ip(tcp(mss(1460) + NOP + NOP + ts(1, 0) + NOP + ws(7)))))
case("4:255-:*:*:*,*:mss,nop,ws::*", v4(tcp(mss(1) + NOP + ws(1))), v4(tcp(mss(1) + ws(1) + NOP)))
case("4:255-:*:*:*,*:sok,eol::*", v4(tcp(SOK + EOL)), v4(tcp(SOK + NOP)))
case("4:255-:*:*:*,*:eol::*", v4(tcp(EOL)), v4(tcp()))
both_versions("255-:*:*:*,*:::*", lambda ip: (ip(tcp()), ip(tcp(NOP))))
for count in (3, 4, 5):
    case(f"4:255-:*:*:*,*:{','.join(['nop'] * count)}::*", v4(tcp(NOP * count)),
         v4(tcp(NOP * (count + 4))))
# eol+N: padding after the end of options, zero unless opt+
both_versions("255-:*:*:*,*:nop,eol+2::*",
              lambda ip: (ip(tcp(NOP + EOL + b"\0\0")), ip(tcp(NOP + EOL + b"\0\1"))))
case("4:255-:*:*:*,*:nop,eol+4::*", v4(tcp(NOP + EOL + b"\0" * 4)), v4(tcp(NOP + EOL + b"\0\0")))
case("6:255-:*:*:*,*:nop,nop,eol+1::*", v6(tcp(NOP + NOP + EOL + b"\0")),
     v6(tcp(NOP + NOP + EOL + b"\7")))
# (the original read two bytes past this padding, into a payload a SYN does not have)
case("4:255-:*:*:*,*:nop,eol+5::*", v4(tcp(NOP + EOL + b"\0" * 5)),
     v4(tcp(NOP + EOL + b"\0\0\0\0\1")))
case("4:255-:*:*:*,*:nop,eol+3::*", v4(tcp(NOP + EOL + b"\0" * 3)),
     v4(tcp(NOP + EOL + b"\0\0\1")))
# quirks of the IPv4 header
case("4:255-:*:*:*,*::df:*", v4(tcp(), flags="DF"), v4(tcp()))
case("4:255-:*:*:*,*::id+:*", v4(tcp(), flags="DF", id=4), v4(tcp(), flags="DF", id=0))
case("4:255-:*:*:*,*::id+:*", v4(tcp(), flags="DF", id=4), v4(tcp(), id=4))
case("4:255-:*:*:*,*::id-:*", v4(tcp(), id=0), v4(tcp(), id=4))
case("4:255-:*:*:*,*::id-:*", v4(tcp(), id=0), v4(tcp(), flags="DF", id=0))
case("4:255-:*:*:*,*::ecn:*", v4(tcp(), tos=0x02), v4(tcp(), tos=0x00))
case("4:255-:*:*:*,*::0+:*", v4(tcp(), flags="evil"), v4(tcp()))
case("4:255-:*:*:*,*::df:*", v4(tcp(), flags="DF"), v4(tcp(), flags="DF+evil"))  # mbz zero
case("4:255-:*:*:*,*:ts:linux:*", v4(tcp(ts(0xdcbabbbb, 0), seq=0xabcdaaaa), id=0x1111),
     v4(tcp(ts(0xdcbabbbb, 0), seq=0xabcdaaaa), id=0xcafe))
# quirks of the IPv6 header
case("6:255-:*:*:*,*::flow:*", v6(tcp(), fl=0x1234), v6(tcp(), fl=0))
# quirks of the TCP header, both versions
both_versions("255-:*:*:*,*::seq-:*", lambda ip: (ip(tcp(seq=0)), ip(tcp(seq=0xcafe))))
both_versions("255-:*:*:*,*::ack+:*", lambda ip: (ip(tcp(ack=0xcafe)), ip(tcp(ack=0))))
both_versions("255-:*:*:*,*::ack+:*",
              lambda ip: (ip(tcp(ack=0xcafe)), ip(tcp(ack=0xcafe, flags="SA"))))
both_versions("255-:*:*:*,*::ack-:*", lambda ip: (ip(tcp(flags="SA")), ip(tcp())))
both_versions("255-:*:*:*,*::ack-:*",
              lambda ip: (ip(tcp(flags="SA")), ip(tcp(flags="SA", ack=1))))
both_versions("255-:*:*:*,*::uptr+:*", lambda ip: (ip(tcp(urgptr=0xcafe)), ip(tcp())))
both_versions("255-:*:*:*,*::uptr+:*",
              lambda ip: (ip(tcp(urgptr=0xcafe)), ip(tcp(urgptr=0xcafe, flags="SU"))))
both_versions("255-:*:*:*,*::urgf+:*", lambda ip: (ip(tcp(flags="SU")), ip(tcp())))
both_versions("255-:*:*:*,*::pushf+:*", lambda ip: (ip(tcp(flags="SP")), ip(tcp())))
# quirks of the TCP options, both versions
both_versions("255-:*:*:*,*:ts:ts1-:*", lambda ip: (ip(tcp(ts(0, 0))), ip(tcp(ts(1, 0)))))
both_versions("255-:*:*:*,*:ts:ts2+:*", lambda ip: (ip(tcp(ts(0, 1))), ip(tcp(ts(0, 0)))))
both_versions("255-:*:*:*,*:nop,eol+2:opt+:*",
              lambda ip: (ip(tcp(NOP + EOL + b"\1\1")), ip(tcp(NOP + EOL + b"\0\0"))))
# (opt+ means some padding byte is not zero; the original wanted every 4-byte chunk so)
case("4:255-:*:*:*,*:nop,eol+6:opt+:*", v4(tcp(NOP + EOL + b"\0\0\0\0\0\1")),
     v4(tcp(NOP + EOL + b"\0" * 6)))
both_versions("255-:*:*:*,*:ws:exws:*", lambda ip: (ip(tcp(ws(20))), ip(tcp(ws(14)))))
both_versions("255-:*:*:*,*:nop:bad:*",
              lambda ip: (ip(tcp(NOP + b"\x01\x01\x02\x02\x07")), ip(tcp(SOK + NOP + NOP))))
case("4:255-:*:*:*,*:nop::*", v4(tcp(NOP)), v4(tcp(NOP + b"\x01\x01\x02\x02\x07")))
# pclass
both_versions("255-:*:*:*,*:::0", lambda ip: (ip(tcp()), ip(tcp(payload=b"data"))))
both_versions("255-:*:*:*,*:::+", lambda ip: (ip(tcp(payload=b"data")), ip(tcp())))
case("4:255-:*:*:*,*:mss:df:0", v4(tcp(mss(1460)), flags="DF"),
     v4(tcp(mss(1460), payload=b"x"), flags="DF"))

QUIRKS = {"df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+", "ack-", "uptr+", "urgf+",
          "pushf+", "ts1-", "ts2+", "opt+", "exws", "linux", "bad"}
OLAYOUT = {"eol", "nop", "mss", "ws", "sok", "ts", "eol+N"}


def coverage_gaps():
    """Quirks and olayout features no case exercises."""
    quirks, options = set(), set()
    for signature, _, _ in CASES:
        fields = signature.split(":")
        quirks.update(q for q in fields[6].split(",") if q)
        for option in fields[5].split(","):
            if option:
                options.add("eol+N" if option.startswith("eol+") else option)
    return (QUIRKS - quirks) | (OLAYOUT - options)


# --- running programs -----------------------------------------------------------------

def bpfgen(argv):
    try:
        result = subprocess.run([BPFGEN, *argv], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        failures.append(f"bpfgen {argv}: still running after 60 s")
        return None
    if result.returncode != 0:
        failures.append(f"bpfgen {argv}: exit {result.returncode}: {result.stderr!r}")
        return None
    return result.stdout.decode().strip()


def parse_bytecode(bytecode):
    fields = bytecode.rstrip(",").split(",")
    instructions = [tuple(int(n) for n in field.split()) for field in fields[1:]]
    if int(fields[0]) != len(instructions):
        failures.append(f"bytecode count mismatch: {bytecode}")
    array = (BpfInsn * len(instructions))(*[BpfInsn(*insn) for insn in instructions])
    if not libpcap.bpf_validate(array, len(instructions)):
        failures.append(f"libpcap's bpf_validate refuses {bytecode}")
    return array


def libpcap_verdict(program, data):
    checked["libpcap"] += 1
    return libpcap.bpf_filter(program, data, len(data), len(data))


def write_pcap(path, linktype, packets):
    with open(path, "wb") as pcap:
        pcap.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
        for index, data in enumerate(packets):
            pcap.write(struct.pack("<IIII", index, 0, len(data), len(data)) + data)


def read_pcap_packets(blob):
    endian = "<" if blob[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    packets, offset = [], 24
    while offset + 16 <= len(blob):
        _, _, caplen, _ = struct.unpack(endian + "IIII", blob[offset:offset + 16])
        packets.append(blob[offset + 16:offset + 16 + caplen])
        offset += 16 + caplen
    return packets


def interpreter_passes(bytecode, frames, l3):
    """Which of the Ethernet frames our interpreter (the filter tool) passes; with l3 it
    runs the program from the IP header on, as xt_bpf does."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "in.pcap")
        write_pcap(path, LINKTYPE_ETHERNET, frames)
        argv = [FILTER, *(["--l3"] if l3 else []), "-b", bytecode, path]
        try:
            result = subprocess.run(argv, capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            failures.append(f"{argv}: still running after 60 s")
            return None
    if result.returncode != 0:
        failures.append(f"{argv}: exit {result.returncode}: {result.stderr!r}")
        return None
    passed = [data in read_pcap_packets(result.stdout) for data in frames]
    checked["interpreter"] += len(frames)
    return passed


def check_case(signature, fits, differs, offset):
    frames = [bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / packet)
              for packet in (fits, differs)]
    # The program sees the frame at -o 14, the IP packet alone at offset 0.
    seen = frames if offset == 14 else [bytes(packet) for packet in (fits, differs)]
    bytecode = bpfgen(["-o", str(offset), "p0f", "--", signature])
    if bytecode is None:
        return
    program = parse_bytecode(bytecode)
    for data, wanted, what in zip(seen, (True, False), ("fitting", "differing")):
        if bool(libpcap_verdict(program, data)) != wanted:
            failures.append(f"libpcap: p0f '{signature}' at offset {offset} "
                            f"{'drops' if wanted else 'passes'} the {what} packet {data.hex()}")
    if os.access(FILTER, os.X_OK):
        passed = interpreter_passes(bytecode, frames, l3=offset == 0)
        if passed is not None and passed != [True, False]:
            failures.append(f"interpreter: p0f '{signature}' at offset {offset} passes "
                            f"{passed} of [fitting, differing], wanted [True, False]")


def check_refusals():
    """The tool refuses, in one line and with exit status 2, what the original crashed on."""
    for argv, wanted in [
        (["p0f", "--", "6:128:0:*:8192,8:mss,nop,ws:ts1-:0"], "reads the ts option"),
        (["p0f", "--", "x:64:0:*:*,*:::0"], "invalid version field 'x'"),
        (["-o", "14", "p0f", "--", "*:64:4:*:*,*:::0"], "read for IPv6: olen must be * or 0"),
        (["-o", "14", "p0f", "--", "*:64:*:*:*,*:ts:linux:0"], "reading its '*' version as 6"),
        (["-o", "7", "p0f", "--", "4:64:0:*:*,*:::0"], "offset 7 is not supported"),
        (["-o", "7", "tcpdump", "--", "ip"], "offset 7 is not supported"),
    ]:
        try:
            result = subprocess.run([BPFGEN, *argv], capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            failures.append(f"bpfgen {argv}: still running after 60 s")
            continue
        lines = result.stderr.decode(errors="replace").splitlines()
        if (result.returncode != 2 or result.stdout or len(lines) != 1 or
                not lines[0].startswith("bpfgen: ") or wanted not in lines[0]):
            failures.append(f"bpfgen {argv}: exit {result.returncode}, stdout "
                            f"{result.stdout!r}, stderr {lines!r}; wanted exit 2 and "
                            f"one line with {wanted!r}")


def check_verdicts(argv, offset, expected):
    """bpfgen ARGV at OFFSET: each (packet, wanted) of expected gets its verdict from
    libpcap's bpf_filter and from our interpreter."""
    bytecode = bpfgen(["-o", str(offset), *argv])
    if bytecode is None:
        return
    program = parse_bytecode(bytecode)
    frames = [bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / packet)
              for packet, _ in expected]
    seen = frames if offset == 14 else [bytes(packet) for packet, _ in expected]
    wanted = [want for _, want in expected]
    verdicts = [bool(libpcap_verdict(program, data)) for data in seen]
    if verdicts != wanted:
        failures.append(f"libpcap: bpfgen {argv} at offset {offset} passes {verdicts}, "
                        f"wanted {wanted}")
    # Our interpreter at offset 0 sees each packet from its IP header: only packets of the
    # program's own IP version can be given (others are dropped by --l3's version check).
    if os.access(FILTER, os.X_OK) and offset == 14:
        passed = interpreter_passes(bytecode, frames, l3=False)
        if passed is not None and passed != wanted:
            failures.append(f"interpreter: bpfgen {argv} at offset 14 passes {passed}, "
                            f"wanted {wanted}")


def check_wildcard_versions():
    """A '*' signature: at a link-layer offset one program takes IPv4 and IPv6, each read as
    p0f reads it (df and id+ dropped for IPv6, flow for IPv4); at offset 0 -6 picks."""
    linux = "*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0"
    options = mss(1460) + SOK + ts(1, 0) + NOP + ws(10)
    v4_fits = v4(tcp(options, window=1460 * 20), flags="DF", id=7)
    v4_no_df = v4(tcp(options, window=1460 * 20), id=7)
    v6_fits = v6(tcp(options, window=1460 * 20))
    v6_other_scale = v6(tcp(mss(1460) + SOK + ts(1, 0) + NOP + ws(7), window=1460 * 20))
    v6_far_ttl = v6(tcp(options, window=1460 * 20), hlim=20)
    check_verdicts(["p0f", "--", linux], 14, [(v4_fits, True), (v4_no_df, False),
                                              (v6_fits, True), (v6_other_scale, False),
                                              (v6_far_ttl, False)])
    check_verdicts(["p0f", "--", linux], 0, [(v4_fits, True), (v4_no_df, False)])
    check_verdicts(["-6", "p0f", "--", linux], 0, [(v6_fits, True), (v6_other_scale, False)])
    flow = "*:255-:*:*:*,*::flow:*"
    check_verdicts(["p0f", "--", flow], 14, [(v4(tcp()), True), (v6(tcp(), fl=0), False),
                                             (v6(tcp(), fl=5), True)])
    ecn = "*:255-:*:*:*,*::ecn:*"
    check_verdicts(["p0f", "--", ecn], 14, [(v4(tcp(), tos=0x02), True), (v4(tcp()), False),
                                            (v6(tcp(), tc=0x02), True), (v6(tcp()), False)])


def main():
    if not os.access(BPFGEN, os.X_OK):
        print(f"SKIP: {BPFGEN} is not built")
        return 77
    gaps = coverage_gaps()
    if gaps:
        failures.append(f"no case exercises {sorted(gaps)}")
    for signature, fits, differs in CASES:
        for offset in (14, 0):
            check_case(signature, fits, differs, offset)
    check_refusals()
    check_wildcard_versions()

    print(f"{len(CASES)} signatures, libpcap bpf_filter verdicts checked: {checked['libpcap']}")
    if os.access(FILTER, os.X_OK):
        print(f"interpreter (filter tool) verdicts checked: {checked['interpreter']}")
    else:
        print(f"interpreter cross-check skipped: {FILTER} is not built")
    for failure in failures[:30]:
        print("FAIL:", failure)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
