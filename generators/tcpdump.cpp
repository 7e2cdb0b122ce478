// tcpdump.cpp: the 'tcpdump' generator: a pcap-filter expression compiled in-process by
// libpcap for the link type the L3 offset implies, printed as the original bpftools did.
#include "generators/tcpdump.h"

#include <regex>

#include <fmt/format.h>

#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/disassembler.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

const std::string_view kTcpdumpHelp =
    R"(usage: bpfgen [-6] [-n] [-o OFFSET] [-s] tcpdump -- EXPRESSION...

Compiles a tcpdump (pcap-filter) expression with libpcap, in-process, into the
same program `tcpdump -d EXPRESSION` prints. The arguments are joined with
spaces into one expression. The offset chooses the link type libpcap compiles for:

  -o 0   raw IP packets as iptables' bpf match sees them: IPv4, or IPv6 with -6
  -o 14  Ethernet frames
  -o 16  Linux cooked captures (SLL)
  -o 18  Ethernet frames with a VLAN tag: the expression becomes `vlan and (EXPR)`
  -o 20  Linux cooked captures v2 (SLL2, what `tcpdump -i any` writes on Debian)

No other offset is supported. With -n the expression becomes `not (EXPR)`
(before the VLAN wrapping). With -s the output is libpcap's listing as
assembly, the expression that was compiled in a comment. An empty expression
is refused (libpcap would match every packet). Host, network and port names
are looked up when the program is compiled, as tcpdump does.

examples:
  bpfgen tcpdump -- 'udp and dst port 53'
  bpfgen -o 14 tcpdump -- 'tcp[tcpflags] == tcp-syn and dst port 80'
  bpfgen -6 -n tcpdump -- 'ip6 and tcp port 443'
)";

namespace {

struct CompileTarget {
    int link_type;
    bool vlan;  // the frames carry a VLAN tag the expression must step over
};

CompileTarget target_for(std::string_view generator_name, const GeneratorOptions& options) {
    switch (options.l3_offset) {
        case 0:
            return {options.ip_version == 6 ? linktype::kIpv6 : linktype::kIpv4, false};
        case 14:
            return {linktype::kEthernet, false};
        case 16:
            return {linktype::kLinuxSll, false};
        case 18:
            return {linktype::kEthernet, true};
        case 20:
            return {linktype::kLinuxSll2, false};
        default:
            throw UsageError(
                fmt::format("{}: offset {} is not supported: libpcap compiles for 0 (raw IP), 14 "
                            "(Ethernet), 16 (Linux cooked), 18 (Ethernet with a VLAN tag) or 20 "
                            "(Linux cooked v2)",
                            generator_name, options.l3_offset));
    }
}

// A comment line must stay one line whatever the expression holds.
std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// One instruction of libpcap's listing ("(001) jeq      #0x800           jt 2\tjf 5") as
// the original rewrote it for bpf_asm: the index prefix dropped, "#pktlen" spelled
// "#len", jump targets turned into labels ("jeq      #0x800, l002, l005").
std::string assembly_line(const std::string& image) {
    static const std::regex kJump(R"(^(.*)\s+jt (\d+)\s+jf (\d+)$)");
    static const std::regex kAlways(R"(^(ja\s+)(\d+)$)");
    const std::size_t space = image.find(' ');
    std::string rest = space == std::string::npos ? "" : image.substr(space + 1);
    for (std::size_t at = rest.find("#pktlen"); at != std::string::npos;
         at = rest.find("#pktlen", at)) {
        rest.replace(at, 7, "#len");
    }
    std::smatch match;
    // libpcap lists `ja` with its absolute target ("ja       947"), which bpf_asm cannot
    // read (the original crashed on such programs): name the label instead.
    if (std::regex_match(rest, match, kAlways)) {
        return fmt::format("    {}l{:03d}\n", match[1].str(), std::stoi(match[2].str()));
    }
    if (!std::regex_match(rest, match, kJump)) return "    " + rest + "\n";
    std::string prefix = match[1].str();
    prefix.erase(prefix.find_last_not_of(" \t") + 1);
    return fmt::format("    {}, l{:03d}, l{:03d}\n", prefix, std::stoi(match[2].str()),
                       std::stoi(match[3].str()));
}

}  // namespace

GeneratedProgram compile_tcpdump_expression(std::string_view generator_name,
                                            const std::string& expression,
                                            const GeneratorOptions& options) {
    const CompileTarget target = target_for(generator_name, options);
    std::string compiled = expression;
    if (options.negate) compiled = "not (" + compiled + ")";
    if (target.vlan) compiled = "vlan and (" + compiled + ")";

    GeneratedProgram generated;
    try {
        // The original assembled libpcap's listing with bpf_asm, which writes zeros where
        // the listing shows no value: so do we, for the same bytes.
        generated.program = without_unused_fields(compile_pcap_filter(compiled, target.link_type));
    } catch (const LibraryLoadError&) {
        throw;  // the machine's fault, not the expression's
    } catch (const Error& error) {
        // At offset 0 the packets are of one IP version only: say which.
        std::string hint;
        if (options.l3_offset == 0 &&
            std::string_view(error.what()).find("rejects all packets") != std::string_view::npos) {
            hint = options.ip_version == 6 ? " (the packets are IPv6, as -6 asks)"
                                           : " (the packets are IPv4: -6 makes them IPv6)";
        }
        // The expression is the generator's argument: a usage error, whatever libpcap says.
        throw UsageError(fmt::format("{}: {}{}", generator_name, error.what(), hint));
    }
    // libpcap compiles some expressions into programs the kernel refuses (a loop for
    // protochain, more than 4096 instructions): the expression is what to change.
    try {
        check_kernel_rules(generated.program);
    } catch (const CheckError& error) {
        throw UsageError(
            fmt::format("{}: libpcap compiled {} into a program the kernel refuses: {}",
                        generator_name, quote_for_message(compiled), error.what()));
    }

    generated.assembly =
        fmt::format("; ipver={}\n; {}\n\n", options.ip_version, one_line(compiled));
    const std::vector<std::string> listing = pcap_listing(generated.program);
    for (std::size_t i = 0; i < listing.size(); ++i) {
        generated.assembly += fmt::format("l{:03d}:\n", i);
        // libpcap lists loads of skb data as "ldh [type]", which bpf_asm would read as a
        // label: use bpf_asm's own "ldh #type".
        const Instruction& instruction = generated.program[i];
        const bool ancillary = instruction.cls() == op::kLd &&
                               op::mode(instruction.code) == op::kAbs &&
                               instruction.k >= ancillary::kOffset;
        generated.assembly +=
            ancillary ? disassemble(Program({instruction})) : assembly_line(listing[i]);
    }
    return generated;
}

GeneratedProgram generate_tcpdump(const std::vector<std::string>& args,
                                  const GeneratorOptions& options) {
    const std::vector<std::string> words = without_options_end(args);
    if (words.empty()) {
        throw UsageError(
            "tcpdump: expected a pcap-filter expression, for example: tcpdump -- 'udp port 53'");
    }
    std::string expression;
    for (const std::string& word : words) {
        if (!expression.empty()) expression += ' ';
        expression += word;
    }
    // libpcap reads a blank expression as "every packet": as a drop rule, a flood of
    // collateral damage nobody asked for in so many words.
    if (expression.find_first_not_of(" \t\n\r\v\f") == std::string::npos) {
        throw UsageError("tcpdump: the expression is empty (it would match every packet)");
    }
    return compile_tcpdump_expression("tcpdump", expression, options);
}

}  // namespace bpfgen
