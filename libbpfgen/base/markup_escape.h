// markup_escape.h: text put inside JSON strings and XML documents so that the result stays
// valid whatever the text holds: quotes, backslashes, markup characters, control bytes and
// bytes that are not UTF-8 (a rule read from a file may hold any of them).
#pragma once

#include <string>
#include <string_view>

namespace bpfgen {

// text as a JSON string literal, quotes included: `"` and `\` escaped, control characters
// as \n, \t... or \u00XX, and each byte that does not belong to a valid UTF-8 sequence
// replaced by U+FFFD, so that any JSON parser takes it.
std::string json_string_literal(std::string_view text);

// text as XML 1.0 character data, valid in an element and in a quoted attribute alike:
// & < > " ' as entities, and what XML 1.0 cannot hold at all (control characters other
// than tab, newline and carriage return; bytes that are not UTF-8) replaced by U+FFFD.
std::string xml_escaped(std::string_view text);

}  // namespace bpfgen
