"""iptables_bpf's scripts in the real kernel: xt_bpf through iptables-legacy and ipset.

In a network namespace of its own with only loopback up, the test deploys a generated
script for 127.0.0.1/32 (and ::1/128 with -6), sends DNS queries for matching and
non-matching names to a listener on port 53 in that namespace, and checks that exactly the
matching ones are dropped (the listener and the rule's packet counter agree). Then the
script's --delete must leave no rule and no set. Skips with the reason where the kernel or
the tools lack something; the namespace is removed even on failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("BPFTOOLS_BIN", "")
NS = "bpftools-test-%d" % os.getpid()

# Runs inside the namespace: a listener on port 53 and a client sending one query per
# name; prints the names the listener received, as JSON.
EXCHANGE = r"""
import json, socket, struct, sys
family = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
address = "::1" if sys.argv[1] == "6" else "127.0.0.1"
names = json.loads(sys.argv[2])
listener = socket.socket(family, socket.SOCK_DGRAM)
listener.bind((address, 53))
listener.settimeout(0.5)
client = socket.socket(family, socket.SOCK_DGRAM)
for i, name in enumerate(names):
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    client.sendto(struct.pack("!HHHHHH", i, 0x0100, 1, 0, 0, 0) + qname + b"\0\1\0\1",
                  (address, 53))
received = []
try:
    while len(received) < len(names):
        data, _ = listener.recvfrom(2048)
        received.append(names[struct.unpack("!H", data[:2])[0]])
except socket.timeout:
    pass
print(json.dumps(received))
"""

MATCHING = ["www.example.com", "WWW.Example.COM", "a.example.com", "xn--bcher-kva.example.com"]
NOT_MATCHING = ["example.com", "a.b.example.com", "www.example.org", "www.example.co"]


def run(*args, check=True, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=check,
                          **kwargs)


def in_ns(*args, check=True, env=None):
    prefix = ["ip", "netns", "exec", NS]
    if env:
        prefix += ["env"] + ["%s=%s" % kv for kv in env.items()]
    return run(*prefix, *args, check=check)


def skip(reason):
    print("skipped: " + reason)
    sys.exit(77)


def preflight():
    if os.geteuid() != 0:
        skip("needs root for network namespaces and iptables")
    for tool in ("ip", "iptables-legacy", "ip6tables-legacy", "ipset"):
        if shutil.which(tool) is None:
            skip("%s is not installed" % tool)
    if not os.path.exists(os.path.join(BIN, "iptables_bpf")):
        skip("iptables_bpf is not built in BPFTOOLS_BIN")
    run("ip", "netns", "add", NS)
    try:
        in_ns("ip", "link", "set", "lo", "up")
        probe = in_ns("iptables-legacy", "-A", "INPUT", "-m", "bpf", "--bytecode",
                      "1,6 0 0 65535", "-j", "ACCEPT", check=False)
        if probe.returncode != 0:
            skip("the kernel refuses an xt_bpf rule: " + probe.stderr.strip())
        in_ns("iptables-legacy", "-F", "INPUT")
        probe = in_ns("ipset", "create", "bpftools-probe", "hash:net", check=False)
        if probe.returncode != 0:
            skip("ipset cannot create a hash:net set: " + probe.stderr.strip())
        in_ns("ipset", "destroy", "bpftools-probe")
    except BaseException:
        run("ip", "netns", "del", NS, check=False)
        raise


class XtBpfInTheKernel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bpftools-kernel-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def tearDown(self):
        # Whatever a failed test left behind must not change the next one's counts.
        for iptables in ("iptables-legacy", "ip6tables-legacy"):
            in_ns(iptables, "-F", check=False)
            in_ns(iptables, "-X", check=False)
        in_ns("ipset", "destroy", check=False)

    def deploy(self, version, patterns=("*.example.com",), name="rule", options=()):
        script = os.path.join(self.dir, "%s%d.sh" % (name, version))
        args = (["-6"] if version == 6 else []) + list(options)
        run(os.path.join(BIN, "iptables_bpf"), *args, "-w", script, "dns", "--", "-i",
            *patterns)
        address = "::1/128" if version == 6 else "127.0.0.1/32"
        in_ns("bash", script, address, env={"DEFAULTINT": "lo"})
        return script

    def exchange(self, version, names):
        p = in_ns("/usr/bin/python3", "-c", EXCHANGE, str(version), json.dumps(names))
        return json.loads(p.stdout)

    def counters(self, version, chain, target):
        """The packet counters of the chain's rules jumping to target, in order."""
        iptables = "ip6tables-legacy" if version == 6 else "iptables-legacy"
        listing = in_ns(iptables, "-L", chain, "-v", "-x", "-n").stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        return [int(row[0]) for row in rows if len(row) > 2 and row[2] == target]

    def drop_counter(self, version):
        drops = self.counters(version, "INPUT", "DROP")
        self.assertEqual(len(drops), 1)
        return drops[0]

    def assert_nothing_left(self, version):
        """No rule, no chain of ours (iptables-legacy-save) and no set (ipset list)."""
        save = "ip6tables-legacy-save" if version == 6 else "iptables-legacy-save"
        listing = in_ns(save).stdout.splitlines()
        self.assertEqual([line for line in listing if line.startswith("-A")], [])
        chains = [line.split()[0] for line in listing if line.startswith(":")]
        self.assertEqual(sorted(chains), [":FORWARD", ":INPUT", ":OUTPUT"])
        self.assertEqual(in_ns("ipset", "list").stdout.strip(), "")

    def check_family(self, version):
        script = self.deploy(version)
        self.deploy(version)  # a second run must not add a second rule
        received = self.exchange(version, MATCHING + NOT_MATCHING)
        self.assertEqual(sorted(received), sorted(NOT_MATCHING))
        self.assertEqual(self.drop_counter(version), len(MATCHING))
        in_ns("bash", script, "--delete", env={"DEFAULTINT": "lo"})
        self.assert_nothing_left(version)
        # With the rule gone, every query arrives.
        self.assertEqual(sorted(self.exchange(version, MATCHING)), sorted(MATCHING))

    def check_split_rules(self, version):
        patterns = ["*.attack%d.example.com" % i for i in range(6)]
        script = self.deploy(version, patterns, name="split")
        self.deploy(version, patterns, name="split")
        matching = ["www.attack%d.example.com" % i for i in range(6)] + ["X.ATTACK5.Example.Com"]
        not_matching = ["attack0.example.com", "www.attack6.example.com", "a.b.attack1.example.com"]
        received = self.exchange(version, matching + not_matching)
        self.assertEqual(sorted(received), sorted(not_matching))
        drops = self.counters(version, "INPUT", "DROP")
        self.assertGreater(len(drops), 1)  # the patterns did not fit one program
        self.assertEqual(sum(drops), len(matching))
        # --delete finds the rules whatever interface it would pick now.
        in_ns("bash", script, "--delete", env={"DEFAULTINT": "elsewhere"})
        self.assert_nothing_left(version)

    def check_chain(self, version):
        args = ["-6", "-i", "::1/128"] if version == 6 else ["-i", "127.0.0.1/32"]
        run(os.path.join(BIN, "iptables_bpf_chain"), "-w", "kernel_test", *args, "-a",
            "www.example.com", "-a", "ns1.example.com", "-d", "*.example.com", "-d",
            "*.example.net", cwd=self.dir)
        script = os.path.join(self.dir, "kernel_test_ip%d.sh" % version)
        for _ in range(2):
            in_ns("bash", script, env={"DEFAULTINT": "lo"})
        accepted = ["www.example.com", "NS1.example.COM"]
        dropped = ["mail.example.com", "WWW.Example.NET"]
        others = ["www.example.org", "example.com"]
        received = self.exchange(version, accepted + dropped + others)
        self.assertEqual(sorted(received), sorted(accepted + others))
        self.assertEqual(self.counters(version, "KERNEL_TEST", "ACCEPT"), [1, 1])
        self.assertEqual(self.counters(version, "KERNEL_TEST", "DROP"), [1, 1])
        self.assertEqual(self.counters(version, "INPUT", "KERNEL_TEST"),
                         [len(accepted + dropped + others)])
        in_ns("bash", script, "--delete", env={"DEFAULTINT": "elsewhere"})
        self.assert_nothing_left(version)

    def test_delete_removes_the_rules_of_every_interface_and_only_those(self):
        script = self.deploy(4, name="interfaces")
        in_ns("bash", script, env={"DEFAULTINT": "eth7"})
        set_name = "bpf_dns_ip4_any_example_com"
        # Someone else's rule whose comment reads like ours stays.
        foreign = ["-m", "comment", "--comment", "-m set --match-set %s dst " % set_name,
                   "-j", "ACCEPT"]
        in_ns("iptables-legacy", "-A", "INPUT", *foreign)
        in_ns("bash", script, "--delete", env={"DEFAULTINT": "eth8"})
        rules = [line for line in in_ns("iptables-legacy-save").stdout.splitlines()
                 if line.startswith("-A")]
        self.assertEqual(len(rules), 1)
        self.assertIn("-j ACCEPT", rules[0])
        self.assertEqual(in_ns("ipset", "list").stdout.strip(), "")

    def test_delete_refuses_to_hide_a_set_still_in_use(self):
        script = self.deploy(4, name="in_use")
        set_name = "bpf_dns_ip4_any_example_com"
        in_ns("iptables-legacy", "-A", "FORWARD", "-m", "set", "--match-set", set_name, "dst",
              "-j", "ACCEPT")
        p = in_ns("bash", script, "--delete", env={"DEFAULTINT": "lo"}, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("still uses it", p.stderr.splitlines()[-1])
        self.assertIn(set_name, in_ns("ipset", "list", "-name").stdout.split())

    def test_negated_rule_drops_only_what_does_not_match(self):
        script = self.deploy(4, name="negated", options=["-n"])
        received = self.exchange(4, MATCHING + NOT_MATCHING)
        self.assertEqual(sorted(received), sorted(MATCHING))
        self.assertEqual(self.drop_counter(4), len(NOT_MATCHING))
        in_ns("bash", script, "--delete", env={"DEFAULTINT": "lo"})
        self.assert_nothing_left(4)

    def test_ipv4_matching_queries_dropped_others_delivered(self):
        self.check_family(4)

    def test_ipv6_matching_queries_dropped_others_delivered(self):
        self.check_family(6)

    def test_ipv4_patterns_split_over_rules_all_drop(self):
        self.check_split_rules(4)

    def test_ipv6_patterns_split_over_rules_all_drop(self):
        self.check_split_rules(6)

    def test_ipv4_chain_accepts_before_it_drops(self):
        self.check_chain(4)

    def test_ipv6_chain_accepts_before_it_drops(self):
        self.check_chain(6)


if __name__ == "__main__":
    preflight()
    try:
        unittest.main()
    finally:
        run("ip", "netns", "del", NS, check=False)
