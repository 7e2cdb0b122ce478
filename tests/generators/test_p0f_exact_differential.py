#!/usr/bin/python3
"""`bpfgen p0f -- --exact` against p0f itself.

For every TCP signature of the installed p0f database (Debian's /etc/p0f/p0f.fp, p0f 3.09b),
the test builds a packet that fits it and packets that change one field at a time (TTL, IP
options, MSS, window and its MSS/MTU forms, scale, options and their padding, every quirk,
flags, payload, fragments). p0f reads them (`p0f -r CAPTURE -f ONE.fp`, a database holding
just that signature) and says for each whether it reports the signature exactly (not
fuzzy); the rule bpfgen makes (`-o 14 p0f -- --exact`, with `--response` for SYN+ACK
signatures) runs over the same capture in our interpreter (the 'filter' tool), in
libpcap's bpf_filter and in the kernel (attached with SO_ATTACH_FILTER to an AF_UNIX
datagram socket, which runs it on each datagram). Every verdict must be p0f's, except
two documented residuals, counted and required to show: p0f does not compare a '4'
signature's version with the packet's, so it also reports some IPv6 packets, which the
rule does not match; and for a SYN+ACK p0f also divides the window by the MSS of the
connection's SYN, which a filter seeing one packet cannot know. p0f fingerprints only a
SYN+ACK whose SYN it saw: each SYN+ACK follows its SYN, without an MSS option unless the
case is about the second residual.

Exit status: 0 passed, 1 failed, 77 skipped (p0f, its database or the tools missing).
"""
import ctypes
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from libpcap_filter import BpfInsn, libpcap  # noqa: E402


BIN = os.environ.get("BPFTOOLS_BIN", "build/bin")
BPFGEN = os.path.join(BIN, "bpfgen")
FILTER = os.path.join(BIN, "filter")
DATABASE = "/etc/p0f/p0f.fp"

NOP = b"\x01"
OPTION_LENGTH = {"eol": 1, "nop": 1, "mss": 4, "ws": 3, "sok": 2, "ts": 10}
OPTION_KIND = {"eol": 0, "nop": 1, "mss": 2, "ws": 3, "sok": 4, "ts": 8}




def skip(reason):
    print(f"skipped: {reason}")
    sys.exit(77)


# --- the database ---------------------------------------------------------------------

def database_signatures(path):
    """(section, label line, sys line or None, signature) of every TCP signature."""
    found = []
    section = label = system = None
    with open(path, encoding="utf-8", errors="replace") as lines:
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith("["):
                section, label, system = line, None, None
                continue
            key, _, value = (part.strip() for part in line.partition("="))
            if key == "label":
                label, system = line, None
            elif key == "sys":
                system = line
            elif key == "sig" and section in ("[tcp:request]", "[tcp:response]"):
                found.append((section, label, system, value))
    return found


# Quirks and forms the database does not use, in signatures of their own.
EXTRA_SIGNATURES = [(section, "label = s:unix:Test:extra", None, signature) for section, signature in [
    ("[tcp:request]", "*:64:0:*:%1000,15:mss,nop,ws,sok,nop,eol+8:opt+,exws,seq-,pushf+,urgf+:0"),
    ("[tcp:request]", "6:64:0:1460:mss*10,7:mss,nop,nop,ts,nop,ws:flow,ts2+:+"),
    ("[tcp:request]", "4:128:4:*:mtu*4,*:mss,nop,ws:id-,0+,ecn:0"),
    ("[tcp:request]", "4:64:0:*:*,*:mss,nop,ws:df,bad:0"),
    ("[tcp:request]", "*:255-:0:0:*,0::df,id+,uptr+:*"),
    ("[tcp:response]", "*:64:0:*:*,*:mss,nop,nop,ts:ack-,ts1-:0"),
    ("[tcp:response]", "6:64:0:*:mss*4,3:mss,nop,ws,sok,ts,nop,eol+2:ecn,flow:0"),
]]


def one_signature_database(section, label, system, signature):
    text = f"classes = win,unix,other\n{section}\n{label}\n"
    if system:
        text += system + "\n"
    return text + f"sig = {signature}\n"


# --- packets --------------------------------------------------------------------------

SERVER = {4: "10.200.0.1", 6: "2001:db8:ffff::1"}
ETHERNET = bytes.fromhex("020000000002020000000001")  # destination, source


def client_address(version, number):
    """The client of the number-th packet (p0f then keeps no state across packets)."""
    if version == 4:
        return f"10.{number >> 8 & 255}.{number & 255}.1"
    return f"2001:db8:{number:x}::1"


def p0f_address(version, number):
    """The client's address as p0f prints it (IPv6 with every group, none shortened)."""
    if version == 4:
        return client_address(4, number)
    groups = struct.unpack("!8H", address_bytes(6, client_address(6, number)))
    return ":".join(f"{group:x}" for group in groups)


class Packet:
    """The fields of one SYN or SYN+ACK, as plain values a mutation can change."""

    def __init__(self, version):
        self.version = version
        self.ttl = 64
        self.ip_options = b""
        self.df = False
        self.ip_id = 0
        self.mbz = False
        self.more_fragments = False
        self.ecn = 0  # the TOS / traffic class ECN bits
        self.flow = 0
        self.flags = 0x02
        self.ns = False
        self.seq = 0x12345678
        self.ack = 0
        self.urgent = 0
        self.window = 8192
        self.options = b""  # exactly as on the wire; the data offset fits them (rounded up)
        self.data_offset = None  # None: fits the options
        self.payload = b""
        self.note = "fits"
        self.peer_mss = None  # of a SYN+ACK: the MSS option of the connection's SYN

    def copy(self, note, **changes):
        other = Packet(self.version)
        other.__dict__.update(self.__dict__)
        other.__dict__.update(changes)
        other.note = note
        return other

    def frame(self, client, port, from_server=False):
        """The Ethernet frame between client number `client` (port `port`) and the server
        (port 80): from the client, or from the server when from_server."""
        options = self.options + b"\x00" * (-len(self.options) % 4)
        offset = self.data_offset if self.data_offset is not None else 5 + len(options) // 4
        ports = (80, port) if from_server else (port, 80)
        flags = self.flags | (0x100 if self.ns else 0)
        segment = struct.pack("!HHIIHHHH", ports[0], ports[1], self.seq, self.ack,
                              offset << 12 | flags, self.window, 0, self.urgent)
        segment += options + self.payload
        ends = [address_bytes(self.version, client_address(self.version, client)),
                address_bytes(self.version, SERVER[self.version])]
        source, destination = reversed(ends) if from_server else ends
        if self.version == 4:
            pseudo = source + destination + struct.pack("!BBH", 0, 6, len(segment))
            segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
            fragment = (0x8000 if self.mbz else 0) | (0x4000 if self.df else 0) | \
                (0x2000 if self.more_fragments else 0)
            length = 20 + len(self.ip_options) + len(segment)
            header = struct.pack("!BBHHHBBH4s4s", 0x45 + len(self.ip_options) // 4, self.ecn,
                                 length, self.ip_id, fragment, self.ttl, 6, 0, source,
                                 destination) + self.ip_options
            header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
            return ETHERNET + b"\x08\x00" + header + segment
        pseudo = source + destination + struct.pack("!IxxxB", len(segment), 6)
        segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
        header = struct.pack("!IHBB16s16s", 6 << 28 | self.ecn << 20 | self.flow, len(segment),
                             6, self.ttl, source, destination)
        return ETHERNET + b"\x86\xdd" + header + segment


def checksum(data):
    data += b"\x00" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def address_bytes(version, text):
    return socket.inet_pton(socket.AF_INET if version == 4 else socket.AF_INET6, text)


def write_pcap(path, frames):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for number, frame in enumerate(frames):
            out.write(struct.pack("<IIII", 1700000000 + number, 0, len(frame), len(frame)))
            out.write(frame)


def read_pcap(path):
    with open(path, "rb") as capture:
        data = capture.read()
    frames, at = [], 24
    while at + 16 <= len(data):
        length = struct.unpack_from("<I", data, at + 8)[0]
        frames.append(data[at + 16:at + 16 + length])
        at += 16 + length
    return frames


def layout_of(olayout):
    """[(name, padding)] of an olayout field."""
    if not olayout:
        return []
    entries = []
    for name in olayout.split(","):
        if name.startswith("eol+"):
            entries.append(("eol", int(name[4:])))
        else:
            entries.append((name, 0))
    return entries


def option_bytes(name, values, length=None):
    kind = OPTION_KIND[name]
    size = OPTION_LENGTH[name] if length is None else length
    if name in ("eol", "nop"):
        return bytes([kind])
    if name == "mss":
        return struct.pack("!BBH", kind, size, values["mss"])
    if name == "ws":
        return struct.pack("!BBB", kind, size, values["scale"])
    if name == "sok":
        return struct.pack("!BB", kind, size)
    return struct.pack("!BBII", kind, size, values["ts1"], values["ts2"])


def build_options(layout, values, wrong_length_at=None, padding=None):
    data = b""
    for index, (name, pad) in enumerate(layout):
        length = OPTION_LENGTH[name] + 1 if index == wrong_length_at else None
        data += option_bytes(name, values, length)
        if name == "eol":
            data += padding if padding is not None else b"\x00" * pad
    return data


class Signature:
    def __init__(self, text):
        fields = text.split(":")
        self.text = text
        self.version = fields[0]
        self.random_ttl = fields[1].endswith("-")
        self.ittl = int(fields[1].rstrip("-"))
        self.olen = fields[2]
        self.mss = fields[3]
        self.wsize, self.scale = fields[4].split(",")
        self.layout = layout_of(fields[5])
        self.quirks = set(q for q in fields[6].split(",") if q)
        self.pclass = fields[7]


def conforming(sig, version, response):
    packet = Packet(version)
    packet.ttl = sig.ittl
    packet.flags = 0x12 if response else 0x02
    if response:
        packet.ack = 0 if "ack-" in sig.quirks else 0x2468ACE1
    elif "ack+" in sig.quirks:
        packet.ack = 0x01000000
    values = {
        "mss": int(sig.mss) if sig.mss != "*" else 1460,
        "scale": int(sig.scale) if sig.scale != "*" else (15 if "exws" in sig.quirks else 7),
        "ts1": 0 if "ts1-" in sig.quirks else 12345,
        "ts2": 777 if "ts2+" in sig.quirks else 0,
    }
    names = [name for name, _ in sig.layout]
    if "mss" not in names:
        values["mss"] = 0
    if "ts" not in names:
        values["ts1"] = 0
    if sig.wsize == "*":
        packet.window = 8192
    elif sig.wsize.startswith("mss*"):
        packet.window = values["mss"] * int(sig.wsize[4:])
    elif sig.wsize.startswith("mtu*"):
        packet.window = (values["mss"] + 40) * int(sig.wsize[4:])
    elif sig.wsize.startswith("%"):
        packet.window = int(sig.wsize[1:]) * 3
    else:
        packet.window = int(sig.wsize)
    packet.values = values
    padding = None
    if "opt+" in sig.quirks:
        pad = sig.layout[-1][1]
        padding = b"\x01" + b"\x00" * (pad - 1)
    packet.padding = padding
    packet.wrong_length_at = None
    if "bad" in sig.quirks:
        packet.wrong_length_at = next(i for i, (name, _) in enumerate(sig.layout)
                                      if OPTION_LENGTH[name] > 1)
    packet.options = build_options(sig.layout, values, wrong_length_at=packet.wrong_length_at,
                                   padding=padding)
    if version == 4:
        packet.df = "df" in sig.quirks
        packet.ip_id = 0 if ("id-" in sig.quirks or (packet.df and "id+" not in sig.quirks)) \
            else 4321
        packet.mbz = "0+" in sig.quirks
    else:
        packet.flow = 0x12345 if "flow" in sig.quirks else 0
    packet.ecn = 2 if "ecn" in sig.quirks else 0
    packet.seq = 0 if "seq-" in sig.quirks else 0x12345678
    if "urgf+" in sig.quirks:
        packet.flags |= 0x20
    if "uptr+" in sig.quirks:
        packet.urgent = 5
    if "pushf+" in sig.quirks:
        packet.flags |= 0x08
    if sig.pclass == "+":
        packet.payload = b"x"
    return packet


def with_values(packet, sig, note, **values):
    """The packet with other option values (and the options rebuilt)."""
    merged = dict(packet.values, **values)
    return packet.copy(note, values=merged,
                       options=build_options(sig.layout, merged,
                                             wrong_length_at=packet.wrong_length_at,
                                             padding=packet.padding))


def mutations(sig, base):
    """Packets that change one thing of the fitting one (some still fit: p0f decides)."""
    out = [base]
    add = out.append
    v = base.values
    names = [name for name, _ in sig.layout]
    for ttl in (sig.ittl + 1, sig.ittl - 35, sig.ittl - 36, 1, 0):
        if 0 <= ttl <= 255 and ttl != sig.ittl:
            add(base.copy(f"ttl {ttl}", ttl=ttl))
    if base.version == 4:
        add(base.copy("ip options 4 bytes", ip_options=b"\x01\x01\x01\x00"))
        add(base.copy("df toggled", df=not base.df))
        add(base.copy("ip id toggled", ip_id=0 if base.ip_id else 99))
        add(base.copy("df and id toggled", df=not base.df, ip_id=0 if base.ip_id else 99))
        add(base.copy("0+", mbz=not base.mbz))
        add(base.copy("MF", more_fragments=True))
    else:
        add(base.copy("flow toggled", flow=0 if base.flow else 0x54321))
        add(base.copy("flow high bits", flow=0x80000))
    for ecn in (0, 1, 2, 3):
        if ecn != base.ecn:
            add(base.copy(f"ip ecn {ecn}", ecn=ecn))
    add(base.copy("ECE", flags=base.flags ^ 0x40))
    add(base.copy("CWR", flags=base.flags ^ 0x80))
    add(base.copy("NS", ns=not base.ns))
    add(base.copy("seq toggled", seq=0 if base.seq else 77))
    for ack in (0, 1, 0x01000000, 0x00000100, 0xFFFFFFFF):
        if ack != base.ack:
            add(base.copy(f"ack {ack:#x}", ack=ack))
    add(base.copy("URG", flags=base.flags ^ 0x20))
    add(base.copy("urgent pointer", urgent=0 if base.urgent else 9))
    add(base.copy("URG and pointer", flags=base.flags | 0x20, urgent=9))
    add(base.copy("PSH", flags=base.flags ^ 0x08))
    add(base.copy("FIN", flags=base.flags | 0x01))
    add(base.copy("RST", flags=base.flags | 0x04))
    add(base.copy("ACK toggled", flags=base.flags ^ 0x10))
    add(base.copy("payload toggled", payload=b"" if base.payload else b"data"))
    # window forms
    for window in (base.window + 1, base.window - 1, 0, 65535, 1460 * 4, 1448 * 4, 1500 * 2):
        if 0 <= window <= 65535 and window != base.window:
            add(base.copy(f"window {window}", window=window))
    if sig.wsize.startswith(("mss*", "mtu*")) and "mss" in names:
        n = int(sig.wsize[4:])
        mss = v["mss"]
        for form, window in (("mss-12", (mss - 12) * n), ("1460", 1460 * n), ("1448", 1448 * n),
                             ("1440", 1440 * n), ("1428", 1428 * n), ("mss+40", (mss + 40) * n),
                             ("1500", 1500 * n)):
            if 0 < window <= 65535:
                add(base.copy(f"window {form}*{n}", window=window))
                if "ts" in names:
                    add(with_values(base.copy("", window=window), sig,
                                    f"window {form}*{n}, ts1 0", ts1=0))
        for other in (99, 100, 536, 1380, 1440):
            if other * n <= 65535:
                add(with_values(base.copy("", window=other * n), sig, f"mss {other}, mss*{n}",
                                mss=other))
            if (other - 12) * n <= 65535 and "ts" in names:
                add(with_values(base.copy("", window=(other - 12) * n), sig,
                                f"mss {other}, (mss-12)*{n}", mss=other))
    # option values
    if "mss" in names:
        add(with_values(base, sig, "mss + 1", mss=v["mss"] + 1))
        add(with_values(base, sig, "mss 0", mss=0))
    if "ws" in names:
        add(with_values(base, sig, "scale + 1", scale=(v["scale"] + 1) % 256))
        add(with_values(base, sig, "scale 0", scale=0))
        add(with_values(base, sig, "scale 15", scale=15))
        add(with_values(base, sig, "scale 14", scale=14))
    if "ts" in names:
        add(with_values(base, sig, "ts1 toggled", ts1=0 if v["ts1"] else 5))
        add(with_values(base, sig, "ts2 toggled", ts2=0 if v["ts2"] else 5))
    # the layout
    if sig.layout:
        add(base.copy("last option dropped",
                      options=build_options(sig.layout[:-1], v)))
        add(base.copy("nop appended", options=base.options + NOP))
        add(base.copy("nop in front", options=NOP + base.options))
        if len(sig.layout) > 1:
            swapped = [sig.layout[1], sig.layout[0]] + sig.layout[2:]
            add(base.copy("first two swapped", options=build_options(swapped, v)))
        multi = [i for i, (name, _) in enumerate(sig.layout) if OPTION_LENGTH[name] > 1]
        if multi:
            add(base.copy("wrong length byte",
                          options=build_options(sig.layout, v, wrong_length_at=multi[0],
                                                padding=base.padding)))
        add(base.copy("data offset one word more", data_offset=5 + (len(base.options) + 3) // 4 + 1,
                      options=base.options + b"\x00" * 4))
    else:
        add(base.copy("one nop", options=NOP))
        add(base.copy("mss option", options=struct.pack("!BBH", 2, 4, 1460)))
    if sig.layout and sig.layout[-1][0] == "eol":
        pad = sig.layout[-1][1]
        head = build_options(sig.layout[:-1], v) + b"\x00"
        add(base.copy("4 more padding bytes", options=head + b"\x00" * (pad + 4)))
        if pad >= 1:
            add(base.copy("first padding byte set", options=head + b"\x05" + b"\x00" * (pad - 1)))
            add(base.copy("last padding byte set", options=head + b"\x00" * (pad - 1) + b"\x05"))
        if pad >= 2:
            add(base.copy("padding zero", options=head + b"\x00" * pad))
    if base.flags & 0x10 and sig.wsize.startswith("mss*") and "mss" in names:
        # The residual: a SYN+ACK window that is N times the MSS of the connection's SYN.
        n = int(sig.wsize[4:])
        for peer in (1000, 1200):
            if peer * n <= 65535 and all((peer * n) % d for d in (v["mss"], 1460, 1448)):
                add(base.copy(f"window {peer}*{n}, the SYN's MSS {peer}", window=peer * n,
                              peer_mss=peer))
                break
    return out


# --- verdicts -------------------------------------------------------------------------

def p0f_reports(capture, database_text, keys, response, work):
    """{key: True} for the packets p0f reports the signature for, exactly."""
    path = os.path.join(work, "one.fp")
    with open(path, "w", encoding="utf-8") as out:
        out.write(database_text)
    result = subprocess.run(["p0f", "-r", capture, "-f", path], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"p0f -r {capture}: exit {result.returncode}: {result.stderr[-500:]}")
    # p0f-sendsyn's own packets (window 1337, MSS 1331) are reported under other names.
    kinds = ("syn+ack", "sendsyn response") if response else ("syn", "sendsyn probe")
    verdicts = {}
    block = None
    for line in result.stdout.splitlines():
        if line.startswith(".-["):
            # ".-[ CLIENT -> SERVER (KIND) ]-", the client first for a SYN+ACK too
            ends, _, kind = line[4:].partition(" (")
            block = {"kind": kind.partition(")")[0], "client": ends.split()[0]}
            continue
        if block is None or block["kind"] not in kinds:
            continue
        name, _, value = (part.strip() for part in line.lstrip("| ").partition("="))
        if name in ("os", "app"):
            block["matched"] = value != "???"
        elif name == "params":
            block["fuzzy"] = "fuzzy" in value.split()
            verdicts[block["client"]] = block.get("matched", False) and not block["fuzzy"]
    return {key: verdicts.get(key, False) for key in keys}


def compile_rule(signature, response):
    argv = [BPFGEN, "-o", "14", "p0f", "--", "--exact"] + (["--response"] if response else []) \
        + [signature]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {result.returncode}: {result.stderr.strip()}")
    return result.stdout.strip()


def interpreter_matches(bytecode, capture, work):
    out = os.path.join(work, "matched.pcap")
    result = subprocess.run([FILTER, "-b", bytecode, "-w", out, capture], capture_output=True,
                            timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"filter on {capture}: exit {result.returncode}: {result.stderr!r}")
    return set(read_pcap(out))


def libpcap_program(bytecode):
    parts = bytecode.split(",")
    program = (BpfInsn * int(parts[0]))()
    for slot, text in zip(program, parts[1:]):
        code, jt, jf, k = (int(x) for x in text.split())
        slot.code, slot.jt, slot.jf, slot.k = code, jt, jf, k
    return program


def libpcap_matches(program, frame):
    return libpcap.bpf_filter(program, frame, len(frame), len(frame)) != 0





SO_ATTACH_FILTER = 26


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(BpfInsn))]


class KernelFilter:
    """The program attached (SO_ATTACH_FILTER) to the receiving end of a datagram socket
    pair: the kernel runs it on each datagram, the frame, and drops what it refuses."""

    def __init__(self, program):
        self.sender, self.receiver = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.program = program  # kept alive while attached
        fprog = SockFprog(len(program), program)
        self.receiver.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER,
                                 ctypes.string_at(ctypes.addressof(fprog), ctypes.sizeof(fprog)))

    def matches(self, frame):
        self.sender.send(frame)
        try:
            self.receiver.recv(65536, socket.MSG_DONTWAIT)
            return True
        except BlockingIOError:
            return False

    def close(self):
        self.sender.close()
        self.receiver.close()


def main():
    if shutil.which("p0f") is None:
        skip("p0f is not installed (Debian package p0f)")
    if not os.path.exists(DATABASE):
        skip(f"{DATABASE} is missing (Debian package p0f)")
    for tool in (BPFGEN, FILTER):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is not built")
    signatures = database_signatures(DATABASE) + EXTRA_SIGNATURES
    counts = {"signatures": 0, "packets": 0, "agreements": 0, "residuals": 0,
              "p0f exact": 0, "libpcap": 0, "kernel": 0,
              "peer mss": 0}
    failures = []
    with tempfile.TemporaryDirectory() as work:
        for number, (section, label, system, text) in enumerate(signatures):
            response = section == "[tcp:response]"
            sig = Signature(text)
            versions = [4, 6] if sig.version == "*" else [int(sig.version)]
            if sig.version == "4":
                versions.append(6)  # the residual: p0f does not compare the version
            packets = []
            for version in versions:
                packets += mutations(sig, conforming(sig, version, response))
            frames, keys = [], []
            for index, packet in enumerate(packets):
                source = number * 256 + index + 1
                test = packet.frame(source, 1024 + index, from_server=response)
                if response:
                    # The connection's SYN, without options, then the SYN+ACK under test.
                    syn = Packet(packet.version)
                    if packet.peer_mss is not None:
                        syn.options = struct.pack("!BBH", 2, 4, packet.peer_mss)
                    frames.append(syn.frame(source, 1024 + index))
                frames.append(test)
                # p0f names the client: the SYN's source, the SYN+ACK's destination.
                client = f"{p0f_address(packet.version, source)}/{1024 + index}"
                keys.append((client, test, packet))
            capture = os.path.join(work, "packets.pcap")
            write_pcap(capture, frames)
            try:
                bytecode = compile_rule(text, response)
                ours = interpreter_matches(bytecode, capture, work)
                program = libpcap_program(bytecode)
                theirs = p0f_reports(capture, one_signature_database(section, label, system, text),
                                     [key for key, _, _ in keys], response, work)
            except RuntimeError as error:
                failures.append(f"{text}: {error}")
                continue
            counts["signatures"] += 1
            kernel = KernelFilter(program)
            for key, data, packet in keys:
                counts["packets"] += 1
                rule = data in ours
                if libpcap_matches(program, data) != rule:
                    failures.append(f"{section} {text}: libpcap and the interpreter differ on "
                                    f"'{packet.note}' (IPv{packet.version})")
                counts["libpcap"] += 1
                if kernel.matches(data) != rule:
                    failures.append(f"{section} {text}: the kernel and the interpreter differ on "
                                    f"'{packet.note}' (IPv{packet.version})")
                counts["kernel"] += 1
                p0f = theirs[key]
                counts["p0f exact"] += p0f
                if rule == p0f:
                    counts["agreements"] += 1
                elif p0f and not rule and sig.version == "4" and packet.version == 6:
                    counts["residuals"] += 1
                elif p0f and not rule and packet.peer_mss is not None:
                    counts["peer mss"] += 1
                else:
                    failures.append(f"{section} {text}: '{packet.note}' (IPv{packet.version}): "
                                    f"p0f {'reports' if p0f else 'does not report'} it exactly, "
                                    f"the rule {'matches' if rule else 'does not match'}")
            kernel.close()
    print(f"p0f differential: {counts['signatures']} of {len(signatures)} signatures "
          f"({len(signatures) - len(EXTRA_SIGNATURES)} of {DATABASE}), "
          f"{counts['packets']} packets ({counts['p0f exact']} reported exactly by p0f), "
          f"{counts['agreements']} agreements, documented residuals: {counts['residuals']} "
          f"('4' signatures on IPv6 packets) and {counts['peer mss']} (SYN+ACK windows "
          f"that are multiples of the SYN's MSS); the same verdicts from libpcap's bpf_filter "
          f"{counts['libpcap']} times and the kernel (SO_ATTACH_FILTER) {counts['kernel']} times")
    # The harness itself: p0f must have reported some packets and refused others, and each
    # documented residual must have shown up (else the test could not see it).
    if not 0 < counts["p0f exact"] < counts["packets"]:
        failures.append(f"p0f reported {counts['p0f exact']} of {counts['packets']} packets")
    if counts["residuals"] == 0 or counts["peer mss"] == 0:
        failures.append("a documented residual did not show: is it still there?")
    for failure in failures[:int(os.environ.get("P0F_SHOW", "40"))]:
        print("FAIL:", failure)
    if len(failures) > 40:
        print(f"... and {len(failures) - 40} more")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
