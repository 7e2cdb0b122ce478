// tcpdump_test.cpp: the 'tcpdump' generator: the link type each offset compiles for,
// negation and VLAN wrapping, the `-s` text and refusals (parity with the original's
// recorded runs: pcap_parity_test.cpp).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "generators/tcpdump.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {
namespace {

GeneratorOptions with(uint32_t offset, int ip_version = 4, bool negate = false) {
    GeneratorOptions options;
    options.l3_offset = offset;
    options.ip_version = ip_version;
    options.negate = negate;
    return options;
}

GeneratedProgram tcpdump(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    return generate("tcpdump", args, options);
}

// What libpcap compiles the expression into, as the generators emit it.
Program libpcap(const std::string& expression, int link_type) {
    return without_unused_fields(compile_pcap_filter(expression, link_type));
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The message of the UsageError the call is refused with ("" when it is accepted).
std::string refusal(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    try {
        tcpdump(args, options);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

TEST(Tcpdump, OffsetZeroCompilesForRawIpv4) {
    EXPECT_EQ(tcpdump({"udp"}).program, libpcap("udp", linktype::kIpv4));
}

TEST(Tcpdump, OffsetZeroWithIpv6CompilesForRawIpv6) {
    EXPECT_EQ(tcpdump({"tcp"}, with(0, 6)).program, libpcap("tcp", linktype::kIpv6));
}

TEST(Tcpdump, Offset14CompilesForEthernet) {
    EXPECT_EQ(tcpdump({"udp"}, with(14)).program, libpcap("udp", linktype::kEthernet));
}

TEST(Tcpdump, Offset16CompilesForLinuxCookedCaptures) {
    EXPECT_EQ(tcpdump({"udp"}, with(16)).program, libpcap("udp", linktype::kLinuxSll));
}

TEST(Tcpdump, Offset20CompilesForLinuxCookedCapturesV2) {
    // SLL2's protocol type is its first two bytes: libpcap checks it there.
    const GeneratedProgram generated = tcpdump({"udp"}, with(20));
    EXPECT_EQ(generated.program, libpcap("udp", linktype::kLinuxSll2));
    EXPECT_TRUE(contains(generated.assembly, "ldh      [0]")) << generated.assembly;
}

TEST(Tcpdump, Offset18CompilesForEthernetBehindAVlanTag) {
    EXPECT_EQ(tcpdump({"udp"}, with(18)).program, libpcap("vlan and (udp)", linktype::kEthernet));
}

TEST(Tcpdump, IpVersionDoesNotChangeLinkLayerOffsets) {
    EXPECT_EQ(tcpdump({"udp"}, with(14, 6)).program, tcpdump({"udp"}, with(14, 4)).program);
}

TEST(Tcpdump, NegationWrapsTheExpression) {
    EXPECT_EQ(tcpdump({"udp port 53"}, with(0, 4, true)).program,
              libpcap("not (udp port 53)", linktype::kIpv4));
}

TEST(Tcpdump, NegationComesBeforeTheVlanWrapping) {
    const GeneratedProgram generated = tcpdump({"udp"}, with(18, 4, true));
    EXPECT_EQ(generated.program, libpcap("vlan and (not (udp))", linktype::kEthernet));
    EXPECT_TRUE(contains(generated.assembly, "; vlan and (not (udp))\n"));
}

TEST(Tcpdump, ArgumentsAreJoinedWithSpaces) {
    EXPECT_EQ(tcpdump({"udp", "and", "port", "53"}).program, tcpdump({"udp and port 53"}).program);
}

TEST(Tcpdump, FirstDoubleDashOnlyEndsOptions) {
    EXPECT_EQ(tcpdump({"--", "udp"}).program, tcpdump({"udp"}).program);
}

TEST(Tcpdump, AssemblyStartsWithIpVersionAndExpression) {
    const std::string assembly = tcpdump({"udp"}, with(0, 6)).assembly;
    EXPECT_EQ(assembly.substr(0, assembly.find("l000:")), "; ipver=6\n; udp\n\n");
}

TEST(Tcpdump, AssemblyTurnsJumpTargetsIntoLabels) {
    EXPECT_EQ(tcpdump({"icmp"}, with(0, 4, true)).assembly,
              "; ipver=4\n; not (icmp)\n\n"
              "l000:\n    ld       #0x0\n"
              "l001:\n    ldb      [9]\n"
              "l002:\n    jeq      #0x1, l003, l004\n"
              "l003:\n    ret      #0\n"
              "l004:\n    ret      #65536\n");
}

TEST(Tcpdump, AssemblySpellsPacketLengthAsLen) {
    const std::string assembly = tcpdump({"len > 100"}, with(14)).assembly;
    EXPECT_TRUE(contains(assembly, "    ld       #len\n")) << assembly;
    EXPECT_FALSE(contains(assembly, "pktlen"));
}

TEST(Tcpdump, AssemblyNamesTheLabelOfUnconditionalJumps) {
    // Over 255 instructions apart, libpcap reaches its targets with `ja`.
    std::string hosts = "host 10.0.0.0";
    for (int i = 1; i < 300; ++i)
        hosts += " or host 10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250);
    const GeneratedProgram generated = tcpdump({hosts});
    std::size_t jumps = 0;
    for (std::size_t i = 0; i < generated.program.size(); ++i) {
        const Instruction& instruction = generated.program[i];
        if (instruction.code != 0x05) continue;  // ja
        ++jumps;
        const std::string line =
            fmt::format("l{:03d}:\n    ja       l{:03d}\n", i, i + 1 + instruction.k);
        EXPECT_TRUE(contains(generated.assembly, line)) << line;
    }
    EXPECT_GT(jumps, 0u);
}

TEST(Tcpdump, AssemblyCommentStaysOnOneLine) {
    const std::string assembly = tcpdump({"udp\nand port 53"}).assembly;
    EXPECT_TRUE(contains(assembly, "; udp and port 53\n\n")) << assembly;
}

TEST(Tcpdump, CompilesWithNetmaskZeroAsTcpdumpReadingAFile) {
    // `ip broadcast` needs a netmask; the original's tcpdump gave this bytecode for it.
    EXPECT_EQ(format_xt_bpf(tcpdump({"ip broadcast"}, with(14)).program),
              "7,40 0 0 12,21 0 4 2048,32 0 0 30,21 1 0 0,21 0 1 4294967295,6 0 0 65536,6 0 0 0,");
}

TEST(Tcpdump, AssemblyOfSkbLoadsIsBpfAsmSyntax) {
    // libpcap lists them as "ldh [type]"; bpf_asm reads "[type]" as a label.
    for (const char* expression : {"inbound", "ifindex 1"}) {
        const GeneratedProgram generated = tcpdump({expression}, with(14));
        EXPECT_FALSE(contains(generated.assembly, "[type]")) << generated.assembly;
        EXPECT_FALSE(contains(generated.assembly, "[ifidx]")) << generated.assembly;
        EXPECT_EQ(assemble(generated.assembly), generated.program) << generated.assembly;
    }
}

TEST(Tcpdump, RefusesWhatLibpcapCompilesIntoAProgramTheKernelRefuses) {
    // protochain becomes a loop (a backward ja); a long expression too many instructions.
    const std::string loop = refusal({"ip6 protochain 6"}, with(0, 6));
    EXPECT_TRUE(contains(loop, "a program the kernel refuses")) << loop;
    EXPECT_TRUE(contains(loop, "a jump backwards")) << loop;
    std::string expression = "tcp[0] = 1";
    for (int i = 1; i < 1500; ++i) expression += fmt::format(" or tcp[{}] = 1", i);
    const std::string long_one = refusal({expression}, with(14));
    EXPECT_TRUE(contains(long_one, "the kernel allows at most 4096")) << long_one;
    EXPECT_LT(long_one.size(), 400u);
}

TEST(Tcpdump, GivesNoName) {
    EXPECT_EQ(tcpdump({"udp"}).name, "");
}

TEST(Tcpdump, RefusesUnsupportedOffset) {
    try {
        tcpdump({"ip"}, with(7));
        FAIL() << "offset 7 accepted";
    } catch (const UsageError& error) {
        EXPECT_TRUE(contains(error.what(), "tcpdump: offset 7 is not supported")) << error.what();
    }
}

TEST(Tcpdump, RefusesMissingExpression) {
    EXPECT_TRUE(contains(refusal({}), "tcpdump: expected a pcap-filter expression"));
    EXPECT_TRUE(contains(refusal({"--"}), "tcpdump: expected a pcap-filter expression"));
}

TEST(Tcpdump, RefusesBlankExpression) {
    EXPECT_TRUE(contains(refusal({"  "}), "tcpdump: the expression is empty"));
}

TEST(Tcpdump, ReportsLibpcapMessageWithTheExpression) {
    const std::string message = refusal({"udp and"});
    EXPECT_TRUE(contains(message,
                         "tcpdump: cannot compile 'udp and' for IPV4 (Raw IPv4): "
                         "can't parse filter expression: syntax error"))
        << message;
}

TEST(Tcpdump, ReportsAnExpressionThatFitsNoPacketOfTheLinkType) {
    const std::string message = refusal({"ip6"});
    EXPECT_TRUE(contains(message, "'ip6'")) << message;
    EXPECT_TRUE(contains(message, "expression rejects all packets")) << message;
    EXPECT_TRUE(contains(message, "-6 makes them IPv6")) << message;
}

TEST(Tcpdump, RefusesNulInsideTheExpression) {
    EXPECT_TRUE(contains(refusal({std::string("udp\0 and tcp", 12)}), "NUL byte"));
}

}  // namespace
}  // namespace bpfgen
