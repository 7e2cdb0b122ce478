// shell_quote.h: making untrusted text safe inside a generated bash script: as one
// single-quoted word, or inside a `#` comment line, plus the validators for the values
// deployment scripts pass to iptables and ipset (addresses, set and chain names).
#pragma once

#include <string>
#include <string_view>

namespace bpfgen {

// One bash word that expands to exactly text: 'text' with each ' written as '\''.
// Throws Error for a NUL byte, which no shell word can hold.
std::string shell_quote(std::string_view text);

// Text that stays inside the `#` comment line it is written into: control characters
// (newlines included) and bytes >= 0x7f written as \xNN.
std::string comment_safe(std::string_view text);

enum class AddressFamily { Inet, Inet6 };

// "192.0.2.1", "192.0.2.0/24", "2001:db8::/32": an address of the family with an optional
// prefix length within its range. Throws UsageError naming the value otherwise.
void validate_address(std::string_view text, AddressFamily family);

// Letters, digits, '_' , '-' and '.', 1..max_length bytes, not starting with '-'; throws
// UsageError naming what (e.g. "chain name") and the value otherwise.
void validate_identifier(std::string_view what, std::string_view text, std::size_t max_length);

}  // namespace bpfgen
