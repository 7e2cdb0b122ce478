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

// The IP versions generate_p0f's programs can be for at offset 0: the signature's own, both
// for a '*' signature, those of a label's signatures; with -6 (options.ip_version 6) only
// IPv6 where the run has it, as generate_p0f reads a '*' signature or a label for -6's
// version. At a link-layer offset one program takes both: options.ip_version alone. Bad
// arguments give options.ip_version, for generate_p0f to refuse with its message.
std::vector<int> p0f_ip_versions(const std::vector<std::string>& args,
                                 const GeneratorOptions& options);

GeneratedProgram generate_p0f(const std::vector<std::string>& args,
                              const GeneratorOptions& options);

}  // namespace bpfgen
