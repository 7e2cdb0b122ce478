// hex2pcap.cpp: turns lines of hex (pcap2hex's output, one packet per line) back into a
// pcap capture. Comments and the text after a tab are skipped; a line that is not hex is
// an error naming the file and line, and no partial output file is left behind.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "libbpfgen/base/descriptor_input.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/hex_line_reader.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/pcap_io.h"

namespace {

using bpfgen::Error;

constexpr uint32_t kSnaplen = 262144;  // libpcap's largest

const std::string kUsage = R"USAGE(usage: hex2pcap [--linktype TYPE] [-U] [-w FILE] [FILE...]

Reads hex packets, one per line, from the FILEs (or standard input when there are none or
for '-') and writes them as a pcap capture to standard output, or to FILE with -w.
Leading spaces are skipped, lines starting with '#' or ';' are comments, and only the text
before the first tab is read as hex (pcap2hex -a puts its printable view there).

  -l, --linktype TYPE  link type of the packets: a LINKTYPE number or libpcap's name for
                       it (EN10MB, LINUX_SLL, LINUX_SLL2, RAW, ...), or bpfgen's --l2 name
                       (ether, sll, sll2: tcpdump -i any); default EN10MB (1)
  -w, --write FILE     write to FILE (replaced only once complete) instead of stdout
  -U, --packet-buffered
                       write each packet as soon as its line is read (a live pipeline);
                       by default packets go out in large blocks
  -h, --help           this text

Packets get zero timestamps and wire lengths equal to their lengths.
)USAGE" + std::string(capture_tool::kStopHelp);

struct Options {
    int link_type = bpfgen::linktype::kEthernet;
    std::string output = "-";
    bool unbuffered = false;
    std::vector<std::string> inputs;
};

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    bool help = false;
    std::optional<std::string> link_type;
    std::optional<std::string> output;
    bpfgen::ToolOptions tool("hex2pcap");
    tool.add_single_value("linktype,l", &link_type)
        .add_single_value("write,w", &output)
        .add_single_switch("packet-buffered,U", &options.unbuffered);
    std::vector<std::string> operands = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (output) options.output = *output;
    if (link_type) options.link_type = capture_tool::link_type_option(*link_type);
    if (options.output.empty()) throw bpfgen::UsageError("-w needs a file name");
    options.inputs = capture_tool::inputs_or_stdin(std::move(operands));
    return options;
}

// Converts one input; false once the output's reader is gone (SIGPIPE).
bool convert(std::istream& input, const std::string& name, bpfgen::PcapWriter& writer,
             bool unbuffered) {
    // A line is refused as soon as its hex passes the largest packet: a 1 GB line costs
    // neither 1 GB nor the time to read it. hex_decode takes two digits a byte, nothing else.
    bpfgen::HexLineReader reader(input, kSnaplen);
    while (const std::optional<bpfgen::HexLine> line = reader.next()) {
        try {
            if (line->too_long) throw Error(reader.too_long_message());
            const std::vector<uint8_t> packet = bpfgen::hex_decode(line->hex);
            bpfgen::PcapPacket view;
            view.data = packet;
            view.wire_length = static_cast<uint32_t>(packet.size());
            writer.write(view);
            if (unbuffered) writer.flush();
        } catch (const bpfgen::OutputError&) {
            if (bpfgen::StopSignals::output_closed()) return false;
            throw;  // the output's fault, named in the message, not this line's
        } catch (const Error& error) {
            throw Error(fmt::format("{}:{}: {}", name, line->number, error.what()));
        }
    }
    if (input.bad()) throw Error(fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
    return true;
}

int hex2pcap_main(int argc, char** argv) {
    const std::optional<Options> options = parse_options(argc, argv);
    if (!options) return -1;
    // Open every input first: a missing one fails before any output. Each is read through a
    // DescriptorInput, which a stop signal ends even while it waits on a pipe.
    std::vector<std::unique_ptr<bpfgen::DescriptorInput>> inputs;
    for (const std::string& input : options->inputs) {
        inputs.push_back(
            std::make_unique<bpfgen::DescriptorInput>(input, input == "-" ? "stdin" : input));
    }
    capture_tool::refuse_binary_to_terminal(options->output);
    bpfgen::PcapWriter writer(options->output, options->link_type, kSnaplen);
    if (options->unbuffered) writer.flush();  // the file header, for the reader to start
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (bpfgen::stop_requested()) break;
        const std::string& input = options->inputs[i];
        if (!convert(*inputs[i], input == "-" ? "stdin" : input, writer, options->unbuffered)) {
            return 0;  // the output's reader is gone
        }
    }
    try {
        writer.commit();
    } catch (const bpfgen::OutputError&) {
        if (!bpfgen::StopSignals::output_closed()) throw;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("hex2pcap", kUsage, [&] { return hex2pcap_main(argc, argv); });
}
