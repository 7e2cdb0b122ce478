#!/usr/bin/python3
"""test_write_errors.py: every program fails the same way when its standard output cannot be
written (a full disk: /dev/full), --help included: exit 1 and one line on stderr,
"TOOL: stdout: cannot write: REASON", the wording -w FILE's errors have ("FILE: cannot
write: REASON"). The issue found --help > /dev/full exiting 0, and four wordings, one of them
without a reason."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import BIN, data, require_environment, temporary_directory  # noqa: E402

require_environment()

PROGRAMS = ["bpfgen", "filter", "pcap2hex", "hex2pcap", "parsedns", "offset", "iptables_bpf",
            "iptables_bpf_chain", "xdp_bpf", "bpf_asm", "bpf_dbg"]


def run_into_full_disk(tool, *args, stdin=b""):
    with open("/dev/full", "wb") as full:
        return subprocess.run([os.path.join(BIN, tool), *args], input=stdin, stdout=full,
                              stderr=subprocess.PIPE, timeout=60)


class FullStandardOutput(unittest.TestCase):
    def expect_write_error(self, tool, result):
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stderr.decode(),
                         "%s: stdout: cannot write: No space left on device\n" % tool)

    def test_help(self):
        for tool in PROGRAMS:
            with self.subTest(tool=tool):
                self.expect_write_error(tool, run_into_full_disk(tool, "--help"))

    def test_output(self):
        capture = data("dns_udp.pcap")
        lines = subprocess.run([os.path.join(BIN, "pcap2hex"), capture], capture_output=True,
                               check=True).stdout
        with temporary_directory() as directory:
            program = os.path.join(directory, "rule.bpf")
            with open(program, "w") as out:
                out.write("ret #0\n")
            for tool, args, stdin in (
                    ("bpfgen", ["dns", "--", "example.com"], b""),
                    ("filter", [capture], b""),
                    ("pcap2hex", [capture], b""),
                    ("hex2pcap", [], lines),
                    ("parsedns", ["-"], lines),
                    ("offset", ["\\x07example", capture], b""),
                    ("iptables_bpf", ["-w", "-", "dns", "--", "example.com"], b""),
                    ("bpf_asm", [program], b"")):
                with self.subTest(tool=tool):
                    self.expect_write_error(tool, run_into_full_disk(tool, *args, stdin=stdin))


if __name__ == "__main__":
    unittest.main()
