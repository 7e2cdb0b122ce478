// scrub_test.cpp: pseudonymisation of real packets: what must change (addresses, DNS
// labels), what must not (lengths, ports, DNS structure, checksum validity), and that the
// same input always gives the same output. Checksums are verified here independently.
#include "libbpfgen/capture/scrub.h"

#include <gtest/gtest.h>

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

std::vector<uint8_t> slice(const std::vector<uint8_t>& bytes, std::size_t begin, std::size_t end) {
    return {bytes.begin() + static_cast<std::ptrdiff_t>(begin),
            bytes.begin() + static_cast<std::ptrdiff_t>(end)};
}

// RFC 1071: the one's complement of the one's complement sum of 16-bit words.
uint16_t internet_checksum(const std::vector<uint8_t>& bytes) {
    uint32_t sum = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        sum += static_cast<uint32_t>(bytes[i] << 8) + (i + 1 < bytes.size() ? bytes[i + 1] : 0);
    }
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// Whether the IPv4 header checksum and the UDP checksum of an Ethernet IPv4 UDP packet hold.
bool ipv4_checksums_hold(const std::vector<uint8_t>& packet) {
    const IpHeader ip = decode_ip_header(packet, 14);
    const bool header = internet_checksum(slice(packet, 14, 14 + ip.header_length)) == 0;
    const std::size_t udp = 14 + ip.header_length;
    std::vector<uint8_t> pseudo = slice(packet, 26, 34);  // source and destination
    pseudo.insert(pseudo.end(), {0, 17, packet[udp + 4], packet[udp + 5]});
    const auto segment = slice(packet, udp, ip.end);
    pseudo.insert(pseudo.end(), segment.begin(), segment.end());
    return header && internet_checksum(pseudo) == 0;
}

DnsMessage dns_of(const std::vector<uint8_t>& ethernet_packet) {
    const IpHeader ip = decode_ip_header(ethernet_packet, 14);
    const TransportHeader udp = decode_transport_header(ethernet_packet, ip);
    return parse_dns_message(slice(ethernet_packet, udp.payload_offset, udp.payload_end));
}

TEST(ScrubPacket, TheSameInputGivesTheSameOutput) {
    const Capture capture = read_capture("dns_udp.pcap");
    for (const auto& packet : capture.packets) {
        EXPECT_EQ(scrub_packet(capture.link_type, packet.data),
                  scrub_packet(capture.link_type, packet.data));
    }
}

TEST(ScrubPacket, ZeroesMacAddressesAndReplacesIpAddresses) {
    const Capture capture = read_capture("dns_udp.pcap");
    const auto& original = capture.packets.at(0).data;
    const auto scrubbed = scrub_packet(capture.link_type, original);
    ASSERT_EQ(scrubbed.size(), original.size());
    EXPECT_EQ(slice(scrubbed, 0, 12), std::vector<uint8_t>(12, 0));
    EXPECT_EQ(slice(scrubbed, 12, 14), slice(original, 12, 14));
    EXPECT_NE(slice(scrubbed, 26, 30), slice(original, 26, 30));
    EXPECT_NE(slice(scrubbed, 30, 34), slice(original, 30, 34));
    EXPECT_EQ(slice(scrubbed, 34, 38), slice(original, 34, 38));  // ports
}

TEST(ScrubPacket, OneHostKeepsOnePseudonym) {
    // The query's source is the answer's destination.
    const Capture capture = read_capture("dns_udp.pcap");
    const auto query = scrub_packet(capture.link_type, capture.packets.at(0).data);
    const auto answer = scrub_packet(capture.link_type, capture.packets.at(1).data);
    EXPECT_EQ(slice(query, 26, 30), slice(answer, 30, 34));
    EXPECT_EQ(slice(query, 30, 34), slice(answer, 26, 30));
}

TEST(ScrubPacket, ValidChecksumsStayValid) {
    const Capture capture = read_capture("dns_udp.pcap");
    for (const auto& packet : capture.packets) {
        ASSERT_TRUE(ipv4_checksums_hold(packet.data));
        EXPECT_TRUE(ipv4_checksums_hold(scrub_packet(capture.link_type, packet.data)));
    }
}

TEST(ScrubPacket, DnsNamesChangeButKeepTheirShape) {
    const Capture capture = read_capture("dns_udp.pcap");
    const DnsMessage original = dns_of(capture.packets.at(1).data);
    const DnsMessage scrubbed = dns_of(scrub_packet(capture.link_type, capture.packets.at(1).data));
    ASSERT_EQ(scrubbed.answers.size(), original.answers.size());
    ASSERT_EQ(scrubbed.authority.size(), original.authority.size());
    const std::string& name = scrubbed.questions.at(0).name;
    EXPECT_NE(name, "www.tcpdump.org.");
    EXPECT_EQ(name.size(), std::string("www.tcpdump.org.").size());
    EXPECT_EQ(name[3], '.');
    EXPECT_EQ(name[11], '.');
    // The authority records' owner "tcpdump.org." is spelled out again: it gets the same
    // replacement as inside "www.tcpdump.org.".
    EXPECT_EQ(scrubbed.authority.at(0).name, name.substr(4));
    // Names inside record data change too.
    EXPECT_NE(scrubbed.authority.at(0).data_text, original.authority.at(0).data_text);
    EXPECT_NE(scrubbed.answers.at(0).data_text, "192.139.46.66");
}

TEST(ScrubPacket, RecordAddressesGetTheSamePseudonymsAsIpHeaders) {
    // The answer's additional section holds the server's own address, 209.87.249.18, the
    // source of the answer packet.
    const Capture capture = read_capture("dns_udp.pcap");
    const auto& answer = capture.packets.at(1).data;
    const auto scrubbed_packet = scrub_packet(capture.link_type, answer);
    const DnsMessage original = dns_of(answer);
    const DnsMessage scrubbed = dns_of(scrubbed_packet);
    ASSERT_EQ(original.additional.at(0).data_text, "209.87.249.18");
    EXPECT_EQ(original.additional.at(0).data, slice(answer, 26, 30));
    EXPECT_EQ(scrubbed.additional.at(0).data, slice(scrubbed_packet, 26, 30));
    for (const auto section : {&DnsMessage::answers, &DnsMessage::additional}) {
        const auto& before = original.*section;
        const auto& after = scrubbed.*section;
        ASSERT_EQ(before.size(), after.size());
        for (std::size_t i = 0; i < before.size(); ++i) {
            if (before[i].type != dnstype::kA && before[i].type != dnstype::kAaaa) continue;
            EXPECT_EQ(after[i].data.size(), before[i].data.size());
            EXPECT_NE(after[i].data, before[i].data) << before[i].data_text;
        }
    }
}

TEST(ScrubPacket, ClientSubnetAddressIsReplacedWithinItsPrefix) {
    const Capture capture = read_capture("edns-opts.pcap");
    std::size_t seen = 0;
    for (const auto& packet : capture.packets) {
        const DnsMessage original = dns_of(packet.data);
        if (!original.edns) continue;
        const DnsMessage scrubbed = dns_of(scrub_packet(capture.link_type, packet.data));
        ASSERT_TRUE(scrubbed.edns);
        ASSERT_EQ(scrubbed.edns->options.size(), original.edns->options.size());
        for (std::size_t i = 0; i < original.edns->options.size(); ++i) {
            const auto& before = original.edns->options[i];
            const auto& after = scrubbed.edns->options[i];
            if (before.code != ednsoption::kClientSubnet) continue;
            ++seen;
            ASSERT_EQ(after.data.size(), before.data.size());
            EXPECT_EQ(slice(after.data, 0, 4), slice(before.data, 0, 4));  // family, prefixes
            EXPECT_NE(slice(after.data, 4, after.data.size()),
                      slice(before.data, 4, before.data.size()));
            // The bits past the source prefix stay zero, as RFC 7871 demands.
            const unsigned prefix = after.data[2];
            for (std::size_t bit = prefix; bit < (after.data.size() - 4) * 8; ++bit) {
                EXPECT_EQ((after.data[4 + bit / 8] >> (7 - bit % 8)) & 1, 0) << bit;
            }
        }
    }
    EXPECT_GE(seen, 4u);
}

TEST(ScrubPacket, LabelsKeepCaseAndCharacterClasses) {
    const Capture capture = read_capture("dns_udp.pcap");
    auto packet = capture.packets.at(0).data;
    // Upper-case the query's "www": the replacement follows in upper case.
    const std::size_t www = 14 + 20 + 8 + 12 + 1;
    const auto lower = dns_of(scrub_packet(capture.link_type, packet)).questions.at(0).name;
    packet[www] = 'W';
    packet[www + 1] = 'W';
    packet[www + 2] = 'W';
    const auto upper = dns_of(scrub_packet(capture.link_type, packet)).questions.at(0).name;
    ASSERT_EQ(lower.size(), upper.size());
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(upper[i], lower[i] - 'a' + 'A');
    }
    EXPECT_EQ(upper.substr(3), lower.substr(3));
}

TEST(ScrubPacket, Ipv6AddressesAreReplaced) {
    const Capture capture = read_capture("LINKTYPE_RAW_ipv6.pcap");
    const auto& original = capture.packets.at(0).data;
    const auto scrubbed = scrub_packet(capture.link_type, original);
    EXPECT_NE(slice(scrubbed, 8, 24), slice(original, 8, 24));
    EXPECT_NE(slice(scrubbed, 24, 40), slice(original, 24, 40));
    EXPECT_EQ(slice(scrubbed, 0, 8), slice(original, 0, 8));
    EXPECT_NE(parse_dns_message(slice(scrubbed, 48, scrubbed.size())).questions.at(0).name,
              "example.com.");
}

TEST(ScrubPacket, ArpAddressesAreScrubbedToo) {
    const Capture capture = read_capture("802.1ad_QinQ.pcap");
    const auto& original = capture.packets.at(0).data;
    const auto scrubbed = scrub_packet(capture.link_type, original);
    const std::size_t arp = 22;
    EXPECT_EQ(slice(scrubbed, arp + 8, arp + 14), std::vector<uint8_t>(6, 0));
    EXPECT_NE(slice(scrubbed, arp + 14, arp + 18), slice(original, arp + 14, arp + 18));
    EXPECT_EQ(slice(scrubbed, 12, 22), slice(original, 12, 22));  // VLAN tags stay
}

TEST(ScrubPacket, LinuxCookedAddressIsZeroed) {
    // babel.pcap's packets carry no address; give the first one a MAC address.
    const Capture capture = read_capture("babel.pcap");
    auto packet = capture.packets.at(0).data;
    packet[5] = 6;
    std::fill(packet.begin() + 6, packet.begin() + 12, uint8_t{0xaa});
    const auto scrubbed = scrub_packet(capture.link_type, packet);
    EXPECT_EQ(slice(scrubbed, 6, 12), std::vector<uint8_t>(6, 0));
    EXPECT_EQ(slice(scrubbed, 0, 6), slice(packet, 0, 6));
    EXPECT_NE(slice(scrubbed, 16 + 8, 16 + 40), slice(packet, 16 + 8, 16 + 40));
}

TEST(ScrubPacket, UnsupportedLinkTypesAreRefused) {
    const Capture capture = read_capture("unsupported-link-type-160.pcap");
    expect_error([&] { scrub_packet(capture.link_type, capture.packets.at(0).data); },
                 {"link type 160 is not supported"});
}

TEST(ScrubPacket, WhatDoesNotDecodeIsLeftAlone) {
    const std::vector<uint8_t> runt{1, 2, 3};
    EXPECT_EQ(scrub_packet(linktype::kEthernet, runt), runt);
}

}  // namespace
}  // namespace bpfgen
