"""The deployment scripts of iptables_bpf and iptables_bpf_chain, run against recorders.

IPTABLES, its iptables-restore and IPSET point at a recorder that logs each call's
arguments (NUL-separated) and what iptables-restore reads, so the test sees exactly which
commands a script runs, including for hostile patterns, comments, addresses and file names:
nothing they contain may run. What the scripts do in the kernel is tests/deploy's
test_xt_bpf_kernel.py and test_deploy_transactions.py.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("BPFTOOLS_BIN", "")

RECORDER = r"""#!/bin/bash
# Logs "NAME\0ARG\0...\0\n" (for a *-restore command, then its standard input as one more
# argument). Nothing exists yet: listings are empty, -C and `ipset list` fail; a command
# with an argument equal to $RECORDER_FAIL fails.
input=
if [[ ${0##*/} == *-restore ]]; then
    input=$(cat)
fi
{ printf '%s\0' "${0##*/}" "$@"; [[ -z $input ]] || printf '%s\0' "$input"; printf '\n'; } >> "$RECORDER_LOG"
for a in "$@" "$input"; do
    if [[ -n ${RECORDER_FAIL:-} && $a == *"$RECORDER_FAIL"* ]]; then
        echo "recorder: refusing $RECORDER_FAIL" >&2
        exit 1
    fi
done
case " $* " in
    *" --version "*) echo "recorder v0 (nf_tables)" ;;
    *" -S INPUT "*) echo "-P INPUT ACCEPT" ;;
    *" -S "* | *" -C "* | *" list "*) exit 1 ;;
esac
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
        for name in ("iptables", "iptables-restore", "ipset"):
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

    def run_script(self, script, *args, **extra_env):
        if os.path.exists(self.log):
            os.unlink(self.log)
        env = dict(os.environ, IPTABLES=os.path.join(self.dir, "iptables"),
                   IP6TABLES=os.path.join(self.dir, "iptables"),
                   IPSET=os.path.join(self.dir, "ipset"), DEFAULTINT="eth9",
                   BPFTOOLS_LOCK_DIR=os.path.join(self.dir, "locks"), RECORDER_LOG=self.log)
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
        return sorted(f for f in os.listdir(self.dir) if f not in ("log", "locks"))


def restore_inputs(calls, probes=False):
    """What each iptables-restore call read, as lists of lines (the probes of whether the
    backend takes -m bpf rules left out unless asked for)."""
    inputs = [c[-1].splitlines() for c in calls if c[0] == "iptables-restore"]
    return [i for i in inputs if probes == any("bpftools_probe_" in line for line in i)]


def chain_rules(calls):
    """The -A lines of the chain that the (only) install transaction adds."""
    inputs = restore_inputs(calls)
    assert len(inputs) == 1, calls
    return [line for line in inputs[0] if line.startswith("-A ")]


class IptablesBpfScript(unittest.TestCase):
    def test_script_installs_in_one_transaction(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "-i", "192.0.2.1", "dns", "--", "*.example.com")
        script = os.path.join(w.dir, "bpf_dns_ip4_any_example_com.sh")
        self.assertTrue(os.stat(script).st_mode & stat.S_IXUSR)
        subprocess.run(["bash", "-n", script], check=True)
        p, calls = w.run_script(script, "198.51.100.0/24")
        self.assertEqual(p.returncode, 0, p.stderr)
        bytecode = subprocess.run([os.path.join(BIN, "bpfgen"), "dns", "--", "*.example.com"],
                                  capture_output=True, check=True, text=True).stdout.strip()
        with open(script) as text:
            names = re.search(r"^CHAIN='(.*)'$", text.read(), re.MULTILINE).group(1)
        self.assertTrue(names.startswith("bpf_dns4_any_examp_"), names)
        self.assertEqual(restore_inputs(calls), [[
            "*filter",
            ":%s - [0:0]" % names,
            '-A %s -m bpf --bytecode "%s" -m comment --comment '
            '"iptables_bpf -i 192.0.2.1 dns -- \'*.example.com\'" -j DROP' % (names, bytecode),
            "-I INPUT 1 -i eth9 -p udp --dport 53 -m set --match-set %s dst -j %s" % (names,
                                                                                     names),
            "COMMIT"]])
        ipset = [c[1:] for c in calls if c[0] == "ipset" and c[1] in ("create", "-exist", "rename")]
        staging = names + "_new"
        self.assertEqual(ipset, [
            ["-exist", "destroy", staging],
            ["create", staging, "hash:net", "family", "inet"],
            ["-exist", "add", staging, "192.0.2.1"],
            ["-exist", "add", staging, "198.51.100.0/24"],
            ["rename", staging, names]])
        self.assertIn(b"installed with", p.stdout)
        # The probe of the backend adds and removes a chain of its own in one transaction.
        probe = restore_inputs(calls, probes=True)
        self.assertEqual(len(probe), 1)
        chain = probe[0][1].split()[0][1:]
        self.assertEqual(probe[0][0], "*filter")
        self.assertEqual(probe[0][-3:], ["-F " + chain, "-X " + chain, "COMMIT"])

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
                rule = chain_rules(calls)[0]
                # As iptables-restore reads it: double quotes, \ and " escaped.
                quoted = hostile.replace("\n", " ").replace("\\", "\\\\").replace('"', '\\"')
                self.assertIn('--comment "%s" -j DROP' % quoted, rule)

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
        self.assertEqual(w.files(), ["ipset", "iptables", "iptables-restore"])

    def test_script_arguments_are_addresses_not_options(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"), "--bogus")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertIn(b"--bogus", p.stderr)
        self.assertEqual(calls, [])

    def test_bad_environment_is_refused_before_anything_changes(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        script = os.path.join(w.dir, "bpf_dns_ip4_example_com.sh")
        for variable, value in [("DEFAULTINT", "eth0 -j ACCEPT"), ("INPUTPLACE", "1 -j x"),
                                ("INPUTPLACE", "0")]:
            with self.subTest(variable=variable, value=value):
                p, calls = w.run_script(script, **{variable: value})
                self.assertEqual(p.returncode, 1)
                self.assertIn(variable.encode(), p.stderr)
                self.assertEqual([c for c in calls if "--version" not in c], [])

    def test_long_dns_rule_is_split_into_rules_that_fit(self):
        w = Workspace(self)
        patterns = ["*.attack%d.example.com" % i for i in range(6)]
        w.tool("iptables_bpf", "-w", "split.sh", "dns", "--", "-i", *patterns)
        p, calls = w.run_script(os.path.join(w.dir, "split.sh"))
        self.assertEqual(p.returncode, 0, p.stderr)
        rules = chain_rules(calls)
        self.assertGreater(len(rules), 1)
        for rule in rules:
            bytecode = re.search(r'--bytecode "([^"]*)"', rule).group(1)
            self.assertLessEqual(int(bytecode.split(",")[0]), 64)
        with open(os.path.join(w.dir, "split.sh")) as f:
            self.assertIn("RULE_COUNT=%d\n" % len(rules), f.read())

    def test_negated_rule_that_needs_a_split_is_refused(self):
        # Each split rule negated would drop what the other rules' patterns let through.
        w = Workspace(self)
        patterns = ["*.attack%d.example.com" % i for i in range(6)]
        p = w.tool("iptables_bpf", "-n", "-w", "neg.sh", "dns", "--", *patterns, expect=1)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertIn(b"negated", p.stderr)
        self.assertIn(b"at most 64", p.stderr)
        self.assertEqual(w.files(), ["ipset", "iptables", "iptables-restore"])

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
        self.assertEqual(w.files(), ["ipset", "iptables", "iptables-restore"])

    def test_p0f_signature_of_either_ip_version_makes_an_ipv4_and_an_ipv6_script(self):
        w = Workspace(self)
        for name in ("ip6tables", "ip6tables-restore"):
            shutil.copy(os.path.join(w.dir, "iptables"), os.path.join(w.dir, name))
        signature = "*:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0"
        p = w.tool("iptables_bpf", "p0f", "--", signature)
        scripts = sorted(f for f in w.files() if f.endswith(".sh"))
        self.assertEqual(len(scripts), 2, scripts)
        self.assertEqual(p.stdout.decode().splitlines(),
                         ["Generated file '%s'" % script for script in scripts])
        for version, script in ((4, scripts[0]), (6, scripts[1])):
            self.assertTrue(script.startswith("bpf_p0f_ip%d" % version), script)
            result, calls = w.run_script(os.path.join(w.dir, script),
                                         IP6TABLES=os.path.join(w.dir, "ip6tables"))
            self.assertEqual(result.returncode, 0, result.stderr)
            bytecode = subprocess.run(
                [os.path.join(BIN, "bpfgen"), *(["-6"] if version == 6 else []), "p0f", "--",
                 signature], capture_output=True, check=True, text=True).stdout.strip()
            restore = "iptables-restore" if version == 4 else "ip6tables-restore"
            inputs = [c[-1] for c in calls if c[0] == restore and "bpftools_probe_" not in c[-1]]
            self.assertEqual(len(inputs), 1, calls)
            self.assertIn('-m bpf --bytecode "%s"' % bytecode, inputs[0])
            family = [c[-1] for c in calls if c[0] == "ipset" and c[1] == "create"]
            self.assertEqual(family, ["inet" if version == 4 else "inet6"])

    def test_no_backend_gives_a_reason(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        env = {"PATH": "/nonexistent", "DEFAULTINT": "lo"}
        p = subprocess.run(["/bin/bash", os.path.join(w.dir, "bpf_dns_ip4_example_com.sh")],
                           env=env, capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertIn(b"iptables-nft or iptables-legacy", p.stderr)

    def test_missing_ipset_is_named(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"),
                                IPSET=os.path.join(w.dir, "no-ipset"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"IPSET", p.stderr)
        self.assertIn(b"no-ipset", p.stderr)
        self.assertEqual([c for c in calls if "--version" not in c], [])

    def test_refused_rules_name_the_kernel_matches_and_undo_the_set(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"),
                                RECORDER_FAIL="COMMIT")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn(b"xt_bpf", p.stderr)
        self.assertIn(b"no iptables backend takes -m bpf rules", p.stderr)
        self.assertIn(b"recorder: refusing COMMIT", p.stderr)
        set_name = [c for c in calls if c[:2] == ["ipset", "rename"]][0][3]
        self.assertEqual(calls[-1], ["ipset", "destroy", set_name])

    def test_hostile_script_arguments_reach_ipset_as_one_word(self):
        w = Workspace(self)
        w.tool("iptables_bpf", "dns", "--", "example.com")
        hostile = "1.2.3.4$(touch PWNED);`touch PWNED` x"
        p, calls = w.run_script(os.path.join(w.dir, "bpf_dns_ip4_example_com.sh"), hostile)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(hostile, [c[-1] for c in calls if c[:3] == ["ipset", "-exist", "add"]])
        self.assertNotIn("PWNED", w.files())

    def test_hostile_generator_arguments_stay_exact_in_the_comment(self):
        w = Workspace(self)
        hostile = "x'$(touch PWNED)\nb"
        w.tool("iptables_bpf", "-w", "t.sh", "dns", "--", hostile)
        p, calls = w.run_script(os.path.join(w.dir, "t.sh"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("$(touch PWNED)", chain_rules(calls)[0])
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
        rules = chain_rules(calls)
        self.assertEqual([r.split()[-1] for r in rules], ["ACCEPT", "DROP", "DROP", "RETURN"])
        self.assertIn("--bytecode", rules[0])
        self.assertNotIn("--bytecode", rules[2])
        jump = [line for line in restore_inputs(calls)[0] if line.startswith("-I INPUT 1 ")]
        self.assertEqual(len(jump), 1)
        self.assertTrue(jump[0].split()[-1].startswith("EXAMPLE_COM_IP4_"), jump)

    def test_delete_of_nothing_installed_changes_nothing(self):
        w = Workspace(self)
        w.tool("iptables_bpf_chain", "-6", "-w", "c1", "-d", "any")
        p, calls = w.run_script(os.path.join(w.dir, "c1_ip6.sh"), "--delete")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(restore_inputs(calls), [])
        self.assertEqual([c for c in calls if c[0] == "ipset" and "destroy" in c
                          and "-exist" not in c], [])

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
        w = Workspace(self)
        for name in ["input", "OUTPUT", "Forward", "prerouting", "accept", "return", "-foo"]:
            with self.subTest(name=name):
                p = w.tool("iptables_bpf_chain", "-w", name, "-d", "*.example.com", expect=2)
                self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertEqual(w.files(), ["ipset", "iptables", "iptables-restore"])
        w.tool("iptables_bpf_chain", "-w", "input2", "-d", "*.example.com")
        self.assertIn("input2_ip4.sh", w.files())


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BIN, "iptables_bpf")):
        print("skipped: iptables_bpf is not built in BPFTOOLS_BIN")
        sys.exit(77)
    unittest.main()
