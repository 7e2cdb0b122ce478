// iptables_bpf_chain.cpp: the iptables_bpf_chain command: writes a bash script that builds
// an iptables chain of case-insensitive dns xt_bpf rules, ACCEPT patterns before DROP
// patterns, entered by DNS packets to the addresses of an ipset.
#include <cctype>
#include <cstdio>
#include <optional>
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

namespace {

const char* const kHelp =
    R"(usage: iptables_bpf_chain -w NAME [-6] [-i IP]... [-a PATTERN]... [-d PATTERN]...

Writes NAME_ipV.sh, a bash script that, when run as root, installs a chain and an
ipset named after NAME and the family plus a hash of the script's content (so
two different scripts never share them): DNS queries (UDP port 53) to the set's
addresses go through the chain, which ACCEPTs the queries for the -a patterns,
then DROPs those for the -d patterns (dns patterns, matched without regard to
case; 'any' matches every query). Installing and `SCRIPT --delete` are each one
transaction; `SCRIPT --status` shows the rules' counters.

options:
  -w, --write NAME     the name of the script, chain and set (1 to 24 letters,
                       digits, '_', '-'); unlike iptables_bpf's -w, not a path
  -6, --inet6          IPv6 (ip6tables, an inet6 set)
  -i, --ip ADDRESS     a destination (address or network) put in the set
  -a, --accept PATTERN queries to accept
  -d, --drop PATTERN   queries to drop
  -h, --help           show this help and exit

example:
  iptables_bpf_chain -w example_com -a www.example.com -a ns1.example.com -d '*.example.com'
)";

struct CommandLine {
    bool help = false;
    std::string name;
    int ip_version = 4;
    std::vector<std::string> addresses;
    std::vector<std::string> accept;
    std::vector<std::string> drop;
};

CommandLine parse(int argc, char** argv) {
    CommandLine line;
    std::vector<std::string> names;
    bpfgen::ToolOptions options("iptables_bpf_chain");
    options.add_values("write,w", &names)
        .add_addresses(&line.addresses)
        .add_values("accept,a", &line.accept)
        .add_values("drop,d", &line.drop);
    const bpfgen::OptionsOnlyCommandLine parsed = bpfgen::parse_options_only(options, argc, argv);
    line.help = parsed.help;
    line.ip_version = parsed.ip_version;
    if (!names.empty()) line.name = names.back();
    return line;
}

int run(int argc, char** argv) {
    const CommandLine line = parse(argc, argv);
    if (line.help) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (line.name.empty()) throw bpfgen::UsageError("name the chain with -w NAME");
    if (line.accept.empty() && line.drop.empty()) {
        throw bpfgen::UsageError("no pattern: give -a PATTERN and/or -d PATTERN");
    }
    const std::string suffix = fmt::format("_ip{}", line.ip_version);

    bpfgen::IptablesBpfChainScript script;
    script.command_line = "iptables_bpf_chain";
    for (int i = 1; i < argc; ++i) script.command_line += " " + bpfgen::shell_quote(argv[i]);
    script.file_name = line.name + suffix + ".sh";
    script.name = line.name;
    script.family =
        line.ip_version == 4 ? bpfgen::AddressFamily::Inet : bpfgen::AddressFamily::Inet6;
    script.addresses = line.addresses;
    for (const auto& [patterns, accept] : {std::pair{&line.accept, true}, {&line.drop, false}}) {
        for (const std::string& pattern : *patterns) {
            for (bpfgen::ChainRule& rule :
                 bpfgen::iptables_chain_rules(pattern, accept, line.ip_version)) {
                script.rules.push_back(std::move(rule));
            }
        }
    }
    bpfgen::write_whole_file(script.file_name, bpfgen::render_iptables_bpf_chain_script(script),
                             0750);
    std::printf("Generated file '%s'\n", script.file_name.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("iptables_bpf_chain", [&] { return run(argc, argv); });
}
