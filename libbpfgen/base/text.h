// text.h: the small pieces of text parsing every component and the generators share:
// ASCII character classes, splitting at a separator and decimal numbers with a bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bpfgen {

// ASCII only, whatever the locale: command lines, assembly and file names are read as bytes.
constexpr bool is_ascii_digit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_ascii_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
// What names given to iptables, ipset and the file system are made of: letters, digits,
// '_', '-' and '.'.
constexpr bool is_name_char(char c) {
    return is_ascii_letter(c) || is_ascii_digit(c) || c == '_' || c == '-' || c == '.';
}

// The parts of text between separators, empty ones included: "a,,b" gives "a", "", "b";
// "" gives one empty part. The parts point into text.
std::vector<std::string_view> split(std::string_view text, char separator);

// Decimal digits (leading zeros allowed, nothing else: no sign, no spaces) as a number of
// at most max; nullopt for anything else, an empty text included.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max);

}  // namespace bpfgen
