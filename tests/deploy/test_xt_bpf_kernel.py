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

    def deploy(self, version):
        script = os.path.join(self.dir, "rule%d.sh" % version)
        args = ["-6"] if version == 6 else []
        run(os.path.join(BIN, "iptables_bpf"), *args, "-w", script, "dns", "--", "-i",
            "*.example.com")
        address = "::1/128" if version == 6 else "127.0.0.1/32"
        in_ns("bash", script, address, env={"DEFAULTINT": "lo"})
        return script

    def exchange(self, version, names):
        p = in_ns("/usr/bin/python3", "-c", EXCHANGE, str(version), json.dumps(names))
        return json.loads(p.stdout)

    def drop_counter(self, version):
        iptables = "ip6tables-legacy" if version == 6 else "iptables-legacy"
        listing = in_ns(iptables, "-L", "INPUT", "-v", "-x", "-n").stdout
        rules = [line.split() for line in listing.splitlines() if "DROP" in line]
        self.assertEqual(len(rules), 1, listing)
        return int(rules[0][0])

    def check_family(self, version):
        script = self.deploy(version)
        self.deploy(version)  # a second run must not add a second rule
        received = self.exchange(version, MATCHING + NOT_MATCHING)
        self.assertEqual(sorted(received), sorted(NOT_MATCHING))
        self.assertEqual(self.drop_counter(version), len(MATCHING))
        in_ns("bash", script, "--delete", env={"DEFAULTINT": "lo"})
        save = "ip6tables-legacy-save" if version == 6 else "iptables-legacy-save"
        self.assertNotIn("bpf", in_ns(save).stdout)
        self.assertEqual(in_ns("ipset", "list").stdout.strip(), "")
        # With the rule gone, every query arrives.
        self.assertEqual(sorted(self.exchange(version, MATCHING)), sorted(MATCHING))

    def test_ipv4_matching_queries_dropped_others_delivered(self):
        self.check_family(4)

    def test_ipv6_matching_queries_dropped_others_delivered(self):
        self.check_family(6)


if __name__ == "__main__":
    preflight()
    try:
        unittest.main()
    finally:
        run("ip", "netns", "del", NS, check=False)
