// packet_filter_test.cpp: running programs over real captured packets. At the link layer
// the verdicts are cross-checked with libpcap's own bpf_filter (pcap_offline_filter) for
// libpcap-compiled expressions; at the network layer the program sees the packet from its
// IP header on, with the IP packet's length, and packets without IP have no verdict.
#include "libbpfgen/capture/packet_filter.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/cbpf/assembler.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::Capture;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

// libpcap's verdict for a packet, with its own compiler and interpreter.
class LibpcapFilter {
  public:
    LibpcapFilter(int dlt, const std::string& expression) : dead_(pcap_open_dead(dlt, 262144)) {
        EXPECT_EQ(pcap_compile(dead_.get(), &program_, expression.c_str(), 1, 0), 0)
            << pcap_geterr(dead_.get());
    }
    ~LibpcapFilter() { pcap_freecode(&program_); }
    bool matches(const std::vector<uint8_t>& packet, uint32_t wire_length) const {
        pcap_pkthdr header{};
        header.caplen = static_cast<bpf_u_int32>(packet.size());
        header.len = wire_length;
        return pcap_offline_filter(&program_, &header, packet.data()) != 0;
    }

  private:
    std::unique_ptr<pcap, PcapCloser> dead_;
    bpf_program program_{};
};

TEST(PacketFilter, LinkLayerVerdictsAgreeWithLibpcap) {
    const std::vector<std::pair<const char*, int>> captures = {
        {"dns_udp.pcap", DLT_EN10MB},
        {"edns-opts.pcap", DLT_EN10MB},
        {"ldp-common-session.pcap", DLT_EN10MB},
        {"802.1ad_QinQ.pcap", DLT_EN10MB},
        {"tcp-handshake-nano.pcap", DLT_LINUX_SLL},
        {"babel.pcap", DLT_LINUX_SLL},
    };
    const std::vector<std::string> expressions = {"ip",
                                                  "ip6",
                                                  "udp port 53",
                                                  "vlan 202",
                                                  "tcp[tcpflags] & tcp-syn != 0",
                                                  "greater 90",
                                                  "udp[10] & 0x80 != 0",
                                                  "ip6 multicast",
                                                  "arp",
                                                  "inbound"};
    int matched = 0;
    int rejected = 0;
    for (const auto& [name, dlt] : captures) {
        const Capture capture = read_capture(name);
        PcapReader reader(bpftools::test::data_file(name));
        for (const std::string& expression : expressions) {
            Program program;
            try {
                program = reader.compile_filter(expression);
            } catch (const Error&) {
                continue;  // e.g. "inbound" on Ethernet
            }
            const LibpcapFilter libpcap(dlt, expression);
            const PacketFilter ours(CheckedProgram(program), capture.link_type,
                                    FilterLayer::LinkLayer);
            for (std::size_t i = 0; i < capture.packets.size(); ++i) {
                const auto& packet = capture.packets[i];
                const auto verdict = ours.verdict(packet.data, packet.wire_length);
                ASSERT_TRUE(verdict);
                const bool expected = libpcap.matches(packet.data, packet.wire_length);
                EXPECT_EQ(*verdict != 0, expected)
                    << name << " packet " << i + 1 << ": " << expression;
                (expected ? matched : rejected) += 1;
            }
        }
    }
    EXPECT_GT(matched, 50);
    EXPECT_GT(rejected, 50);
}

TEST(PacketFilter, NetworkLayerProgramsSeeTheIpHeaderFirst) {
    // ldb [0]; ret a: the verdict is the packet's first byte, 0x45 for IPv4 without options.
    const Program first_byte{{0x30, 0, 0, 0}, {0x16, 0, 0, 0}};
    for (const char* name : {"dns_udp.pcap", "ldp-common-session.pcap", "tcp-handshake-nano.pcap",
                             "LINKTYPE_RAW_ipv4.pcap", "dns-badcookie.pcap"}) {
        SCOPED_TRACE(name);
        const Capture capture = read_capture(name);
        const PacketFilter filter(CheckedProgram(first_byte), capture.link_type,
                                  FilterLayer::Network);
        for (const auto& packet : capture.packets) {
            EXPECT_EQ(filter.verdict(packet.data, packet.wire_length), 0x45u);
        }
    }
}

TEST(PacketFilter, NetworkLayerLengthIsTheIpPacketsLength) {
    // ld #len; ret a
    const Program length{{0x80, 0, 0, 0}, {0x16, 0, 0, 0}};
    for (const char* name : {"ldp-common-session.pcap", "dns_udp.pcap", "LINKTYPE_RAW_ipv6.pcap"}) {
        SCOPED_TRACE(name);
        const Capture capture = read_capture(name);
        const PacketFilter network(CheckedProgram(length), capture.link_type, FilterLayer::Network);
        const PacketFilter link(CheckedProgram(length), capture.link_type, FilterLayer::LinkLayer);
        for (const auto& packet : capture.packets) {
            const auto offset = find_network_layer(capture.link_type, packet.data)->offset;
            const uint8_t* ip = packet.data.data() + offset;
            const uint32_t stated =
                (ip[0] >> 4) == 4 ? (ip[2] << 8 | ip[3]) : (ip[4] << 8 | ip[5]) + 40;
            EXPECT_EQ(
                network.verdict(packet.data, packet.wire_length),
                std::min<uint32_t>(stated, packet.wire_length - static_cast<uint32_t>(offset)));
            EXPECT_EQ(link.verdict(packet.data, packet.wire_length), packet.wire_length);
        }
    }
}

TEST(PacketFilter, NetworkLayerProgramsDoNotSeeLinkLayerPadding) {
    // A 36-byte IPv4/UDP packet padded to a 60-byte Ethernet frame, as on the wire: the
    // kernel trims the padding before iptables, so a rule on the packet's last bytes (a
    // suffix rule) and `ld #len` see the IP packet's end.
    const std::vector<uint8_t> ethernet = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00};
    const std::vector<uint8_t> ipv4 = {0x45, 0, 0,   36, 0, 1, 0,   0, 64, 17,
                                       0,    0, 192, 0,  2, 1, 192, 0, 2,  2};
    const std::vector<uint8_t> udp = {0x30, 0x39, 0, 53, 0, 16, 0, 0};
    const std::vector<uint8_t> payload = {'A', 'B', 'C', 'D', 'G', 'H', 'I', 'J'};
    std::vector<uint8_t> frame;
    for (const auto* part : {&ethernet, &ipv4, &udp, &payload}) {
        frame.insert(frame.end(), part->begin(), part->end());
    }
    frame.resize(60, 0);
    // ld #len; ret a  and  ld #len; sub #4; tax; ld [x+0]; ret a (the last 4 bytes)
    const Program length{{0x80, 0, 0, 0}, {0x16, 0, 0, 0}};
    const Program last_word{
        {0x80, 0, 0, 0}, {0x14, 0, 0, 4}, {0x07, 0, 0, 0}, {0x40, 0, 0, 0}, {0x16, 0, 0, 0}};
    EXPECT_EQ(PacketFilter(CheckedProgram(length), linktype::kEthernet, FilterLayer::Network)
                  .verdict(frame, 60),
              36u);
    EXPECT_EQ(PacketFilter(CheckedProgram(last_word), linktype::kEthernet, FilterLayer::Network)
                  .verdict(frame, 60),
              0x4748494au);  // "GHIJ"
    // At the link layer the frame is what a packet socket sees, padding and all.
    EXPECT_EQ(PacketFilter(CheckedProgram(length), linktype::kEthernet, FilterLayer::LinkLayer)
                  .verdict(frame, 60),
              60u);
}

TEST(PacketFilter, PacketsWithoutIpHaveNoNetworkLayerVerdict) {
    const Program accept{{0x06, 0, 0, 0xffff}};
    const Capture capture = read_capture("802.1ad_QinQ.pcap");
    const PacketFilter filter(CheckedProgram(accept), capture.link_type, FilterLayer::Network);
    for (const auto& packet : capture.packets) {
        EXPECT_FALSE(filter.verdict(packet.data, packet.wire_length));
    }
}

TEST(PacketFilter, TheNetworkLayerNeedsAKnownLinkType) {
    expect_error(
        [] {
            PacketFilter(CheckedProgram(Program{{0x06, 0, 0, 1}}), 160, FilterLayer::Network);
        },
        {"link type 160"});
    // At the link layer any link type will do.
    const PacketFilter filter(CheckedProgram(Program{{0x06, 0, 0, 1}}), 160,
                              FilterLayer::LinkLayer);
    const std::vector<uint8_t> packet{1, 2, 3};
    EXPECT_EQ(filter.verdict(packet, 3), 1u);
}

TEST(PacketFilter, TheKernelSeesTheVlanTagBesideThePacket) {
    // ld vlan_avail (SKF_AD_VLAN_TAG_PRESENT); ret a, at the network layer.
    const Program vlan_present{{0x20, 0, 0, ancillary::kOffset + ancillary::kVlanTagPresent},
                               {0x16, 0, 0, 0}};
    const Capture capture = read_capture("ldp-common-session.pcap");
    const PacketFilter filter(CheckedProgram(vlan_present), capture.link_type,
                              FilterLayer::Network);
    int tagged = 0;
    for (const auto& packet : capture.packets) {
        const bool has_tag = !decode_link_header(capture.link_type, packet.data).vlan_tags.empty();
        EXPECT_EQ(filter.verdict(packet.data, packet.wire_length), has_tag ? 1u : 0u);
        tagged += has_tag;
    }
    EXPECT_EQ(tagged, 5);
}

// frame_code() is the rule's machine code only where it gives verdict_value() for any frame
// (the link layer, no ancillary load), and then gives the same verdicts over real packets.
TEST(PacketFilter, FrameCodeOnlyWhereItGivesTheVerdictOfAnyFrame) {
    const std::string frame_rule = "ldh [12]\njeq #0x800, yes\nret #0\nyes: ret #1\n";
    const PacketFilter frame_only(CheckedProgram(assemble(frame_rule)), DLT_EN10MB,
                                  FilterLayer::LinkLayer);
    const PacketFilter network(CheckedProgram(assemble("ldb [0]\nret a\n")), DLT_EN10MB,
                               FilterLayer::Network);
    const PacketFilter context(CheckedProgram(assemble("ld #proto\nret a\n")), DLT_EN10MB,
                               FilterLayer::LinkLayer);
    const PacketFilter interpreted(CheckedProgram(assemble(frame_rule), Engine::Interpreter),
                                   DLT_EN10MB, FilterLayer::LinkLayer);
    EXPECT_EQ(network.frame_code(), nullptr);
    EXPECT_EQ(context.frame_code(), nullptr);
    EXPECT_EQ(interpreted.frame_code(), nullptr);
    const detail::MachineCode code = frame_only.frame_code();
    if (!CheckedProgram(assemble(frame_rule)).uses_jit()) {
        GTEST_SKIP() << "no machine code on this system: nothing to compare";
    }
    ASSERT_NE(code, nullptr);
    const Capture capture = read_capture("dns_udp.pcap");
    ASSERT_FALSE(capture.packets.empty());
    for (const auto& packet : capture.packets) {
        bool without_ip = false;
        const uint32_t expected =
            frame_only.verdict_value(packet.data, packet.wire_length, without_ip);
        EXPECT_EQ(code(packet.data.data(), packet.data.size(), &frame_only.frame_context(),
                       packet.wire_length),
                  expected);
    }
}

}  // namespace
}  // namespace bpfgen
