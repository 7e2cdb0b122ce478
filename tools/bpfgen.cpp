// bpfgen.cpp: the bpfgen command: parses the original bpftools' command line, runs the
// chosen generator, checks the program against the kernel's rules and prints it (xt_bpf
// bytecode by default, or the generator's annotated assembly with -s).
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line/tool_main.h"
#include "command_line/tool_options.h"
#include "generators/generator.h"
#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace {

struct CommandLine {
    bool help = false;
    bpfgen::GeneratorOptions options;
    bool annotated_assembly = false;
    bpfgen::Format format = bpfgen::Format::XtBpf;
    std::string generator;
    std::vector<std::string> generator_args;
};

std::string usage_line() {
    return "usage: bpfgen [-6] [-n] [-O] [-o OFFSET | --l2 LINK] [-s | --format FORMAT] GENERATOR "
           "[-- ARGS...]";
}

std::string help_text() {
    std::string text = usage_line() + R"(

Writes a classic BPF program that matches the packets an attack description
names, as the bytecode iptables' bpf match (xt_bpf) and tc take.

options:
  -6, --inet6         the packets are IPv6 (default IPv4)
  -n, --negate        match the packets the rule would not match (a packet too
                      short for the rule's loads matches neither)
  -O, --optimize      the shortest program the generator can write, matching
                      the same packets (dns; the others ignore it)
  -o, --offset N      where the IP header starts: 0 (default) for iptables
                      xt_bpf and raw IP, 14 Ethernet, 16 Linux cooked capture,
                      18 Ethernet with one VLAN tag, 20 Linux cooked v2
                      (tcpdump -i any)
  --l2 LINK           the same by name: raw (0), ether (14), sll (16), vlan (18),
                      sll2 (20)
  -s, --assembly      print the generator's annotated assembly instead
  --format FORMAT     xt_bpf (default), c (bpf_asm -c), decimal (tcpdump -ddd)
                      or asm (plain assembly that re-assembles to the program)
  -h, --help          show this help and exit

The generator's own arguments and options come after '--'; run
`bpfgen GENERATOR -- --help` for its help.

generators:
)";
    for (const bpfgen::GeneratorInfo& info : bpfgen::generators()) {
        text += fmt::format("  {:<13} {}\n", info.name, info.summary);
    }
    text += R"(
examples:
  bpfgen dns -- example.com                    DNS queries for example.com
  bpfgen --offset=0 dns -- '*.example.uk'      any one label under example.uk
  bpfgen -o 14 dns -- -i example.com           on Ethernet frames, any case
  bpfgen -6 dns_validate -- --strict           odd-looking IPv6 DNS requests
  bpfgen -s -n suffix -- 010203                assembly; not ending in 01 02 03
  bpfgen --l2 vlan tcpdump -- 'udp port 53'    a pcap-filter expression
  bpfgen p0f -- '4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0'

A program over 64 instructions at offset 0 is printed with a warning on stderr:
iptables' bpf match refuses it (sockets and tc take up to 4096).
)";
    return text;
}

CommandLine parse_command_line(int argc, char** argv) {
    // As with the original's argparse, an option given twice is no error: the last one
    // counts.
    using Values = std::vector<std::string>;
    bool assembly = false;
    Values offset;
    Values l2;
    Values format;
    bpfgen::ToolOptions options("bpfgen");
    options.add_values("offset,o", &offset)
        .add_values("l2", &l2)
        .add_switch("assembly,s", &assembly)
        .add_values("format", &format);
    const bpfgen::GeneratorCommandLine parsed =
        bpfgen::parse_generator_command_line(options, argc, argv);

    CommandLine line;
    line.help = parsed.help;
    line.options = parsed.options;
    line.annotated_assembly = assembly;
    if (!offset.empty() && !l2.empty()) {
        throw bpfgen::UsageError("give the IP header's place either with --offset or with --l2");
    }
    if (!offset.empty()) line.options.l3_offset = bpfgen::parse_l3_offset(offset.back());
    if (!l2.empty()) line.options.l3_offset = bpfgen::l3_offset_of_link_layer(l2.back());
    if (!format.empty()) {
        const std::string& name = format.back();
        const std::optional<bpfgen::Format> chosen = bpfgen::parse_format_name(name);
        if (!chosen) {
            throw bpfgen::UsageError(
                fmt::format("unknown format {} (choose from xt_bpf, c, decimal, asm)",
                            bpfgen::quote_for_message(name)));
        }
        if (line.annotated_assembly) {
            throw bpfgen::UsageError("-s prints the annotated assembly; it takes no --format");
        }
        line.format = *chosen;
    }
    line.generator = parsed.generator;
    line.generator_args = parsed.generator_args;
    return line;
}

// Prints text on stdout; throws when stdout cannot take it (a full disk, a closed pipe).
void print(const std::string& text) {
    std::cout << text;
    std::cout.flush();
    if (!std::cout) throw bpfgen::Error("cannot write the output");
}

// Runs the command and returns its exit status; errors are thrown for main to report.
int run(int argc, char** argv) {
    const CommandLine line = parse_command_line(argc, argv);
    if (line.help) {
        print(help_text());
        return 0;
    }
    if (line.generator.empty()) {
        throw bpfgen::UsageError(fmt::format(
            "no generator given (choose from {}; see bpfgen --help)", bpfgen::generator_names()));
    }
    if (bpfgen::wants_help(line.generator_args)) {
        if (const bpfgen::GeneratorInfo* info = bpfgen::find_generator(line.generator)) {
            print(std::string(info->help));
            return 0;
        }
    }
    if (const std::string information =
            bpfgen::generator_information(line.generator, line.generator_args);
        !information.empty()) {
        print(information);
        return 0;
    }
    const bpfgen::GeneratedProgram generated =
        bpfgen::generate(line.generator, line.generator_args, line.options);
    try {
        bpfgen::check_kernel_rules(generated.program);
    } catch (const bpfgen::CheckError& error) {
        throw bpfgen::Error(fmt::format("{}: the generated program breaks a kernel rule: {}",
                                        line.generator, error.what()));
    }
    if (line.options.l3_offset == 0 &&
        generated.program.size() > bpfgen::op::kXtBpfMaxInstructions) {
        std::cerr << fmt::format(
            "bpfgen: warning: {} instructions; iptables' bpf match (xt_bpf) takes at most {}\n",
            generated.program.size(), bpfgen::op::kXtBpfMaxInstructions);
    }
    std::string text = line.annotated_assembly ? generated.assembly
                       : line.format == bpfgen::Format::XtBpf
                           ? bpfgen::format_xt_bpf(generated.program)
                           : bpfgen::format_program(generated.program, line.format);
    if (line.annotated_assembly || text.empty() || text.back() != '\n') text += '\n';
    print(text);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("bpfgen", [&] { return run(argc, argv); });
}
