// tcpdump.h: the 'tcpdump' generator (see kTcpdumpHelp in tcpdump.cpp for what it matches).
#pragma once

#include <string_view>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kTcpdumpHelp;

GeneratedProgram generate_tcpdump(const std::vector<std::string>& args, const GeneratorOptions& options);

}  // namespace bpfgen
