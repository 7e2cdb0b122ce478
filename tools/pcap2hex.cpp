// pcap2hex.cpp: prints the packets of pcap/pcapng captures as hex, one packet per line,
// with link-layer headers rewritten as plain Ethernet (unless -n), addresses and DNS names
// pseudonymised on request (-s) and a printable view on request (-a).
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/capture/scrub.h"

namespace {

using bpfgen::Error;

const std::string kUsage =
    R"USAGE(usage: pcap2hex [-s|--scrub] [-n|--no-normalize] [-a|--ascii] [-U] [FILE...]

Prints each packet of the pcap or pcapng captures (the FILEs, or standard input when there
are none or for '-') as one line of hex. hex2pcap turns the lines back into a capture.

  -n, --no-normalize  print packets as captured; by default the link-layer header becomes
                      a 14-byte Ethernet header: VLAN tags removed, Linux cooked (SLL,
                      SLL2), raw IP and loopback headers replaced, missing MAC addresses zero
  -s, --scrub         pseudonymise: MAC addresses zeroed, IPv4/IPv6 addresses and the
                      letters and digits of DNS names replaced deterministically (the same
                      input always gives the same output), checksums kept valid
  -a, --ascii         append a tab and the printable characters of the packet ('.' for others)
  -U, --packet-buffered
                      write each line as soon as its packet is read (a live pipeline);
                      by default lines go out in large blocks
  -h, --help          this text

)USAGE" +
    std::string(capture_tool::kStopHelp);

struct Options {
    bool scrub = false;
    bool keep_link_layer = false;
    bool ascii = false;
    bool unbuffered = false;
    std::vector<std::string> inputs;
};

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    bool help = false;
    bpfgen::ToolOptions tool("pcap2hex");
    tool.add_single_switch("scrub,s", &options.scrub)
        .add_single_switch("no-normalize,n", &options.keep_link_layer)
        .add_single_switch("ascii,a", &options.ascii)
        .add_single_switch("packet-buffered,U", &options.unbuffered);
    std::vector<std::string> operands = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    options.inputs = capture_tool::inputs_or_stdin(std::move(operands));
    return options;
}

// Prints the packets of one capture; false once stdout's reader is gone.
bool print_capture(bpfgen::PcapReader& reader, const Options& options) {
    const int link_type = reader.link_type();
    if (!bpfgen::is_supported_link_type(link_type)) {
        if (options.scrub) {
            throw Error(fmt::format("{}: cannot scrub {} packets: their addresses cannot be found",
                                    reader.name(), bpfgen::link_type_name(link_type)));
        }
        if (!options.keep_link_layer) {
            throw Error(
                fmt::format("{}: {} packets have no Ethernet form; use -n to print them "
                            "as captured",
                            reader.name(), bpfgen::link_type_name(link_type)));
        }
    }
    const capture_tool::StdoutRecords output(options.unbuffered);
    std::string line;
    while (const std::optional<bpfgen::PcapPacket> packet = reader.next()) {
        std::vector<uint8_t> bytes(packet->data.begin(), packet->data.end());
        try {
            if (options.scrub) bytes = bpfgen::scrub_packet(link_type, bytes);
            if (!options.keep_link_layer) bytes = bpfgen::normalize_to_ethernet(link_type, bytes);
        } catch (const Error& error) {
            throw Error(fmt::format("{}: packet {}: {}", reader.name(), reader.packets_read(),
                                    error.what()));
        }
        line = bpfgen::hex_encode(bytes);
        if (options.ascii) {
            line += '\t';
            line += bpfgen::printable_ascii(bytes);
        }
        line += '\n';
        if (!output.write(line)) return false;
    }
    return true;
}

int pcap2hex_main(int argc, char** argv) {
    const std::optional<Options> options = parse_options(argc, argv);
    if (!options) return -1;
    capture_tool::refuse_capture_from_terminal(options->inputs);
    for (const std::string& input : options->inputs) {
        if (bpfgen::stop_requested()) break;
        bpfgen::PcapReader reader(input);
        if (!print_capture(reader, *options)) break;
    }
    (void)capture_tool::flush_stdout();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("pcap2hex", kUsage, [&] { return pcap2hex_main(argc, argv); });
}
