// xt_bpf_rules.cpp: fitting generated programs into xt_bpf's 64 instructions (and the
// 1023 bytes of bytecode text iptables-restore reads in one argument).
#include "generators/xt_bpf_rules.h"

#include <fmt/format.h>

#include "generators/dns.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/deploy/iptables_script.h"

namespace bpfgen {

namespace {

// Whether the program is short enough for xt_bpf; any other rule it breaks is an error.
bool fits(const Program& program) {
    if (program.size() > op::kXtBpfMaxInstructions) return false;
    check_kernel_rules(program, CheckTarget::XtBpf);
    return true;
}

std::string too_long(const std::string& what, std::size_t length) {
    return fmt::format("{} needs {} instructions, iptables' bpf match takes at most {}", what,
                       length, op::kXtBpfMaxInstructions);
}

std::string too_wide(const std::string& what, const Program& program) {
    return fmt::format(
        "{} is {} bytes of xt_bpf bytecode, iptables-restore takes at most {} in one argument",
        what, format_xt_bpf(program).size(), kRestoreMaxArgument);
}

// The program for patterns first..last-1, which program_size said fits in instructions.
GeneratedProgram fitting_program(const DnsPatterns& patterns, std::size_t first, std::size_t last) {
    GeneratedProgram generated = patterns.program(first, last);
    if (!fits(generated.program)) {
        throw Error(too_long(fmt::format("the dns rule for patterns {} to {}", first + 1, last),
                             generated.program.size()));
    }
    return generated;
}

}  // namespace

// The dns run in one program when it fits, else split greedily: each program takes the
// patterns that follow, in order (with -O, grouped by domain first), while its program stays within
// 64 instructions (lengths from DnsPatterns::program_size, so no program but the ones kept is
// written, and the whole one not at all when it would not fit) and its bytecode text within what
// iptables-restore reads (long literal labels make wide constants; then the group gives
// back patterns until its text fits).

XtBpfRules split_dns_xt_bpf_rules(const std::vector<std::string>& args,
                                  const GeneratorOptions& options) {
    check_generator_options(options);
    DnsPatterns patterns(args, options);
    const std::size_t count = patterns.size();
    XtBpfRules rules{patterns.name(), {}};
    const std::size_t whole = patterns.program_size(0, count);
    if (whole <= op::kXtBpfMaxInstructions) {
        GeneratedProgram program = fitting_program(patterns, 0, count);
        if (fits_restore_rule(program.program)) {
            rules.programs.push_back(std::move(program));
            return rules;
        }
        if (options.negate) {
            throw Error(too_wide("the negated dns rule (with -n all patterns go in one rule)",
                                 program.program));
        }
    }
    // Split rules each DROP what their own group matches; negated, each would drop what the
    // other groups match, so a negated rule must stay one program.
    if (options.negate) {
        throw Error(too_long("the negated dns rule (with -n all patterns go in one rule)", whole));
    }
    // -O shares what patterns under the same domain have in common, in a rule only with
    // the patterns next to it: those under one domain are put next to each other.
    if (options.optimize) patterns.group_by_domain();
    std::size_t first = 0;
    while (first < count) {
        const std::size_t alone = patterns.program_size(first, first + 1);
        if (alone > op::kXtBpfMaxInstructions) {
            throw Error(
                too_long("the dns pattern " + quote_for_message(patterns.pattern(first)), alone));
        }
        std::size_t last = first + 1;
        while (last < count &&
               patterns.program_size(first, last + 1) <= op::kXtBpfMaxInstructions) {
            ++last;
        }
        GeneratedProgram program = fitting_program(patterns, first, last);
        while (!fits_restore_rule(program.program)) {
            if (last == first + 1) {
                throw Error(too_wide(
                    "the rule for the dns pattern " + quote_for_message(patterns.pattern(first)),
                    program.program));
            }
            program = fitting_program(patterns, first, --last);
        }
        rules.programs.push_back(std::move(program));
        first = last;
    }
    return rules;
}

XtBpfRules generate_xt_bpf_rules(const GeneratorInfo& generator,
                                 const std::vector<std::string>& args,
                                 const GeneratorOptions& options) {
    if (generator.split_xt_bpf_rules != nullptr) return generator.split_xt_bpf_rules(args, options);
    GeneratedProgram whole = generate(generator.name, args, options);
    if (!fits(whole.program)) {
        throw Error(too_long(fmt::format("the {} rule", generator.name), whole.program.size()));
    }
    XtBpfRules rules{whole.name, {}};
    rules.programs.push_back(std::move(whole));
    return rules;
}

XtBpfRules generate_xt_bpf_rules(const std::string& generator, const std::vector<std::string>& args,
                                 const GeneratorOptions& options) {
    const GeneratorInfo* info = find_generator(generator);
    // An unknown name: generate() throws the UsageError that names it.
    if (info == nullptr) return {"", {generate(generator, args, options)}};
    return generate_xt_bpf_rules(*info, args, options);
}

}  // namespace bpfgen
