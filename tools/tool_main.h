// tool_main.h: the boundary every tool shares, where an error becomes one line on stderr
// ("TOOL: message") and an exit status: 2 for a usage error, 1 for any other failure.
#pragma once

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "libbpfgen/error.h"

namespace tool_main {

// A message as one line: line breaks inside it (a pattern or a file name may hold them)
// would split an error over several.
inline std::string one_line(std::string_view message) {
    std::string line(message);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return line;
}

enum class UsageHint { None, SeeHelp };

// Runs a tool's body and returns its exit status; an exception becomes one line on stderr
// and status 2 (UsageError, with "(see TOOL --help)" for UsageHint::SeeHelp) or 1.
template <typename Body>
int run(const char* tool, Body&& body, UsageHint hint = UsageHint::None) {
    try {
        return body();
    } catch (const bpfgen::UsageError& error) {
        std::fprintf(stderr, "%s: %s", tool, one_line(error.what()).c_str());
        if (hint == UsageHint::SeeHelp) std::fprintf(stderr, " (see %s --help)", tool);
        std::fputc('\n', stderr);
        return 2;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "%s: out of memory\n", tool);
        return 1;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s: %s\n", tool, one_line(error.what()).c_str());
        return 1;
    }
}

}  // namespace tool_main
