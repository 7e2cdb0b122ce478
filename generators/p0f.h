// p0f.h: the 'p0f' generator (see kP0fHelp in p0f.cpp for what it matches).
#pragma once

#include <string_view>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kP0fHelp;

GeneratedProgram generate_p0f(const std::vector<std::string>& args,
                              const GeneratorOptions& options);

}  // namespace bpfgen
