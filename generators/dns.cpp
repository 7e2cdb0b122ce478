// dns.cpp: PLACEHOLDER until the 'dns' generator lands; refuses every call.
#include "generators/dns.h"

#include "libbpfgen/error.h"

namespace bpfgen {

const std::string_view kDnsHelp = "not built yet";

GeneratedProgram generate_dns(const std::vector<std::string>&, const GeneratorOptions&) {
    throw Error("dns: generator not built yet");
}

}  // namespace bpfgen
