#!/usr/bin/python3
"""test_live_pipeline.py: the capture tools in a live pipeline (issue: Ctrl-C lost matches).
- `(cat x.pcap; sleep 10) | timeout -s INT 3 TOOL > out` for filter with a rule, pcap2hex,
  offset, parsedns and hex2pcap: the tool stops while its read waits on the pipe (long before
  the sender's end), exits 0, and its output is what it gives for the whole file (whole
  records or lines), with filter's --stats line saying it was stopped; SIGTERM the same;
  filter --report prints the report of what it read and one line saying what stopped it;
- -U: each packet reaches the output while the input is still open;
- a sender writing a bounded number of packets slowly into a pipe, SIGINT at a random moment:
  the output is a valid pcap (read by scapy) holding exactly what filter selects from the
  first packets, as many as --stats says were read, and no more than were sent;
- SIGPIPE (`filter ... | head -c 100`, `pcap2hex ... | head -c 100`): the tool stops reading,
  quietly, and exits 0, with filter's --stats line saying why."""
import os
import random
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (BIN, Pcap, data, require_environment, run, scapy_packets,  # noqa: E402
                      temporary_directory)
from unittest_main import main  # noqa: E402

require_environment()

CAPTURE = data("dns_udp.pcap")
RULE_EXPRESSION = "udp dst port 53"
STATS = re.compile(r"^filter: wrote (\d+) of (\d+) packets \((\d+) matched the rule\)"
                   r"(; stopped by (SIGINT|SIGTERM|SIGPIPE).*)?$")


def tool(name):
    return os.path.join(BIN, name)


def rule_bytecode():
    """The bytecode of RULE_EXPRESSION for Ethernet, as bpfgen's tcpdump generator makes it."""
    result = run("bpfgen", "-o", "14", "tcpdump", "--", RULE_EXPRESSION)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().strip()


def stop_while_reading(test, command, stdin_bytes, directory, stop=signal.SIGINT):
    """Runs `(cat INPUT; sleep 10) | timeout -s STOP 3 COMMAND > out` as the issue did and
    returns (exit status, output bytes, stderr text); asserts the tool was stopped during
    its wait on the pipe, not by the end of its input."""
    source = os.path.join(directory, "input")
    with open(source, "wb") as out:
        out.write(stdin_bytes)
    output = os.path.join(directory, "out")
    errors = os.path.join(directory, "err")
    quoted = " ".join("'" + part.replace("'", "'\\''") + "'" for part in command)
    script = ("(cat '%s'; sleep 10) | { timeout --preserve-status -s %s 3 %s > '%s' 2> '%s'; echo $? > '%s.tmp';"
              " mv '%s.tmp' '%s.status'; }" % (source, signal.Signals(stop).name[3:], quoted,
                                               output, errors, output, output, output))
    # An earlier run's files go before this one starts (after, they could be its own).
    status_file = output + ".status"
    for leftover in (status_file, output, errors):
        if os.path.exists(leftover):
            os.remove(leftover)
    started = time.monotonic()
    # The pipeline's own exit waits for `sleep`; the tool's status is written on its own.
    shell = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    while not os.path.exists(status_file):
        test.assertLess(time.monotonic() - started, 9, "%s did not stop" % command[0])
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    os.killpg(shell.pid, signal.SIGKILL)
    shell.wait()
    test.assertLess(elapsed, 9, "%s waited for its input's end" % command[0])
    with open(status_file) as status, open(output, "rb") as out, open(errors) as err:
        return int(status.read()), out.read(), err.read()


class StoppedWhileReadingKeepsEverything(unittest.TestCase):
    """Each defect the issue observed with `(cat x.pcap; sleep 3) | timeout -s INT 1 TOOL`."""

    def setUp(self):
        with open(CAPTURE, "rb") as capture:
            self.capture = capture.read()
        self.directory = temporary_directory()
        self.addCleanup(self.directory.cleanup)

    def check_stopped_like_whole_run(self, command, stdin_bytes, stop=signal.SIGINT):
        status, output, errors = stop_while_reading(self, command, stdin_bytes,
                                                    self.directory.name, stop)
        self.assertEqual(status, 0, errors)
        whole = run(command[0], *command[1:], stdin=stdin_bytes)
        self.assertEqual(whole.returncode, 0, whole.stderr)
        self.assertTrue(output)
        self.assertEqual(output, whole.stdout)
        return errors

    def test_filter_with_a_rule_keeps_its_matches_and_prints_its_stats(self):
        for stop in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=stop.name):
                errors = self.check_stopped_like_whole_run(
                    [tool("filter"), "--stats", "-b", rule_bytecode()], self.capture, stop)
                match = STATS.match(errors.strip())
                self.assertIsNotNone(match, errors)
                self.assertEqual(match.group(5), stop.name)
                self.assertEqual(int(match.group(2)), len(scapy_packets(CAPTURE)))

    def test_filter_output_is_a_valid_capture(self):
        status, output, errors = stop_while_reading(
            self, [tool("filter"), "-e", RULE_EXPRESSION], self.capture, self.directory.name)
        self.assertEqual(status, 0, errors)
        path = os.path.join(self.directory.name, "kept.pcap")
        with open(path, "wb") as out:
            out.write(output)
        expected = run("filter", "-e", RULE_EXPRESSION, CAPTURE).stdout
        self.assertEqual(scapy_packets(path), Pcap(expected).packets)
        self.assertTrue(scapy_packets(path))

    def test_filter_and_hex2pcap_put_their_w_file_in_place(self):
        # SIGTERM while the input is still coming: -w's file holds what was read (a killed
        # writer, SIGKILL, leaves none: test_capture_hostile_inputs.py).
        lines = run("pcap2hex", CAPTURE).stdout
        for command, given in ((["filter", "-e", RULE_EXPRESSION], self.capture),
                               (["hex2pcap"], lines)):
            with self.subTest(tool=command[0]):
                out = os.path.join(self.directory.name, "out.pcap")
                process = subprocess.Popen([tool(command[0]), *command[1:], "-w", out],
                                           stdin=subprocess.PIPE, stderr=subprocess.PIPE)
                process.stdin.write(given)
                process.stdin.flush()
                time.sleep(1)  # it has read what it was given
                process.terminate()
                errors = process.stderr.read()
                process.wait(timeout=30)
                process.stdin.close()
                process.stderr.close()
                self.assertEqual(process.returncode, 0, errors)
                with open(out, "rb") as written:
                    self.assertEqual(written.read(), run(command[0], *command[1:],
                                                         stdin=given).stdout)
                os.remove(out)

    def test_filter_report_covers_what_was_read_and_says_what_stopped_it(self):
        rules = os.path.join(self.directory.name, "rules.txt")
        with open(rules, "w") as out:
            out.write("dns -- *.tcpdump.org\ntcpdump -- udp dst port 53\n")
        for stop in (signal.SIGINT, signal.SIGTERM):
            for options in ([], ["--json"]):
                with self.subTest(signal=stop.name, options=options):
                    errors = self.check_stopped_like_whole_run(
                        [tool("filter"), "--report", "-f", rules, *options], self.capture, stop)
                    self.assertEqual(errors, "filter: stopped by %s: the report covers the "
                                     "packets read before\n" % stop.name)

    def test_pcap2hex_prints_whole_lines(self):
        self.check_stopped_like_whole_run([tool("pcap2hex"), "-a"], self.capture)

    def test_offset_prints_its_lines(self):
        self.check_stopped_like_whole_run([tool("offset"), "\\x07example"], self.capture)

    def test_parsedns_prints_its_packets(self):
        lines = run("pcap2hex", CAPTURE).stdout
        self.check_stopped_like_whole_run([tool("parsedns"), "-"], lines)

    def test_hex2pcap_writes_whole_records(self):
        lines = run("pcap2hex", CAPTURE).stdout
        self.check_stopped_like_whole_run([tool("hex2pcap")], lines, signal.SIGTERM)


def pcap_header(linktype=1):
    return struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype)


def pcap_record(number, packet):
    return struct.pack("<IIII", 1000 + number, 0, len(packet), len(packet)) + packet


def read_exactly(stream, size, seconds):
    """Reads size bytes from a pipe within seconds (in a thread: the read blocks)."""
    got = bytearray()

    def reader():
        while len(got) < size:
            chunk = os.read(stream.fileno(), size - len(got))
            if not chunk:
                return
            got.extend(chunk)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(seconds)
    return bytes(got)


def finish(process):
    """Closes the input of a process whose output was read in part, and waits for it."""
    process.stdin.close()
    for stream in (process.stdout, process.stderr):
        stream.read()
        stream.close()
    process.wait(timeout=30)


class PacketBuffered(unittest.TestCase):
    def test_each_packet_reaches_the_output_while_the_input_is_open(self):
        packets = scapy_packets(CAPTURE)
        for command in (["filter", "-U"], ["filter", "-U", "-e", RULE_EXPRESSION],
                        ["pcap2hex", "-U"], ["offset", "-U", "\\x07example"]):
            with self.subTest(command=command):
                process = subprocess.Popen([tool(command[0]), *command[1:]],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE)
                try:
                    process.stdin.write(pcap_header() + pcap_record(0, packets[0]))
                    process.stdin.flush()
                    if command[0] == "filter":
                        expected = pcap_header()[:24] + pcap_record(0, packets[0])
                        got = read_exactly(process.stdout, len(expected), 10)
                        self.assertEqual(Pcap(got).packets, [packets[0]])
                    else:
                        got = read_exactly(process.stdout, 1, 10)
                        self.assertTrue(got, "no line before the input's end")
                finally:
                    finish(process)
                self.assertEqual(process.returncode, 0)

    def test_hex2pcap_and_parsedns_write_each_line_at_once(self):
        line = run("pcap2hex", CAPTURE).stdout.splitlines()[0] + b"\n"
        for command, size in ((["hex2pcap", "-U"], 24 + 16 + len(line) // 2),
                              (["parsedns", "-U", "-"], 1)):
            with self.subTest(command=command):
                process = subprocess.Popen([tool(command[0]), *command[1:]],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE)
                try:
                    process.stdin.write(line)
                    process.stdin.flush()
                    got = read_exactly(process.stdout, size, 10)
                    self.assertEqual(len(got), size)
                finally:
                    finish(process)
                self.assertEqual(process.returncode, 0)


class SignalAtARandomMoment(unittest.TestCase):
    """A sender writes a bounded number of packets slowly into filter's pipe; SIGINT comes
    at a random moment."""

    def run_once(self, rng, directory, stop, pause_before_signal):
        packets = scapy_packets(CAPTURE)
        count = 60
        sent_packets = [packets[i % len(packets)] for i in range(count)]
        process = subprocess.Popen([tool("filter"), "-U", "--stats", "-e", RULE_EXPRESSION],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        output = bytearray()

        def drain_output():
            for chunk in iter(lambda: process.stdout.read1(65536), b""):
                output.extend(chunk)

        drain = threading.Thread(target=drain_output, daemon=True)
        drain.start()
        signal_after = rng.uniform(0.05, 0.6)
        sent = 0
        try:
            process.stdin.write(pcap_header())
            process.stdin.flush()
            # With -U filter writes its file header once it has read the input's: from then
            # on its stop signals are installed. A signal before that (a slow start, under
            # a sanitizer) ends any program, as it would tcpdump: not what this test is about.
            deadline = time.monotonic() + 30
            while len(output) < 24 and time.monotonic() < deadline:
                time.sleep(0.005)
            self.assertGreaterEqual(len(output), 24, "filter wrote no file header")
            started = time.monotonic()
            while sent < count and time.monotonic() - started < signal_after:
                process.stdin.write(pcap_record(sent, sent_packets[sent]))
                process.stdin.flush()
                sent += 1
                time.sleep(0.01)
            if pause_before_signal:
                time.sleep(1.5)  # filter has read everything: it waits on the pipe
            process.send_signal(stop)
            errors = process.stderr.read()
        finally:
            process.stdin.close()
            process.wait(timeout=30)
        drain.join(30)
        process.stdout.close()
        process.stderr.close()
        errors = errors.decode()
        self.assertEqual(process.returncode, 0, errors)
        match = STATS.match(errors.strip())
        self.assertIsNotNone(match, errors)
        read = int(match.group(2))
        self.assertLessEqual(read, sent)
        if pause_before_signal:
            self.assertEqual(read, sent)
            self.assertEqual(match.group(5), signal.Signals(stop).name)
        # The output: a valid pcap, read by scapy, holding what filter selects from the
        # packets read.
        path = os.path.join(directory, "out.pcap")
        with open(path, "wb") as out:
            out.write(output)
        prefix = os.path.join(directory, "prefix.pcap")
        with open(prefix, "wb") as out:
            out.write(pcap_header() + b"".join(pcap_record(i, sent_packets[i])
                                               for i in range(read)))
        expected = run("filter", "-e", RULE_EXPRESSION, prefix)
        self.assertEqual(expected.returncode, 0, expected.stderr)
        self.assertEqual(scapy_packets(path), Pcap(expected.stdout).packets)
        self.assertEqual(bytes(output), expected.stdout)
        self.assertEqual(int(match.group(1)), len(Pcap(expected.stdout).packets))

    def test_sigint_at_random_moments(self):
        rng = random.Random(int(os.environ.get("BPFTOOLS_TEST_SEED", time.time())))
        with temporary_directory() as directory:
            for attempt in range(6):
                with self.subTest(attempt=attempt):
                    self.run_once(rng, directory, signal.SIGINT, pause_before_signal=False)
            for stop in (signal.SIGINT, signal.SIGTERM):
                with self.subTest(signal=stop.name, paused=True):
                    self.run_once(rng, directory, stop, pause_before_signal=True)


class OutputReaderGone(unittest.TestCase):
    """`TOOL ... | head -c 100`: SIGPIPE stops the reading, quietly, exit 0."""

    def setUp(self):
        self.directory = temporary_directory()
        self.addCleanup(self.directory.cleanup)
        packets = scapy_packets(CAPTURE)
        # Several MB: far more than a pipe holds.
        self.big = os.path.join(self.directory.name, "big.pcap")
        with open(self.big, "wb") as out:
            out.write(pcap_header())
            for i in range(20000):
                out.write(pcap_record(i, packets[i % len(packets)]))

    def pipe_into_head(self, command):
        process = subprocess.Popen([tool(command[0]), *command[1:]], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        head = subprocess.Popen(["head", "-c", "100"], stdin=process.stdout,
                                stdout=subprocess.PIPE)
        process.stdout.close()
        kept, _ = head.communicate(timeout=60)
        _, errors = process.communicate(timeout=60)
        self.assertEqual(len(kept), 100)
        return process.returncode, errors.decode()

    def test_filter_stops_and_says_why(self):
        for buffering in ([], ["-U"]):
            with self.subTest(buffering=buffering):
                status, errors = self.pipe_into_head(
                    ["filter", "--stats", *buffering, "-e", RULE_EXPRESSION, self.big])
                self.assertEqual(status, 0, errors)
                match = STATS.match(errors.strip())
                self.assertIsNotNone(match, errors)
                self.assertEqual(match.group(5), "SIGPIPE")
                if buffering:  # each packet is written at once: the pipe closes early
                    self.assertLess(int(match.group(2)), 20000)

    def test_line_tools_stop_quietly(self):
        for command in (["pcap2hex", self.big], ["pcap2hex", "-U", self.big],
                        ["offset", "\\x07example", self.big], ["filter", "-U", self.big]):
            with self.subTest(command=command):
                status, errors = self.pipe_into_head(command)
                self.assertEqual(status, 0, errors)
                self.assertEqual(errors, "")


if __name__ == "__main__":
    main()
