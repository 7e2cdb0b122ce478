// link_layer_test.cpp: finding the IP header and rewriting packets as Ethernet for every
// supported link type, on real captures from tcpdump's test suite (Ethernet with and
// without 802.1Q tags, 802.1ad QinQ, Linux cooked SLL, raw IP, BSD null) and on headers
// built here for what those captures lack (SLL2, loop, SLL with a MAC address, runts).
#include "libbpfgen/capture/link_layer.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::bytes_of;
using bpftools::test::Capture;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

std::vector<uint8_t> concat(std::vector<uint8_t> head, const std::vector<uint8_t>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

std::vector<uint8_t> tail_from(const std::vector<uint8_t>& bytes, std::size_t offset) {
    return {bytes.begin() + static_cast<std::ptrdiff_t>(offset), bytes.end()};
}

// The first packet of LINKTYPE_RAW_ipv4.pcap: an IPv4 DNS query, no link-layer header.
std::vector<uint8_t> raw_ipv4_query() {
    return read_capture("LINKTYPE_RAW_ipv4.pcap").packets.at(0).data;
}

// A Linux cooked v2 header: protocol, reserved, ifindex, ARPHRD, packet type, address.
std::vector<uint8_t> sll2_header(uint16_t protocol, uint32_t ifindex, uint8_t packet_type,
                                 std::vector<uint8_t> address) {
    std::vector<uint8_t> header{static_cast<uint8_t>(protocol >> 8),
                                static_cast<uint8_t>(protocol),
                                0,
                                0,
                                static_cast<uint8_t>(ifindex >> 24),
                                static_cast<uint8_t>(ifindex >> 16),
                                static_cast<uint8_t>(ifindex >> 8),
                                static_cast<uint8_t>(ifindex),
                                0,
                                1,
                                packet_type,
                                static_cast<uint8_t>(address.size())};
    address.resize(8, 0);
    return concat(header, address);
}

TEST(FindNetworkLayer, EthernetIpv4IsAt14) {
    for (const auto& packet : read_capture("dns_udp.pcap").packets) {
        const auto network = find_network_layer(linktype::kEthernet, packet.data);
        ASSERT_TRUE(network);
        EXPECT_EQ(network->offset, 14u);
        EXPECT_EQ(network->ethertype, ethertype::kIpv4);
    }
}

TEST(FindNetworkLayer, VlanTaggedFramesAreAt18AndUntaggedAt14) {
    // tcpdump shows 5 of these 22 frames with an 802.1Q tag (VLAN 202).
    const Capture capture = read_capture("ldp-common-session.pcap");
    int tagged = 0;
    for (const auto& packet : capture.packets) {
        const LinkHeader header = decode_link_header(capture.link_type, packet.data);
        const auto network = find_network_layer(capture.link_type, packet.data);
        ASSERT_TRUE(network);
        if (header.vlan_tags.empty()) {
            EXPECT_EQ(network->offset, 14u);
        } else {
            ++tagged;
            ASSERT_EQ(header.vlan_tags.size(), 1u);
            EXPECT_EQ(header.vlan_tags[0].tpid, ethertype::kVlan);
            EXPECT_EQ(header.vlan_tags[0].id(), 202);
            EXPECT_EQ(network->offset, 18u);
        }
    }
    EXPECT_EQ(tagged, 5);
}

TEST(DecodeLinkHeader, QinQFramesCarryBothTagsOutermostFirst) {
    const Capture capture = read_capture("802.1ad_QinQ.pcap");
    for (const auto& packet : capture.packets) {
        const LinkHeader header = decode_link_header(capture.link_type, packet.data);
        ASSERT_EQ(header.vlan_tags.size(), 2u);
        EXPECT_EQ(header.vlan_tags[0].tpid, ethertype::kQinQ);
        EXPECT_EQ(header.vlan_tags[0].id(), 200);
        EXPECT_EQ(header.vlan_tags[1].tpid, ethertype::kVlan);
        EXPECT_EQ(header.vlan_tags[1].id(), 2001);
        EXPECT_EQ(header.ethertype, ethertype::kArp);
        EXPECT_EQ(header.length, 22u);
    }
}

TEST(FindNetworkLayer, ArpHasNone) {
    const Capture capture = read_capture("802.1ad_QinQ.pcap");
    for (const auto& packet : capture.packets) {
        EXPECT_FALSE(find_network_layer(capture.link_type, packet.data));
    }
}

TEST(FindNetworkLayer, LinuxCookedIsAt16) {
    for (const char* name : {"tcp-handshake-nano.pcap", "babel.pcap"}) {
        SCOPED_TRACE(name);
        const Capture capture = read_capture(name);
        ASSERT_EQ(capture.link_type, linktype::kLinuxSll);
        for (const auto& packet : capture.packets) {
            const auto network = find_network_layer(capture.link_type, packet.data);
            ASSERT_TRUE(network);
            EXPECT_EQ(network->offset, 16u);
        }
    }
}

TEST(FindNetworkLayer, LinuxCookedV2IsAt20) {
    const auto packet = concat(sll2_header(0x0800, 3, 4, {}), raw_ipv4_query());
    const auto network = find_network_layer(linktype::kLinuxSll2, packet);
    ASSERT_TRUE(network);
    EXPECT_EQ(network->offset, 20u);
    EXPECT_EQ(network->ethertype, ethertype::kIpv4);
}

TEST(DecodeLinkHeader, LinuxCookedV2FieldsAreRead) {
    const auto packet = concat(sll2_header(0x86dd, 0x01020304, 4, {1, 2, 3, 4, 5, 6}), {0x60});
    const LinkHeader header = decode_link_header(linktype::kLinuxSll2, packet);
    EXPECT_EQ(header.ethertype, ethertype::kIpv6);
    EXPECT_EQ(header.interface_index, 0x01020304u);
    EXPECT_EQ(header.packet_type, 4);
    EXPECT_EQ(header.hardware_type, 1);
    EXPECT_EQ(std::vector<uint8_t>(header.source.begin(), header.source.end()),
              bytes_of({1, 2, 3, 4, 5, 6}));
}

TEST(FindNetworkLayer, RawIpIsAtZeroForEveryRawLinkType) {
    for (const auto& [name, type, ethertype] :
         {std::tuple{"LINKTYPE_RAW_ipv4.pcap", linktype::kRaw, ethertype::kIpv4},
          std::tuple{"LINKTYPE_RAW_ipv6.pcap", linktype::kRaw, ethertype::kIpv6},
          std::tuple{"LINKTYPE_IPV4.pcap", linktype::kIpv4, ethertype::kIpv4},
          std::tuple{"LINKTYPE_IPV6.pcap", linktype::kIpv6, ethertype::kIpv6}}) {
        SCOPED_TRACE(name);
        const Capture capture = read_capture(name);
        EXPECT_EQ(capture.link_type, type);
        const auto network = find_network_layer(capture.link_type, capture.packets.at(0).data);
        ASSERT_TRUE(network);
        EXPECT_EQ(network->offset, 0u);
        EXPECT_EQ(network->ethertype, ethertype);
    }
}

TEST(FindNetworkLayer, BsdNullIsAt4InEitherByteOrder) {
    const Capture capture = read_capture("dns-badcookie.pcap");  // little-endian AF_INET
    for (const auto& packet : capture.packets) {
        const auto network = find_network_layer(linktype::kNull, packet.data);
        ASSERT_TRUE(network);
        EXPECT_EQ(network->offset, 4u);
    }
    const auto big_endian = concat(bytes_of({0, 0, 0, 2}), raw_ipv4_query());
    EXPECT_TRUE(find_network_layer(linktype::kNull, big_endian));
}

TEST(FindNetworkLayer, LoopUsesNetworkOrderAndEveryIpv6Family) {
    const auto ipv6 = read_capture("LINKTYPE_RAW_ipv6.pcap").packets.at(0).data;
    for (int family : {10, 24, 28, 30}) {
        const auto packet = concat(bytes_of({0, 0, 0, family}), ipv6);
        const auto network = find_network_layer(linktype::kLoop, packet);
        ASSERT_TRUE(network) << family;
        EXPECT_EQ(network->ethertype, ethertype::kIpv6);
    }
    EXPECT_FALSE(find_network_layer(linktype::kLoop, concat(bytes_of({0, 0, 0, 7}), ipv6)));
}

TEST(FindNetworkLayer, AVersionNibbleContradictingTheHeaderIsNoIp) {
    auto packet = read_capture("dns_udp.pcap").packets.at(0).data;
    packet[14] = 0x65;  // says IPv6 under an IPv4 ethertype
    EXPECT_FALSE(find_network_layer(linktype::kEthernet, packet));
}

TEST(FindNetworkLayer, APacketShorterThanItsHeaderHasNone) {
    EXPECT_FALSE(find_network_layer(linktype::kEthernet, bytes_of({1, 2, 3})));
    EXPECT_FALSE(find_network_layer(linktype::kLinuxSll, std::vector<uint8_t>(15, 0)));
    EXPECT_FALSE(find_network_layer(linktype::kRaw, {}));
}

TEST(FindNetworkLayer, AnEthernetHeaderWithNothingAfterItHasNone) {
    EXPECT_FALSE(find_network_layer(linktype::kEthernet,
                                    bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00})));
}

TEST(FindNetworkLayer, AVlanTagCutOffByTheCaptureEndsTheHeader) {
    const auto packet = bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0x00});
    const LinkHeader header = decode_link_header(linktype::kEthernet, packet);
    EXPECT_EQ(header.ethertype, ethertype::kVlan);
    EXPECT_TRUE(header.vlan_tags.empty());
    EXPECT_FALSE(find_network_layer(linktype::kEthernet, packet));
}

TEST(DecodeLinkHeader, UnsupportedLinkTypesAreNamed) {
    const Capture capture = read_capture("unsupported-link-type-160.pcap");
    expect_error([&] { decode_link_header(capture.link_type, capture.packets.at(0).data); },
                 {"link type 160 is not supported"});
    expect_error([&] { find_network_layer(capture.link_type, capture.packets.at(0).data); },
                 {"link type 160 is not supported"});
    EXPECT_FALSE(is_supported_link_type(160));
}

TEST(DecodeLinkHeader, ShortHeadersAreErrors) {
    expect_error([] { decode_link_header(linktype::kLinuxSll, std::vector<uint8_t>(10, 0)); },
                 {"10-byte packet", "16-byte", "SLL"});
}

TEST(NormalizeToEthernet, KeepsEverythingFromTheIpHeaderOn) {
    for (const char* name :
         {"dns_udp.pcap", "ldp-common-session.pcap", "tcp-handshake-nano.pcap", "babel.pcap",
          "LINKTYPE_RAW_ipv4.pcap", "LINKTYPE_IPV6.pcap", "dns-badcookie.pcap"}) {
        SCOPED_TRACE(name);
        const Capture capture = read_capture(name);
        for (const auto& packet : capture.packets) {
            const auto network = find_network_layer(capture.link_type, packet.data);
            ASSERT_TRUE(network);
            const auto ethernet = normalize_to_ethernet(capture.link_type, packet.data);
            EXPECT_EQ(tail_from(ethernet, 14), tail_from(packet.data, network->offset));
            EXPECT_EQ(ethernet[12] << 8 | ethernet[13], network->ethertype);
            const auto again = find_network_layer(linktype::kEthernet, ethernet);
            ASSERT_TRUE(again);
            EXPECT_EQ(again->offset, 14u);
        }
    }
}

TEST(NormalizeToEthernet, RemovesEveryVlanTagAndKeepsTheAddresses) {
    const Capture capture = read_capture("802.1ad_QinQ.pcap");
    const auto& packet = capture.packets.at(0).data;
    const auto ethernet = normalize_to_ethernet(capture.link_type, packet);
    std::vector<uint8_t> expected(packet.begin(), packet.begin() + 12);
    expected.push_back(0x08);
    expected.push_back(0x06);
    expected.insert(expected.end(), packet.begin() + 22, packet.end());
    EXPECT_EQ(ethernet, expected);
}

TEST(NormalizeToEthernet, LeavesUntaggedEthernetAsItIs) {
    const auto packet = read_capture("dns_udp.pcap").packets.at(0).data;
    EXPECT_EQ(normalize_to_ethernet(linktype::kEthernet, packet), packet);
}

TEST(NormalizeToEthernet, LinuxCookedAddressBecomesTheSource) {
    auto packet = bytes_of({0, 0, 0, 1, 0, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0, 0, 0x08, 0x00});
    packet = concat(packet, raw_ipv4_query());
    const auto ethernet = normalize_to_ethernet(linktype::kLinuxSll, packet);
    EXPECT_EQ(std::vector<uint8_t>(ethernet.begin(), ethernet.begin() + 14),
              bytes_of({0, 0, 0, 0, 0, 0, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x08, 0x00}));
    const auto v2 =
        concat(sll2_header(0x0800, 1, 0, {0xa, 0xb, 0xc, 0xd, 0xe, 0xf}), raw_ipv4_query());
    EXPECT_EQ(normalize_to_ethernet(linktype::kLinuxSll2, v2), ethernet);
}

TEST(NormalizeToEthernet, RawIpGetsZeroAddresses) {
    const auto query = raw_ipv4_query();
    EXPECT_EQ(normalize_to_ethernet(linktype::kRaw, query),
              concat(bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}), query));
}

TEST(NormalizeToEthernet, RuntEthernetFramesStayAsTheyAre) {
    const auto runt = bytes_of({1, 2, 3, 4, 5});
    EXPECT_EQ(normalize_to_ethernet(linktype::kEthernet, runt), runt);
}

TEST(NormalizeToEthernet, APacketOfUnknownProtocolHasNoEthernetForm) {
    expect_error(
        [] {
            normalize_to_ethernet(linktype::kRaw, bytes_of({0x50, 0, 0}));
        },
        {"cannot tell which protocol"});
    expect_error(
        [] {
            normalize_to_ethernet(linktype::kNull, bytes_of({7, 0, 0, 0, 0x45}));
        },
        {"cannot tell which protocol"});
}

}  // namespace
}  // namespace bpfgen
