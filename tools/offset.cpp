// offset.cpp: prints, for each packet of pcap/pcapng captures, where a byte string first
// occurs in it (from the start, or with -r from the end), optionally with the bytes before
// or from the match in hex: the first step to a rule that matches that string at a fixed
// offset.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/pcap_io.h"

namespace {

using bpfgen::Error;

const std::string kUsage = R"USAGE(usage: offset [-r] [-p] [-s] [-i] [-U] STRING [FILE...]

For each packet of the pcap or pcapng captures (the FILEs, or standard input when there
are none or for '-') prints the offset of the first occurrence of STRING in the packet as
captured (link-layer header included), or -1 when it does not occur. STRING may contain
the escapes \xHH, \OOO (octal), \t, \n, \r, \\ and the like, e.g. '\x07example\x03com'.

  -r, --reverse  count the offset from the end of the packet (-len at the first byte);
                 a packet without STRING then prints "none"
  -p, --prefix   also print, after a tab, the bytes before the match in hex
  -s, --suffix   also print, after a tab, the bytes from the match on in hex
                 (with -p or -s a packet without STRING prints all its bytes)
  -i, --ignore   skip packets without STRING
  -U, --packet-buffered
                 write each line as soon as its packet is read (a live pipeline)
  -h, --help     this text

)USAGE" + std::string(capture_tool::kStopHelp);

struct Options {
    bool reverse = false;
    bool prefix = false;
    bool suffix = false;
    bool ignore = false;
    bool unbuffered = false;
    std::vector<uint8_t> needle;
    std::vector<std::string> inputs;
};

std::optional<Options> parse_options(int argc, char** argv) {
    bool help = false;
    bpfgen::ToolOptions tool("offset");
    Options options;
    tool.add_single_switch("reverse,r", &options.reverse)
        .add_single_switch("prefix,p", &options.prefix)
        .add_single_switch("suffix,s", &options.suffix)
        .add_single_switch("ignore,i", &options.ignore)
        .add_single_switch("packet-buffered,U", &options.unbuffered);
    std::vector<std::string> arguments =
        bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (arguments.empty()) throw bpfgen::UsageError("no STRING to look for");
    try {
        options.needle = bpfgen::unescape_bytes(arguments.front());
    } catch (const Error& error) {
        throw bpfgen::UsageError(fmt::format(
            "STRING {}: {}", bpfgen::quote_for_message(arguments.front()), error.what()));
    }
    if (options.needle.empty()) throw bpfgen::UsageError("STRING is empty");
    arguments.erase(arguments.begin());
    if (arguments.empty()) arguments.push_back("-");
    if (std::count(arguments.begin(), arguments.end(), "-") > 1) {
        throw bpfgen::UsageError("standard input ('-') given more than once");
    }
    options.inputs = std::move(arguments);
    return options;
}

// The line for one packet; nullopt when it is to be skipped.
std::optional<std::string> describe(std::span<const uint8_t> packet, const Options& options) {
    const auto found =
        std::search(packet.begin(), packet.end(), options.needle.begin(), options.needle.end());
    if (found == packet.end()) {
        if (options.ignore) return std::nullopt;
        std::string line = options.reverse ? "none" : "-1";
        if (options.prefix || options.suffix) line += '\t' + bpfgen::hex_encode(packet);
        return line;
    }
    const auto at = static_cast<std::size_t>(found - packet.begin());
    std::string line =
        options.reverse
            ? fmt::format("{}", static_cast<int64_t>(at) - static_cast<int64_t>(packet.size()))
            : fmt::format("{}", at);
    if (options.prefix) line += '\t' + bpfgen::hex_encode(packet.first(at));
    if (options.suffix) line += '\t' + bpfgen::hex_encode(packet.subspan(at));
    return line;
}

int offset_main(int argc, char** argv) {
    const std::optional<Options> options = parse_options(argc, argv);
    if (!options) return -1;
    capture_tool::refuse_capture_from_terminal(options->inputs);
    const capture_tool::StdoutRecords output(options->unbuffered);
    for (const std::string& input : options->inputs) {
        if (bpfgen::stop_requested()) break;
        bpfgen::PcapReader reader(input);
        while (const std::optional<bpfgen::PcapPacket> packet = reader.next()) {
            const std::optional<std::string> line = describe(packet->data, *options);
            if (line && !output.write(*line + '\n')) return 0;  // stdout's reader is gone
        }
    }
    (void)capture_tool::flush_stdout();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("offset", kUsage, [&] { return offset_main(argc, argv); });
}
