// interpreter_test.cpp: the interpreter's kernel semantics, one behaviour per test, grouped
// by instruction class: loads (including past the end of the packet), ALU, jumps, scratch
// memory, returns, ancillary data and packet lengths.
#include "libbpfgen/interpreter.h"

#include <gtest/gtest.h>

#include <vector>

#include "libbpfgen/assembler.h"

namespace bpfgen {
namespace {

uint32_t verdict(const char* text, const std::vector<uint8_t>& packet, const SkbContext& c = {},
                 std::size_t wire_length = 0) {
    return run(CheckedProgram(assemble(text)), packet, c, wire_length).verdict;
}

const std::vector<uint8_t> kPacket = {0x45, 0x00, 0x00, 0x1c, 0xde, 0xad, 0xbe, 0xef,
                                      0x40, 0x11, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01};

TEST(InterpreterLoad, AbsoluteWordHalfAndByteAreBigEndian) {
    EXPECT_EQ(verdict("ld [4]\nret a\n", kPacket), 0xdeadbeefu);
    EXPECT_EQ(verdict("ldh [4]\nret a\n", kPacket), 0xdeadu);
    EXPECT_EQ(verdict("ldb [7]\nret a\n", kPacket), 0xefu);
}

TEST(InterpreterLoad, LoadEndingExactlyAtThePacketEndSucceeds) {
    EXPECT_EQ(verdict("ld [12]\nret a\n", kPacket), 0x0a000001u);
    EXPECT_EQ(verdict("ldb [15]\nret a\n", kPacket), 1u);
}

TEST(InterpreterLoad, LoadPastTheEndReturnsZero) {
    EXPECT_EQ(verdict("ld [13]\nret #7\n", kPacket), 0u);
    EXPECT_EQ(verdict("ldh [15]\nret #7\n", kPacket), 0u);
    EXPECT_EQ(verdict("ldb [16]\nret #7\n", kPacket), 0u);
    EXPECT_EQ(verdict("ldb [0]\nret #7\n", {}), 0u);
}

TEST(InterpreterLoad, IndirectLoadAddsX) {
    EXPECT_EQ(verdict("ldx #2\nld [x + 2]\nret a\n", kPacket), 0xdeadbeefu);
    EXPECT_EQ(verdict("ldx #10\nldh [x + 5]\nret #7\n", kPacket), 0u);
}

TEST(InterpreterLoad, IndirectOffsetWrapsAt32BitsLikeTheKernel) {
    // The kernel hands X + k to its load helper as a 32-bit int: 0xffffffff + 2 is offset 1.
    EXPECT_EQ(verdict("ldx #0xffffffff\nldb [x + 2]\nret a\n", kPacket), 0x00u);
    EXPECT_EQ(verdict("ldx #0xfffffffc\nldh [x + 8]\nret a\n", kPacket), 0xdeadu);
}

TEST(InterpreterLoad, NegativeNetworkOffsetsEndTheProgram) {
    // SKF_NET_OFF + 0: the kernel would read the network header; we have no skb.
    const Program program{{op::kLd | op::kB | op::kAbs, 0, 0, 0xfff00000},
                          {op::kRet | op::kK, 0, 0, 7}};
    EXPECT_EQ(run(CheckedProgram(program), kPacket).verdict, 0u);
}

TEST(InterpreterLoad, IpHeaderLengthIntoX) {
    EXPECT_EQ(verdict("ldxb 4*([0]&0xf)\ntxa\nret a\n", kPacket), 20u);
    EXPECT_EQ(verdict("ldx 4*([16]&0xf)\nret #7\n", kPacket), 0u);
}

TEST(InterpreterLoad, ImmediatesAndLengths) {
    EXPECT_EQ(verdict("ld #0x12345678\nret a\n", kPacket), 0x12345678u);
    EXPECT_EQ(verdict("ld #len\nret a\n", kPacket), 16u);
    EXPECT_EQ(verdict("ldx #len\ntxa\nret a\n", kPacket), 16u);
}

TEST(InterpreterLoad, LenIsTheWireLengthWhenGiven) {
    EXPECT_EQ(verdict("ld #len\nret a\n", kPacket, {}, 1500), 1500u);
    // Bounds still come from the captured bytes.
    EXPECT_EQ(verdict("ldb [100]\nret #7\n", kPacket, {}, 1500), 0u);
}

TEST(InterpreterAlu, ArithmeticIs32BitUnsigned) {
    EXPECT_EQ(verdict("ld #0xffffffff\nadd #2\nret a\n", {}), 1u);
    EXPECT_EQ(verdict("ld #1\nsub #2\nret a\n", {}), 0xffffffffu);
    EXPECT_EQ(verdict("ld #0x10000\nmul #0x10000\nret a\n", {}), 0u);
    EXPECT_EQ(verdict("ld #7\ndiv #2\nret a\n", {}), 3u);
    EXPECT_EQ(verdict("ld #7\nmod #4\nret a\n", {}), 3u);
    EXPECT_EQ(verdict("ld #1\nneg\nret a\n", {}), 0xffffffffu);
}

TEST(InterpreterAlu, BitwiseAndShifts) {
    EXPECT_EQ(verdict("ld #0xf0f0\nand #0xff00\nret a\n", {}), 0xf000u);
    EXPECT_EQ(verdict("ld #0xf0\nor #0x0f\nret a\n", {}), 0xffu);
    EXPECT_EQ(verdict("ld #0xff\nxor #0x0f\nret a\n", {}), 0xf0u);
    EXPECT_EQ(verdict("ld #1\nlsh #31\nret a\n", {}), 0x80000000u);
    EXPECT_EQ(verdict("ld #0x80000000\nrsh #31\nret a\n", {}), 1u);
}

TEST(InterpreterAlu, OperandX) {
    EXPECT_EQ(verdict("ldx #3\nld #10\nadd x\nsub x\nmul x\nret a\n", {}), 30u);
    EXPECT_EQ(verdict("ldx #3\nld #10\ndiv x\nret a\n", {}), 3u);
    EXPECT_EQ(verdict("ldx #3\nld #10\nmod x\nret a\n", {}), 1u);
    EXPECT_EQ(verdict("ldx #6\nld #3\nand x\nor x\nxor x\nret a\n", {}), 0u);
}

TEST(InterpreterAlu, DivisionOrModuloByZeroXReturnsZero) {
    EXPECT_EQ(verdict("ldx #0\nld #10\ndiv x\nret #7\n", {}), 0u);
    EXPECT_EQ(verdict("ldx #0\nld #10\nmod x\nret #7\n", {}), 0u);
}

TEST(InterpreterAlu, ShiftByXMasksTheCountLikeEbpf) {
    // The kernel runs classic BPF as eBPF, whose 32-bit shifts use the count modulo 32
    // (libpcap's bpf_filter gives 0 instead: a documented difference).
    EXPECT_EQ(verdict("ldx #33\nld #1\nlsh x\nret a\n", {}), 2u);
    EXPECT_EQ(verdict("ldx #36\nld #0x100\nrsh x\nret a\n", {}), 0x10u);
}

TEST(InterpreterJump, ConditionalJumpsCompareUnsigned) {
    EXPECT_EQ(verdict("ld #0xffffffff\njgt #1, big, small\nbig: ret #1\nsmall: ret #2\n", {}), 1u);
    EXPECT_EQ(verdict("ld #5\njge #5, yes, no\nyes: ret #1\nno: ret #2\n", {}), 1u);
    EXPECT_EQ(verdict("ld #5\njeq #6, yes, no\nyes: ret #1\nno: ret #2\n", {}), 2u);
    EXPECT_EQ(verdict("ld #5\njset #4, yes, no\nyes: ret #1\nno: ret #2\n", {}), 1u);
    EXPECT_EQ(verdict("ld #5\njset #2, yes, no\nyes: ret #1\nno: ret #2\n", {}), 2u);
}

TEST(InterpreterJump, JumpsAgainstX) {
    EXPECT_EQ(verdict("ldx #5\nld #5\njeq x, yes, no\nyes: ret #1\nno: ret #2\n", {}), 1u);
    EXPECT_EQ(verdict("ldx #6\nld #5\njgt x, yes, no\nyes: ret #1\nno: ret #2\n", {}), 2u);
    EXPECT_EQ(verdict("ldx #5\nld #5\njge x, yes, no\nyes: ret #1\nno: ret #2\n", {}), 1u);
    EXPECT_EQ(verdict("ldx #1\nld #5\njset x, yes, no\nyes: ret #1\nno: ret #2\n", {}), 1u);
}

TEST(InterpreterJump, OneLabelFormsFallThrough) {
    EXPECT_EQ(verdict("ld #1\njneq #1, out\nret #1\nout: ret #2\n", {}), 1u);
    EXPECT_EQ(verdict("ld #1\njlt #2, out\nret #1\nout: ret #2\n", {}), 2u);
    EXPECT_EQ(verdict("ld #1\njle #0, out\nret #1\nout: ret #2\n", {}), 1u);
}

TEST(InterpreterJump, UnconditionalJump) {
    EXPECT_EQ(verdict("ja over\nret #1\nover: ret #2\n", {}), 2u);
}

TEST(InterpreterScratch, StoresAndLoadsEverySlot) {
    std::string text;
    for (int i = 0; i < 16; ++i)
        text += "ld #" + std::to_string(i * 3) + "\nst M[" + std::to_string(i) + "]\n";
    text += "ld M[15]\nldx M[7]\nadd x\nret a\n";
    EXPECT_EQ(verdict(text.c_str(), {}), 45u + 21u);
    EXPECT_EQ(verdict("ldx #9\nstx M[3]\nld M[3]\nret a\n", {}), 9u);
}

TEST(InterpreterReturn, ReturnsConstantOrA) {
    EXPECT_EQ(verdict("ret #65535\n", {}), 65535u);
    EXPECT_EQ(verdict("ld #42\nret a\n", {}), 42u);
    EXPECT_EQ(verdict("ld #42\ntax\nld #0\ntxa\nret a\n", {}), 42u);
}

TEST(InterpreterAncillary, ValuesComeFromTheContext) {
    SkbContext c;
    c.protocol = 0x86dd;
    c.pkt_type = 3;
    c.ifindex = 7;
    c.mark = 0xabc;
    c.queue = 2;
    c.hatype = 1;
    c.rxhash = 0x1234;
    c.cpu = 1;
    c.vlan_tci = 0x0064;
    c.vlan_present = true;
    c.vlan_tpid = 0x8100;
    c.random = 99;
    c.payload_offset = 54;
    EXPECT_EQ(verdict("ld #proto\nret a\n", {}, c), 0x86ddu);
    EXPECT_EQ(verdict("ldh #proto\nret a\n", {}, c), 0x86ddu);
    EXPECT_EQ(verdict("ld #type\nret a\n", {}, c), 3u);
    EXPECT_EQ(verdict("ld #ifidx\nret a\n", {}, c), 7u);
    EXPECT_EQ(verdict("ld #mark\nret a\n", {}, c), 0xabcu);
    EXPECT_EQ(verdict("ld #queue\nret a\n", {}, c), 2u);
    EXPECT_EQ(verdict("ld #hatype\nret a\n", {}, c), 1u);
    EXPECT_EQ(verdict("ld #rxhash\nret a\n", {}, c), 0x1234u);
    EXPECT_EQ(verdict("ld #cpu\nret a\n", {}, c), 1u);
    EXPECT_EQ(verdict("ld #vlan_tci\nret a\n", {}, c), 0x64u);
    EXPECT_EQ(verdict("ld #vlan_avail\nret a\n", {}, c), 1u);
    EXPECT_EQ(verdict("ld #vlan_tpid\nret a\n", {}, c), 0x8100u);
    EXPECT_EQ(verdict("ld #rand\nret a\n", {}, c), 99u);
    EXPECT_EQ(verdict("ld #poff\nret a\n", {}, c), 54u);
}

TEST(InterpreterAncillary, XorXLoadCombinesAAndX) {
    const Program program{{op::kLd | op::kImm, 0, 0, 0xff},
                          {op::kLdx | op::kImm, 0, 0, 0x0f},
                          {op::kLd | op::kW | op::kAbs, 0, 0, 0xfffff000 + 40},
                          {op::kRet | op::kRetA, 0, 0, 0}};
    EXPECT_EQ(run(CheckedProgram(program), {}).verdict, 0xf0u);
}

TEST(InterpreterAncillary, NetlinkAttributeSearch) {
    // Two attributes (host order): {len 8, type 1} then {len 6, type 5} (padded to 8).
    const std::vector<uint8_t> attributes = {8, 0, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd,
                                             6, 0, 5, 0, 0x11, 0x22, 0,    0};
    EXPECT_EQ(verdict("ld #0\nldx #5\nld #nla\nret a\n", attributes), 8u);
    EXPECT_EQ(verdict("ld #0\nldx #1\nld #nla\nret a\n", attributes), 0u);  // found at 0
    EXPECT_EQ(verdict("ld #0\nldx #9\nld #nla\nret a\n", attributes), 0u);  // absent
    // Nested: attribute at 0 of length 16 holding {len 4, type 2} then {len 8, type 3}.
    const std::vector<uint8_t> nested = {16, 0, 0x01, 0x80, 4, 0, 2, 0, 8, 0, 3, 0, 1, 2, 3, 4};
    EXPECT_EQ(verdict("ld #0\nldx #3\nld #nlan\nret a\n", nested), 8u);
}

TEST(InterpreterCount, CountsInstructionsExecuted) {
    const CheckedProgram program(
        assemble("ld #1\njeq #1, yes, no\nyes: ret #1\nno: ld #2\nret a\n"));
    EXPECT_EQ(run(program, {}).instructions, 3u);
}

TEST(InterpreterChecked, RefusesAProgramTheKernelWouldRefuse) {
    EXPECT_THROW(CheckedProgram(assemble("ld #1\n")), CheckError);
}

}  // namespace
}  // namespace bpfgen
