// xdp_command_line.cpp: xdp_bpf's command line and its RULE arguments.
#include "command_line/xdp_command_line.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "command_line/tool_options.h"
#include "generators/xdp_rules.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/shell_words.h"

namespace bpfgen {

std::vector<std::string> read_rule_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw Error(
            fmt::format("cannot open {}: {}", quote_for_message(path), std::strerror(errno)));
    }
    std::vector<std::string> rules;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        // Split as the rule will be, to leave out blank lines and comments, and to cut a
        // comment after a rule; a quote left open is named where it stands.
        ShellWords split;
        try {
            split = split_shell_words(line);
        } catch (const UsageError& error) {
            throw UsageError(fmt::format("{}:{}: {}", path, number, error.what()));
        }
        if (split.words.empty()) continue;
        const std::size_t start = line.find_first_not_of(" \t\r");
        rules.push_back(line.substr(start, split.end - start));
    }
    return rules;
}

ebpf::XdpRule parse_xdp_rule(const std::string& text, bool count_only) {
    if (text.starts_with("bytecode:")) return xdp_rule_from_bytecode(text, count_only);
    std::vector<std::string> words;
    try {
        words = split_shell_words(text).words;
    } catch (const UsageError& error) {
        throw UsageError(fmt::format("rule {}: {}", quote_for_message(text), error.what()));
    }
    words.insert(words.begin(), "xdp_bpf rule");
    std::vector<const char*> argv;
    for (const std::string& word : words) argv.push_back(word.c_str());
    XdpRuleRequest request;
    request.text = text;
    std::vector<std::string> offsets;
    ToolOptions options("xdp_bpf rule");
    options.add_switch("count-only", &request.count_only)
        .add_values("offset,o", &offsets)
        .add_values("dst", &request.destinations)
        .add_values("dport", &request.ports);
    const GeneratorCommandLine line =
        parse_generator_command_line(options, static_cast<int>(argv.size()), argv.data());
    if (line.generator.empty()) {
        throw UsageError(fmt::format("rule {} names no generator", quote_for_message(text)));
    }
    request.generator = line.generator;
    request.generator_args = line.generator_args;
    request.options = line.options;
    if (!offsets.empty()) request.offset = offsets.back();
    request.count_only = request.count_only || count_only;
    return make_xdp_rule(request);
}

ebpf::CompiledXdp compile_xdp_rules(const XdpCommandLine& line) {
    std::vector<ebpf::XdpRule> rules;
    for (const std::string& text : line.rules)
        rules.push_back(parse_xdp_rule(text, line.count_only));
    return ebpf::compile_xdp(rules);
}

XdpCommandLine parse_xdp_command_line(int argc, const char* const* argv) {
    XdpCommandLine line;
    std::vector<std::string> positional;
    std::string format = "asm", mode = "auto";
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(fmt::format("{} needs a value", argument));
            return argv[++i];
        };
        if (argument == "-h" || argument == "--help") {
            line.help = true;
        } else if (argument == "--format") {
            format = value();
        } else if (argument == "--mode") {
            mode = value();
        } else if (argument == "--pin-dir") {
            line.pin_dir = value();
        } else if (argument == "-f") {
            for (std::string& rule : read_rule_file(value())) line.rules.push_back(std::move(rule));
        } else if (argument == "--count-only") {
            line.count_only = true;
        } else if (argument == "--json") {
            line.json = true;
        } else {
            positional.push_back(argument);
        }
    }
    if (line.help) return line;
    if (positional.empty()) throw UsageError("no command (compile, attach, stats or detach)");
    line.command = positional[0];
    std::size_t next = 1;
    if (line.command != "compile") {
        if (line.command != "attach" && line.command != "stats" && line.command != "detach") {
            throw UsageError(fmt::format("unknown command {}", quote_for_message(line.command)));
        }
        if (positional.size() < 2) throw UsageError(line.command + " needs an interface");
        line.interface = positional[1];
        next = 2;
    }
    line.rules.insert(line.rules.end(), positional.begin() + static_cast<std::ptrdiff_t>(next),
                      positional.end());
    const bool takes_rules = line.command == "compile" || line.command == "attach";
    if (takes_rules && line.rules.empty()) {
        throw UsageError(line.command + " needs at least one RULE");
    }
    if (!takes_rules && !line.rules.empty()) {
        throw UsageError(fmt::format("unexpected argument {}", quote_for_message(line.rules[0])));
    }
    if (format != "asm" && format != "c") {
        throw UsageError(fmt::format("unknown format {} (asm or c)", quote_for_message(format)));
    }
    line.format = format == "c" ? ebpf::ProgramText::CInitializers : ebpf::ProgramText::Assembly;
    if (mode != "auto" && mode != "native" && mode != "generic") {
        throw UsageError(
            fmt::format("unknown mode {} (auto, native or generic)", quote_for_message(mode)));
    }
    line.mode = mode == "native"    ? ebpf::XdpMode::Native
                : mode == "generic" ? ebpf::XdpMode::Generic
                                    : ebpf::XdpMode::Auto;
    return line;
}

}  // namespace bpfgen
