// dns_validate_test.cpp: the 'dns_validate' generator: the header checks it writes, its
// --strict flag, offsets, IPv6, negation, name and refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "generators/dns_validate.h"
#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {
namespace {

GeneratedProgram dns_validate(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    return generate("dns_validate", args, options);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string refusal(const std::vector<std::string>& args) {
    try {
        dns_validate(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

TEST(DnsValidate, AssemblesTheOriginalsBytecode) {
    EXPECT_EQ(dns_validate({}).program,
              parse_xt_bpf("20,0 0 0 0,177 0 0 0,12 0 0 0,7 0 0 0,72 0 0 4,53 0 13 29,135 0 0 0,4 "
                           "0 0 8,7 0 0 0,72 0 0 2,84 0 0 64655,21 0 7 0,72 0 0 4,21 0 5 1,64 0 0 "
                           "6,21 0 3 0,72 0 0 10,37 1 0 1,6 0 0 0,6 0 0 65535,"));
}

TEST(DnsValidate, StrictIpv6NegatedAtSllOffset) {
    GeneratorOptions options;
    options.ip_version = 6;
    options.l3_offset = 16;
    options.negate = true;
    EXPECT_EQ(dns_validate({"--strict"}, options).program,
              parse_xt_bpf("18,0 0 0 56,7 0 0 0,72 0 0 4,53 0 13 29,135 0 0 0,4 0 0 8,7 0 0 0,72 "
                           "0 0 2,84 0 0 65423,21 0 7 0,72 0 0 4,21 0 5 1,64 0 0 6,21 0 3 0,72 0 0 "
                           "10,37 1 0 1,6 0 0 65535,6 0 0 0,"));
}

TEST(DnsValidate, DefaultAllowsCdAdZRdAndBit9) {
    const std::string text = dns_validate({}).assembly;
    EXPECT_TRUE(contains(text, "    ;   8: recursion_desired\n    ;   9: recursion_available\n"));
    EXPECT_TRUE(contains(text, "    and #0xfc8f\n    jne #0, match\n"));
}

TEST(DnsValidate, StrictAlsoRefusesRdAndBit9) {
    for (const std::string flag : {"-s", "--strict", "--st"}) {
        const std::string text = dns_validate({flag}).assembly;
        EXPECT_TRUE(contains(text, "    and #0xff8f\n")) << flag;
        EXPECT_FALSE(contains(text, "recursion_desired")) << flag;
    }
}

TEST(DnsValidate, NameSaysWhetherStrict) {
    EXPECT_EQ(dns_validate({}).name, "");
    EXPECT_EQ(dns_validate({"-s"}).name, "strict");
}

TEST(DnsValidate, Ipv4FindsUdpFromTheHeaderLengthAtEachOffset) {
    for (uint32_t offset : {0u, 14u, 16u, 18u, 20u}) {
        GeneratorOptions options;
        options.l3_offset = offset;
        const Program program = dns_validate({}, options).program;
        ASSERT_GE(program.size(), 2u);
        EXPECT_EQ(program[0], (Instruction{0x00, 0, 0, offset}));  // ld #o
        EXPECT_EQ(program[1], (Instruction{0xb1, 0, 0, offset}));  // ldx 4*([o]&0xf)
    }
}

TEST(DnsValidate, Ipv6AssumesUdpRightAfterTheFixedHeader) {
    for (uint32_t offset : {0u, 14u, 16u, 18u, 20u}) {
        GeneratorOptions options;
        options.l3_offset = offset;
        options.ip_version = 6;
        const std::string text = dns_validate({}, options).assembly;
        EXPECT_TRUE(text.starts_with("    ld #" + std::to_string(offset + 40) + "\n    tax\n"));
    }
}

TEST(DnsValidate, NegateSwapsTheReturnValues) {
    GeneratorOptions options;
    options.negate = true;
    EXPECT_TRUE(
        dns_validate({}, options).assembly.ends_with("    ret #65535\n\nmatch:\n    ret #0\n"));
    EXPECT_TRUE(dns_validate({}).assembly.ends_with("    ret #0\n\nmatch:\n    ret #65535\n"));
}

TEST(DnsValidate, RefusesArgumentsAndUnknownOptions) {
    EXPECT_EQ(refusal({"example.com"}),
              "dns_validate: unexpected argument 'example.com' (it takes only -s)");
    EXPECT_EQ(refusal({"-x"}), "dns_validate: unknown option '-x'");
    EXPECT_EQ(refusal({"--stricter"}), "dns_validate: unknown option '--stricter'");
}

TEST(DnsValidate, HelpGivesExamples) {
    EXPECT_TRUE(contains(std::string(kDnsValidateHelp), "dns_validate -- --strict"));
}

}  // namespace
}  // namespace bpfgen
