"""The deployment scripts as transactions, in the real kernel: under 300 unrelated rules, run
concurrently, killed at random instants, with colliding names and with 1,000 patterns.

Everything runs in a network namespace of the test's own (loopback only, bounded packet
counts), which is removed at the end whatever happened. After every step the test reads
both iptables backends (iptables-nft-save, iptables-legacy-save) and ipset: the script's
rules are there all or not at all, and nothing else ever changes.
"""
import os
import random
import shutil
import signal
import tempfile
import time
import unittest

from deploy_namespace import Namespace, dns_query, generate, iptables, preflight, script_value

NS = Namespace("transactions")
ACCEPTED = []  # the backends whose kernel side takes xt_bpf rules
BACKEND = ["nft"]  # the one the scripts pick here: nft, unless only legacy takes xt_bpf


def primary():
    return BACKEND[0]


def foreign_rules(count):
    """iptables-restore input for count unrelated INPUT rules and a marker chain."""
    lines = ["*filter", ":MARKER - [0:0]", "-A MARKER -j RETURN"]
    for i in range(count):
        lines.append("-A INPUT -s 10.%d.%d.0/24 -p tcp --dport %d -m comment --comment "
                     "\"someone else's rule %d\" -j ACCEPT" % (i // 256, i % 256, 1000 + i, i))
    return "\n".join(lines + ["COMMIT", ""])


class DeploymentTransactions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bpftools-transactions-")
        cls.lock_dir = os.path.join(cls.dir, "locks")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def tearDown(self):
        NS.clean()

    def env(self, **extra):
        env = {"DEFAULTINT": "lo", "BPFTOOLS_LOCK_DIR": self.lock_dir}
        if primary() != "nft":
            env.update(IPTABLES=iptables(4, primary()), IP6TABLES=iptables(6, primary()))
        env.update(extra)
        return env

    def script(self, file_name, *args, tool="iptables_bpf"):
        path = os.path.join(self.dir, file_name)
        if tool == "iptables_bpf":
            generate(tool, "-w", path, *args, cwd=self.dir)
        else:
            generate(tool, *args, cwd=self.dir)
        return path

    def chain_script(self, name, *patterns):
        args = ["-w", name, "-i", "127.0.0.1/32"]
        for pattern in patterns:
            args += ["-d", pattern]
        generate("iptables_bpf_chain", *args, cwd=self.dir)
        return os.path.join(self.dir, name + "_ip4.sh")

    def install(self, script, *args, check=True, **env):
        return NS.run("bash", script, *(args or ("127.0.0.1/32",)), env=self.env(**env),
                      check=check)

    def delete(self, script, check=True, **env):
        return NS.run("bash", script, "--delete", env=self.env(**env), check=check)

    def snapshot(self):
        return {backend: NS.save(version, backend) for version in (4, 6)
                for backend in ("nft", "legacy")}, NS.sets()

    def assert_state(self, script, expected, backend=None):
        backend = backend or primary()
        self.assertEqual(NS.state(4, backend, script), expected)

    def one_rule_script(self):
        return self.script("one.sh", "dns", "--", "*.example.com")

    def seven_rule_script(self):
        patterns = ["*.attack%d.example.com" % i for i in range(14)]
        script = self.script("seven.sh", "dns", "--", "-i", *patterns)
        self.assertEqual(int(script_value(script, "RULE_COUNT")), 7)
        return script

    def test_fifty_cycles_under_300_foreign_rules_leave_exactly_the_expected_rules(self):
        # Before: `iptables -S INPUT | awk '...; exit'` died of SIGPIPE with a listing over
        # a pipe buffer, and --delete failed in 4 of 10 (1 rule), 7 of 15 (7 rules) and 5 of
        # 20 (chain) runs.
        for backend in ACCEPTED:
            NS.run(iptables(4, backend) + "-restore", "--noflush", input=foreign_rules(300))
        baseline = self.snapshot()
        scripts = [self.one_rule_script(), self.seven_rule_script(),
                   self.chain_script("cycles", "*.example.com", "*.example.net")]
        for cycle in range(50):
            for script in scripts:
                self.install(script)
                self.assert_state(script, "all")
                self.assertIn(script_value(script, "SET_NAME"), NS.sets())
                self.delete(script)
                self.assertEqual(self.snapshot(), baseline, "cycle %d, %s" % (cycle, script))

    def test_legacy_backend_cycles_under_300_foreign_rules(self):
        if "legacy" not in ACCEPTED:
            self.skipTest("iptables-legacy does not take xt_bpf rules here")
        NS.run("iptables-legacy-restore", "--noflush", input=foreign_rules(300))
        baseline = self.snapshot()
        scripts = [self.one_rule_script(), self.seven_rule_script(),
                   self.chain_script("legacy_cycles", "*.example.com", "*.example.net")]
        for _ in range(20):
            for script in scripts:
                self.install(script, IPTABLES="iptables-legacy")
                self.assert_state(script, "all", backend="legacy")
                if "nft" in ACCEPTED:
                    self.assert_state(script, "none", backend="nft")
                self.delete(script, IPTABLES="iptables-legacy")
                self.assertEqual(self.snapshot(), baseline)

    def test_three_scripts_installed_and_deleted_concurrently_never_touch_a_marker(self):
        # Before: deleting by position removed an unrelated rule in 12 of 20 rounds.
        NS.run(iptables(4, primary()) + "-restore", "--noflush", input=foreign_rules(20))
        baseline = self.snapshot()
        scripts = [self.one_rule_script(), self.seven_rule_script(),
                   self.chain_script("concurrent", "*.example.org")]
        for _ in range(20):
            for action in ([], ["--delete"]):
                processes = [NS.popen(["bash", s] + (action or ["127.0.0.1/32"]), self.env())
                             for s in scripts]
                self.assertEqual([p.wait(timeout=120) for p in processes], [0, 0, 0])
                for script in scripts:
                    self.assert_state(script, "none" if action else "all")
            self.assertEqual(self.snapshot(), baseline)

    def test_one_script_run_three_times_at_once_installs_one_copy(self):
        # Before: the -C check and the -I were separate steps and left duplicates.
        script = self.seven_rule_script()
        for _ in range(5):
            processes = [NS.popen(["bash", script, "127.0.0.1/32"], self.env())
                         for _ in range(3)]
            self.assertEqual([p.wait(timeout=120) for p in processes], [0, 0, 0])
            self.assert_state(script, "all")
        self.delete(script)
        self.assert_state(script, "none")

    def test_killed_at_random_instants_the_rules_are_all_or_nothing(self):
        self.check_kills(primary(), 30)

    def test_killed_at_random_instants_on_the_other_backend(self):
        others = [backend for backend in ACCEPTED if backend != primary()]
        if not others:
            self.skipTest("only one iptables backend takes xt_bpf rules here")
        self.check_kills(others[0], 10, IPTABLES=iptables(4, others[0]))

    def check_kills(self, backend, rounds, **env):
        script = self.seven_rule_script()
        started = time.monotonic()
        self.install(script, **env)
        duration = time.monotonic() - started
        self.delete(script, **env)
        randomness = random.Random(1234)
        outcomes = {"all": 0, "none": 0}
        for round_number in range(rounds):
            action = ["127.0.0.1/32"] if round_number % 2 == 0 else ["--delete"]
            if action == ["--delete"]:
                self.install(script, **env)
            process = NS.popen(["bash", script] + action, self.env(**env))
            time.sleep(randomness.uniform(0, duration * 1.2))
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
            state = NS.state(4, backend, script)
            self.assertIn(state, ("all", "none"), "round %d (%s)" % (round_number, action))
            outcomes[state] += 1
            # Whatever was left, a rerun and a --delete converge.
            self.install(script, **env)
            self.assert_state(script, "all", backend=backend)
            self.delete(script, **env)
            self.assert_state(script, "none", backend=backend)
            self.assertEqual(NS.sets(), [])
        print("%s: killed runs left all rules %d times, none %d times"
              % (backend, outcomes["all"], outcomes["none"]))

    def test_long_patterns_that_used_to_collide_get_their_own_set_and_chain(self):
        # Before: both were bpf_dns_ip4_www_verylongexample; one --delete removed both.
        com = self.script("com.sh", "dns", "--", "www.verylongexample.com")
        net = self.script("net.sh", "dns", "--", "www.verylongexample.net")
        self.assertNotEqual(script_value(com, "SET_NAME"), script_value(net, "SET_NAME"))
        self.assertNotEqual(script_value(com, "CHAIN"), script_value(net, "CHAIN"))
        self.install(com)
        self.install(net)
        self.delete(com)
        self.assert_state(com, "none")
        self.assert_state(net, "all")
        self.assertEqual(NS.sets(), [script_value(net, "SET_NAME")])
        self.assertEqual(NS.delivered_names(4, ["www.verylongexample.com",
                                                "www.verylongexample.net"]),
                         ["www.verylongexample.com"])
        self.delete(net)
        self.assertEqual(NS.sets(), [])

    def test_a_bad_destination_leaves_nothing_behind(self):
        # Before: `./script 999.1.1.1` exited 1 and left an empty set.
        script = self.one_rule_script()
        p = self.install(script, "127.0.0.1/32", "999.1.1.1", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn("999.1.1.1", p.stderr)
        self.assert_state(script, "none")
        self.assertEqual(NS.sets(), [])
        # And on an installed script, the set keeps exactly what it had.
        self.install(script)
        p = self.install(script, "192.0.2.7", "not-an-address", check=False)
        self.assertEqual(p.returncode, 1)
        members = NS.run("ipset", "list", script_value(script, "SET_NAME")).stdout
        self.assertIn("127.0.0.1", members)
        self.assertNotIn("192.0.2.7", members)
        self.delete(script)

    def test_a_refused_rule_leaves_nothing_behind(self):
        script = self.one_rule_script()
        p = self.install(script, check=False, IPTABLES=iptables(4, primary()),
                         IPTABLES_RESTORE="false")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no iptables backend takes -m bpf rules", p.stderr)
        self.assertEqual(NS.sets(), [])

    def test_status_shows_counters_and_tells_whether_installed(self):
        script = self.one_rule_script()
        p = NS.run("bash", script, "--status", env=self.env(), check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not installed", p.stdout)
        self.install(script)
        self.assertEqual(NS.delivered_names(4, ["www.example.com", "www.example.org"]),
                         ["www.example.org"])
        p = NS.run("bash", script, "--status", env=self.env())
        self.assertIn("installed with " + iptables(4, primary()), p.stdout)
        drop_rows = [line.split() for line in p.stdout.splitlines() if " DROP " in line]
        self.assertEqual([int(row[0]) for row in drop_rows], [1])
        self.delete(script)
        self.assertEqual(NS.run("bash", script, "--status", env=self.env(),
                                check=False).returncode, 1)

    def test_the_backend_is_probed_and_named(self):
        if primary() != "nft":
            self.skipTest("iptables-nft does not take xt_bpf rules here")
        script = self.one_rule_script()
        p = self.install(script)
        self.assertIn("with iptables-nft", p.stdout)
        self.assertEqual(NS.state(4, "legacy", script), "none")
        # A backend that refuses is passed over for the next.
        if "legacy" in ACCEPTED:
            self.delete(script)
            fake = os.path.join(self.dir, "bin")
            os.makedirs(fake, exist_ok=True)
            refusing = os.path.join(fake, "iptables-nft-restore")
            with open(refusing, "w") as f:
                f.write("#!/bin/sh\necho 'iptables-nft-restore: line 3 failed' >&2\nexit 1\n")
            os.chmod(refusing, 0o755)
            path = fake + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            p = self.install(script, PATH=path)
            self.assertIn("with iptables-legacy", p.stdout)
            self.assert_state(script, "all", backend="legacy")
            self.delete(script, PATH=path)
            self.assert_state(script, "none", backend="legacy")

    def test_thousand_patterns_install_and_drop_exactly_theirs(self):
        patterns = ["www.attack%d.example.com" % i for i in range(1000)]
        script = self.script("thousand.sh", "dns", "--", *patterns)
        rules = int(script_value(script, "RULE_COUNT"))
        self.assertGreater(rules, 100)
        with open(script) as f:
            self.assertIn("(%d in all)" % rules, f.read())
        self.install(script)
        self.assert_state(script, "all")
        names = ["www.attack999.example.com", "www.attack0.example.com",
                 "www.attack1000.example.com", "www.example.com"]
        self.assertEqual(NS.delivered_names(4, names),
                         sorted(["www.attack1000.example.com", "www.example.com"]))
        self.delete(script)
        self.assert_state(script, "none")

    def test_five_thousand_patterns_make_a_script_the_kernel_takes(self):
        patterns = ["host%d.flood.example.net" % i for i in range(5000)]
        script = self.script("five_thousand.sh", "dns", "--", "-i", *patterns)
        self.install(script)
        self.assert_state(script, "all")
        self.assertEqual(NS.delivered_names(4, ["HOST4999.flood.example.net", "host5000.flood"
                                                ".example.net"]),
                         ["host5000.flood.example.net"])
        self.delete(script)
        self.assert_state(script, "none")

    def test_other_generators_drop_in_the_kernel(self):
        for backend in ACCEPTED:
            with self.subTest(backend=backend):
                self.check_other_generators(backend)

    def check_other_generators(self, backend):
        env = {"IPTABLES": iptables(4, backend)}
        # dns_validate: a query with two questions is malformed; one with one is not.
        script = self.script("validate.sh", "dns_validate")
        self.install(script, **env)
        self.assert_state(script, "all", backend=backend)
        good = dns_query("www.example.com", ident=1)
        two_questions = bytearray(dns_query("www.example.com", ident=2))
        two_questions[5] = 2
        short = b"\x00\x01\x01"
        self.assertEqual(NS.exchange(4, [good, bytes(two_questions), short]), [0])
        self.delete(script, **env)
        # suffix: the packets ending in the bytes.
        script = self.script("suffix.sh", "suffix", "--", "deadbeef")
        self.install(script, **env)
        self.assert_state(script, "all", backend=backend)
        payloads = [b"hello" + bytes.fromhex("deadbeef"), b"hello" + bytes.fromhex("deadbeee"),
                    bytes.fromhex("deadbeef00")]
        self.assertEqual(NS.exchange(4, payloads), [1, 2])
        self.delete(script, **env)
        self.assertEqual(self.snapshot()[1], [])

    def test_a_rule_too_wide_for_restore_installs_and_killed_runs_converge(self):
        # A tcpdump program of 64 instructions or fewer whose bytecode text is over the 1023
        # bytes iptables-restore reads in one argument: the rules go in one call each, while
        # nothing jumps to the chain.
        hosts = " or ".join("dst host 203.0.113.%d" % i for i in range(100, 155))
        script = self.script("wide.sh", "tcpdump", "--", "udp and not (%s)" % hosts)
        with open(script) as f:
            self.assertIn("\nWIDE_RULES=1\n", f.read())
        self.install(script)
        self.assert_state(script, "all")
        self.assertEqual(NS.delivered_names(4, ["www.example.com"]), [])
        self.delete(script)
        self.assert_state(script, "none")
        started = time.monotonic()
        self.install(script)
        duration = time.monotonic() - started
        self.delete(script)
        randomness = random.Random(99)
        chain = script_value(script, "CHAIN")
        for round_number in range(10):
            process = NS.popen(["bash", script, "127.0.0.1/32"], self.env())
            time.sleep(randomness.uniform(0, duration * 1.2))
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
            state = NS.state(4, primary(), script)
            if state not in ("all", "none"):
                # Only a chain nothing jumps to, which no packet reaches.
                jumps = [line for line in NS.save(4, primary()) if line.endswith("-j " + chain)]
                self.assertEqual(jumps, [], "round %d: %s" % (round_number, state))
            self.install(script)
            self.assert_state(script, "all")
            self.delete(script)
            self.assert_state(script, "none")

    def test_a_failed_install_on_the_first_backend_does_not_fall_through(self):
        if primary() != "nft":
            self.skipTest("iptables-nft does not take xt_bpf rules here")
        # INPUTPLACE beyond the end of INPUT: the nf_tables backend takes -m bpf but refuses
        # the position; the script must not go on to create a legacy table.
        script = self.one_rule_script()
        p = self.install(script, check=False, INPUTPLACE="5")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn("iptables-nft refused the rules", p.stderr)
        self.assertFalse(NS.has_legacy_table(4))
        self.assertEqual(NS.sets(), [])
        self.assert_state(script, "none")

    def test_ipv6_scripts_ignore_the_ipv4_override(self):
        if primary() != "nft":
            self.skipTest("iptables-nft does not take xt_bpf rules here")
        script = self.script("six.sh", "-6", "dns", "--", "*.example.com")
        p = self.install(script, "::1/128", IPTABLES="iptables-legacy")
        self.assertIn("with ip6tables-nft", p.stdout)
        self.assertEqual(NS.state(6, primary(), script), "all")
        self.delete(script, IPTABLES="iptables-legacy")
        self.assertEqual(NS.state(6, primary(), script), "none")
        self.assertEqual(NS.sets(), [])

    def test_chain_names_differing_only_in_case_are_separate_deployments(self):
        upper = self.chain_script("Foo", "*.example.com")
        lower = self.chain_script("foo", "*.example.com")
        self.assertNotEqual(script_value(upper, "CHAIN"), script_value(lower, "CHAIN"))
        self.install(upper)
        self.install(lower)
        self.delete(upper)
        self.assert_state(upper, "none")
        self.assert_state(lower, "all")
        self.delete(lower)
        self.assert_state(lower, "none")
        self.assertEqual(NS.sets(), [])

    def test_nothing_foreign_is_touched_by_delete(self):
        script = self.one_rule_script()
        self.install(script)
        set_name = script_value(script, "SET_NAME")
        chain = script_value(script, "CHAIN")
        # A rule of someone else's that uses the set differently, one that jumps to the
        # chain from elsewhere: --delete touches neither and says why it cannot finish.
        NS.run(iptables(4, primary()), "-A", "INPUT", "-m", "set", "--match-set", set_name, "src",
               "-j", "ACCEPT")
        NS.run(iptables(4, primary()), "-A", "FORWARD", "-j", chain)
        before = self.snapshot()
        p = self.delete(script, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertEqual(self.snapshot(), before)
        NS.run(iptables(4, primary()), "-D", "FORWARD", "-j", chain)
        p = self.delete(script, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("still uses it", p.stderr)
        self.assertEqual(NS.state(4, primary(), script), "none")
        self.assertEqual(NS.sets(), [set_name])


if __name__ == "__main__":
    ACCEPTED.extend(preflight(NS))
    if "nft" not in ACCEPTED:
        print("skipped (in part): iptables-nft does not take xt_bpf rules on this kernel; "
              "the scripts' transactions are tested with iptables-legacy")
        BACKEND[0] = "legacy"
    try:
        unittest.main()
    finally:
        NS.delete()
