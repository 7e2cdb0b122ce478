// p0f.h: the 'p0f' generator (see kP0fHelp in p0f.cpp for what it matches).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/generator.h"

namespace bpfgen {

extern const std::string_view kP0fHelp;

// What `p0f -- --list` prints (the labels of the database), or "" when args ask for a
// program.
std::string p0f_information(const std::vector<std::string>& args);

GeneratedProgram generate_p0f(const std::vector<std::string>& args,
                              const GeneratorOptions& options);

}  // namespace bpfgen
