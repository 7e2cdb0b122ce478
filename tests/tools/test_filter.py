#!/usr/bin/python3
"""test_filter.py: the built filter tool on real captures from tcpdump's test suite.
- -e EXPRESSION selects exactly the packets `tcpdump -r FILE -w - EXPRESSION` selects (the
  program runs in the project's interpreter, tcpdump's in libpcap), for a table of
  expressions over Ethernet, VLAN, QinQ, Linux cooked v1 and v2, raw IP, null and pcapng
  captures;
- --l3 with the original bpfgen's offset-0 bytecode selects the same packets as its
  offset-14/16/18 bytecode does without --l3 (pairs from tests/data/bpfgen_cases.jsonl),
  on the IP packets of all those captures under Ethernet, Linux cooked and VLAN headers;
- -b, -c, --invert, --stats (what was written, and what matched), -w, several inputs,
  standard input, and the errors: a program that cannot be used is a usage error (2), as
  are those of an output that cannot be written (a full disk, a closed pipe) one line;
- a capture cut short: the whole packets before the cut are filtered and kept (pcap
  read by the project's reader, pcapng by libpcap, files and standard input), the cut is
  named on one line and the exit status is 1; a damaged record still leaves nothing."""
import json
import os
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (BIN, ETHERNET, LINUX_SLL, LINUX_SLL2, TCPDUMP, Pcap, data,  # noqa: E402
                      listdir_clean, network_offset, one_error_line, require_environment,
                      require_tcpdump, run, scapy_linktype, scapy_packets, sll_to_sll2,
                      tcpdump_compiles, tcpdump_select, temporary_directory, write_pcap)

require_environment()
require_tcpdump()

# Expressions per group of captures; each is tried on every capture of its group.
ETHERNET_CAPTURES = ["dns_udp.pcap", "edns-opts.pcap", "dnssec.pcap", "ldp-common-session.pcap",
                     "802.1ad_QinQ.pcap", "ahcp.pcapng", "dns-zlip-1.pcap"]
ETHERNET_EXPRESSIONS = [
    "ip", "ip6", "arp", "udp", "tcp", "udp port 53", "udp dst port 53", "udp src port 53",
    "host 192.0.0.1", "src host 192.0.0.2", "net 192.0.0.0/24", "vlan", "vlan 202",
    "vlan and ip", "vlan 200 and vlan 2001", "not vlan", "ether broadcast",
    "ether host 00:11:22:33:44:55", "greater 100", "less 80", "ip[8] = 64",
    "udp[10] & 0x80 != 0", "port 646", "tcp[tcpflags] & tcp-push != 0",
    "ip6 and udp port 5359", "ip6 multicast", "len > 200 and udp", "ip[6:2] & 0x4000 != 0",
    "udp[8:2] = 0x5934", "ip and not udp", "icmp or icmp6",
]
SLL_CAPTURES = ["tcp-handshake-nano.pcap", "babel.pcap"]
SLL_EXPRESSIONS = ["ip", "ip6", "tcp", "udp port 6697", "tcp[tcpflags] & tcp-syn != 0",
                   "inbound", "outbound", "tcp and len < 70", "ip6 multicast", "host 137.116.81.94"]
RAW_CAPTURES = ["LINKTYPE_RAW_ipv4.pcap", "LINKTYPE_RAW_ipv6.pcap", "LINKTYPE_IPV4.pcap",
                "LINKTYPE_IPV6.pcap"]
RAW_EXPRESSIONS = ["ip", "ip6", "udp port 53", "host 9.9.9.9", "host 2620:fe::9", "tcp",
                   "udp[8:2] = 0x1234"]
NULL_CAPTURES = ["dns-badcookie.pcap"]
NULL_EXPRESSIONS = ["ip", "ip6", "udp port 53", "udp src port 53", "greater 80"]


def filter_packets(*args, stdin=None):
    result = run("filter", *args, stdin=stdin)
    if result.returncode != 0:
        raise AssertionError("filter %s failed: %s" % (args, result.stderr.decode()))
    return Pcap(result.stdout).packets


class ExpressionsSelectWhatTcpdumpSelects(unittest.TestCase):
    def check_table(self, paths, expressions):
        selected_some = rejected_some = 0
        for path in paths:
            total = len(scapy_packets(path))
            for expression in expressions:
                if not tcpdump_compiles(path, expression):
                    continue
                with self.subTest(capture=os.path.basename(path), expression=expression):
                    expected = tcpdump_select(path, expression)
                    self.assertEqual(filter_packets("-e", expression, path), expected)
                    selected_some += len(expected) > 0
                    rejected_some += len(expected) < total
        # The table has to tell packets apart, not pass by selecting all or nothing.
        self.assertGreater(selected_some, len(expressions) // 2)
        self.assertGreater(rejected_some, len(expressions) // 2)

    def test_ethernet_vlan_qinq_and_pcapng(self):
        self.check_table([data(name) for name in ETHERNET_CAPTURES], ETHERNET_EXPRESSIONS)

    def test_linux_cooked(self):
        self.check_table([data(name) for name in SLL_CAPTURES], SLL_EXPRESSIONS)

    def test_linux_cooked_v2(self):
        # tcpdump's suite has no SLL2 capture: rewrite the SLL ones' headers.
        with temporary_directory() as directory:
            paths = []
            for name in SLL_CAPTURES:
                path = os.path.join(directory, name.replace(".pcap", "-sll2.pcap"))
                write_pcap(path, LINUX_SLL2, [sll_to_sll2(packet)
                                              for packet in scapy_packets(data(name))])
                paths.append(path)
            self.check_table(paths, SLL_EXPRESSIONS + ["ifindex 3", "ifindex 4"])

    def test_raw_ip(self):
        self.check_table([data(name) for name in RAW_CAPTURES], RAW_EXPRESSIONS)

    def test_bsd_null(self):
        self.check_table([data(name) for name in NULL_CAPTURES], NULL_EXPRESSIONS)


def offset_of(argv):
    """The --offset of a recorded bpfgen run and its arguments without it."""
    rest, offset, i = [], 0, 0
    while i < len(argv):
        if argv[i] in ("-o", "--offset"):
            offset, i = int(argv[i + 1]), i + 2
            continue
        if argv[i].startswith("--offset="):
            offset = int(argv[i].split("=", 1)[1])
        else:
            rest.append(argv[i])
        i += 1
    return offset, tuple(rest)


def offset_pairs():
    """(arguments, offset-0 bytecode, offset, offset-N bytecode) for every recorded run
    that exists both at offset 0 and at 14, 16 or 18. Programs that read the packet length
    are left out: `len` is the IP packet's length at offset 0 and the frame's otherwise."""
    by_key = {}
    with open(data("bpfgen_cases.jsonl"), encoding="utf-8") as cases:
        for line in cases:
            case = json.loads(line)
            if case["rc"] != 0:
                continue
            offset, key = offset_of(case["argv"])
            by_key.setdefault(key, {})[offset] = case["bytecode"]
    pairs = []
    for key, programs in sorted(by_key.items()):
        if 0 not in programs or any(word in " ".join(key) for word in ("len", "greater", "less")):
            continue
        for offset in (14, 16, 18):
            if offset in programs:
                pairs.append((key, programs[0], offset, programs[offset]))
    return pairs


def encapsulate(offset, packet):
    """An IP packet under an Ethernet (14), Linux cooked (16) or 802.1Q (18) header."""
    ethertype = b"\x08\x00" if packet[0] >> 4 == 4 else b"\x86\xdd"
    if offset == 14:
        return bytes.fromhex("020000000001020000000002") + ethertype + packet
    if offset == 16:
        return bytes.fromhex("00000001000602000000000200000000")[:14] + ethertype + packet
    return bytes.fromhex("020000000001020000000002") + b"\x81\x00\x00\x64" + ethertype + packet


class NetworkLayerBytecodeMatchesLinkLayerBytecode(unittest.TestCase):
    """bpfgen -o 0 (xt_bpf) rules under --l3 against bpfgen -o 14/16/18 rules without it."""

    @classmethod
    def setUpClass(cls):
        cls.directory = temporary_directory()
        root = cls.directory.name
        ip_packets = {4: [], 6: []}
        for name in ETHERNET_CAPTURES + SLL_CAPTURES + RAW_CAPTURES + NULL_CAPTURES:
            linktype = scapy_linktype(data(name))
            for packet in scapy_packets(data(name)):
                offset = network_offset(linktype, packet)
                if offset is not None:
                    ip_packets[packet[offset] >> 4].append(packet[offset:])
        cls.files = {}
        for version, packets in ip_packets.items():
            for offset in (14, 16, 18):
                path = os.path.join(root, "ipv%d-at-%d.pcap" % (version, offset))
                write_pcap(path, LINUX_SLL if offset == 16 else ETHERNET,
                           [encapsulate(offset, packet) for packet in packets])
                cls.files[version, offset] = path

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def test_recorded_offset_pairs_select_the_same_packets(self):
        pairs = offset_pairs()
        self.assertGreater(len(pairs), 40)
        selective = 0
        for key, bytecode_l3, offset, bytecode_l2 in pairs:
            # Offset-0 programs assume the IP version they were generated for.
            version = 6 if "-6" in key else 4
            path = self.files[version, offset]
            with self.subTest(bpfgen=" ".join(key), offset=offset):
                at_l3 = filter_packets("--l3", "-b", bytecode_l3, path)
                at_l2 = filter_packets("-b", bytecode_l2, path)
                self.assertEqual(at_l3, at_l2)
                selective += 0 < len(at_l2) < len(scapy_packets(path))
        self.assertGreater(selective, 10)

    def test_dns_rule_finds_the_real_example_com_messages(self):
        # bpfgen dns -- example.com (offset 0): the question name must be right after the
        # IPv4 and UDP headers and the 12-byte DNS header. Check it byte by byte here.
        bytecode = [c["bytecode"] for c in map(json.loads, open(
            data("bpfgen_cases.jsonl"), encoding="utf-8"))
            if c["argv"] == ["dns", "--", "example.com"]][0]
        path = data("edns-opts.pcap")
        name = b"\x07example\x03com\x00"
        expected = [p for p in scapy_packets(path)
                    if p[14 + (p[14] & 0xf) * 4 + 20:][:len(name)] == name]
        self.assertEqual(len(expected), 42)
        self.assertEqual(filter_packets("--l3", "-b", bytecode, path), expected)
        self.assertEqual(filter_packets("--l3", "-b", bytecode, data("dns_udp.pcap")), [])


class NetworkLayerOption(unittest.TestCase):
    def test_vlan_tagged_packets_reach_the_program_from_their_ip_header(self):
        path = data("ldp-common-session.pcap")
        everything = scapy_packets(path)
        self.assertEqual(filter_packets("--l3", "-e", "ip", path), everything)
        # Without --l3 the Ethernet program only sees the untagged ones as IP.
        self.assertEqual(filter_packets("-e", "ip", path), tcpdump_select(path, "ip"))
        self.assertLess(len(tcpdump_select(path, "ip")), len(everything))

    def test_packets_without_ip_do_not_match_and_are_counted(self):
        result = run("filter", "--l3", "--stats", "-b", "1,6 0 0 65535,",
                     data("802.1ad_QinQ.pcap"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(Pcap(result.stdout).packets, [])
        self.assertEqual(result.stderr.decode(),
                         "filter: wrote 0 of 2 packets (0 matched the rule, 2 without an IP "
                         "header)\n")

    def test_the_program_sees_the_ip_packet_length(self):
        # ld #len; ret a: the verdict is the length, here compared with 60 via jgt.
        # 'ld #len; jgt #60, keep, drop': at the IP layer len excludes the 14-byte header.
        program = "4,128 0 0 0,37 0 1 60,6 0 0 65535,6 0 0 0,"
        path = data("dns-badcookie.pcap")
        l3 = filter_packets("--l3", "-b", program, path)
        self.assertEqual(l3, [p for p in scapy_packets(path) if len(p) - 4 > 60])
        self.assertEqual(filter_packets("-b", program, path),
                         [p for p in scapy_packets(path) if len(p) > 60])

    def test_expressions_are_compiled_for_raw_ip(self):
        # On Linux cooked v2 (a header libpcap's Ethernet code would misread), --l3 -e
        # selects what tcpdump selects from the SLL capture.
        with temporary_directory() as directory:
            path = os.path.join(directory, "sll2.pcap")
            original = scapy_packets(data("tcp-handshake-nano.pcap"))
            write_pcap(path, LINUX_SLL2, [sll_to_sll2(p) for p in original])
            expression = "tcp[tcpflags] & tcp-syn != 0"
            expected = tcpdump_select(data("tcp-handshake-nano.pcap"), expression)
            selected = filter_packets("--l3", "-e", expression, path)
            self.assertEqual(selected, [sll_to_sll2(p) for p in expected])


class Options(unittest.TestCase):
    def test_without_a_program_every_packet_passes_unchanged(self):
        path = data("dns_udp.pcap")
        result = run("filter", path)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, open(path, "rb").read())

    def test_invert_writes_the_rest(self):
        path = data("edns-opts.pcap")
        expression = "udp[10] & 0x80 != 0"
        self.assertEqual(filter_packets("--invert", "-e", expression, path),
                         tcpdump_select(path, "not (%s)" % expression))

    def test_stats_count_matches(self):
        result = run("filter", "--stats", "-e", "ip6", data("ahcp.pcapng"), data("dns_udp.pcap"))
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stderr.decode(),
                         "filter: wrote 8 of 10 packets (8 matched the rule)\n")

    def test_bytecode_and_assembly(self):
        path = data("edns-opts.pcap")
        # tcpdump -ddd "udp[10] & 0x80 != 0" on Ethernet, as bytecode and as bpf_asm.
        expected = tcpdump_select(path, "ip and udp[10] & 0x80 != 0")
        program = subprocess.run([TCPDUMP, "-r", path, "-ddd",
                                  "ip and udp[10] & 0x80 != 0"],
                                 capture_output=True, check=True).stdout.decode().split("\n")
        xt_bpf = ",".join(line for line in program if line) + ","
        self.assertEqual(filter_packets("-b", xt_bpf, path), expected)
        assembly = subprocess.run([TCPDUMP, "-r", path, "-d",
                                   "ip and udp[10] & 0x80 != 0"],
                                  capture_output=True, check=True).stdout.decode()
        with temporary_directory() as directory:
            asm = os.path.join(directory, "rule.bpf")
            with open(asm, "w") as out:
                out.write(tcpdump_d_to_bpf_asm(assembly))
            self.assertEqual(filter_packets("-c", asm, path), expected)

    def test_standard_input_and_dash(self):
        path = data("dns_udp.pcap")
        blob = open(path, "rb").read()
        self.assertEqual(filter_packets("-e", "udp src port 53", stdin=blob),
                         tcpdump_select(path, "udp src port 53"))
        self.assertEqual(filter_packets("-e", "udp src port 53", "-", stdin=blob),
                         tcpdump_select(path, "udp src port 53"))

    def test_several_inputs_are_concatenated(self):
        first, second = data("dns_udp.pcap"), data("edns-opts.pcap")
        self.assertEqual(filter_packets("-e", "udp", first, second),
                         tcpdump_select(first, "udp") + tcpdump_select(second, "udp"))

    def test_nanosecond_timestamps_survive(self):
        path = data("tcp-handshake-nano.pcap")
        result = run("filter", path)
        self.assertEqual(result.stdout, open(path, "rb").read())

    def test_write_option_creates_the_file(self):
        with temporary_directory() as directory:
            out = os.path.join(directory, "out.pcap")
            result = run("filter", "-e", "udp", "-w", out, data("dns_udp.pcap"))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, b"")
            self.assertEqual(Pcap(open(out, "rb").read()).packets,
                             tcpdump_select(data("dns_udp.pcap"), "udp"))
            listdir_clean(self, directory, ["out.pcap"])


class Stats(unittest.TestCase):
    """--stats says what was written: N of M packets, and how many matched the rule."""

    def test_invert_counts_the_packets_it_wrote(self):
        path = data("edns-opts.pcap")
        expression = "udp[10] & 0x80 != 0"
        total = len(scapy_packets(path))
        matching = len(tcpdump_select(path, expression))
        self.assertTrue(0 < matching < total)
        result = run("filter", "--invert", "--stats", "-e", expression, path)
        self.assertEqual(result.returncode, 0, result.stderr)
        written = len(Pcap(result.stdout).packets)
        self.assertEqual(written, total - matching)
        self.assertEqual(result.stderr.decode(),
                         "filter: wrote %d of %d packets (%d matched the rule)\n"
                         % (total - matching, total, matching))

    def test_without_a_rule_every_packet_matches(self):
        result = run("filter", "--stats", data("dns_udp.pcap"), data("edns-opts.pcap"))
        self.assertEqual(result.returncode, 0, result.stderr)
        total = sum(len(scapy_packets(data(name))) for name in ("dns_udp.pcap", "edns-opts.pcap"))
        self.assertEqual(len(Pcap(result.stdout).packets), total)
        self.assertEqual(result.stderr.decode(),
                         "filter: wrote %d of %d packets (%d matched the rule)\n"
                         % (total, total, total))

    def test_invert_at_the_network_layer_writes_the_packets_without_ip(self):
        result = run("filter", "--l3", "--invert", "--stats", "-b", "1,6 0 0 65535,",
                     data("802.1ad_QinQ.pcap"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(Pcap(result.stdout).packets, scapy_packets(data("802.1ad_QinQ.pcap")))
        self.assertEqual(result.stderr.decode(),
                         "filter: wrote 2 of 2 packets (0 matched the rule, 2 without an IP "
                         "header)\n")


def tcpdump_d_to_bpf_asm(text):
    """tcpdump -d's listing ("(000) ldh [12]", "jeq #0x800 jt 2 jf 5") as bpf_asm text."""
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        number, _, rest = line.partition(" ")
        label = "l%s" % number.strip("()")
        parts = rest.split()
        if " jt " in rest:
            jt, jf = parts[parts.index("jt") + 1], parts[parts.index("jf") + 1]
            operation = " ".join(parts[:parts.index("jt")])
            lines.append("%s: %s, l%03d, l%03d" % (label, operation, int(jt), int(jf)))
        else:
            lines.append("%s: %s" % (label, rest.strip()))
    return "\n".join(lines) + "\n"


class Errors(unittest.TestCase):
    def test_link_types_must_agree(self):
        one_error_line(self, run("filter", data("dns_udp.pcap"), data("babel.pcap")),
                       "filter: ", "babel.pcap", "LINUX_SLL", "EN10MB")

    def test_more_than_one_program_is_a_usage_error(self):
        one_error_line(self, run("filter", "-e", "ip", "-b", "1,6 0 0 0,"), "at most one", code=2)

    # A program given on the command line that cannot be used is a bad command line: exit
    # status 2, as bpfgen gives; one line naming the option (or the -c file).
    def test_bad_bytecode_is_a_usage_error(self):
        one_error_line(self, run("filter", "-b", "2,6 0 0 0,", data("dns_udp.pcap")),
                       "filter: -b", code=2)
        one_error_line(self, run("filter", "-b", "garbage", data("dns_udp.pcap")),
                       "filter: -b", "'garbage'", code=2)
        # Before any input is read: standard input (empty here) is not looked at.
        one_error_line(self, run("filter", "-b", "garbage"), "filter: -b", code=2)

    def test_bytecode_the_kernel_refuses_is_a_usage_error(self):
        # ld #1, with no ret after it: the kernel's checker refuses it.
        one_error_line(self, run("filter", "-b", "1,0 0 0 1,", data("dns_udp.pcap")),
                       "filter: -b", "instruction 0", code=2)

    def test_bad_expression_gives_libpcaps_reason(self):
        one_error_line(self, run("filter", "-e", "udp port", data("dns_udp.pcap")),
                       "filter: -e", "syntax error", code=2)
        one_error_line(self, run("filter", "-e", "udp prot 53", data("dns_udp.pcap")),
                       "filter: -e", "'udp prot 53'", "syntax error", code=2)
        one_error_line(self, run("filter", "--l3", "-e", "udp prot 53", data("dns_udp.pcap")),
                       "filter: -e", "'udp prot 53'", code=2)

    def test_expression_the_link_type_cannot_have(self):
        # libpcap compiles 'ip' for Ethernet: it is the capture's link type it cannot filter
        # so, a fault of the input (1). With --l3 the link type is raw IP, the command
        # line's choice: 'vlan', which raw IP cannot have, is a usage error.
        one_error_line(self, run("filter", "-e", "ip",
                                 data("unsupported-link-type-160.pcap")), "filter: -e", "160")
        one_error_line(self, run("filter", "-e", "vlan", data("LINKTYPE_RAW_ipv4.pcap")),
                       "filter: -e", "'vlan'")
        one_error_line(self, run("filter", "--l3", "-e", "vlan", data("dns_udp.pcap")),
                       "filter: -e", "'vlan'", code=2)
        # Refused for Ethernet too: the expression is at fault, whatever the capture.
        one_error_line(self, run("filter", "-e", "ip and foo bar",
                                 data("unsupported-link-type-160.pcap")), "filter: -e", code=2)

    def test_bad_assembly_names_file_and_line(self):
        with temporary_directory() as directory:
            asm = os.path.join(directory, "bad.bpf")
            with open(asm, "w") as out:
                out.write("ld #1\nbogus 7\n")
            # As bpf_asm and compilers put it: FILE:LINE:COLUMN. A bad program is a bad
            # command line (2); a file that cannot be read is a failure (1).
            one_error_line(self, run("filter", "-c", asm, data("dns_udp.pcap")),
                           "filter: ", "bad.bpf:2:7: ", code=2)
            one_error_line(self, run("filter", "-c", os.path.join(directory, "none.bpf")),
                           "filter: ", "none.bpf", "cannot open", code=1)
            one_error_line(self, run("filter", "-c", directory, data("dns_udp.pcap")),
                           "filter: ", "Is a directory", code=1)
            # Assembles, but the kernel would refuse it: no ret at the end.
            with open(asm, "w") as out:
                out.write("ld #1\n")
            one_error_line(self, run("filter", "-c", asm, data("dns_udp.pcap")),
                           "filter: ", "bad.bpf", "instruction 0", code=2)

    def test_l3_warns_of_a_rule_too_long_for_xt_bpf(self):
        long_rule = run("bpfgen", "dns", "--", *["host%d.example.com" % i for i in range(8)])
        self.assertEqual(long_rule.returncode, 0, long_rule.stderr)
        result = run("filter", "--l3", "-b", long_rule.stdout.decode().strip(),
                     data("dns_udp.pcap"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1)
        self.assertIn(b"filter: warning: -b:", result.stderr)
        self.assertIn(b"at most 64", result.stderr)
        short_rule = run("bpfgen", "dns", "--", "example.com").stdout.decode().strip()
        self.assertEqual(run("filter", "--l3", "-b", short_rule, data("dns_udp.pcap")).stderr,
                         b"")

    def test_l3_needs_a_known_link_type(self):
        one_error_line(self, run("filter", "--l3", data("unsupported-link-type-160.pcap")),
                       "--l3", "link type 160")

    def test_no_partial_output_file_on_a_late_error(self):
        # The second input's packet 6 has a record header libpcap refuses (not a cut
        # file): the first input was already filtered, but nothing is left behind.
        with temporary_directory() as directory:
            bad = os.path.join(directory, "bad.pcap")
            with open(bad, "wb") as out:
                out.write(with_captured_length(open(data("dnssec.pcap"), "rb").read(), 6,
                                               300000))
            out = os.path.join(directory, "out.pcap")
            result = run("filter", "-w", out, data("dns_udp.pcap"), bad)
            one_error_line(self, result, "bad.pcap", "packet 6",
                           "invalid packet capture length 300000")
            listdir_clean(self, directory, ["bad.pcap"])
            # Nor on a regular file as stdout: it is cut back to where it stood.
            with open(out, "wb") as stdout:
                stdout.write(b"kept\n")
            with open(out, "ab") as stdout:
                result = subprocess.run([os.path.join(BIN, "filter"), data("dns_udp.pcap"), bad],
                                        stdin=subprocess.DEVNULL, stdout=stdout,
                                        stderr=subprocess.PIPE, timeout=60)
            one_error_line(self, result, "bad.pcap", "packet 6")
            self.assertEqual(open(out, "rb").read(), b"kept\n")

    def test_a_full_disk_is_one_line(self):
        # /dev/full, written to as it is: a small output fails when flushed at the end, a
        # large one as soon as a buffer is written; stdout alike.
        big = data("dnssec.pcap")
        for args in (["-w", "/dev/full", data("dns_udp.pcap")], ["-w", "/dev/full"] + [big] * 700):
            with self.subTest(inputs=len(args) - 2):
                one_error_line(self, run("filter", *args), "filter: /dev/full: cannot write",
                               "No space left on device")
        with open("/dev/full", "wb") as full:
            result = subprocess.run([os.path.join(BIN, "filter"), data("dns_udp.pcap")],
                                    stdout=full, stderr=subprocess.PIPE, timeout=60)
        one_error_line(self, result, "filter: stdout: cannot write", "No space left on device")

    def test_a_closed_pipe_is_one_line_where_sigpipe_is_ignored(self):
        # Python ignores SIGPIPE and, with restore_signals=False, so does the child: the
        # write fails with EPIPE instead of killing it.
        big = data("dnssec.pcap")
        reader, writer = os.pipe()
        os.close(reader)
        try:
            result = subprocess.run([os.path.join(BIN, "filter")] + [big] * 700, stdout=writer,
                                    stderr=subprocess.PIPE, timeout=60, restore_signals=False)
        finally:
            os.close(writer)
        one_error_line(self, result, "filter: stdout: cannot write", "Broken pipe")

    def test_an_existing_output_file_survives_a_failed_run(self):
        with temporary_directory() as directory:
            out = os.path.join(directory, "out.pcap")
            with open(out, "wb") as existing:
                existing.write(b"previous")
            result = run("filter", "-w", out, data("time_2107.pcapng"))
            one_error_line(self, result, "time_2107.pcapng", "packet 1", "1970 to 2106")
            self.assertEqual(open(out, "rb").read(), b"previous")
            listdir_clean(self, directory, ["out.pcap"])


def record_ends(blob):
    """The offsets at which the records of a little-endian classic pcap end."""
    ends, at = [], 24
    while at + 16 <= len(blob):
        at += 16 + struct.unpack("<I", blob[at + 8:at + 12])[0]
        if at > len(blob):
            break
        ends.append(at)
    return ends


def with_captured_length(blob, packet, length):
    """A little-endian classic pcap whose record `packet` (1-based) claims `length`
    captured bytes."""
    at = ([24] + record_ends(blob))[packet - 1]
    return blob[:at + 8] + struct.pack("<I", length) + blob[at + 12:]


def tcpdump_salvage(path, *expression):
    """What `tcpdump -r path -w -` writes of a cut capture before it fails (status 1)."""
    result = subprocess.run([TCPDUMP, "-r", path, "-w", "-", *expression],
                            capture_output=True, timeout=60)
    assert result.returncode == 1, result.stderr
    return Pcap(result.stdout).packets


class TruncatedInput(unittest.TestCase):
    """A capture cut short (a killed or still running capture, a partial copy): like
    tcpdump, filter writes the whole packets before the cut as a valid capture, says on one
    line where and why the input ended, and exits with status 1; --stats still counts. The
    output is kept, on a regular-file stdout and with -w alike."""

    @classmethod
    def setUpClass(cls):
        cls.directory = temporary_directory()
        root = cls.directory.name
        cls.whole = open(data("edns-opts.pcap"), "rb").read()
        ends = record_ends(cls.whole)
        # 5000 bytes end inside a record: the packets whose records end before are whole.
        cls.kept = len([end for end in ends if end <= 5000])
        cls.boundary = ends[cls.kept - 1]
        cls.paths = {}
        for name, blob in (("cut.pcap", cls.whole[:5000]),
                           ("cut-in-header.pcap", cls.whole[:cls.boundary + 7]),
                           ("prefix.pcap", cls.whole[:cls.boundary]),
                           ("cut.pcapng", open(data("ahcp.pcapng"), "rb").read()[:1500])):
            cls.paths[name] = os.path.join(root, name)
            with open(cls.paths[name], "wb") as out:
                out.write(blob)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def run_to_file(self, args, stdin=None, before=b""):
        """Runs filter with stdout a regular file (which a failure would cut back)."""
        path = os.path.join(self.directory.name, "stdout")
        with open(path, "wb") as out:
            out.write(before)
        with open(path, "ab") as out:
            result = subprocess.run([os.path.join(BIN, "filter"), *args],
                                    input=stdin if stdin is not None else b"", stdout=out,
                                    stderr=subprocess.PIPE, timeout=60)
        with open(path, "rb") as written:
            return result, written.read()

    def expect_input_ended(self, result, name, packet, *reason, stats=None):
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stderr.decode().splitlines()
        self.assertEqual(len(lines), 2 if stats else 1, lines)
        for part in ("filter: ", name, "packet %d" % packet) + reason:
            self.assertIn(part, lines[0])
        if stats:
            self.assertEqual(lines[1], stats)

    def test_classic_pcap_keeps_the_whole_packets(self):
        result, written = self.run_to_file(["--stats", self.paths["cut.pcap"]])
        self.expect_input_ended(
            result, "cut.pcap", self.kept + 1, "truncated dump file", "captured bytes",
            stats="filter: wrote %d of %d packets (%d matched the rule)"
            % (self.kept, self.kept, self.kept))
        # Without a rule the output is the input up to the last whole record, byte for byte.
        self.assertEqual(written, self.whole[:self.boundary])
        self.assertEqual(Pcap(written).packets, tcpdump_salvage(self.paths["cut.pcap"]))

    def test_cut_inside_a_record_header(self):
        result, written = self.run_to_file([self.paths["cut-in-header.pcap"]])
        self.expect_input_ended(result, "cut-in-header.pcap", self.kept + 1,
                                "truncated dump file", "header bytes")
        self.assertEqual(written, self.whole[:self.boundary])

    def test_the_rule_and_invert_run_on_the_whole_packets(self):
        expression = "udp[10] & 0x80 != 0"
        expected = tcpdump_select(self.paths["prefix.pcap"], expression)
        self.assertEqual(expected, tcpdump_salvage(self.paths["cut.pcap"], expression))
        self.assertTrue(0 < len(expected) < self.kept)
        result, written = self.run_to_file(["--stats", "-e", expression, self.paths["cut.pcap"]])
        self.expect_input_ended(result, "cut.pcap", self.kept + 1, "truncated",
                                stats="filter: wrote %d of %d packets (%d matched the rule)"
                                % (len(expected), self.kept, len(expected)))
        self.assertEqual(Pcap(written).packets, expected)
        result, written = self.run_to_file(["--invert", "--stats", "-e", expression,
                                            self.paths["cut.pcap"]])
        rest = self.kept - len(expected)
        self.expect_input_ended(result, "cut.pcap", self.kept + 1, "truncated",
                                stats="filter: wrote %d of %d packets (%d matched the rule)"
                                % (rest, self.kept, len(expected)))
        self.assertEqual(Pcap(written).packets,
                         tcpdump_select(self.paths["prefix.pcap"], "not (%s)" % expression))

    def test_pcapng_read_by_libpcap(self):
        path = self.paths["cut.pcapng"]
        expected = tcpdump_salvage(path)
        whole = scapy_packets(data("ahcp.pcapng"))
        self.assertTrue(0 < len(expected) < len(whole))
        self.assertEqual(expected, whole[:len(expected)])
        result, written = self.run_to_file(["--stats", path])
        self.expect_input_ended(result, "cut.pcapng", len(expected) + 1,
                                "truncated pcapng dump file",
                                stats="filter: wrote %d of %d packets (%d matched the rule)"
                                % ((len(expected),) * 3))
        self.assertEqual(Pcap(written).packets, expected)

    def test_standard_input(self):
        for name, expected in (("cut.pcap", scapy_packets(self.paths["prefix.pcap"])),
                               ("cut.pcapng", tcpdump_salvage(self.paths["cut.pcapng"]))):
            with self.subTest(input=name):
                blob = open(self.paths[name], "rb").read()
                result, written = self.run_to_file(["--stats"], stdin=blob, before=b"kept\n")
                self.expect_input_ended(
                    result, "stdin", len(expected) + 1, "truncated",
                    stats="filter: wrote %d of %d packets (%d matched the rule)"
                    % ((len(expected),) * 3))
                self.assertTrue(written.startswith(b"kept\n"))
                self.assertEqual(Pcap(written[5:]).packets, expected)
                # Through a pipe too.
                piped = run("filter", "-", stdin=blob)
                self.expect_input_ended(piped, "stdin", len(expected) + 1, "truncated")
                self.assertEqual(Pcap(piped.stdout).packets, expected)

    def test_write_option_keeps_the_file(self):
        with temporary_directory() as directory:
            out = os.path.join(directory, "out.pcap")
            result = run("filter", "-w", out, self.paths["cut.pcap"])
            self.expect_input_ended(result, "cut.pcap", self.kept + 1, "truncated")
            self.assertEqual(result.stdout, b"")
            self.assertEqual(open(out, "rb").read(), self.whole[:self.boundary])
            listdir_clean(self, directory, ["out.pcap"])

    def test_the_inputs_after_a_cut_one_are_still_read(self):
        result, written = self.run_to_file(["--stats", self.paths["cut.pcap"],
                                            data("dns_udp.pcap")])
        after = scapy_packets(data("dns_udp.pcap"))
        total = self.kept + len(after)
        self.expect_input_ended(result, "cut.pcap", self.kept + 1, "truncated",
                                stats="filter: wrote %d of %d packets (%d matched the rule)"
                                % (total, total, total))
        self.assertEqual(Pcap(written).packets,
                         scapy_packets(self.paths["prefix.pcap"]) + after)

    def test_a_damaged_record_header_still_leaves_nothing(self):
        # Not a cut: a record header libpcap refuses. Nothing is written, as before.
        bad = os.path.join(self.directory.name, "bad-length.pcap")
        with open(bad, "wb") as out:
            out.write(with_captured_length(self.whole, 3, 300000))
        result, written = self.run_to_file(["--stats", bad], before=b"kept\n")
        one_error_line(self, result, "filter: ", "bad-length.pcap", "packet 3",
                       "invalid packet capture length 300000")
        self.assertEqual(written, b"kept\n")

    def test_a_cut_file_header_is_still_no_capture(self):
        result, written = self.run_to_file([], stdin=self.whole[:20])
        one_error_line(self, result, "filter: ", "stdin", "truncated")
        self.assertEqual(written, b"")


if __name__ == "__main__":
    unittest.main()
