// bpfgen.cpp: the bpfgen command: parses the original bpftools' command line, runs the
// chosen generator, checks the program against the kernel's rules and prints it (xt_bpf
// bytecode by default, or the generator's annotated assembly with -s). The work between the
// command line and the output is command_line/bpfgen_command.h's.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "command_line/bpfgen_command.h"
#include "command_line/tool_main.h"
#include "command_line/tool_options.h"
#include "libbpfgen/base/error.h"

namespace {

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
  -O, --optimize      a shorter program that turns non-matching packets away
                      sooner, matching the same packets (dns; the others
                      ignore it)
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
    text += bpfgen::generator_summaries();
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

bpfgen::BpfgenRequest parse_command_line(int argc, char** argv, bool* help) {
    // As with the original's argparse, an option given twice is no error: the last one
    // counts.
    using Values = std::vector<std::string>;
    Values offset, l2, format;
    bpfgen::BpfgenRequest request;
    bpfgen::ToolOptions options("bpfgen");
    options.add_values("offset,o", &offset)
        .add_values("l2", &l2)
        .add_switch("assembly,s", &request.annotated_assembly)
        .add_values("format", &format);
    const bpfgen::GeneratorCommandLine parsed =
        bpfgen::parse_generator_command_line(options, argc, argv);
    *help = parsed.help;
    request.options = parsed.options;
    request.options.l3_offset = bpfgen::l3_offset_of_options(offset, l2, request.options.l3_offset);
    if (!format.empty()) {
        request.format = bpfgen::output_format_of_option(format.back(), request.annotated_assembly);
    }
    request.generator = parsed.generator;
    request.generator_args = parsed.generator_args;
    return request;
}

// Prints text on stdout; throws when stdout cannot take it (a full disk, a closed pipe).
void print(const std::string& text) {
    errno = 0;
    std::cout << text;
    std::cout.flush();
    if (!std::cout) {
        throw bpfgen::Error(std::string("stdout: cannot write: ") +
                            std::strerror(errno != 0 ? errno : EIO));
    }
}

// Runs the command and returns its exit status; errors are thrown for main to report.
int run(int argc, char** argv) {
    bool help = false;
    const bpfgen::BpfgenRequest request = parse_command_line(argc, argv, &help);
    if (help) {
        print(help_text());
        return 0;
    }
    const bpfgen::BpfgenOutput output = bpfgen::run_bpfgen(request);
    if (!output.warning.empty()) std::cerr << "bpfgen: warning: " << output.warning << '\n';
    print(output.text);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("bpfgen", [&] { return run(argc, argv); });
}
