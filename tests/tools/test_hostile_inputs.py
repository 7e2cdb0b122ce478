#!/usr/bin/python3
"""test_hostile_inputs.py: one table of hostile inputs for every tool (bpfgen, bpf_asm,
filter, pcap2hex, hex2pcap, parsedns, offset, iptables_bpf, iptables_bpf_chain): empty and
cut files, lying pcap record headers, unknown link types, 100 MB lines, NUL bytes, huge
numbers, programs over the kernel's 4096 instructions, malformed bytecode, bad generator
arguments, missing files and directories, hostile DNS messages. Each row must be refused
with the tool's exit code (2 for usage errors, 1 otherwise), exactly one short line on
stderr starting with 'TOOL: ', no crash, no hang and no file left behind; the few rows a
tool rightly accepts say why and check the output instead. Then the line readers of
hex2pcap and parsedns: 200 MB of hex digits without a newline, streamed into them, must
be refused within seconds and in a few MB of memory, not after reading the whole line."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import BIN, Pcap, data, require_environment  # noqa: E402

require_environment()

TIMEOUT_SECONDS = 20
# An error line quotes the input it refuses, shortened: never the whole 100 MB line.
MAX_ERROR_BYTES = 4096
CRASH_MARKS = ("Traceback", "terminate called", "Assertion", "AddressSanitizer",
               "runtime error", "LeakSanitizer", "Segmentation fault", "core dumped")
HUGE_LINE_BYTES = 100 * 1024 * 1024
ACCEPT_ALL = "1,6 0 0 1,"


class Row:
    """One hostile input: the tool, its arguments ({dir} is the row's scratch directory,
    also its working directory), the files put in {dir} first, standard input (bytes, or
    stdin_file: one of the 100 MB files), and the exit code. `accepted` (a check of the
    test, the result and the directory) marks a row the tool rightly accepts."""

    def __init__(self, name, tool, args, code=1, files=None, stdin=None, stdin_file=None,
                 accepted=None):
        self.name, self.tool, self.args, self.code = name, tool, args, code
        self.files = files or {}
        self.stdin, self.stdin_file = stdin, stdin_file
        self.accepted = accepted


# ---- crafted captures, based on a real one -------------------------------------------

def pcap_bytes(linktype, records, snaplen=262144):
    """A little-endian microsecond pcap; records are (caplen, wirelen, data)."""
    blob = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)
    for number, (caplen, wirelen, packet) in enumerate(records):
        blob += struct.pack("<IIII", 1000 + number, 0, caplen, wirelen) + packet
    return blob


def crafted_captures():
    whole = open(data("dns_udp.pcap"), "rb").read()
    real = Pcap(whole)
    query, answer = real.packets[0], real.packets[1]
    honest = [(len(p), len(p), p) for p in (query, answer)]
    return {
        "empty.pcap": b"",
        "header-cut.pcap": whole[:10],
        "record-header-cut.pcap": whole[:24 + 10],
        "record-data-cut.pcap": whole[:24 + 16 + len(query) // 2],
        # The first record claims more bytes than it has: it swallows the second record's
        # header and the file ends inside the claimed bytes.
        "caplen-over-record.pcap": pcap_bytes(
            1, [(len(query) + 16 + len(answer) + 100, len(query), query),
                (len(answer), len(answer), answer)]),
        # A record length no reader may trust (nearly 4 GB): must not be allocated.
        "caplen-huge.pcap": pcap_bytes(1, [(0xfffffff0, 0xfffffff0, query)]),
        # Records longer than the file's own snapshot length (64).
        "caplen-over-snaplen.pcap": pcap_bytes(1, honest, snaplen=64),
        "zero-length.pcap": pcap_bytes(1, [(0, 0, b""), (0, 60, b"")]),
        "linktype-147.pcap": pcap_bytes(147, honest),
        "linktype-999.pcap": pcap_bytes(999, honest),
    }


CAPTURES = crafted_captures()


# ---- what the tools rightly accept ---------------------------------------------------

def accepts_snapshot_truncation(tool):
    """libpcap, the reader, cuts a record longer than the file's snapshot length (but
    within the 256 KB any link type allows) down to the snapshot length, as tcpdump shows
    it: such files come from real systems that wrote a wrong snapshot length."""
    def check(test, result, directory):
        test.assertEqual(result.returncode, 0, result.stderr)
        if tool == "pcap2hex":
            lines = result.stdout.decode().split()
            test.assertEqual([len(line) for line in lines], [128, 128])
    return check


def accepts_zero_length(tool, args):
    """A packet of 0 captured bytes is a real (if odd) capture record, not a broken file:
    every tool handles it as the empty byte string. It holds no IP header, so --l3 and
    -e 'udp port 53' match nothing; an accept-all program keeps both packets."""
    def check(test, result, directory):
        test.assertEqual(result.returncode, 0, result.stderr)
        if tool == "filter":
            out = os.path.join(directory, "out.pcap")
            written = open(out, "rb").read() if "-w" in args else result.stdout
            kept = 2 if "-b" in args and "--l3" not in args else 0
            test.assertEqual([r[2] for r in Pcap(written).records], [0] * kept)
        elif tool == "pcap2hex":
            test.assertEqual(result.stdout, b"\n\n")
        elif tool == "offset":
            test.assertEqual(result.stdout, b"-1\n-1\n")
    return check


def keeps_the_packets_before_the_cut(args):
    """A capture that ends inside a record (as a killed capture or a partial copy leaves
    it; a record claiming more bytes than the file holds looks the same) is no damage to
    filter: like tcpdump it writes the whole packets before the cut (none here) as a valid
    capture, -w's file included, and exits with 1 after one line naming the cut."""
    def check(test, result, directory):
        test.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stderr.decode(errors="replace").splitlines()
        test.assertEqual(len(lines), 1, lines)
        test.assertTrue(lines[0].startswith("filter: "), lines[0])
        test.assertIn("truncated dump file", lines[0])
        out = os.path.join(directory, "out.pcap")
        written = open(out, "rb").read() if "-w" in args else result.stdout
        test.assertEqual(Pcap(written).records, [])
    return check


def accepts_empty_hex(test, result, directory):
    """No hex lines is an empty capture: hex2pcap writes the 24-byte header alone."""
    test.assertEqual(result.returncode, 0, result.stderr)
    test.assertEqual(len(result.stdout), 24)
    test.assertEqual(Pcap(result.stdout).records, [])


# ---- the table -----------------------------------------------------------------------

def capture_rows():
    readers = [("filter", ["-w", "{dir}/out.pcap", "-b", ACCEPT_ALL]),
               ("filter", ["-w", "{dir}/out.pcap", "-e", "udp port 53"]),
               ("filter", ["--l3", "-b", ACCEPT_ALL]),
               ("pcap2hex", []),
               ("pcap2hex", ["-s"]),
               ("offset", ["example"])]
    rows = []
    for tool, args in readers:
        label = " ".join([tool] + [a for a in args if not a.startswith("{dir}")])
        for name in CAPTURES:
            accepted = None
            if name == "caplen-over-snaplen.pcap":
                accepted = accepts_snapshot_truncation(tool)
            elif name == "zero-length.pcap":
                accepted = accepts_zero_length(tool, args)
            elif tool == "filter" and name in ("record-header-cut.pcap", "record-data-cut.pcap",
                                               "caplen-over-record.pcap"):
                accepted = keeps_the_packets_before_the_cut(args)
            elif tool == "offset" and name.startswith("linktype-") or (
                    name == "linktype-147.pcap" and "-b" in args and "--l3" not in args):
                # Unknown link types only matter where headers must be understood: a
                # search or a program on raw bytes works on any packet. (filter -w still
                # refuses 999, which libpcap cannot write; 147 is USER0, which it can.)
                accepted = lambda test, result, directory: test.assertEqual(  # noqa: E731
                    result.returncode, 0, result.stderr)
            rows.append(Row("%s: %s" % (label, name), tool, args + ["{dir}/" + name],
                            files={name: CAPTURES[name]}, accepted=accepted))
            rows.append(Row("%s: %s on stdin" % (label, name), tool, args,
                            stdin=CAPTURES[name], accepted=accepted))
        rows.append(Row(label + ": missing file", tool, args + ["{dir}/missing.pcap"]))
        rows.append(Row(label + ": a directory", tool, args + ["{dir}"]))
    return rows


def assembly(count):
    return "".join("ld #%d\n" % i for i in range(count - 1)).encode() + b"ret a\n"


def bytecode(count, declared=None):
    return "%d,%s" % (declared if declared is not None else count,
                      "".join("6 0 0 %d," % i for i in range(count)))


def assembler_rows():
    rows = [
        Row("bpf_asm: empty file", "bpf_asm", ["{dir}/empty.s"], files={"empty.s": b""}),
        Row("bpf_asm: empty stdin", "bpf_asm", [], stdin=b""),
        Row("bpf_asm: NUL byte", "bpf_asm", ["{dir}/nul.s"],
            files={"nul.s": b"ld #1\x00\nret a\n"}),
        Row("bpf_asm: NUL byte on stdin", "bpf_asm", [], stdin=b"ret #\x001\n"),
        Row("bpf_asm: ld #99999999999", "bpf_asm", [], stdin=b"ld #99999999999\nret a\n"),
        Row("bpf_asm: ld [4294967296]", "bpf_asm", [], stdin=b"ld [4294967296]\nret a\n"),
        Row("bpf_asm: jeq #-99999999999", "bpf_asm", [],
            stdin=b"jeq #-99999999999, l\nl: ret a\n"),
        Row("bpf_asm: 5000 instructions", "bpf_asm", ["{dir}/long.s"],
            files={"long.s": assembly(5000)}),
        Row("bpf_asm: 100 MB line on stdin", "bpf_asm", [], stdin_file="huge-asm"),
        Row("bpf_asm: missing file", "bpf_asm", ["{dir}/missing.s"]),
        Row("bpf_asm: a directory", "bpf_asm", ["{dir}"]),
        Row("bpf_asm: unknown option", "bpf_asm", ["--nope"], code=2),
        Row("bpf_asm: a missing file before another", "bpf_asm", ["a", "b"]),
    ]
    dns = data("dns_udp.pcap")
    for name, blob in (("5000 instructions", assembly(5000)), ("NUL byte", b"ret #1\x00\n"),
                       ("ld #99999999999", b"ld #99999999999\nret a\n"),
                       ("empty", b"")):
        # A program that cannot be used is a bad command line, as in bpfgen: exit 2.
        rows.append(Row("filter -c: " + name, "filter",
                        ["-w", "{dir}/out.pcap", "-c", "{dir}/prog.s", dns],
                        files={"prog.s": blob}, code=2))
    rows.append(Row("filter -c: missing file", "filter", ["-c", "{dir}/missing.s", dns]))
    rows.append(Row("filter -c: a directory", "filter", ["-c", "{dir}", dns]))
    for name, text in (("5000 instructions", bytecode(5000)),
                       ("count larger than the program", bytecode(2, 3)),
                       ("count smaller than the program", bytecode(3, 2)),
                       ("missing comma", "2,6 0 0 1 6 0 0 2,"),
                       ("letters", "1,6 0 0 x,"),
                       ("letters in the count", "one,6 0 0 1,"),
                       ("empty", ""),
                       ("huge k", "1,6 0 0 4294967296,"),
                       ("negative count", "-1,6 0 0 1,"),
                       ("no return", "1,0 0 0 1,"),
                       ("jump out of the program", "2,21 5 0 1,6 0 0 1,")):
        rows.append(Row("filter -b: " + name, "filter",
                        ["-w", "{dir}/out.pcap", "-b", text, dns], code=2))
    rows.append(Row("filter: two programs", "filter", ["-b", ACCEPT_ALL, "-e", "ip", dns],
                    code=2))
    rows.append(Row("filter: bad expression", "filter", ["-w", "{dir}/out.pcap", "-e",
                                                         "port port", dns], code=2))
    return rows


LONG_LABEL = "a" * 64
LONG_NAME = ".".join(["b" * 60] * 5)  # 304 bytes
# A generator's arguments are part of the command line: refusing them is a usage error
# (exit 2) in bpfgen, iptables_bpf and iptables_bpf_chain alike.
GENERATOR_CASES = [
    # (name, generator, args)
    ("dns: a 64-byte label", "dns", ["--", LONG_LABEL + ".example.com"]),
    ("dns: a name over 255 bytes", "dns", ["--", LONG_NAME]),
    ("dns: %zz", "dns", ["--", "a%zz.example.com"]),
    ("dns: *{9-3}", "dns", ["--", "*{9-3}.example.com"]),
    ("suffix: odd hex 123", "suffix", ["--", "123"]),
    ("suffix: zz", "suffix", ["--", "zz"]),
    ("p0f: 4:64", "p0f", ["--", "4:64"]),
    ("unknown generator", "nosuchgenerator", []),
]


def generator_rows():
    rows = []
    for name, generator, args in GENERATOR_CASES:
        rows.append(Row("bpfgen " + name, "bpfgen", [generator] + args, code=2))
        rows.append(Row("iptables_bpf " + name, "iptables_bpf",
                        ["-w", "{dir}/rule.sh", generator] + args, code=2))
        rows.append(Row("iptables_bpf (default file name) " + name, "iptables_bpf",
                        [generator] + args, code=2))
    rows += [
        Row("bpfgen tcpdump -o 7", "bpfgen", ["-o", "7", "tcpdump", "--", "ip"], code=2),
        Row("bpfgen -o 99999999999", "bpfgen", ["-o", "99999999999", "tcpdump", "--", "ip"],
            code=2),
        Row("bpfgen --l2 nonsense", "bpfgen", ["--l2", "nonsense", "dns", "--", "a.com"],
            code=2),
        Row("bpfgen: no generator", "bpfgen", [], code=2),
        Row("bpfgen: unknown option", "bpfgen", ["--nope", "dns"], code=2),
        Row("iptables_bpf: no generator", "iptables_bpf", [], code=2),
        Row("iptables_bpf: -w into a missing directory", "iptables_bpf",
            ["-w", "{dir}/missing/rule.sh", "dns", "--", "a.com"]),
        Row("iptables_bpf_chain: a 64-byte label", "iptables_bpf_chain",
            ["-w", "chain", "-d", LONG_LABEL + ".example.com"], code=2),
        Row("iptables_bpf_chain: a name over 255 bytes", "iptables_bpf_chain",
            ["-w", "chain", "-a", LONG_NAME], code=2),
        Row("iptables_bpf_chain: %zz", "iptables_bpf_chain",
            ["-w", "chain", "-d", "a%zz.example.com"], code=2),
        Row("iptables_bpf_chain: a path as name", "iptables_bpf_chain",
            ["-w", "../chain", "-d", "a.com"], code=2),
        Row("iptables_bpf_chain: a name with a space", "iptables_bpf_chain",
            ["-w", "a b", "-d", "a.com"], code=2),
        Row("iptables_bpf_chain: no name", "iptables_bpf_chain", ["-d", "a.com"], code=2),
    ]
    return rows


def hex_rows():
    return [
        Row("hex2pcap: NUL byte in a line", "hex2pcap", [], stdin=b"0011\x0022\n"),
        Row("hex2pcap: NUL byte in a file", "hex2pcap", ["-w", "{dir}/out.pcap", "{dir}/in"],
            files={"in": b"001122\n\x00\n"}),
        Row("hex2pcap: odd hex", "hex2pcap", ["-w", "{dir}/out.pcap"], stdin=b"001\n"),
        Row("hex2pcap: 100 MB line on stdin", "hex2pcap", ["-w", "{dir}/out.pcap"],
            stdin_file="huge-hex"),
        Row("hex2pcap: unknown link type", "hex2pcap", ["-l", "nonsense"], stdin=b"00\n",
            code=2),
        Row("hex2pcap: link type 4294967296", "hex2pcap", ["-l", "4294967296"],
            stdin=b"00\n", code=2),
        Row("hex2pcap: missing file", "hex2pcap", ["-w", "{dir}/out.pcap", "{dir}/missing"]),
        Row("hex2pcap: a directory", "hex2pcap", ["-w", "{dir}/out.pcap", "{dir}"]),
        Row("hex2pcap: -w a directory", "hex2pcap", ["-w", "{dir}"], stdin=b"00\n"),
        Row("hex2pcap: empty stdin", "hex2pcap", [], stdin=b"", accepted=accepts_empty_hex),
        Row("parsedns: odd-length hex", "parsedns", ["--raw", "123"]),
        Row("parsedns: not hex", "parsedns", ["--raw", "zz"]),
        Row("parsedns: NUL byte on stdin", "parsedns", ["-"], stdin=b"00\x0011\n"),
        Row("parsedns: 100 MB line on stdin", "parsedns", ["-"], stdin_file="huge-hex"),
        Row("parsedns: pointer loop", "parsedns", ["--raw", zlip_message().hex()]),
        Row("parsedns: truncated message", "parsedns", ["--raw", "1234818000010001"]),
        Row("parsedns: truncated question", "parsedns",
            ["--raw", "123401000001000000000000076578616d"]),
        Row("parsedns: empty message", "parsedns", ["--raw", ""]),
        Row("parsedns: unknown link type", "parsedns", ["-l", "999", "00"], code=2),
        Row("parsedns: no packet", "parsedns", [], code=2),
        Row("parsedns: empty stdin", "parsedns", ["-"], stdin=b""),
        Row("parsedns: only comments on stdin", "parsedns", ["-"], stdin=b"# a\n\n; b\n"),
    ]


def zlip_message():
    """A query whose name is a compression pointer to itself."""
    return bytes.fromhex("123401000001000000000000") + b"\xc0\x0c" + bytes.fromhex("00010001")


ROWS = capture_rows() + assembler_rows() + generator_rows() + hex_rows()
TOOLS = ("bpfgen", "bpf_asm", "filter", "pcap2hex", "hex2pcap", "parsedns", "offset",
         "iptables_bpf", "iptables_bpf_chain")


def write_huge_line(path, unit):
    """A single line of HUGE_LINE_BYTES written in 1 MB pieces (bounded memory)."""
    piece = unit * (1024 * 1024 // len(unit))
    with open(path, "wb") as out:
        for _ in range(HUGE_LINE_BYTES // len(piece)):
            out.write(piece)
        out.write(b"\n")


class HostileInputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.big = tempfile.TemporaryDirectory(prefix="bpftools-hostile.")
        # A 100 MB line: for the assembler a label name that never ends, for hex2pcap and
        # parsedns hex digits: 50 MB of packet, far past what a pcap record may hold.
        write_huge_line(os.path.join(cls.big.name, "huge-asm"), b"x")
        write_huge_line(os.path.join(cls.big.name, "huge-hex"), b"ab")

    @classmethod
    def tearDownClass(cls):
        cls.big.cleanup()

    def test_every_tool_has_rows(self):
        self.assertEqual(sorted({row.tool for row in ROWS}), sorted(TOOLS))

    def run_row(self, row):
        with tempfile.TemporaryDirectory(prefix="bpftools-hostile-row.") as directory:
            for name, blob in row.files.items():
                with open(os.path.join(directory, name), "wb") as out:
                    out.write(blob)
            before = sorted(os.listdir(directory))
            args = [a.replace("{dir}", directory) for a in row.args]
            stdin = {"input": row.stdin} if row.stdin is not None else {
                "stdin": subprocess.DEVNULL}
            if row.stdin_file:
                stdin = {"stdin": open(os.path.join(self.big.name, row.stdin_file), "rb")}
            try:
                result = subprocess.run([os.path.join(BIN, row.tool), *args], cwd=directory,
                                        capture_output=True, timeout=TIMEOUT_SECONDS, **stdin)
            except subprocess.TimeoutExpired:
                self.fail("no answer within %d s" % TIMEOUT_SECONDS)
            finally:
                if row.stdin_file:
                    stdin["stdin"].close()
            stderr = result.stderr.decode(errors="replace")
            self.assertGreaterEqual(result.returncode, 0, "killed by signal: " + stderr[:2000])
            for mark in CRASH_MARKS:
                self.assertNotIn(mark, stderr)
            if row.accepted:
                row.accepted(self, result, directory)
                return
            self.assertEqual(result.returncode, row.code, stderr[:2000])
            self.assertLessEqual(len(result.stderr), MAX_ERROR_BYTES, stderr[:2000])
            lines = stderr.splitlines()
            self.assertEqual(len(lines), 1, lines)
            self.assertTrue(lines[0].startswith(row.tool + ": "), lines[0])
            self.assertEqual(sorted(os.listdir(directory)), before, "file left behind")

    def test_rows(self):
        for row in ROWS:
            with self.subTest(row=row.name):
                self.run_row(row)


# ---- a line that never ends, streamed ------------------------------------------------

STREAM_BYTES = 200 * 1024 * 1024
STREAM_PIECE = b"ab" * (512 * 1024)  # 1 MB
# hex2pcap and parsedns keep at most the hex of their largest packet (262144 bytes):
# refusing the line takes a fraction of a second and a few MB, whatever its length.
STREAM_SECONDS = 5
STREAM_MAX_RSS_KB = 64 * 1024
STREAM_KILL_SECONDS = 120
LONGEST = 262144
TOO_LONG = "stdin:1: packet of at least %d bytes is longer than %d" % (LONGEST + 1, LONGEST)

# Runs a command with inherited standard streams, then writes its exit code and peak
# memory to the file argv[1]. A fresh interpreter, small: a child's ru_maxrss starts at
# its parent's memory (the child begins as a copy of it), and the test's own is not small.
MEASURE = """
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "peak_kb": peak}, out)
"""


def stream_line(tool, args, directory):
    """Runs TOOL ARGS in `directory` with STREAM_BYTES of hex digits and no newline
    written to its stdin in 1 MB pieces by a thread, which stops early when the tool
    closes its end (BrokenPipe). Returns (exit code, stdout, stderr, seconds from start
    to exit, peak resident memory of the tool in KB, bytes written)."""
    report = os.path.join(directory, ".measure.json")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", MEASURE, report, os.path.join(BIN, tool), *args],
            cwd=directory, stdin=subprocess.PIPE, stdout=out, stderr=err)
        written = [0]

        def feed():
            try:
                while written[0] < STREAM_BYTES:
                    process.stdin.write(STREAM_PIECE)
                    written[0] += len(STREAM_PIECE)
                process.stdin.close()
            except OSError:  # BrokenPipe: the tool stopped reading
                try:
                    process.stdin.close()
                except OSError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            process.wait(timeout=STREAM_KILL_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError("%s: no answer within %d s" % (tool, STREAM_KILL_SECONDS))
        seconds = time.monotonic() - start
        writer.join()
        with open(report) as measured:
            result = json.load(measured)
        os.unlink(report)
        out.seek(0)
        err.seek(0)
        return (result["code"], out.read(), err.read().decode(errors="replace"), seconds,
                result["peak_kb"], written[0])


class EndlessLines(unittest.TestCase):
    def check_refused_early(self, tool, args, expected_files):
        with tempfile.TemporaryDirectory(prefix="bpftools-hostile-stream.") as directory:
            code, stdout, stderr, seconds, peak_kb, written = stream_line(
                tool, [a.replace("{dir}", directory) for a in args], directory)
            print("%s: 200 MB line refused in %.2f s, peak %d KB, %d MB written"
                  % (tool, seconds, peak_kb, written >> 20), file=sys.stderr)
            self.assertEqual(code, 1, stderr[:2000])
            self.assertEqual(stderr.splitlines(), ["%s: %s" % (tool, TOO_LONG)])
            self.assertEqual(stdout, b"")
            self.assertLess(seconds, STREAM_SECONDS)
            self.assertLess(peak_kb, STREAM_MAX_RSS_KB)
            self.assertEqual(sorted(os.listdir(directory)), expected_files)
            return written

    def test_hex2pcap_stops_reading_at_its_largest_packet(self):
        written = self.check_refused_early("hex2pcap", ["-w", "{dir}/out.pcap"], [])
        # It stops reading at once: the writer meets a closed pipe long before the end.
        self.assertLess(written, STREAM_BYTES)

    def test_parsedns_refuses_the_line_and_skips_it_in_constant_memory(self):
        # parsedns reads on past a refused line (the next lines are packets to decode, as
        # after any packet it refuses), without keeping it: here, to the end of input.
        self.check_refused_early("parsedns", ["-"], [])


if __name__ == "__main__":
    result = unittest.main(exit=False).result
    if result.wasSuccessful():
        print("hostile inputs: %d rows, all refused cleanly" % len(ROWS))
    sys.exit(0 if result.wasSuccessful() else 1)
