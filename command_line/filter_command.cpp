// filter_command.cpp: filter after its command line; see filter_command.h.
#include "command_line/filter_command.h"

#include <cstdio>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/capture/rule_offset.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"

namespace filter_command {

namespace {

using bpfgen::Error;
using bpfgen::UsageError;
using Options = FilterOptions;

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
    } catch (const bpfgen::LibraryLoadError&) {
        throw;
    } catch (const Error& error) {
        const std::string message = fmt::format("-e: {}", error.what());
        if (options.network_layer) throw UsageError(message);
        try {
            bpfgen::compile_pcap_filter(*options.expression, bpfgen::linktype::kEthernet, snaplen);
        } catch (const bpfgen::LibraryLoadError&) {
            throw;
        } catch (const Error&) {
            throw UsageError(message);
        }
        throw Error(message);
    }
}

}  // namespace

FilterOutcome run_filter(const FilterOptions& options) {
    capture_tool::refuse_capture_from_terminal(options.inputs);
    std::optional<bpfgen::Program> program = load_program(options);
    bpfgen::MergedCaptures captures(options.inputs);
    const bpfgen::PcapReader& first = captures.first();
    if (options.network_layer) capture_tool::require_ip_headers(first, "--l3");
    const auto layer =
        options.network_layer ? bpfgen::FilterLayer::Network : bpfgen::FilterLayer::LinkLayer;
    std::optional<bpfgen::PacketFilter> filter;
    if (options.expression) program = compile_expression(options, first);
    if (program) {
        const std::string source = options.bytecode     ? "-b"
                                   : options.expression ? "-e"
                                                        : *options.assembly_file;
        if (const auto mismatch = bpfgen::l3_offset_mismatch(*program, source, first.name(),
                                                             first.link_type(), layer)) {
            std::fprintf(stderr, "filter: warning: %s\n", mismatch->c_str());
        }
        // --l3 tries the rule that will be deployed: say so when xt_bpf would refuse it.
        if (const auto too_long = bpfgen::xt_bpf_length_warning(*program);
            too_long && options.network_layer) {
            std::fprintf(stderr, "filter: warning: %s: %s\n", source.c_str(), too_long->c_str());
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
    return FilterOutcome{writer.packets_written(), std::move(counts)};
}

std::string stats_line(const FilterOutcome& outcome, bool network_layer) {
    const bpfgen::MergeCounts& counts = outcome.counts;
    std::string line = fmt::format("filter: wrote {} of {} packets ({} matched the rule",
                                   outcome.written, counts.read, counts.matched);
    if (network_layer) line += fmt::format(", {} without an IP header", counts.without_ip);
    line += ')';
    if (counts.output_closed) {
        line += "; stopped by SIGPIPE: the output's reader is gone";
    } else if (counts.stopped) {
        line += fmt::format("; stopped by {}",
                            bpfgen::stop_signal_name(bpfgen::StopSignals::received()));
    }
    return line;
}

}  // namespace filter_command
