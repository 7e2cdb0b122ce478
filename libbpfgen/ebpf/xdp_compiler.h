// xdp_compiler.h: checked classic BPF rules compiled into one eBPF XDP program the kernel's
// verifier accepts. Rules run in order and the first drop wins; each rule's matches are
// counted per CPU in the "counters" map (one {packets, bytes} slot per rule, then one for
// the packets passed). The program is built as instructions with labels (instruction.h);
// loading it is loader.h's job.
//
// Two layouts of a rule:
// - Network: the xt_bpf form (offset 0). The program finds the IP header after Ethernet and
//   up to two VLAN tags (0x8100, 0x88a8, 0x9100), requires the IP version to match the
//   ethertype, and shows the rule the IP packet cut to the length its header states, which
//   `ld #len` gives: the semantics of packet_filter.h's network layer. A frame without IP
//   matches no network rule.
// - LinkLayer: the frame as is, from its Ethernet header (offset 14 rules); `len` is the
//   frame's length.
// A load past the end of what the rule sees, and A / X or A % X with X == 0, end the rule
// with verdict 0 (no match), as the kernel's classic BPF does. Loads ending past byte
// 0xffbf never match (no linear XDP frame is that long).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/ebpf/instruction.h"

namespace bpfgen::ebpf {

enum class RuleLayer { Network, LinkLayer };
enum class RuleAction {
    Drop,   // a match is counted and dropped; later rules do not see it
    Count,  // a match is counted only (a dry run); later rules still run
};

// A destination prefix: 4 (IPv4) or 16 (IPv6) address bytes and the prefix length.
struct DestinationPrefix {
    std::vector<uint8_t> address;
    unsigned length = 0;
};

struct XdpRule {
    XdpRule(std::string rule_name, CheckedProgram rule_program,
            RuleLayer rule_layer = RuleLayer::Network, RuleAction rule_action = RuleAction::Drop)
        : name(std::move(rule_name)),
          program(std::move(rule_program)),
          layer(rule_layer),
          action(rule_action) {}

    std::string name;  // for messages: the rule as the user gave it
    CheckedProgram program;
    RuleLayer layer = RuleLayer::Network;
    RuleAction action = RuleAction::Drop;
    // Network rules only, checked before the program (the iptables scripts' ipset and
    // --dport): the packet's destination must be in one of these prefixes (any when none),
    // and it must be UDP or TCP to this port (IPv6: right behind the fixed header).
    std::vector<DestinationPrefix> destinations;
    std::optional<uint16_t> destination_port;
};

// XDP return codes.
inline constexpr int kXdpAborted = 0;
inline constexpr int kXdpDrop = 1;
inline constexpr int kXdpPass = 2;

// The map the program counts in: a per-CPU array of CounterSlot, rules.size() + 1 entries.
inline constexpr const char* kCountersMap = "counters";
struct CounterSlot {
    uint64_t packets = 0;
    uint64_t bytes = 0;  // frame bytes, link-layer header included
};

// The program array that chains the programs (BPF_MAP_TYPE_PROG_ARRAY, one per program).
inline constexpr const char* kChainMap = "chain";

// The verifier explores every branch of a program, and keeps the branches it has still to
// explore on a stack of at most 8192: about 900 dns rules. Rules past a program's budget go
// to the next program, which the previous one tail-calls when no rule dropped the frame.
struct CompiledXdp {
    std::vector<Program> programs;        // programs[0] is the one attached
    std::vector<std::size_t> first_rule;  // the first rule of each program
    std::size_t rule_count = 0;
    // The label of the first instruction of each rule ("rule N"), to tell which rule an
    // instruction belongs to.
    static std::string rule_label(std::size_t rule);
};

// Throws Error naming the rule (by its name) and the cBPF instruction for a load with no
// meaning in XDP, or for destinations or a port on a link-layer rule, or a bad prefix: an ancillary
// load (SKF_AD_*) or one relative to the network or link-layer header (SKF_NET_OFF, SKF_LL_OFF).
CompiledXdp compile_xdp(const std::vector<XdpRule>& rules);

}  // namespace bpfgen::ebpf
