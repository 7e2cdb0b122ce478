#!/usr/bin/python3
"""test_offset.py: the built offset tool on real captures from tcpdump's test suite, each
answer checked against a search over the packets as scapy reads them: offsets from the
start and (-r) from the end, the hex before (-p) and from (-s) the match, skipping (-i),
escapes in STRING, and its errors."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import data, one_error_line, require_environment, run, scapy_packets  # noqa: E402

require_environment()

CAPTURES = ["dns_udp.pcap", "edns-opts.pcap", "ldp-common-session.pcap", "ahcp.pcapng",
            "tcp-handshake-nano.pcap"]
# (STRING as typed, the bytes it stands for)
NEEDLES = [("example", b"example"), (r"\x07example\x03com\x00", b"\x07example\x03com\x00"),
           (r"\x00\x01\x00\x01", b"\x00\x01\x00\x01"), (r"\300\014", b"\xc0\x0c"),
           (r"tcpdump\x03org", b"tcpdump\x03org"), ("nowhere to be found", b"nowhere to be found")]


def offset_lines(*args):
    result = run("offset", *args)
    if result.returncode != 0:
        raise AssertionError(result.stderr.decode())
    return result.stdout.decode().splitlines()


def expected_lines(packets, needle, reverse=False, prefix=False, suffix=False, ignore=False):
    out = []
    for packet in packets:
        at = packet.find(needle)
        if at < 0:
            if ignore:
                continue
            fields = ["none" if reverse else "-1"]
            if prefix or suffix:
                fields.append(packet.hex())
        else:
            fields = [str(at - len(packet) if reverse else at)]
            if prefix:
                fields.append(packet[:at].hex())
            if suffix:
                fields.append(packet[at:].hex())
        out.append("\t".join(fields))
    return out


class Offsets(unittest.TestCase):
    def check(self, flags, **expectations):
        found_some = False
        for name in CAPTURES:
            packets = scapy_packets(data(name))
            for typed, needle in NEEDLES:
                with self.subTest(capture=name, string=typed, flags=flags):
                    expected = expected_lines(packets, needle, **expectations)
                    self.assertEqual(offset_lines(*flags, typed, data(name)), expected)
                    found_some |= any(needle in packet for packet in packets)
        self.assertTrue(found_some)

    def test_from_the_start(self):
        self.check([])

    def test_from_the_end(self):
        self.check(["-r"], reverse=True)

    def test_prefix_and_suffix(self):
        self.check(["-p"], prefix=True)
        self.check(["-s"], suffix=True)
        self.check(["-p", "-s", "-r"], prefix=True, suffix=True, reverse=True)

    def test_ignore_skips_packets_without_the_string(self):
        self.check(["-i"], ignore=True)

    def test_standard_input_and_several_files(self):
        first, second = data("dns_udp.pcap"), data("edns-opts.pcap")
        self.assertEqual(offset_lines("example", first, second),
                         offset_lines("example", first) + offset_lines("example", second))
        result = run("offset", "tcpdump", stdin=open(first, "rb").read())
        self.assertEqual(result.stdout.decode().splitlines(), offset_lines("tcpdump", first))

    def test_the_first_occurrence_counts(self):
        # "www.tcpdump.org" appears in the answer's question and its answers' owner names
        # (compressed): the question's comes first, at 14 + 20 + 8 + 12 + 1.
        self.assertEqual(offset_lines("www", data("dns_udp.pcap")), ["55", "55"])


class Errors(unittest.TestCase):
    def test_bad_strings_are_usage_errors(self):
        one_error_line(self, run("offset", r"\q", data("dns_udp.pcap")),
                       "offset: STRING", "unknown escape \\q", code=2)
        one_error_line(self, run("offset", r"ab\x4", data("dns_udp.pcap")),
                       "two hex digits", code=2)
        one_error_line(self, run("offset", "", data("dns_udp.pcap")), "empty", code=2)
        one_error_line(self, run("offset"), "no STRING", code=2)

    def test_a_missing_capture(self):
        one_error_line(self, run("offset", "x", "/nonexistent.pcap"), "offset: ",
                       "/nonexistent.pcap", "cannot open")


if __name__ == "__main__":
    unittest.main()
