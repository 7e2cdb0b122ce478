// xdp_rules.cpp: xdp_bpf's rules made from generator runs or given bytecode.
#include "generators/xdp_rules.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {

namespace {

ebpf::RuleAction action_of(bool count_only) {
    return count_only ? ebpf::RuleAction::Count : ebpf::RuleAction::Drop;
}

}  // namespace

ebpf::DestinationPrefix parse_destination_prefix(const std::string& rule, const std::string& text) {
    const std::size_t slash = text.find('/');
    const std::string address = text.substr(0, slash);
    ebpf::DestinationPrefix prefix;
    uint8_t bytes[16];
    if (::inet_pton(AF_INET, address.c_str(), bytes) == 1) {
        prefix.address.assign(bytes, bytes + 4);
    } else if (::inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
        prefix.address.assign(bytes, bytes + 16);
    } else {
        throw UsageError(fmt::format("rule {}: --dst {} is no IPv4 or IPv6 address or prefix",
                                     quote_for_message(rule), quote_for_message(text)));
    }
    prefix.length = static_cast<unsigned>(prefix.address.size() * 8);
    if (slash != std::string::npos) {
        const std::string length = text.substr(slash + 1);
        if (length.empty() || length.size() > 3 ||
            length.find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(length) > prefix.address.size() * 8) {
            throw UsageError(fmt::format("rule {}: --dst {} has a bad prefix length",
                                         quote_for_message(rule), quote_for_message(text)));
        }
        prefix.length = static_cast<unsigned>(std::stoul(length));
    }
    return prefix;
}

uint16_t parse_destination_port(const std::string& rule, const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoul(text) > 65535) {
        throw UsageError(fmt::format("rule {}: --dport {} is no port number (0-65535)",
                                     quote_for_message(rule), quote_for_message(text)));
    }
    return static_cast<uint16_t>(std::stoul(text));
}

ebpf::XdpRule xdp_rule_from_bytecode(const std::string& text, bool count_only) {
    Program program = parse_xt_bpf(text.substr(text.find(':') + 1));
    return ebpf::XdpRule{text, CheckedProgram(std::move(program), Engine::Interpreter),
                         ebpf::RuleLayer::Network, action_of(count_only)};
}

ebpf::XdpRule make_xdp_rule(const XdpRuleRequest& request) {
    const std::string& text = request.text;
    if (request.offset != "0" && request.offset != "14") {
        throw UsageError(
            fmt::format("rule {}: offset {} (an XDP rule sees the IP packet, 0, or the "
                        "Ethernet frame, 14)",
                        quote_for_message(text), quote_for_message(request.offset)));
    }
    GeneratorOptions options = request.options;
    options.l3_offset = request.offset == "14" ? 14 : 0;
    GeneratedProgram generated = generate(request.generator, request.generator_args, options);
    ebpf::XdpRule rule{
        text, CheckedProgram(std::move(generated.program), Engine::Interpreter),
        request.offset == "14" ? ebpf::RuleLayer::LinkLayer : ebpf::RuleLayer::Network,
        action_of(request.count_only)};
    for (const std::string& destination : request.destinations) {
        rule.destinations.push_back(parse_destination_prefix(text, destination));
    }
    if (!request.ports.empty()) {
        rule.destination_port = parse_destination_port(text, request.ports.back());
    }
    if (rule.layer == ebpf::RuleLayer::LinkLayer &&
        (!request.destinations.empty() || !request.ports.empty())) {
        throw UsageError(
            fmt::format("rule {}: --dst and --dport need offset 0", quote_for_message(text)));
    }
    return rule;
}

}  // namespace bpfgen
