// p0f_test.cpp: the 'p0f' generator: the `-s` text (checks explained, then the tcpdump
// generator's listing), the link type the signature's IP version chooses at offset 0,
// and refusals (parity with the original's recorded runs: pcap_parity_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "generators/p0f_signature.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/pcap_compiler.h"
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

GeneratedProgram p0f(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    return generate("p0f", args, options);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The message of the UsageError the call is refused with ("" when it is accepted).
std::string refusal(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    try {
        p0f(args, options);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

constexpr const char* kAnyIpv4 = "4:255-:*:*:*,*:::*";

// What libpcap compiles the expression into, as the generators emit it.
Program libpcap(const std::string& expression, int link_type) {
    return without_unused_fields(compile_pcap_filter(expression, link_type));
}

std::string expression_of(const std::string& signature) {
    return p0f_expression(p0f_checks(parse_p0f_signature(signature)));
}

TEST(P0f, CompilesTheSignaturesExpressionWithLibpcap) {
    const std::string signature = "4:64:0:1460:mss*4,7:mss,nop,ws:df,id+:0";
    const std::string expression = expression_of(signature);
    EXPECT_EQ(p0f({signature}, with(14)).program, libpcap(expression, linktype::kEthernet));
}

TEST(P0f, AssemblyExplainsEachCheckBeforeTheTcpdumpListing) {
    const std::string expression = expression_of(kAnyIpv4);
    EXPECT_EQ(expression, "ip and ((tcp[12] >> 4) == 5) and ((ip[6] & 0x80) == 0)");
    EXPECT_EQ(p0f({kAnyIpv4}).assembly,
              "; ip: ip version\n"
              "; ((tcp[12] >> 4) == 5): TCP data offset\n"
              "; ((ip[6] & 0x80) == 0): mbz zero\n"
              ";\n" +
                  generate("tcpdump", {expression}, {}).assembly);
}

TEST(P0f, Ipv6SignatureAtOffsetZeroCompilesForIpv6WithoutTheFlag) {
    const std::string signature = "6:64:0:*:mss*20,7:mss,sok,ts,nop,ws:flow:0";
    const std::string expression = expression_of(signature);
    const GeneratedProgram generated = p0f({signature}, with(0, 4));
    EXPECT_EQ(generated.program, libpcap(expression, linktype::kIpv6));
    EXPECT_TRUE(contains(generated.assembly, ";\n; ipver=6\n")) << generated.assembly;
}

TEST(P0f, Ipv4SignatureAtOffsetZeroStaysIpv4WithTheIpv6Flag) {
    const std::string expression = expression_of(kAnyIpv4);
    EXPECT_EQ(p0f({kAnyIpv4}, with(0, 6)).program, libpcap(expression, linktype::kIpv4));
}

TEST(P0f, Offset18WrapsTheExpressionInVlan) {
    const std::string expression = expression_of(kAnyIpv4);
    EXPECT_EQ(p0f({kAnyIpv4}, with(18)).program,
              libpcap("vlan and (" + expression + ")", linktype::kEthernet));
}

TEST(P0f, Offset20CompilesForLinuxCookedCapturesV2) {
    const std::string expression = expression_of(kAnyIpv4);
    EXPECT_EQ(p0f({kAnyIpv4}, with(20)).program, libpcap(expression, linktype::kLinuxSll2));
}

TEST(P0f, NegationWrapsTheExpression) {
    const std::string expression = expression_of(kAnyIpv4);
    EXPECT_EQ(p0f({kAnyIpv4}, with(16, 4, true)).program,
              libpcap("not (" + expression + ")", linktype::kLinuxSll));
}

TEST(P0f, RefusesUnsupportedOffset) {
    EXPECT_TRUE(contains(refusal({kAnyIpv4}, with(7)), "p0f: offset 7 is not supported"));
}

TEST(P0f, FirstDoubleDashOnlyEndsOptions) {
    EXPECT_EQ(p0f({"--", kAnyIpv4}).program, p0f({kAnyIpv4}).program);
}

TEST(P0f, RefusesNoSignature) {
    EXPECT_TRUE(contains(refusal({}), "p0f: expected a signature"));
}

TEST(P0f, RefusesMoreThanOneSignature) {
    EXPECT_TRUE(contains(refusal({kAnyIpv4, kAnyIpv4}), "p0f: expected one signature, got 2"));
}

TEST(P0f, RefusesSignatureWithAnOptionMissingFromOlayout) {
    const std::string message =
        refusal({"6:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:flow,ts1-,ts2+,exws:0"});
    EXPECT_TRUE(contains(message, "quirk 'ts1-'")) << message;
    EXPECT_TRUE(contains(message, "ts option")) << message;
}

TEST(P0f, GivesNoName) {
    EXPECT_EQ(p0f({kAnyIpv4}).name, "");
}

}  // namespace
}  // namespace bpfgen
