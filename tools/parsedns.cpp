// parsedns.cpp: decodes hex packets (pcap2hex's lines, or bare DNS messages with --raw)
// and prints their link, IP and UDP/TCP headers and their DNS message: header and flags,
// questions, answer, authority and additional records, and EDNS0. A packet that does not
// decode gives one error line naming it, and the exit code is 1.
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "command_line/dns_packet_printer.h"
#include "libbpfgen/base/descriptor_input.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/hex_line_reader.h"
#include "libbpfgen/capture/link_layer.h"

namespace {

using bpfgen::Error;

// The largest packet read from standard input: libpcap's, so the longest line pcap2hex
// prints. A longer line is refused as soon as its hex passes it.
constexpr std::size_t kLargestPacket = 262144;

const std::string kUsage = R"USAGE(usage: parsedns [--raw | --linktype TYPE] [-U] HEX... | -

Decodes each HEX argument (or, for '-', each line of standard input: blank lines and lines
starting with '#' or ';' skipped, text after a tab ignored, as pcap2hex -a writes it) as a
packet carrying a DNS message over UDP, or over TCP with its 2-byte length, and prints its
headers and the message: flags, questions, records and EDNS0 options.

      --raw            the hex is a bare DNS message, without link, IP and UDP headers
  -l, --linktype TYPE  link type of the packets: a LINKTYPE number or libpcap's name for it
                       (EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP);
                       default EN10MB (Ethernet), which pcap2hex prints unless -n
  -U, --packet-buffered
                       write each packet's description as soon as its line is read (a
                       live pipeline); by default the output goes out in large blocks
  -h, --help           this text

)USAGE" + std::string(capture_tool::kStopHelp);

struct Options {
    bool raw = false;
    bool unbuffered = false;
    int link_type = bpfgen::linktype::kEthernet;
    std::vector<std::string> packets;
};

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    bool help = false;
    std::optional<std::string> link_type;
    bpfgen::ToolOptions tool("parsedns");
    tool.add_single_switch("raw", &options.raw)
        .add_single_value("linktype,l", &link_type)
        .add_single_switch("packet-buffered,U", &options.unbuffered);
    options.packets = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (link_type) {
        if (options.raw) throw bpfgen::UsageError("--raw and --linktype exclude each other");
        options.link_type = capture_tool::link_type_option(*link_type);
        if (!bpfgen::is_supported_link_type(options.link_type)) {
            throw bpfgen::UsageError(fmt::format("link type {} is not supported",
                                                 bpfgen::link_type_name(options.link_type)));
        }
    }
    if (options.packets.empty()) throw bpfgen::UsageError("no packet given");
    return options;
}

int parsedns_main(int argc, char** argv) {
    const std::optional<Options> options = parse_options(argc, argv);
    if (!options) return -1;
    parsedns::PacketPrinter printer(options->raw ? std::nullopt : std::optional(options->link_type),
                                    options->unbuffered);
    for (const std::string& argument : options->packets) {
        if (bpfgen::stop_requested()) break;
        if (argument != "-") {
            if (!printer.print(fmt::format("packet {}", printer.printed() + 1), argument, {})) {
                return printer.status();
            }
            continue;
        }
        // Read through a DescriptorInput, which a stop signal ends even while it waits.
        bpfgen::DescriptorInput input("-", "stdin");
        bpfgen::HexLineReader reader(input, kLargestPacket);
        while (const std::optional<bpfgen::HexLine> line = reader.next()) {
            const std::string name = fmt::format("stdin:{}", line->number);
            std::optional<std::string> refused;
            if (line->too_long) refused = reader.too_long_message();
            if (!printer.print(name, line->hex, refused)) return printer.status();
        }
        if (input.bad()) throw Error(fmt::format("stdin: cannot read: {}", std::strerror(errno)));
    }
    // Only stdin can bring no packet at all: every other argument is one.
    if (printer.printed() == 0 && !bpfgen::stop_requested()) {
        throw Error("stdin: no packet (only blank lines or comments)");
    }
    (void)capture_tool::flush_stdout();
    return printer.status();
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("parsedns", kUsage, [&] { return parsedns_main(argc, argv); });
}
