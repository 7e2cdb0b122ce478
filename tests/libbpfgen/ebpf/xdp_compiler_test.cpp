// xdp_compiler_test.cpp: what the compiler makes of single classic BPF instructions (golden
// disassembly), what it refuses, and how the kernel runs the cases cbpfc got wrong: bounds
// after X changes, offsets beyond 0xffff, division by X == 0.
#include "libbpfgen/ebpf/xdp_compiler.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/ebpf/disassembler.h"
#include "libbpfgen/ebpf/loader.h"
#include "tests/common/capture_files.h"
#include "tests/common/crafted_packets.h"

namespace bpfgen::ebpf {
namespace {

using bpftools::test::Bytes;
using bpftools::test::expect_error;

XdpRule rule_of(const std::string& assembly, RuleLayer layer = RuleLayer::LinkLayer) {
    return XdpRule{assembly, CheckedProgram(assemble(assembly), Engine::Interpreter), layer,
                   RuleAction::Drop};
}

// The instructions of rule 0 alone, between its label and the next rule's.
std::string rule_body(const std::string& assembly) {
    const std::string text = disassemble(compile_xdp({rule_of(assembly)}).programs.at(0));
    const std::size_t start = text.find("rule 0:");
    const std::size_t end = text.find("r0.next:");
    return text.substr(start, end - start);
}

TEST(XdpCompilerTest, ALinkLayerHalfWordLoadIsBoundsCheckedThenSwapped) {
    EXPECT_EQ(rule_body("ldh [12]\nret a\n"),
              "rule 0:\n"
              "    r1 = *(u64 *)(r10 -8)\n"
              "    r8 = *(u32 *)(r1 +0)\n"
              "    r9 = *(u32 *)(r1 +4)\n"
              "    r5 = *(u64 *)(r10 -32)\n"
              "    w6 = 0x0\n"
              "    w7 = 0x0\n"
              "r0.0:\n"
              "    r2 = r8\n"
              "    r2 += 0xe\n"
              "    if r2 > r9 goto r0.next\n"
              "    r6 = *(u16 *)(r8 +12)\n"
              "    w6 = be16 w6\n"
              "r0.1:\n"
              "    if w6 != 0x0 goto r0.match\n"
              "    goto r0.next\n"
              "r0.match:\n"
              "    w1 = 0x0\n"
              "    *(u32 *)(r10 -40) = r1\n"
              "    r1 = map[counters]\n"
              "    r2 = r10\n"
              "    r2 += 0xffffffd8\n"
              "    call 1\n"
              "    if r0 == 0x0 goto r0.drop\n"
              "    r1 = *(u64 *)(r0 +0)\n"
              "    r1 += 0x1\n"
              "    *(u64 *)(r0 +0) = r1\n"
              "    r1 = *(u64 *)(r10 -32)\n"
              "    r2 = *(u64 *)(r0 +8)\n"
              "    r2 += r1\n"
              "    *(u64 *)(r0 +8) = r2\n"
              "r0.drop:\n"
              "    r0 = 0x1\n"
              "    exit\n");
}

TEST(XdpCompilerTest, UnreachableInstructionsAreLeftOut) {
    // The verifier refuses unreachable code; `ret #1` after `ja` never runs.
    const std::string body = rule_body("ja skip\nret #1\nskip: ret #0\n");
    EXPECT_EQ(body.find("r0.1:"), std::string::npos) << body;
    EXPECT_EQ(body.find("r0.match"), std::string::npos) << body;
}

TEST(XdpCompilerTest, AncillaryLoadsAreRefusedByName) {
    expect_error(
        [] { compile_xdp({rule_of("ld #proto\nret a\n")}); },
        {"rule 'ld #proto", "instruction 0", "ancillary load #proto", "no meaning in XDP"});
    expect_error([] { compile_xdp({rule_of("ld vlan_tci\nret a\n")}); }, {"#vlan_tci"});
}

TEST(XdpCompilerTest, HeaderRelativeLoadsAreRefused) {
    expect_error([] { compile_xdp({rule_of("ldb [-1048576]\nret a\n")}); },
                 {"load relative to the network header"});
    expect_error([] { compile_xdp({rule_of("ldb [-2097152]\nret a\n")}); },
                 {"load relative to the link-layer header"});
}

class XdpKernelTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string reason;
        if (!bpf_available(reason)) GTEST_SKIP() << "bpf() is not permitted here: " << reason;
    }
    static int action(const std::string& assembly, const Bytes& frame,
                      RuleLayer layer = RuleLayer::LinkLayer) {
        const XdpRule rule = rule_of(assembly, layer);
        const LoadedXdp loaded = load_xdp(compile_xdp({rule}), {rule.name});
        return test_run(loaded.program, frame);
    }
};

Bytes frame_of(std::size_t size) {
    Bytes frame(size);
    for (std::size_t i = 0; i < size; ++i) frame[i] = static_cast<uint8_t>(i);
    return frame;
}

TEST_F(XdpKernelTest, DivisionByXZeroEndsWithVerdictZero) {
    EXPECT_EQ(action("ld #10\nldx #0\ndiv x\nret #1\n", frame_of(60)), kXdpPass);
    EXPECT_EQ(action("ld #10\nldx #0\nmod x\nret #1\n", frame_of(60)), kXdpPass);
    EXPECT_EQ(action("ld #10\nldx #2\ndiv x\nret a\n", frame_of(60)), kXdpDrop);
}

TEST_F(XdpKernelTest, IndirectLoadsAreCheckedAgainWhenXChanges) {
    // The first load at x + 0 is in range; after X grows, the same k is not.
    const std::string program = "ldx #10\nld [x + 0]\nldx #58\nld [x + 0]\nret #1\n";
    EXPECT_EQ(action(program, frame_of(62)), kXdpDrop);
    EXPECT_EQ(action(program, frame_of(61)), kXdpPass);
}

TEST_F(XdpKernelTest, OffsetsBeyond0xffffNeverMatch) {
    EXPECT_EQ(action("ldb [65536]\nret #1\n", frame_of(100)), kXdpPass);
    EXPECT_EQ(action("ldx #65535\nldb [x + 1]\nret #1\n", frame_of(100)), kXdpPass);
    // X + k wraps around 2^32 as the kernel's does: X == 0xffffffff, k == 1 is byte 0.
    EXPECT_EQ(action("ldx #4294967295\nldb [x + 1]\nret a\n", frame_of(100)), kXdpPass);
    EXPECT_EQ(action("ldx #4294967295\nldb [x + 2]\nret a\n", frame_of(100)), kXdpDrop);
    EXPECT_EQ(action("ldx #4294967295\nldb [x + 0]\nret #1\n", frame_of(100)), kXdpPass);
    EXPECT_EQ(action("ldx #40000\nldb [x + 0]\nret #1\n", frame_of(100)), kXdpPass);
}

TEST_F(XdpKernelTest, NetworkRulesSeeTheIpPacketCutToItsStatedLength) {
    const Bytes ip = bpftools::test::ipv4(17, {192, 0, 2, 1}, bpftools::test::udp(1, 53, {1, 2}));
    Bytes frame = bpftools::test::framed(ip, false)[1];
    frame.resize(60, 0);  // Ethernet padding: not part of the IP packet
    const std::string len_is = "ld #len\njeq #" + std::to_string(ip.size()) +
                               ", yes\nret #0\n"
                               "yes: ret #1\n";
    EXPECT_EQ(action(len_is, frame, RuleLayer::Network), kXdpDrop);
    EXPECT_EQ(
        action("ldb [" + std::to_string(ip.size()) + "]\nret #1\n", frame, RuleLayer::Network),
        kXdpPass);
}

TEST_F(XdpKernelTest, NetworkRulesNeedTheIpVersionOfTheEthertype) {
    Bytes frame = bpftools::test::framed(
        bpftools::test::ipv6(17, bpftools::test::udp(1, 53, {1, 2})), true)[1];
    EXPECT_EQ(action("ret #1\n", frame, RuleLayer::Network), kXdpDrop);
    frame[12] = 0x08;  // IPv4's ethertype before an IPv6 header
    frame[13] = 0x00;
    EXPECT_EQ(action("ret #1\n", frame, RuleLayer::Network), kXdpPass);
}

TEST_F(XdpKernelTest, NetworkRulesSeeIpBehindAtMostTwoVlanTags) {
    using namespace bpftools::test;
    const Bytes ip = ipv4(17, {192, 0, 2, 1}, udp(1, 53, {1, 2}));
    const auto tagged = [&](int tags) {
        Bytes frame = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
        const Bytes tpids[] = {{0x88, 0xa8}, {0x81, 0x00}, {0x91, 0x00}, {0x81, 0x00}};
        for (int tag = 0; tag < tags; ++tag) {
            frame = concat({frame, tpids[tag], {0x00, static_cast<uint8_t>(10 + tag)}});
        }
        return concat({frame, {0x08, 0x00}, ip});
    };
    // A network rule matching every IP packet: it sees the packet behind 0, 1 and 2 tags.
    for (int tags = 0; tags <= 2; ++tags) {
        EXPECT_EQ(action("ret #1\n", tagged(tags), RuleLayer::Network), kXdpDrop) << tags;
    }
    // Behind 3 or 4 no network rule sees an IP packet: the frame passes (counted as passed),
    // where filter --l3 and a host with that many stacked VLAN devices would see the packet.
    for (int tags = 3; tags <= 4; ++tags) {
        EXPECT_EQ(action("ret #1\n", tagged(tags), RuleLayer::Network), kXdpPass) << tags;
    }
    // A link-layer rule sees the frame as it is, whatever its tags.
    const std::string fourth_ethertype_is_ipv4 = "ldh [24]\njeq #0x800, yes\nret #0\nyes: ret #1\n";
    EXPECT_EQ(action(fourth_ethertype_is_ipv4, tagged(3)), kXdpDrop);
}

TEST_F(XdpKernelTest, DestinationPrefixesAndPortComeBeforeTheProgram) {
    using namespace bpftools::test;
    // IPv4 packets go to 10.1.2.3, IPv6 ones to 2001::2.
    const Bytes v4_53 = framed(ipv4(17, {192, 0, 2, 1}, udp(1, 53, {1})), false)[1];
    const Bytes v4_54 = framed(ipv4(17, {192, 0, 2, 1}, udp(1, 54, {1})), false)[1];
    const Bytes v4_tcp_53 = framed(ipv4(6, {192, 0, 2, 1}, tcp_syn(1, 53)), false)[1];
    const Bytes v4_icmp = framed(ipv4(1, {192, 0, 2, 1}, icmp_echo()), false)[1];
    const Bytes v6_53 = framed(ipv6(17, udp(1, 53, {1})), true)[1];
    const auto verdicts = [&](std::vector<DestinationPrefix> destinations,
                              std::optional<uint16_t> port) {
        XdpRule rule = rule_of("ret #1\n", RuleLayer::Network);
        rule.destinations = std::move(destinations);
        rule.destination_port = port;
        const LoadedXdp loaded = load_xdp(compile_xdp({rule}), {rule.name});
        std::string out;
        for (const Bytes* frame : {&v4_53, &v4_54, &v4_tcp_53, &v4_icmp, &v6_53}) {
            out += test_run(loaded.program, *frame) == kXdpDrop ? 'D' : 'p';
        }
        return out;
    };
    const DestinationPrefix ten_one{{10, 1, 0, 0}, 16}, ten_two{{10, 2, 0, 0}, 16};
    const DestinationPrefix v6_net{{0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16};
    const DestinationPrefix v6_host{{0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, 128};
    EXPECT_EQ(verdicts({}, 53), "DpDpD");
    EXPECT_EQ(verdicts({ten_one}, std::nullopt), "DDDDp");
    EXPECT_EQ(verdicts({ten_two}, std::nullopt), "ppppp");
    EXPECT_EQ(verdicts({ten_two, ten_one, v6_host}, 53), "DpDpp");
    EXPECT_EQ(verdicts({v6_net}, 53), "ppppD");
    EXPECT_EQ(verdicts({v6_host}, std::nullopt), "ppppp");
}

TEST_F(XdpKernelTest, TestRunRefusesFramesShorterThanEthernet) {
    expect_error([] { action("ret #1\n", frame_of(13)); }, {"13-byte frame", "14 bytes"});
}

}  // namespace
}  // namespace bpfgen::ebpf
