// generator_args.cpp: argparse-compatible parsing of a generator's on/off flags.
#include "generators/generator_args.h"

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"

namespace bpfgen {

namespace {

constexpr std::string_view kHelp = "help";

// argparse reads "-5" and "-.5" as (negative number) positionals when no option looks
// like a number, which holds for every generator.
bool looks_like_negative_number(std::string_view arg) {
    std::string_view rest = arg.substr(1);
    const auto dot = rest.find('.');
    std::string_view before = rest.substr(0, dot);
    std::string_view after = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
    auto all_digits = [](std::string_view s) {
        for (char c : s) {
            if (!is_ascii_digit(c)) return false;
        }
        return true;
    };
    if (dot == std::string_view::npos) return !rest.empty() && all_digits(rest);
    return !after.empty() && all_digits(before) && all_digits(after);
}

// Is arg an option token at all (rather than a positional that starts with '-')?
bool is_option_token(std::string_view arg) {
    if (arg.size() < 2 || arg[0] != '-') return false;
    if (looks_like_negative_number(arg)) return false;
    // argparse: an unknown "option" containing a space was meant as a positional.
    return arg.find(' ') == std::string_view::npos;
}

bool is_help_abbreviation(std::string_view name) {
    return !name.empty() && kHelp.substr(0, name.size()) == name;
}

}  // namespace

std::vector<std::string> without_options_end(const std::vector<std::string>& args) {
    std::vector<std::string> words = args;
    for (auto it = words.begin(); it != words.end(); ++it) {
        if (*it == "--") {
            words.erase(it);
            break;
        }
    }
    return words;
}

bool wants_help(const std::vector<std::string>& args) {
    for (const std::string& arg : args) {
        if (arg == "--") return false;
        if (arg == "-h") return true;
        if (arg.size() > 2 && arg.starts_with("--") && is_help_abbreviation(arg.substr(2))) {
            return true;
        }
    }
    return false;
}

GeneratorArgs parse_generator_args(std::string_view generator, const std::vector<std::string>& args,
                                   std::span<const GeneratorFlag> flags) {
    GeneratorArgs parsed;
    parsed.flags.assign(flags.size(), false);
    auto refuse = [&](const std::string& what) {
        throw UsageError(fmt::format("{}: {}", generator, what));
    };
    auto help_requested = [&](std::string_view spelled) {
        refuse(fmt::format("for help ({}), run: bpfgen {} -- --help", spelled, generator));
    };
    bool options_ended = false;
    for (const std::string& arg : args) {
        if (options_ended || !is_option_token(arg)) {
            parsed.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        if (arg.starts_with("--")) {
            std::string_view name = std::string_view(arg).substr(2);
            if (name.find('=') != std::string_view::npos) {
                name = name.substr(0, name.find('='));
                for (const GeneratorFlag& flag : flags) {
                    if (flag.long_name == name) {
                        refuse(fmt::format("option --{} takes no value (in {})", name,
                                           quote_for_message(arg)));
                    }
                }
                refuse(fmt::format("unknown option {}", quote_for_message(arg)));
            }
            std::vector<std::size_t> candidates;
            for (std::size_t i = 0; i < flags.size(); ++i) {
                if (flags[i].long_name == name) {
                    candidates = {i};
                    break;
                }
                if (flags[i].long_name.starts_with(name)) candidates.push_back(i);
            }
            if (candidates.empty() && is_help_abbreviation(name)) help_requested(arg);
            if (candidates.empty())
                refuse(fmt::format("unknown option {}", quote_for_message(arg)));
            if (candidates.size() > 1) {
                refuse(fmt::format("ambiguous option {}", quote_for_message(arg)));
            }
            parsed.flags[candidates.front()] = true;
            continue;
        }
        // A cluster of short flags: "-i", "-is".
        for (std::size_t pos = 1; pos < arg.size(); ++pos) {
            bool known = false;
            for (std::size_t i = 0; i < flags.size(); ++i) {
                if (flags[i].short_name == arg[pos]) {
                    parsed.flags[i] = true;
                    known = true;
                }
            }
            if (!known && arg[pos] == 'h') help_requested(arg);
            if (!known) {
                const std::string option = "-" + arg.substr(pos, 1);
                refuse(arg.size() == 2
                           ? fmt::format("unknown option {}", quote_for_message(option))
                           : fmt::format("unknown option {} in {}", quote_for_message(option),
                                         quote_for_message(arg)));
            }
        }
    }
    return parsed;
}

}  // namespace bpfgen
