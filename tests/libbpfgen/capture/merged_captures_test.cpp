// merged_captures_test.cpp: several captures read as one, without a process: link types
// that must agree, the snapshot length and precision the output needs, and the packets
// copied with and without a program, inverted, and from a capture cut short; records copied
// in place against packets copied one by one.
#include "libbpfgen/capture/merged_captures.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/cbpf/assembler.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::data_file;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

// A file in the test's temporary directory, removed at the end of the test.
class TemporaryPath {
  public:
    explicit TemporaryPath(const std::string& name)
        : path_(std::string(::testing::TempDir()) + name + "." + std::to_string(::getpid())) {}
    ~TemporaryPath() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

std::size_t packets_in(const std::string& path) {
    PcapReader reader(path);
    std::size_t packets = 0;
    while (reader.next()) ++packets;
    return packets;
}

MergeCounts copy(MergedCaptures& captures, const std::string& output, const PacketFilter* filter,
                 FilterLayer layer = FilterLayer::LinkLayer, bool invert = false) {
    PcapWriter writer(output, captures.link_type(), captures.largest_snaplen(),
                      captures.finest_precision());
    const MergeCounts counts = captures.copy_selected(writer, filter, layer, invert);
    writer.commit();
    return counts;
}

TEST(MergedCaptures, CopiesEveryPacketOfEveryCaptureWithoutAProgram) {
    MergedCaptures captures({data_file("dns_udp.pcap"), data_file("dns_tcp.pcap")});
    const TemporaryPath output("merged_all.pcap");
    const MergeCounts counts = copy(captures, output.path(), nullptr);
    const std::size_t expected =
        read_capture("dns_udp.pcap").packets.size() + read_capture("dns_tcp.pcap").packets.size();
    EXPECT_EQ(counts.read, expected);
    EXPECT_EQ(counts.matched, expected);
    EXPECT_TRUE(counts.cuts.empty());
    EXPECT_EQ(packets_in(output.path()), expected);
}

TEST(MergedCaptures, WritesWhatTheProgramMatchesOrWithInvertTheRest) {
    MergedCaptures captures({data_file("dns_udp.pcap"), data_file("dns_tcp.pcap")});
    const PacketFilter udp(CheckedProgram(compile_pcap_filter("udp", captures.link_type(), 65535)),
                           captures.link_type(), FilterLayer::LinkLayer);
    const TemporaryPath output("merged_udp.pcap");
    const MergeCounts counts = copy(captures, output.path(), &udp);
    EXPECT_EQ(counts.matched, read_capture("dns_udp.pcap").packets.size());
    EXPECT_EQ(packets_in(output.path()), counts.matched);

    MergedCaptures again({data_file("dns_udp.pcap"), data_file("dns_tcp.pcap")});
    const TemporaryPath inverted("merged_not_udp.pcap");
    const MergeCounts inverted_counts =
        copy(again, inverted.path(), &udp, FilterLayer::LinkLayer, true);
    EXPECT_EQ(packets_in(inverted.path()), inverted_counts.read - inverted_counts.matched);
}

TEST(MergedCaptures, RefusesCapturesOfDifferentLinkTypes) {
    expect_error(
        [] {
            MergedCaptures({data_file("dns_udp.pcap"), data_file("LINKTYPE_IPV4.pcap")});
        },
        {"LINKTYPE_IPV4.pcap: link type", "filter captures of one link type at a time"});
}

TEST(MergedCaptures, RefusesAMissingCaptureBeforeReadingAny) {
    expect_error(
        [] {
            MergedCaptures({data_file("dns_udp.pcap"), data_file("no-such.pcap")});
        },
        {"no-such.pcap"});
}

TEST(MergedCaptures, CutCaptureKeepsItsWholePacketsAndReadingGoesOn) {
    std::ifstream whole(data_file("dns_tcp.pcap"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
    bytes.resize(bytes.size() - 5);
    const TemporaryPath cut("merged_cut.pcap");
    std::ofstream(cut.path(), std::ios::binary) << bytes;

    MergedCaptures captures({cut.path(), data_file("dns_udp.pcap")});
    const TemporaryPath output("merged_after_cut.pcap");
    const MergeCounts counts = copy(captures, output.path(), nullptr);
    ASSERT_EQ(counts.cuts.size(), 1u);
    EXPECT_NE(counts.cuts[0].find("the packets before it were filtered"), std::string::npos);
    EXPECT_EQ(counts.read, read_capture("dns_tcp.pcap").packets.size() - 1 +
                               read_capture("dns_udp.pcap").packets.size());
}

TEST(MergedCaptures, OutputTakesTheLargestSnaplen) {
    MergedCaptures captures({data_file("dns_udp.pcap")});
    PcapReader reader(data_file("dns_udp.pcap"));
    EXPECT_EQ(captures.largest_snaplen(), reader.snaplen());
    EXPECT_EQ(captures.finest_precision(), reader.precision());
}

// A classic pcap capture (microseconds, Ethernet, snapshot length 200, this machine's byte
// order) made record by record, any field allowed.
class CaptureBytes {
  public:
    CaptureBytes() {
        put<uint32_t>(0xA1B2C3D4);
        put<uint16_t>(2);  // version 2.4
        put<uint16_t>(4);
        put<uint32_t>(0);  // time zone
        put<uint32_t>(0);  // accuracy
        put<uint32_t>(200);
        put<uint32_t>(1);  // Ethernet
    }
    void add(uint32_t seconds, uint32_t fraction, uint32_t wire_length,
             const std::vector<uint8_t>& data) {
        put(seconds);
        put(fraction);
        put(static_cast<uint32_t>(data.size()));
        put(wire_length);
        bytes_.insert(bytes_.end(), data.begin(), data.end());
    }
    void write(const std::string& path) const {
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes_.data()),
                   static_cast<std::streamsize>(bytes_.size()));
    }

  private:
    template <typename Field>
    void put(Field value) {
        uint8_t bytes[sizeof value];
        std::memcpy(bytes, &value, sizeof value);
        bytes_.insert(bytes_.end(), bytes, bytes + sizeof value);
    }

    std::vector<uint8_t> bytes_;
};

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Copies `input` with the rule "first byte is 1" both ways: records in place where they
// can be (the default), and packet by packet (flushing each, which never copies in
// place); returns what each wrote, or the error it threw.
// The rule "first byte is 1"; with a load of the frame's protocol first (which it does not
// use) the filter decodes each frame's link-layer header instead of running the rule's
// machine code straight.
std::string first_byte_one(bool with_context_load) {
    return std::string(with_context_load ? "ld #proto\n" : "") +
           "ldb [0]\njeq #1, yes\nret #0\nyes: ret #65535\n";
}

std::pair<std::string, std::string> copy_both_ways(const std::string& input, bool invert,
                                                   MergeCounts* in_place_counts = nullptr,
                                                   bool with_context_load = false) {
    const PacketFilter first_byte_one_filter(
        CheckedProgram(assemble(first_byte_one(with_context_load))), 1, FilterLayer::LinkLayer);
    std::pair<std::string, std::string> written;
    int way = 0;
    for (OutputFlush flush : {OutputFlush::Buffered, OutputFlush::EachPacket}) {
        std::string& result = way++ == 0 ? written.first : written.second;
        const TemporaryPath output("both_ways.pcap");
        try {
            MergedCaptures captures({input});
            PcapWriter writer(output.path(), captures.link_type(), captures.largest_snaplen(),
                              captures.finest_precision());
            const MergeCounts counts = captures.copy_selected(
                writer, &first_byte_one_filter, FilterLayer::LinkLayer, invert, flush);
            writer.commit();
            if (flush == OutputFlush::Buffered && in_place_counts) *in_place_counts = counts;
            result = fmt::format("read {} matched {} cuts {}\n", counts.read, counts.matched,
                                 counts.cuts.size()) +
                     file_bytes(output.path());
        } catch (const Error& error) {
            result = std::string("error: ") + error.what();
        }
    }
    return written;
}

// Records copied as they are and records that must be made again (a captured length
// beyond the snapshot length, a fraction of a second past 999,999 microseconds, seconds
// past 2^31, which libpcap reads as negative) interleave: the in-place copy gives byte for
// byte what copying packet by packet gives, over many read buffers.
TEST(MergedCaptures, CopyingInPlaceWritesWhatCopyingEachPacketWrites) {
    for (bool invert : {false, true}) {
        std::mt19937 random(20141105);
        CaptureBytes capture;
        uint64_t expected_matches = 0;
        for (uint32_t i = 0; i < 40000; ++i) {
            std::vector<uint8_t> data(20 + random() % 260, static_cast<uint8_t>(i));
            data[0] = random() % 10 < 7 ? 1 : 0;
            uint32_t seconds = 1416000000 + i / 1000;
            uint32_t fraction = (i % 1000) * 1000;
            switch (random() % 50) {
                case 0:  // wraps when scaled to nanoseconds: made again
                    fraction = 5'000'000;
                    break;
                case 1:  // refused if written: left out
                    seconds = 0x80000000u;
                    data[0] = invert ? 1 : 0;
                    break;
                default:
                    break;
            }
            expected_matches += data[0] == 1 ? 1 : 0;
            const auto wire_length = static_cast<uint32_t>(data.size() + random() % 3);
            capture.add(seconds, fraction, wire_length, data);
        }
        const TemporaryPath input("in_place.pcap");
        capture.write(input.path());
        for (bool with_context_load : {false, true}) {
            MergeCounts counts;
            const auto [in_place, each_packet] =
                copy_both_ways(input.path(), invert, &counts, with_context_load);
            ASSERT_EQ(in_place.substr(0, 6), "read 4") << in_place.substr(0, 200);
            EXPECT_TRUE(in_place == each_packet)
                << "invert " << invert << ", context load " << with_context_load;
            EXPECT_EQ(counts.read, 40000u);
            EXPECT_EQ(counts.matched, expected_matches);
        }
    }
}

// Records written in place and records made again (cut to the snapshot length) alternate,
// and a record left out between runs: pieces of the writer's own buffer and of the read
// buffer interleave past the most one writev(2) takes, where a flush forced by their count
// let later records overwrite a made-again one still to be written.
TEST(MergedCaptures, CopyingInPlaceKeepsMadeAgainRecordsPastManyPieces) {
    CaptureBytes capture;
    uint32_t fraction = 0;
    const auto add = [&](std::size_t size, bool kept) {
        std::vector<uint8_t> data(size, static_cast<uint8_t>(fraction));
        data[0] = kept ? 1 : 0;
        capture.add(1416000000 + fraction / 1000, fraction % 1000 * 1000,
                    static_cast<uint32_t>(size), data);
        ++fraction;
    };
    for (int block = 0; block < 24; ++block) {
        add(60, true);
        add(61, false);
        add(60, true);
        for (int pair = 0; pair < 600; ++pair) {
            add(60, true);
            add(201, true);  // longer than the snapshot length 200: made again
        }
        for (int i = 0; i < 800; ++i) add(201, true);
    }
    const TemporaryPath input("many_pieces.pcap");
    capture.write(input.path());
    const auto [in_place, each_packet] = copy_both_ways(input.path(), false);
    ASSERT_EQ(in_place.substr(0, 5), "read ") << in_place.substr(0, 200);
    EXPECT_TRUE(in_place == each_packet);
}

// A record the writer refuses (seconds libpcap reads as negative, a wire length below the
// captured length) gives the same error in place as packet by packet, after the same
// records; so does a capture cut short inside a record.
TEST(MergedCaptures, CopyingInPlaceStopsWhereCopyingEachPacketStops) {
    const std::vector<uint8_t> match = {1, 2, 3, 4};
    for (int variant = 0; variant < 3; ++variant) {
        CaptureBytes capture;
        for (uint32_t i = 0; i < 100; ++i) capture.add(1416000000, i, 4, match);
        if (variant == 0) capture.add(0x80000000u, 0, 4, match);
        if (variant == 1) capture.add(1416000000, 0, 3, match);
        for (uint32_t i = 0; i < 10; ++i) capture.add(1416000001, i, 4, match);
        const TemporaryPath input("in_place_stop.pcap");
        capture.write(input.path());
        if (variant == 2) {
            const std::string bytes = file_bytes(input.path());
            std::ofstream(input.path(), std::ios::binary)
                .write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 2));
        }
        const auto [in_place, each_packet] = copy_both_ways(input.path(), false);
        EXPECT_EQ(in_place, each_packet) << "variant " << variant;
        EXPECT_EQ(in_place.substr(0, 5), variant == 2 ? "read " : "error")
            << in_place.substr(0, 200);
    }
}

}  // namespace
}  // namespace bpfgen
