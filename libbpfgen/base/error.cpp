// error.cpp: quoting of offending input for one-line error messages.
#include "libbpfgen/base/error.h"

#include <fmt/format.h>

namespace bpfgen {

std::string quote_for_message(std::string_view text, std::size_t max_bytes) {
    std::string out = "'";
    const std::string_view shown = text.substr(0, max_bytes);
    for (char c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == '\\' || byte == '\'') {
            out += '\\';
            out += c;
        } else if (byte >= 0x20 && byte < 0x7f) {
            out += c;
        } else {
            out += fmt::format("\\x{:02x}", byte);
        }
    }
    if (shown.size() < text.size()) out += "...";
    return out + "'";
}

}  // namespace bpfgen
