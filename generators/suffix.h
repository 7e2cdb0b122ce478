// suffix.h: the 'suffix' generator (see kSuffixHelp in suffix.cpp for what it matches).
#pragma once

#include <string_view>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kSuffixHelp;

GeneratedProgram generate_suffix(const std::vector<std::string>& args, const GeneratorOptions& options);

}  // namespace bpfgen
