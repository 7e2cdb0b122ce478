// packet_headers_test.cpp: IPv4/IPv6 and UDP/TCP header decoding on real packets (the
// expected fields are what tcpdump prints for them) and on headers built here for the
// cases real captures lack: IPv6 extension headers, fragments, padding, damage.
#include "libbpfgen/capture/packet_headers.h"

#include <gtest/gtest.h>

#include <vector>

#include "libbpfgen/capture/link_layer.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::bytes_of;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

std::vector<uint8_t> operator+(std::vector<uint8_t> head, const std::vector<uint8_t>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

// An IPv6 header (addresses ::1 and ::2) with this payload length, next header and payload.
std::vector<uint8_t> ipv6(int payload_length, int next_header) {
    std::vector<uint8_t> header =
        bytes_of({0x60, 0, 0, 0, payload_length >> 8, payload_length & 0xff, next_header, 64});
    for (int address = 1; address <= 2; ++address) {
        const std::vector<uint8_t> bytes(15, 0);
        header = header + bytes + bytes_of({address});
    }
    return header;
}

const std::vector<uint8_t> kUdp53 = bytes_of({0x30, 0x39, 0, 53, 0, 8, 0, 0});

TEST(DecodeIpHeader, ARealIpv4DnsQuery) {
    // tcpdump: 192.168.1.11.43966 > 209.87.249.18.53, IP ... ttl 64, length 84
    const auto packet = read_capture("dns_udp.pcap").packets.at(0).data;
    const IpHeader ip = decode_ip_header(packet, 14);
    EXPECT_EQ(ip.version, 4);
    EXPECT_EQ(ip.header_length, 20u);
    EXPECT_EQ(ip.stated_length, 84u);
    EXPECT_EQ(ip.end, 98u);
    EXPECT_EQ(ip.protocol, ipproto::kUdp);
    EXPECT_EQ(ip.ttl, 64);
    EXPECT_EQ(format_ip_address(ip.source), "192.168.1.11");
    EXPECT_EQ(format_ip_address(ip.destination), "209.87.249.18");
    const TransportHeader udp = decode_transport_header(packet, ip);
    EXPECT_EQ(udp.source_port, 43966);
    EXPECT_EQ(udp.destination_port, 53);
    EXPECT_EQ(udp.udp_length, 64);
    EXPECT_EQ(udp.payload_offset, 42u);
    EXPECT_EQ(udp.payload_end, 98u);
}

TEST(DecodeIpHeader, ARealIpv6DnsQuery) {
    // tcpdump: 2001:db8::1.12345 > 2620:fe::9.53
    const auto packet = read_capture("LINKTYPE_RAW_ipv6.pcap").packets.at(0).data;
    const IpHeader ip = decode_ip_header(packet, 0);
    EXPECT_EQ(ip.version, 6);
    EXPECT_EQ(ip.header_length, 40u);
    EXPECT_EQ(format_ip_address(ip.source), "2001:db8::1");
    EXPECT_EQ(format_ip_address(ip.destination), "2620:fe::9");
    const TransportHeader udp = decode_transport_header(packet, ip);
    EXPECT_EQ(udp.source_port, 12345);
    EXPECT_EQ(udp.destination_port, 53);
}

TEST(DecodeTransportHeader, RealTcpHeadersWithOptions) {
    // tcpdump: Flags [S], options [mss 1360,sackOK,TS val ...,nop,wscale 7]: 40-byte header.
    const auto packet = read_capture("tcp-handshake-nano.pcap").packets.at(0).data;
    const IpHeader ip = decode_ip_header(packet, 16);
    const TransportHeader tcp = decode_transport_header(packet, ip);
    EXPECT_EQ(tcp.protocol, ipproto::kTcp);
    EXPECT_EQ(tcp.header_length, 40u);
    EXPECT_EQ(tcp.tcp_flags, 0x02);  // SYN
    EXPECT_EQ(tcp.source_port, 46656);
    EXPECT_EQ(tcp.destination_port, 80);
    EXPECT_EQ(tcp.payload_offset, tcp.payload_end);
}

TEST(DecodeIpHeader, EthernetPaddingIsNotPartOfTheIpPacket) {
    auto packet = read_capture("LINKTYPE_RAW_ipv4.pcap").packets.at(0).data;
    const std::size_t length = packet.size();
    packet.resize(length + 10, 0);
    EXPECT_EQ(decode_ip_header(packet, 0).end, length);
}

TEST(DecodeIpHeader, Ipv6ExtensionHeadersAreSkipped) {
    // Hop-by-hop (8 bytes), destination options (16 bytes), then UDP.
    const auto hop_by_hop = bytes_of({60, 0, 1, 4, 0, 0, 0, 0});
    const auto destination = bytes_of({17, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    const auto packet = ipv6(8 + 16 + 8, ipproto::kHopByHop) + hop_by_hop + destination + kUdp53;
    const IpHeader ip = decode_ip_header(packet, 0);
    EXPECT_EQ(ip.header_length, 64u);
    EXPECT_EQ(ip.protocol, ipproto::kUdp);
    EXPECT_EQ(decode_transport_header(packet, ip).destination_port, 53);
}

TEST(DecodeIpHeader, Ipv6FragmentsAreRecognised) {
    const auto first =
        ipv6(16, ipproto::kFragment) + bytes_of({17, 0, 0x00, 0x01, 0, 0, 0x12, 0x34}) + kUdp53;
    const IpHeader ip = decode_ip_header(first, 0);
    EXPECT_TRUE(ip.more_fragments);
    EXPECT_EQ(ip.identification, 0x1234);
    EXPECT_EQ(decode_transport_header(first, ip).destination_port, 53);

    const auto later = ipv6(16, ipproto::kFragment) + bytes_of({17, 0, 0x00, 0xb8, 0, 0, 0, 1}) +
                       std::vector<uint8_t>(8, 0);
    const IpHeader later_ip = decode_ip_header(later, 0);
    EXPECT_EQ(later_ip.fragment_offset, 184u);
    expect_error([&] { decode_transport_header(later, later_ip); },
                 {"IPv6 fragment at offset 184 carries no transport header"});
}

TEST(DecodeIpHeader, LaterIpv4FragmentsHaveNoTransportHeader) {
    auto packet = read_capture("LINKTYPE_RAW_ipv4.pcap").packets.at(0).data;
    packet[6] = 0x00;
    packet[7] = 0x10;  // offset 16 * 8
    const IpHeader ip = decode_ip_header(packet, 0);
    EXPECT_EQ(ip.fragment_offset, 128u);
    expect_error([&] { decode_transport_header(packet, ip); }, {"fragment at offset 128"});
}

TEST(DecodeIpHeader, DamagedHeadersAreRefused) {
    const auto query = read_capture("LINKTYPE_RAW_ipv4.pcap").packets.at(0).data;
    expect_error(
        [&] { decode_ip_header(std::vector<uint8_t>(query.begin(), query.begin() + 12), 0); },
        {"truncated IPv4 header: 12 of 20 bytes"});
    auto bad_ihl = query;
    bad_ihl[0] = 0x44;
    expect_error([&] { decode_ip_header(bad_ihl, 0); }, {"IPv4 header length 16 is below 20"});
    auto short_total = query;
    short_total[2] = 0;
    short_total[3] = 10;
    expect_error([&] { decode_ip_header(short_total, 0); },
                 {"total length 10 is below its header length 20"});
    expect_error([] { decode_ip_header(bytes_of({0x50, 0}), 0); }, {"IP version 5"});
    expect_error([] { decode_ip_header(bytes_of({0x45}), 3); }, {"ends before it"});
    expect_error(
        [] {
            decode_ip_header(ipv6(0, 0) + bytes_of({17, 9}), 0);
        },
        {"truncated IPv6 extension header"});
}

TEST(DecodeTransportHeader, OtherProtocolsAndTruncationAreRefused) {
    auto packet = read_capture("LINKTYPE_RAW_ipv4.pcap").packets.at(0).data;
    auto icmp = packet;
    icmp[9] = 1;
    expect_error([&] { decode_transport_header(icmp, decode_ip_header(icmp, 0)); },
                 {"IP protocol 1 is neither UDP (17) nor TCP (6)"});
    packet.resize(24);
    packet[2] = 0;
    packet[3] = 24;
    expect_error([&] { decode_transport_header(packet, decode_ip_header(packet, 0)); },
                 {"truncated UDP header: 4 of 8 bytes"});
}

TEST(FormatIpAddress, Ipv4Ipv6AndOtherLengths) {
    EXPECT_EQ(format_ip_address(bytes_of({10, 0, 0, 1})), "10.0.0.1");
    EXPECT_EQ(
        format_ip_address(bytes_of({0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})),
        "2001:db8::1");
    EXPECT_EQ(format_ip_address(bytes_of({1, 2})), "0102");
}

}  // namespace
}  // namespace bpfgen
