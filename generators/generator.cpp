// generator.cpp: the registry of generators, in the order bpfgen --help lists them.
#include "generators/generator.h"

#include <array>

#include "generators/dns.h"
#include "generators/dns_validate.h"
#include "generators/p0f.h"
#include "generators/suffix.h"
#include "generators/tcpdump.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace {

const std::array<GeneratorInfo, 5> kGenerators = {{
    {"dns", "match DNS queries for the given domain patterns", kDnsHelp, generate_dns, true},
    {"dns_validate", "match malformed DNS requests", kDnsValidateHelp, generate_dns_validate, true},
    {"p0f", "match TCP SYN packets fitting a p0f v3 signature", kP0fHelp, generate_p0f, false},
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

GeneratedProgram generate(std::string_view generator, const std::vector<std::string>& args,
                          const GeneratorOptions& options) {
    const GeneratorInfo* info = find_generator(generator);
    if (info == nullptr) {
        std::string known;
        for (const GeneratorInfo& each : kGenerators) {
            known += known.empty() ? "" : ", ";
            known += each.name;
        }
        throw UsageError("unknown generator " + quote_for_message(generator) + " (choose from " +
                         known + ")");
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
