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
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
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
              [--stats] [-U] [-w FILE] [FILE...]

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
  -U, --packet-buffered    write each packet as soon as it is read and selected (a live
                           pipeline, as tcpdump -U); by default packets go out in large
                           blocks. With -w the file appears once the input ends or stops.
  -h, --help               this text

A packet matches when the program returns non-zero. A capture cut short (its last
record incomplete) keeps its whole packets: they are filtered and written, the cut is
named, and the exit status is 1. A program that cannot be used exits with 2.
SIGINT (Ctrl-C) or SIGTERM stops the reading: the output is a valid capture of every
packet processed, --stats says "; stopped by SIGINT", and the exit status is 0, as
tcpdump's. So is it when the output's reader goes away (SIGPIPE: `| head -c 100`).
Examples:
  filter -e "udp port 53" capture.pcap > dns.pcap
  filter --l3 -b "$(bpfgen dns -- example.com)" --stats capture.pcap > hits.pcap
  tcpdump -U -i eth0 -w - udp port 53 | filter -U --stats -b "$R" > hits.pcap
)USAGE";

struct Options {
    std::optional<std::string> bytecode;
    std::optional<std::string> expression;
    std::optional<std::string> assembly_file;
    bool network_layer = false;
    bool invert = false;
    bool stats = false;
    bool unbuffered = false;
    std::string output = "-";
    std::vector<std::string> inputs;
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
        .add_single_switch("packet-buffered,U", &options.unbuffered)
        .add_single_value("write,w", &output);
    std::vector<std::string> operands = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (output) options.output = *output;
    const int programs =
        (options.bytecode ? 1 : 0) + (options.expression ? 1 : 0) + (options.assembly_file ? 1 : 0);
    if (programs > 1) throw UsageError("give at most one of -b, -e and -c");
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

// What --stats prints: what was written out of what was read, what the rule matched, and
// what stopped the reading.
void print_stats(uint64_t written, const bpfgen::MergeCounts& counts,
                 std::optional<uint64_t> without_ip) {
    std::string line = fmt::format("filter: wrote {} of {} packets ({} matched the rule", written,
                                   counts.read, counts.matched);
    if (without_ip) line += fmt::format(", {} without an IP header", *without_ip);
    line += ')';
    if (counts.output_closed) {
        line += "; stopped by SIGPIPE: the output's reader is gone";
    } else if (counts.stopped) {
        line += fmt::format("; stopped by {}",
                            bpfgen::stop_signal_name(bpfgen::StopSignals::received()));
    }
    std::fprintf(stderr, "%s\n", line.c_str());
}

int filter_main(int argc, char** argv) {
    const std::optional<Options> parsed = parse_options(argc, argv);
    if (!parsed) return -1;
    const Options& options = *parsed;

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
    if (options.unbuffered) writer.flush();  // the file header, for the reader to start
    bpfgen::MergeCounts counts = captures.copy_selected(
        writer, filter ? &*filter : nullptr, layer, options.invert,
        options.unbuffered ? bpfgen::OutputFlush::EachPacket : bpfgen::OutputFlush::Buffered);
    try {
        if (!counts.output_closed) writer.commit();
    } catch (const bpfgen::OutputError&) {
        if (!bpfgen::StopSignals::output_closed()) throw;
        counts.output_closed = true;
    }
    // A cut input is no reason to take back what was written: the body returns the
    // failure rather than throwing it, which would cut a regular-file stdout back.
    for (const std::string& cut : counts.cuts) {
        std::fprintf(stderr, "filter: %s\n", capture_tool::one_line(cut).c_str());
    }
    if (options.stats) {
        print_stats(writer.packets_written(), counts,
                    options.network_layer ? std::optional(counts.without_ip) : std::nullopt);
    }
    return counts.cuts.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("filter", kUsage, [&] { return filter_main(argc, argv); });
}
