// pcap_io_test.cpp: the capture reader against a parser of the classic pcap format
// written here from the format's specification, on real captures from tcpdump's test
// suite (pcap, nanosecond pcap, pcapng); the writer by reading back what it wrote
// (byte-identical copies), its refusal of what pcap cannot store, and its promise that a
// file is either complete or absent; damaged and cut inputs (TruncatedCapture) and their
// messages; libpcap's compiler.
#include "libbpfgen/capture/pcap_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/capture/link_layer.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

namespace fs = std::filesystem;
using bpftools::test::Capture;
using bpftools::test::data_file;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

std::vector<uint8_t> file_bytes(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

// The classic pcap format, little-endian files only (all the ones used here): a 24-byte
// header (magic, version, zone, sigfigs, snaplen, link type), then per packet seconds,
// fraction, captured length, wire length and the bytes.
struct ClassicPcap {
    bool nanoseconds = false;
    uint32_t snaplen = 0;
    uint32_t link_type = 0;
    struct Record {
        uint32_t seconds, fraction, caplen, len;
        std::vector<uint8_t> data;
    };
    std::vector<Record> records;
};

uint32_t le32(const std::vector<uint8_t>& bytes, std::size_t at) {
    return bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 |
           static_cast<uint32_t>(bytes[at + 3]) << 24;
}

ClassicPcap parse_classic_pcap(const std::vector<uint8_t>& bytes) {
    ClassicPcap pcap;
    const uint32_t magic = le32(bytes, 0);
    EXPECT_TRUE(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) << std::hex << magic;
    pcap.nanoseconds = magic == 0xa1b23c4d;
    pcap.snaplen = le32(bytes, 16);
    pcap.link_type = le32(bytes, 20);
    std::size_t at = 24;
    while (at + 16 <= bytes.size()) {
        ClassicPcap::Record record{
            le32(bytes, at), le32(bytes, at + 4), le32(bytes, at + 8), le32(bytes, at + 12), {}};
        record.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at + 16),
                           bytes.begin() + static_cast<std::ptrdiff_t>(at + 16 + record.caplen));
        at += 16 + record.caplen;
        pcap.records.push_back(std::move(record));
    }
    EXPECT_EQ(at, bytes.size());
    return pcap;
}

void expect_reader_agrees_with_the_format(const std::string& name) {
    SCOPED_TRACE(name);
    const ClassicPcap expected = parse_classic_pcap(file_bytes(data_file(name)));
    PcapReader reader(data_file(name));
    EXPECT_EQ(reader.snaplen(), expected.snaplen);
    EXPECT_EQ(reader.precision(), expected.nanoseconds ? TimestampPrecision::Nanoseconds
                                                       : TimestampPrecision::Microseconds);
    for (const ClassicPcap::Record& record : expected.records) {
        const auto packet = reader.next();
        ASSERT_TRUE(packet);
        EXPECT_EQ(packet->timestamp.seconds, record.seconds);
        EXPECT_EQ(packet->timestamp.nanoseconds,
                  expected.nanoseconds ? record.fraction : record.fraction * 1000);
        EXPECT_EQ(packet->wire_length, record.len);
        EXPECT_EQ(std::vector<uint8_t>(packet->data.begin(), packet->data.end()), record.data);
    }
    EXPECT_FALSE(reader.next());
    EXPECT_EQ(reader.packets_read(), expected.records.size());
}

// A directory of its own per test, removed afterwards.
class TemporaryDirectory {
  public:
    TemporaryDirectory() {
        std::string pattern = (fs::temp_directory_path() / "pcap_io_test.XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TemporaryDirectory() { fs::remove_all(path_); }
    std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(path_)) {
            names.push_back(entry.path().filename().string());
        }
        return names;
    }

  private:
    std::string path_;
};

TEST(PcapReader, ReadsEveryRecordOfAMicrosecondPcap) {
    expect_reader_agrees_with_the_format("dns_udp.pcap");
    expect_reader_agrees_with_the_format("ldp-common-session.pcap");
}

TEST(PcapReader, ReadsNanosecondPcapTimestampsToTheNanosecond) {
    expect_reader_agrees_with_the_format("tcp-handshake-nano.pcap");
}

TEST(PcapReader, ReportsTheFileLinkTypeNotLibpcapsInternalNumber) {
    EXPECT_EQ(PcapReader(data_file("dns_udp.pcap")).link_type(), linktype::kEthernet);
    EXPECT_EQ(PcapReader(data_file("LINKTYPE_RAW_ipv4.pcap")).link_type(), linktype::kRaw);
    EXPECT_EQ(PcapReader(data_file("LINKTYPE_IPV6.pcap")).link_type(), linktype::kIpv6);
    EXPECT_EQ(PcapReader(data_file("tcp-handshake-nano.pcap")).link_type(), linktype::kLinuxSll);
    EXPECT_EQ(PcapReader(data_file("dns-badcookie.pcap")).link_type(), linktype::kNull);
}

TEST(PcapReader, ReadsPcapng) {
    PcapReader reader(data_file("ahcp.pcapng"));
    EXPECT_EQ(reader.link_type(), linktype::kEthernet);
    EXPECT_EQ(reader.precision(), TimestampPrecision::Nanoseconds);
    int packets = 0;
    while (const auto packet = reader.next()) {
        ++packets;
        EXPECT_EQ(packet->data[12], 0x86);  // IPv6 over Ethernet, every one of them
        EXPECT_EQ(packet->data[13], 0xdd);
    }
    EXPECT_EQ(packets, 8);
}

TEST(PcapReader, ReadsTimestampsBeyond2106FromPcapng) {
    const Capture capture = read_capture("time_2107.pcapng");
    ASSERT_EQ(capture.packets.size(), 1u);
    EXPECT_EQ(capture.packets[0].timestamp.seconds, 4323283200);  // 2107-01-01T00:00:00Z
}

TEST(PcapReader, AnEmptyCaptureHasNoPackets) {
    PcapReader reader(data_file("empty.pcapng"));
    EXPECT_FALSE(reader.next());
}

TEST(PcapReader, AMissingFileIsNamed) {
    expect_error([] { PcapReader reader("/nonexistent/x.pcap"); },
                 {"/nonexistent/x.pcap", "cannot open", "No such file"});
}

TEST(PcapReader, AnEmptyFileIsNotACapture) {
    TemporaryDirectory directory;
    write_bytes(directory.file("empty.pcap"), {});
    expect_error([&] { PcapReader reader(directory.file("empty.pcap")); },
                 {"empty.pcap", "empty file"});
}

TEST(PcapReader, ATruncatedFileHeaderIsAnError) {
    TemporaryDirectory directory;
    std::vector<uint8_t> bytes = file_bytes(data_file("dns_udp.pcap"));
    bytes.resize(10);
    write_bytes(directory.file("short.pcap"), bytes);
    expect_error([&] { PcapReader reader(directory.file("short.pcap")); },
                 {"short.pcap", "truncated"});
}

TEST(PcapReader, ATruncatedRecordNamesThePacket) {
    TemporaryDirectory directory;
    std::vector<uint8_t> bytes = file_bytes(data_file("dns_udp.pcap"));
    bytes.resize(bytes.size() - 5);  // the second packet loses its last bytes
    write_bytes(directory.file("cut.pcap"), bytes);
    PcapReader reader(directory.file("cut.pcap"));
    ASSERT_TRUE(reader.next());
    expect_error([&] { reader.next(); }, {"cut.pcap", "packet 2", "truncated"});
}

TEST(PcapReader, ACutRecordIsATruncatedCapture) {
    // The project's reader (classic pcap) cut in a record header and in record data.
    TemporaryDirectory directory;
    const std::vector<uint8_t> bytes = file_bytes(data_file("dns_udp.pcap"));
    const std::size_t second = 24 + 16 + le32(bytes, 24 + 8);
    for (const std::size_t length : {second + 7, bytes.size() - 5}) {
        SCOPED_TRACE(length);
        write_bytes(directory.file("cut.pcap"),
                    std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(length)));
        PcapReader reader(directory.file("cut.pcap"));
        ASSERT_TRUE(reader.next());
        try {
            reader.next();
            ADD_FAILURE() << "no exception";
        } catch (const TruncatedCapture& error) {
            EXPECT_NE(std::string(error.what()).find("cut.pcap: packet 2: truncated dump file"),
                      std::string::npos)
                << error.what();
        }
        EXPECT_EQ(reader.packets_read(), 1u);
    }
}

TEST(PcapReader, APcapngCutShortIsATruncatedCapture) {
    // libpcap reads pcapng: wherever the file is cut after its header blocks, reading ends
    // cleanly (at a block's end) or with TruncatedCapture, never with another error. Every
    // fifth length: all four places in a 4-byte word, in every block.
    TemporaryDirectory directory;
    const std::vector<uint8_t> whole = file_bytes(data_file("ahcp.pcapng"));
    const std::size_t total = read_capture("ahcp.pcapng").packets.size();
    const std::string path = directory.file("cut.pcapng");
    std::size_t truncated = 0;
    std::size_t tried = 0;
    for (std::size_t length = 0; length <= whole.size(); length += 5, ++tried) {
        SCOPED_TRACE(length);
        write_bytes(path, std::vector<uint8_t>(whole.begin(), whole.begin() + length));
        std::optional<PcapReader> reader;
        try {
            reader.emplace(path);
        } catch (const TruncatedCapture& error) {
            ADD_FAILURE() << "the constructor throws no TruncatedCapture: " << error.what();
        } catch (const Error&) {
            continue;  // cut in the section header or interface description block
        }
        try {
            while (reader->next()) {
            }
            EXPECT_LE(reader->packets_read(), total);
        } catch (const TruncatedCapture& error) {
            ++truncated;
            const std::string expected = fmt::format(
                "cut.pcapng: packet {}: truncated pcapng dump file", reader->packets_read() + 1);
            EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
            EXPECT_LT(reader->packets_read(), total);
        } catch (const Error& error) {
            ADD_FAILURE() << error.what();
        }
    }
    EXPECT_GT(truncated, tried * 9 / 10);
}

TEST(PcapReader, ADamagedRecordIsNoTruncatedCapture) {
    TemporaryDirectory directory;
    // Classic pcap: the second record claims more than libpcap's maximum of 262144 bytes.
    std::vector<uint8_t> classic = file_bytes(data_file("dns_udp.pcap"));
    const std::size_t second = 24 + 16 + le32(classic, 24 + 8);
    const uint8_t huge[4] = {0x00, 0x00, 0x10, 0x00};  // 1 MiB, little-endian
    std::copy(std::begin(huge), std::end(huge), classic.begin() + second + 8);
    // pcapng: the first enhanced packet block (at byte 84) claims a length of 10.
    std::vector<uint8_t> pcapng = file_bytes(data_file("ahcp.pcapng"));
    ASSERT_EQ(le32(pcapng, 84), 6u);
    pcapng[88] = 10;
    pcapng[89] = pcapng[90] = pcapng[91] = 0;
    for (const auto& [name, bytes, packet] :
         {std::tuple{"damaged.pcap", classic, 2}, std::tuple{"damaged.pcapng", pcapng, 1}}) {
        SCOPED_TRACE(name);
        write_bytes(directory.file(name), bytes);
        PcapReader reader(directory.file(name));
        for (int i = 1; i < packet; ++i) ASSERT_TRUE(reader.next());
        try {
            reader.next();
            ADD_FAILURE() << "no exception";
        } catch (const TruncatedCapture& error) {
            ADD_FAILURE() << "a TruncatedCapture: " << error.what();
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find(fmt::format("{}: packet {}: ", name, packet)),
                      std::string::npos)
                << error.what();
        }
    }
}

TEST(PcapReader, SomethingElseIsNotACapture) {
    TemporaryDirectory directory;
    write_bytes(directory.file("text.pcap"),
                {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n', 0,
                 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0});
    expect_error([&] { PcapReader reader(directory.file("text.pcap")); },
                 {"text.pcap", "unknown file format"});
}

TEST(PcapReader, ADirectoryIsNotACapture) {
    expect_error([] { PcapReader reader(std::string(BPFTOOLS_TEST_DATA)); }, {"Is a directory"});
}

TEST(PcapReaderCompileFilter, CompilesForTheCapturesLinkType) {
    // tcpdump -d ip, on Ethernet: ldh [12]; jeq #0x800; ret #262144; ret #0.
    const Program ethernet = PcapReader(data_file("dns_udp.pcap")).compile_filter("ip");
    EXPECT_EQ(
        ethernet,
        (Program{{0x28, 0, 0, 12}, {0x15, 0, 1, 0x800}, {0x06, 0, 0, 262144}, {0x06, 0, 0, 0}}));
    // On Linux cooked captures the protocol is at offset 14.
    const Program sll = PcapReader(data_file("tcp-handshake-nano.pcap")).compile_filter("ip");
    EXPECT_EQ(sll[0], (Instruction{0x28, 0, 0, 14}));
}

TEST(PcapReaderCompileFilter, ABadExpressionGivesLibpcapsReason) {
    PcapReader reader(data_file("dns_udp.pcap"));
    expect_error([&] { reader.compile_filter("udp port"); }, {"'udp port'", "syntax error"});
}

TEST(LinkTypeNames, NumbersAndLibpcapNamesParse) {
    EXPECT_EQ(parse_link_type("1"), 1);
    EXPECT_EQ(parse_link_type("EN10MB"), linktype::kEthernet);
    EXPECT_EQ(parse_link_type("raw"), linktype::kRaw);
    EXPECT_EQ(parse_link_type("LINUX_SLL2"), linktype::kLinuxSll2);
    EXPECT_EQ(parse_link_type("IPV6"), linktype::kIpv6);
}

TEST(LinkTypeNames, BpfgensLinkLayerNamesParse) {
    EXPECT_EQ(parse_link_type("sll2"), linktype::kLinuxSll2);
    EXPECT_EQ(parse_link_type("sll"), linktype::kLinuxSll);
    EXPECT_EQ(parse_link_type("ether"), linktype::kEthernet);
    EXPECT_EQ(link_type_name(linktype::kLinuxSll2), "LINUX_SLL2 (Linux cooked v2)");
}

TEST(LinkTypeNames, OtherTextIsRefused) {
    expect_error([] { parse_link_type("nonsense"); }, {"unknown link type 'nonsense'"});
    expect_error([] { parse_link_type("70000"); }, {"out of range"});
    EXPECT_EQ(link_type_name(linktype::kEthernet), "EN10MB (Ethernet)");
    EXPECT_EQ(link_type_name(linktype::kRaw), "RAW (Raw IP)");
}

// Reads `source` and writes every packet to `target` with the same link type, snapshot
// length and timestamp precision.
void copy_capture(const std::string& source, const std::string& target) {
    PcapReader reader(source);
    PcapWriter writer(target, reader.link_type(), reader.snaplen(), reader.precision());
    while (const auto packet = reader.next()) writer.write(*packet);
    writer.commit();
}

TEST(PcapWriter, CopiesAPcapByteForByte) {
    TemporaryDirectory directory;
    for (const char* name : {"dns_udp.pcap", "tcp-handshake-nano.pcap", "LINKTYPE_RAW_ipv6.pcap",
                             "ldp-common-session.pcap"}) {
        SCOPED_TRACE(name);
        copy_capture(data_file(name), directory.file(name));
        EXPECT_EQ(file_bytes(directory.file(name)), file_bytes(data_file(name)));
    }
}

TEST(PcapWriter, WritesPcapngPacketsAsNanosecondPcap) {
    TemporaryDirectory directory;
    copy_capture(data_file("ahcp.pcapng"), directory.file("ahcp.pcap"));
    const Capture original = read_capture("ahcp.pcapng");
    const ClassicPcap written = parse_classic_pcap(file_bytes(directory.file("ahcp.pcap")));
    EXPECT_TRUE(written.nanoseconds);
    ASSERT_EQ(written.records.size(), original.packets.size());
    for (std::size_t i = 0; i < written.records.size(); ++i) {
        EXPECT_EQ(written.records[i].data, original.packets[i].data);
        EXPECT_EQ(written.records[i].seconds, original.packets[i].timestamp.seconds);
        EXPECT_EQ(written.records[i].fraction, original.packets[i].timestamp.nanoseconds);
    }
}

TEST(PcapWriter, LeavesNoFileWithoutCommit) {
    TemporaryDirectory directory;
    {
        PcapWriter writer(directory.file("out.pcap"), linktype::kEthernet, 65535);
        PcapPacket packet;
        const std::vector<uint8_t> bytes(60, 0xab);
        packet.data = bytes;
        packet.wire_length = 60;
        writer.write(packet);
    }
    EXPECT_TRUE(directory.entries().empty());
}

TEST(PcapWriter, KeepsTheOldFileUntilCommit) {
    TemporaryDirectory directory;
    const std::string path = directory.file("out.pcap");
    write_bytes(path, {1, 2, 3});
    {
        PcapWriter writer(path, linktype::kEthernet, 65535);
        EXPECT_EQ(file_bytes(path), (std::vector<uint8_t>{1, 2, 3}));
    }
    EXPECT_EQ(file_bytes(path), (std::vector<uint8_t>{1, 2, 3}));
    EXPECT_EQ(directory.entries(), std::vector<std::string>{"out.pcap"});
    PcapWriter writer(path, linktype::kEthernet, 65535);
    writer.commit();
    EXPECT_EQ(file_bytes(path).size(), 24u);  // just the file header now
    EXPECT_EQ(directory.entries(), std::vector<std::string>{"out.pcap"});
}

TEST(PcapWriter, WritesThroughToDevicesInsteadOfReplacingThem) {
    PcapWriter writer("/dev/null", linktype::kEthernet, 65535);
    writer.commit();
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(PcapWriter, RefusesTimestampsPcapCannotHold) {
    TemporaryDirectory directory;
    PcapReader reader(data_file("time_2107.pcapng"));
    PcapWriter writer(directory.file("out.pcap"), reader.link_type(), reader.snaplen());
    const auto packet = reader.next();
    ASSERT_TRUE(packet);
    expect_error([&] { writer.write(*packet); }, {"4323283200", "1970 to 2106"});
}

TEST(PcapWriter, RefusesPacketsLongerThanTheSnapshotLength) {
    TemporaryDirectory directory;
    PcapWriter writer(directory.file("out.pcap"), linktype::kEthernet, 64);
    const std::vector<uint8_t> bytes(65, 0);
    PcapPacket packet;
    packet.data = bytes;
    packet.wire_length = 65;
    expect_error([&] { writer.write(packet); }, {"65 bytes exceed the snapshot length 64"});
}

TEST(PcapWriter, RefusesAWireLengthBelowTheCapturedLength) {
    TemporaryDirectory directory;
    PcapWriter writer(directory.file("out.pcap"), linktype::kEthernet, 64);
    const std::vector<uint8_t> bytes(20, 0);
    PcapPacket packet;
    packet.data = bytes;
    packet.wire_length = 10;
    expect_error([&] { writer.write(packet); }, {"wire length 10", "captured length 20"});
}

TEST(PcapWriter, ADirectoryIsNoOutputFile) {
    expect_error([] { PcapWriter writer(std::string(BPFTOOLS_TEST_DATA), 1, 65535); },
                 {"is a directory"});
}

TEST(PcapWriter, AMissingDirectoryIsNamed) {
    expect_error([] { PcapWriter writer("/nonexistent/dir/out.pcap", 1, 65535); },
                 {"/nonexistent/dir/out.pcap", "No such file"});
}

}  // namespace
}  // namespace bpfgen
