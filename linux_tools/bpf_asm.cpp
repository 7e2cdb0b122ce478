// bpf_asm.cpp: the kernel's tools/bpf/bpf_asm: assembles a bpf_asm program read from FILE
// (or standard input) and prints it as the xt_bpf bytecode line or, with -c, as C
// initialisers, byte for byte as the kernel's tool does. Errors are one line, exit 1;
// usage errors exit 2 (tool_main.h, as every tool).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line/tool_main.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/format.h"

namespace {

constexpr std::string_view kUsage =
    "usage: bpf_asm [-c] [FILE]\n"
    "Assembles the bpf_asm program in FILE (default: standard input) and prints the\n"
    "bytecode as one xt_bpf line (\"N,code jt jf k,...\"), or with -c as C initialisers.\n"
    "As the kernel's bpf_asm: -c goes before FILE, and arguments after FILE are ignored.\n";

struct Options {
    bool c_style = false;
    std::string path;                  // empty: standard input
    std::vector<std::string> ignored;  // the arguments after FILE
};

// The kernel tool's command line: any argument starting with "-c" asks for C initialisers,
// the first other argument is the FILE and ends the command line (what follows is ignored,
// with a warning here). Unlike the kernel's tool, which reads standard input instead of a
// FILE it cannot open, a FILE that cannot be opened is an error (see assemble_input), and so
// is an unknown option, rather than a wait on the terminal.
Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.starts_with("-c")) {
            options.c_style = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw bpfgen::UsageError(
                fmt::format("unknown option {}", bpfgen::quote_for_message(arg)));
        } else {
            options.path = std::string(arg);
            options.ignored.assign(argv + i + 1, argv + argc);
            break;
        }
    }
    if (options.path == "-") options.path.clear();
    return options;
}

// Reads all of `file`; throws bpfgen::Error naming `name` on a read error.
std::string read_all(std::FILE* file, std::string_view name) {
    std::string text;
    char buffer[65536];
    for (;;) {
        const std::size_t got = std::fread(buffer, 1, sizeof buffer, file);
        text.append(buffer, got);
        if (got < sizeof buffer) break;
    }
    if (std::ferror(file)) {
        throw bpfgen::Error(fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
    }
    return text;
}

// The program in FILE, or on standard input; throws Error with FILE:LINE:COLUMN (or
// "<stdin>:LINE:COLUMN") for a bad one.
bpfgen::Program assemble_input(const Options& options) {
    if (!options.path.empty()) return bpfgen::assemble_file(options.path);
    const std::string text = read_all(stdin, "<stdin>");
    try {
        return bpfgen::assemble(text);
    } catch (const bpfgen::AssembleError& error) {
        throw bpfgen::Error(bpfgen::located_message("<stdin>", error));
    }
}

// Runs the tool inside tool_main::run, which turns what it throws into one line and an exit
// status (2 for a usage error) and fails when the output cannot be written.
int bpf_asm_main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage.data(), stdout);
            return 0;
        }
    }
    const Options options = parse_options(argc, argv);
    const bpfgen::Program program = assemble_input(options);
    for (const std::string& argument : options.ignored) {
        std::fprintf(stderr,
                     "bpf_asm: warning: ignoring %s after the FILE, as the kernel's "
                     "bpf_asm does\n",
                     bpfgen::quote_for_message(argument).c_str());
    }
    const std::string output =
        options.c_style ? bpfgen::format_c(program) : bpfgen::format_xt_bpf(program) + "\n";
    std::fwrite(output.data(), 1, output.size(), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run("bpf_asm", [&] { return bpf_asm_main(argc, argv); });
}
