// bpf_dbg.cpp: the kernel's tools/bpf/bpf_dbg: a debugger that runs and single-steps a
// classic BPF program over the packets of a capture. Reads commands from the terminal (with
// line editing and history, through libedit where the build found it) or, from a COMMANDS
// file or a standard input that is not a terminal, as a script; the replies go to OUTPUT
// (default standard output). The commands are command_line/bpf_dbg_session.h's. A failing
// command prints one line on stderr and the session goes on; a script in which a command
// failed exits 1 at its end; usage errors exit 2 (tool_main.h, as every tool).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#ifdef BPFTOOLS_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

#include "command_line/bpf_dbg_session.h"
#include "command_line/tool_main.h"
#include "libbpfgen/base/error.h"

namespace {

constexpr std::string_view kUsage =
    "usage: bpf_dbg [COMMANDS [OUTPUT]]\n"
    "Debugs a classic BPF program over the packets of a capture, as the kernel's bpf_dbg.\n"
    "Commands are read from the terminal, or from the file COMMANDS (or a standard input\n"
    "that is not a terminal) as a script; replies go to OUTPUT (default standard output).\n"
    "\n"
    "  load bpf BYTECODE    the program, as \"N,code jt jf k,...\" (bpfgen, bpf_asm)\n"
    "  load pcap FILE       the capture (pcap or pcapng)\n"
    "  select N             packet N (from 1) is the next one run or stepped\n"
    "  step [N]             executes N instructions (default 1, negative: back) and shows\n"
    "                       the registers, scratch memory and packet before the last one\n"
    "  run [N]              runs N packets (default: all) up to a breakpoint, then prints\n"
    "                       \"bpf passes:P fails:F\"\n"
    "  breakpoint [N]       stops runs before instruction N; alone: lists them;\n"
    "  breakpoint reset     removes them all\n"
    "  disassemble [N]      the program, or instruction N\n"
    "  dump                 the program as C initialisers\n"
    "  quit\n"
    "\n"
    "A failing command prints one line on stderr; a script in which one failed exits 1.\n";

using FileCloser = int (*)(std::FILE*);
using OwnedFile = std::unique_ptr<std::FILE, FileCloser>;

// The file at path opened in mode, or no file for "" (standard input or output); throws
// Error naming the path when it cannot be opened.
OwnedFile open_named(const std::string& path, const char* mode) {
    OwnedFile file(nullptr, &std::fclose);
    if (path.empty()) return file;
    file.reset(std::fopen(path.c_str(), mode));
    if (!file) {
        throw bpfgen::Error(fmt::format("{}: cannot open: {}", bpfgen::quote_for_message(path),
                                        std::strerror(errno)));
    }
    return file;
}

// One line of `file` without its newline, or nullopt at the end; throws Error naming
// `name` on a read error.
std::optional<std::string> read_line(std::FILE* file, std::string_view name) {
    std::string line;
    for (int c = std::getc(file); c != EOF; c = std::getc(file)) {
        if (c == '\n') return line;
        line += static_cast<char>(c);
    }
    if (std::ferror(file)) {
        throw bpfgen::Error(fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
    }
    if (line.empty()) return std::nullopt;
    return line;
}

// One line typed at the terminal after the prompt, or nullopt at the end (Ctrl-D).
std::optional<std::string> read_terminal_line() {
#ifdef BPFTOOLS_HAVE_LIBEDIT
    const std::unique_ptr<char, decltype(&std::free)> typed(readline("> "), &std::free);
    if (typed == nullptr) return std::nullopt;
    std::string line(typed.get());
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(typed.get());
    return line;
#else
    std::fputs("> ", stdout);
    std::fflush(stdout);
    return read_line(stdin, "<stdin>");
#endif
}

int bpf_dbg_main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage.data(), stdout);
            return 0;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            throw bpfgen::UsageError(
                fmt::format("unknown option {}", bpfgen::quote_for_message(arg)));
        }
    }
    if (argc > 3) throw bpfgen::UsageError("at most two arguments: COMMANDS and OUTPUT");

    const std::string input_name = argc >= 2 && std::string_view(argv[1]) != "-" ? argv[1] : "";
    const std::string output_name = argc >= 3 && std::string_view(argv[2]) != "-" ? argv[2] : "";
    const OwnedFile owned_input = open_named(input_name, "r");
    OwnedFile owned_output = open_named(output_name, "w");
    std::FILE* const input = owned_input ? owned_input.get() : stdin;
    std::FILE* const output = owned_output ? owned_output.get() : stdout;
    const bool interactive = input == stdin && ::isatty(STDIN_FILENO) != 0;
    const std::string script_name = owned_input ? input_name : "<stdin>";

    bpf_dbg::Session session;
    bool failed = false;
    for (std::size_t number = 1;; ++number) {
        const std::optional<std::string> line =
            interactive ? read_terminal_line() : read_line(input, script_name);
        if (!line) break;
        const bpf_dbg::Reply reply = session.execute(*line);
        std::fwrite(reply.output.data(), 1, reply.output.size(), output);
        std::fflush(output);
        if (reply.outcome == bpf_dbg::Outcome::Failed) {
            failed = true;
            const std::string message = tool_main::one_line(reply.error);
            if (interactive) {
                std::fprintf(stderr, "bpf_dbg: %s\n", message.c_str());
            } else {
                std::fprintf(stderr, "bpf_dbg: %s:%zu: %s\n", script_name.c_str(), number,
                             message.c_str());
            }
        }
        if (reply.outcome == bpf_dbg::Outcome::Quit) break;
    }
    if (owned_output && (std::fflush(output) != 0 || std::ferror(output) ||
                         std::fclose(owned_output.release()) != 0)) {
        throw bpfgen::Error(fmt::format(
            "{}: cannot write: {}", bpfgen::quote_for_message(output_name), std::strerror(errno)));
    }
    return failed && !interactive ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("bpf_dbg", [&] { return bpf_dbg_main(argc, argv); });
}
