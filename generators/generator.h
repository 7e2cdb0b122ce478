// generator.h: the generators' common interface and registry. A generator turns an attack
// description (its own arguments, as the original bpftools took them after `--`) into a
// cBPF program at a given L3 offset, plus the annotated assembly that bpfgen -s prints.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

struct GeneratorOptions {
    uint32_t l3_offset = 0;  // 0: xt_bpf (IP header first), 14 Ethernet, 16 SLL, 18 VLAN, 20 SLL2
    int ip_version = 4;      // 4 or 6
    bool negate = false;     // match everything the rule would not match
    bool optimize = false;   // -O: a shorter, faster program, same matches (dns)
};

struct GeneratedProgram {
    std::string name;      // short name derived from the arguments (iptables_bpf file names)
    std::string assembly;  // what the original's bpfgen -s printed, comments included
    Program program;       // what the original's bpfgen printed, as instructions
};

using GenerateFunction = GeneratedProgram (*)(const std::vector<std::string>& args,
                                              const GeneratorOptions& options);

// What a generator prints instead of a program when its arguments ask (p0f's --list), or
// "" when they ask for a program.
using InformationFunction = std::string (*)(const std::vector<std::string>& args);

// The IP versions of the programs a run makes at offset 0, when its arguments may say (p0f's
// signatures carry their version), given the options (-6's version).
using IpVersionsFunction = std::vector<int> (*)(const std::vector<std::string>& args,
                                                const GeneratorOptions& options);

struct XtBpfRules;  // generators/xt_bpf_rules.h

// How a generator whose run may be too long for one xt_bpf program splits it into several
// rules whose union matches what the run matches (generators/xt_bpf_rules.h).
using XtBpfSplitFunction = XtBpfRules (*)(const std::vector<std::string>& args,
                                          const GeneratorOptions& options);

struct GeneratorInfo {
    std::string_view name;
    std::string_view summary;  // one line for bpfgen --help
    std::string_view help;     // `bpfgen NAME -- --help`: usage, semantics, examples
    GenerateFunction generate;
    // Whether every packet the generator's rules match is a DNS query over UDP: then a
    // deployment also matches `-p udp --dport 53`, so the program runs on those alone.
    bool dns_queries_only = false;
    InformationFunction information = nullptr;
    // nullptr: the run is one xt_bpf rule or none (a program over 64 instructions is refused).
    XtBpfSplitFunction split_xt_bpf_rules = nullptr;
    // nullptr: a run's programs are for options.ip_version alone. A deployment makes one
    // script per version (iptables for IPv4, ip6tables for IPv6).
    IpVersionsFunction ip_versions = nullptr;
};

std::span<const GeneratorInfo> generators();
const GeneratorInfo* find_generator(std::string_view name);
// "dns, dns_validate, ...": the generators' names for messages, in registry order.
std::string generator_names();

// The largest l3_offset a command line may ask for.
inline constexpr uint32_t kMaxL3Offset = 65535;

// An l3_offset given as decimal bytes (-o N). Throws UsageError naming the text and the range.
uint32_t parse_l3_offset(std::string_view text);

// The l3_offset of a link layer given by name (--l2): raw 0, ether 14, sll 16, vlan 18,
// sll2 20.
// Throws UsageError naming the text and the names.
uint32_t l3_offset_of_link_layer(std::string_view name);

// Throws UsageError for an unknown generator or bad arguments (the message names the
// generator and the bad input), Error for anything else that goes wrong.
GeneratedProgram generate(std::string_view generator, const std::vector<std::string>& args,
                          const GeneratorOptions& options);

// The text the generator's arguments ask for instead of a program (p0f -- --list), or "".
// Throws as generate() does.
std::string generator_information(std::string_view generator, const std::vector<std::string>& args);

// Throws the UsageError generate() throws for options no generator takes (an IP version other
// than 4 or 6), for callers that use a generator's own parts (DnsPatterns) instead.
void check_generator_options(const GeneratorOptions& options);

}  // namespace bpfgen
