// pcap_reader_stop_test.cpp: a stop signal while PcapReader waits on a pipe, the writer
// still there: reading ends cleanly after the whole packets, the part of a record read so
// far is dropped rather than named a truncated capture, for the project's classic pcap
// reader and for libpcap's (pcapng).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "libbpfgen/base/file_descriptor.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/pcap_io.h"
#include "tests/common/capture_files.h"
#include "tests/common/stop_signal_sender.h"

namespace bpfgen {
namespace {

using namespace std::chrono_literals;
using bpftools::test::data_file;
using bpftools::test::DelayedStopSignal;
using bpftools::test::read_capture;

std::vector<uint8_t> file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads `given` (the first bytes of a capture) from a pipe whose writer stays, until a
// stop signal; returns the number of packets read.
uint64_t packets_read_until_stopped(const std::vector<uint8_t>& given, int signal_number) {
    const StopSignals stop_signals;
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    const FileDescriptor read_end(fds[0]);
    const FileDescriptor write_end(fds[1]);
    EXPECT_EQ(::write(write_end.get(), given.data(), given.size()),
              static_cast<ssize_t>(given.size()));
    PcapReader reader("/proc/self/fd/" + std::to_string(read_end.get()));
    const DelayedStopSignal sender(signal_number, 200ms);
    try {
        while (reader.next()) {
        }
    } catch (const Error& error) {
        ADD_FAILURE() << error.what();
    }
    EXPECT_TRUE(reader.stopped());
    EXPECT_EQ(StopSignals::received(), signal_number);
    return reader.packets_read();
}

TEST(PcapReaderStop, EndsAfterTheWholeRecordsOfAClassicPcap) {
    const std::vector<uint8_t> bytes = file_bytes(data_file("dns_udp.pcap"));
    const std::size_t total = read_capture("dns_udp.pcap").packets.size();
    // Whole, and cut inside the last record's data.
    EXPECT_EQ(packets_read_until_stopped(bytes, SIGINT), total);
    const std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 5);
    EXPECT_EQ(packets_read_until_stopped(cut, SIGTERM), total - 1);
}

TEST(PcapReaderStop, EndsAfterTheWholeBlocksOfAPcapng) {
    const std::vector<uint8_t> bytes = file_bytes(data_file("ahcp.pcapng"));
    const std::size_t total = read_capture("ahcp.pcapng").packets.size();
    EXPECT_EQ(packets_read_until_stopped(bytes, SIGINT), total);
    const std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 5);
    EXPECT_EQ(packets_read_until_stopped(cut, SIGINT), total - 1);
}

TEST(PcapReaderStop, AStopBeforeTheHeaderIsNamed) {
    const StopSignals stop_signals;
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    const FileDescriptor read_end(fds[0]);
    const FileDescriptor write_end(fds[1]);
    const DelayedStopSignal sender(SIGINT, 100ms);
    try {
        PcapReader reader("/proc/self/fd/" + std::to_string(read_end.get()));
        FAIL() << "a capture without its header";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what())
                      .find("reading stopped by SIGINT before the capture's "
                            "header"),
                  std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace bpfgen
