// dns_packet_printer.h: parsedns's output, one packet at a time: each hex packet decoded
// and described (headers and DNS message) on stdout, or one error line naming it on stderr,
// with the blank line between two descriptions and the exit status they add up to.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "command_line/capture_tool.h"

namespace parsedns {

class PacketPrinter {
  public:
    // link_type: the packets' link layer, or nullopt for bare DNS messages (--raw).
    // unbuffered: each description flushed as soon as it is printed (-U).
    PacketPrinter(std::optional<int> link_type, bool unbuffered)
        : link_type_(link_type), output_(unbuffered) {}

    // Prints one packet, or the error line naming it when `refused` (why it is refused
    // before it is decoded) or when it does not decode. False once stdout's reader is gone.
    bool print(const std::string& name, std::string_view hex,
               const std::optional<std::string>& refused);
    // Packets printed so far, descriptions and errors alike.
    std::size_t printed() const { return printed_; }
    // 0, or 1 once a packet did not decode.
    int status() const { return status_; }

  private:
    std::optional<int> link_type_;
    capture_tool::StdoutRecords output_;
    std::size_t printed_ = 0;
    int status_ = 0;
};

}  // namespace parsedns
