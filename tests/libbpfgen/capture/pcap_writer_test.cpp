// pcap_writer_test.cpp: PcapWriter against libpcap's pcap_dump(): the same packets must
// give the same file, byte for byte, in microsecond and nanosecond precision, for packets
// built here and for captures copied through PcapReader (whose records PcapWriter writes
// from the reader's buffers when they are already what it would write: all of them, every
// other one, changed ones, from files and pipes), the file header for every link type and
// snapshot length; and its promises on failure: no partial file at the path, one-line
// errors for a full device and a closed pipe.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "libbpfgen/base/detail/buffered_output.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/detail/classic_pcap.h"
#include "libbpfgen/capture/pcap_io.h"
#include "tests/common/capture_files.h"
#include "tests/common/capture_reference.h"
#include "tests/common/pcap_builder.h"
#include "tests/common/test_files.h"

namespace bpfgen {
namespace {

using bpftools::test::data_file;
using bpftools::test::expect_error;
using bpftools::test::file_bytes;
using bpftools::test::PcapBuilder;
using bpftools::test::PipedInput;
using bpftools::test::ReadPacket;
using bpftools::test::TemporaryDirectory;
using bpftools::test::write_bytes;

// The file pcap_dump() writes for these packets.
std::vector<uint8_t> pcap_dump_file(const std::string& path, int link_type, uint32_t snaplen,
                                    TimestampPrecision precision,
                                    const std::vector<ReadPacket>& packets) {
    const bool nano = precision == TimestampPrecision::Nanoseconds;
    std::unique_ptr<pcap, PcapCloser> dead(pcap_open_dead_with_tstamp_precision(
        dlt_from_link_type(link_type), static_cast<int>(snaplen),
        nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO));
    EXPECT_TRUE(dead);
    {
        std::unique_ptr<pcap_dumper, PcapDumperCloser> dumper(
            pcap_dump_open(dead.get(), path.c_str()));
        EXPECT_TRUE(dumper) << pcap_geterr(dead.get());
        if (!dumper) return {};
        for (const ReadPacket& packet : packets) {
            pcap_pkthdr header{};
            header.ts.tv_sec = static_cast<time_t>(packet.seconds);
            header.ts.tv_usec =
                static_cast<suseconds_t>(nano ? packet.nanoseconds : packet.nanoseconds / 1000);
            header.caplen = static_cast<bpf_u_int32>(packet.data.size());
            header.len = packet.wire_length;
            pcap_dump(reinterpret_cast<u_char*>(dumper.get()), &header, packet.data.data());
        }
    }
    return file_bytes(path);
}

PcapPacket view_of(const ReadPacket& packet) {
    PcapPacket view;
    view.timestamp = Timestamp{packet.seconds, packet.nanoseconds};
    view.wire_length = packet.wire_length;
    view.data = packet.data;
    return view;
}

std::vector<uint8_t> frame(std::size_t size, uint8_t seed = 0) {
    std::vector<uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 13);
    return bytes;
}

TEST(PcapWriter, WritesWhatPcapDumpWrites) {
    std::vector<ReadPacket> packets{
        {0, 0, 0, {}},
        {1, 999999999, 60, frame(60)},
        {1416000000, 123456789, 1500, frame(1500, 1)},
        {4294967295, 1000, 70000, frame(1)},
        {2147483648, 999, 65535, frame(65535, 2)},
    };
    for (int i = 0; i < 40000; ++i) {  // several buffers' worth
        packets.push_back({1416000000 + i / 10, static_cast<uint32_t>(i) * 25000,
                           static_cast<uint32_t>(100 + i % 50), frame(i % 50 + 60, 3)});
    }
    packets.push_back({5, 5, 3u << 20, frame(3u << 20, 4)});  // more than a buffer at once
    TemporaryDirectory directory;
    for (const int link_type : {1, 101, 113, 147, 228, 276}) {
        for (const auto precision :
             {TimestampPrecision::Microseconds, TimestampPrecision::Nanoseconds}) {
            SCOPED_TRACE(::testing::Message() << "link type " << link_type << ", ns "
                                              << (precision == TimestampPrecision::Nanoseconds));
            const uint32_t snaplen = 4u << 20;
            {
                PcapWriter writer(directory.file("ours.pcap"), link_type, snaplen, precision);
                for (const ReadPacket& packet : packets) writer.write(view_of(packet));
                writer.commit();
            }
            EXPECT_EQ(file_bytes(directory.file("ours.pcap")),
                      pcap_dump_file(directory.file("libpcap.pcap"), link_type, snaplen, precision,
                                     packets));
        }
    }
}

TEST(PcapWriter, MakesTheFileHeaderPcapDumpWritesForTheLinkTypesItReads) {
    // For the link types the classic reader reads the writer makes the file header without
    // libpcap (WritesWhatPcapDumpWrites checks the writer uses it); byte for byte
    // pcap_dump()'s. Every other link type is left to libpcap.
    TemporaryDirectory directory;
    std::vector<int> made_here;
    for (int link_type = 0; link_type <= 300; ++link_type) {
        for (const uint32_t snaplen : {1u, 96u, 65535u, 262144u, 0x7fffffffu}) {
            for (const auto precision :
                 {TimestampPrecision::Microseconds, TimestampPrecision::Nanoseconds}) {
                const auto header = native_classic_file_header(link_type, snaplen, precision);
                if (!header) continue;
                SCOPED_TRACE(::testing::Message()
                             << "link type " << link_type << ", snaplen " << snaplen << ", ns "
                             << (precision == TimestampPrecision::Nanoseconds));
                const std::vector<uint8_t> libpcap = pcap_dump_file(
                    directory.file("libpcap.pcap"), link_type, snaplen, precision, {});
                EXPECT_EQ(std::vector<uint8_t>(header->begin(), header->end()), libpcap);
                if (made_here.empty() || made_here.back() != link_type) {
                    made_here.push_back(link_type);
                }
            }
        }
    }
    // null, Ethernet, raw IP, loop, Linux cooked v1 and v2, IPv4, IPv6
    EXPECT_EQ(made_here, (std::vector<int>{0, 1, 101, 108, 113, 228, 229, 276}));
}

// PcapWriter makes the file header itself for the link types link_layer.h knows (so that
// writing them does not load libpcap) and has libpcap make the others'.
TEST(PcapWriter, WritesTheFileHeaderPcapDumpWritesForAnySnapshotLength) {
    TemporaryDirectory directory;
    for (const int link_type : {0, 1, 12, 101, 108, 113, 147, 228, 229, 276}) {
        for (const uint32_t snaplen : {1u, 96u, 65535u, 65536u, 262144u, 262145u, 0x7fffffffu}) {
            for (const auto precision :
                 {TimestampPrecision::Microseconds, TimestampPrecision::Nanoseconds}) {
                SCOPED_TRACE(::testing::Message()
                             << "link type " << link_type << ", snaplen " << snaplen << ", ns "
                             << (precision == TimestampPrecision::Nanoseconds));
                {
                    PcapWriter writer(directory.file("ours.pcap"), link_type, snaplen, precision);
                    writer.commit();
                }
                EXPECT_EQ(file_bytes(directory.file("ours.pcap")),
                          pcap_dump_file(directory.file("libpcap.pcap"), link_type, snaplen,
                                         precision, {}));
            }
        }
    }
}

TEST(PcapWriter, RefusesLinkTypesLibpcapCannotStoreWithItsReason) {
    TemporaryDirectory directory;
    expect_error([&] { PcapWriter writer(directory.file("out.pcap"), 999, 65535); },
                 {"out.pcap", "link-layer type 999 isn't supported in savefiles"});
    EXPECT_TRUE(directory.entries().empty());
}

// Reads `input` with PcapReader and writes the packets `keep` accepts, with the
// reader's link type and snapshot length and the given precision; returns the file.
std::vector<uint8_t> copy_through_pcap_io(const std::string& input, const std::string& output,
                                          TimestampPrecision precision,
                                          const std::function<bool(std::size_t)>& keep,
                                          const std::function<void(PcapPacket&)>& change = {}) {
    PcapReader reader(input);
    PcapWriter writer(output, reader.link_type(), reader.snaplen(), precision);
    for (std::size_t index = 0; const auto packet = reader.next(); ++index) {
        if (!keep(index)) continue;
        PcapPacket view = *packet;
        if (change) change(view);
        writer.write(view);
    }
    writer.commit();
    return file_bytes(output);
}

// The same with libpcap reading and pcap_dump() writing.
std::vector<uint8_t> copy_through_libpcap(const std::string& input, const std::string& output,
                                          TimestampPrecision precision,
                                          const std::function<bool(std::size_t)>& keep,
                                          const std::function<void(PcapPacket&)>& change = {}) {
    const bpftools::test::ReadOutcome read = bpftools::test::read_with_libpcap(input);
    EXPECT_TRUE(read.opened && read.error.empty()) << read.error;
    std::vector<ReadPacket> kept;
    std::vector<std::vector<uint8_t>> changed_data;
    for (std::size_t index = 0; index < read.packets.size(); ++index) {
        if (!keep(index)) continue;
        ReadPacket packet = read.packets[index];
        if (change) {
            PcapPacket view = view_of(packet);
            change(view);
            packet = ReadPacket{view.timestamp.seconds,
                                view.timestamp.nanoseconds,
                                view.wire_length,
                                {view.data.begin(), view.data.end()}};
        }
        kept.push_back(std::move(packet));
    }
    return pcap_dump_file(output, read.link_type, read.snaplen, precision, kept);
}

std::vector<uint8_t> large_capture(bool big_endian, bool nanoseconds) {
    PcapBuilder builder;
    if (big_endian) builder.big_endian();
    if (nanoseconds) builder.nanoseconds();
    for (uint32_t i = 0; i < 25000; ++i) {
        builder.record(1416000000 + i / 100, (i % 100) * 9999, frame(60 + i % 40, 7), 100 + i % 40);
    }
    for (uint32_t i = 0; i < 16; ++i) builder.record(1416001000 + i, 0, frame(150000, 8));
    return builder.bytes();
}

TEST(PcapWriter, CopiesCapturesAsLibpcapAndPcapDumpDo) {
    TemporaryDirectory directory;
    std::vector<std::pair<std::string, std::vector<uint8_t>>> inputs;
    for (const char* name :
         {"dns_udp.pcap", "tcp-handshake-nano.pcap", "ldp-common-session.pcap",
          "dns-badcookie.pcap", "dnssec.pcap", "ahcp.pcapng", "unsupported-link-type-160.pcap"}) {
        inputs.emplace_back(name, file_bytes(data_file(name)));
    }
    for (const bool big_endian : {false, true}) {
        for (const bool nanoseconds : {false, true}) {
            inputs.emplace_back(fmt::format("large, big endian {}, ns {}", big_endian, nanoseconds),
                                large_capture(big_endian, nanoseconds));
        }
    }
    inputs.emplace_back(
        "longer than its snapshot length",
        PcapBuilder().snaplen(64).record(1, 2, frame(98)).record(3, 4, frame(60)).bytes());
    const std::vector<std::pair<const char*, std::function<bool(std::size_t)>>> selections{
        {"all", [](std::size_t) { return true; }},
        {"every other", [](std::size_t index) { return index % 2 == 0; }},
        {"runs of three", [](std::size_t index) { return index % 4 != 3; }},
        {"none", [](std::size_t) { return false; }},
    };
    for (const auto& [name, bytes] : inputs) {
        write_bytes(directory.file("in.pcap"), bytes);
        for (const auto& [selection, keep] : selections) {
            for (const auto precision :
                 {TimestampPrecision::Microseconds, TimestampPrecision::Nanoseconds}) {
                SCOPED_TRACE(::testing::Message()
                             << name << ", " << selection << ", ns "
                             << (precision == TimestampPrecision::Nanoseconds));
                const std::vector<uint8_t> expected = copy_through_libpcap(
                    directory.file("in.pcap"), directory.file("libpcap.pcap"), precision, keep);
                EXPECT_EQ(copy_through_pcap_io(directory.file("in.pcap"),
                                               directory.file("ours.pcap"), precision, keep),
                          expected);
                const PipedInput piped(bytes);
                EXPECT_EQ(copy_through_pcap_io(piped.path(), directory.file("ours.pcap"), precision,
                                               keep),
                          expected)
                    << "from a pipe";
            }
        }
    }
}

TEST(PcapWriter, WritesChangedPacketsAsTheyNowAre) {
    // Packets read from a file but changed before writing are not the file's records.
    TemporaryDirectory directory;
    write_bytes(directory.file("in.pcap"), large_capture(false, false));
    const auto all = [](std::size_t) { return true; };
    const std::vector<std::function<void(PcapPacket&)>> changes{
        [](PcapPacket& view) { view.timestamp.seconds += 1; },
        [](PcapPacket& view) { view.timestamp.nanoseconds += 1000; },
        [](PcapPacket& view) { view.wire_length += 1; },
        [](PcapPacket& view) { view.data = view.data.subspan(1); },
        [](PcapPacket& view) { view.data = view.data.first(view.data.size() - 1); },
    };
    for (std::size_t i = 0; i < changes.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(copy_through_pcap_io(directory.file("in.pcap"), directory.file("ours.pcap"),
                                       TimestampPrecision::Microseconds, all, changes[i]),
                  copy_through_libpcap(directory.file("in.pcap"), directory.file("libpcap.pcap"),
                                       TimestampPrecision::Microseconds, all, changes[i]));
    }
}

TEST(PcapWriter, RefusesWhatTheFormatCannotHoldEvenFromAFile) {
    // libpcap reads seconds past 2038 as negative, which no pcap file can be written with.
    TemporaryDirectory directory;
    write_bytes(directory.file("in.pcap"), PcapBuilder().record(0x80000000, 0, frame(60)).bytes());
    PcapReader reader(directory.file("in.pcap"));
    PcapWriter writer(directory.file("out.pcap"), reader.link_type(), reader.snaplen());
    const auto packet = reader.next();
    ASSERT_TRUE(packet);
    expect_error([&] { writer.write(*packet); }, {"-2147483648", "1970 to 2106"});
}

TEST(PcapWriter, LeavesNoPartialFileAfterAnErrorLateInALargeCapture) {
    TemporaryDirectory directory;
    const std::string path = directory.file("out.pcap");
    write_bytes(path, std::vector<uint8_t>{1, 2, 3});
    write_bytes(directory.file("in.pcap"), large_capture(false, false));
    try {
        PcapReader reader(directory.file("in.pcap"));
        PcapWriter writer(path, reader.link_type(), reader.snaplen());
        while (const auto packet = reader.next()) writer.write(*packet);  // megabytes written
        throw Error("late failure");
    } catch (const Error&) {
    }
    EXPECT_EQ(file_bytes(path), (std::vector<uint8_t>{1, 2, 3}));
    EXPECT_EQ(directory.entries().size(), 2u);  // in.pcap and out.pcap, nothing else
}

TEST(PcapWriter, ReplacesTheFileALinkNamesAndKeepsTheLink) {
    TemporaryDirectory directory;
    write_bytes(directory.file("target.pcap"), std::vector<uint8_t>{1});
    ASSERT_EQ(::symlink("target.pcap", directory.file("link.pcap").c_str()), 0);
    PcapWriter writer(directory.file("link.pcap"), 1, 65535);
    writer.commit();
    EXPECT_EQ(file_bytes(directory.file("target.pcap")).size(), 24u);
    EXPECT_TRUE(std::filesystem::is_symlink(directory.file("link.pcap")));
}

TEST(PcapWriter, AFullDeviceIsOneOutputError) {
    // A small capture fails when committed, a large one as soon as a buffer is written.
    for (const std::size_t packets : {1, 100000}) {
        try {
            PcapWriter writer("/dev/full", 1, 65535);
            const std::vector<uint8_t> bytes(100, 0);
            PcapPacket packet;
            packet.data = bytes;
            packet.wire_length = 100;
            for (std::size_t i = 0; i < packets; ++i) writer.write(packet);
            writer.commit();
            ADD_FAILURE() << "no error";
        } catch (const OutputError& error) {
            EXPECT_STREQ(error.what(), "/dev/full: cannot write: No space left on device");
        }
    }
}

// Blocks SIGPIPE in this thread while it lives, so that writing to a closed pipe fails
// with EPIPE, and discards the signal that writing leaves pending.
class BlockedSigpipe {
  public:
    BlockedSigpipe() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    }
    ~BlockedSigpipe() {
        const timespec none{};
        while (sigtimedwait(&pipe_, nullptr, &none) == SIGPIPE) {
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    BlockedSigpipe(const BlockedSigpipe&) = delete;
    BlockedSigpipe& operator=(const BlockedSigpipe&) = delete;

  private:
    sigset_t pipe_{};
    sigset_t previous_{};
};

TEST(PcapWriter, AClosedPipeIsOneOutputError) {
    const BlockedSigpipe blocked;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ::close(fds[0]);
    const FileDescriptor write_end(fds[1]);
    const FileDescriptor saved(::dup(STDOUT_FILENO));
    ASSERT_EQ(::dup2(write_end.get(), STDOUT_FILENO), STDOUT_FILENO);
    std::string message;
    try {
        PcapWriter writer("-", 1, 65535);
        writer.commit();
    } catch (const OutputError& error) {
        message = error.what();
    }
    ::dup2(saved.get(), STDOUT_FILENO);
    EXPECT_EQ(message, "stdout: cannot write: Broken pipe");
}

}  // namespace
}  // namespace bpfgen
