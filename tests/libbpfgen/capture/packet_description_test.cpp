// packet_description_test.cpp: the text parsedns prints, produced without a process: the
// headers of real DNS packets over UDP and TCP, bare messages, and the errors for packets
// that do not decode (DNS over TCP's length, a link type that is not the packet's).
#include "libbpfgen/capture/packet_description.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/capture/dns_message.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_headers.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::Capture;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

TEST(DescribeDnsPacket, UdpQueryShowsEveryLayer) {
    const Capture capture = read_capture("dns_udp.pcap");
    const std::string text = describe_dns_packet(capture.packets.at(0).data, capture.link_type);
    EXPECT_TRUE(contains(text, "  link: EN10MB")) << text;
    EXPECT_TRUE(contains(text, "  ip: IPv4 192.168.1.11 > 209.87.249.18")) << text;
    EXPECT_TRUE(contains(text, "  udp: 43966 > 53")) << text;
    EXPECT_TRUE(contains(text, "  dns: id 0x5934, query, opcode QUERY")) << text;
    EXPECT_TRUE(contains(text, "  question 1 @12: www.tcpdump.org. IN A\n")) << text;
    EXPECT_TRUE(contains(text, "  edns: version 0")) << text;
}

TEST(DescribeDnsPacket, TcpQueryShowsTheDnsLength) {
    const Capture capture = read_capture("dns_tcp.pcap");
    const std::string text = describe_dns_packet(capture.packets.at(3).data, capture.link_type);
    EXPECT_TRUE(contains(text, "  tcp: 33779 > 53, flags 0x18\n")) << text;
    EXPECT_TRUE(contains(text, "  tcp dns length: 56\n")) << text;
    EXPECT_TRUE(contains(text, "  question 1 @12: www.tcpdump.org. IN A\n")) << text;
}

TEST(DescribeDnsPacket, BareMessageHasNoHeaderLines) {
    const Capture capture = read_capture("dns_udp.pcap");
    const std::vector<uint8_t>& packet = capture.packets.at(0).data;
    const auto network = find_network_layer(capture.link_type, packet);
    ASSERT_TRUE(network);
    const TransportHeader udp =
        decode_transport_header(packet, decode_ip_header(packet, network->offset));
    const std::span<const uint8_t> message(packet.data() + udp.payload_offset,
                                           udp.payload_end - udp.payload_offset);
    const std::string text = describe_dns_packet(message, std::nullopt);
    EXPECT_TRUE(text.starts_with("  dns: id 0x5934, query")) << text;
    EXPECT_FALSE(contains(text, "link:")) << text;
}

TEST(DescribeDnsPacket, TcpSegmentWithoutTheWholeMessageIsRefused) {
    const Capture capture = read_capture("dns_tcp.pcap");
    std::vector<uint8_t> packet = capture.packets.at(3).data;
    packet.resize(packet.size() - 10);
    // The IP header still states the full length, so shorten what it says too.
    const uint16_t stated = static_cast<uint16_t>((packet[16] << 8 | packet[17]) - 10);
    packet[16] = static_cast<uint8_t>(stated >> 8);
    packet[17] = static_cast<uint8_t>(stated);
    expect_error([&] { describe_dns_packet(packet, capture.link_type); },
                 {"DNS message over TCP announces 56 bytes, the segment carries 46"});
}

TEST(DescribeDnsPacket, WrongLinkTypeNamesTheOneThatFits) {
    const Capture capture = read_capture("dns_udp.pcap");
    const std::vector<uint8_t>& frame = capture.packets.at(0).data;
    const std::vector<uint8_t> ip_packet(frame.begin() + 14, frame.end());
    expect_error([&] { describe_dns_packet(ip_packet, linktype::kEthernet); },
                 {"no IPv4 or IPv6 header", "try --linktype RAW"});
}

TEST(ReadTcpDnsFrame, ReadsTheLengthInNetworkOrder) {
    const std::vector<uint8_t> segment = {0x01, 0x02, 0xaa, 0xbb};
    const std::optional<TcpDnsFrame> frame = read_tcp_dns_frame(segment);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->announced_length, 0x0102u);
    EXPECT_EQ(frame->carried_length, 2u);
    EXPECT_EQ(frame->message_offset, 2u);
    EXPECT_EQ(frame->message_length(), 2u);
    EXPECT_FALSE(frame->complete());
}

TEST(ReadTcpDnsFrame, WholeMessageIsComplete) {
    const std::vector<uint8_t> segment = {0x00, 0x01, 0xaa, 0xbb};
    const std::optional<TcpDnsFrame> frame = read_tcp_dns_frame(segment);
    ASSERT_TRUE(frame);
    EXPECT_TRUE(frame->complete());
    EXPECT_EQ(frame->message_length(), 1u);
}

TEST(ReadTcpDnsFrame, FewerThanTwoBytesHoldNoFrame) {
    EXPECT_FALSE(read_tcp_dns_frame(std::vector<uint8_t>{0x00}));
    EXPECT_FALSE(read_tcp_dns_frame(std::vector<uint8_t>{}));
}

}  // namespace
}  // namespace bpfgen
