// interpreter_ancillary_test.cpp: ancillary loads (ld [SKF_AD_OFF + SKF_AD_*]) read the
// SkbContext whatever the load's size, SKF_AD_ALU_XOR_X computes A ^= X, and the netlink
// attribute searches (SKF_AD_NLATTR, SKF_AD_NLATTR_NEST) walk the packet as the kernel does.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/program_builders.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

uint32_t load(uint32_t extension, const SkbContext& context, uint16_t size = op::kW) {
    const CheckedProgram program({ld_ancillary(extension, size), ret_a()});
    return run(program, {}, context).verdict;
}

TEST(InterpreterAncillary, ProtocolIsTheEthertypeValue) {
    SkbContext context;
    context.protocol = 0x86dd;
    EXPECT_EQ(load(ancillary::kProtocol, context), 0x86ddu);
}

TEST(InterpreterAncillary, SizeOfTheLoadIsIgnored) {
    SkbContext context;
    context.protocol = 0x0800;
    context.mark = 0x12345678;
    EXPECT_EQ(load(ancillary::kProtocol, context, op::kB), 0x0800u);
    EXPECT_EQ(load(ancillary::kProtocol, context, op::kH), 0x0800u);
    EXPECT_EQ(load(ancillary::kMark, context, op::kB), 0x12345678u);
}

TEST(InterpreterAncillary, EachFieldOfTheContext) {
    SkbContext context;
    context.pkt_type = 3;
    context.ifindex = 42;
    context.mark = 0xdeadbeef;
    context.queue = 5;
    context.hatype = 772;
    context.rxhash = 0x9e3779b9;
    context.cpu = 11;
    context.vlan_tci = 0x2064;
    context.vlan_tpid = 0x88a8;
    context.random = 0x01020304;
    context.payload_offset = 54;
    EXPECT_EQ(load(ancillary::kPktType, context), 3u);
    EXPECT_EQ(load(ancillary::kIfIndex, context), 42u);
    EXPECT_EQ(load(ancillary::kMark, context), 0xdeadbeefu);
    EXPECT_EQ(load(ancillary::kQueue, context), 5u);
    EXPECT_EQ(load(ancillary::kHaType, context), 772u);
    EXPECT_EQ(load(ancillary::kRxHash, context), 0x9e3779b9u);
    EXPECT_EQ(load(ancillary::kCpu, context), 11u);
    EXPECT_EQ(load(ancillary::kVlanTag, context), 0x2064u);
    EXPECT_EQ(load(ancillary::kVlanTpid, context), 0x88a8u);
    EXPECT_EQ(load(ancillary::kRandom, context), 0x01020304u);
    EXPECT_EQ(load(ancillary::kPayOffset, context), 54u);
}

TEST(InterpreterAncillary, VlanTagPresentIsOneOrZero) {
    SkbContext context;
    EXPECT_EQ(load(ancillary::kVlanTagPresent, context), 0u);
    context.vlan_present = true;
    EXPECT_EQ(load(ancillary::kVlanTagPresent, context), 1u);
}

TEST(InterpreterAncillary, AncillaryLoadsNeedNoPacketBytes) {
    SkbContext context;
    context.ifindex = 3;
    EXPECT_EQ(
        run(CheckedProgram({ld_ancillary(ancillary::kIfIndex), ret_a()}), {}, context).verdict, 3u);
}

TEST(InterpreterAncillary, AluXorXComputesAXorX) {
    const CheckedProgram program(
        {ld_imm(0xff00ff00), ldx_imm(0x0ff00ff0), ld_ancillary(ancillary::kAluXorX), ret_a()});
    EXPECT_EQ(run(program, {}).verdict, 0xf0f0f0f0u);
}

// Appends a netlink attribute (native-endian length and type, payload, padding to 4).
void append_attribute(std::vector<uint8_t>& packet, uint16_t type,
                      const std::vector<uint8_t>& payload) {
    const auto length = static_cast<uint16_t>(4 + payload.size());
    const std::size_t at = packet.size();
    packet.resize(at + 4);
    std::memcpy(&packet[at], &length, 2);
    std::memcpy(&packet[at + 2], &type, 2);
    packet.insert(packet.end(), payload.begin(), payload.end());
    while (packet.size() % 4 != 0) packet.push_back(0);
}

uint32_t find(uint32_t extension, const std::vector<uint8_t>& packet, uint32_t start,
              uint32_t type) {
    const CheckedProgram program({ld_imm(start), ldx_imm(type), ld_ancillary(extension), ret_a()});
    return run(program, packet).verdict;
}

// Four bytes of other header, then attributes of type 1 (at 4) and 7 (at 12).
std::vector<uint8_t> two_attributes() {
    std::vector<uint8_t> packet = {0xaa, 0xbb, 0xcc, 0xdd};
    append_attribute(packet, 1, {9});
    append_attribute(packet, 7, {1, 2, 3, 4});
    return packet;
}

TEST(InterpreterAncillary, NlAttrGivesTheOffsetOfTheAttributeOfTypeX) {
    EXPECT_EQ(find(ancillary::kNlAttr, two_attributes(), 4, 1), 4u);
    EXPECT_EQ(find(ancillary::kNlAttr, two_attributes(), 4, 7), 12u);
}

TEST(InterpreterAncillary, NlAttrGivesZeroWhenNoAttributeHasTypeX) {
    EXPECT_EQ(find(ancillary::kNlAttr, two_attributes(), 4, 2), 0u);
}

TEST(InterpreterAncillary, NlAttrIgnoresTheNestedAndByteOrderFlags) {
    std::vector<uint8_t> packet;
    append_attribute(packet, 0x8000 | 0x4000 | 5, {});
    EXPECT_EQ(find(ancillary::kNlAttr, packet, 0, 5), 0u);  // found at offset 0
    std::vector<uint8_t> shifted = {0, 0, 0, 0};
    append_attribute(shifted, 0x8000 | 5, {});
    EXPECT_EQ(find(ancillary::kNlAttr, shifted, 4, 5), 4u);
}

TEST(InterpreterAncillary, NlAttrStopsAtAnAttributeLongerThanTheRest) {
    std::vector<uint8_t> packet = two_attributes();
    const uint16_t too_long = 200;
    std::memcpy(&packet[4], &too_long, 2);
    EXPECT_EQ(find(ancillary::kNlAttr, packet, 4, 7), 0u);
}

TEST(InterpreterAncillary, NlAttrStartingPastTheLastHeaderGivesZero) {
    EXPECT_EQ(find(ancillary::kNlAttr, two_attributes(), 17, 7), 0u);
    EXPECT_EQ(find(ancillary::kNlAttr, {1, 2, 3}, 0, 0), 0u);
}

TEST(InterpreterAncillary, NlAttrNestSearchesInsideTheAttributeAtA) {
    std::vector<uint8_t> inner;
    append_attribute(inner, 3, {1});
    append_attribute(inner, 9, {2, 2});
    std::vector<uint8_t> packet = {0, 0, 0, 0};
    append_attribute(packet, 2, inner);
    // outer header at 4, inner attributes at 8 and 16.
    EXPECT_EQ(find(ancillary::kNlAttrNest, packet, 4, 9), 16u);
    EXPECT_EQ(find(ancillary::kNlAttrNest, packet, 4, 3), 8u);
    EXPECT_EQ(find(ancillary::kNlAttrNest, packet, 4, 2), 0u);
}

TEST(InterpreterAncillary, NlAttrNestOfAnAttributeLongerThanThePacketGivesZero) {
    std::vector<uint8_t> packet = {0, 0, 0, 0};
    append_attribute(packet, 2, {});
    append_attribute(packet, 9, {});
    const uint16_t too_long = 100;
    std::memcpy(&packet[4], &too_long, 2);
    EXPECT_EQ(find(ancillary::kNlAttrNest, packet, 4, 9), 0u);
}

}  // namespace
}  // namespace bpfgen
