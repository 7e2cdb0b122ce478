// tcpdump.h: the 'tcpdump' generator (see kTcpdumpHelp in tcpdump.cpp for what it matches),
// and the compilation path it shares with the 'p0f' generator.
#pragma once

#include <string>
#include <string_view>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kTcpdumpHelp;

GeneratedProgram generate_tcpdump(const std::vector<std::string>& args,
                                  const GeneratorOptions& options);

// Compiles a pcap-filter expression with libpcap for the link type the L3 offset implies
// (0: raw IPv4 or IPv6 by options.ip_version, 14 Ethernet, 16 Linux cooked, 18 Ethernet
// with the expression wrapped in `vlan and (...)`, 20 Linux cooked v2), negated first
// when asked, and writes the original's `bpfgen -s` text for it. Throws UsageError, its
// message starting with generator_name, for an unsupported offset or an expression libpcap refuses.
GeneratedProgram compile_tcpdump_expression(std::string_view generator_name,
                                            const std::string& expression,
                                            const GeneratorOptions& options);

}  // namespace bpfgen
