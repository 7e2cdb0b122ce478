// dns.h: the 'dns' generator (see kDnsHelp in dns.cpp for what it matches).
#pragma once

#include <string_view>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kDnsHelp;

GeneratedProgram generate_dns(const std::vector<std::string>& args, const GeneratorOptions& options);

}  // namespace bpfgen
