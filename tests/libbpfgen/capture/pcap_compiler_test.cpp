// pcap_compiler_test.cpp: libpcap's compiler and printer behind pcap_compiler.h: the
// program for a link type and snapshot length, libpcap's messages, the bpf_image listing,
// the zeroing of unused fields, and calls from several threads at once.
#include "libbpfgen/capture/pcap_compiler.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

// The message of the Error compiling is refused with ("" when it compiles).
std::string refusal(const std::string& expression, int link_type) {
    try {
        compile_pcap_filter(expression, link_type);
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(PcapCompiler, CompilesForEthernet) {
    EXPECT_EQ(
        compile_pcap_filter("ip", linktype::kEthernet),
        (Program{{0x28, 0, 0, 12}, {0x15, 0, 1, 0x800}, {0x06, 0, 0, 65536}, {0x06, 0, 0, 0}}));
}

TEST(PcapCompiler, LinkTypeDecidesWhereHeadersAre) {
    EXPECT_EQ(compile_pcap_filter("ip", linktype::kIpv4), (Program{{0x06, 0, 0, 65536}}));
    EXPECT_EQ(compile_pcap_filter("ip", linktype::kLinuxSll)[0], (Instruction{0x28, 0, 0, 14}));
}

TEST(PcapCompiler, SnaplenIsTheAcceptValue) {
    EXPECT_EQ(compile_pcap_filter("ip", linktype::kIpv4, 1500), (Program{{0x06, 0, 0, 1500}}));
}

TEST(PcapCompiler, Optimises) {
    // Unoptimised, libpcap would test the EtherType twice.
    EXPECT_EQ(compile_pcap_filter("ip and ip", linktype::kEthernet),
              compile_pcap_filter("ip", linktype::kEthernet));
}

TEST(PcapCompiler, ReportsSyntaxErrorsWithTheExpression) {
    EXPECT_EQ(refusal("udp and", linktype::kEthernet),
              "cannot compile 'udp and' for EN10MB (Ethernet): can't parse filter expression: "
              "syntax error");
}

TEST(PcapCompiler, ReportsAFilterRejectingEveryPacket) {
    EXPECT_EQ(refusal("ip6", linktype::kIpv4),
              "cannot compile 'ip6' for IPV4 (Raw IPv4): expression rejects all packets");
}

TEST(PcapCompiler, ReportsLibpcapsSemanticErrors) {
    EXPECT_TRUE(contains(refusal("port 99999", linktype::kEthernet), "illegal port number 99999"));
    EXPECT_TRUE(contains(refusal("ip[0] % 0 = 1", linktype::kEthernet), "modulus by zero"));
}

TEST(PcapCompiler, ReportsAnUnknownLinkType) {
    EXPECT_TRUE(contains(refusal("ip", 99999), "unknown data link type 99999"));
}

TEST(PcapCompiler, RefusesNulBytes) {
    EXPECT_EQ(refusal(std::string("ip\0 and udp", 11), linktype::kEthernet),
              "cannot compile 'ip\\x00 and udp': it contains a NUL byte");
}

TEST(PcapCompiler, QuotesTheExpressionOnOneLine) {
    EXPECT_TRUE(contains(refusal("udp\nand", linktype::kEthernet), "'udp\\x0aand'"));
}

TEST(PcapCompiler, ListsInstructionsAsTcpdumpDoes) {
    EXPECT_EQ(pcap_listing(compile_pcap_filter("ip", linktype::kEthernet)),
              (std::vector<std::string>{"(000) ldh      [12]",
                                        "(001) jeq      #0x800           jt 2\tjf 3",
                                        "(002) ret      #65536", "(003) ret      #0"}));
}

TEST(PcapCompiler, ListsAnyProgramNotOnlyCompiledOnes) {
    EXPECT_EQ(
        pcap_listing(Program{{0x80, 0, 0, 0}, {0x07, 0, 0, 0}, {0x16, 0, 0, 0}}),
        (std::vector<std::string>{"(000) ld       #pktlen", "(001) tax      ",
                                  "(002) ret      "}));  // libpcap prints no operand for ret a
}

TEST(PcapCompiler, UnusedFieldsAreZeroed) {
    const Program stale{{0x07, 1, 2, 13},  // tax
                        {0x0c, 0, 0, 7},   // add x
                        {0x84, 0, 0, 9},   // neg
                        {0x1d, 3, 4, 5},   // jeq x
                        {0x80, 0, 0, 3},   // ld #len
                        {0x28, 5, 6, 12},  // ldh [12]
                        {0x16, 0, 0, 1}};  // ret a
    EXPECT_EQ(without_unused_fields(stale), (Program{{0x07, 0, 0, 0},
                                                     {0x0c, 0, 0, 0},
                                                     {0x84, 0, 0, 0},
                                                     {0x1d, 3, 4, 0},
                                                     {0x80, 0, 0, 0},
                                                     {0x28, 0, 0, 12},
                                                     {0x16, 0, 0, 0}}));
}

TEST(PcapCompiler, UsedFieldsAreKept) {
    const Program used{{0x15, 1, 2, 0x800},  // jeq #0x800
                       {0x05, 0, 0, 3},      // ja +3
                       {0xb1, 0, 0, 14},     // ldxb 4*([14]&0xf)
                       {0x02, 0, 0, 6},      // st M[6]
                       {0x04, 0, 0, 20},     // add #20
                       {0x06, 0, 0, 65536}};
    EXPECT_EQ(without_unused_fields(used), used);
}

TEST(PcapCompiler, ConcurrentCallsGiveTheSameResults) {
    const Program expected = compile_pcap_filter("tcp port 80 or udp port 53", linktype::kEthernet);
    const std::vector<std::string> expected_listing = pcap_listing(expected);
    std::vector<int> differences(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < differences.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                const Program program =
                    compile_pcap_filter("tcp port 80 or udp port 53", linktype::kEthernet);
                if (program != expected || pcap_listing(program) != expected_listing) {
                    ++differences[t];
                }
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(differences, std::vector<int>(4, 0));
}

TEST(CompilePcapFilter, TakesLinkTypesAsCaptureFilesStoreThem) {
    // LINKTYPE_RAW (101) is DLT_RAW (12 on Linux) inside libpcap: the version nibble
    // decides IPv4.
    const Program raw = compile_pcap_filter("ip", linktype::kRaw, 65535);
    EXPECT_EQ(raw[0], (Instruction{0x30, 0, 0, 0}));
}

}  // namespace
}  // namespace bpfgen
