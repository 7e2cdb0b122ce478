// xdp_bpf.cpp: the xdp_bpf command: bpfgen rules (or given xt_bpf bytecode) compiled into one
// XDP program (a chain of them past the verifier's budget), printed, or attached to an
// interface through a BPF link pinned in bpffs, with per-rule counters, atomic replacement
// and a detach that leaves nothing behind (libbpfgen/ebpf/xdp_deployment.h).
#include <cstdio>
#include <string>
#include <vector>

#include "command_line/tool_main.h"
#include "command_line/xdp_command_line.h"
#include "libbpfgen/ebpf/xdp_deployment.h"

namespace {

namespace ebpf = bpfgen::ebpf;

const char* const kHelp =
    R"(usage: xdp_bpf compile [--format asm|c] [-f FILE] RULE...
       xdp_bpf attach IFACE [--mode auto|native|generic] [--count-only] [--pin-dir DIR]
                      [-f FILE] RULE...
       xdp_bpf stats IFACE [--json] [--pin-dir DIR]
       xdp_bpf detach IFACE [--pin-dir DIR]

Compiles rules into an XDP program (eBPF) and attaches it to an interface: rules
run in order, the first that matches drops the packet, and every rule counts the
packets and bytes it matched. `attach` again replaces the rules at once (the link's
program is swapped: no packet goes unfiltered); `detach` removes the program, its
link, its maps and its pins.

A RULE is one argument holding a bpfgen command line, offset 0 implied: the rule
sees the IP packet behind Ethernet and up to two VLAN tags, as iptables' xt_bpf
does. `-o 14` in a rule makes it see the Ethernet frame instead. `--count-only` in
a rule (or for all, before IFACE's rules) only counts its matches. `--dst PREFIX`
(repeatable) and `--dport N` in a rule restrict it to those destinations and to
UDP or TCP to that port, as the iptables scripts' ipset and --dport do. A RULE may
also be `bytecode:N,code jt jf k,...`, an xt_bpf program as bpfgen prints it.
  -f FILE            one rule a line ('#' starts a comment)
  --mode MODE        auto (the driver's hook when it has one), native or generic
  --pin-dir DIR      the bpffs folder of the pins (default /sys/fs/bpf/bpftools_xdp);
                     `ip netns exec` mounts its own /sys: give a path both see
  --format asm|c     compile prints readable eBPF (asm) or struct bpf_insn lines (c)
  --json             stats as {"interface", "rules": [{"rule", "packets", "bytes"}], "passed"}

examples:
  xdp_bpf attach eth0 'dns -- *.example.com' '-6 dns -- -i *.example.com'
  xdp_bpf attach eth0 --count-only 'tcpdump -- udp dst port 53'
  xdp_bpf attach eth0 'dns --dst 192.0.2.0/24 --dport 53 -- *.example.com'
  xdp_bpf stats eth0 --json
  xdp_bpf detach eth0
)";

int run(const bpfgen::XdpCommandLine& line) {
    if (line.help) {
        std::fputs(kHelp, stdout);
    } else if (line.command == "compile") {
        std::fputs(ebpf::format_compiled_xdp(bpfgen::compile_xdp_rules(line), line.format).c_str(),
                   stdout);
    } else if (line.command == "attach") {
        const unsigned index = ebpf::interface_index(line.interface);
        ebpf::attach_xdp_rules(bpfgen::compile_xdp_rules(line), line.rules, line.interface, index,
                               line.mode, line.pin_dir);
    } else if (line.command == "stats") {
        const ebpf::XdpStats stats = ebpf::read_xdp_stats(line.interface, line.pin_dir);
        std::fputs(
            (line.json ? ebpf::format_stats_json(stats) : ebpf::format_stats_table(stats)).c_str(),
            stdout);
    } else {
        ebpf::detach_xdp_rules(line.interface, line.pin_dir);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run(
        "xdp_bpf", [&] { return run(bpfgen::parse_xdp_command_line(argc, argv)); },
        tool_main::UsageHint::SeeHelp);
}
