// dns_packet_printer.cpp: parsedns's output; see dns_packet_printer.h.
#include "command_line/dns_packet_printer.h"

#include <cstdint>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/packet_description.h"

namespace parsedns {

bool PacketPrinter::print(const std::string& name, std::string_view hex,
                          const std::optional<std::string>& refused) {
    std::string text;
    try {
        if (refused) throw bpfgen::Error(*refused);
        const std::vector<uint8_t> bytes = bpfgen::hex_decode(hex);
        text = fmt::format("{}{}: {} bytes\n", printed_ == 0 ? "" : "\n", name, bytes.size()) +
               bpfgen::describe_dns_packet(bytes, link_type_);
    } catch (const bpfgen::Error& error) {
        ++printed_;
        if (!capture_tool::flush_stdout()) return false;
        std::fprintf(stderr, "parsedns: %s: %s\n", name.c_str(),
                     capture_tool::one_line(error.what()).c_str());
        status_ = 1;
        return true;
    }
    ++printed_;
    return output_.write(text);
}

}  // namespace parsedns
