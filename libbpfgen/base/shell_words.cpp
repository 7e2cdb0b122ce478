// shell_words.cpp: a line split into words as a POSIX shell splits it; see shell_words.h.
#include "libbpfgen/base/shell_words.h"

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

}  // namespace

ShellWords split_shell_words(std::string_view line) {
    ShellWords result;
    std::string word;
    bool in_word = false;  // a word has begun (quotes alone begin one: '' is a word)
    std::size_t at = 0;
    const auto end_word = [&] {
        if (!in_word) return;
        result.words.push_back(std::move(word));
        word.clear();
        in_word = false;
        result.end = at;
    };
    while (at < line.size()) {
        const char c = line[at];
        if (is_blank(c) || c == '\n') {
            end_word();
            ++at;
        } else if (c == '#' && !in_word) {
            break;
        } else if (c == '\'') {
            const std::size_t close = line.find('\'', at + 1);
            if (close == std::string_view::npos) {
                throw UsageError(
                    fmt::format("a single quote opened at column {} is not closed", at + 1));
            }
            word += line.substr(at + 1, close - at - 1);
            in_word = true;
            at = close + 1;
        } else if (c == '"') {
            const std::size_t open = at++;
            for (;;) {
                if (at >= line.size()) {
                    throw UsageError(
                        fmt::format("a double quote opened at column {} is not closed", open + 1));
                }
                const char inside = line[at];
                if (inside == '"') break;
                if (inside == '\\' && at + 1 < line.size() &&
                    std::string_view("\"\\$`").find(line[at + 1]) != std::string_view::npos) {
                    word += line[at + 1];
                    at += 2;
                    continue;
                }
                word += inside;
                ++at;
            }
            in_word = true;
            ++at;
        } else if (c == '\\') {
            if (at + 1 >= line.size()) {
                throw UsageError("a backslash ends the line (rules are one line each)");
            }
            word += line[at + 1];
            in_word = true;
            at += 2;
        } else {
            word += c;
            in_word = true;
            ++at;
        }
    }
    end_word();
    return result;
}

}  // namespace bpfgen
