#!/usr/bin/python3
"""test_capture_hostile_inputs.py: every capture tool (filter, pcap2hex, hex2pcap,
parsedns, offset) fed what it must refuse: a missing file, a directory, an empty file,
a cut file header, a cut packet record, something that is no capture, an unknown link type,
a bad hex line, a hostile DNS message. Each must print one line on stderr naming the tool
and the input, exit non-zero, not hang, and leave no -w file behind."""
import os
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (BIN, data, listdir_clean, one_error_line, require_environment, run,  # noqa: E402
                      scapy_packets, temporary_directory)

require_environment()

CAPTURE_READERS = [("filter", []), ("filter", ["-e", "ip"]), ("filter", ["--l3"]),
                   ("pcap2hex", []), ("pcap2hex", ["-s"]), ("offset", ["x"])]


class BrokenCaptures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = temporary_directory()
        root = cls.directory.name
        whole = open(data("dns_udp.pcap"), "rb").read()
        cls.inputs = {
            "empty.pcap": (b"", "empty file"),
            "header-cut.pcap": (whole[:10], "truncated"),
            "record-header-cut.pcap": (whole[:24 + 16 + 98 + 7], "packet 2"),
            "record-cut.pcap": (whole[:-1], "packet 2"),
            "not-a-capture.pcap": (b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
                                   "unknown file format"),
            "pcapng-cut.pcapng": (open(data("ahcp.pcapng"), "rb").read()[:-9], "packet"),
        }
        for name, (blob, _) in cls.inputs.items():
            with open(os.path.join(root, name), "wb") as out:
                out.write(blob)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def test_files(self):
        for tool, args in CAPTURE_READERS:
            for name, (_, reason) in self.inputs.items():
                with self.subTest(tool=tool, args=args, input=name):
                    path = os.path.join(self.directory.name, name)
                    result = run(tool, *args, path)
                    one_error_line(self, result, tool + ": ", name, reason)

    def test_standard_input(self):
        for tool, args in CAPTURE_READERS:
            for name, (blob, reason) in self.inputs.items():
                with self.subTest(tool=tool, args=args, input=name):
                    one_error_line(self, run(tool, *args, stdin=blob), tool + ": ", "stdin",
                                   reason)

    def test_a_late_error_takes_back_what_went_to_a_file_on_stdout(self):
        # Packet 1 is whole, packet 2 cut or with a captured length libpcap refuses: output
        # was written before the error. filter keeps the packets before a cut, as tcpdump
        # does (test_filter.py checks that), so only the damaged record is an error to it.
        whole = open(data("dns_udp.pcap"), "rb").read()
        second = 24 + 16 + struct.unpack("<I", whole[32:36])[0]
        cut = os.path.join(self.directory.name, "late-error.pcap")
        with open(cut, "wb") as out:
            out.write(whole[:415])
        damaged = os.path.join(self.directory.name, "late-bad-length.pcap")
        with open(damaged, "wb") as out:
            out.write(whole[:second + 8] + struct.pack("<I", 300000) + whole[second + 12:])
        rows = [(tool, args + [damaged], None) for tool, args in CAPTURE_READERS]
        rows += [(tool, args + [cut], None) for tool, args in CAPTURE_READERS if tool != "filter"]
        rows.append(("hex2pcap", [], b"4500\nzz\n"))
        for tool, args, stdin in rows:
            for mode, before in (("wb", b""), ("ab", b"kept\n")):
                with self.subTest(tool=tool, args=args, mode=mode):
                    path = os.path.join(self.directory.name, "stdout")
                    with open(path, "wb") as out:
                        out.write(before)
                    with open(path, mode) as out:
                        result = subprocess.run([os.path.join(BIN, tool), *args],
                                                input=stdin or b"", stdout=out,
                                                stderr=subprocess.PIPE, timeout=60)
                    self.assertEqual(result.returncode, 1, result.stderr)
                    self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                    with open(path, "rb") as written:
                        self.assertEqual(written.read(), before)

    def test_a_killed_writer_leaves_no_file(self):
        # Killed while its input is still coming: neither -w's file nor a temporary one.
        # (SIGTERM and SIGINT stop the reading and keep what was read: test_live_pipeline.py.)
        capture = open(data("dns_udp.pcap"), "rb").read()
        for tool, first_input in (("filter", capture), ("hex2pcap", b"00112233\n")):
            with self.subTest(tool=tool):
                directory = temporary_directory()
                try:
                    process = subprocess.Popen([os.path.join(BIN, tool), "-w", "out.pcap"],
                                               cwd=directory.name, stdin=subprocess.PIPE,
                                               stderr=subprocess.PIPE)
                    process.stdin.write(first_input)
                    process.stdin.flush()
                    time.sleep(0.5)  # it has read and written what it was given
                    process.kill()
                    process.wait(timeout=30)
                    process.stdin.close()
                    process.stderr.close()
                    self.assertEqual(os.listdir(directory.name), [])
                finally:
                    directory.cleanup()

    def test_a_closed_standard_input(self):
        # Not the same as an empty one: reading fails, and that must be said.
        for tool, args in CAPTURE_READERS + [("hex2pcap", []), ("parsedns", ["-"])]:
            with self.subTest(tool=tool, args=args):
                result = subprocess.run([os.path.join(BIN, tool), *args], stdin=subprocess.DEVNULL,
                                        capture_output=True, timeout=60,
                                        preexec_fn=lambda: os.close(0))
                one_error_line(self, result, tool + ": ", "stdin", "cannot read")

    def test_missing_files_and_directories(self):
        for tool, args in CAPTURE_READERS:
            with self.subTest(tool=tool, args=args):
                one_error_line(self, run(tool, *args, "/nonexistent/capture.pcap"),
                               tool + ": ", "/nonexistent/capture.pcap", "No such file")
                one_error_line(self, run(tool, *args, self.directory.name),
                               tool + ": ", "Is a directory")

    def test_an_unknown_link_type_where_headers_must_be_understood(self):
        path = data("unsupported-link-type-160.pcap")
        for tool, args in (("filter", ["--l3"]), ("pcap2hex", []), ("pcap2hex", ["-s", "-n"]),
                           ("filter", ["-e", "ip"])):
            with self.subTest(tool=tool, args=args):
                one_error_line(self, run(tool, *args, path), tool + ": ", "160")
        # Where headers do not matter, such packets are fine.
        self.assertEqual(run("offset", "+", path).stdout, b"19\n")
        self.assertEqual(run("filter", "-b", "1,6 0 0 1,", path).returncode, 0)

    def test_usage_errors_exit_2(self):
        for tool in ("filter", "pcap2hex", "hex2pcap", "parsedns", "offset"):
            with self.subTest(tool=tool):
                one_error_line(self, run(tool, "--no-such-option"), tool + ": ", code=2)


class NoPartialOutputFiles(unittest.TestCase):
    def test_filter(self):
        # A record libpcap refuses (packet 30 claims 300000 bytes), not a cut: a cut file's
        # whole packets are written (test_filter.py).
        with temporary_directory() as directory:
            out = os.path.join(directory, "out.pcap")
            bad = os.path.join(directory, "bad.pcap")
            whole = open(data("edns-opts.pcap"), "rb").read()
            at = 24
            for _ in range(29):
                at += 16 + struct.unpack("<I", whole[at + 8:at + 12])[0]
            open(bad, "wb").write(whole[:at + 8] + struct.pack("<I", 300000) + whole[at + 12:])
            for args, code in ((["-w", out, bad], 1), (["-w", out, "-e", "ip", bad], 1),
                               (["-w", out, data("dns_udp.pcap"), data("babel.pcap")], 1),
                               (["-w", out, "-b", "1,6 0 0 1,", data("time_2107.pcapng")], 1),
                               (["-w", out, "-e", "nonsense", data("dns_udp.pcap")], 2)):
                with self.subTest(args=args):
                    result = run("filter", *args)
                    one_error_line(self, result, "filter: ", code=code)
                    listdir_clean(self, directory, ["bad.pcap"])

    def test_hex2pcap(self):
        with temporary_directory() as directory:
            out = os.path.join(directory, "out.pcap")
            hex_lines = run("pcap2hex", data("edns-opts.pcap")).stdout
            bad = os.path.join(directory, "bad.hex")
            open(bad, "wb").write(hex_lines + b"not hex\n")
            one_error_line(self, run("hex2pcap", "-w", out, bad), "hex2pcap: ", "bad.hex:43:")
            one_error_line(self, run("hex2pcap", "-w", out, bad, "/nonexistent.hex"),
                           "/nonexistent.hex")
            one_error_line(self, run("hex2pcap", "-w", out, stdin=b"0g\n"), "stdin:1:")
            listdir_clean(self, directory, ["bad.hex"])

    def test_into_a_missing_directory(self):
        for tool, args in (("filter", [data("dns_udp.pcap")]), ("hex2pcap", [])):
            with self.subTest(tool=tool):
                one_error_line(self, run(tool, "-w", "/nonexistent/out.pcap", *args,
                                         stdin=b"00\n"), tool + ": ", "/nonexistent/out.pcap")


class HostileDns(unittest.TestCase):
    def test_every_cut_of_a_real_answer_is_refused_cleanly(self):
        packet = scapy_packets(data("dns_udp.pcap"))[1]
        # Keep the IP length consistent with the cut, so the DNS message itself is cut.
        for size in range(42, len(packet), 7):
            cut = bytearray(packet[:size])
            cut[16:18] = (size - 14).to_bytes(2, "big")
            with self.subTest(size=size):
                one_error_line(self, run("parsedns", cut.hex()), "parsedns: packet 1: ")

    def test_pointer_loops_in_record_data(self):
        # A CNAME answer whose data is a pointer to itself.
        header = bytes.fromhex("123481800001000100000000")
        question = b"\x07example\x03com\x00" + bytes.fromhex("00010001")
        data_offset = len(header) + len(question) + 12
        answer = bytes.fromhex("c00c000500010000003c0002") + bytes([0xc0, data_offset])
        message = header + question + answer
        one_error_line(self, run("parsedns", "--raw", message.hex()), "answer 1",
                       "compression pointer loop")


if __name__ == "__main__":
    unittest.main()
