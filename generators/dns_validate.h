// dns_validate.h: the 'dns_validate' generator (see kDnsValidateHelp in dns_validate.cpp for what it matches).
#pragma once

#include <string_view>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kDnsValidateHelp;

GeneratedProgram generate_dns_validate(const std::vector<std::string>& args, const GeneratorOptions& options);

}  // namespace bpfgen
