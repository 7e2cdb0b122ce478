// iptables_bpf.cpp: the iptables_bpf command: runs a generator at offset 0 and writes a
// bash script that deploys the program as iptables xt_bpf DROP rules for the destinations
// of an ipset (see libbpfgen/iptables_script.h for the script itself).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "generators/generator.h"
#include "generators/xt_bpf_rules.h"
#include "libbpfgen/atomic_file.h"
#include "libbpfgen/error.h"
#include "libbpfgen/iptables_script.h"
#include "tools/tool_main.h"

namespace {

constexpr int kExitError = 1;  // as tool_main.h maps failures

const char* const kHelp =
    R"(usage: iptables_bpf [-6] [-n] [-c COMMENT] [-i IP]... [-w FILE|-] GENERATOR [--] [ARGS...]

Writes a bash script that, when run as root, adds an iptables rule dropping the
packets that a bpfgen generator's program matches (iptables' bpf match, xt_bpf),
for the destination addresses kept in an ipset; `SCRIPT --delete` removes the
rule and the set again. Running the script twice adds nothing twice.

options:
  -6, --inet6          IPv6 (ip6tables, an inet6 set)
  -n, --negate         drop what the program would not match
  -c, --comment TEXT   the rule's iptables comment (default: this command line)
  -i, --ip ADDRESS     a destination (address or network) put in the set
  -w, --write FILE     the script's file name ('-' for standard output);
                       default bpf_GENERATOR_ipV_NAME.sh
  -h, --help           show this help and exit

The dns and dns_validate rules also match `-p udp --dport 53`. A dns rule over
xt_bpf's 64 instructions is split into several rules, one per group of patterns.

examples:
  iptables_bpf dns -- '*.example.com'
  iptables_bpf -i 192.0.2.53 dns -- -i example.com www.example.com
  iptables_bpf -6 dns_validate -- --strict
)";

struct CommandLine {
    bool help = false;
    bpfgen::GeneratorOptions options;
    std::string comment;
    bool has_comment = false;
    std::vector<std::string> addresses;
    std::string write;
    std::string generator;
    std::vector<std::string> generator_args;
};

CommandLine parse(int argc, char** argv) {
    CommandLine line;
    int i = 1;
    auto value = [&](const std::string& option, const std::string& arg) -> std::string {
        const std::size_t equals = arg.find('=');
        if (arg.rfind("--", 0) == 0 && equals != std::string::npos) return arg.substr(equals + 1);
        if (i + 1 >= argc) throw bpfgen::UsageError(option + " needs a value");
        return argv[++i];
    };
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        const std::string name = arg.substr(0, arg.find('='));
        if (arg == "--") {
            ++i;
            break;
        } else if (arg == "-h" || arg == "--help") {
            line.help = true;
        } else if (arg == "-6" || arg == "--inet6") {
            line.options.ip_version = 6;
        } else if (arg == "-n" || arg == "--negate") {
            line.options.negate = true;
        } else if (arg == "-c" || name == "--comment") {
            line.comment = value("--comment", arg);
            line.has_comment = true;
        } else if (arg == "-i" || name == "--ip") {
            line.addresses.push_back(value("--ip", arg));
        } else if (arg == "-w" || name == "--write") {
            line.write = value("--write", arg);
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw bpfgen::UsageError(fmt::format("unknown option '{}'", arg));
        } else {
            break;
        }
    }
    if (line.help) return line;
    if (i >= argc) throw bpfgen::UsageError("no generator given (see --help)");
    line.generator = argv[i++];
    if (i < argc && std::string(argv[i]) == "--") ++i;
    line.generator_args.assign(argv + i, argv + argc);
    return line;
}

// File and set names keep letters, digits, '_', '-' and '.'; anything else becomes 'x'.
std::string file_safe(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        out += ok ? c : 'x';
    }
    return out;
}

std::string command_line_text(int argc, char** argv) {
    std::string out = "iptables_bpf";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool plain =
            !arg.empty() && arg.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
        out += " " + (plain ? arg : bpfgen::shell_quote(arg));
    }
    return out;
}

// iptables keeps at most 255 bytes of comment; the default one is cut to fit.
std::string default_comment(const std::string& command_line) {
    return bpfgen::comment_safe(command_line).substr(0, 255);
}

int run(int argc, char** argv) {
    const CommandLine line = parse(argc, argv);
    if (line.help) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (bpfgen::find_generator(line.generator) == nullptr) {
        throw bpfgen::UsageError(
            fmt::format("unknown generator '{}' (see --help)", line.generator));
    }
    const bpfgen::XtBpfRules rules =
        bpfgen::generate_xt_bpf_rules(line.generator, line.generator_args, line.options);
    const int v = line.options.ip_version;
    const std::string name = fmt::format("bpf_{}_ip{}{}{}", line.generator, v,
                                         rules.name.empty() ? "" : "_", file_safe(rules.name));
    const std::string file = line.write.empty() ? name + ".sh" : line.write;

    bpfgen::IptablesBpfScript script;
    script.command_line = command_line_text(argc, argv);
    script.file_name = file == "-" ? name + ".sh" : file;
    script.set_name = name.substr(0, 31);
    script.family = v == 4 ? bpfgen::AddressFamily::Inet : bpfgen::AddressFamily::Inet6;
    script.addresses = line.addresses;
    script.dns_only = line.generator == "dns" || line.generator == "dns_validate";
    script.comment = line.has_comment ? line.comment : default_comment(script.command_line);
    for (const bpfgen::GeneratedProgram& generated : rules.programs) {
        script.rules.push_back({generated.program, generated.assembly});
    }
    const std::string text = bpfgen::render_iptables_bpf_script(script);
    if (file == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return std::fflush(stdout) == 0 ? 0 : kExitError;
    }
    bpfgen::write_file_atomically(file, text, 0750);
    std::printf("Generated file '%s'\n", file.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("iptables_bpf", [&] { return run(argc, argv); });
}
