// xt_bpf_rules.h: one generator run turned into programs iptables' bpf match accepts (at
// most 64 instructions each, offset 0). A dns rule too long for one program is split into
// several, each for a group of the patterns (every pattern is matched independently);
// any other program that does not fit is refused with its length, and so is a negated dns
// rule that does not fit: its groups' rules would each drop what the others let through.
#pragma once

#include <string>
#include <vector>

#include "generators/generator.h"

namespace bpfgen {

struct XtBpfRules {
    std::string name;                        // the generator's name for the whole run
    std::vector<GeneratedProgram> programs;  // each at most 64 instructions
};

// options.l3_offset must be 0. Throws UsageError / Error as generate() does, and Error when
// a program cannot be made to fit.
XtBpfRules generate_xt_bpf_rules(const std::string& generator, const std::vector<std::string>& args,
                                 const GeneratorOptions& options);

}  // namespace bpfgen
