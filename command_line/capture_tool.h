// capture_tool.h: what the capture tools (filter, pcap2hex, hex2pcap, parsedns, offset)
// share on the command line, over the parser every tool uses (tool_options.h)
// and the boundary every tool runs in (tool_main.h): standard input as the default input,
// captures never read from or written to a terminal, and --help.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line/tool_main.h"
#include "command_line/tool_options.h"
#include "libbpfgen/base/error.h"

namespace capture_tool {

// The operands, or {"-"} (standard input) when there are none; "-" at most once.
inline std::vector<std::string> inputs_or_stdin(std::vector<std::string> inputs) {
    if (inputs.empty()) inputs.push_back("-");
    int standard_inputs = 0;
    for (const std::string& input : inputs) standard_inputs += input == "-" ? 1 : 0;
    if (standard_inputs > 1) throw bpfgen::UsageError("standard input ('-') given more than once");
    return inputs;
}

// A capture typed on a terminal is never what was meant: the FILE was forgotten.
inline void refuse_capture_from_terminal(const std::vector<std::string>& inputs) {
    for (const std::string& input : inputs) {
        if (input == "-" && ::isatty(STDIN_FILENO)) {
            throw bpfgen::UsageError(
                "will not read a pcap capture from a terminal: give FILE or pipe one in");
        }
    }
}

// Binary output into a terminal helps no one and can upset it.
inline void refuse_binary_to_terminal(const std::string& output_path) {
    if (output_path == "-" && ::isatty(STDOUT_FILENO)) {
        throw bpfgen::UsageError(
            "will not write a pcap capture to a terminal: redirect stdout or use -w FILE");
    }
}

// Writes text to stdout; throws Error when stdout cannot take it.
inline void write_stdout(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
        throw bpfgen::Error(fmt::format("cannot write to stdout: {}", std::strerror(errno)));
    }
}

inline void flush_stdout() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        throw bpfgen::Error(fmt::format("cannot write to stdout: {}", std::strerror(errno)));
    }
}

using tool_main::one_line;

// Runs a tool's body: prints `usage` for --help (the body returns -1 to ask for it), maps
// UsageError to exit 2 and every other error to exit 1, each as one line on stderr.
inline int run(const char* tool, const std::string& usage, const std::function<int()>& body) {
    return tool_main::run(
        tool,
        [&] {
            const int status = body();
            if (status != -1) return status;
            std::fputs(usage.c_str(), stdout);
            return 0;
        },
        tool_main::UsageHint::SeeHelp);
}

}  // namespace capture_tool
