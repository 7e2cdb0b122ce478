// iptables_script.h: renders the deployment scripts of iptables_bpf and iptables_bpf_chain:
// bash scripts that install (or with --delete remove, with --status show) a chain of xt_bpf
// rules entered from INPUT by the packets to the destinations of an ipset. Each install and
// each removal is one iptables-restore transaction under a lock of the script's own; the set
// and chain names carry a hash of everything the script deploys, so two different scripts
// never share them. Every value from the user reaches the script validated or quoted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "libbpfgen/cbpf/program.h"
#include "libbpfgen/deploy/shell_quote.h"

namespace bpfgen {

// iptables-restore keeps at most 1023 bytes of one argument ("Parameter too long!"): a
// script whose program text is longer adds its rules one iptables call each, while nothing
// jumps to its chain, instead of in the one install transaction.
inline constexpr std::size_t kRestoreMaxArgument = 1023;

// The longest `-m comment` text iptables keeps (XT_MAX_COMMENT_LEN - 1).
inline constexpr std::size_t kMaxIptablesComment = 255;

// Whether a program can be one rule of a script's install transaction: 1 to 64
// instructions and an xt_bpf text iptables-restore takes.
bool fits_restore_rule(const Program& program);

// One xt_bpf rule: a program (1 to 64 instructions, checked by the renderer) and the
// assembly shown in the script's header.
struct BpfRule {
    Program program;
    std::string assembly;
};

struct IptablesBpfScript {
    std::string command_line;  // how the script was generated (shown in a comment)
    std::string file_name;     // the script's own name (shown in the usage comment)
    std::string name_prefix;   // readable start of the set and chain name, e.g. bpf_dns4_x_com
    AddressFamily family = AddressFamily::Inet;
    std::vector<std::string> addresses;  // preset destinations
    bool dns_only = true;                // match `-p udp --dport 53` too
    // `-m comment` text; the renderer refuses one over kMaxIptablesComment bytes or holding
    // a control character.
    std::string comment;
    std::vector<BpfRule> rules;  // DROP rules; one unless the patterns were split
};

struct ChainRule {
    std::optional<Program> program;  // nullopt: matches every packet ("any")
    std::string comment;
    bool accept = false;  // ACCEPT, else DROP
};

struct IptablesBpfChainScript {
    std::string command_line;
    std::string file_name;
    std::string name;  // the user's NAME: 1 to 24 letters, digits, '_' or '-', not a built-in
    AddressFamily family = AddressFamily::Inet;
    std::vector<std::string> addresses;
    std::vector<ChainRule> rules;  // in order: the ACCEPT rules, then the DROP rules
};

// 64-bit FNV-1a of text, written as 8 base-32 characters (its low 40 bits): what keeps a
// shortened name unique.
std::string name_hash(std::string_view text);
inline constexpr std::size_t kNameHashLength = 8;  // name_hash's characters

// The kernel objects a script owns.
struct DeploymentNames {
    std::string set;    // ipset, at most 27 characters (the script stages it as SET_new)
    std::string chain;  // iptables chain, at most 28 characters
};

DeploymentNames deployment_names(const IptablesBpfScript& script);
DeploymentNames deployment_names(const IptablesBpfChainScript& script);

// Both throw UsageError for a value that cannot be made safe (bad address, name, comment),
// Error for a program that cannot be an xt_bpf rule.
std::string render_iptables_bpf_script(const IptablesBpfScript& script);
std::string render_iptables_bpf_chain_script(const IptablesBpfChainScript& script);

}  // namespace bpfgen
