// rule_offset.cpp: the L3 offset a program's loads show, and the warning when it cannot fit
// a capture's link type (see rule_offset.h).
#include "libbpfgen/capture/rule_offset.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/link_type_names.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

namespace {

// Packet offsets a capture can hold; above, `ldh [K]` is an ancillary load (SKF_AD_OFF...).
constexpr uint32_t kLargestPacketOffset = 0xffff;

// Where Linux cooked v2 keeps its protocol type: first, unlike every other link layer.
constexpr uint32_t kSll2ProtocolOffset = 0;
constexpr uint32_t kSll2HeaderLength = 20;

constexpr uint16_t kLoadHalfAbsolute = op::kLd | op::kH | op::kAbs;
constexpr uint16_t kLoadIpv4HeaderLength = op::kLdx | op::kB | op::kMsh;
constexpr uint16_t kJumpIfEqualConstant = op::kJmp | op::kJeq | op::kK;

// Whether the jumps that follow a `ldh [K]` (conditional jumps on A against constants and
// `ja`, which leave A as it is), along the paths they take, compare the loaded half-word
// with IPv4's or IPv6's ethertype.
bool compares_with_ip_ethertype(const Program& program, std::size_t load) {
    std::vector<bool> visited(program.size(), false);
    std::vector<std::size_t> next{load + 1};
    while (!next.empty()) {
        const std::size_t at = next.back();
        next.pop_back();
        if (at >= program.size() || visited[at]) continue;
        visited[at] = true;
        const Instruction& instruction = program[at];
        if (!instruction.is_jump()) continue;
        if (!instruction.is_conditional_jump()) {
            next.push_back(at + 1 + instruction.k);
            continue;
        }
        if (op::src(instruction.code) != op::kK) continue;
        if (instruction.code == kJumpIfEqualConstant &&
            (instruction.k == ethertype::kIpv4 || instruction.k == ethertype::kIpv6)) {
            return true;
        }
        next.push_back(at + 1 + instruction.jt);
        next.push_back(at + 1 + instruction.jf);
    }
    return false;
}

std::string offsets_text(const std::vector<uint32_t>& offsets) {
    std::string text = fmt::format("at byte {}", offsets.front());
    if (offsets.size() > 1) {
        text += " (";
        for (std::size_t i = 1; i < offsets.size(); ++i) {
            text += fmt::format("{}{}", i == 1 ? "" : ", ", offsets[i]);
        }
        text += " behind VLAN tags)";
    }
    return text;
}

}  // namespace

std::optional<uint32_t> l3_offset_of_program(const Program& program) {
    std::optional<uint32_t> shown;
    bool disagree = false;
    const auto show = [&](uint32_t offset) {
        if (shown && *shown != offset) disagree = true;
        shown = offset;
    };
    for (std::size_t i = 0; i < program.size(); ++i) {
        const Instruction& instruction = program[i];
        if (instruction.code == kLoadIpv4HeaderLength && instruction.k <= kLargestPacketOffset) {
            show(instruction.k);
        } else if (instruction.code == kLoadHalfAbsolute && instruction.k <= kLargestPacketOffset &&
                   compares_with_ip_ethertype(program, i)) {
            show(instruction.k == kSll2ProtocolOffset ? kSll2HeaderLength : instruction.k + 2);
        }
    }
    if (disagree) return std::nullopt;
    return shown;
}

std::vector<uint32_t> l3_offsets_of_link_type(int link_type, FilterLayer layer) {
    if (layer == FilterLayer::Network) return {0};
    switch (link_type) {
        case linktype::kEthernet:
            return {14, 18, 22};
        case linktype::kLinuxSll:
            return {16};
        case linktype::kLinuxSll2:
            return {kSll2HeaderLength};
        case linktype::kRaw:
        case linktype::kIpv4:
        case linktype::kIpv6:
            return {0};
        case linktype::kNull:
        case linktype::kLoop:
            return {4};
        default:
            return {};
    }
}

std::optional<std::string> l3_offset_mismatch(const Program& program, std::string_view program_name,
                                              std::string_view capture_name, int link_type,
                                              FilterLayer layer) {
    const std::optional<uint32_t> rule_offset = l3_offset_of_program(program);
    const std::vector<uint32_t> fitting = l3_offsets_of_link_type(link_type, layer);
    if (!rule_offset || fitting.empty() ||
        std::find(fitting.begin(), fitting.end(), *rule_offset) != fitting.end()) {
        return std::nullopt;
    }
    const std::string rule =
        fmt::format("{} is a rule for offset {} (its loads read the IP header at byte {})",
                    program_name, *rule_offset, *rule_offset);
    if (layer == FilterLayer::Network) {
        return fmt::format(
            "{}, but --l3 shows it the packets of {} from their IP header on, at byte 0: "
            "expect no matches (bpfgen -o 0 makes the rule for --l3)",
            rule, capture_name);
    }
    return fmt::format(
        "{}, but {} is {}, whose IP header is {}: expect no matches (bpfgen -o {}, "
        "or --l3 with an offset-0 rule)",
        rule, capture_name, link_type_name(link_type), offsets_text(fitting), fitting.front());
}

}  // namespace bpfgen
