// xdp_rules.h: one rule of xdp_bpf made into an XDP rule: a generator run (offset 0, the IP
// packet, or 14, the Ethernet frame) or a given xt_bpf program, with its action and the
// destinations and port it is restricted to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace bpfgen {

// A rule's command line, parsed (command_line/xdp_command_line.h does that part).
struct XdpRuleRequest {
    std::string text;  // the rule as the user gave it: its name in messages and counters
    std::string generator;
    std::vector<std::string> generator_args;
    GeneratorOptions options;               // l3_offset is set from `offset`
    std::string offset = "0";               // "0" or "14"
    std::vector<std::string> destinations;  // --dst PREFIX
    std::vector<std::string> ports;         // --dport N: the last one counts
    bool count_only = false;
};

// Runs the generator and makes its program an XDP rule. Throws UsageError naming the rule
// for an offset other than 0 or 14, a bad prefix or port, or destinations on an offset-14
// rule, and what generate() throws.
ebpf::XdpRule make_xdp_rule(const XdpRuleRequest& request);

// `bytecode:N,code jt jf k,...`: an xt_bpf program as bpfgen prints it, a network rule.
// Throws what parse_xt_bpf and the checker throw.
ebpf::XdpRule xdp_rule_from_bytecode(const std::string& text, bool count_only);

// "192.0.2.0/24", "2001:db8::/32", or an address alone (the whole address). Throws
// UsageError naming the rule and the text.
ebpf::DestinationPrefix parse_destination_prefix(const std::string& rule, const std::string& text);

// A decimal port, 0-65535. Throws UsageError naming the rule and the text.
uint16_t parse_destination_port(const std::string& rule, const std::string& text);

}  // namespace bpfgen
