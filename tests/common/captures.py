"""captures.py: what the capture tools' tests share: running a built tool, reading
captures with scapy (a reader independent of the project's), parsing and writing the
classic pcap format from its specification, finding IP headers by hand, and tcpdump as
an oracle."""
import os
import struct
import subprocess
import sys
import tempfile

from scapy.utils import RawPcapReader

BIN = os.environ.get("BPFTOOLS_BIN", "")
DATA = os.environ.get("BPFTOOLS_TEST_DATA", "")
TCPDUMP = "/usr/bin/tcpdump"
SKIPPED = 77

ETHERNET, RAW, LINUX_SLL, IPV4, IPV6, LINUX_SLL2, NULL = 1, 101, 113, 228, 229, 276, 0


def require_environment():
    """Exits with the 'skipped' code when the tools or data are missing."""
    if not BIN or not DATA:
        print("BPFTOOLS_BIN and BPFTOOLS_TEST_DATA must be set", file=sys.stderr)
        sys.exit(SKIPPED)


def require_tcpdump():
    if not os.access(TCPDUMP, os.X_OK):
        print("skipped: %s, the oracle, is not installed" % TCPDUMP, file=sys.stderr)
        sys.exit(SKIPPED)


def data(name):
    return os.path.join(DATA, name)


def run(tool, *args, stdin=None, timeout=60):
    """Runs a built tool; stdin is bytes or None (then no input)."""
    return subprocess.run([os.path.join(BIN, tool), *args],
                          input=stdin if stdin is not None else b"",
                          capture_output=True, timeout=timeout)


def scapy_packets(path):
    """The packets of a pcap or pcapng file as bytes, read by scapy."""
    reader = RawPcapReader(path)
    try:
        return [bytes(data) for data, _ in reader]
    finally:
        reader.close()


def scapy_linktype(path):
    """The link type of a pcap file, or of the first packet's interface in a pcapng file."""
    reader = RawPcapReader(path)
    try:
        if hasattr(reader, "linktype"):
            return reader.linktype
        for _, metadata in reader:
            return metadata.linktype
        return None
    finally:
        reader.close()


class Pcap:
    """A classic pcap file: header fields and records (seconds, fraction, caplen, wirelen, data)."""

    def __init__(self, blob):
        if len(blob) < 24:
            raise ValueError("pcap shorter than its 24-byte header: %d bytes" % len(blob))
        magic = blob[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            order = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            order = ">"
        else:
            raise ValueError("not a classic pcap: magic %s" % magic.hex())
        self.nanoseconds = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        (self.version_major, self.version_minor, _, _, self.snaplen,
         self.linktype) = struct.unpack(order + "HHiIII", blob[4:24])
        self.records = []
        at = 24
        while at < len(blob):
            if at + 16 > len(blob):
                raise ValueError("truncated record header at %d" % at)
            seconds, fraction, caplen, wirelen = struct.unpack(order + "IIII", blob[at:at + 16])
            if at + 16 + caplen > len(blob):
                raise ValueError("truncated record at %d" % at)
            self.records.append((seconds, fraction, caplen, wirelen,
                                 blob[at + 16:at + 16 + caplen]))
            at += 16 + caplen

    @property
    def packets(self):
        return [record[4] for record in self.records]


def write_pcap(path, linktype, packets, snaplen=262144):
    """Writes packets (bytes) as a little-endian microsecond pcap, timestamps 1 s apart."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype))
        for number, packet in enumerate(packets):
            out.write(struct.pack("<IIII", 1000 + number, 0, len(packet), len(packet)))
            out.write(packet)


def network_offset(linktype, packet):
    """Where the IP header starts (written here independently of the project's code), or
    None when the packet carries no IPv4/IPv6."""
    if linktype == ETHERNET:
        offset, ethertype = 14, packet[12:14]
        while ethertype in (b"\x81\x00", b"\x88\xa8", b"\x91\x00") and len(packet) >= offset + 4:
            ethertype = packet[offset + 2:offset + 4]
            offset += 4
    elif linktype == LINUX_SLL:
        offset, ethertype = 16, packet[14:16]
    elif linktype == LINUX_SLL2:
        offset, ethertype = 20, packet[0:2]
    elif linktype == NULL:
        family = struct.unpack("<I", packet[:4])[0]
        if family & 0xffff0000:
            family = struct.unpack(">I", packet[:4])[0]
        offset, ethertype = 4, {2: b"\x08\x00", 10: b"\x86\xdd", 24: b"\x86\xdd",
                                28: b"\x86\xdd", 30: b"\x86\xdd"}.get(family)
    elif linktype in (RAW, IPV4, IPV6):
        offset = 0
        ethertype = {4: b"\x08\x00", 6: b"\x86\xdd"}.get(packet[0] >> 4) if packet else None
    else:
        raise ValueError("link type %d" % linktype)
    version = {b"\x08\x00": 4, b"\x86\xdd": 6}.get(ethertype)
    if version is None or len(packet) <= offset or packet[offset] >> 4 != version:
        return None
    return offset


def sll_to_sll2(packet, ifindex=3):
    """A Linux cooked v1 packet rewritten with a v2 header (same fields, interface index
    added), as libpcap would have captured it with LINUX_SLL2."""
    packet_type, hatype, address_length = struct.unpack(">HHH", packet[:6])
    address, protocol = packet[6:14], packet[14:16]
    header = (protocol + b"\x00\x00" + struct.pack(">IHBB", ifindex, hatype, packet_type,
                                                     address_length) + address)
    return header + packet[16:]


def tcpdump_select(path, expression):
    """The packets `tcpdump -r path -w - expression` writes."""
    result = subprocess.run([TCPDUMP, "-r", path, "-w", "-", expression],
                            capture_output=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError("tcpdump %r failed: %s" % (expression, result.stderr.decode()))
    return Pcap(result.stdout).packets


def tcpdump_compiles(linktype_path, expression):
    """Whether tcpdump accepts the expression for this capture's link type."""
    result = subprocess.run([TCPDUMP, "-r", linktype_path, "-d", expression],
                            capture_output=True, timeout=60)
    return result.returncode == 0


def one_error_line(test, result, *parts, code=1):
    """Asserts a failed run: exit code, nothing but one line on stderr, naming parts."""
    test.assertEqual(result.returncode, code, result.stderr)
    lines = result.stderr.decode(errors="replace").splitlines()
    test.assertEqual(len(lines), 1, lines)
    for part in parts:
        test.assertIn(part, lines[0])


def temporary_directory():
    return tempfile.TemporaryDirectory(prefix="bpftools-capture-test.")


def listdir_clean(test, directory, expected):
    """Asserts the directory holds exactly `expected` (no temporary leftovers)."""
    test.assertEqual(sorted(os.listdir(directory)), sorted(expected))

