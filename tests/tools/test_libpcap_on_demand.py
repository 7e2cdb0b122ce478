#!/usr/bin/python3
"""test_libpcap_on_demand.py: libpcap is loaded at run time, only by the runs that use it
(its loader and the nine libraries it needs cost each program milliseconds at start-up).
- No program has libpcap among its NEEDED libraries (readelf -d).
- Runs that never need it (a rule over a classic pcap, pcap2hex, offset, hex2pcap writing
  Ethernet, bpfgen's own generators, bpf_asm, iptables_bpf) do not load it, as the dynamic
  loader's own trace (LD_DEBUG=libs) shows; the runs that need it (an -e expression, a
  pcapng input, the tcpdump generator, link-type names: hex2pcap -l NAME, parsedns) load it
  and work.
- When it cannot be loaded, a run that needs it fails with one line naming the library and
  the loader's reason, exit 1."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import BIN, data, one_error_line, require_environment  # noqa: E402
from unittest_main import main  # noqa: E402

require_environment()

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBPCAP = "libpcap.so.0.8"
CLASSIC = data("dns_udp.pcap")
PCAPNG = data("ahcp.pcapng")


def programs():
    """One program per .cpp file of tools/ and linux_tools/."""
    return sorted(name[:-len(".cpp")] for folder in ["tools", "linux_tools"]
                  for name in os.listdir(os.path.join(SOURCE, folder)) if name.endswith(".cpp"))


def traced_run(args, stdin=b"", environment=None):
    """Runs a built program with the dynamic loader tracing the libraries it loads, into
    files of their own (the program's output stays its own). Returns the result and the
    trace's text."""
    with tempfile.TemporaryDirectory(prefix="bpftools-ld-trace.") as folder:
        env = dict(os.environ, LD_DEBUG="libs", LD_DEBUG_OUTPUT=os.path.join(folder, "trace"),
                   **(environment or {}))
        result = subprocess.run([os.path.join(BIN, args[0]), *args[1:]], input=stdin,
                                capture_output=True, timeout=60, env=env)
        trace = ""
        for name in glob.glob(os.path.join(folder, "trace.*")):
            with open(name, errors="replace") as text:
                trace += text.read()
    return result, trace


def loads_libpcap(trace):
    return ("find library=" + LIBPCAP) in trace


class LibpcapOnDemand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rule = subprocess.run([os.path.join(BIN, "bpfgen"), "-o", "14", "dns", "--",
                                   "*.example.com"], capture_output=True, text=True,
                                  check=True).stdout.strip()
        # A DNS query over Ethernet, as hex2pcap and parsedns read it.
        cls.hex_line = subprocess.run([os.path.join(BIN, "pcap2hex"), CLASSIC],
                                      capture_output=True, check=True).stdout.splitlines()[0] + b"\n"

    def run_traced(self, *args, stdin=b""):
        result, trace = traced_run(list(args), stdin)
        self.assertEqual(result.returncode, 0, (args, result.stderr))
        # The trace names every library: one the program links must be in it.
        self.assertIn("find library=libc.so.6", trace, args)
        return result, trace

    def test_no_program_needs_libpcap_to_start(self):
        if not shutil.which("readelf"):
            self.skipTest("readelf is not installed")
        for program in programs():
            dynamic = subprocess.run(["readelf", "-d", os.path.join(BIN, program)],
                                     capture_output=True, text=True, check=True).stdout
            self.assertIn("(NEEDED)", dynamic, program)
            self.assertNotIn("libpcap", dynamic, program)

    def test_runs_that_do_not_use_libpcap_do_not_load_it(self):
        with open(CLASSIC, "rb") as capture:
            classic = capture.read()
        runs = [
            (["filter", "-b", self.rule], classic),
            (["filter", "--stats", "-b", self.rule, CLASSIC], b""),
            (["filter", "--l3", "-b", "1,6 0 0 65535", CLASSIC], b""),
            (["pcap2hex", CLASSIC], b""),
            (["offset", "example", CLASSIC], b""),
            (["hex2pcap"], self.hex_line),
            (["bpfgen", "dns", "--", "*.example.com"], b""),
            (["bpfgen", "-s", "suffix", "--", "010203"], b""),
            (["bpf_asm"], b"ret #0\n"),
            (["iptables_bpf", "-w", "-", "-i", "192.0.2.1", "dns", "--", "example.com"], b""),
        ]
        for args, stdin in runs:
            with self.subTest(args=args):
                _, trace = self.run_traced(*args, stdin=stdin)
                self.assertFalse(loads_libpcap(trace), args)

    def test_runs_that_use_libpcap_load_it_and_work(self):
        for args in [["filter", "-e", "udp", CLASSIC],
                     ["filter", "-b", self.rule, PCAPNG],
                     ["pcap2hex", PCAPNG],
                     ["bpfgen", "tcpdump", "--", "udp dst port 53"],
                     ["hex2pcap", "-l", "EN10MB"],
                     ["parsedns", "-"]]:  # which names the link type as libpcap does
            with self.subTest(args=args):
                result, trace = self.run_traced(*args, stdin=self.hex_line)
                self.assertTrue(loads_libpcap(trace), args)
                self.assertTrue(result.stdout, args)

    def test_a_library_that_cannot_be_loaded_is_one_error_line(self):
        # A file of libpcap's name that is no library, found first through LD_LIBRARY_PATH.
        # The runs that need it fail at run time (exit 1), even where what needed it came
        # from the command line (an expression, a link-type name, a tcpdump rule).
        with tempfile.TemporaryDirectory(prefix="bpftools-no-libpcap.") as folder:
            with open(os.path.join(folder, LIBPCAP), "w") as broken:
                broken.write("not a library\n")
            environment = dict(os.environ, LD_LIBRARY_PATH=folder)
            for args in [["filter", "-e", "udp", CLASSIC],
                         ["filter", "--l3", "-e", "udp", CLASSIC],
                         ["filter", PCAPNG],
                         ["hex2pcap", "-l", "EN10MB"],
                         ["bpfgen", "tcpdump", "--", "udp"],
                         ["iptables_bpf", "-w", "-", "tcpdump", "--", "udp"]]:
                with self.subTest(args=args):
                    result = subprocess.run([os.path.join(BIN, args[0]), *args[1:]],
                                            input=self.hex_line, capture_output=True,
                                            timeout=60, env=environment)
                    one_error_line(self, result, args[0] + ": ", "cannot load libpcap: ",
                                   os.path.join(folder, LIBPCAP) + ": file too short")
                    self.assertEqual(result.stdout, b"")
            # A run that does not need it is not affected.
            result = subprocess.run(
                [os.path.join(BIN, "filter"), "-b", self.rule, CLASSIC], capture_output=True,
                timeout=60, env=environment)
            self.assertEqual((result.returncode, result.stderr), (0, b""))
            self.assertTrue(result.stdout)

if __name__ == "__main__":
    main()
