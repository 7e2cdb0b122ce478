// interpreter_load_test.cpp: packet loads with the kernel's semantics: big-endian words
// and halves, loads that leave the packet end the program with verdict 0, `ld [x + k]`
// offsets wrapping at 32 bits, `ldx 4*([k]&0xf)`, `ld #len` as the wire length, and
// negative header-relative offsets (SKF_NET_OFF, SKF_LL_OFF).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/program_builders.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

RunResult run_on(Program program, const std::vector<uint8_t>& packet,
                 const SkbContext& context = {}, std::size_t wire_length = 0) {
    return run(CheckedProgram(std::move(program)), packet, context, wire_length);
}

uint32_t verdict(Program program, const std::vector<uint8_t>& packet,
                 const SkbContext& context = {}, std::size_t wire_length = 0) {
    return run_on(std::move(program), packet, context, wire_length).verdict;
}

const std::vector<uint8_t> kFive = {0x12, 0x34, 0x56, 0x78, 0x9a};

TEST(InterpreterLoad, WordIsBigEndian) {
    EXPECT_EQ(verdict({ld_w(1), ret_a()}, kFive), 0x3456789au);
}

TEST(InterpreterLoad, HalfIsBigEndian) {
    EXPECT_EQ(verdict({ld_h(3), ret_a()}, kFive), 0x789au);
}

TEST(InterpreterLoad, Byte) {
    EXPECT_EQ(verdict({ld_b(4), ret_a()}, kFive), 0x9au);
}

TEST(InterpreterLoad, LoadEndingAtThePacketEndSucceeds) {
    EXPECT_EQ(verdict({ld_w(1), ret_k(7)}, kFive), 7u);
}

TEST(InterpreterLoad, LoadPastTheEndStopsTheProgramWithVerdictZero) {
    const RunResult result = run_on({ld_w(2), ret_k(7)}, kFive);
    EXPECT_EQ(result.verdict, 0u);
    EXPECT_EQ(result.instructions, 1u);  // the ret never runs
    EXPECT_EQ(verdict({ld_h(4), ret_k(7)}, kFive), 0u);
    EXPECT_EQ(verdict({ld_b(5), ret_k(7)}, kFive), 0u);
}

TEST(InterpreterLoad, EveryLoadOfAnEmptyPacketFails) {
    EXPECT_EQ(verdict({ld_b(0), ret_k(7)}, {}), 0u);
    EXPECT_EQ(verdict({ld_ind_b(0), ret_k(7)}, {}), 0u);
    EXPECT_EQ(verdict({ldx_msh(0), ret_k(7)}, {}), 0u);
}

TEST(InterpreterLoad, HugeOffsetsDoNotWrapAround) {
    EXPECT_EQ(verdict({ld_w(0x7ffffffe), ret_k(7)}, kFive), 0u);
    EXPECT_EQ(verdict({ld_b(0x7fffffff), ret_k(7)}, kFive), 0u);
}

TEST(InterpreterLoad, LoadsReadTheCapturedBytesNotTheWireLength) {
    const std::vector<uint8_t> captured(60, 0xab);
    EXPECT_EQ(verdict({ld_b(59), ret_a()}, captured, {}, 1500), 0xabu);
    EXPECT_EQ(verdict({ld_b(60), ret_k(7)}, captured, {}, 1500), 0u);
}

TEST(InterpreterLoad, IndexedLoadAddsX) {
    EXPECT_EQ(verdict({ldx_imm(2), ld_ind_h(1), ret_a()}, kFive), 0x789au);
    EXPECT_EQ(verdict({ldx_imm(1), ld_ind_w(0), ret_a()}, kFive), 0x3456789au);
    EXPECT_EQ(verdict({ldx_imm(4), ld_ind_b(0), ret_a()}, kFive), 0x9au);
}

TEST(InterpreterLoad, IndexedLoadPastTheEndGivesVerdictZero) {
    EXPECT_EQ(verdict({ldx_imm(3), ld_ind_h(1), ret_k(7)}, kFive), 0u);
    EXPECT_EQ(verdict({ldx_imm(0x7fffffff), ld_ind_b(0x7fffffff), ret_k(7)}, kFive), 0u);
}

TEST(InterpreterLoad, IndexedOffsetWrapsAroundAt32Bits) {
    // The kernel adds in 64 bits and passes the sum as a 32-bit int: 0xffffffff + 1 is 0.
    EXPECT_EQ(verdict({ldx_imm(0xffffffff), ld_ind_b(1), ret_a()}, kFive), 0x12u);
    EXPECT_EQ(verdict({ldx_imm(0xfffffffe), ld_ind_h(4), ret_a()}, kFive), 0x5678u);
}

TEST(InterpreterLoad, IndexedNegativeOffsetWithoutHeadersGivesVerdictZero) {
    EXPECT_EQ(verdict({ldx_imm(0xffffffff), ld_ind_b(0), ret_k(7)}, kFive), 0u);
}

TEST(InterpreterLoad, MshLoadsFourTimesTheLowNibbleIntoX) {
    const std::vector<uint8_t> ip = {0x00, 0x46};
    EXPECT_EQ(verdict({ld_imm(9), ldx_msh(1), txa(), ret_a()}, ip), 24u);
}

TEST(InterpreterLoad, MshKeepsA) {
    EXPECT_EQ(verdict({ld_imm(9), ldx_msh(0), ret_a()}, {0x45}), 9u);
}

TEST(InterpreterLoad, MshPastTheEndGivesVerdictZero) {
    EXPECT_EQ(verdict({ldx_msh(5), ret_k(7)}, kFive), 0u);
}

TEST(InterpreterLoad, LenIsTheWireLength) {
    const std::vector<uint8_t> captured(60);
    EXPECT_EQ(verdict({ld_len(), ret_a()}, captured, {}, 1500), 1500u);
    EXPECT_EQ(verdict({ldx_len(), txa(), ret_a()}, captured, {}, 1500), 1500u);
}

TEST(InterpreterLoad, LenDefaultsToTheCapturedLength) {
    EXPECT_EQ(verdict({ld_len(), ret_a()}, kFive), 5u);
    EXPECT_EQ(verdict({ldx_len(), txa(), ret_a()}, {}), 0u);
}

TEST(InterpreterLoad, Immediates) {
    EXPECT_EQ(verdict({ld_imm(0xdeadbeef), ret_a()}, {}), 0xdeadbeefu);
    EXPECT_EQ(verdict({ldx_imm(0xcafe), txa(), ret_a()}, {}), 0xcafeu);
}

// An Ethernet frame whose IPv4 header starts at 14: its protocol byte (9) is 17.
std::vector<uint8_t> ethernet_ipv4_udp() {
    std::vector<uint8_t> frame(42);
    frame[12] = 0x08;
    frame[14] = 0x45;
    frame[14 + 9] = 17;
    return frame;
}

TEST(InterpreterLoad, NetworkOffsetReadsFromTheNetworkHeaderOfTheContext) {
    SkbContext context;
    context.network_header = 14;
    EXPECT_EQ(verdict({ld_b(ancillary::kNetOffset + 9), ret_a()}, ethernet_ipv4_udp(), context),
              17u);
    EXPECT_EQ(verdict({ld_w(ancillary::kNetOffset), ret_a()}, ethernet_ipv4_udp(), context),
              0x45000000u);
}

TEST(InterpreterLoad, NetworkOffsetWithoutAKnownHeaderGivesVerdictZero) {
    EXPECT_EQ(verdict({ld_b(ancillary::kNetOffset + 9), ret_k(7)}, ethernet_ipv4_udp()), 0u);
}

TEST(InterpreterLoad, NetworkOffsetPastTheEndGivesVerdictZero) {
    SkbContext context;
    context.network_header = 14;
    EXPECT_EQ(verdict({ld_h(ancillary::kNetOffset + 27), ret_k(7)}, ethernet_ipv4_udp(), context),
              0u);
    // The largest network-relative offset, far past any packet.
    EXPECT_EQ(verdict({ld_b(ancillary::kOffset - 1), ret_k(7)}, ethernet_ipv4_udp(), context), 0u);
}

TEST(InterpreterLoad, LinkLayerOffsetReadsFromTheLinkLayerHeaderOfTheContext) {
    SkbContext context;
    context.link_layer_header = 0;
    EXPECT_EQ(
        verdict({ld_h(ancillary::kLinkLayerOffset + 12), ret_a()}, ethernet_ipv4_udp(), context),
        0x0800u);
    EXPECT_EQ(verdict({ld_h(ancillary::kLinkLayerOffset + 12), ret_k(7)}, ethernet_ipv4_udp()), 0u);
}

TEST(InterpreterLoad, OffsetsBelowTheLinkLayerRangeAreOutOfRange) {
    SkbContext context;
    context.network_header = 0;
    context.link_layer_header = 0;
    EXPECT_EQ(verdict({ld_b(ancillary::kLinkLayerOffset - 1), ret_k(7)}, kFive, context), 0u);
    EXPECT_EQ(verdict({ld_b(0x80000000), ret_k(7)}, kFive, context), 0u);
}

TEST(InterpreterLoad, IndexedAndMshLoadsCanBeHeaderRelative) {
    SkbContext context;
    context.network_header = 14;
    EXPECT_EQ(verdict({ldx_imm(ancillary::kNetOffset), ld_ind_b(9), ret_a()}, ethernet_ipv4_udp(),
                      context),
              17u);
    EXPECT_EQ(
        verdict({ldx_msh(ancillary::kNetOffset), txa(), ret_a()}, ethernet_ipv4_udp(), context),
        20u);
}

TEST(InterpreterLoad, MshAndIndexedLoadsInTheExtensionRangeReadNoAncillaryData) {
    SkbContext context;
    context.protocol = 0x0800;
    EXPECT_EQ(verdict({ldx_msh(ancillary::kOffset), ret_k(7)}, kFive, context), 0u);
    EXPECT_EQ(verdict({ld_ind_w(ancillary::kOffset), ret_k(7)}, kFive, context), 0u);
}

}  // namespace
}  // namespace bpfgen
