// merged_captures_test.cpp: several captures read as one, without a process: link types
// that must agree, the snapshot length and precision the output needs, and the packets
// copied with and without a program, inverted, and from a capture cut short.
#include "libbpfgen/capture/merged_captures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "libbpfgen/capture/pcap_compiler.h"
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

}  // namespace
}  // namespace bpfgen
