#!/usr/bin/python3
"""test_bpf_dbg.py: the built bpf_dbg run as a script, as the kernel's tools/bpf/bpf_dbg is.
- `run` over a real Ethernet capture prints "bpf passes:P fails:F" with P the number of
  packets `filter` keeps for the same bytecode and P + F all of them: a dns rule from bpfgen
  at offset 14, bpfgen's tcpdump generator, and `tcpdump -ddd` output joined by commas (the
  kernel tool's documented way in);
- on a small hand program: step (forward, several, back), the register, scratch memory and
  packet dump after each step, the verdict at the end and the move to the next packet,
  breakpoints (set, listed, hit by run, run going on after one, reset), select, dump and
  disassemble in the kernel tool's formats;
- errors: no program or capture loaded, bad bytecode, a program the kernel would refuse, a
  missing file, select out of range, an unknown command: each one line on stderr naming the
  script line, the session going on, exit 1 at the end; usage errors exit 2."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (BIN, TCPDUMP, Pcap, data, one_error_line,  # noqa: E402
                      require_environment, run, temporary_directory)
from unittest_main import main  # noqa: E402

require_environment()

# ldh [12]; jeq #0x800, l2, l3; ret #0xffff; ret #0
HAND_PROGRAM = "4,40 0 0 12,21 0 1 2048,6 0 0 65535,6 0 0 0"
# ld #5; st M[3]; ldx #7; stx M[15]; ret #1
SCRATCH_PROGRAM = "5,0 0 0 5,2 0 0 3,1 0 0 7,3 0 0 15,6 0 0 1"
TWO_PACKETS = "dns_udp.pcap"  # two Ethernet IPv4 packets


def dbg(*lines, args=()):
    """bpf_dbg with the lines as its script on standard input."""
    return run("bpf_dbg", *args, stdin=("\n".join(lines) + "\n").encode())


def bytecode(*args):
    result = run("bpfgen", *args)
    if result.returncode != 0:
        raise AssertionError("bpfgen %s failed: %s" % (args, result.stderr.decode()))
    return result.stdout.decode().strip()


def filter_count(rule, capture):
    result = run("filter", "-b", rule, data(capture))
    if result.returncode != 0:
        raise AssertionError("filter failed: %s" % result.stderr.decode())
    return len(Pcap(result.stdout).packets)


def packet_count(capture):
    result = run("filter", "-b", "1,6 0 0 65535", data(capture))
    return len(Pcap(result.stdout).packets)


class RunAgreesWithFilter(unittest.TestCase):
    def assert_same_counts(self, rule, capture):
        result = dbg("load bpf " + rule, "load pcap " + data(capture), "run", "quit")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        match = re.fullmatch(rb"bpf passes:(\d+) fails:(\d+)\n", result.stdout)
        self.assertIsNotNone(match, result.stdout)
        passes, fails = int(match.group(1)), int(match.group(2))
        self.assertEqual(passes, filter_count(rule, capture))
        self.assertEqual(passes + fails, packet_count(capture))
        return passes, fails

    def test_a_dns_rule_at_offset_14(self):
        rule = bytecode("-o", "14", "dns", "--", "example.com")
        passes, _ = self.assert_same_counts(rule, "edns-opts.pcap")
        self.assertGreater(passes, 0)
        passes, fails = self.assert_same_counts(rule, "dns_udp.pcap")  # www.tcpdump.org
        self.assertEqual((passes, fails), (0, 2))

    def test_a_dns_rule_with_a_wildcard(self):
        passes, _ = self.assert_same_counts(bytecode("-o", "14", "dns", "--", "*.tcpdump.org"),
                                            "dns_udp.pcap")
        self.assertGreater(passes, 0)

    def test_bpfgens_tcpdump_generator(self):
        passes, fails = self.assert_same_counts(
            bytecode("-o", "14", "tcpdump", "--", "udp dst port 53"), "edns-opts.pcap")
        self.assertGreater(passes, 0)
        self.assertGreater(fails, 0)

    def test_tcpdump_ddd_joined_by_commas(self):
        if not os.access(TCPDUMP, os.X_OK):
            self.skipTest("%s is not installed" % TCPDUMP)
        lines = subprocess.run([TCPDUMP, "-ddd", "-r", data("ldp-common-session.pcap"), "tcp"],
                               capture_output=True, check=True).stdout.decode().split()
        # "N\ncode jt jf k\n..." -> "N,code jt jf k,..."
        words = lines[1:]
        rule = lines[0] + "," + ",".join(" ".join(words[i:i + 4]) for i in range(0, len(words), 4))
        passes, fails = self.assert_same_counts(rule, "ldp-common-session.pcap")
        self.assertGreater(passes, 0)
        self.assertGreater(fails, 0)

    def test_run_n_runs_n_packets_from_the_selected_one(self):
        rule = bytecode("-o", "14", "dns", "--", "example.com")
        result = dbg("load bpf " + rule, "load pcap " + data("edns-opts.pcap"), "run 5",
                     "select 40", "run", "run 2")
        self.assertEqual(result.returncode, 0, result.stderr)
        counts = [int(p) + int(f) for p, f in
                  re.findall(rb"bpf passes:(\d+) fails:(\d+)", result.stdout)]
        total = packet_count("edns-opts.pcap")
        # After a run, the next one starts from the first packet again.
        self.assertEqual(counts, [5, total - 39, 2])


class SteppingAHandProgram(unittest.TestCase):
    def session(self, *lines, program=HAND_PROGRAM):
        result = dbg("load bpf " + program, "load pcap " + data(TWO_PACKETS), *lines)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        return result.stdout.decode()

    def test_step_shows_the_registers_and_packet_before_the_instruction(self):
        out = self.session("step")
        with open(data(TWO_PACKETS), "rb") as f:
            first = Pcap(f.read()).packets[0]
        expected_hex = "\n".join(
            "%3d: " % i + "".join("%02x " % b for b in first[i:i + 16])
            for i in range(0, len(first), 16))
        self.assertEqual(out, "-- register dump --\n"
                              "pc:       [0]\n"
                              "code:     [40] jt[0] jf[0] k[12]\n"
                              "curr:     l0:\tldh [12]\n"
                              "A:        [00000000][0]\n"
                              "X:        [00000000][0]\n"
                              "M[0,15]:  [00000000][0]\n"
                              "-- packet dump --\n"
                              "len: %d\n%s\n" % (len(first), expected_hex))

    def test_a_second_step_shows_the_loaded_value_and_both_jump_targets(self):
        out = self.session("step", "step")
        second = out[out.rindex("-- register dump --"):]
        self.assertIn("pc:       [1]\n", second)
        self.assertIn("code:     [21] jt[0] jf[1] k[2048]\n", second)
        self.assertIn("curr:     l1:\tjeq #0x800, l2, l3\n", second)
        self.assertIn("jt:       l2:\tret #0xffff\n", second)
        self.assertIn("jf:       l3:\tret #0\n", second)
        self.assertIn("A:        [0x000800][2048]\n", second)

    def test_step_n_shows_only_the_last_and_step_back_shows_an_earlier_one(self):
        out = self.session("step 2", "step -1")
        dumps = re.findall(r"pc:       \[(\d+)\]", out)
        self.assertEqual(dumps, ["1", "0"])
        self.assertIn("A:        [00000000][0]", out.split("-- register dump --")[2])

    def test_step_back_before_the_first_instruction_fails(self):
        result = dbg("load bpf " + HAND_PROGRAM, "load pcap " + data(TWO_PACKETS), "step",
                     "step -1", "step")
        one_error_line(self, result, "<stdin>:4:", "step", code=1)
        self.assertEqual(re.findall(rb"pc:       \[(\d+)\]", result.stdout), [b"0", b"1"])

    def test_the_verdict_ends_the_packet_and_the_next_one_follows(self):
        out = self.session("step 3", "step 3")
        self.assertIn("curr:     l2:\tret #0xffff\n", out)
        self.assertIn("ret:      [0x00ffff][65535]\n(next: packet 2 of 2)\n", out)
        self.assertTrue(out.endswith("ret:      [0x00ffff][65535]\n(next: back to packet 1 of 2)\n"),
                        out)

    def test_step_past_the_end_runs_to_the_verdict_without_a_dump(self):
        self.assertEqual(self.session("step 10"),
                         "ret:      [0x00ffff][65535]\n(next: packet 2 of 2)\n")

    def test_select_chooses_the_packet_counted_from_one(self):
        out = self.session("select 2", "step 10", "select 1", "step 10")
        self.assertEqual(out, "ret:      [0x00ffff][65535]\n(next: back to packet 1 of 2)\n"
                              "ret:      [0x00ffff][65535]\n(next: packet 2 of 2)\n")

    def test_scratch_memory_shows_the_cells_in_use(self):
        out = self.session("step 5", program=SCRATCH_PROGRAM)
        last = out.split("-- register dump --")[-1]
        self.assertIn("A:        [0x000005][5]\n", last)
        self.assertIn("X:        [0x000007][7]\n", last)
        self.assertIn("M[3]: [0x000005][5]\nM[15]: [0x000007][7]\n", last)
        self.assertNotIn("M[0,15]", last)

    def test_breakpoints_stop_a_run_which_then_goes_on(self):
        out = self.session("breakpoint 2", "breakpoint 3", "breakpoint", "run", "run",
                           "breakpoint reset", "breakpoint", "run")
        self.assertTrue(out.startswith("breakpoint at: l2:\tret #0xffff\n"
                                       "breakpoint at: l3:\tret #0\n"
                                       "breakpoints: 2 3 \n"), out)
        self.assertEqual(out.count("(breakpoint)\n"), 2)
        stops = re.findall(r"pc:       \[(\d+)\]", out)
        self.assertEqual(stops, ["2", "2"])
        # Both packets are IPv4: each stops once at l2; the counts carry over the stops.
        self.assertTrue(out.endswith("(breakpoint)\nbreakpoints: \nbpf passes:2 fails:0\n"), out)

    def test_dump_and_disassemble_in_the_kernel_tools_formats(self):
        out = self.session("dump", "disassemble", "disassemble 1")
        self.assertEqual(out, "/* { op, jt, jf, k }, */\n"
                              "{ 0x28,  0,  0, 0x0000000c },\n"
                              "{ 0x15,  0,  1, 0x00000800 },\n"
                              "{ 0x06,  0,  0, 0x0000ffff },\n"
                              "{ 0x06,  0,  0, 0000000000 },\n"
                              "l0:\tldh [12]\n"
                              "l1:\tjeq #0x800, l2, l3\n"
                              "l2:\tret #0xffff\n"
                              "l3:\tret #0\n"
                              "l1:\tjeq #0x800, l2, l3\n")

    def test_quit_ends_the_script(self):
        self.assertEqual(self.session("quit", "dump"), "")


class Errors(unittest.TestCase):
    def assert_one_error(self, lines, *parts):
        result = dbg(*lines, "load bpf 1,6 0 0 7", "dump")
        one_error_line(self, result, "bpf_dbg: <stdin>:%d:" % len(lines), *parts, code=1)
        # The session went on after the error.
        self.assertTrue(result.stdout.endswith(b"{ 0x06,  0,  0, 0x00000007 },\n"), result.stdout)

    def test_no_program_loaded(self):
        self.assert_one_error(["load pcap " + data(TWO_PACKETS), "step"], "no program loaded")

    def test_no_capture_loaded(self):
        self.assert_one_error(["load bpf " + HAND_PROGRAM, "run"], "no capture loaded")

    def test_bad_bytecode(self):
        self.assert_one_error(["load bpf 2,6 0 0 1"], "load bpf")
        self.assert_one_error(["load bpf 1,6 0 0 x"], "load bpf")

    def test_a_program_the_kernel_refuses(self):
        self.assert_one_error(["load bpf 1,40 0 0 12"], "load bpf", "refuse")

    def test_a_refused_program_is_no_longer_loaded(self):
        result = dbg("load bpf " + HAND_PROGRAM, "load bpf 1,40 0 0 12", "dump")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, b"")
        self.assertEqual(len(result.stderr.splitlines()), 2)

    def test_a_missing_file(self):
        self.assert_one_error(["load pcap /nonexistent/x.pcap"], "/nonexistent/x.pcap")

    def test_select_out_of_range(self):
        self.assert_one_error(["load pcap " + data(TWO_PACKETS), "select 3"], "select", "3")

    def test_an_unknown_command(self):
        self.assert_one_error(["frobnicate"], "frobnicate")

    def test_a_breakpoint_past_the_end(self):
        self.assert_one_error(["load bpf " + HAND_PROGRAM, "breakpoint 4"], "breakpoint", "4")

    def test_usage_errors_exit_2(self):
        one_error_line(self, run("bpf_dbg", "--frobnicate"), "bpf_dbg", "--frobnicate", code=2)
        one_error_line(self, run("bpf_dbg", "a", "b", "c"), "bpf_dbg", code=2)

    def test_a_missing_command_file(self):
        one_error_line(self, run("bpf_dbg", "/nonexistent/commands"), "/nonexistent/commands",
                       code=1)


class CommandAndOutputFiles(unittest.TestCase):
    def test_reads_commands_from_a_file_and_writes_the_replies_to_another(self):
        with temporary_directory() as directory:
            commands = os.path.join(directory, "commands")
            output = os.path.join(directory, "out")
            with open(commands, "w") as f:
                f.write("load bpf %s\nload pcap %s\nrun\n" % (HAND_PROGRAM, data(TWO_PACKETS)))
            result = run("bpf_dbg", commands, output)
            self.assertEqual((result.returncode, result.stdout, result.stderr), (0, b"", b""))
            with open(output) as f:
                self.assertEqual(f.read(), "bpf passes:2 fails:0\n")


if __name__ == "__main__":
    main()
