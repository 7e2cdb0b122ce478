// stop_signals_test.cpp: the stop flag that SIGINT, SIGTERM and SIGPIPE set under a
// StopSignals, the dispositions it restores, and the waits on a pipe that a stop signal
// ends: wait_readable() and DescriptorInput.
#include "libbpfgen/base/stop_signals.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "libbpfgen/base/descriptor_input.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/file_descriptor.h"
#include "tests/common/stop_signal_sender.h"

namespace bpfgen {
namespace {

using namespace std::chrono_literals;
using bpftools::test::DelayedStopSignal;

struct Pipe {
    Pipe() {
        int fds[2];
        if (::pipe(fds) != 0) std::abort();
        read_end = FileDescriptor(fds[0]);
        write_end = FileDescriptor(fds[1]);
    }
    std::string read_path() const { return "/proc/self/fd/" + std::to_string(read_end.get()); }
    FileDescriptor read_end;
    FileDescriptor write_end;
};

TEST(StopSignals, RecordTheFirstStopSignalAndWhetherThePipeClosed) {
    const StopSignals stop_signals;
    EXPECT_EQ(StopSignals::received(), 0);
    EXPECT_FALSE(stop_requested());
    ::raise(SIGPIPE);
    ::raise(SIGTERM);
    EXPECT_EQ(StopSignals::received(), SIGPIPE);
    EXPECT_TRUE(StopSignals::output_closed());
    EXPECT_TRUE(stop_requested());
}

TEST(StopSignals, StartAnewAndRestoreTheDispositionsFoundAtTheStart) {
    {
        const StopSignals stop_signals;
        ::raise(SIGINT);
        EXPECT_EQ(StopSignals::received(), SIGINT);
    }
    struct sigaction action {};
    ::sigaction(SIGINT, nullptr, &action);
    EXPECT_EQ(action.sa_handler, SIG_DFL);
    const StopSignals again;
    EXPECT_EQ(StopSignals::received(), 0);
    EXPECT_FALSE(StopSignals::output_closed());
}

TEST(StopSignals, LeaveAnIgnoredSigpipeIgnored) {
    ::signal(SIGPIPE, SIG_IGN);
    {
        const StopSignals stop_signals;
        ::raise(SIGPIPE);
        EXPECT_FALSE(StopSignals::output_closed());
    }
    ::signal(SIGPIPE, SIG_DFL);
}

TEST(WaitReadable, IsTrueForBytesAndFalseOnceAStopSignalEndsTheWait) {
    const StopSignals stop_signals;
    Pipe pipe;
    ASSERT_EQ(::write(pipe.write_end.get(), "x", 1), 1);
    EXPECT_TRUE(wait_readable(pipe.read_end.get()));
    char byte;
    ASSERT_EQ(::read(pipe.read_end.get(), &byte, 1), 1);
    // Nothing more comes and the writer stays: only the signal ends the wait.
    const auto started = std::chrono::steady_clock::now();
    {
        const DelayedStopSignal sender(SIGINT, 100ms);
        EXPECT_FALSE(wait_readable(pipe.read_end.get()));
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
    EXPECT_EQ(StopSignals::received(), SIGINT);
    EXPECT_FALSE(wait_readable(pipe.read_end.get()));  // a stop is for good
}

TEST(WaitReadable, DoesNotWaitWithoutStopSignalsInstalled) {
    Pipe pipe;
    EXPECT_TRUE(wait_readable(pipe.read_end.get()));
}

TEST(DescriptorInput, GivesTheLinesReadAndEndsOnAStopSignal) {
    const StopSignals stop_signals;
    Pipe pipe;
    const std::string text = "first\nsecond\nthird without its end";
    ASSERT_EQ(::write(pipe.write_end.get(), text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    DescriptorInput input(pipe.read_path(), "pipe");
    std::string line;
    ASSERT_TRUE(std::getline(input, line));
    EXPECT_EQ(line, "first");
    ASSERT_TRUE(std::getline(input, line));
    EXPECT_EQ(line, "second");
    {
        const DelayedStopSignal sender(SIGTERM, 100ms);
        EXPECT_TRUE(std::getline(input, line));  // the end of the input ends the line
        EXPECT_EQ(line, "third without its end");
    }
    EXPECT_TRUE(input.eof());
    EXPECT_FALSE(input.bad());
    EXPECT_TRUE(input.stopped());
}

TEST(DescriptorInput, NamesAFileItCannotOpen) {
    try {
        DescriptorInput input("/nonexistent/lines", "/nonexistent/lines");
        FAIL() << "opened";
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(), "/nonexistent/lines: cannot open: No such file or directory");
    }
}

}  // namespace
}  // namespace bpfgen
