#!/usr/bin/python3
"""test_parsedns.py: the built parsedns on the real DNS packets of tcpdump's test suite
(Ethernet, DNS over TCP, BSD null, raw IPv4/IPv6), checked against scapy's DNS decoding
(names, counts, TTLs, record data, EDNS) and tcpdump's (EDNS size and DO bit); malformed
packets (the real "zlip" pointer loop, truncation, a pointer out of range, not DNS at all)
give one error line each and exit 1."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (TCPDUMP, data, network_offset, one_error_line,  # noqa: E402
                      require_environment, require_tcpdump, run, scapy_linktype, scapy_packets)

from scapy.layers.dns import DNS  # noqa: E402
from scapy.layers.inet import IP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402

require_environment()
require_tcpdump()

# capture, parsedns --linktype, whether every packet carries a DNS message
DNS_CAPTURES = [("dns_udp.pcap", "EN10MB"), ("edns-opts.pcap", "EN10MB"),
                ("dnssec.pcap", "EN10MB"), ("dns-badcookie.pcap", "NULL"),
                ("LINKTYPE_RAW_ipv6.pcap", "RAW"), ("LINKTYPE_IPV4.pcap", "IPV4"),
                ("LINKTYPE_IPV6.pcap", "IPV6")]
TYPE_NAMES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 28: "AAAA", 41: "OPT",
              44: "SSHFP", 46: "RRSIG", 48: "DNSKEY", 256: "URI"}

RECORD = re.compile(r"^  (answer|authority|additional) (\d+) @(\d+): (\S+) (?:(\d+) (\S+) (\S+)"
                    r" ?(.*)|OPT)$")


def parse_output(text):
    """parsedns's output as one dict per packet."""
    packets = []
    for block in text.strip().split("\n\n"):
        packet = {"questions": [], "answer": [], "authority": [], "additional": [],
                  "options": []}
        for line in block.splitlines():
            if m := re.match(r"^  dns: id 0x([0-9a-f]{4}), (query|response), opcode (\S+), "
                             r"rcode (\S+), flags 0x[0-9a-f]{4} \[(.*)\]$", line):
                packet.update(id=int(m[1], 16), response=m[2] == "response", rcode=m[4],
                              flags=m[5])
            elif m := re.match(r"^ +questions (\d+), answers (\d+), authority (\d+), "
                               r"additional (\d+)$", line):
                packet["counts"] = tuple(int(x) for x in m.groups())
            elif m := re.match(r"^  question \d+ @\d+: (\S+) (\S+) (\S+)$", line):
                packet["questions"].append((m[1], m[2], m[3]))
            elif m := RECORD.match(line):
                if m[5] is None:
                    packet[m[1]].append((m[4], None, None, "OPT", None))
                else:
                    packet[m[1]].append((m[4], int(m[5]), m[6], m[7], m[8]))
            elif m := re.match(r"^  edns: version (\d+), udp size (\d+), flags 0x([0-9a-f]{4})",
                               line):
                packet["edns"] = (int(m[1]), int(m[2]), int(m[3], 16))
            elif line.startswith("  edns option: "):
                packet["options"].append(line[len("  edns option: "):])
        packets.append(packet)
    return packets


def scapy_dns(linktype, packet):
    offset = network_offset(linktype, packet)
    layer = IP(packet[offset:]) if packet[offset] >> 4 == 4 else IPv6(packet[offset:])
    return layer[DNS]


def name_of(raw):
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class AgreesWithScapy(unittest.TestCase):
    def check_capture(self, name, linktype_name):
        path = data(name)
        packets = scapy_packets(path)
        linktype = scapy_linktype(path)
        result = run("parsedns", "--linktype", linktype_name, *(p.hex() for p in packets))
        self.assertEqual(result.returncode, 0, result.stderr)
        decoded = parse_output(result.stdout.decode())
        self.assertEqual(len(decoded), len(packets))
        for number, (packet, ours) in enumerate(zip(packets, decoded), 1):
            with self.subTest(capture=name, packet=number):
                theirs = scapy_dns(linktype, packet)
                self.assertEqual(ours["id"], theirs.id)
                self.assertEqual(ours["response"], bool(theirs.qr))
                self.assertEqual(ours["counts"], (theirs.qdcount, theirs.ancount,
                                                  theirs.nscount, theirs.arcount))
                self.assertEqual([q[0] for q in ours["questions"]],
                                 [name_of(theirs.qd[i].qname) for i in range(theirs.qdcount)])
                self.assertEqual([q[2] for q in ours["questions"]],
                                 [TYPE_NAMES[theirs.qd[i].qtype] for i in range(theirs.qdcount)])
                for section, records in (("answer", theirs.an), ("authority", theirs.ns),
                                         ("additional", theirs.ar)):
                    count = len(ours[section])
                    self.assertEqual(count, {"answer": theirs.ancount,
                                             "authority": theirs.nscount,
                                             "additional": theirs.arcount}[section])
                    for i in range(count):
                        record, mine = records[i], ours[section][i]
                        self.assertEqual(mine[0], name_of(record.rrname))
                        self.assertEqual(mine[3], TYPE_NAMES.get(record.type, mine[3]))
                        if record.type == 41:
                            edns = ours["edns"]
                            self.assertEqual(edns[1], record.rclass)
                            self.assertEqual(edns[2] & 0x8000, record.z & 0x8000)
                            continue
                        self.assertEqual(mine[1], record.ttl)
                        if record.type in (1, 28):
                            self.assertEqual(mine[4], str(record.rdata))
                        elif record.type in (2, 5, 12):
                            self.assertEqual(mine[4], name_of(record.rdata))

    def test_every_capture(self):
        for name, linktype in DNS_CAPTURES:
            self.check_capture(name, linktype)

    def test_dns_over_tcp(self):
        # Packets 4 and 6 carry the query and the answer; the rest are bare TCP.
        packets = scapy_packets(data("dns_tcp.pcap"))
        result = run("parsedns", packets[3].hex(), packets[5].hex())
        self.assertEqual(result.returncode, 0, result.stderr)
        query, answer = parse_output(result.stdout.decode())
        self.assertEqual(query["questions"], [("www.tcpdump.org.", "IN", "A")])
        self.assertEqual([(r[0], r[3], r[4]) for r in answer["answer"]],
                         [("www.tcpdump.org.", "A", "192.139.46.66"),
                          ("www.tcpdump.org.", "A", "198.199.88.104")])
        self.assertIn("  tcp: 33779 > 53, flags 0x18", result.stdout.decode())


class AgreesWithTcpdump(unittest.TestCase):
    def test_edns_size_and_do_bit(self):
        path = data("edns-opts.pcap")
        decoding = subprocess.run([TCPDUMP, "-nn", "-vv", "-r", path], capture_output=True,
                                  check=True).stdout.decode()
        sizes = re.findall(r"OPT UDPsize=(\d+)( DO)?", decoding)
        result = run("parsedns", *(p.hex() for p in scapy_packets(path)))
        decoded = parse_output(result.stdout.decode())
        ours = [(str(p["edns"][1]), " DO" if p["edns"][2] & 0x8000 else "")
                for p in decoded if "edns" in p]
        self.assertEqual(ours, sizes)

    def test_client_subnet_options(self):
        path = data("edns-opts.pcap")
        decoding = subprocess.run([TCPDUMP, "-nn", "-vv", "-r", path], capture_output=True,
                                  check=True).stdout.decode()
        theirs = re.findall(r"ECS ([0-9a-f.:]+)/(\d+)/(\d+)", decoding)
        result = run("parsedns", *(p.hex() for p in scapy_packets(path)))
        ours = re.findall(r"client-subnet ([0-9a-f.:]+)/(\d+) scope /(\d+)",
                          result.stdout.decode())
        self.assertEqual(ours, theirs)
        self.assertEqual(len(ours), 8)

    def test_extended_rcode(self):
        # tcpdump: "63147 BadCookie 0/0/1"
        packets = scapy_packets(data("dns-badcookie.pcap"))
        result = run("parsedns", "-l", "NULL", packets[1].hex())
        self.assertEqual(parse_output(result.stdout.decode())[0]["rcode"], "BADCOOKIE")


class Inputs(unittest.TestCase):
    def test_bare_messages_with_raw(self):
        packet = scapy_packets(data("dns_udp.pcap"))[0]
        result = run("parsedns", "--raw", packet[42:].hex())
        self.assertEqual(result.returncode, 0, result.stderr)
        output = result.stdout.decode()
        self.assertNotIn("  ip:", output)
        self.assertEqual(parse_output(output)[0]["questions"], [("www.tcpdump.org.", "IN", "A")])

    def test_pcap2hex_lines_on_standard_input(self):
        hex_lines = run("pcap2hex", "-a", data("dns_udp.pcap")).stdout
        result = run("parsedns", "-", stdin=b"# comment\n" + hex_lines)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(parse_output(result.stdout.decode())), 2)
        self.assertTrue(result.stdout.decode().startswith("stdin:2: 98 bytes\n"))

    def test_lines_up_to_the_largest_packet_and_long_comments_are_read(self):
        # The largest packet pcap2hex prints (libpcap's 262144 bytes) is read whole;
        # comments and the text after a tab may be longer.
        message = scapy_packets(data("dns_udp.pcap"))[0][42:]
        largest = message + bytes(262144 - len(message))
        long_text = "x" * 3000000
        text = ("# " + long_text + "\n" + largest.hex() + "\t" + long_text + "\r\n"
                + message.hex())
        result = run("parsedns", "--raw", "-", stdin=text.encode())
        self.assertEqual(result.returncode, 0, result.stderr)
        output = result.stdout.decode()
        self.assertTrue(output.startswith("stdin:2: 262144 bytes\n"), output[:200])
        self.assertIn("  trailing: %d bytes: " % (262144 - len(message)), output)
        self.assertIn("\n\nstdin:3: %d bytes\n" % len(message), output)

    def test_trailing_bytes_are_shown(self):
        packet = scapy_packets(data("dns_udp.pcap"))[0]
        result = run("parsedns", "--raw", packet[42:].hex() + "dead")
        self.assertIn("  trailing: 2 bytes: dead\n", result.stdout.decode())


class Malformed(unittest.TestCase):
    def test_the_real_pointer_loop_attack(self):
        packet = scapy_packets(data("dns-zlip-1.pcap"))[0]
        one_error_line(self, run("parsedns", packet.hex()), "parsedns: packet 1: ",
                       "compression pointer loop")

    def test_a_truncated_answer(self):
        packet = scapy_packets(data("dns_udp.pcap"))[1]
        one_error_line(self, run("parsedns", packet[:100].hex()),
                       "packet 1: answer 2: truncated at offset 51")

    def test_a_pointer_out_of_range(self):
        packet = bytearray(scapy_packets(data("dns_udp.pcap"))[0])
        packet[54:56] = b"\xc0\xff"  # the question's name becomes a pointer past the end
        one_error_line(self, run("parsedns", packet.hex()),
                       "points to 255, outside the 56-byte message")

    def test_a_packet_without_ip(self):
        packet = scapy_packets(data("802.1ad_QinQ.pcap"))[0]
        one_error_line(self, run("parsedns", packet.hex()), "no IPv4 or IPv6 header")

    def test_another_link_type_is_suggested(self):
        packet = scapy_packets(data("LINKTYPE_RAW_ipv6.pcap"))[0]
        one_error_line(self, run("parsedns", packet.hex()), "no IPv4 or IPv6 header",
                       "try --linktype RAW")
        packet = scapy_packets(data("dns-badcookie.pcap"))[0]
        one_error_line(self, run("parsedns", packet.hex()), "try --linktype NULL")

    def test_good_packets_still_print_next_to_bad_ones(self):
        good = scapy_packets(data("dns_udp.pcap"))[0].hex()
        result = run("parsedns", good, "00zz", good)
        one_error_line(self, result, "packet 2: 'z' at position 3 is not a hex digit")
        self.assertEqual(len(parse_output(result.stdout.decode())), 2)

    def test_a_line_longer_than_the_largest_packet_is_refused_and_the_next_read(self):
        # Refused once its hex passes 262144 bytes' worth, the rest of the line skipped
        # unread; the packets around it print as around any packet that does not decode.
        good = scapy_packets(data("dns_udp.pcap"))[0].hex()
        for long_line in ("00" * 262144 + "0", "ab" * 3000000, "zz" * 300000 + "\tview"):
            with self.subTest(length=len(long_line)):
                result = run("parsedns", "-", stdin=("%s\n# c\n%s\n%s\n" % (
                    good, long_line, good)).encode())
                one_error_line(self, result)
                self.assertEqual(result.stderr.decode(), "parsedns: stdin:3: packet of at "
                                 "least 262145 bytes is longer than 262144\n")
                output = result.stdout.decode()
                self.assertEqual(len(parse_output(output)), 2)
                self.assertTrue(output.startswith("stdin:1: "), output[:100])
                self.assertIn("\n\nstdin:4: ", output)

    def test_usage_errors(self):
        one_error_line(self, run("parsedns"), "no packet given", code=2)
        one_error_line(self, run("parsedns", "--raw", "-l", "RAW", "00"), "exclude", code=2)
        one_error_line(self, run("parsedns", "-l", "160", "00"), "not supported", code=2)


if __name__ == "__main__":
    unittest.main()
