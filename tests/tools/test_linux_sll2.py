#!/usr/bin/python3
"""test_linux_sll2.py: Linux cooked v2 (LINKTYPE_LINUX_SLL2, 276), what Debian's
`tcpdump -i any` writes, through every tool, on real captures: tests/data/linux_sll2_dns.pcap
and, when this runs as root, one made now by tests/data/make_linux_sll2_capture.sh (tcpdump
-i any inside a network namespace of its own, bounded count).
- bpfgen -o 20 tcpdump (and --l2 sll2) selects exactly what tcpdump, with libpcap's compiler
  and interpreter, selects from the capture;
- bpfgen -o 20 dns, dns_validate, suffix and p0f rules select exactly what the same rules at
  offset 0 select under filter --l3, packet by packet;
- filter warns once, naming the rule's offset and the link type, when an offset-16 rule runs
  on SLL2 (the issue's silent 0 matches), and not for an offset-20 rule;
- pcap2hex -n | hex2pcap -l sll2 gives the capture back; parsedns -l sll2 decodes its
  queries as it decodes them from pcap2hex's Ethernet lines."""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (LINUX_SLL2, Pcap, data, require_environment, require_tcpdump,  # noqa: E402
                      run, scapy_linktype, scapy_packets, tcpdump_select,
                      temporary_directory)
from unittest_main import main  # noqa: E402

require_environment()
require_tcpdump()

COMMITTED = "linux_sll2_dns.pcap"
TCPDUMP_EXPRESSIONS = [
    "ip", "ip6", "udp", "tcp", "icmp", "icmp6", "udp dst port 53", "tcp port 8080",
    "tcp[tcpflags] & tcp-syn != 0", "ip6 and tcp", "host 10.53.0.1", "inbound",
    "ifindex 1", "len > 90", "ip[8] = 64",
]
# (generator arguments, -6): each at -o 20 against the same at offset 0 under --l3.
RULES = [
    (["dns", "--", "example.com"], False), (["dns", "--", "*.example.com"], False),
    (["dns", "--", "-i", "*.example.**"], False), (["dns", "--", "example.com"], True),
    (["dns", "--", "*.example.*"], True), (["dns_validate"], False), (["dns_validate"], True),
    (["dns_validate", "--", "--strict"], False),
    (["suffix", "--", "0001"], False), (["suffix", "--", "00010001"], True),
]
# p0f signatures of the capture's SYNs (Linux over loopback) and of others.
P0F_SIGNATURES = [
    "4:64:0:*:*,10:mss,sok,ts,nop,ws:df:0", "6:64:0:*:*,10:mss,sok,ts,nop,ws::0",
    "*:64:0:*:*,*:mss,sok,ts,nop,ws:df:0", "4:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0",
]


def tool(name, *args, stdin=None):
    result = run(name, *args, stdin=stdin)
    if result.returncode != 0:
        raise AssertionError("%s %s failed: %s" % (name, args, result.stderr.decode()))
    return result


def bpfgen(*args):
    return tool("bpfgen", *args).stdout.decode().strip()


def selected(path, *args):
    return Pcap(tool("filter", *args, path).stdout).packets


def is_query(packet):
    """Whether an SLL2 packet is UDP to port 53 with more than a DNS header."""
    if packet[:2] == b"\x08\x00":
        protocol, udp = packet[29], 20 + (packet[20] & 0xf) * 4
    elif packet[:2] == b"\x86\xdd":
        protocol, udp = packet[26], 60
    else:
        return False
    return protocol == 17 and packet[udp + 2:udp + 4] == b"\x00\x35" and len(packet) > udp + 20


def make_live_capture(directory):
    """A capture made now with tcpdump -i any, or the reason it cannot be."""
    if os.geteuid() != 0:
        return None, "not root: no network namespace for a live tcpdump -i any capture"
    if shutil.which("ip") is None:
        return None, "no ip(8) to make a network namespace"
    path = os.path.join(directory, "live-sll2.pcap")
    result = subprocess.run(["/bin/sh", data("make_linux_sll2_capture.sh"), path],
                            capture_output=True, timeout=120)
    if result.returncode != 0 or not os.path.exists(path):
        return None, "live capture failed: %s" % result.stderr.decode(errors="replace")
    return path, None


class LinuxCookedV2(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = temporary_directory()
        cls.captures = [data(COMMITTED)]
        live, cls.live_reason = make_live_capture(cls.directory.name)
        if live:
            cls.captures.append(live)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def test_captures_are_linux_cooked_v2_with_ip_of_both_versions(self):
        if self.live_reason:
            self.skipTest(self.live_reason)
        for path in self.captures:
            with self.subTest(capture=os.path.basename(path)):
                self.assertEqual(scapy_linktype(path), LINUX_SLL2)
                packets = scapy_packets(path)
                self.assertGreaterEqual(len(packets), 30)
                # The protocol type is SLL2's first two bytes.
                self.assertIn(b"\x08\x00", [p[:2] for p in packets])
                self.assertIn(b"\x86\xdd", [p[:2] for p in packets])

    def test_tcpdump_generator_selects_what_libpcap_selects(self):
        for path in self.captures:
            total = len(scapy_packets(path))
            told_apart = 0
            for expression in TCPDUMP_EXPRESSIONS:
                with self.subTest(capture=os.path.basename(path), expression=expression):
                    bytecode = bpfgen("-o", "20", "tcpdump", "--", expression)
                    self.assertEqual(bpfgen("--l2", "sll2", "tcpdump", "--", expression),
                                     bytecode)
                    expected = tcpdump_select(path, expression)
                    self.assertEqual(selected(path, "-b", bytecode), expected)
                    told_apart += 0 < len(expected) < total
            self.assertGreater(told_apart, len(TCPDUMP_EXPRESSIONS) // 2)

    def check_same_verdicts(self, path, at_20, at_0, ip_version=None):
        """The offset-20 program on the frames and the offset-0 one under --l3 select the
        same packets (of one IP version only, when given)."""
        by_20 = selected(path, "-b", at_20)
        by_0 = selected(path, "--l3", "-b", at_0)
        if ip_version is not None:
            versions = set(selected(path, "-e", "ip" if ip_version == 4 else "ip6"))
            by_20 = [p for p in by_20 if p in versions]
            by_0 = [p for p in by_0 if p in versions]
        self.assertEqual(by_20, by_0)
        return len(by_20)

    def test_generators_at_offset_20_match_offset_0_under_l3(self):
        for path in self.captures:
            matched_some = 0
            for args, ipv6 in RULES:
                version = ["-6"] if ipv6 else []
                with self.subTest(capture=os.path.basename(path), rule=args, ipv6=ipv6):
                    at_20 = bpfgen(*version, "-o", "20", *args)
                    self.assertEqual(bpfgen(*version, "--l2", "sll2", *args), at_20)
                    at_0 = bpfgen(*version, *args)
                    matched_some += self.check_same_verdicts(path, at_20, at_0) > 0
            self.assertGreater(matched_some, len(RULES) // 2)

    def test_p0f_at_offset_20_matches_offset_0_under_l3(self):
        for path in self.captures:
            matched = 0
            for signature in P0F_SIGNATURES:
                at_20 = bpfgen("-o", "20", "p0f", "--", signature)
                # At offset 0 one program per IP version, each for its own packets.
                for version in ((4, 6) if signature.startswith("*") else
                                (int(signature[0]),)):
                    with self.subTest(capture=os.path.basename(path), signature=signature,
                                      version=version):
                        at_0 = bpfgen(*(["-6"] if version == 6 else []), "p0f", "--",
                                      signature)
                        matched += self.check_same_verdicts(path, at_20, at_0, version)
            self.assertGreater(matched, 0)

    def test_offset_16_rule_on_sll2_warns_once_naming_offset_and_link_type(self):
        # The observation: 0 matches, nothing said.
        path = data(COMMITTED)
        rule = bpfgen("-o", "16", "dns", "--", "example.com")
        result = tool("filter", "--stats", "-b", rule, path)
        self.assertEqual(Pcap(result.stdout).packets, [])
        lines = result.stderr.decode().splitlines()
        warnings = [line for line in lines if "warning" in line]
        self.assertEqual(len(warnings), 1, lines)
        for part in ("filter: warning: -b", "offset 16", "LINUX_SLL2", "byte 20", "-o 20"):
            self.assertIn(part, warnings[0])
        # The right rule: no warning, and the query is found.
        right = tool("filter", "-b", bpfgen("-o", "20", "dns", "--", "example.com"), path)
        self.assertEqual(right.stderr, b"")
        queries = [p for p in scapy_packets(path)
                   if p[:2] == b"\x08\x00" and p[29] == 17  # IPv4 (20 bytes) and UDP
                   and p[60:].startswith(b"\x07example\x03com\x00")]
        self.assertEqual(len(queries), 1)
        self.assertEqual(Pcap(right.stdout).packets, queries)

    def test_link_layer_rule_under_l3_warns(self):
        path = data(COMMITTED)
        result = tool("filter", "--l3", "-b", bpfgen("-o", "20", "tcpdump", "--", "udp"), path)
        self.assertIn("offset 20", result.stderr.decode())
        self.assertIn("--l3", result.stderr.decode())
        quiet = tool("filter", "--l3", "-b", bpfgen("dns", "--", "example.com"), path)
        self.assertEqual(quiet.stderr, b"")

    def test_hex_lines_give_the_capture_back(self):
        for path in self.captures:
            with self.subTest(capture=os.path.basename(path)):
                lines = tool("pcap2hex", "-n", path).stdout
                for name in ("sll2", "LINUX_SLL2", "276"):
                    back = Pcap(tool("hex2pcap", "-l", name, stdin=lines).stdout)
                    self.assertEqual(back.linktype, LINUX_SLL2)
                    self.assertEqual(back.packets, scapy_packets(path))

    def test_parsedns_decodes_sll2_lines_as_it_decodes_ethernet_ones(self):
        path = data(COMMITTED)

        def query_lines(*args):
            # parsedns takes DNS messages only: the lines of the well-formed queries.
            lines = tool("pcap2hex", *args, path).stdout.splitlines(keepends=True)
            return b"".join(line for line, packet in zip(lines, scapy_packets(path))
                            if is_query(packet))
        cooked = tool("parsedns", "-l", "sll2", "-", stdin=query_lines("-n"))
        ethernet = tool("parsedns", "-", stdin=query_lines())
        text = cooked.stdout.decode()
        for name in ("example.com", "www.example.com", "mail.example.org", "x.example.uk"):
            self.assertIn(name, text)
        self.assertIn("fd53::1", text)

        self.assertIn("link: LINUX_SLL2 (Linux cooked v2)", text)
        self.assertIn("interface 1", text)

        def above_the_link_layer(output):
            # Each packet's first line gives its length, link header included.
            return [line for line in output.decode().splitlines()
                    if line.startswith(" ") and not line.lstrip().startswith("link:")]
        self.assertEqual(above_the_link_layer(cooked.stdout), above_the_link_layer(ethernet.stdout))


if __name__ == "__main__":
    main()
