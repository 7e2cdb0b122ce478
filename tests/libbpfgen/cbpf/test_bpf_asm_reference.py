#!/usr/bin/python3
"""test_bpf_asm_reference.py: the built bpf_asm tool run as a user runs it: every recorded
program of the original bpfgen must come out as the kernel bpf_asm's bytecode line, and its
-c output as the kernel's C initialisers; bad input gives one error line and exit 1, a bad
command line exit 2."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("BPFTOOLS_BIN")
DATA = os.environ.get("BPFTOOLS_TEST_DATA")


def bpf_asm(args, stdin=b""):
    return subprocess.run([os.path.join(BIN, "bpf_asm"), *args], input=stdin,
                          capture_output=True, timeout=60)


def reference_cases():
    with open(os.path.join(DATA, "bpfgen_cases.jsonl"), encoding="utf-8") as cases:
        for number, line in enumerate(cases, 1):
            case = json.loads(line)
            if case["rc"] == 0:
                yield number, case


def c_hex(value, width):
    """printf's %#0<width>x: the 0x prefix counts in the width and zero gets none."""
    if value == 0:
        return "0" * width
    return "0x" + format(value, "0%dx" % (width - 2))


def c_lines(bytecode):
    """The kernel bpf_asm -c output for an xt_bpf bytecode line."""
    fields = bytecode.rstrip(",").split(",")
    out = []
    for instruction in fields[1:]:
        code, jt, jf, k = (int(x) for x in instruction.split())
        out.append("{ %s, %2d, %2d, %s },\n" % (c_hex(code, 4), jt, jf, c_hex(k, 10)))
    return "".join(out)


class RecordedPrograms(unittest.TestCase):
    def test_every_recorded_program_gives_the_kernel_bytecode(self):
        count = 0
        for number, case in reference_cases():
            with self.subTest(line=number, argv=case["argv"]):
                result = bpf_asm([], case["asm"].encode())
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stderr, b"")
                self.assertEqual(result.stdout.decode(), case["bytecode"] + "\n")
            count += 1
        self.assertGreaterEqual(count, 200)

    def test_every_recorded_program_gives_the_kernel_c_lines(self):
        for number, case in reference_cases():
            with self.subTest(line=number, argv=case["argv"]):
                result = bpf_asm(["-c"], case["asm"].encode())
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout.decode(), c_lines(case["bytecode"]))

    def test_a_file_argument_reads_the_file(self):
        number, case = next(reference_cases())
        with tempfile.NamedTemporaryFile("w", suffix=".bpf") as source:
            source.write(case["asm"])
            source.flush()
            result = bpf_asm([source.name])
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.decode(), case["bytecode"] + "\n")
            result = bpf_asm(["-c", source.name])
            self.assertEqual(result.stdout.decode(), c_lines(case["bytecode"]))


class KnownOutputs(unittest.TestCase):
    def test_c_style_zero_has_no_prefix(self):
        result = bpf_asm(["-c"], b"ld #0\nret #0\n")
        self.assertEqual(result.stdout, b"{ 0000,  0,  0, 0000000000 },\n"
                                        b"{ 0x06,  0,  0, 0000000000 },\n")

    def test_dash_is_standard_input(self):
        result = bpf_asm(["-"], b"ret #65535\n")
        self.assertEqual(result.stdout, b"1,6 0 0 65535,\n")


class KernelCommandLine(unittest.TestCase):
    """The kernel's bpf_asm: "-c..." anywhere before FILE, FILE ends the command line."""

    def test_arguments_after_the_file_are_ignored_with_a_warning(self):
        with tempfile.NamedTemporaryFile("w", suffix=".bpf") as source:
            source.write("ret #1\n")
            source.flush()
            for argv in ([source.name, "-c"], [source.name, "other.bpf"]):
                with self.subTest(argv=argv):
                    result = bpf_asm(argv)
                    self.assertEqual(result.returncode, 0, result.stderr)
                    self.assertEqual(result.stdout, b"1,6 0 0 1,\n")
                    self.assertRegex(result.stderr.decode(),
                                     r"^bpf_asm: warning: ignoring '.*' after the FILE")

    def test_any_argument_starting_with_dash_c_asks_for_c(self):
        result = bpf_asm(["-cx", "-"], b"ret #1\n")
        self.assertEqual(result.stdout, b"{ 0x06,  0,  0, 0x00000001 },\n")


class Errors(unittest.TestCase):
    def assert_one_error_line(self, result, exit_code, pattern):
        self.assertEqual(result.returncode, exit_code, result.stderr)
        self.assertEqual(result.stdout, b"")
        lines = result.stderr.decode().splitlines()
        self.assertGreaterEqual(len(lines), 1)
        self.assertRegex(lines[0], pattern)
        return lines

    def test_syntax_error_names_file_line_and_column(self):
        with tempfile.NamedTemporaryFile("w", suffix=".bpf") as source:
            source.write("ld [12]\njeq #1 out\nout: ret a\n")
            source.flush()
            result = bpf_asm([source.name])
            lines = self.assert_one_error_line(
                result, 1, "^bpf_asm: " + re.escape(source.name) +
                r":2:8: jeq: expected ',', found 'out'$")
            self.assertEqual(len(lines), 1)

    def test_standard_input_is_named(self):
        result = bpf_asm([], b"ret #1\nja nowhere\n")
        lines = self.assert_one_error_line(result, 1,
                                           r"^bpf_asm: <stdin>:2:4: unknown label 'nowhere'$")
        self.assertEqual(len(lines), 1)

    def test_empty_input(self):
        result = bpf_asm([], b"")
        self.assert_one_error_line(result, 1, r"^bpf_asm: <stdin>:1:1: no instructions")

    def test_missing_file_is_an_error_not_standard_input(self):
        result = bpf_asm(["/nonexistent/prog.bpf"], b"ret a\n")
        lines = self.assert_one_error_line(
            result, 1, r"^bpf_asm: /nonexistent/prog\.bpf: cannot open: No such file")
        self.assertEqual(len(lines), 1)

    def test_directory_is_an_error(self):
        with tempfile.TemporaryDirectory() as directory:
            result = bpf_asm([directory])
            self.assert_one_error_line(result, 1, "^bpf_asm: " + re.escape(directory) +
                                       ": cannot read")

    def test_unknown_option_is_a_usage_error(self):
        result = bpf_asm(["-x"], b"ret a\n")
        self.assert_one_error_line(result, 2, r"^bpf_asm: unknown option '-x'$")

    def test_missing_file_before_another_is_still_an_error(self):
        result = bpf_asm(["/nonexistent/prog.bpf", "other.bpf"], b"ret a\n")
        self.assert_one_error_line(result, 1, r"^bpf_asm: /nonexistent/prog\.bpf: cannot open")

    def test_help_prints_usage(self):
        result = bpf_asm(["--help"])
        self.assertEqual(result.returncode, 0)
        self.assertTrue(result.stdout.startswith(b"usage: bpf_asm [-c] [FILE]"))


if __name__ == "__main__":
    if not BIN or not DATA:
        print("BPFTOOLS_BIN and BPFTOOLS_TEST_DATA must be set", file=sys.stderr)
        sys.exit(1)
    unittest.main()
