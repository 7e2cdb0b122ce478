"""deploy_namespace.py: the real-kernel side of the deployment tests: a network namespace of
the test's own (loopback only), the tools that generate scripts, UDP exchanges on port 53
inside the namespace, and what both iptables backends and ipset hold there.
"""
import json
import os
import re
import shutil
import subprocess
import sys

BIN = os.environ.get("BPFTOOLS_BIN", "")

# Runs inside the namespace: a listener on port 53 and one client socket per payload (its
# source port tells which payload arrived); prints the indices received, as JSON.
EXCHANGE = r"""
import json, socket, sys
family = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
address = "::1" if sys.argv[1] == "6" else "127.0.0.1"
payloads = [bytes.fromhex(p) for p in json.loads(sys.stdin.read())]
listener = socket.socket(family, socket.SOCK_DGRAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
listener.bind((address, 53))
listener.settimeout(0.5)
ports = {}
clients = []
for i, payload in enumerate(payloads):
    client = socket.socket(family, socket.SOCK_DGRAM)
    client.bind((address, 0))
    ports[client.getsockname()[1]] = i
    client.sendto(payload, (address, 53))
    clients.append(client)
received = []
try:
    while len(received) < len(payloads):
        _, source = listener.recvfrom(65535)
        received.append(ports[source[1]])
except socket.timeout:
    pass
print(json.dumps(sorted(received)))
"""


def run(*args, check=True, timeout=300, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          check=check, **kwargs)


def skip(reason):
    print("skipped: " + reason)
    sys.exit(77)


def dns_query(name, qtype=1, ident=0):
    """A DNS query for name (dots between labels) as bytes."""
    qname = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".") if label)
    return (ident.to_bytes(2, "big") + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + qname +
            b"\x00" + qtype.to_bytes(2, "big") + b"\x00\x01")


def generate(tool, *args, cwd):
    """Runs a generating tool in cwd; returns its completed process, raises with its stderr."""
    p = run(os.path.join(BIN, tool), *args, cwd=cwd, check=False)
    if p.returncode != 0:
        raise AssertionError("%s (%d arguments) exited %d: %s" % (tool, len(args), p.returncode,
                                                                  p.stderr.strip()))
    return p


def script_value(script, name):
    """A NAME='value' line of a generated script."""
    with open(script) as f:
        match = re.search(r"^%s='?([^'\n]*)'?$" % name, f.read(), re.MULTILINE)
    return match.group(1)


def iptables(version, backend):
    return ("iptables-" if version == 4 else "ip6tables-") + backend


def remove_namespaces_of_killed_runs():
    """A run killed outright (a CTest timeout sends SIGKILL) cannot remove its namespace:
    the next run removes those whose process is gone (the namespace's name ends in it)."""
    listed = run("ip", "netns", "list", check=False).stdout.split("\n")
    for line in listed:
        match = re.match(r"^(bpftools-[a-z0-9_]+-(\d+))(\s|$)", line)
        if not match:
            continue
        try:
            os.kill(int(match.group(2)), 0)
        except ProcessLookupError:
            print("removing the namespace %s of a run that was killed" % match.group(1))
            run("ip", "netns", "del", match.group(1), check=False)
        except PermissionError:
            pass


class Namespace:
    """A network namespace with loopback up; removed by delete() whatever it holds."""

    def __init__(self, tag):
        self.name = "bpftools-%s-%d" % (tag, os.getpid())

    def create(self):
        remove_namespaces_of_killed_runs()
        run("ip", "netns", "add", self.name)
        try:
            self.run("ip", "link", "set", "lo", "up")
        except BaseException:
            self.delete()
            raise

    def delete(self):
        run("ip", "netns", "del", self.name, check=False)

    def command(self, args, env=None):
        prefix = ["ip", "netns", "exec", self.name]
        if env:
            prefix += ["env"] + ["%s=%s" % kv for kv in env.items()]
        return prefix + list(args)

    def run(self, *args, check=True, env=None, timeout=300, input=None):
        return run(*self.command(args, env), check=check, timeout=timeout, input=input)

    def popen(self, args, env=None):
        """A process in a session of its own, so that the whole group can be killed."""
        return subprocess.Popen(self.command(args, env), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def exchange(self, version, payloads):
        """Sends each payload to port 53 on loopback; the indices of those received."""
        p = self.run("/usr/bin/python3", "-c", EXCHANGE, str(version),
                     input=json.dumps([payload.hex() for payload in payloads]))
        return json.loads(p.stdout)

    def delivered_names(self, version, names):
        received = self.exchange(version, [dns_query(name) for name in names])
        return sorted(names[i] for i in received)

    def has_legacy_table(self, version):
        names = "/proc/net/ip_tables_names" if version == 4 else "/proc/net/ip6_tables_names"
        return "filter" in self.run("cat", names, check=False).stdout.split()

    def save(self, version, backend):
        """The chain declarations and rules of the filter table, counters left out."""
        if backend == "legacy" and not self.has_legacy_table(version):
            return []
        listing = self.run(iptables(version, backend) + "-save", "-t", "filter").stdout
        return [re.sub(r" \[\d+:\d+\]$", "", line) for line in listing.splitlines()
                if line.startswith(("-A", ":"))]

    def sets(self):
        return sorted(self.run("ipset", "list", "-n").stdout.split())

    def clean(self):
        """Removes every rule, chain and set, in both backends and families."""
        for version in (4, 6):
            for backend in ("nft", "legacy"):
                if backend == "legacy" and not self.has_legacy_table(version):
                    continue
                for verb in ("-F", "-X"):
                    self.run(iptables(version, backend), "-w", verb, check=False)
        self.run("ipset", "destroy", check=False)

    def state(self, version, backend, script):
        """'none', 'all' or a description of what is partial, for the script's rules."""
        chain = script_value(script, "CHAIN")
        count = int(script_value(script, "RULE_COUNT"))
        lines = self.save(version, backend)
        declared = (":%s -" % chain) in lines
        rules = [line for line in lines if line.startswith("-A %s " % chain)]
        jumps = [line for line in lines
                 if line.startswith("-A INPUT ") and line.endswith(" -j " + chain)]
        if not declared and not rules and not jumps:
            return "none"
        if declared and len(rules) == count and len(jumps) == 1:
            return "all"
        return "partial: chain %s, %d of %d rules, %d jumps" % (declared, len(rules), count,
                                                              len(jumps))


def preflight(ns):
    """Skips (exit 77) unless root, the tools and the kernel's xt_bpf and ipset are here."""
    if os.geteuid() != 0:
        skip("needs root for network namespaces and iptables")
    for tool in ("ip", "iptables-nft", "iptables-legacy", "ip6tables-nft", "ip6tables-legacy",
                 "iptables-nft-restore", "iptables-legacy-restore", "ipset", "flock"):
        if shutil.which(tool) is None:
            skip("%s is not installed" % tool)
    if not os.path.exists(os.path.join(BIN, "iptables_bpf")):
        skip("iptables_bpf is not built in BPFTOOLS_BIN")
    ns.create()
    try:
        accepted = []
        for backend in ("nft", "legacy"):
            probe = ns.run(iptables(4, backend), "-A", "INPUT", "-m", "bpf", "--bytecode",
                           "1,6 0 0 65535", "-j", "ACCEPT", check=False)
            if probe.returncode == 0:
                accepted.append(backend)
        if not accepted:
            skip("neither iptables backend takes an xt_bpf rule on this kernel")
        probe = ns.run("ipset", "create", "bpftools-probe", "hash:net", check=False)
        if probe.returncode != 0:
            skip("ipset cannot create a hash:net set: " + probe.stderr.strip())
        ns.clean()
        # Looking at a legacy table creates it; start without one.
        ns.delete()
        ns.create()
        return accepted
    except BaseException:
        ns.delete()
        raise
