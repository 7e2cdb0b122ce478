// iptables_bpf.cpp: the iptables_bpf command: runs a generator at offset 0 and writes a
// bash script that deploys the program as iptables xt_bpf DROP rules for the destinations
// of an ipset (see libbpfgen/deploy/iptables_script.h for the script itself).
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "command_line/tool_main.h"
#include "command_line/tool_options.h"
#include "generators/iptables_deployment.h"
#include "libbpfgen/base/atomic_file.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/deploy/iptables_script.h"
#include "libbpfgen/deploy/shell_quote.h"

namespace {

const char* const kHelp =
    R"(usage: iptables_bpf [-6] [-n] [-c COMMENT] [-i IP]... [-w FILE|-] GENERATOR [-- ARGS...]

Writes a bash script that, when run as root, installs iptables rules dropping
the packets that a bpfgen generator's program matches (iptables' bpf match,
xt_bpf), for the destination addresses kept in an ipset: a chain of the rules
and one jump from INPUT, added as one transaction. `SCRIPT --delete` removes
them and the set, `SCRIPT --status` shows their counters. Running the script
again adds only the destinations.

options (before or after GENERATOR; the generator's own go after '--'):
  -6, --inet6          IPv6 (ip6tables, an inet6 set)
  -n, --negate         drop what the program would not match
  -c, --comment TEXT   the rule's iptables comment (default: this command line)
  -i, --ip ADDRESS     a destination (address or network) put in the set
  -w, --write FILE     the script's file name ('-' for standard output; a device
                       or FIFO is written into); default bpf_GENERATOR_ipV_NAME.sh
  -h, --help           show this help and exit

The dns and dns_validate rules also match `-p udp --dport 53`. A dns rule over
xt_bpf's 64 instructions is split into several rules, one per group of patterns,
however many patterns there are. A p0f signature's own IP version chooses
iptables or ip6tables; one of version '*' (or a --label with both) makes two
scripts, bpf_p0f_ip4... for iptables and bpf_p0f_ip6... for ip6tables (with -6,
the IPv6 one alone).

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
    std::vector<std::string> comments;
    std::vector<std::string> writes;
    bpfgen::ToolOptions options("iptables_bpf");
    options.add_values("comment,c", &comments)
        .add_addresses(&line.addresses)
        .add_values("write,w", &writes);
    bpfgen::GeneratorCommandLine parsed = bpfgen::parse_generator_command_line(options, argc, argv);
    line.help = parsed.help;
    line.options = parsed.options;
    line.has_comment = !comments.empty();
    if (line.has_comment) line.comment = comments.back();
    if (!writes.empty()) line.write = writes.back();
    line.generator = std::move(parsed.generator);
    line.generator_args = std::move(parsed.generator_args);
    return line;
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

int run(int argc, char** argv) {
    const CommandLine line = parse(argc, argv);
    if (line.help) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (line.generator.empty()) throw bpfgen::UsageError("no generator given (see --help)");
    bpfgen::IptablesBpfRequest request;
    request.generator = line.generator;
    request.generator_args = line.generator_args;
    request.options = line.options;
    request.addresses = line.addresses;
    if (line.has_comment) request.comment = line.comment;
    request.command_line = command_line_text(argc, argv);
    if (!line.write.empty()) request.output_path = line.write;
    for (const bpfgen::IptablesBpfDeployment& deployment : bpfgen::plan_iptables_bpf(request)) {
        const std::string& file = deployment.output_path;
        bpfgen::write_whole_file(file, bpfgen::render_iptables_bpf_script(deployment.script), 0750);
        if (file != "-") std::printf("Generated file '%s'\n", file.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("iptables_bpf", [&] { return run(argc, argv); });
}
