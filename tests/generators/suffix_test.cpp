// suffix_test.cpp: the 'suffix' generator: hex parsing (joined arguments, trailing xx
// wildcards), the loads it writes, name, negation and refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "generators/suffix.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {
namespace {

GeneratedProgram suffix(const std::vector<std::string>& args, GeneratorOptions options = {}) {
    return generate("suffix", args, options);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string refusal(const std::vector<std::string>& args) {
    try {
        suffix(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

TEST(Suffix, WritesTheOriginalsAssembly) {
    EXPECT_EQ(suffix({"010203"}).assembly, R"(    ld #len
    sub #3
    tax

     ; matching 010203
     ;         '\x01\x02\x03'
    ldh [x + 0]
    jneq #0x0102, nomatch
    ldb [x + 2]
    jneq #0x03, nomatch
    ret #65535

nomatch:
    ret #0
)");
}

TEST(Suffix, AssemblesTheOriginalsBytecode) {
    EXPECT_EQ(suffix({"0102030405"}).program,
              parse_xt_bpf("9,128 0 0 0,20 0 0 5,7 0 0 0,64 0 0 0,21 0 3 16909060,80 0 0 4,21 0 "
                           "1 5,6 0 0 65535,6 0 0 0,"));
}

TEST(Suffix, LoadsWordsThenAHalfWordThenAByte) {
    const std::string text = suffix({"deadbeefcafebabe00"}).assembly;
    EXPECT_TRUE(contains(text,
                         "    ld [x + 0]\n    jneq #0xdeadbeef, nomatch\n    ld [x + 4]\n"
                         "    jneq #0xcafebabe, nomatch\n    ldb [x + 8]\n"
                         "    jneq #0x00, nomatch\n"));
    EXPECT_TRUE(contains(text, "'\\xde\\xad\\xbe\\xef\\xca\\xfe\\xba\\xbe\\x00'"));
}

TEST(Suffix, JoinsArgumentsAndIgnoresWhiteSpace) {
    const std::string joined = suffix({"010203"}).assembly;
    EXPECT_EQ(suffix({"01", "02", "03"}).assembly, joined);
    EXPECT_EQ(suffix({"01 02\t03"}).assembly, joined);
}

TEST(Suffix, UpperCaseDigitsAreCommentedInLowerCase) {
    const GeneratedProgram generated = suffix({"DEAD"});
    EXPECT_TRUE(contains(generated.assembly, "; matching dead\n"));
    EXPECT_TRUE(contains(generated.assembly, "jneq #0xdead, nomatch\n"));
    EXPECT_EQ(generated.name, "DEAD");
}

TEST(Suffix, TrailingXxPairsAreBytesOfAnyValue) {
    const GeneratedProgram generated = suffix({"0102xxxx"});
    EXPECT_TRUE(generated.assembly.starts_with("    ld #len\n    sub #4\n"));
    EXPECT_TRUE(contains(generated.assembly,
                         "    ldh [x + 0]\n    jneq #0x0102, nomatch\n    "
                         "ret #65535\n"));
    EXPECT_EQ(generated.name, "0102");
}

TEST(Suffix, NameIsTheHex) {
    EXPECT_EQ(suffix({"01", "02"}).name, "0102");
}

TEST(Suffix, NegateSwapsTheReturnValues) {
    GeneratorOptions options;
    options.negate = true;
    EXPECT_TRUE(
        suffix({"01"}, options).assembly.ends_with("    ret #0\n\nnomatch:\n    ret #65535\n"));
}

TEST(Suffix, OffsetAndIpVersionChangeNothing) {
    GeneratorOptions options;
    options.l3_offset = 18;
    options.ip_version = 6;
    EXPECT_EQ(suffix({"0102"}, options).program, suffix({"0102"}).program);
}

TEST(Suffix, RefusesAnOddNumberOfDigits) {
    EXPECT_EQ(refusal({"123"}),
              "suffix: '123' has an odd number of hex digits (3); each byte takes two");
    EXPECT_TRUE(contains(refusal({"01xxx"}), "odd number of x's (3)"));
}

TEST(Suffix, RefusesNonHexDigits) {
    EXPECT_EQ(refusal({"zz"}), "suffix: 'zz': character 1 'z' is not a hex digit");
    EXPECT_TRUE(contains(refusal({"01x2"}), "only allowed at the end"));
    EXPECT_TRUE(contains(refusal({"0x0102"}), "write no 0x prefix"));
}

TEST(Suffix, RefusesAnEmptySuffix) {
    EXPECT_TRUE(contains(refusal({}), "suffix: no hex bytes given"));
    EXPECT_TRUE(contains(refusal({""}), "suffix: no hex bytes given"));
}

TEST(Suffix, RefusesSuffixesTooLongForEightBitJumps) {
    EXPECT_EQ(refusal({std::string(512 * 2, 'a')}), "");
    EXPECT_TRUE(contains(refusal({std::string(511 * 2, 'a')}), "cBPF jumps reach 255"));
}

TEST(Suffix, RefusesOptions) {
    EXPECT_EQ(refusal({"-i", "01"}), "suffix: unknown option '-i'");
}

}  // namespace
}  // namespace bpfgen
