// capture_tool.h: what the capture tools (filter, pcap2hex, hex2pcap, parsedns, offset)
// share on the command line, over the parser every tool uses (tool_options.h)
// and the boundary every tool runs in (tool_main.h): standard input as the default input,
// captures never read from or written to a terminal, --help, lines printed one packet at a
// time, and a live pipeline's stop (SIGINT, SIGTERM, SIGPIPE) that ends the reading rather
// than the tool.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line/tool_main.h"
#include "command_line/tool_options.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/link_type_names.h"
#include "libbpfgen/capture/pcap_io.h"

namespace capture_tool {

// The operands, or {"-"} (standard input) when there are none; "-" at most once.
inline std::vector<std::string> inputs_or_stdin(std::vector<std::string> inputs) {
    if (inputs.empty()) inputs.push_back("-");
    int standard_inputs = 0;
    for (const std::string& input : inputs) standard_inputs += input == "-" ? 1 : 0;
    if (standard_inputs > 1) throw bpfgen::UsageError("standard input ('-') given more than once");
    return inputs;
}

// A capture typed on a terminal is never what was meant: the FILE was forgotten.
inline void refuse_capture_from_terminal(const std::vector<std::string>& inputs) {
    for (const std::string& input : inputs) {
        if (input == "-" && ::isatty(STDIN_FILENO)) {
            throw bpfgen::UsageError(
                "will not read a pcap capture from a terminal: give FILE or pipe one in");
        }
    }
}

// Binary output into a terminal helps no one and can upset it.
inline void refuse_binary_to_terminal(const std::string& output_path) {
    if (output_path == "-" && ::isatty(STDOUT_FILENO)) {
        throw bpfgen::UsageError(
            "will not write a pcap capture to a terminal: redirect stdout or use -w FILE");
    }
}

// The value of a -l/--linktype option: a LINKTYPE number or libpcap's name for it; anything
// else is a usage error (libpcap that cannot be loaded is not).
inline int link_type_option(const std::string& text) {
    try {
        return bpfgen::parse_link_type(text);
    } catch (const bpfgen::LibraryLoadError&) {
        throw;
    } catch (const bpfgen::Error& error) {
        throw bpfgen::UsageError(error.what());
    }
}

// Refuses captures whose packets the network layer cannot be found in (link_layer.h knows
// Ethernet with VLAN tags, SLL, SLL2, raw IP, null and loop), before anything is read:
// "FILE: OPTION cannot find IP headers in TYPE packets (...)".
inline void require_ip_headers(const bpfgen::PcapReader& first, std::string_view option) {
    if (bpfgen::is_supported_link_type(first.link_type())) return;
    throw bpfgen::Error(
        fmt::format("{}: {} cannot find IP headers in {} packets (it knows "
                    "Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP, "
                    "null and loop)",
                    first.name(), option, bpfgen::link_type_name(first.link_type())));
}

// What every capture tool's --help says about stopping it.
inline constexpr const char* kStopHelp =
    "SIGINT (Ctrl-C) or SIGTERM stops the reading: the output keeps every packet processed\n"
    "(whole records or lines), and the exit status is 0, as tcpdump's. So is it when the\n"
    "output's reader goes away (SIGPIPE: `| head`): the tool stops reading, quietly\n"
    "(unless SIGPIPE was ignored when it started: then it is a write error, exit 1).\n";

// What pcap2hex's and offset's --help say about a capture cut short (CaptureCuts).
inline constexpr const char* kCutHelp =
    "A capture cut short (a killed capture, a partial copy) gives the lines of its whole\n"
    "packets, then one line naming where it ends, and exit status 1, as tcpdump.\n";

// Writes text to stdout; throws Error when stdout cannot take it, except when its reader is
// gone (SIGPIPE): then returns false, and the tool is to stop reading.
[[nodiscard]] inline bool write_stdout(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
        if (bpfgen::StopSignals::output_closed()) return false;
        throw bpfgen::Error(fmt::format("stdout: cannot write: {}", std::strerror(errno)));
    }
    return true;
}

// Same contract as write_stdout.
[[nodiscard]] inline bool flush_stdout() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        if (bpfgen::StopSignals::output_closed()) return false;
        throw bpfgen::Error(fmt::format("stdout: cannot write: {}", std::strerror(errno)));
    }
    return true;
}

// The text printed for each packet, on stdout: with -U flushed at once. write() returns
// false once stdout's reader is gone, when the tool is to stop reading.
class StdoutRecords {
  public:
    explicit StdoutRecords(bool flush_each) : flush_each_(flush_each) {}
    [[nodiscard]] bool write(std::string_view text) const {
        return write_stdout(text) && (!flush_each_ || flush_stdout());
    }

  private:
    bool flush_each_;
};

// Where the captures a tool reads are cut short (a killed or still running capture, a
// partial copy): as tcpdump, the packets before a cut are processed, the inputs after it
// are still read, then one line names each cut and the exit status is 1. A damaged record
// is no cut: it stays an error, and the output is taken back.
class CaptureCuts {
  public:
    // The next packet of reader: nullopt at its end, or where it is cut short.
    std::optional<bpfgen::PcapPacket> next(bpfgen::PcapReader& reader) {
        try {
            return reader.next();
        } catch (const bpfgen::TruncatedCapture& cut) {
            cuts_.emplace_back(cut.what());
            return std::nullopt;
        }
    }

    // Prints "TOOL: CUT" for each cut on stderr; the exit status: 1 after a cut, else 0.
    [[nodiscard]] int report(const char* tool) const {
        for (const std::string& cut : cuts_) {
            std::fprintf(stderr, "%s: %s\n", tool, tool_main::one_line(cut).c_str());
        }
        return cuts_.empty() ? 0 : 1;
    }

  private:
    std::vector<std::string> cuts_;
};

using tool_main::one_line;

// Runs a tool's body: prints `usage` for --help (the body returns -1 to ask for it), maps
// UsageError to exit 2 and every other error to exit 1, each as one line on stderr. While
// it runs, SIGINT, SIGTERM and SIGPIPE only end the reading (stop_signals.h).
inline int run(const char* tool, const std::string& usage, const std::function<int()>& body) {
    const bpfgen::StopSignals stop_signals;
    return tool_main::run(
        tool,
        [&] {
            const int status = body();
            if (status != -1) return status;
            std::fputs(usage.c_str(), stdout);
            return 0;
        },
        tool_main::UsageHint::SeeHelp);
}

}  // namespace capture_tool
