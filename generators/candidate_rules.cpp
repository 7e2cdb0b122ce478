// candidate_rules.cpp: rule lines (split as a shell would, base/shell_words.h) run through
// the generators at offset 0.
#include "generators/candidate_rules.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "generators/generator.h"
#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {

namespace {

constexpr std::string_view kBytecodePrefix = "bytecode:";

// The long options a rule may take, and what each sets.
struct RuleSwitch {
    char short_name;
    std::string_view long_name;
};
constexpr RuleSwitch kRuleSwitches[] = {{'6', "inet6"}, {'n', "negate"}, {'O', "optimize"}};

// bpfgen options that have no place in a rule, and why.
std::optional<std::string_view> refusal_of(std::string_view long_name, char short_name) {
    if (short_name == 'o' || short_name == 'l' || long_name == "offset" || long_name == "l2") {
        return "a report runs every rule from the IP header on (offset 0): no -o or --l2";
    }
    if (short_name == 's' || long_name == "assembly" || long_name == "format") {
        return "a report runs the rule's program: no -s or --format";
    }
    if (short_name == 'h' || long_name == "help") return "a rule cannot ask for help";
    return std::nullopt;
}

void set_switch(char short_name, GeneratorOptions& options) {
    if (short_name == '6') options.ip_version = 6;
    if (short_name == 'n') options.negate = true;
    if (short_name == 'O') options.optimize = true;
}

// A long option of a rule (without its "--"), spelled out or abbreviated.
void apply_long_option(std::string_view name, GeneratorOptions& options) {
    const std::string quoted = quote_for_message(fmt::format("--{}", name));
    std::vector<const RuleSwitch*> candidates;
    for (const RuleSwitch& rule_switch : kRuleSwitches) {
        if (rule_switch.long_name == name) {
            candidates = {&rule_switch};
            break;
        }
        if (!name.empty() && rule_switch.long_name.starts_with(name)) {
            candidates.push_back(&rule_switch);
        }
    }
    if (candidates.size() == 1) {
        set_switch(candidates.front()->short_name, options);
        return;
    }
    const std::string_view full = name.substr(0, name.find('='));
    for (const std::string_view refused : {"offset", "l2", "assembly", "format", "help"}) {
        if (!full.empty() && refused.starts_with(full)) {
            throw UsageError(fmt::format("{}: {}", quoted, *refusal_of(refused, 0)));
        }
    }
    throw UsageError(fmt::format(
        "{} option {} (a rule takes -6, -n and -O before '--', the generator's own options "
        "after it)",
        candidates.empty() ? "unknown" : "ambiguous", quoted));
}

void apply_short_options(std::string_view cluster, GeneratorOptions& options) {
    for (const char name : cluster) {
        if (name == '6' || name == 'n' || name == 'O') {
            set_switch(name, options);
            continue;
        }
        const std::string quoted = quote_for_message(fmt::format("-{}", name));
        if (const std::optional<std::string_view> refusal = refusal_of({}, name)) {
            throw UsageError(fmt::format("{}: {}", quoted, *refusal));
        }
        throw UsageError(fmt::format(
            "unknown option {} (a rule takes -6, -n and -O before '--', the generator's own "
            "options after it)",
            quoted));
    }
}

Program program_of_bytecode(std::string_view bytecode) {
    try {
        return parse_xt_bpf(bytecode);
    } catch (const UsageError&) {
        throw;
    } catch (const Error& error) {
        throw UsageError(fmt::format("bytecode: {}", error.what()));
    }
}

}  // namespace

Program program_of_rule(std::string_view rule) {
    const ShellWords split = split_shell_words(rule);
    if (split.words.empty()) throw UsageError("the rule is empty");
    if (split.words.front().starts_with(kBytecodePrefix)) {
        // Bytecode holds spaces and commas: the words are joined back as they were.
        std::string bytecode = split.words.front().substr(kBytecodePrefix.size());
        for (std::size_t index = 1; index < split.words.size(); ++index) {
            bytecode += ' ' + split.words[index];
        }
        return program_of_bytecode(bytecode);
    }
    GeneratorOptions options;  // offset 0: the IP header first, as xt_bpf and --l3 see it
    std::string generator;
    std::vector<std::string> args;
    bool options_ended = false;
    for (const std::string& word : split.words) {
        if (options_ended) {
            args.push_back(word);
        } else if (word == "--") {
            options_ended = true;  // the first `--` ends the rule's options, as in bpfgen
        } else if (word.starts_with("--")) {
            apply_long_option(std::string_view(word).substr(2), options);
        } else if (word.starts_with("-") && word.size() > 1) {
            apply_short_options(std::string_view(word).substr(1), options);
        } else if (generator.empty()) {
            generator = word;
        } else {
            args.push_back(word);
        }
    }
    if (generator.empty()) {
        // As bpfgen does, the first word after `--` names the generator when none came before.
        if (args.empty()) throw UsageError("no generator given");
        generator = args.front();
        args.erase(args.begin());
    }
    if (wants_help(args)) {
        throw UsageError(fmt::format("{}: a rule cannot ask for help", generator));
    }
    if (!generator_information(generator, args).empty()) {
        throw UsageError(
            fmt::format("{}: the arguments ask for a listing, not a program", generator));
    }
    Program program = generate(generator, args, options).program;
    try {
        check_kernel_rules(program);
    } catch (const CheckError& error) {
        throw Error(fmt::format("{}: the generated program breaks a kernel rule: {}", generator,
                                error.what()));
    }
    return program;
}

std::vector<CandidateRule> parse_candidate_rules(std::string_view contents,
                                                 const std::string& file_name) {
    std::vector<CandidateRule> rules;
    std::size_t line_number = 0;
    for (const std::string_view line : split(contents, '\n')) {
        ++line_number;
        const std::string location = fmt::format("{}:{}", file_name, line_number);
        try {
            const ShellWords split_line = split_shell_words(line);
            if (split_line.words.empty()) continue;  // blank, or a comment
            const std::size_t start = line.find_first_not_of(" \t");
            const std::string text(line.substr(start, split_line.end - start));
            Program program = program_of_rule(text);
            try {
                rules.push_back(CandidateRule{location, text, CheckedProgram(std::move(program))});
            } catch (const CheckError& error) {
                throw UsageError(
                    fmt::format("the kernel would refuse the program: {}", error.what()));
            }
        } catch (const UsageError& error) {
            throw UsageError(fmt::format("{}: {}", location, error.what()));
        } catch (const Error& error) {
            throw Error(fmt::format("{}: {}", location, error.what()));
        }
    }
    if (rules.empty()) {
        throw UsageError(fmt::format("{}: no rules (one a line, as bpfgen takes them)", file_name));
    }
    return rules;
}

std::vector<CandidateRule> read_candidate_rules(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad()) throw Error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    return parse_candidate_rules(contents.str(), path);
}

}  // namespace bpfgen
