// rule_offset_test.cpp: the L3 offset read from a program's loads (on libpcap's own
// programs for each link type and on hand-written ones) and the mismatch warning filter
// prints when it cannot fit the capture's link type.
#include "libbpfgen/capture/rule_offset.h"

#include <gtest/gtest.h>

#include <string>

#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/cbpf/assembler.h"

namespace bpfgen {
namespace {

std::optional<uint32_t> offset_of(const std::string& expression, int link_type) {
    return l3_offset_of_program(compile_pcap_filter(expression, link_type));
}

TEST(L3OffsetOfProgram, ReadsLibpcapProgramsForEachLinkType) {
    EXPECT_EQ(offset_of("udp port 53", linktype::kEthernet), 14u);
    EXPECT_EQ(offset_of("udp port 53", linktype::kLinuxSll), 16u);
    EXPECT_EQ(offset_of("vlan and udp port 53", linktype::kEthernet), 18u);
    EXPECT_EQ(offset_of("udp port 53", linktype::kLinuxSll2), 20u);
    EXPECT_EQ(offset_of("ip6", linktype::kLinuxSll2), 20u);
    EXPECT_EQ(offset_of("udp dst port 53", linktype::kIpv4), 0u);
}

TEST(L3OffsetOfProgram, ReadsTheIpv4HeaderLengthLoad) {
    EXPECT_EQ(l3_offset_of_program(assemble("ldxb 4*([20]&0xf)\nldh [x + 22]\nret a\n")), 20u);
    EXPECT_EQ(l3_offset_of_program(assemble("ldxb 4*([0]&0xf)\nldh [x + 2]\nret a\n")), 0u);
}

TEST(L3OffsetOfProgram, ClaimsNothingWithoutSigns) {
    // A suffix rule, an IPv6 dns rule, an IPv6 port check on raw IP.
    EXPECT_EQ(l3_offset_of_program(assemble("ld #len\nsub #2\ntax\nldh [x + 0]\nret a\n")),
              std::nullopt);
    EXPECT_EQ(l3_offset_of_program(assemble("ld #76\ntax\nld [x + 0]\nret a\n")), std::nullopt);
    EXPECT_EQ(offset_of("udp dst port 53", linktype::kIpv6), std::nullopt);
}

TEST(L3OffsetOfProgram, ClaimsNothingWhenTheSignsDisagree) {
    EXPECT_EQ(
        l3_offset_of_program(assemble("ldh [14]\njeq #0x800, ok, drop\nok: ldxb 4*([14]&0xf)\n"
                                      "ret #1\ndrop: ret #0\n")),
        std::nullopt);
}

TEST(L3OffsetOfProgram, IgnoresComparisonsWithOtherValuesAndAncillaryLoads) {
    // The VLAN tag's TPID is no IP ethertype; `ldh proto` reads no packet byte.
    EXPECT_EQ(l3_offset_of_program(assemble("ldh [12]\njeq #0x8100, ok, drop\nok: ret #1\n"
                                            "drop: ret #0\n")),
              std::nullopt);
    EXPECT_EQ(l3_offset_of_program(assemble("ldh proto\njeq #0x800, ok, drop\nok: ret #1\n"
                                            "drop: ret #0\n")),
              std::nullopt);
}

TEST(L3OffsetsOfLinkType, SaysWhereEachLinkTypeCarriesIp) {
    EXPECT_EQ(l3_offsets_of_link_type(linktype::kEthernet, FilterLayer::LinkLayer),
              (std::vector<uint32_t>{14, 18, 22}));
    EXPECT_EQ(l3_offsets_of_link_type(linktype::kLinuxSll, FilterLayer::LinkLayer),
              std::vector<uint32_t>{16});
    EXPECT_EQ(l3_offsets_of_link_type(linktype::kLinuxSll2, FilterLayer::LinkLayer),
              std::vector<uint32_t>{20});
    EXPECT_EQ(l3_offsets_of_link_type(linktype::kRaw, FilterLayer::LinkLayer),
              std::vector<uint32_t>{0});
    EXPECT_EQ(l3_offsets_of_link_type(linktype::kNull, FilterLayer::LinkLayer),
              std::vector<uint32_t>{4});
    EXPECT_EQ(l3_offsets_of_link_type(linktype::kLinuxSll2, FilterLayer::Network),
              std::vector<uint32_t>{0});
    EXPECT_TRUE(l3_offsets_of_link_type(160, FilterLayer::LinkLayer).empty());
}

TEST(L3OffsetMismatch, NamesTheRuleOffsetAndTheLinkType) {
    const Program sll = compile_pcap_filter("udp port 53", linktype::kLinuxSll);
    EXPECT_EQ(
        l3_offset_mismatch(sll, "-b", "any.pcap", linktype::kLinuxSll2, FilterLayer::LinkLayer),
        "-b is a rule for offset 16 (its loads read the IP header at byte 16), but "
        "any.pcap is LINUX_SLL2 (Linux cooked v2), whose IP header is at byte 20: expect "
        "no matches (bpfgen -o 20, or --l3 with an offset-0 rule)");
}

TEST(L3OffsetMismatch, NamesVlanOffsetsOfEthernet) {
    const Program raw = assemble("ldxb 4*([0]&0xf)\nldh [x + 2]\nret a\n");
    const auto warning =
        l3_offset_mismatch(raw, "-c r.bpf", "e.pcap", linktype::kEthernet, FilterLayer::LinkLayer);
    ASSERT_TRUE(warning);
    EXPECT_NE(warning->find("-c r.bpf is a rule for offset 0"), std::string::npos) << *warning;
    EXPECT_NE(warning->find("e.pcap is EN10MB (Ethernet), whose IP header is at byte 14 (18, 22 "
                            "behind VLAN tags)"),
              std::string::npos)
        << *warning;
}

TEST(L3OffsetMismatch, SaysThatL3ShowsTheIpHeaderFirst) {
    const Program ethernet = compile_pcap_filter("udp port 53", linktype::kEthernet);
    const auto warning =
        l3_offset_mismatch(ethernet, "-b", "e.pcap", linktype::kEthernet, FilterLayer::Network);
    ASSERT_TRUE(warning);
    EXPECT_NE(warning->find("-b is a rule for offset 14"), std::string::npos) << *warning;
    EXPECT_NE(warning->find("--l3"), std::string::npos) << *warning;
    EXPECT_NE(warning->find("bpfgen -o 0"), std::string::npos) << *warning;
}

TEST(L3OffsetMismatch, IsSilentWhenTheRuleFitsOrNothingIsKnown) {
    for (int link_type : {linktype::kEthernet, linktype::kLinuxSll, linktype::kLinuxSll2}) {
        const Program fitting = compile_pcap_filter("udp port 53", link_type);
        EXPECT_EQ(l3_offset_mismatch(fitting, "-e", "c.pcap", link_type, FilterLayer::LinkLayer),
                  std::nullopt)
            << link_type;
    }
    const Program vlan = compile_pcap_filter("vlan and udp port 53", linktype::kEthernet);
    EXPECT_EQ(l3_offset_mismatch(vlan, "-b", "c.pcap", linktype::kEthernet, FilterLayer::LinkLayer),
              std::nullopt);
    const Program raw = assemble("ldxb 4*([0]&0xf)\nldh [x + 2]\nret a\n");
    EXPECT_EQ(l3_offset_mismatch(raw, "-b", "c.pcap", linktype::kLinuxSll2, FilterLayer::Network),
              std::nullopt);
    EXPECT_EQ(l3_offset_mismatch(raw, "-b", "c.pcap", 160, FilterLayer::LinkLayer), std::nullopt);
    const Program suffix = assemble("ld #len\nsub #2\ntax\nldh [x + 0]\nret a\n");
    EXPECT_EQ(l3_offset_mismatch(suffix, "-b", "c.pcap", linktype::kRaw, FilterLayer::LinkLayer),
              std::nullopt);
}

}  // namespace
}  // namespace bpfgen
