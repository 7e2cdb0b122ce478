// generator.cpp: the registry of generators, in the order bpfgen --help lists them.
#include "generators/generator.h"

#include <array>
#include <optional>

#include <fmt/format.h>

#include "generators/dns.h"
#include "generators/dns_validate.h"
#include "generators/p0f.h"
#include "generators/suffix.h"
#include "generators/tcpdump.h"
#include "generators/xt_bpf_rules.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"

namespace bpfgen {

namespace {

const std::array<GeneratorInfo, 5> kGenerators = {{
    {"dns", "match DNS queries for the given domain patterns", kDnsHelp, generate_dns, true,
     nullptr, split_dns_xt_bpf_rules},
    {"dns_validate", "match malformed DNS requests", kDnsValidateHelp, generate_dns_validate, true},
    {"p0f", "match TCP SYN packets fitting a p0f v3 signature", kP0fHelp, generate_p0f, false,
     p0f_information, nullptr, p0f_ip_versions},
    {"suffix", "match packets ending with the given bytes", kSuffixHelp, generate_suffix, false},
    {"tcpdump", "compile a tcpdump (pcap-filter) expression with libpcap", kTcpdumpHelp,
     generate_tcpdump, false},
}};

}  // namespace

std::span<const GeneratorInfo> generators() {
    return kGenerators;
}

const GeneratorInfo* find_generator(std::string_view name) {
    for (const GeneratorInfo& info : kGenerators) {
        if (info.name == name) return &info;
    }
    return nullptr;
}

std::string generator_information(std::string_view generator,
                                  const std::vector<std::string>& args) {
    const GeneratorInfo* info = find_generator(generator);
    if (info == nullptr || info->information == nullptr) return {};
    return info->information(args);
}

std::string generator_names() {
    std::string names;
    for (const GeneratorInfo& info : kGenerators) {
        names += names.empty() ? "" : ", ";
        names += info.name;
    }
    return names;
}

uint32_t parse_l3_offset(std::string_view text) {
    const std::optional<uint64_t> value = parse_decimal(text, kMaxL3Offset);
    if (!value) {
        throw UsageError(fmt::format(
            "bad offset {}: expected a number of bytes from 0 to {} (0 raw IP or xt_bpf, 14 "
            "Ethernet, 16 Linux cooked, 18 VLAN, 20 Linux cooked v2)",
            quote_for_message(text), kMaxL3Offset));
    }
    return static_cast<uint32_t>(*value);
}

uint32_t l3_offset_of_link_layer(std::string_view name) {
    if (name == "raw") return 0;
    if (name == "ether") return 14;
    if (name == "sll") return 16;
    if (name == "vlan") return 18;
    if (name == "sll2") return 20;
    throw UsageError(
        fmt::format("unknown link layer {} for --l2 (choose from raw, ether, sll, vlan, sll2)",
                    quote_for_message(name)));
}

GeneratedProgram generate(std::string_view generator, const std::vector<std::string>& args,
                          const GeneratorOptions& options) {
    const GeneratorInfo* info = find_generator(generator);
    if (info == nullptr) {
        throw UsageError("unknown generator " + quote_for_message(generator) + " (choose from " +
                         generator_names() + ")");
    }
    check_generator_options(options);
    return info->generate(args, options);
}

void check_generator_options(const GeneratorOptions& options) {
    if (options.ip_version != 4 && options.ip_version != 6) {
        throw UsageError("IP version must be 4 or 6, not " + std::to_string(options.ip_version));
    }
}

}  // namespace bpfgen
