// dns_validate.cpp: PLACEHOLDER until the 'dns_validate' generator lands; refuses every call.
#include "generators/dns_validate.h"

#include "libbpfgen/error.h"

namespace bpfgen {

const std::string_view kDnsValidateHelp = "not built yet";

GeneratedProgram generate_dns_validate(const std::vector<std::string>&, const GeneratorOptions&) {
    throw Error("dns_validate: generator not built yet");
}

}  // namespace bpfgen
