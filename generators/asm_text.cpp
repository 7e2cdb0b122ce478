// asm_text.cpp: Python 2 style renderings of byte strings for assembly comments.
#include "generators/asm_text.h"

#include <fmt/format.h>

namespace bpfgen {

std::string python_repr(std::string_view bytes) {
    const bool double_quotes =
        bytes.find('\'') != std::string_view::npos && bytes.find('"') == std::string_view::npos;
    const char quote = double_quotes ? '"' : '\'';
    std::string out(1, quote);
    for (char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (byte < 0x20 || byte >= 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    out += quote;
    return out;
}

}  // namespace bpfgen
