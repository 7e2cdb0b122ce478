"""test_xdp_bpf.py: xdp_bpf end to end in the kernel. Two network namespaces of the test's own
joined by a veth; xdp_bpf attaches a dns rule, a tcpdump rule and an IPv6 dns rule to one end
(generic mode, then native; two of them with destination prefixes, one with a port), the other
end sends bounded counts of matching and other UDP packets: every matching packet is dropped,
every other one arrives, and each rule's counter equals what was sent for it. Attaching again
replaces the rules, also under traffic, and detach leaves no pin. Pins belong to one
interface, not to a name: an interface deleted and made again under the same name, and
interfaces of one name in two namespaces sharing the pin folder, each get rules of their own.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploy_namespace import dns_query, run, skip  # noqa: E402

BIN = os.environ.get("BPFTOOLS_BIN", "")
XDP_BPF = os.path.join(BIN, "xdp_bpf")
TAG = "bpftools-xdp-%d" % os.getpid()
RECEIVER_NS, SENDER_NS = TAG + "-rx", TAG + "-tx"
RECEIVER_IF, SENDER_IF = "xdprx%d" % (os.getpid() % 10000), "xdptx%d" % (os.getpid() % 10000)
V4 = ("10.211.0.1", "10.211.0.2")
V6 = ("fd00:211::1", "fd00:211::2")

RULES = ["dns -- *.example.com", "tcpdump --dst 10.211.0.0/16 --dport 9999 -- udp",
         "-6 dns --dst fd00:211::1 -- *.example.org"]

# (family, port, payload, count, rule index that drops it or None)
TRAFFIC = [
    ("4", 53, dns_query("www.example.com").hex(), 5, 0),
    ("4", 53, dns_query("www.example.net").hex(), 4, None),
    ("4", 9999, "01020304", 6, 1),
    ("4", 9998, "01020304", 3, None),
    ("6", 53, dns_query("a.example.org").hex(), 7, 2),
    ("6", 53, dns_query("a.example.com").hex(), 2, None),
]

# Runs in the receiving namespace: listens on every (family, port) of the traffic and prints
# how many of each payload arrived, once nothing more comes.
RECEIVER = r"""
import json, select, socket, sys
wanted = json.loads(sys.argv[1])
sockets = {}
for family, port in {(f, p) for f, p, _ in wanted}:
    s = socket.socket(socket.AF_INET6 if family == "6" else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    if family == "6":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if family == "6" else "0.0.0.0", port))
    sockets[s] = (family, port)
print("ready", flush=True)
counts = {}
while True:
    ready, _, _ = select.select(list(sockets), [], [], 1.5)
    if not ready:
        break
    for s in ready:
        data = s.recv(65535)
        family, port = sockets[s]
        key = "%s/%d/%s" % (family, port, data.hex())
        counts[key] = counts.get(key, 0) + 1
print(json.dumps(counts), flush=True)
"""

SENDER = r"""
import json, socket, sys, time
for family, address, port, payload, count in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET6 if family == "6" else socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(count):
        s.sendto(bytes.fromhex(payload), (address, port))
        time.sleep(0.002)
"""


def in_namespace(namespace, *args, **kwargs):
    # nsenter keeps this mount namespace (ip netns exec would mount its own /sys, hiding pins).
    return run("nsenter", "--net=/run/netns/" + namespace, *args, **kwargs)


class XdpBpfEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip("needs root for network namespaces and bpf()")
        cls.pins = tempfile.mkdtemp(prefix="bpftools-xdp-pins-")
        cls.cleanups = []
        try:
            run("mount", "-t", "bpf", "bpf", cls.pins)
        except subprocess.CalledProcessError as error:
            os.rmdir(cls.pins)
            skip("cannot mount bpffs: " + error.stderr.strip())
        cls.cleanups.append(lambda: (run("umount", cls.pins, check=False), os.rmdir(cls.pins)))
        for namespace in (RECEIVER_NS, SENDER_NS):
            run("ip", "netns", "add", namespace)
            cls.cleanups.append(lambda n=namespace: run("ip", "netns", "del", n, check=False))
        run("ip", "link", "add", RECEIVER_IF, "netns", RECEIVER_NS, "type", "veth", "peer", "name",
            SENDER_IF, "netns", SENDER_NS)
        for namespace, interface, v4, v6 in ((RECEIVER_NS, RECEIVER_IF, V4[0], V6[0]),
                                             (SENDER_NS, SENDER_IF, V4[1], V6[1])):
            in_namespace(namespace, "ip", "addr", "add", v4 + "/24", "dev", interface)
            in_namespace(namespace, "ip", "addr", "add", v6 + "/64", "dev", interface, "nodad")
            in_namespace(namespace, "ip", "link", "set", interface, "up")
            in_namespace(namespace, "ip", "link", "set", "lo", "up")

    @classmethod
    def tearDownClass(cls):
        for cleanup in reversed(cls.cleanups):
            cleanup()

    def xdp_bpf(self, *args, check=True):
        p = in_namespace(RECEIVER_NS, XDP_BPF, *args, "--pin-dir", self.pins, check=False)
        if check and p.returncode != 0:
            raise AssertionError("xdp_bpf %s exited %d: %s" % (args[0], p.returncode,
                                                               p.stderr.strip()))
        return p

    def exchange(self, traffic):
        wanted = [(family, port, payload) for family, port, payload, _, _ in traffic]
        receiver = subprocess.Popen(
            ["nsenter", "--net=/run/netns/" + RECEIVER_NS, sys.executable, "-c", RECEIVER,
             json.dumps(wanted)], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(receiver.stdout.readline().strip(), "ready")
            sends = [(family, V6[0] if family == "6" else V4[0], port, payload, count)
                     for family, port, payload, count, _ in traffic]
            in_namespace(SENDER_NS, sys.executable, "-c", SENDER, json.dumps(sends))
            output, _ = receiver.communicate(timeout=60)
        finally:
            if receiver.poll() is None:
                receiver.kill()
                receiver.wait()
        return json.loads(output)

    def check_mode(self, mode):
        attach = self.xdp_bpf("attach", RECEIVER_IF, "--mode", mode, *RULES, check=False)
        if attach.returncode != 0:
            if mode == "native" and "not supported" in attach.stderr.lower():
                print("skipped native mode: " + attach.stderr.strip())
                return
            self.fail("xdp_bpf attach --mode %s: %s" % (mode, attach.stderr.strip()))
        try:
            received = self.exchange(TRAFFIC)
            for family, port, payload, count, rule in TRAFFIC:
                arrived = received.get("%s/%d/%s" % (family, port, payload), 0)
                self.assertEqual(arrived, 0 if rule is not None else count,
                                 "%s mode, IPv%s port %d %s" % (mode, family, port, payload))
            stats = json.loads(self.xdp_bpf("stats", RECEIVER_IF, "--json").stdout)
            self.assertEqual(stats["interface"], RECEIVER_IF)
            self.assertEqual([r["rule"] for r in stats["rules"]], RULES)
            for index in range(len(RULES)):
                sent = sum(count for _, _, _, count, rule in TRAFFIC if rule == index)
                self.assertEqual(stats["rules"][index]["packets"], sent, RULES[index])
            delivered = sum(count for _, _, _, count, rule in TRAFFIC if rule is None)
            self.assertGreaterEqual(stats["passed"], delivered)  # ARP and ND pass too

            # Attach again: the new rules replace the old ones at once.
            self.xdp_bpf("attach", RECEIVER_IF, "tcpdump -- udp dst port 9998")
            received = self.exchange(TRAFFIC)
            for family, port, payload, count, _ in TRAFFIC:
                arrived = received.get("%s/%d/%s" % (family, port, payload), 0)
                self.assertEqual(arrived, 0 if port == 9998 else count,
                                 "replaced rules, %s mode, port %d" % (mode, port))
            stats = json.loads(self.xdp_bpf("stats", RECEIVER_IF, "--json").stdout)
            self.assertEqual(stats["rules"], [{"rule": "tcpdump -- udp dst port 9998",
                                               "packets": 3, "bytes": stats["rules"][0]["bytes"]}])
            self.assertEqual(stats["rules"][0]["bytes"], 3 * (14 + 20 + 8 + 4))
        finally:
            self.xdp_bpf("detach", RECEIVER_IF, check=False)
        # Nothing left: no pin, no program on the interface.
        self.assertEqual(os.listdir(self.pins), [n for n in os.listdir(self.pins)
                                                 if n.endswith(".debug")])
        for _ in range(50):
            link = in_namespace(RECEIVER_NS, "ip", "link", "show", RECEIVER_IF).stdout
            if "prog/xdp" not in link:
                break
            time.sleep(0.1)
        self.assertNotIn("prog/xdp", link)
        detach = self.xdp_bpf("detach", RECEIVER_IF, check=False)
        self.assertEqual(detach.returncode, 1)
        self.assertEqual(len(detach.stderr.strip().splitlines()), 1)

    def test_generic_mode(self):
        self.check_mode("generic")

    def test_native_mode(self):
        self.check_mode("native")

    def test_replace_under_traffic(self):
        # Both rule sets drop port 9999 and pass port 9998, in different programs: were there
        # a moment with no program while one replaces the other, a 9999 packet would arrive.
        sets = [["tcpdump -- udp dst port 9999"],
                ["dns -- *.example.com", "bytecode:6,48 0 0 9,21 0 3 17,40 0 0 22,21 0 1 9999,"
                 "6 0 0 65535,6 0 0 0,"]]
        self.xdp_bpf("attach", RECEIVER_IF, "--mode", "generic", *sets[0])
        try:
            traffic = [("4", 9999, "0a0b", 1500, 0), ("4", 9998, "0a0b", 500, None)]
            wanted = [(family, port, payload) for family, port, payload, _, _ in traffic]
            receiver = subprocess.Popen(
                ["nsenter", "--net=/run/netns/" + RECEIVER_NS, sys.executable, "-c", RECEIVER,
                 json.dumps(wanted)], stdout=subprocess.PIPE, text=True)
            try:
                self.assertEqual(receiver.stdout.readline().strip(), "ready")
                # Interleaved: 3 to port 9999, then 1 to port 9998, 500 times.
                sends = []
                for _ in range(500):
                    sends += [("4", V4[0], 9999, "0a0b", 3), ("4", V4[0], 9998, "0a0b", 1)]
                sender = subprocess.Popen(
                    ["nsenter", "--net=/run/netns/" + SENDER_NS, sys.executable, "-c", SENDER,
                     json.dumps(sends)])
                swaps = 0
                while sender.poll() is None and swaps < 40:
                    swaps += 1
                    self.xdp_bpf("attach", RECEIVER_IF, *sets[swaps % 2])
                self.assertEqual(sender.wait(timeout=120), 0)
                output, _ = receiver.communicate(timeout=60)
            finally:
                for process in (receiver,):
                    if process.poll() is None:
                        process.kill()
                        process.wait()
            received = json.loads(output)
            print("replaced the rules %d times under traffic" % swaps)
            self.assertGreater(swaps, 3)
            self.assertEqual(received.get("4/9999/0a0b", 0), 0)
            self.assertEqual(received.get("4/9998/0a0b", 0), 500)
        finally:
            self.xdp_bpf("detach", RECEIVER_IF, check=False)

    def same_name_pair(self, name):
        """A veth pair whose two ends are both called `name`, one in each namespace."""
        run("ip", "link", "add", name, "netns", RECEIVER_NS, "type", "veth", "peer", "name", name,
            "netns", SENDER_NS)
        for namespace in (RECEIVER_NS, SENDER_NS):
            in_namespace(namespace, "ip", "link", "set", name, "up")

    def stats_in(self, namespace, interface):
        p = in_namespace(namespace, XDP_BPF, "stats", interface, "--json", "--pin-dir", self.pins,
                         check=False)
        return p.returncode, json.loads(p.stdout) if p.returncode == 0 else p.stderr.strip()

    def test_a_recreated_interface_of_the_same_name_gets_rules_of_its_own(self):
        name = "xdpre%d" % (os.getpid() % 10000)
        self.same_name_pair(name)
        self.xdp_bpf("attach", name, "--mode", "generic", "dns -- *.example.com")
        # The interface goes (and its program with it); another comes under the same name.
        in_namespace(RECEIVER_NS, "ip", "link", "del", name)
        code, message = self.stats_in(RECEIVER_NS, name)
        self.assertEqual(code, 1, message)
        self.same_name_pair(name)
        try:
            self.xdp_bpf("attach", name, "--mode", "generic", "tcpdump -- udp")
            link = in_namespace(RECEIVER_NS, "ip", "link", "show", name).stdout
            self.assertIn("prog/xdp", link)
            code, stats = self.stats_in(RECEIVER_NS, name)
            self.assertEqual(code, 0, stats)
            self.assertEqual([r["rule"] for r in stats["rules"]], ["tcpdump -- udp"])
        finally:
            self.xdp_bpf("detach", name, check=False)
            in_namespace(RECEIVER_NS, "ip", "link", "del", name, check=False)
        # The first interface's pins went with the second's detach: nothing is left.
        self.assertEqual([n for n in os.listdir(self.pins) if not n.endswith(".debug")], [])

    def test_one_name_in_two_namespaces_keeps_two_rule_sets(self):
        name = "xdpns%d" % (os.getpid() % 10000)
        self.same_name_pair(name)
        try:
            for namespace, rule in ((RECEIVER_NS, "dns -- *.example.com"),
                                    (SENDER_NS, "tcpdump -- udp")):
                p = in_namespace(namespace, XDP_BPF, "attach", name, "--mode", "generic", rule,
                                 "--pin-dir", self.pins, check=False)
                self.assertEqual(p.returncode, 0, p.stderr)
            for namespace, rule in ((RECEIVER_NS, "dns -- *.example.com"),
                                    (SENDER_NS, "tcpdump -- udp")):
                code, stats = self.stats_in(namespace, name)
                self.assertEqual(code, 0, stats)
                self.assertEqual([r["rule"] for r in stats["rules"]], [rule], namespace)
                self.assertIn("prog/xdp", in_namespace(namespace, "ip", "link", "show",
                                                       name).stdout)
            for namespace in (RECEIVER_NS, SENDER_NS):
                p = in_namespace(namespace, XDP_BPF, "detach", name, "--pin-dir", self.pins,
                                 check=False)
                self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            in_namespace(RECEIVER_NS, "ip", "link", "del", name, check=False)
        self.assertEqual([n for n in os.listdir(self.pins) if not n.endswith(".debug")], [])

    def test_an_interface_name_with_a_dot(self):
        # bpffs refuses names with a dot, which interface names may hold (eth0.10).
        name = "xd%d.7" % (os.getpid() % 10000)
        self.same_name_pair(name)
        try:
            self.xdp_bpf("attach", name, "--mode", "generic", "dns -- *.example.com")
            code, stats = self.stats_in(RECEIVER_NS, name)
            self.assertEqual(code, 0, stats)
            self.assertEqual(stats["interface"], name)
            self.xdp_bpf("detach", name)
        finally:
            in_namespace(RECEIVER_NS, "ip", "link", "del", name, check=False)
        self.assertEqual([n for n in os.listdir(self.pins) if not n.endswith(".debug")], [])

    def test_usage_errors_exit_2(self):
        for args in (["attach"], ["frobnicate"], ["compile"], ["stats", "x", "extra"]):
            p = run(XDP_BPF, *args, check=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)


if __name__ == "__main__":
    unittest.main()
