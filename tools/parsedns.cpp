// parsedns.cpp: decodes hex packets (pcap2hex's lines, or bare DNS messages with --raw)
// and prints their link, IP and UDP/TCP headers and their DNS message: header and flags,
// questions, answer, authority and additional records, and EDNS0. A packet that does not
// decode gives one error line naming it, and the exit code is 1.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/hex_line_reader.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_description.h"
#include "libbpfgen/capture/pcap_io.h"

namespace {

using bpfgen::Error;

// The largest packet read from standard input: libpcap's, so the longest line pcap2hex
// prints. A longer line is refused as soon as its hex passes it.
constexpr std::size_t kLargestPacket = 262144;

const std::string kUsage = R"USAGE(usage: parsedns [--raw | --linktype TYPE] HEX... | -

Decodes each HEX argument (or, for '-', each line of standard input: blank lines and lines
starting with '#' or ';' skipped, text after a tab ignored, as pcap2hex -a writes it) as a
packet carrying a DNS message over UDP, or over TCP with its 2-byte length, and prints its
headers and the message: flags, questions, records and EDNS0 options.

      --raw            the hex is a bare DNS message, without link, IP and UDP headers
  -l, --linktype TYPE  link type of the packets: a LINKTYPE number or libpcap's name for it
                       (EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP);
                       default EN10MB (Ethernet), which pcap2hex prints unless -n
  -h, --help           this text
)USAGE";

struct Options {
    bool raw = false;
    int link_type = bpfgen::linktype::kEthernet;
    std::vector<std::string> packets;
};

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    bool help = false;
    std::optional<std::string> link_type;
    bpfgen::ToolOptions tool("parsedns");
    tool.add_single_switch("raw", &options.raw).add_single_value("linktype,l", &link_type);
    options.packets = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (link_type) {
        if (options.raw) throw bpfgen::UsageError("--raw and --linktype exclude each other");
        try {
            options.link_type = bpfgen::parse_link_type(*link_type);
        } catch (const Error& error) {
            throw bpfgen::UsageError(error.what());
        }
        if (!bpfgen::is_supported_link_type(options.link_type)) {
            throw bpfgen::UsageError(fmt::format("link type {} is not supported",
                                                 bpfgen::link_type_name(options.link_type)));
        }
    }
    if (options.packets.empty()) throw bpfgen::UsageError("no packet given");
    return options;
}

int parsedns_main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    const std::optional<Options> options = parse_options(argc, argv);
    if (!options) return -1;
    struct Packet {
        std::string name;  // for messages
        std::string hex;
        std::optional<std::string> refused;  // why it is refused before it is decoded
    };
    std::vector<Packet> packets;
    for (std::size_t i = 0; i < options->packets.size(); ++i) {
        if (options->packets[i] != "-") {
            packets.push_back(
                {fmt::format("packet {}", packets.size() + 1), options->packets[i], {}});
            continue;
        }
        bpfgen::HexLineReader reader(std::cin, kLargestPacket);
        while (const std::optional<bpfgen::HexLine> line = reader.next()) {
            Packet& packet = packets.emplace_back();
            packet.name = fmt::format("stdin:{}", line->number);
            if (line->too_long) {
                packet.refused = reader.too_long_message();
            } else {
                packet.hex = line->hex;
            }
        }
        if (std::cin.bad())
            throw Error(fmt::format("stdin: cannot read: {}", std::strerror(errno)));
    }
    // Only stdin can bring no packet at all: every other argument is one.
    if (packets.empty()) throw Error("stdin: no packet (only blank lines or comments)");
    int status = 0;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const auto& [name, hex, refused] = packets[i];
        std::string text;
        try {
            if (refused) throw Error(*refused);
            const std::vector<uint8_t> bytes = bpfgen::hex_decode(hex);
            text = fmt::format("{}{}: {} bytes\n", i == 0 ? "" : "\n", name, bytes.size()) +
                   bpfgen::describe_dns_packet(
                       bytes, options->raw ? std::nullopt : std::optional(options->link_type));
        } catch (const Error& error) {
            capture_tool::flush_stdout();
            std::fprintf(stderr, "parsedns: %s: %s\n", name.c_str(),
                         capture_tool::one_line(error.what()).c_str());
            status = 1;
            continue;
        }
        capture_tool::write_stdout(text);
    }
    capture_tool::flush_stdout();
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("parsedns", kUsage, [&] { return parsedns_main(argc, argv); });
}
