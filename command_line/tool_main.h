// tool_main.h: the boundary every tool shares, where an error becomes one line on stderr
// ("TOOL: message") and an exit status: 2 for a usage error, 1 for any other failure, and
// output already written to a regular-file stdout is taken back.
#pragma once

#include <fcntl.h>
#include <stdio_ext.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"

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

// Where stdout stood when the tool started, when it is a regular file (`tool > out`,
// `tool >> out`): a tool that fails cuts it back there, so that a late error leaves no
// partial output behind. A pipe or a terminal keeps what it was given; the exit status
// says it is incomplete.
class StdoutCheckpoint {
  public:
    StdoutCheckpoint() {
        struct stat status {};
        if (::fstat(STDOUT_FILENO, &status) != 0 || !S_ISREG(status.st_mode)) return;
        const int flags = ::fcntl(STDOUT_FILENO, F_GETFL);
        // With O_APPEND every write lands at the end, wherever the offset says it is.
        const off_t offset = flags >= 0 && (flags & O_APPEND) != 0
                                 ? status.st_size
                                 : ::lseek(STDOUT_FILENO, 0, SEEK_CUR);
        if (offset >= 0) start_ = offset;
    }

    // Drops what is still buffered for stdout and cuts the file back to where it was.
    void roll_back() const {
        __fpurge(stdout);
        if (start_ && ::ftruncate(STDOUT_FILENO, *start_) != 0) {
            std::fprintf(stderr, "(the partial output on stdout could not be removed: %s)\n",
                         std::strerror(errno));
        }
    }

  private:
    std::optional<off_t> start_;
};

enum class UsageHint { None, SeeHelp };

// Runs a tool's body and returns its exit status; an exception becomes one line on stderr
// and status 2 (UsageError, with "(see TOOL --help)" for UsageHint::SeeHelp) or 1, after
// any output the body wrote to a regular-file stdout has been taken back. Output that never
// reached stdout (a full disk, a closed pipe) is a failure too, whatever the body returned.
template <typename Body>
int run(const char* tool, Body&& body, UsageHint hint = UsageHint::None) {
    const StdoutCheckpoint checkpoint;
    try {
        const int status = body();
        // A reader of stdout gone (SIGPIPE, under a capture tool's StopSignals) chose to read
        // no more: what it did not take is no failure, and is dropped (written at exit, it
        // would raise SIGPIPE again, with no handler left).
        if (bpfgen::StopSignals::output_closed()) {
            __fpurge(stdout);
            return status;
        }
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            const int error = errno;
            checkpoint.roll_back();
            std::fprintf(stderr, "%s: cannot write to standard output: %s\n", tool,
                         std::strerror(error));
            return 1;
        }
        return status;
    } catch (const bpfgen::UsageError& error) {
        checkpoint.roll_back();
        std::fprintf(stderr, "%s: %s", tool, one_line(error.what()).c_str());
        if (hint == UsageHint::SeeHelp) std::fprintf(stderr, " (see %s --help)", tool);
        std::fputc('\n', stderr);
        return 2;
    } catch (const std::bad_alloc&) {
        checkpoint.roll_back();
        std::fprintf(stderr, "%s: out of memory\n", tool);
        return 1;
    } catch (const std::exception& error) {
        checkpoint.roll_back();
        std::fprintf(stderr, "%s: %s\n", tool, one_line(error.what()).c_str());
        return 1;
    }
}

}  // namespace tool_main
