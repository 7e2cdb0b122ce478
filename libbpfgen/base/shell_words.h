// shell_words.h: one line of text split into words as a POSIX shell splits it, without
// any expansion: how a rule given as one string (xdp_bpf's RULE arguments and -f files,
// filter --report's rules file) becomes a command line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bpfgen {

// The words of a line as a POSIX shell splits them, without any expansion: blanks (spaces,
// tabs) separate words; 'single quotes' keep everything up to the next ' as it is;
// "double quotes" keep everything up to the next unescaped ", where a backslash escapes
// only " \ $ ` and is kept before anything else; outside quotes a backslash keeps the
// next character as it is; quotes join with what touches them (a'b'"c" is abc; '' is an
// empty word); an unquoted # starting a word begins a comment to the end of the line.
// $, *, ~ and the rest are plain characters.
struct ShellWords {
    std::vector<std::string> words;
    // Where the last word ends in the line (the comment and trailing blanks after it not
    // included), so that line.substr(0, end) is the line as written without them.
    std::size_t end = 0;
};

// Throws UsageError for a quote left open or a backslash ending the line.
ShellWords split_shell_words(std::string_view line);

}  // namespace bpfgen
