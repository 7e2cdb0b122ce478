"""iptables_bpf's and iptables_bpf_chain's scripts in the real kernel, on both backends.

In a network namespace of its own with only loopback up, the test deploys a generated
script for 127.0.0.1/32 (and ::1/128 with -6), sends DNS queries for matching and
non-matching names to a listener on port 53 in that namespace, and checks that exactly the
matching ones are dropped (the listener and the rules' packet counters agree), with the
nf_tables backend (what Debian's plain iptables is) and with iptables-legacy. Then the
script's --delete must leave no rule, chain or set. Skips with the reason where the kernel
or the tools lack something; the namespace is removed even on failure.
"""
import os
import shutil
import tempfile
import unittest

from deploy_namespace import Namespace, generate, iptables, preflight, script_value

NS = Namespace("kernel")
ACCEPTED = []  # the backends whose kernel side takes xt_bpf rules

MATCHING = ["www.example.com", "WWW.Example.COM", "a.example.com", "xn--bcher-kva.example.com"]
NOT_MATCHING = ["example.com", "a.b.example.com", "www.example.org", "www.example.co"]


class XtBpfInTheKernel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bpftools-kernel-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def tearDown(self):
        # Whatever a failed test left behind must not change the next one's counts.
        NS.clean()

    def env(self, backend, **extra):
        env = {"DEFAULTINT": "lo", "BPFTOOLS_LOCK_DIR": os.path.join(self.dir, "locks"),
               "IPTABLES": iptables(4, backend), "IP6TABLES": iptables(6, backend)}
        env.update(extra)
        return env

    def backends(self):
        return [backend for backend in ("nft", "legacy") if backend in ACCEPTED]

    def deploy(self, version, backend, patterns=("*.example.com",), name="rule", options=()):
        script = os.path.join(self.dir, "%s%d.sh" % (name, version))
        args = (["-6"] if version == 6 else []) + list(options)
        generate("iptables_bpf", *args, "-w", script, "dns", "--", "-i", *patterns, cwd=self.dir)
        address = "::1/128" if version == 6 else "127.0.0.1/32"
        NS.run("bash", script, address, env=self.env(backend))
        return script

    def counters(self, version, backend, chain, target):
        """The packet counters of the chain's rules jumping to target, in order."""
        listing = NS.run(iptables(version, backend), "-L", chain, "-v", "-x", "-n").stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        return [int(row[0]) for row in rows if len(row) > 2 and row[2] == target]

    def assert_nothing_left(self, version, backend):
        """No rule, no chain of ours (iptables-save of the backend) and no set."""
        lines = NS.save(version, backend)
        self.assertEqual([line for line in lines if line.startswith("-A")], [])
        chains = sorted(line.split()[0] for line in lines if line.startswith(":"))
        self.assertIn(chains, ([], [":FORWARD", ":INPUT", ":OUTPUT"]))
        self.assertEqual(NS.sets(), [])

    def check_family(self, version, backend):
        script = self.deploy(version, backend)
        self.deploy(version, backend)  # a second run must not add a second rule
        self.assertEqual(NS.state(version, backend, script), "all")
        other = "legacy" if backend == "nft" else "nft"
        self.assertEqual(NS.state(version, other, script), "none")
        self.assertEqual(NS.delivered_names(version, MATCHING + NOT_MATCHING),
                         sorted(NOT_MATCHING))
        chain = script_value(script, "CHAIN")
        self.assertEqual(self.counters(version, backend, chain, "DROP"), [len(MATCHING)])
        self.assertEqual(self.counters(version, backend, "INPUT", chain),
                         [len(MATCHING + NOT_MATCHING)])
        NS.run("bash", script, "--delete", env=self.env(backend))
        self.assert_nothing_left(version, backend)
        # With the rule gone, every query arrives.
        self.assertEqual(NS.delivered_names(version, MATCHING), sorted(MATCHING))

    def check_split_rules(self, version, backend):
        patterns = ["*.attack%d.example.com" % i for i in range(6)]
        script = self.deploy(version, backend, patterns, name="split")
        self.deploy(version, backend, patterns, name="split")
        matching = ["www.attack%d.example.com" % i for i in range(6)] + ["X.ATTACK5.Example.Com"]
        not_matching = ["attack0.example.com", "www.attack6.example.com", "a.b.attack1.example.com"]
        self.assertEqual(NS.delivered_names(version, matching + not_matching),
                         sorted(not_matching))
        drops = self.counters(version, backend, script_value(script, "CHAIN"), "DROP")
        self.assertGreater(len(drops), 1)  # the patterns did not fit one program
        self.assertEqual(sum(drops), len(matching))
        # --delete finds the rules whatever interface it would pick now.
        NS.run("bash", script, "--delete", env=self.env(backend, DEFAULTINT="elsewhere"))
        self.assert_nothing_left(version, backend)

    def check_thousand_optimized_patterns(self, backend):
        # bpfgen -O's dns rules for 1,000 hosts under five domains, split over xt_bpf rules.
        domains = ["example.com", "example.org", "shop.example.net", "corp.example.co.uk",
                   "cdn.example.io"]
        hosts = ["h%dx%d.%s" % (i, i * 7919 % 1000, domains[i % 5]) for i in range(1000)]
        script = self.deploy(4, backend, hosts, name="optimized", options=["-O"])
        matching = hosts[:5] + hosts[-5:] + [hosts[500].upper()]
        not_matching = ["h1000x1.example.com", "x" + hosts[3], "a." + hosts[4], domains[2]]
        self.assertEqual(NS.delivered_names(4, matching + not_matching), sorted(not_matching))
        drops = self.counters(4, backend, script_value(script, "CHAIN"), "DROP")
        self.assertGreater(len(drops), 1)
        self.assertEqual(sum(drops), len(matching))
        NS.run("bash", script, "--delete", env=self.env(backend))
        self.assert_nothing_left(4, backend)

    def check_chain(self, version, backend):
        args = ["-6", "-i", "::1/128"] if version == 6 else ["-i", "127.0.0.1/32"]
        generate("iptables_bpf_chain", "-w", "kernel_test", *args, "-a", "www.example.com",
                 "-a", "ns1.example.com", "-d", "*.example.com", "-d", "*.example.net",
                 cwd=self.dir)
        script = os.path.join(self.dir, "kernel_test_ip%d.sh" % version)
        for _ in range(2):
            NS.run("bash", script, env=self.env(backend))
        accepted = ["www.example.com", "NS1.example.COM"]
        dropped = ["mail.example.com", "WWW.Example.NET"]
        others = ["www.example.org", "example.com"]
        self.assertEqual(NS.delivered_names(version, accepted + dropped + others),
                         sorted(accepted + others))
        chain = script_value(script, "CHAIN")
        self.assertTrue(chain.startswith("KERNEL_TEST_IP%d_" % version), chain)
        self.assertEqual(self.counters(version, backend, chain, "ACCEPT"), [1, 1])
        self.assertEqual(self.counters(version, backend, chain, "DROP"), [1, 1])
        self.assertEqual(self.counters(version, backend, "INPUT", chain),
                         [len(accepted + dropped + others)])
        NS.run("bash", script, "--delete", env=self.env(backend, DEFAULTINT="elsewhere"))
        self.assert_nothing_left(version, backend)

    def test_delete_removes_the_jumps_of_every_interface_and_only_those(self):
        for backend in self.backends():
            script = self.deploy(4, backend, name="interfaces")
            NS.run("bash", script, env=self.env(backend, DEFAULTINT="eth7"))
            set_name = script_value(script, "SET_NAME")
            chain = script_value(script, "CHAIN")
            # Someone else's rule whose comment reads like ours stays.
            foreign = ["-m", "comment", "--comment",
                       "-m set --match-set %s dst -j %s" % (set_name, chain), "-j", "ACCEPT"]
            NS.run(iptables(4, backend), "-A", "INPUT", *foreign)
            NS.run("bash", script, "--delete", env=self.env(backend, DEFAULTINT="eth8"))
            rules = [line for line in NS.save(4, backend) if line.startswith("-A")]
            self.assertEqual(len(rules), 1)
            self.assertIn("-j ACCEPT", rules[0])
            self.assertEqual(NS.sets(), [])
            NS.clean()

    def test_delete_refuses_to_hide_a_set_still_in_use(self):
        for backend in self.backends():
            script = self.deploy(4, backend, name="in_use")
            set_name = script_value(script, "SET_NAME")
            NS.run(iptables(4, backend), "-A", "FORWARD", "-m", "set", "--match-set", set_name,
                   "dst", "-j", "ACCEPT")
            p = NS.run("bash", script, "--delete", env=self.env(backend), check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("still uses it", p.stderr.splitlines()[-1])
            self.assertIn(set_name, NS.sets())
            NS.clean()

    def test_hostile_comment_and_pattern_reach_the_kernel_exactly(self):
        hostile = "it's $(touch PWNED) `id`; \"q\" \\ |&"
        script = os.path.join(self.dir, "hostile.sh")
        generate("iptables_bpf", "-c", hostile, "-w", script, "dns", "--",
                 "x'$(touch PWNED).example.com", cwd=self.dir)
        NS.run("bash", script, "127.0.0.1/32", env=self.env(ACCEPTED[0]))
        listing = NS.run(iptables(4, ACCEPTED[0]), "-L", script_value(script, "CHAIN"), "-n")
        self.assertIn("/* %s */" % hostile, listing.stdout)
        self.assertNotIn("PWNED", os.listdir(self.dir))

    def test_negated_rule_drops_only_what_does_not_match(self):
        for backend in self.backends():
            script = self.deploy(4, backend, name="negated", options=["-n"])
            self.assertEqual(NS.delivered_names(4, MATCHING + NOT_MATCHING), sorted(MATCHING))
            self.assertEqual(self.counters(4, backend, script_value(script, "CHAIN"), "DROP"),
                             [len(NOT_MATCHING)])
            NS.run("bash", script, "--delete", env=self.env(backend))
            self.assert_nothing_left(4, backend)

    def test_ipv4_matching_queries_dropped_others_delivered(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_family(4, backend)

    def test_ipv6_matching_queries_dropped_others_delivered(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_family(6, backend)

    def test_ipv4_patterns_split_over_rules_all_drop(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_split_rules(4, backend)

    def test_ipv6_patterns_split_over_rules_all_drop(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_split_rules(6, backend)

    def test_thousand_optimized_patterns_deploy_and_drop(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_thousand_optimized_patterns(backend)

    def test_ipv4_chain_accepts_before_it_drops(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_chain(4, backend)

    def test_ipv6_chain_accepts_before_it_drops(self):
        for backend in self.backends():
            with self.subTest(backend=backend):
                self.check_chain(6, backend)

    def test_every_backend_this_kernel_has_is_tested(self):
        # A backend that cannot take -m bpf is skipped with its reason, never silently.
        for backend in ("nft", "legacy"):
            if backend not in ACCEPTED:
                print("skipped: iptables-%s does not take xt_bpf rules on this kernel" % backend)
        self.assertTrue(ACCEPTED)


if __name__ == "__main__":
    ACCEPTED.extend(preflight(NS))
    try:
        unittest.main()
    finally:
        NS.delete()
