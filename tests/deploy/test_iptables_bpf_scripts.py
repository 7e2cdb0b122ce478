"""The deployment scripts of iptables_bpf and iptables_bpf_chain, run against recorders.

IPTABLES and IPSET point at a recorder that logs each call's arguments (NUL-separated), so
the test sees exactly which commands a script runs, with which arguments, including for
hostile patterns, comments, addresses and file names: nothing they contain may run.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("BPFTOOLS_BIN", "")

RECORDER = r"""#!/bin/bash
# Logs "NAME\0ARG\0...\0\n"; answers -C (does the rule exist?) from $RECORDER_EXISTS.
{ printf '%s\0' "${0##*/}" "$@"; printf '\n'; } >> "$RECORDER_LOG"
for a in "$@"; do
    if [[ -n ${RECORDER_FAIL:-} && $a == "$RECORDER_FAIL" ]]; then
        echo "recorder: refusing $a" >&2
        exit 1
    fi
    if [[ $a == -C ]]; then
        [[ ${RECORDER_EXISTS:-0} == 1 ]] && exit 0 || exit 1
    fi
done
exit 0
"""

HOSTILE = [
    "$(touch PWNED)",
    "`touch PWNED`",
    "a;touch PWNED",
    "a'b\"c",
    "x\ntouch PWNED",
    "$HOME{a,b}*?",
    "a|b&c>d<e",
]


class Workspace:
    """A temporary directory with the recorders, removed when the test ends."""

    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix="bpftools-deploy-")
        test.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        for name in ("iptables", "ipset"):
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(RECORDER)
            os.chmod(path, 0o755)
        self.log = os.path.join(self.dir, "log")

    def tool(self, name, *args, expect=0):
        p = subprocess.run([os.path.join(BIN, name), *args], cwd=self.dir,
                           capture_output=True, timeout=60)
        if p.returncode != expect:
            raise AssertionError("%s %r: rc %d, stderr %r" % (name, args, p.returncode, p.stderr))
        return p

    def run_script(self, script, *args, exists=False, **extra_env):
        if os.path.exists(self.log):
            os.unlink(self.log)
        env = dict(os.environ, IPTABLES=os.path.join(self.dir, "iptables"),
                   IPSET=os.path.join(self.dir, "ipset"), DEFAULTINT="eth9",
                   RECORDER_LOG=self.log, RECORDER_EXISTS="1" if exists else "0")
        env.update(extra_env)
        p = subprocess.run(["bash", script, *args], cwd=self.dir, env=env,
                           capture_output=True, timeout=60)
        calls = []
        if os.path.exists(self.log):
            with open(self.log, "rb") as f:
                for line in f.read().split(b"\0\n"):
                    if line:
                        calls.append([w.decode() for w in line.split(b"\0")])
        return p, calls

    def files(self):
        return sorted(f for f in os.listdir(self.dir) if f != "log")


def rule_calls(calls, verb):
    return [c for c in calls if c[0] == "iptables" and verb in c]


class IptablesBpfScript(unittest.TestCase):
    def test_script_adds_set_addresses_and_rule(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "-i", "192.0.2.1", "dns", "--", "*.example.com")
        script = os.path.join(w.dir, "bpf_dns_ip4_any_example_com.sh")
        self.assertTrue(os.stat(script).st_mode & stat.S_IXUSR)
        subprocess.run(["bash", "-n", script], check=True)
        p, calls = w.run_script(script, "198.51.100.0/24")
        self.assertEqual(p.returncode, 0, p.stderr)
        bytecode = subprocess.run([os.path.join(BIN, "bpfgen"), "dns", "--", "*.example.com"],
                                  capture_output=True, check=True, text=True).stdout.strip()
        expected_rule = ["-i", "eth9", "-p", "udp", "--dport", "53", "-m", "set",
                         "--match-set", "bpf_dns_ip4_any_example_com", "dst", "-m", "bpf",
                         "--bytecode", bytecode, "-m", "comment", "--comment",
                         "iptables_bpf -i 192.0.2.1 dns -- '*.example.com'", "-j", "DROP"]
        self.assertEqual(calls, [
            ["ipset", "-exist", "create", "bpf_dns_ip4_any_example_com", "hash:net",
             "family", "inet"],
            ["ipset", "-exist", "add", "bpf_dns_ip4_any_example_com", "192.0.2.1"],
            ["ipset", "-exist", "add", "bpf_dns_ip4_any_example_com", "198.51.100.0/24"],
            ["iptables", "--wait", "-C", "INPUT"] + expected_rule,
            ["iptables", "--wait", "-I", "INPUT", "1"] + expected_rule,
        ])

    def test_second_run_inserts_nothing(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"), exists=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(rule_calls(calls, "-I"), [])

    def test_delete_removes_rule_and_set(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "-6", "dns_validate", "--", "--strict")
        script = os.path.join(w.dir, "bpf_dns_validate_ip6_strict.sh")
        p, calls = w.run_script(script, "--delete")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(calls[-1], ["ipset", "-exist", "destroy", "bpf_dns_validate_ip6_strict"])
        self.assertEqual(rule_calls(calls, "-D"), [])  # the rule was not there

    def test_hostile_inputs_run_nothing(self):
        for hostile in HOSTILE:
            with self.subTest(hostile=hostile):
                w = Workspace(self)
                w.tool("iptables_bpf", "-c", hostile.replace("\n", " "), "-w", "rule.sh",
                       "dns", "--", hostile + ".example.com")
                script = os.path.join(w.dir, "rule.sh")
                subprocess.run(["bash", "-n", script], check=True)
                p, calls = w.run_script(script)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertNotIn("PWNED", w.files())
                self.assertEqual([c[0] for c in calls], ["ipset", "iptables", "iptables"])
                inserted = rule_calls(calls, "-I")[0]
                self.assertEqual(inserted[inserted.index("--comment") + 1],
                                 hostile.replace("\n", " "))

    def test_hostile_file_name_is_only_a_name(self):
        w = Workspace(self)
        name = "a b;$(touch PWNED)'.sh"
        w.tool("iptables_bpf", "-w", name, "dns", "--", "example.com")
        script = os.path.join(w.dir, name)
        subprocess.run(["bash", "-n", script], check=True)
        p, calls = w.run_script(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("PWNED", w.files())

    def test_hostile_addresses_are_refused(self):
        w = Workspace(self)
        for address in ["1.2.3.4;touch PWNED", "$(id)", "1.2.3.4/33", "::1", "300.1.1.1"]:
            p = w.tool("iptables_bpf", "-i", address, "dns", "--", "example.com", expect=2)
            self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1)
            self.assertTrue(p.stderr.startswith(b"iptables_bpf: "))
        self.assertEqual(w.files(), ["ipset", "iptables"])

    def test_script_arguments_are_addresses_not_options(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"), "--bogus")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(calls, [])

    def test_long_dns_rule_is_split_into_rules_that_fit(self):
        w = Workspace(self)
        patterns = ["*.attack%d.example.com" % i for i in range(6)]
        w.tool("iptables_bpf", "-w", "split.sh", "dns", "--", "-i", *patterns)
        p, calls = w.run_script(os.path.join(w.dir, "split.sh"))
        self.assertEqual(p.returncode, 0, p.stderr)
        inserted = rule_calls(calls, "-I")
        self.assertGreater(len(inserted), 1)
        for call in inserted:
            count = int(call[call.index("--bytecode") + 1].split(",")[0])
            self.assertLessEqual(count, 64)

    def test_negated_rule_that_needs_a_split_is_refused(self):
        # Each split rule negated would drop what the other rules' patterns let through.
        w = Workspace(self)
        patterns = ["*.attack%d.example.com" % i for i in range(6)]
        p = w.tool("iptables_bpf", "-n", "-w", "neg.sh", "dns", "--", *patterns, expect=1)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertIn(b"negated", p.stderr)
        self.assertIn(b"at most 64", p.stderr)
        self.assertEqual(w.files(), ["ipset", "iptables"])

    def test_errors_are_one_line_whatever_the_input_holds(self):
        w = Workspace(self)
        for tool, args in [("iptables_bpf", ["dn\ns"]), ("iptables_bpf", ["--bogus\nx"]),
                           ("iptables_bpf_chain", ["-w", "x", "--foo\n"])]:
            with self.subTest(tool=tool, args=args):
                p = w.tool(tool, *args, expect=2)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertTrue(p.stderr.startswith(tool.encode() + b": "))

    def test_program_too_long_for_xt_bpf_is_refused(self):
        w = Workspace(self)
        p = w.tool("iptables_bpf", "suffix", "--", "00" * 200, expect=1)
        self.assertIn(b"at most 64", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertEqual(w.files(), ["ipset", "iptables"])

    def test_no_backend_gives_a_reason(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        env = {"PATH": "/nonexistent", "DEFAULTINT": "lo"}
        p = subprocess.run(["/bin/bash", os.path.join(w.dir, "bpf_dns_ip4_example_com.sh")],
                           env=env, capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"nf_tables", p.stderr)

    def test_missing_ipset_is_named(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"),
                                IPSET=os.path.join(w.dir, "no-ipset"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"IPSET", p.stderr)
        self.assertIn(b"no-ipset", p.stderr)
        self.assertEqual(calls, [])

    def test_refused_rule_names_the_kernel_matches(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"),
                                RECORDER_FAIL="-I")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"xt_bpf", p.stderr.splitlines()[-1])

    def test_hostile_script_arguments_reach_ipset_as_one_word(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        hostile = "1.2.3.4$(touch PWNED);`touch PWNED` x"
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"), hostile)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(["ipset", "-exist", "add", "bpf_dns_ip4_example_com", hostile], calls)
        self.assertNotIn("PWNED", w.files())

    def test_hostile_generator_arguments_stay_exact_in_the_comment(self):
        w = Workspace(self)
        hostile = "x'$(touch PWNED)\nb"
        w.tool("iptables_bpf", "-w", "t.sh", "dns", "--", hostile)
        p, calls = w.run_script(os.path.join(w.dir, "t.sh"))
        self.assertEqual(p.returncode, 0, p.stderr)
        inserted = rule_calls(calls, "-I")[0]
        comment = inserted[inserted.index("--comment") + 1]
        self.assertIn("$(touch PWNED)", comment)
        self.assertNotIn("PWNED", w.files())


class IptablesBpfChainScript(unittest.TestCase):
    def test_chain_has_accepts_then_drops_then_return(self):
        w = Workspace(self)
        w.tool("iptables_bpf_chain", "-w", "example_com", "-a", "www.example.com", "-d",
               "*.example.com", "-d", "any")
        script = os.path.join(w.dir, "example_com_ip4.sh")
        subprocess.run(["bash", "-n", script], check=True)
        p, calls = w.run_script(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        appended = [c for c in calls if "-A" in c]
        self.assertEqual([c[-1] for c in appended], ["ACCEPT", "DROP", "DROP", "RETURN"])
        self.assertIn("--bytecode", appended[0])
        self.assertNotIn("--bytecode", appended[2])
        self.assertEqual(calls[-1][:5], ["iptables", "--wait", "-I", "INPUT", "1"])
        self.assertEqual(calls[-1][-2:], ["-j", "EXAMPLE_COM"])

    def test_delete_removes_chain_and_set(self):
        w = Workspace(self)
        w.tool("iptables_bpf_chain", "-6", "-w", "c1", "-d", "any")
        p, calls = w.run_script(os.path.join(w.dir, "c1_ip6.sh"), "--delete")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(["iptables", "--wait", "-X", "C1"], calls)
        self.assertEqual(calls[-1], ["ipset", "-exist", "destroy", "c1_ip6"])

    def test_hostile_patterns_and_names(self):
        w = Workspace(self)
        for hostile in HOSTILE:
            w.tool("iptables_bpf_chain", "-w", "h", "-a", hostile)
            p, calls = w.run_script(os.path.join(w.dir, "h_ip4.sh"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("PWNED", w.files())
        w.tool("iptables_bpf_chain", "-w", "x;touch PWNED", "-d", "any", expect=2)
        w.tool("iptables_bpf_chain", "-w", "h", "-i", "$(touch PWNED)", "-d", "any", expect=2)
        self.assertNotIn("PWNED", w.files())

    def test_built_in_chains_and_option_like_names_are_refused(self):
        # `-N INPUT || -F INPUT` would flush the built-in chain.
        w = Workspace(self)
        for name in ["input", "OUTPUT", "Forward", "prerouting", "accept", "return", "-foo"]:
            with self.subTest(name=name):
                p = w.tool("iptables_bpf_chain", "-w", name, "-d", "*.example.com", expect=2)
                self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertEqual(w.files(), ["ipset", "iptables"])
        w.tool("iptables_bpf_chain", "-w", "input2", "-d", "*.example.com")
        self.assertIn("input2_ip4.sh", w.files())

    def test_refused_chain_rule_names_the_kernel_matches(self):
        w = Workspace(self)
        w.tool("iptables_bpf_chain", "-w", "c2", "-d", "*.example.com")
        p, calls = w.run_script(os.path.join(w.dir, "c2_ip4.sh"), RECORDER_FAIL="-A")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"xt_bpf", p.stderr.splitlines()[-1])


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BIN, "iptables_bpf")):
        print("skipped: iptables_bpf is not built in BPFTOOLS_BIN")
        sys.exit(77)
    unittest.main()
