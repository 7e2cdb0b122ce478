#!/usr/bin/python3
"""test_generator_command_line.py: one command line for bpfgen, iptables_bpf and
iptables_bpf_chain. A wrapper option means the same before or after the generator's name
(and after its arguments, up to '--'); after '--' every argument is the generator's; an
option a tool does not know is a usage error naming it, never a pattern; -6, -n, -i and -h
mean the same in every tool that takes them."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("BPFTOOLS_BIN", "")
SKIPPED = 77
UNKNOWN_HINT = "(a generator's own options go after '--': {tool} ... GENERATOR -- OPTIONS)"


def run(tool, *args, cwd=None):
    """Runs a built tool, by default in a directory of its own: a tool that took a command
    line the wrong way might write a script where it runs."""
    if cwd is None:
        with tempfile.TemporaryDirectory(prefix="bpftools-cli.") as directory:
            return run(tool, *args, cwd=directory)
    return subprocess.run([os.path.join(BIN, tool), *args], capture_output=True, timeout=60,
                          cwd=cwd, stdin=subprocess.DEVNULL)


def body(script):
    """A script without its comment lines (they quote the command line as typed)."""
    return [line for line in script.splitlines() if not line.startswith("#")]


def bytecodes(script):
    """The rules' xt_bpf programs, however the script quotes them."""
    return re.findall(r"--bytecode ['\"]([0-9, ]*)['\"]", script)


def addresses(script):
    return re.search(r"^ADDRESSES=\((.*)\)$", script, re.M).group(1)


class Tools(unittest.TestCase):
    def ok(self, tool, *args, cwd=None):
        result = run(tool, *args, cwd=cwd)
        self.assertEqual(result.returncode, 0, (tool, args, result.stderr))
        return result.stdout.decode()

    def script(self, *args):
        """The script iptables_bpf writes for args (which must hold '-w -')."""
        return self.ok("iptables_bpf", *args)

    def bpfgen(self, *args):
        return self.ok("bpfgen", *args).strip()

    def usage_error(self, tool, args, message, cwd=None):
        result = run(tool, *args, cwd=cwd)
        self.assertEqual(result.returncode, 2, (tool, args, result.stderr))
        self.assertEqual(result.stdout, b"", (tool, args))
        self.assertEqual(result.stderr.decode().splitlines(), ["%s: %s" % (tool, message)],
                         (tool, args))


class IptablesBpfOptionPositions(Tools):
    # The canonical form: every wrapper option before the generator's name.
    # (Addresses are kept in the order given: moving one of two would reorder them.)
    OPTIONS = [["-6"], ["-n"], ["-c", "a comment"], ["-i", "2001:db8::1"], ["-w", "-"]]
    LONG = [["--inet6"], ["--negate"], ["--comment=a comment"], ["--ip=2001:db8::1"],
            ["--write", "-"]]

    def canonical(self):
        return self.script(*sum(self.OPTIONS, []), "dns", "--", "x.com")

    def test_the_canonical_form_is_what_its_options_say(self):
        script = self.canonical()
        self.assertIn("SET_FAMILY=inet6", script)
        self.assertEqual(addresses(script), "'2001:db8::1'")
        self.assertRegex(script, r"--comment ['\"]a comment['\"]")
        self.assertEqual(bytecodes(script), [self.bpfgen("-6", "-n", "dns", "--", "x.com")])

    def test_each_option_after_the_generator_name_means_the_same(self):
        expected = body(self.canonical())
        for index, option in enumerate(self.OPTIONS):
            others = sum(self.OPTIONS[:index] + self.OPTIONS[index + 1:], [])
            for argv in (others + ["dns"] + option + ["--", "x.com"],
                         others + ["dns", "x.com"] + option,
                         others + ["dns"] + option + ["x.com"]):
                with self.subTest(argv=argv):
                    self.assertEqual(body(self.script(*argv)), expected)

    def test_every_option_after_the_generator_name_means_the_same(self):
        expected = body(self.canonical())
        for argv in (["dns"] + sum(self.OPTIONS, []) + ["--", "x.com"],
                     ["dns", "x.com"] + sum(self.OPTIONS, []),
                     ["dns"] + sum(self.LONG, []) + ["--", "x.com"],
                     sum(self.LONG[:3], []) + ["dns"] + sum(self.LONG[3:], []) + ["x.com"],
                     ["-6n", "dns", "-c", "a comment", "-w-", "--ip=2001:db8::1", "x.com"]):
            with self.subTest(argv=argv):
                self.assertEqual(body(self.script(*argv)), expected)

    def test_dash_6_after_the_generator_is_ipv6_not_a_pattern(self):
        # It used to be an IPv4 rule matching the DNS name "-6".
        script = self.script("-w", "-", "-c", "c", "dns", "-6", "x.com")
        self.assertEqual(body(script), body(self.script("-w", "-", "-c", "c", "-6", "dns", "--",
                                                        "x.com")))
        self.assertIn("SET_FAMILY=inet6", script)
        self.assertEqual(bytecodes(script), [self.bpfgen("-6", "dns", "--", "x.com")])

    def test_dash_i_after_the_generator_is_an_address_not_ignorecase(self):
        # It used to be a case-insensitive rule for the name "192.0.2.1" and no address.
        script = self.script("-w", "-", "-c", "c", "dns", "-i", "192.0.2.1", "x.com")
        self.assertEqual(body(script), body(self.script("-w", "-", "-c", "c", "-i", "192.0.2.1",
                                                        "dns", "--", "x.com")))
        self.assertEqual(addresses(script), "'192.0.2.1'")
        self.assertEqual(bytecodes(script), [self.bpfgen("dns", "--", "x.com")])
        self.assertNotEqual(bytecodes(script), [self.bpfgen("dns", "--", "-i", "x.com")])

    def test_after_double_dash_options_are_the_generators(self):
        script = self.script("-w", "-", "dns", "--", "-i", "x.com")
        self.assertEqual(addresses(script), "")
        self.assertIn("SET_FAMILY=inet\n", script)
        self.assertEqual(bytecodes(script), [self.bpfgen("dns", "--", "-i", "x.com")])
        # The generator refuses what it does not know, wrapper options included (its
        # arguments are read as argparse did: "-6" would be a pattern, a negative number).
        self.usage_error("iptables_bpf", ["-w", "-", "dns", "--", "-n", "x.com"],
                         "dns: unknown option '-n'")
        # A second '--' is the generator's: a pattern may then start with a dash.
        self.assertEqual(bytecodes(self.script("-w", "-", "dns", "--", "--", "-6.x.com")),
                         [self.bpfgen("dns", "--", "--", "-6.x.com")])

    def test_write_before_or_after_the_generator_writes_the_same_file(self):
        with tempfile.TemporaryDirectory(prefix="bpftools-cli.") as directory:
            scripts = []
            for argv in (["-c", "c", "-w", "out.sh", "dns", "--", "x.com"],
                         ["-c", "c", "dns", "-w", "out.sh", "--", "x.com"],
                         ["-c", "c", "dns", "x.com", "--write=out.sh"]):
                with self.subTest(argv=argv):
                    out = self.ok("iptables_bpf", *argv, cwd=directory)
                    self.assertEqual(out, "Generated file 'out.sh'\n")
                    self.assertEqual(sorted(os.listdir(directory)), ["out.sh"])
                    with open(os.path.join(directory, "out.sh")) as f:
                        scripts.append(body(f.read()))
            self.assertEqual(scripts[1:], scripts[:1] * 2)

    def test_a_repeated_option_the_last_counts_addresses_add_up(self):
        self.assertEqual(body(self.script("-c", "a", "-w", "x.sh", "dns", "-c", "b", "-w", "-",
                                          "x.com")),
                         body(self.script("-c", "b", "-w", "-", "dns", "--", "x.com")))
        script = self.script("-w", "-", "-i", "192.0.2.1", "dns", "-i", "192.0.2.2", "x.com",
                             "--ip=192.0.2.3")
        self.assertEqual(addresses(script), "'192.0.2.1' '192.0.2.2' '192.0.2.3'")


class SameMeaningInEveryTool(Tools):
    def test_6_and_n_anywhere_give_bpfgens_program(self):
        for argv in (["-6", "dns", "--", "x.com"], ["dns", "-6", "--", "x.com"],
                     ["dns", "x.com", "-6"], ["-n", "dns", "x.com"], ["dns", "-n6", "x.com"],
                     ["--inet6", "dns", "--negate", "x.com"], ["dns", "--", "x.com"],
                     ["dns_validate", "-6", "--", "--strict"]):
            with self.subTest(argv=argv):
                self.assertEqual(bytecodes(self.script("-w", "-", *argv)),
                                 [self.bpfgen(*argv)])

    def test_help_anywhere_before_double_dash(self):
        for tool in ("bpfgen", "iptables_bpf"):
            for argv in (["-h"], ["--help"], ["dns", "-h"], ["dns", "x.com", "--help"],
                         ["-6", "dns", "--he"]):
                with self.subTest(tool=tool, argv=argv):
                    self.assertTrue(self.ok(tool, *argv).startswith("usage: " + tool + " "))
        for argv in (["-h"], ["--help"], ["-w", "c", "-h"], ["-d", "a.com", "--help"]):
            with self.subTest(tool="iptables_bpf_chain", argv=argv):
                self.assertTrue(self.ok("iptables_bpf_chain", *argv).startswith(
                    "usage: iptables_bpf_chain "))

    def test_unknown_options_are_usage_errors_naming_them(self):
        for tool in ("bpfgen", "iptables_bpf"):
            hint = UNKNOWN_HINT.format(tool=tool)
            for argv, name in ((["-x", "dns", "--", "a.com"], "-x"),
                               (["dns", "-x", "a.com"], "-x"),
                               (["dns", "a.com", "--bogus"], "--bogus"),
                               (["--bogus", "dns"], "--bogus"),
                               (["dns_validate", "--strict"], "--strict"),
                               (["-6", "dns", "--ignorecase", "a.com"], "--ignorecase")):
                with tempfile.TemporaryDirectory(prefix="bpftools-cli.") as directory:
                    with self.subTest(tool=tool, argv=argv):
                        self.usage_error(tool, argv, "unknown option '%s' %s" % (name, hint),
                                         cwd=directory)
                        self.assertEqual(os.listdir(directory), [])

    def test_chain_refuses_unknown_options_and_stray_arguments_naming_them(self):
        hint = "(see iptables_bpf_chain --help)"
        for argv, message in ((["-w", "c", "-d", "a.com", "-x"], "unknown option '-x' " + hint),
                              (["-n", "-w", "c", "-d", "a.com"], "unknown option '-n' " + hint),
                              (["-w", "c", "--bogus", "-d", "a.com"],
                               "unknown option '--bogus' " + hint),
                              (["-w", "c", "-d", "a.com", "stray"],
                               "unexpected argument 'stray' " + hint),
                              (["-w", "c", "--", "-d", "a.com"],
                               "unexpected argument '-d' " + hint)):
            with tempfile.TemporaryDirectory(prefix="bpftools-cli.") as directory:
                with self.subTest(argv=argv):
                    self.usage_error("iptables_bpf_chain", argv, message, cwd=directory)
                    self.assertEqual(os.listdir(directory), [])

    def test_chain_options_mean_the_same_anywhere(self):
        scripts = []
        for argv in (["-6", "-i", "2001:db8::1", "-w", "c", "-a", "a.com", "-d", "*.com"],
                     ["-w", "c", "-a", "a.com", "-d", "*.com", "-i", "2001:db8::1", "-6"],
                     ["--write=c", "--ip=2001:db8::1", "--accept", "a.com", "--inet6",
                      "--drop=*.com"],
                     ["-w", "x", "-6i", "2001:db8::1", "-a", "a.com", "-d", "*.com", "-wc"]):
            with tempfile.TemporaryDirectory(prefix="bpftools-cli.") as directory:
                with self.subTest(argv=argv):
                    self.assertEqual(self.ok("iptables_bpf_chain", *argv, cwd=directory),
                                     "Generated file 'c_ip6.sh'\n")
                    self.assertEqual(os.listdir(directory), ["c_ip6.sh"])
                    with open(os.path.join(directory, "c_ip6.sh")) as f:
                        scripts.append(body(f.read()))
        self.assertEqual(scripts[1:], scripts[:1] * 3)
        # -i is a destination in the set, as for iptables_bpf.
        self.assertIn("ADDRESSES=('2001:db8::1')", scripts[0])
        self.assertIn("SET_FAMILY=inet6", scripts[0])

    def test_a_missing_value_is_a_usage_error_naming_the_option(self):
        for tool, argv, name in (("bpfgen", ["dns", "a.com", "-o"], "--offset"),
                                 ("iptables_bpf", ["dns", "a.com", "-i"], "--ip"),
                                 ("iptables_bpf", ["dns", "a.com", "--comment"], "--comment"),
                                 ("iptables_bpf_chain", ["-d", "a.com", "-w"], "--write")):
            with self.subTest(tool=tool, argv=argv):
                result = run(tool, *argv)
                self.assertEqual(result.returncode, 2, result.stderr)
                lines = result.stderr.decode().splitlines()
                self.assertEqual(len(lines), 1, lines)
                self.assertTrue(lines[0].startswith(tool + ": "), lines)
                self.assertIn(name, lines[0])


if __name__ == "__main__":
    if not BIN or not os.path.exists(os.path.join(BIN, "iptables_bpf")):
        print("skipped: the tools are not built in BPFTOOLS_BIN")
        sys.exit(SKIPPED)
    unittest.main()
