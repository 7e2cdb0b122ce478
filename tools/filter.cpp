// filter.cpp: reads pcap/pcapng captures and writes the packets a cBPF program accepts
// (or, with --invert, rejects) as a pcap capture, running the program with kernel
// semantics (PacketFilter::verdict, through the project's JIT). --l3 shows the program
// each packet from its IP header on, as iptables' xt_bpf does, so offset-0 rules can be
// tried on link-layer captures.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "command_line/rule_report_tool.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/merged_captures.h"
#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace {

using bpfgen::Error;
using bpfgen::UsageError;

const std::string kUsage =
    R"USAGE(usage: filter [-b BYTECODE | -e EXPRESSION | -c ASMFILE] [--l3] [--invert]
              [--stats] [-w FILE] [FILE...]
       filter --report -f RULES [--json] [--svg FILE] [FILE...]

Reads pcap or pcapng captures (the FILEs, or standard input when there are none or for
'-') and writes the packets the program accepts as a pcap capture to standard output, or
to FILE with -w. Without a program every packet passes. All FILEs must share a link type.

  -b, --bytecode BYTECODE  xt_bpf bytecode, "N,code jt jf k,..." (bpfgen's output)
  -e, --expr EXPRESSION    a tcpdump/pcap-filter expression, compiled by libpcap for the
                           captures' link type (for raw IP with --l3)
  -c, --compile ASMFILE    a program in bpf_asm syntax
      --l3                 run the program on each packet from its IP header on, as
                           iptables' xt_bpf does (for offset-0 rules, bpfgen -o 0); packets
                           without an IPv4/IPv6 header do not match
      --invert             write the packets that do NOT match
      --stats              print "filter: wrote N of M packets (K matched the rule)"
                           on stderr
  -w, --write FILE         write to FILE (replaced only once complete) instead of stdout
      --report             run every rule of -f RULES over the packets in one pass, each
                           as --l3 runs it, and print a table: rule, packets matched, %
                           of the capture, packets this rule alone matched, first and
                           last match (UTC); no -b/-e/-c/--invert/--stats/-w
  -f, --rules RULES        one rule a line: a bpfgen command line at offset 0
                           ("dns -- *.example.com", "-6 tcpdump -- udp port 53") or
                           "bytecode:N,c t f k,..."; words split as a POSIX shell does
                           ('...', "...", \ escapes, no expansion), # starts a comment
      --json               print the report as JSON instead of the table
      --svg FILE           also draw each rule's matches per second as an SVG chart
  -h, --help               this text

A packet matches when the program returns non-zero. A capture cut short (its last
record incomplete) keeps its whole packets: they are filtered and written, the cut is
named, and the exit status is 1. A program that cannot be used exits with 2.
Examples:
  filter -e "udp port 53" capture.pcap > dns.pcap
  filter --l3 -b "$(bpfgen dns -- example.com)" --stats capture.pcap > hits.pcap
  filter --report -f candidates.txt --svg matches.svg capture.pcap
)USAGE";

struct Options {
    std::optional<std::string> bytecode;
    std::optional<std::string> expression;
    std::optional<std::string> assembly_file;
    bool network_layer = false;
    bool invert = false;
    bool stats = false;
    std::string output = "-";
    std::vector<std::string> inputs;
    rule_report_tool::ReportOptions report;
};

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    bool help = false;
    std::optional<std::string> output;
    bpfgen::ToolOptions tool("filter");
    tool.add_single_value("bytecode,b", &options.bytecode)
        .add_single_value("expr,e", &options.expression)
        .add_single_value("compile,c", &options.assembly_file)
        .add_single_switch("l3", &options.network_layer)
        .add_single_switch("invert", &options.invert)
        .add_single_switch("stats", &options.stats)
        .add_single_value("write,w", &output);
    rule_report_tool::add_options(tool, &options.report);
    std::vector<std::string> operands = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (output) options.output = *output;
    const int programs =
        (options.bytecode ? 1 : 0) + (options.expression ? 1 : 0) + (options.assembly_file ? 1 : 0);
    if (programs > 1) throw UsageError("give at most one of -b, -e and -c");
    rule_report_tool::check_options(options.report, {{"-b", options.bytecode.has_value()},
                                                     {"-e", options.expression.has_value()},
                                                     {"-c", options.assembly_file.has_value()},
                                                     {"--invert", options.invert},
                                                     {"--stats", options.stats},
                                                     {"-w", output.has_value()}});
    if (options.output.empty()) throw UsageError("-w needs a file name");
    options.inputs = capture_tool::inputs_or_stdin(std::move(operands));
    return options;
}

// The -c file assembled. Text that does not assemble is a bad program, so a usage error;
// a file that cannot be read is not. assemble_file() tells them apart only in its
// message: "PATH:LINE:COLUMN: reason" against "PATH: cannot open: ..." (or read).
bpfgen::Program assemble_program_file(const std::string& path) {
    try {
        return bpfgen::assemble_file(path);
    } catch (const Error& error) {
        const std::string_view message = error.what();
        const std::size_t after = path.size();
        const bool located = message.size() > after + 1 && message.starts_with(path) &&
                             message[after] == ':' && message[after + 1] >= '0' &&
                             message[after + 1] <= '9';
        if (located) throw UsageError(error.what());
        throw;
    }
}

// The program given with -b or -c, or nullopt (none, or -e: that one needs the capture).
// Bytecode or assembly that does not parse is a usage error.
std::optional<bpfgen::Program> load_program(const Options& options) {
    if (options.bytecode) {
        try {
            return bpfgen::parse_xt_bpf(*options.bytecode);
        } catch (const Error& error) {
            throw UsageError(fmt::format("-b: {}", error.what()));
        }
    }
    if (options.assembly_file) return assemble_program_file(*options.assembly_file);
    return std::nullopt;
}

// The -e expression compiled by libpcap for the captures' link type, or for raw IP when
// the program is to see packets from their IP header on. An expression libpcap refuses is
// a usage error (a syntax error, 'vlan' with --l3), unless it compiles for Ethernet: then
// it is the captures' link type that libpcap cannot filter so ('ip' on a link type it
// knows no IP for, anything on one it does not know), a fault of the input.
bpfgen::Program compile_expression(const Options& options, const bpfgen::PcapReader& first) {
    const int snaplen = static_cast<int>(first.snaplen());
    try {
        if (options.network_layer) {
            return bpfgen::compile_pcap_filter(*options.expression, bpfgen::linktype::kRaw,
                                               snaplen);
        }
        return first.compile_filter(*options.expression);
    } catch (const Error& error) {
        const std::string message = fmt::format("-e: {}", error.what());
        if (options.network_layer) throw UsageError(message);
        try {
            bpfgen::compile_pcap_filter(*options.expression, bpfgen::linktype::kEthernet, snaplen);
        } catch (const Error&) {
            throw UsageError(message);
        }
        throw Error(message);
    }
}

// What --stats prints: what was written out of what was read, and what the rule matched.
void print_stats(uint64_t written, uint64_t total, uint64_t matched,
                 std::optional<uint64_t> without_ip) {
    std::string line =
        fmt::format("filter: wrote {} of {} packets ({} matched the rule", written, total, matched);
    if (without_ip) line += fmt::format(", {} without an IP header", *without_ip);
    std::fprintf(stderr, "%s)\n", line.c_str());
}

int filter_main(int argc, char** argv) {
    const std::optional<Options> parsed = parse_options(argc, argv);
    if (!parsed) return -1;
    const Options& options = *parsed;
    if (options.report.report)
        return rule_report_tool::run("filter", options.report, options.inputs);

    capture_tool::refuse_capture_from_terminal(options.inputs);
    std::optional<bpfgen::Program> program = load_program(options);
    bpfgen::MergedCaptures captures(options.inputs);
    const bpfgen::PcapReader& first = captures.first();
    if (options.network_layer && !bpfgen::is_supported_link_type(first.link_type())) {
        throw Error(
            fmt::format("{}: --l3 cannot find IP headers in {} packets (it knows "
                        "Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP, "
                        "null and loop)",
                        first.name(), bpfgen::link_type_name(first.link_type())));
    }
    const auto layer =
        options.network_layer ? bpfgen::FilterLayer::Network : bpfgen::FilterLayer::LinkLayer;
    std::optional<bpfgen::PacketFilter> filter;
    if (options.expression) program = compile_expression(options, first);
    if (program) {
        const std::string source = options.bytecode     ? "-b"
                                   : options.expression ? "-e"
                                                        : *options.assembly_file;
        // --l3 tries the rule that will be deployed: say so when xt_bpf would refuse it.
        if (options.network_layer && program->size() > bpfgen::op::kXtBpfMaxInstructions) {
            std::fprintf(stderr,
                         "filter: warning: %s: %zu instructions; iptables' bpf match (xt_bpf) "
                         "takes at most %u\n",
                         source.c_str(), program->size(), bpfgen::op::kXtBpfMaxInstructions);
        }
        try {
            filter.emplace(bpfgen::CheckedProgram(std::move(*program)), first.link_type(), layer);
        } catch (const bpfgen::CheckError& error) {
            // A program the kernel would refuse: the command line's fault.
            throw UsageError(fmt::format("{}: {}", source, error.what()));
        } catch (const Error& error) {
            throw Error(fmt::format("{}: {}", source, error.what()));
        }
    }

    capture_tool::refuse_binary_to_terminal(options.output);
    bpfgen::PcapWriter writer(options.output, first.link_type(), captures.largest_snaplen(),
                              captures.finest_precision());
    const bpfgen::MergeCounts counts =
        captures.copy_selected(writer, filter ? &*filter : nullptr, layer, options.invert);
    writer.commit();
    // A cut input is no reason to take back what was written: the body returns the
    // failure rather than throwing it, which would cut a regular-file stdout back.
    for (const std::string& cut : counts.cuts) {
        std::fprintf(stderr, "filter: %s\n", capture_tool::one_line(cut).c_str());
    }
    if (options.stats) {
        print_stats(writer.packets_written(), counts.read, counts.matched,
                    options.network_layer ? std::optional(counts.without_ip) : std::nullopt);
    }
    return counts.cuts.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("filter", kUsage, [&] { return filter_main(argc, argv); });
}
