// classic_pcap_test.cpp: PcapReader against libpcap itself (pcap_fopen_offline with
// nanosecond timestamps and pcap_next_ex) on the same bytes, through a regular file and
// through a pipe: every capture in tests/data, and files built here for what those lack
// (byte-swapped, nanosecond, cut at every kind of place, oversized records, zero-length
// packets, odd timestamps, versions and link types). Both must open the same files, give
// the same packets and fail at the same packet with libpcap's reason. The cases the
// project's own reader handles are checked to be handled by it, not left to libpcap.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "libbpfgen/capture/detail/classic_pcap.h"
#include "libbpfgen/capture/pcap_io.h"
#include "tests/common/capture_files.h"
#include "tests/common/capture_reference.h"
#include "tests/common/pcap_builder.h"
#include "tests/common/test_files.h"

namespace bpfgen {
namespace {

using bpftools::test::data_file;
using bpftools::test::disagreement;
using bpftools::test::file_bytes;
using bpftools::test::PcapBuilder;
using bpftools::test::PipedInput;
using bpftools::test::read_with_libpcap;
using bpftools::test::read_with_pcap_reader;
using bpftools::test::ReadOutcome;
using bpftools::test::TemporaryDirectory;
using bpftools::test::write_bytes;

// Reads `bytes` with PcapReader from a regular file, from a pipe, and from a pipe fed a
// few bytes at a time, and with libpcap from the file; expects no disagreement. Returns
// libpcap's reading.
ReadOutcome expect_libpcaps_reading(const std::vector<uint8_t>& bytes) {
    TemporaryDirectory directory;
    const std::string path = directory.file("capture.pcap");
    write_bytes(path, bytes);
    const ReadOutcome reference = read_with_libpcap(path);
    EXPECT_EQ(disagreement(read_with_pcap_reader(path), reference), "") << "regular file";
    {
        const PipedInput piped(bytes);
        EXPECT_EQ(disagreement(read_with_pcap_reader(piped.path()), reference), "") << "pipe";
    }
    if (bytes.size() < 100000) {
        const PipedInput trickle(bytes, 7);
        EXPECT_EQ(disagreement(read_with_pcap_reader(trickle.path()), reference), "")
            << "pipe, 7 bytes per write";
    }
    return reference;
}

bool read_by_our_reader(const std::vector<uint8_t>& bytes) {
    return native_classic_header(bytes).has_value();
}

std::vector<uint8_t> frame(std::size_t size, uint8_t seed = 0) {
    std::vector<uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 7);
    return bytes;
}

TEST(ClassicPcapReader, ReadsEveryCaptureOfTheTestDataAsLibpcapDoes) {
    int ours = 0;
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(BPFTOOLS_TEST_DATA)) {
        if (!entry.is_regular_file()) continue;
        SCOPED_TRACE(entry.path().filename().string());
        ++files;
        const std::vector<uint8_t> bytes = file_bytes(entry.path().string());
        expect_libpcaps_reading(bytes);
        ours += read_by_our_reader(bytes) ? 1 : 0;
    }
    EXPECT_GE(files, 20);
    // Every classic pcap there but USER13 (link type 160) is ours to read, the Linux cooked v2
    // one recorded with tcpdump -i any included.
    EXPECT_EQ(ours, 15);
}

TEST(ClassicPcapReader, ReadsByteSwappedAndNanosecondFiles) {
    for (const bool big_endian : {false, true}) {
        for (const bool nanoseconds : {false, true}) {
            SCOPED_TRACE(::testing::Message()
                         << "big endian " << big_endian << ", ns " << nanoseconds);
            PcapBuilder builder;
            if (big_endian) builder.big_endian();
            if (nanoseconds) builder.nanoseconds();
            builder.record(1416000000, 123456, frame(60)).record(1416000001, 999999, frame(98, 3));
            const std::vector<uint8_t> bytes = builder.bytes();
            EXPECT_TRUE(read_by_our_reader(bytes));
            const ReadOutcome read = expect_libpcaps_reading(bytes);
            ASSERT_EQ(read.packets.size(), 2u);
            EXPECT_EQ(read.packets[0].nanoseconds, nanoseconds ? 123456u : 123456000u);
            EXPECT_EQ(read.packets[1].data, frame(98, 3));
        }
    }
}

TEST(ClassicPcapReader, TimestampsComeOutAsLibpcapWidensThem) {
    // Seconds past 2038 are negative to libpcap 1.10, unless the file is byte-swapped;
    // microsecond fractions of a million and more are scaled all the same, wrapping past
    // 32 bits.
    for (const bool nanoseconds : {false, true}) {
        for (const bool big_endian : {false, true}) {
            PcapBuilder builder;
            if (nanoseconds) builder.nanoseconds();
            if (big_endian) builder.big_endian();
            for (const uint32_t seconds : {0u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
                for (const uint32_t fraction : {0u, 999999u, 1000000u, 4294967u, 4294968u,
                                                999999999u, 1000000000u, 0xffffffffu}) {
                    builder.record(seconds, fraction, frame(20));
                }
            }
            const std::vector<uint8_t> bytes = builder.bytes();
            EXPECT_TRUE(read_by_our_reader(bytes));
            const ReadOutcome read = expect_libpcaps_reading(bytes);
            EXPECT_EQ(read.packets.size(), 32u);
        }
    }
}

TEST(ClassicPcapReader, CutFilesFailAsLibpcapFails) {
    const std::vector<uint8_t> whole =
        PcapBuilder().record(1, 2, frame(60)).record(3, 4, frame(98)).bytes();
    // Every length: in the file header, in a record header, in record data, and whole.
    for (std::size_t length = 0; length <= whole.size(); ++length) {
        SCOPED_TRACE(length);
        const std::vector<uint8_t> cut(whole.begin(), whole.begin() + length);
        EXPECT_EQ(read_by_our_reader(cut), length >= 24);
        const ReadOutcome read = expect_libpcaps_reading(cut);
        const bool clean = length == 24 || length == 24 + 16 + 60 || length == whole.size();
        EXPECT_EQ(read.opened && read.error.empty(), clean) << read.error;
    }
}

// How PcapReader's reading of `bytes` ends: the packets next() gave, and how it stopped:
// "" at the end, "cut" for a TruncatedCapture, "error" for any other Error, "unopened"
// when the constructor refused the file.
struct Ending {
    std::size_t packets = 0;
    std::string how;
};

Ending how_reading_ends(const std::vector<uint8_t>& bytes) {
    TemporaryDirectory directory;
    write_bytes(directory.file("capture.pcap"), bytes);
    Ending ending;
    std::optional<PcapReader> reader;
    try {
        reader.emplace(directory.file("capture.pcap"));
    } catch (const TruncatedCapture& error) {
        ADD_FAILURE() << "the constructor throws no TruncatedCapture: " << error.what();
    } catch (const Error&) {
        ending.how = "unopened";
        return ending;
    }
    try {
        while (reader->next()) ++ending.packets;
    } catch (const TruncatedCapture& error) {
        ending.how = "cut";
        EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
    } catch (const Error&) {
        ending.how = "error";
    }
    EXPECT_EQ(reader->packets_read(), ending.packets);
    return ending;
}

TEST(ClassicPcapReader, AFileCutShortIsATruncatedCaptureWhicheverReaderReadsIt) {
    // Version 2.4 is read by the project's reader, 2.3 by libpcap. Cut anywhere in a record
    // (its header or its data), either throws TruncatedCapture after the whole packets;
    // cut in the file header, the file does not open.
    for (const uint16_t minor : {4, 3}) {
        SCOPED_TRACE(minor);
        const std::vector<uint8_t> whole =
            PcapBuilder().version(2, minor).record(1, 2, frame(60)).record(3, 4, frame(98)).bytes();
        EXPECT_EQ(read_by_our_reader(whole), minor == 4);
        const std::size_t first_end = 24 + 16 + 60;
        for (std::size_t length = 0; length <= whole.size(); ++length) {
            SCOPED_TRACE(length);
            const Ending ending =
                how_reading_ends(std::vector<uint8_t>(whole.begin(), whole.begin() + length));
            if (length < 24) {
                EXPECT_EQ(ending.how, "unopened");
                continue;
            }
            EXPECT_EQ(ending.packets, length == whole.size() ? 2u : length >= first_end ? 1u : 0u);
            const bool clean = length == 24 || length == first_end || length == whole.size();
            EXPECT_EQ(ending.how, clean ? "" : "cut");
        }
        // A captured length beyond libpcap's maximum is damage, not a cut.
        const Ending damaged = how_reading_ends(PcapBuilder()
                                                    .version(2, minor)
                                                    .record(1, 0, frame(40))
                                                    .raw_record(2, 0, 300000, 300000, frame(300000))
                                                    .bytes());
        EXPECT_EQ(damaged.packets, 1u);
        EXPECT_EQ(damaged.how, "error");
    }
}

TEST(ClassicPcapReader, RecordsBeyondTheSnapshotLengthAreCutOrRefusedAsByLibpcap) {
    const std::vector<uint8_t> data = frame(98);
    // Longer than a snapshot length of 64: cut to 64, the rest skipped.
    const std::vector<uint8_t> long_record =
        PcapBuilder().snaplen(64).record(1, 0, data).record(2, 0, frame(30)).bytes();
    ReadOutcome read = expect_libpcaps_reading(long_record);
    ASSERT_EQ(read.packets.size(), 2u);
    EXPECT_EQ(read.packets[0].data, std::vector<uint8_t>(data.begin(), data.begin() + 64));
    EXPECT_EQ(read.packets[0].wire_length, 98u);
    // Cut before and after the snapshot length's worth (libpcap words the two apart).
    for (const std::size_t keep : {24 + 16 + 30, 24 + 16 + 80}) {
        const std::vector<uint8_t> cut(long_record.begin(), long_record.begin() + keep);
        read = expect_libpcaps_reading(cut);
        EXPECT_NE(read.error.find("truncated dump file"), std::string::npos) << read.error;
    }
    // More than libpcap's maximum of 262144: above the snapshot length, or within it.
    for (const uint32_t snaplen : {65535u, 1000000u}) {
        const std::vector<uint8_t> huge = PcapBuilder()
                                              .snaplen(snaplen)
                                              .record(1, 0, frame(40))
                                              .raw_record(2, 0, 300000, 300000, frame(300000))
                                              .bytes();
        EXPECT_TRUE(read_by_our_reader(huge));
        read = expect_libpcaps_reading(huge);
        EXPECT_EQ(read.packets.size(), 1u);
        EXPECT_NE(read.error.find("invalid packet capture length 300000"), std::string::npos)
            << read.error;
    }
    // Exactly the maximum is a packet.
    read = expect_libpcaps_reading(PcapBuilder().record(1, 0, frame(262144)).bytes());
    ASSERT_EQ(read.packets.size(), 1u);
    EXPECT_EQ(read.packets[0].data.size(), 262144u);
}

TEST(ClassicPcapReader, SnapshotLengthsLibpcapReplacesAreReplacedAlike) {
    for (const uint32_t snaplen : {0u, 1u, 65535u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
        SCOPED_TRACE(snaplen);
        const ReadOutcome read =
            expect_libpcaps_reading(PcapBuilder().snaplen(snaplen).record(1, 0, frame(2)).bytes());
        EXPECT_TRUE(read.opened);
    }
}

TEST(ClassicPcapReader, ZeroLengthPacketsAndOddWireLengths) {
    const std::vector<uint8_t> bytes = PcapBuilder()
                                           .record(1, 0, {}, 0)
                                           .record(2, 0, {}, 60)
                                           .record(3, 0, frame(40), 20)  // wire < captured
                                           .record(4, 0, {}, 0xffffffff)
                                           .bytes();
    EXPECT_TRUE(read_by_our_reader(bytes));
    const ReadOutcome read = expect_libpcaps_reading(bytes);
    ASSERT_EQ(read.packets.size(), 4u);
    EXPECT_TRUE(read.packets[0].data.empty());
    EXPECT_EQ(read.packets[2].wire_length, 20u);
}

TEST(ClassicPcapReader, WhatIsNoClassicPcapIsLeftToLibpcap) {
    const std::vector<uint8_t> text{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n',
                                    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0};
    const std::vector<std::vector<uint8_t>> inputs{
        {},
        text,
        file_bytes(data_file("ahcp.pcapng")),
        // Kuznetzov's modified format, with longer record headers.
        PcapBuilder().magic(0xa1b2cd34).record(1, 0, frame(40)).bytes(),
    };
    for (const std::vector<uint8_t>& bytes : inputs) {
        EXPECT_FALSE(read_by_our_reader(bytes));
        expect_libpcaps_reading(bytes);
    }
}

TEST(ClassicPcapReader, VersionsOtherThan2Point4AreLibpcaps) {
    // 2.0 to 2.3 and 543.0 may store the two lengths the other way round (caplen 40 is
    // more than len 30 here: 2.3 swaps them then); 1.x is archaic; 2.5 and 3.0 unknown.
    const std::vector<std::pair<uint16_t, uint16_t>> versions{
        {2, 0}, {2, 2}, {2, 3}, {543, 0}, {1, 0}, {2, 5}, {3, 0}, {0, 0}, {2, 4}, {543, 1}};
    for (const auto& [major, minor] : versions) {
        SCOPED_TRACE(::testing::Message() << major << "." << minor);
        for (const bool big_endian : {false, true}) {
            PcapBuilder builder;
            if (big_endian) builder.big_endian();
            const std::vector<uint8_t> bytes = builder.version(major, minor)
                                                   .record(1, 0, frame(40), 30)
                                                   .record(2, 0, frame(20), 60)
                                                   .bytes();
            EXPECT_EQ(read_by_our_reader(bytes), major == 2 && minor == 4);
            expect_libpcaps_reading(bytes);
        }
    }
}

TEST(ClassicPcapReader, LinkTypesAndTheirFlags) {
    // Those link_layer.h knows are ours (with FCS flags in the upper bits too), except
    // Linux cooked captures of the other byte order, whose CAN headers libpcap rewrites;
    // others are libpcap's (USB, whose headers it rewrites; DLT_RAW's own number 12, which
    // it reads as LINKTYPE_RAW; types it has no name for).
    struct Case {
        uint32_t link_type;
        bool big_endian;
        bool ours;
    };
    const std::vector<Case> cases{
        {0, false, true},         {0, true, true},
        {1, true, true},          {0x10000001, false, true},
        {0xfc000001, true, true}, {101, false, true},
        {108, true, true},        {113, false, true},
        {113, true, false},       {276, false, true},
        {276, true, false},       {228, true, true},
        {229, false, true},       {12, false, false},
        {160, false, false},      {189, true, false},
        {220, false, false},      {220, true, false},
        {147, false, false},      {0x03ffffff, false, false},
        {65535, true, false},
    };
    // A CAN frame in a Linux cooked header (protocol 0x000c), whose CAN id libpcap swaps.
    std::vector<uint8_t> can(16 + 16, 0);
    can[15] = 0x0c;
    can[16] = 0x12;
    can[19] = 0x34;
    std::vector<uint8_t> can2(20 + 16, 0);
    can2[1] = 0x0c;
    can2[20] = 0x12;
    for (const Case& c : cases) {
        SCOPED_TRACE(::testing::Message()
                     << "link type " << c.link_type << ", big endian " << c.big_endian);
        PcapBuilder builder;
        if (c.big_endian) builder.big_endian();
        const std::vector<uint8_t> bytes = builder.link_type(c.link_type)
                                               .record(1, 0, frame(64))
                                               .record(2, 0, can)
                                               .record(3, 0, can2)
                                               .record(4, 0, frame(3))
                                               .bytes();
        EXPECT_EQ(read_by_our_reader(bytes), c.ours);
        expect_libpcaps_reading(bytes);
    }
}

TEST(ClassicPcapReader, LargeFilesAcrossManyBuffers) {
    // Records of every size up to a few kilobytes, then some of 100 kB, past several
    // buffers' worth, so that records straddle the end of each buffer.
    for (const bool big_endian : {false, true}) {
        PcapBuilder builder;
        if (big_endian) builder.big_endian();
        uint32_t seconds = 1;
        for (std::size_t size = 0; size < 3000; ++size) {
            builder.record(seconds++, 0, frame(size, static_cast<uint8_t>(size)));
        }
        for (int i = 0; i < 60; ++i) builder.record(seconds++, 0, frame(100000 + i, 5));
        const std::vector<uint8_t> bytes = builder.bytes();
        ASSERT_GT(bytes.size(), 3u * CaptureInput::kMaxPeek);
        const ReadOutcome read = expect_libpcaps_reading(bytes);
        EXPECT_EQ(read.packets.size(), 3060u);
        // Cut in the middle of the last record.
        const std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 50000);
        expect_libpcaps_reading(cut);
    }
}

TEST(ClassicPcapReader, ReadsStandardInput) {
    const std::vector<uint8_t> bytes = file_bytes(data_file("dns_udp.pcap"));
    TemporaryDirectory directory;
    write_bytes(directory.file("in.pcap"), bytes);
    const ReadOutcome reference = read_with_libpcap(directory.file("in.pcap"));
    // Standard input, as a pipe and as a file, read from wherever its offset is.
    const PipedInput piped(bytes);
    for (const std::string& source : {piped.path(), directory.file("in.pcap")}) {
        const bpfgen::FileDescriptor input(::open(source.c_str(), O_RDONLY));
        ASSERT_TRUE(input);
        const bpfgen::FileDescriptor saved(::dup(STDIN_FILENO));
        ASSERT_EQ(::dup2(input.get(), STDIN_FILENO), STDIN_FILENO);
        const ReadOutcome read = read_with_pcap_reader("-");
        ::dup2(saved.get(), STDIN_FILENO);
        EXPECT_EQ(disagreement(read, reference), "");
        EXPECT_EQ(read.error, "");
    }
}

TEST(ClassicPcapReader, ErrorsNameTheInputAndThePacket) {
    TemporaryDirectory directory;
    const std::vector<uint8_t> bytes =
        PcapBuilder().record(1, 0, frame(60)).record(2, 0, frame(60)).bytes();
    write_bytes(directory.file("cut.pcap"), std::vector<uint8_t>(bytes.begin(), bytes.end() - 5));
    PcapReader reader(directory.file("cut.pcap"));
    ASSERT_TRUE(reader.next());
    bpftools::test::expect_error(
        [&] { reader.next(); },
        {"cut.pcap: packet 2: truncated dump file; tried to read 60 captured bytes, only got 55"});
    EXPECT_THROW(reader.next(), TruncatedCapture);
}

// libpcap's program for expression on a handle reading path itself; nullopt when it
// refuses the expression.
std::optional<Program> libpcap_program(const std::string& path, const std::string& expression) {
    std::array<char, PCAP_ERRBUF_SIZE> error{};
    std::unique_ptr<pcap, PcapCloser> handle(pcap_open_offline(path.c_str(), error.data()));
    EXPECT_TRUE(handle) << error.data();
    if (!handle) return std::nullopt;
    bpf_program compiled{};
    if (pcap_compile(handle.get(), &compiled, expression.c_str(), 1, 0) != 0) return std::nullopt;
    std::vector<Instruction> instructions;
    for (u_int i = 0; i < compiled.bf_len; ++i) {
        const bpf_insn& insn = compiled.bf_insns[i];
        instructions.push_back(Instruction{insn.code, insn.jt, insn.jf, insn.k});
    }
    pcap_freecode(&compiled);
    return Program(std::move(instructions));
}

TEST(ClassicPcapReader, CompilesFiltersAsLibpcapDoesForTheFilesItReads) {
    // libpcap compiles some expressions differently for a capture it reads than for a
    // live or dead handle: IPv6 on BSD loopback (every system's AF_INET6), address
    // families in a file of the other byte order, and it refuses "inbound".
    TemporaryDirectory directory;
    const std::string swapped_null = directory.file("swapped-null.pcap");
    write_bytes(swapped_null,
                PcapBuilder().big_endian().link_type(0).record(1, 0, frame(40)).bytes());
    for (const std::string& path :
         {data_file("dns-badcookie.pcap"), swapped_null, data_file("dns_udp.pcap"),
          data_file("tcp-handshake-nano.pcap")}) {
        ASSERT_TRUE(read_by_our_reader(file_bytes(path))) << path;
        for (const std::string expression : {"ip", "ip6", "udp port 53", "inbound", "ifindex 1"}) {
            SCOPED_TRACE(path + ": " + expression);
            const std::optional<Program> expected = libpcap_program(path, expression);
            std::optional<Program> ours;
            try {
                ours = PcapReader(path).compile_filter(expression);
            } catch (const Error&) {
            }
            EXPECT_EQ(ours, expected);
        }
    }
}

}  // namespace
}  // namespace bpfgen
