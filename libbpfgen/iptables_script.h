// iptables_script.h: renders the deployment scripts of iptables_bpf and iptables_bpf_chain:
// bash scripts that add (or with --delete remove) xt_bpf DROP/ACCEPT rules for the
// destinations held in an ipset. Every value from the user reaches the script validated
// or single-quoted (libbpfgen/shell_quote.h); the scripts prefer iptables-legacy, since
// the nf_tables iptables refuses `-m bpf`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libbpfgen/program.h"
#include "libbpfgen/shell_quote.h"

namespace bpfgen {

// One xt_bpf rule: a program (at most 64 instructions, checked by the caller) and the
// assembly shown in the script's header.
struct BpfRule {
    Program program;
    std::string assembly;
};

struct IptablesBpfScript {
    std::string command_line;  // how the script was generated (shown in a comment)
    std::string file_name;     // the script's own name (shown in the usage comment)
    std::string set_name;      // ipset name, <= 31 identifier characters
    AddressFamily family = AddressFamily::Inet;
    std::vector<std::string> addresses;  // preset destinations
    bool dns_only = true;                // match `-p udp --dport 53` too
    std::string comment;                 // `-m comment` text (printable, <= 255 bytes)
    std::vector<BpfRule> rules;          // DROP rules; one unless the patterns were split
};

struct ChainRule {
    std::optional<Program> program;  // nullopt: matches every packet ("any")
    std::string comment;
    bool accept = false;  // ACCEPT, else DROP
};

struct IptablesBpfChainScript {
    std::string command_line;
    std::string file_name;
    std::string set_name;
    std::string chain;
    AddressFamily family = AddressFamily::Inet;
    std::vector<std::string> addresses;
    std::vector<ChainRule> rules;  // in order: the ACCEPT rules, then the DROP rules
};

// Both throw UsageError for a value that cannot be made safe (bad address, name, comment).
std::string render_iptables_bpf_script(const IptablesBpfScript& script);
std::string render_iptables_bpf_chain_script(const IptablesBpfChainScript& script);

}  // namespace bpfgen
