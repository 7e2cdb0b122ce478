// markup_escape.cpp: JSON string literals and XML character data from arbitrary bytes.
#include "libbpfgen/base/markup_escape.h"

#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

namespace bpfgen {

namespace {

constexpr std::string_view kReplacementCharacter = "\xef\xbf\xbd";  // U+FFFD in UTF-8

// The length of the valid UTF-8 sequence starting at text[at] (1 to 4), or 0 when the
// bytes there are not one: a stray continuation byte, an overlong form, a surrogate, a
// code point above U+10FFFF, or a sequence cut short.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<uint8_t>(text[at + i]); };
    const uint8_t lead = byte(0);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    uint32_t minimum = 0;
    uint32_t code_point = 0;
    if ((lead & 0xe0) == 0xc0) {
        length = 2, minimum = 0x80, code_point = lead & 0x1fu;
    } else if ((lead & 0xf0) == 0xe0) {
        length = 3, minimum = 0x800, code_point = lead & 0x0fu;
    } else if ((lead & 0xf8) == 0xf0) {
        length = 4, minimum = 0x10000, code_point = lead & 0x07u;
    } else {
        return 0;
    }
    if (text.size() - at < length) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xc0) != 0x80) return 0;
        code_point = code_point << 6 | (byte(i) & 0x3fu);
    }
    if (code_point < minimum || code_point > 0x10ffff) return 0;
    if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
    return length;
}

// text with each ASCII byte replaced by escape_ascii(out, byte) (which appends what stands
// for it), valid UTF-8 sequences of two bytes or more kept as they are, and every byte that
// starts no valid sequence replaced by U+FFFD.
template <typename EscapeAscii>
std::string escaped(std::string_view text, EscapeAscii escape_ascii) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t length = utf8_sequence_length(text, at);
        if (length == 0) {
            out += kReplacementCharacter;
            ++at;
        } else {
            if (length == 1) {
                escape_ascii(out, text[at]);
            } else {
                out += text.substr(at, length);
            }
            at += length;
        }
    }
    return out;
}

}  // namespace

std::string json_string_literal(std::string_view text) {
    return '"' +
           escaped(text,
                   [](std::string& out, char c) {
                       switch (c) {
                           case '"':
                               out += "\\\"";
                               break;
                           case '\\':
                               out += "\\\\";
                               break;
                           case '\n':
                               out += "\\n";
                               break;
                           case '\r':
                               out += "\\r";
                               break;
                           case '\t':
                               out += "\\t";
                               break;
                           case '\b':
                               out += "\\b";
                               break;
                           case '\f':
                               out += "\\f";
                               break;
                           default:
                               if (static_cast<uint8_t>(c) < 0x20) {
                                   out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
                               } else {
                                   out += c;
                               }
                       }
                   }) +
           '"';
}

std::string xml_escaped(std::string_view text) {
    return escaped(text, [](std::string& out, char c) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\t':
            case '\n':
            case '\r':
                out += c;
                break;
            default:
                // Other control characters are not allowed in XML 1.0 at all.
                out += static_cast<uint8_t>(c) < 0x20 ? kReplacementCharacter
                                                      : std::string_view(&c, 1);
        }
    });
}

}  // namespace bpfgen
