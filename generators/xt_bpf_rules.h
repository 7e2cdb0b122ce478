// xt_bpf_rules.h: one generator run turned into programs iptables' bpf match accepts (at
// most 64 instructions each, offset 0). A run too long for one program is split into several
// when the generator's registry entry says how (split_xt_bpf_rules: dns, each rule for a group
// of the patterns, every pattern being matched independently, however many patterns there
// are); any other program that does not fit is refused with its length, and so is a negated
// dns rule that does not fit: its groups' rules would each drop what the others let through.
#pragma once

#include <string>
#include <vector>

#include "generators/generator.h"

namespace bpfgen {

struct XtBpfRules {
    std::string name;                        // the generator's name for the whole run
    std::vector<GeneratedProgram> programs;  // each at most 64 instructions
};

// options.l3_offset must be 0. Throws UsageError / Error as generate() does (but for the
// kernel's 4096-instruction limit on a whole dns program, which is split before it applies),
// and Error when a program cannot be made to fit. A dns run that fits is the one program
// generate() writes; one that does not is split greedily: each program takes the following
// patterns, in order, while it stays within 64 instructions and its xt_bpf text within the
// 1023 bytes iptables-restore reads in one argument (libbpfgen/iptables_script.h).
XtBpfRules generate_xt_bpf_rules(const std::string& generator, const std::vector<std::string>& args,
                                 const GeneratorOptions& options);

// The same for a registry entry: its split_xt_bpf_rules when it has one, else generate() by
// its name as one rule.
XtBpfRules generate_xt_bpf_rules(const GeneratorInfo& generator,
                                 const std::vector<std::string>& args,
                                 const GeneratorOptions& options);

// The dns generator's split (its registry entry's split_xt_bpf_rules), described above.
XtBpfRules split_dns_xt_bpf_rules(const std::vector<std::string>& args,
                                  const GeneratorOptions& options);

}  // namespace bpfgen
