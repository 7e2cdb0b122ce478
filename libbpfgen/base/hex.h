// hex.h: the text forms of raw bytes used by the capture tools: hex encoding and decoding,
// the printable-ASCII view, and C-style escapes ("\x00", "\t") for byte strings typed on
// a command line.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfgen {

// Lower-case hex, two digits per byte, no separators.
std::string hex_encode(std::span<const uint8_t> bytes);

// The bytes of a string, for hex_encode (Python 2's str.encode('hex') is
// hex_encode(string_bytes(text))).
inline std::span<const uint8_t> string_bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// The value of one hex digit of either case, -1 for any other character.
int hex_digit_value(char c);

// Hex digits of either case, two per byte, nothing else (no spaces, no 0x prefix). Throws
// Error naming the 1-based position of the first character that is not a hex digit, or
// the number of digits when it is odd.
std::vector<uint8_t> hex_decode(std::string_view text);

// The hex text of one line of pcap2hex output (and of what hex2pcap and parsedns read):
// leading spaces, a trailing CR or LF and anything from the first tab on (the printable
// view) are not part of it; nullopt for a line without a packet: blank, or a comment
// starting with '#' or ';'.
std::optional<std::string_view> hex_line_content(std::string_view line);

// One character per byte: printable ASCII other than space as itself, anything else '.'.
std::string printable_ascii(std::span<const uint8_t> bytes);

// Decodes the escapes \\ \' \" \a \b \f \n \r \t \v \xHH (exactly two hex digits) and
// \O, \OO, \OOO (octal, at most 0377); every other character stands for itself. Throws
// Error naming the 1-based position of an unknown or incomplete escape.
std::vector<uint8_t> unescape_bytes(std::string_view text);

}  // namespace bpfgen
