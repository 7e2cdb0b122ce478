// xt_bpf_rules.cpp: fitting generated programs into xt_bpf's 64 instructions.
#include "generators/xt_bpf_rules.h"

#include <fmt/format.h>

#include "generators/generator_args.h"
#include "libbpfgen/checker.h"
#include "libbpfgen/error.h"

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

}  // namespace

XtBpfRules generate_xt_bpf_rules(const std::string& generator, const std::vector<std::string>& args,
                                 const GeneratorOptions& options) {
    GeneratedProgram whole = generate(generator, args, options);
    XtBpfRules rules{whole.name, {}};
    if (fits(whole.program)) {
        rules.programs.push_back(std::move(whole));
        return rules;
    }
    if (generator != "dns")
        throw Error(too_long("the " + generator + " rule", whole.program.size()));
    // Split rules each DROP what their own group matches; negated, each would drop what the
    // other groups match, so a negated rule must stay one program.
    if (options.negate) {
        throw Error(too_long("the negated dns rule (with -n all patterns go in one rule)",
                             whole.program.size()));
    }

    // Options (before any "--") stay with every group; the rest are patterns.
    std::vector<std::string> flags;
    std::vector<std::string> patterns;
    bool options_done = false;
    for (const std::string& arg : args) {
        if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
            flags.push_back(arg);
        } else {
            patterns.push_back(arg);
        }
    }
    auto group_args = [&](const std::vector<std::string>& group) {
        std::vector<std::string> out = flags;
        out.push_back("--");
        out.insert(out.end(), group.begin(), group.end());
        return out;
    };
    std::vector<std::string> group;
    GeneratedProgram current;
    for (const std::string& pattern : patterns) {
        std::vector<std::string> candidate = group;
        candidate.push_back(pattern);
        GeneratedProgram generated = generate(generator, group_args(candidate), options);
        if (fits(generated.program)) {
            group = std::move(candidate);
            current = std::move(generated);
            continue;
        }
        if (group.empty()) {
            throw Error(too_long("the dns pattern " + quote_for_message(pattern),
                                 generated.program.size()));
        }
        rules.programs.push_back(std::move(current));
        group = {pattern};
        current = generate(generator, group_args(group), options);
        if (!fits(current.program)) {
            throw Error(
                too_long("the dns pattern " + quote_for_message(pattern), current.program.size()));
        }
    }
    if (!group.empty()) rules.programs.push_back(std::move(current));
    return rules;
}

}  // namespace bpfgen
