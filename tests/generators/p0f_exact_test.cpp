// p0f_exact_test.cpp: `p0f -- --exact`: the checks p0f's own matching calls for (quirks
// checked absent too, flags per section, TTL distance, olen in bytes, p0f's window
// divisors), the refusals of what p0f never reports, and the default left as it was.
// Verdicts against p0f itself: test_p0f_exact_differential.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "generators/p0f_exact.h"
#include "generators/p0f_signature.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

std::vector<std::string> exact_expressions(const std::string& text, int ip_version = 4,
                                           P0fSection section = P0fSection::Request) {
    const P0fSignature reading =
        for_ip_version(parse_p0f_signature(text, P0fRules::Exact), ip_version, text);
    std::vector<std::string> expressions;
    for (const P0fCheck& check : p0f_exact_checks(reading, section, text)) {
        expressions.push_back(check.expression);
    }
    return expressions;
}

bool has(const std::vector<std::string>& expressions, const std::string& expression) {
    return std::find(expressions.begin(), expressions.end(), expression) != expressions.end();
}

std::string joined(const std::vector<std::string>& expressions) {
    std::string all;
    for (const std::string& each : expressions) all += each + "\n";
    return all;
}

// The message the exact reading is refused with ("" when accepted).
std::string refusal(const std::string& text, int ip_version = 4,
                    P0fSection section = P0fSection::Request) {
    try {
        exact_expressions(text, ip_version, section);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

constexpr const char* kLinux = "*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0";

TEST(P0fExact, RequestsAreSynWithoutAckFinOrRst) {
    const auto checks = exact_expressions(kLinux);
    EXPECT_TRUE(has(checks, "((ip[33] & 0x17) == 0x2)")) << joined(checks);
}

TEST(P0fExact, ResponsesAreSynAck) {
    const auto checks = exact_expressions(kLinux, 6, P0fSection::Response);
    EXPECT_TRUE(has(checks, "((ip6[53] & 0x17) == 0x12)")) << joined(checks);
}

TEST(P0fExact, TtlDistanceUpTo35Inclusive) {
    const auto checks = exact_expressions("4:64:0:*:*,*:::0");
    EXPECT_TRUE(has(checks, "(ip[8] <= 64)"));
    EXPECT_TRUE(has(checks, "(ip[8] >= 29)")) << joined(checks);
}

TEST(P0fExact, RandomTtlMeansAtMostTheInitialOne) {
    const auto checks = exact_expressions("4:64-:0:*:*,*:::0");
    EXPECT_TRUE(has(checks, "(ip[8] <= 64)"));
    EXPECT_FALSE(has(checks, "(ip[8] >= 29)")) << joined(checks);
}

TEST(P0fExact, OlenCountsBytes) {
    const auto checks = exact_expressions("4:64:8:*:*,*:::0");
    EXPECT_TRUE(has(checks, "((ip[0] & 0xf) == 7)")) << joined(checks);
    // The TCP header then starts 28 bytes in: the flags are at 28 + 13.
    EXPECT_TRUE(has(checks, "((ip[41] & 0x17) == 0x2)")) << joined(checks);
    EXPECT_TRUE(contains(refusal("4:64:3:*:*,*:::0"), "a multiple of 4"))
        << refusal("4:64:3:*:*,*:::0");
}

TEST(P0fExact, DefaultOlenStillCountsWords) {
    EXPECT_EQ(parse_p0f_signature("4:64:3:*:*,*:::0").olen, 3u);
    EXPECT_EQ(parse_p0f_signature("4:64:8:*:*,*:::0", P0fRules::Exact).olen, 8u);
}

TEST(P0fExact, QuirksTheSignatureLacksAreCheckedAbsent) {
    const auto checks = exact_expressions("4:64:0:*:*,*:::0");
    EXPECT_TRUE(has(checks, "((ip[6] & 0x40) == 0)")) << joined(checks);  // no df
    EXPECT_TRUE(has(checks, "(ip[4:2] != 0)")) << joined(checks);         // no id-
    EXPECT_TRUE(has(checks, "((ip[33] & 0x8) == 0)")) << joined(checks);  // no pushf+
    EXPECT_TRUE(has(checks, "(ip[24:4] != 0)")) << joined(checks);        // no seq-
}

TEST(P0fExact, DfWithoutIdPlusWantsAZeroId) {
    const auto checks = exact_expressions("4:64:0:*:*,*::df:0");
    EXPECT_TRUE(has(checks, "((ip[6] & 0x40) != 0)"));
    EXPECT_TRUE(has(checks, "(ip[4:2] == 0)")) << joined(checks);
}

TEST(P0fExact, EcnIsEitherIpBitOrEceCwrNs) {
    const auto checks = exact_expressions("4:64:0:*:*,*::ecn:0");
    EXPECT_TRUE(
        has(checks, "(((ip[1] & 0x3) != 0) or ((ip[33] & 0xc0) != 0) or ((ip[32] & 0x1) != 0))"))
        << joined(checks);
}

TEST(P0fExact, AckPlusIsBitZeroOfTheFirstAckByte) {
    // p0f ANDs the ACK number, read in network order on a little-endian host, with 0 or 1.
    const auto checks = exact_expressions("4:64:0:*:*,*::ack+:0");
    EXPECT_TRUE(has(checks, "((ip[28] & 0x1) != 0)")) << joined(checks);
}

TEST(P0fExact, FlowIsTheWholeIpv6FlowLabel) {
    const auto checks = exact_expressions("6:64:0:*:*,*::flow:0", 6);
    EXPECT_TRUE(has(checks, "((ip6[0:4] & 0xfffff) != 0)")) << joined(checks);
}

TEST(P0fExact, WindowScaleZeroIsChecked) {
    const auto checks = exact_expressions("4:64:0:*:*,0:nop,ws:df,id+:0");
    EXPECT_TRUE(has(checks, "(ip[43] == 0)")) << joined(checks);
}

TEST(P0fExact, OptionLengthBytesAreRightWithoutBadAndOneWrongWithIt) {
    EXPECT_TRUE(has(exact_expressions("4:64:0:*:*,*:mss::0"), "(ip[41] == 4)"));
    EXPECT_TRUE(has(exact_expressions("4:64:0:*:*,*:mss:bad:0"), "(ip[41] != 4)"));
}

TEST(P0fExact, OptPlusLooksAtAllPaddingBytesButTheLast) {
    const auto checks = exact_expressions("4:64:0:*:*,*:nop,eol+6:opt+:0");
    // EOL ends at TCP offset 22; p0f's loop looks at bytes 22 to 26 of the 6.
    EXPECT_TRUE(has(checks, "((ip[42:4] != 0) or (ip[46] != 0))")) << joined(checks);
}

TEST(P0fExact, MssMultipleFollowsP0fsDivisorOrder) {
    const auto checks = exact_expressions("4:64:0:1024:mss*4,0:mss::0");
    // The window is MSS*4, or 1460*4 or 1448*4 when the MSS does not divide it first.
    EXPECT_TRUE(has(checks,
                    "((ip[34:2] == (ip[42:2] * 4)) or ((ip[34:2] == 5840) and ((5840 % ip[42:2]) "
                    "!= 0)) or ((ip[34:2] == 5792) and ((5792 % ip[42:2]) != 0)))"))
        << joined(checks);
    EXPECT_TRUE(has(checks, "(ip[42:2] >= 100)")) << joined(checks);
}

TEST(P0fExact, FewMssValuesThatWouldDivideAreListed) {
    // MSS - 12 divides (MSS + 40) * N exactly when it divides 52 * N: for N = 2, 104, so
    // an MSS of 104 + 12 = 116 (the only one of at least 100) is excluded by value.
    const auto checks = joined(exact_expressions("4:64:0:*:mtu*2,0:mss,nop,nop,ts:df,id+:0"));
    EXPECT_TRUE(contains(checks, "((ip[48:4] == 0) or (ip[42:2] != 116))")) << checks;
}

TEST(P0fExact, MssMinus12NeedsANonZeroOwnTimestamp) {
    const auto checks = joined(exact_expressions("4:64:0:*:mss*10,0:mss,nop,nop,ts:df,id+:0"));
    EXPECT_TRUE(contains(checks, "(ip[34:2] == ((ip[42:2] - 12) * 10)) and (ip[48:4] != 0)"))
        << checks;
}

TEST(P0fExact, RefusesWhatP0fNeverReports) {
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*::id+:0"), "'id+' without 'df'"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*::ack+:0", 4, P0fSection::Response),
                         "'ack+', which p0f never finds with the ACK flag"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*::ack-:0"), "without the ACK flag"));
    EXPECT_TRUE(
        contains(refusal("4:64:0:*:*,*:nop,nop,ts:ts2+:0", 4, P0fSection::Response), "'ts2+'"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*:nop,nop,eol+1:opt+:0"), "fewer than 2 bytes"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*:mss,nop::0"), "not whole 32-bit words"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:mss*0,*:mss::0"), "p0f takes 1 to 1000"));
    EXPECT_TRUE(contains(refusal("4:64:*:*:*,*:::0"), "olen '*'"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*:ts:linux:0"), "'linux'"));
    EXPECT_TRUE(contains(refusal("4:64:0:*:*,*:eol,nop,nop,nop::0"), "eol before the last"));
}

TEST(P0fExact, RefusalNamesSignatureSectionAndVersion) {
    EXPECT_EQ(refusal("4:64:0:*:*,*::id+:0"),
              "p0f: signature '4:64:0:*:*,*::id+:0' has the quirk 'id+' without 'df'; p0f sets "
              "id+ only with DF (--exact, [tcp:request], IPv4)");
}

// The documented residual, pinned: p0f does not compare a '4' signature's version with the
// packet's, the exact rule matches IPv4 only (at a link-layer offset no IPv6 branch).
TEST(P0fExact, Version4SignatureMatchesIpv4Only) {
    GeneratorOptions options;
    options.l3_offset = 14;
    const GeneratedProgram generated = generate("p0f", {"--exact", "4:64:0:*:*,*:::0"}, options);
    EXPECT_FALSE(contains(generated.assembly, "read as IPv6")) << generated.assembly;
    EXPECT_FALSE(contains(generated.assembly, "ip6")) << generated.assembly;
}

TEST(P0fExact, ResponseOptionOnlyChangesTheFlags) {
    GeneratorOptions options;
    options.l3_offset = 14;
    const std::string request = generate("p0f", {"--exact", kLinux}, options).assembly;
    const std::string response =
        generate("p0f", {"--exact", "--response", kLinux}, options).assembly;
    EXPECT_TRUE(contains(response, "== 0x12)")) << response;
    EXPECT_FALSE(contains(request, "== 0x12)")) << request;
}

TEST(P0fExact, DefaultIsUnchangedByTheExactOptionExisting) {
    GeneratorOptions options;
    options.l3_offset = 14;
    const std::string plain = generate("p0f", {kLinux}, options).assembly;
    EXPECT_FALSE(contains(plain, "0x17")) << plain;  // no flag check without --exact
}

}  // namespace
}  // namespace bpfgen
