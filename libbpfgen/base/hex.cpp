// hex.cpp: hex encoding and decoding, the printable view and byte-string escapes.
#include "libbpfgen/base/hex.h"

#include <algorithm>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

namespace {

// The offending character as the user would type it: itself when printable, else escaped.
std::string show_char(char c) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x21 && byte <= 0x7e) return fmt::format("'{}'", c);
    if (c == ' ') return "a space";
    if (c == '\t') return "a tab";
    return fmt::format("byte 0x{:02x}", byte);
}

}  // namespace

std::string hex_encode(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = kDigits[bytes[i] >> 4];
        out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
    }
    return out;
}

std::vector<uint8_t> hex_decode(std::string_view text) {
    // Report a bad character before an odd length: it is the more precise complaint.
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (hex_digit_value(text[i]) < 0) {
            throw Error(
                fmt::format("{} at position {} is not a hex digit", show_char(text[i]), i + 1));
        }
    }
    if (text.size() % 2 != 0) {
        throw Error(fmt::format("odd number of hex digits ({})", text.size()));
    }
    std::vector<uint8_t> out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<uint8_t>(hex_digit_value(text[2 * i]) * 16 +
                                      hex_digit_value(text[2 * i + 1]));
    }
    return out;
}

std::string printable_ascii(std::span<const uint8_t> bytes) {
    std::string out(bytes.size(), '.');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] >= 0x21 && bytes[i] <= 0x7e) out[i] = static_cast<char>(bytes[i]);
    }
    return out;
}

std::vector<uint8_t> unescape_bytes(std::string_view text) {
    std::vector<uint8_t> out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '\\') {
            out.push_back(static_cast<uint8_t>(text[i++]));
            continue;
        }
        const std::size_t escape_position = i + 1;
        if (i + 1 == text.size()) {
            throw Error(fmt::format("lone backslash at position {} (write \\\\ for a backslash)",
                                    escape_position));
        }
        const char kind = text[i + 1];
        i += 2;
        switch (kind) {
            case '\\':
                out.push_back('\\');
                continue;
            case '\'':
                out.push_back('\'');
                continue;
            case '"':
                out.push_back('"');
                continue;
            case 'a':
                out.push_back('\a');
                continue;
            case 'b':
                out.push_back('\b');
                continue;
            case 'f':
                out.push_back('\f');
                continue;
            case 'n':
                out.push_back('\n');
                continue;
            case 'r':
                out.push_back('\r');
                continue;
            case 't':
                out.push_back('\t');
                continue;
            case 'v':
                out.push_back('\v');
                continue;
            case 'x': {
                if (i + 2 > text.size() || hex_digit_value(text[i]) < 0 ||
                    hex_digit_value(text[i + 1]) < 0) {
                    throw Error(fmt::format("escape \\x at position {} needs two hex digits",
                                            escape_position));
                }
                out.push_back(static_cast<uint8_t>(hex_digit_value(text[i]) * 16 +
                                                   hex_digit_value(text[i + 1])));
                i += 2;
                continue;
            }
            default:
                break;
        }
        if (kind >= '0' && kind <= '7') {
            unsigned value = static_cast<unsigned>(kind - '0');
            for (int digits = 1; digits < 3 && i < text.size() && text[i] >= '0' && text[i] <= '7';
                 ++digits) {
                value = value * 8 + static_cast<unsigned>(text[i++] - '0');
            }
            if (value > 0xff) {
                throw Error(fmt::format("octal escape at position {} is larger than \\377",
                                        escape_position));
            }
            out.push_back(static_cast<uint8_t>(value));
            continue;
        }
        throw Error(fmt::format("unknown escape \\{} at position {}", kind, escape_position));
    }
    return out;
}

std::optional<std::string_view> hex_line_content(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
    if (line.empty() || line.front() == '#' || line.front() == ';') return std::nullopt;
    line = line.substr(0, line.find('\t'));
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    if (line.empty()) return std::nullopt;
    return line;
}

}  // namespace bpfgen
