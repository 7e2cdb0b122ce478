// text.h: the small pieces of text parsing every component and the generators share:
// splitting at a separator and decimal numbers with a bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bpfgen {

// The parts of text between separators, empty ones included: "a,,b" gives "a", "", "b";
// "" gives one empty part. The parts point into text.
std::vector<std::string_view> split(std::string_view text, char separator);

// Decimal digits (leading zeros allowed, nothing else: no sign, no spaces) as a number of
// at most max; nullopt for anything else, an empty text included.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max);

}  // namespace bpfgen
