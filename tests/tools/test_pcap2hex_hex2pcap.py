#!/usr/bin/python3
"""test_pcap2hex_hex2pcap.py: the built pcap2hex and hex2pcap on real captures from
tcpdump's test suite: pcap2hex -n prints exactly the packets scapy reads; normalisation
gives the Ethernet form worked out here independently, which tcpdump decodes as it decodes
the original; pcap2hex | hex2pcap round-trips (byte for byte with -n and the link type);
--scrub is deterministic, hides addresses and names, keeps checksums valid; hex2pcap's
comments, tabs, link types and errors."""
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (ETHERNET, LINUX_SLL, LINUX_SLL2, NULL, RAW, TCPDUMP, Pcap, data,  # noqa: E402
                      listdir_clean, network_offset, one_error_line, require_environment,
                      require_tcpdump, run, scapy_linktype, scapy_packets, sll_to_sll2,
                      temporary_directory, write_pcap)

require_environment()
require_tcpdump()

CAPTURES = ["dns_udp.pcap", "edns-opts.pcap", "dnssec.pcap", "ldp-common-session.pcap",
            "802.1ad_QinQ.pcap", "tcp-handshake-nano.pcap", "babel.pcap", "ahcp.pcapng",
            "LINKTYPE_RAW_ipv4.pcap", "LINKTYPE_RAW_ipv6.pcap", "LINKTYPE_IPV4.pcap",
            "LINKTYPE_IPV6.pcap", "dns-badcookie.pcap", "dns_tcp.pcap", "empty.pcapng"]


def lines(result):
    if result.returncode != 0:
        raise AssertionError(result.stderr.decode())
    return result.stdout.decode().splitlines()


def expected_ethernet(linktype, packet):
    """The Ethernet form of a packet as pcap2hex documents it, worked out here."""
    zero_macs = bytes(12)
    if linktype == ETHERNET:
        offset, ethertype = 14, packet[12:14]
        while ethertype in (b"\x81\x00", b"\x88\xa8", b"\x91\x00") and len(packet) >= offset + 4:
            ethertype = packet[offset + 2:offset + 4]
            offset += 4
        return packet[:12] + ethertype + packet[offset:]
    if linktype == LINUX_SLL:
        length = int.from_bytes(packet[4:6], "big")
        source = packet[6:12] if length == 6 else bytes(6)
        return bytes(6) + source + packet[14:16] + packet[16:]
    offset = network_offset(linktype, packet)
    version = packet[offset] >> 4
    return zero_macs + (b"\x08\x00" if version == 4 else b"\x86\xdd") + packet[offset:]


def tcpdump_decoding(path_or_blob):
    """tcpdump -nn -t -v's decoding, link layer left out."""
    if isinstance(path_or_blob, bytes):
        result = subprocess.run([TCPDUMP, "-nn", "-t", "-v", "-r", "-"], input=path_or_blob,
                                capture_output=True, timeout=60)
    else:
        result = subprocess.run([TCPDUMP, "-nn", "-t", "-v", "-r", path_or_blob],
                                capture_output=True, timeout=60)
    return result.stdout.decode(errors="replace")


class Pcap2hex(unittest.TestCase):
    def test_no_normalize_prints_every_packet_as_captured(self):
        for name in CAPTURES:
            with self.subTest(capture=name):
                self.assertEqual(lines(run("pcap2hex", "-n", data(name))),
                                 [packet.hex() for packet in scapy_packets(data(name))])

    def test_normalized_packets_are_ethernet_from_the_ip_header_on(self):
        for name in CAPTURES:
            linktype = scapy_linktype(data(name))
            with self.subTest(capture=name):
                self.assertEqual(lines(run("pcap2hex", data(name))),
                                 [expected_ethernet(linktype, packet).hex()
                                  for packet in scapy_packets(data(name))])

    def test_linux_cooked_v2_normalizes_like_v1(self):
        with temporary_directory() as directory:
            path = os.path.join(directory, "sll2.pcap")
            packets = scapy_packets(data("babel.pcap"))
            write_pcap(path, LINUX_SLL2, [sll_to_sll2(packet) for packet in packets])
            self.assertEqual(lines(run("pcap2hex", path)),
                             lines(run("pcap2hex", data("babel.pcap"))))

    def test_ascii_view_follows_a_tab(self):
        packets = scapy_packets(data("dns_udp.pcap"))
        printable = ["".join(chr(b) if 0x21 <= b <= 0x7e else "." for b in packet)
                     for packet in packets]
        self.assertEqual(lines(run("pcap2hex", "-a", data("dns_udp.pcap"))),
                         ["%s\t%s" % (p.hex(), text) for p, text in zip(packets, printable)])
        self.assertIn("tcpdump", printable[0])

    def test_several_files_and_standard_input(self):
        first, second = data("dns_udp.pcap"), data("edns-opts.pcap")
        both = lines(run("pcap2hex", "-n", first, second))
        self.assertEqual(both, lines(run("pcap2hex", "-n", first)) +
                         lines(run("pcap2hex", "-n", second)))
        self.assertEqual(lines(run("pcap2hex", "-n", stdin=open(first, "rb").read())),
                         lines(run("pcap2hex", "-n", first)))

    def test_unknown_link_types_print_only_as_captured(self):
        path = data("unsupported-link-type-160.pcap")
        self.assertEqual(lines(run("pcap2hex", "-n", path)),
                         [p.hex() for p in scapy_packets(path)])
        one_error_line(self, run("pcap2hex", path), "pcap2hex: ", "160", "use -n")
        one_error_line(self, run("pcap2hex", "-n", "-s", path), "cannot scrub", "160")


class RoundTrip(unittest.TestCase):
    def test_no_normalize_round_trips_byte_for_byte_with_the_link_type(self):
        for name in CAPTURES:
            linktype = scapy_linktype(data(name))
            if linktype is None:
                continue
            with self.subTest(capture=name):
                hex_lines = run("pcap2hex", "-n", data(name)).stdout
                result = run("hex2pcap", "--linktype", str(linktype), stdin=hex_lines)
                self.assertEqual(result.returncode, 0, result.stderr)
                pcap = Pcap(result.stdout)
                self.assertEqual(pcap.linktype, linktype)
                self.assertEqual(pcap.packets, scapy_packets(data(name)))
                self.assertTrue(all(r[2] == r[3] for r in pcap.records))

    def test_normalized_round_trip_decodes_as_the_original(self):
        for name in CAPTURES:
            with self.subTest(capture=name):
                hex_lines = run("pcap2hex", data(name)).stdout
                result = run("hex2pcap", stdin=hex_lines)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(Pcap(result.stdout).linktype, ETHERNET)
                self.assertEqual(tcpdump_decoding(result.stdout), tcpdump_decoding(data(name)))


class Scrub(unittest.TestCase):
    def scrubbed(self, name):
        return lines(run("pcap2hex", "-s", data(name)))

    def test_the_same_input_gives_the_same_output(self):
        for name in ("dns_udp.pcap", "babel.pcap", "LINKTYPE_RAW_ipv6.pcap"):
            with self.subTest(capture=name):
                self.assertEqual(self.scrubbed(name), self.scrubbed(name))

    def test_addresses_and_names_are_gone_but_the_traffic_still_decodes(self):
        hex_lines = self.scrubbed("dns_udp.pcap")
        result = run("hex2pcap", stdin="\n".join(hex_lines).encode())
        original = tcpdump_decoding(data("dns_udp.pcap"))
        scrubbed = tcpdump_decoding(result.stdout)
        for secret in ("192.168.1.11", "209.87.249.18", "tcpdump"):
            self.assertIn(secret, original)
            self.assertNotIn(secret, scrubbed)
        # Names in the authority and additional sections and in record data too.
        raw = b"".join(bytes.fromhex(line) for line in hex_lines)
        for name in (b"sandelman", b"cooperix", b"tcpdump"):
            self.assertNotIn(name, raw)
        # Addresses in record data too, as bytes (tcpdump -v shows only the answers).
        unscrubbed = b"".join(
            bytes.fromhex(line) for line in lines(run("pcap2hex", data("dns_udp.pcap"))))
        for address in ("192.139.46.66", "198.199.88.104", "209.87.249.18", "97.107.133.15"):
            self.assertIn(socket.inet_aton(address), unscrubbed)
            self.assertNotIn(socket.inet_aton(address), raw)
        # Still a DNS query and its answer: same ports, ids and counts, answers of type A.
        self.assertIn("22836+ [1au] A?", scrubbed)
        self.assertIn("22836*- 2/2/5", scrubbed)
        self.assertEqual(scrubbed.count(" A "), original.count(" A "))
        # tcpdump -v checks the checksums: as valid as before.
        self.assertEqual(original.count("bad"), 0)
        self.assertEqual(scrubbed.count("bad"), 0)

    def test_mac_addresses_are_zero(self):
        for line in self.scrubbed("dns_udp.pcap"):
            self.assertEqual(line[:24], "0" * 24)

    def test_scrub_and_no_normalize_keep_the_link_type(self):
        for name in ("tcp-handshake-nano.pcap", "ldp-common-session.pcap"):
            with self.subTest(capture=name):
                scrubbed = lines(run("pcap2hex", "-s", "-n", data(name)))
                original = [p.hex() for p in scapy_packets(data(name))]
                self.assertEqual([len(s) for s in scrubbed], [len(o) for o in original])
                self.assertNotEqual(scrubbed, original)


class Hex2pcap(unittest.TestCase):
    def packets(self, text, *args):
        result = run("hex2pcap", *args, stdin=text.encode())
        self.assertEqual(result.returncode, 0, result.stderr)
        return Pcap(result.stdout)

    def test_comments_blank_lines_spaces_tabs_and_crlf(self):
        pcap = self.packets("# a comment\n; another\n\n   0a0B0c\ttext after a tab\r\n"
                            "\tonly a comment after a tab\n  \nff \n")
        self.assertEqual(pcap.packets, [b"\x0a\x0b\x0c", b"\xff"])
        self.assertEqual(pcap.linktype, ETHERNET)
        self.assertEqual(pcap.snaplen, 262144)

    def test_link_type_by_number_or_name(self):
        for given, expected in (("113", LINUX_SLL), ("LINUX_SLL2", LINUX_SLL2), ("raw", RAW),
                                ("sll2", LINUX_SLL2), ("276", LINUX_SLL2), ("sll", LINUX_SLL),
                                ("NULL", NULL), ("EN10MB", ETHERNET)):
            with self.subTest(linktype=given):
                self.assertEqual(self.packets("00\n", "--linktype", given).linktype, expected)
        one_error_line(self, run("hex2pcap", "--linktype", "nonsense"), "hex2pcap: ",
                       "unknown link type 'nonsense'", code=2)

    def test_several_files_in_order(self):
        with temporary_directory() as directory:
            first, second = os.path.join(directory, "a.hex"), os.path.join(directory, "b.hex")
            open(first, "w").write("01\n02\n")
            open(second, "w").write("03\n")
            result = run("hex2pcap", first, second)
            self.assertEqual(Pcap(result.stdout).packets, [b"\x01", b"\x02", b"\x03"])

    def test_a_bad_line_names_file_and_line_and_leaves_no_file(self):
        with temporary_directory() as directory:
            source = os.path.join(directory, "in.hex")
            open(source, "w").write("# header\n0102\n01 02\n")
            out = os.path.join(directory, "out.pcap")
            one_error_line(self, run("hex2pcap", "-w", out, source),
                           "hex2pcap: ", "in.hex:3:", "a space at position 3")
            listdir_clean(self, directory, ["in.hex"])
            open(source, "w").write("012\n")
            one_error_line(self, run("hex2pcap", "-w", out, source), "in.hex:1:",
                           "odd number of hex digits (3)")
            listdir_clean(self, directory, ["in.hex"])

    def test_write_option_replaces_the_file_when_complete(self):
        with temporary_directory() as directory:
            out = os.path.join(directory, "out.pcap")
            open(out, "wb").write(b"old")
            result = run("hex2pcap", "-w", out, stdin=b"0102\n")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(Pcap(open(out, "rb").read()).packets, [b"\x01\x02"])
            listdir_clean(self, directory, ["out.pcap"])

    def test_packets_longer_than_the_snapshot_length_are_refused(self):
        result = run("hex2pcap", stdin=b"00" * 262145 + b"\n")
        one_error_line(self, result, "stdin:1:", "262145 bytes", "262144")

    def test_a_line_is_refused_as_its_hex_passes_the_largest_packet(self):
        # The line is refused once it holds one digit too many: its full length is not
        # known, only that the packet would have at least 262145 bytes.
        with temporary_directory() as directory:
            source, out = os.path.join(directory, "in.hex"), os.path.join(directory, "out.pcap")
            for text in ("00" * 262144 + "0", "00" * 262145, "zz" * 400000,
                         "  " + "00" * 262144 + "1\tview\r"):
                with self.subTest(length=len(text)):
                    open(source, "w").write("# header\n00\n\n" + text + "\n01\n")
                    result = run("hex2pcap", "-w", out, source)
                    self.assertEqual(result.stderr.decode(), "hex2pcap: %s:4: packet of at least "
                                     "262145 bytes is longer than 262144\n" % source)
                    self.assertEqual(result.returncode, 1)
                    listdir_clean(self, directory, ["in.hex"])

    def test_the_largest_packet_and_long_comments_tabs_and_spaces_are_read(self):
        # The bound is on the hex alone: comments, the text after a tab (pcap2hex -a's view
        # of a large packet is as long as the packet) and spaces around the hex may be longer.
        largest = bytes(range(256)) * 1024  # 262144 bytes
        long_text = "x" * 3000000
        text = ("# " + long_text + "\n; " + long_text + "\n" + " " * 3000000 + "\n"
                + largest.hex() + "\r\n"
                + " " * 3000000 + "0a0b" + " " * 3000000 + "\t" + long_text + "\r\n"
                + "\t" + long_text + "\n"
                + largest.hex().upper() + " " * 3000000)  # the last line without a newline
        self.assertEqual(self.packets(text).packets, [largest, b"\x0a\x0b", largest])


if __name__ == "__main__":
    unittest.main()
