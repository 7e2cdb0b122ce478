#!/usr/bin/python3
"""test_iptables_bpf_output.py: where iptables_bpf -w and iptables_bpf_chain write their
scripts: a FIFO or a character device (/dev/null) is written into and stays what it is, a
regular file is replaced at once (a second name for it keeps the old bytes), '-' is
standard output; a write that fails (/dev/full, a full standard output) is one line on
stderr naming the tool and where, and exit status 1."""
import os
import stat
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("BPFTOOLS_BIN", "")
SKIPPED = 77
GENERATOR = ["dns", "--", "x.com"]


def run(tool, *args, cwd=None, stdout=subprocess.PIPE):
    return subprocess.run([os.path.join(BIN, tool), *args], stdout=stdout,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=cwd, timeout=60)


def file_type(path):
    return stat.S_IFMT(os.stat(path).st_mode)


class Output(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="bpftools-output.")
        self.addCleanup(self.directory.cleanup)
        self.dir = self.directory.name

    def character_device(self, system_path, major, minor):
        """The system's device when not root (only root could replace it); as root a node of
        the test's own, so that a tool renaming over it cannot replace /dev/null or
        /dev/full. Skips the test when root cannot make a usable one."""
        if os.geteuid() != 0:
            return system_path
        path = os.path.join(self.dir, os.path.basename(system_path))
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
            os.close(os.open(path, os.O_WRONLY))
        except OSError as error:
            self.skipTest("no character device of the test's own: %s" % error)
        return path

    def expect_one_error_line(self, result, tool, *parts):
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith(tool + ": "), lines)
        for part in parts:
            self.assertIn(part, lines[0])

    def through_fifo(self, name, tool, *args):
        """Runs the tool writing into the FIFO `name`; returns its result and what the FIFO
        carried. The reading end is opened first, without waiting, so that neither side can
        hang: a tool that replaced the FIFO leaves it with no writer, which reads as empty."""
        path = os.path.join(self.dir, name)
        os.mkfifo(path, 0o600)
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            result = run(tool, *args, cwd=self.dir)
            received = b""
            while True:
                try:
                    chunk = os.read(reader, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                received += chunk
        finally:
            os.close(reader)
        self.assertEqual(file_type(path), stat.S_IFIFO)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        return result, received

    def test_fifo_is_written_in_place(self):
        result, received = self.through_fifo("fifo", "iptables_bpf", "-w", "fifo", *GENERATOR)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(received.startswith(b"#!/bin/bash\n"), received[:40])
        self.assertIn(b"--bytecode", received)
        self.assertEqual(result.stdout, b"Generated file 'fifo'\n")

    def test_chain_writes_into_a_fifo_in_place(self):
        result, received = self.through_fifo("c_ip4.sh", "iptables_bpf_chain", "-w", "c", "-d",
                                             "x.com")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(received.startswith(b"#!/bin/bash\n"), received[:40])
        self.assertIn(b"--bytecode", received)

    def test_dev_null_stays_a_character_device(self):
        null = self.character_device("/dev/null", 1, 3)
        mode = os.stat(null).st_mode
        result = run("iptables_bpf", "-w", null, *GENERATOR, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        self.assertEqual(os.stat(null).st_mode, mode)

    def test_a_full_device_is_one_error_line(self):
        full = self.character_device("/dev/full", 1, 7)
        result = run("iptables_bpf", "-w", full, *GENERATOR, cwd=self.dir)
        self.expect_one_error_line(result, "iptables_bpf", full, "No space left on device")
        self.assertEqual(result.stdout, b"")
        self.assertEqual(file_type(full), stat.S_IFCHR)

    def test_a_full_standard_output_is_one_error_line(self):
        # Written to only, never renamed over: the system's /dev/full is safe here.
        with open("/dev/full", "wb") as full:
            result = run("iptables_bpf", "-w", "-", *GENERATOR, cwd=self.dir, stdout=full)
        self.expect_one_error_line(result, "iptables_bpf", "stdout", "No space left on device")
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_regular_file_is_replaced_at_once(self):
        path = os.path.join(self.dir, "rule.sh")
        with open(path, "w") as f:
            f.write("old\n")
        os.chmod(path, 0o600)
        os.link(path, os.path.join(self.dir, "other-name"))
        result = run("iptables_bpf", "-w", "rule.sh", *GENERATOR, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"Generated file 'rule.sh'\n")
        with open(path, "rb") as f:
            self.assertTrue(f.read().startswith(b"#!/bin/bash\n"))
        with open(os.path.join(self.dir, "other-name")) as f:
            self.assertEqual(f.read(), "old\n")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o750)
        self.assertEqual(sorted(os.listdir(self.dir)), ["other-name", "rule.sh"])

    def test_a_new_path_is_created(self):
        result = run("iptables_bpf", "-w", "new.sh", *GENERATOR, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(os.listdir(self.dir), ["new.sh"])
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.dir, "new.sh")).st_mode), 0o750)

    def test_dash_is_standard_output(self):
        result = run("iptables_bpf", "-w", "-", *GENERATOR, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith(b"#!/bin/bash\n"))
        self.assertEqual(os.listdir(self.dir), [])


if __name__ == "__main__":
    if not BIN or not os.path.exists(os.path.join(BIN, "iptables_bpf")):
        print("skipped: the tools are not built in BPFTOOLS_BIN")
        sys.exit(SKIPPED)
    unittest.main()
