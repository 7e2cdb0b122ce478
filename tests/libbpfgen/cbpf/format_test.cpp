// format_test.cpp: the numeric text forms of a Program: the kernel bpf_asm's xt_bpf line
// and -c initialisers (expected strings are that tool's output), tcpdump -ddd's decimal
// lines, the format names, and the xt_bpf parser with each way its input can be wrong.
#include "libbpfgen/cbpf/format.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "libbpfgen/base/error.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

Instruction insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
    return {code, jt, jf, k};
}

// ld #0; ldh [12]; jeq #0x800, l1, l2; l1: ret #0xffffffff; l2: ret #0
const Program kSample{insn(0x00, 0, 0, 0), insn(0x28, 0, 0, 12), insn(0x15, 0, 1, 0x800),
                      insn(0x06, 0, 0, 0xffffffff), insn(0x06, 0, 0, 0)};

void expect_parse_error(std::string_view text, std::string_view reason) {
    try {
        const Program program = parse_xt_bpf(text);
        ADD_FAILURE() << "parsed '" << text << "' as " << format_xt_bpf(program);
    } catch (const Error& error) {
        EXPECT_NE(std::string_view(error.what()).find(reason), std::string_view::npos)
            << "message: " << error.what() << "\nshould contain: " << reason;
    }
}

TEST(FormatXtBpf, CountThenCommaTerminatedInstructionsWithoutNewline) {
    EXPECT_EQ(format_xt_bpf(kSample), "5,0 0 0 0,40 0 0 12,21 0 1 2048,6 0 0 4294967295,6 0 0 0,");
}

TEST(FormatC, KernelBpfAsmLinesIncludingPrintfsZeroQuirk) {
    // printf("%#04x") of 0 is "0000" and "%#010x" of 0 is "0000000000": no 0x prefix.
    EXPECT_EQ(format_c(kSample),
              "{ 0000,  0,  0, 0000000000 },\n"
              "{ 0x28,  0,  0, 0x0000000c },\n"
              "{ 0x15,  0,  1, 0x00000800 },\n"
              "{ 0x06,  0,  0, 0xffffffff },\n"
              "{ 0x06,  0,  0, 0000000000 },\n");
}

TEST(FormatC, JumpOffsetsWiderThanTheirColumn) {
    EXPECT_EQ(format_c(Program{insn(0x15, 254, 0, 1)}), "{ 0x15, 254,  0, 0x00000001 },\n");
}

TEST(FormatDecimal, CountLineThenOneLinePerInstruction) {
    EXPECT_EQ(format_decimal(kSample),
              "5\n0 0 0 0\n40 0 0 12\n21 0 1 2048\n6 0 0 4294967295\n6 0 0 0\n");
}

TEST(FormatProgram, DispatchesOnTheFormat) {
    EXPECT_EQ(format_program(kSample, Format::XtBpf), format_xt_bpf(kSample));
    EXPECT_EQ(format_program(kSample, Format::C), format_c(kSample));
    EXPECT_EQ(format_program(kSample, Format::Decimal), format_decimal(kSample));
}

TEST(FormatNames, KnownNamesAndAliases) {
    EXPECT_EQ(parse_format_name("xt_bpf"), Format::XtBpf);
    EXPECT_EQ(parse_format_name("bytecode"), Format::XtBpf);
    EXPECT_EQ(parse_format_name("c"), Format::C);
    EXPECT_EQ(parse_format_name("decimal"), Format::Decimal);
    EXPECT_EQ(parse_format_name("asm"), Format::Assembly);
    EXPECT_EQ(parse_format_name("assembly"), Format::Assembly);
    EXPECT_EQ(parse_format_name("hex"), std::nullopt);
    EXPECT_EQ(parse_format_name(""), std::nullopt);
}

TEST(ParseXtBpf, ReadsWhatFormatXtBpfWrites) {
    EXPECT_EQ(parse_xt_bpf(format_xt_bpf(kSample)), kSample);
}

TEST(ParseXtBpf, EveryRecordedBytecodeRoundTrips) {
    std::size_t checked = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0) continue;
        SCOPED_TRACE(reference.describe());
        EXPECT_EQ(format_xt_bpf(parse_xt_bpf(reference.bytecode)), reference.bytecode);
        ++checked;
    }
    EXPECT_GE(checked, 200u);
}

TEST(ParseXtBpf, TrailingCommaAndSurroundingSpaceAreOptional) {
    const Program expected{insn(6, 0, 0, 0)};
    EXPECT_EQ(parse_xt_bpf("1,6 0 0 0,"), expected);
    EXPECT_EQ(parse_xt_bpf("1,6 0 0 0"), expected);
    EXPECT_EQ(parse_xt_bpf("  1,6 0 0 0,\n"), expected);
    EXPECT_EQ(parse_xt_bpf("2, 40 0 0 12 , 6 0 0 0"),
              (Program{insn(40, 0, 0, 12), insn(6, 0, 0, 0)}));
}

TEST(ParseXtBpf, ExtremeFieldValues) {
    EXPECT_EQ(parse_xt_bpf("1,65535 255 255 4294967295,"),
              (Program{insn(0xffff, 255, 255, 0xffffffff)}));
}

TEST(ParseXtBpf, RefusesEmptyText) {
    expect_parse_error("", "empty bytecode");
    expect_parse_error("  \n", "empty bytecode");
}

TEST(ParseXtBpf, RefusesABadCount) {
    expect_parse_error("x,6 0 0 0,", "expected instruction count");
    expect_parse_error("-1,6 0 0 0,", "expected instruction count");
    expect_parse_error("4097,6 0 0 0,", "instruction count 4097 is out of range (at most 4096)");
    expect_parse_error("0,", "at least one instruction");
}

TEST(ParseXtBpf, RefusesACountThatDoesNotMatch) {
    expect_parse_error("2,6 0 0 0,", "expected code");
    expect_parse_error("1,6 0 0 0,6 0 0 0,", "more than the 1 instructions the count announces");
}

TEST(ParseXtBpf, RefusesMissingCommas) {
    expect_parse_error("1 6 0 0 0", "expected ',' after the instruction count");
    expect_parse_error("2,6 0 0 0 6 0 0 0", "expected ',' after instruction 0");
}

TEST(ParseXtBpf, RefusesOutOfRangeFields) {
    expect_parse_error("1,65536 0 0 0,", "code 65536 is out of range (at most 65535)");
    expect_parse_error("1,6 256 0 0,", "jt 256 is out of range (at most 255)");
    expect_parse_error("1,6 0 300 0,", "jf 300 is out of range (at most 255)");
    expect_parse_error("1,6 0 0 4294967296,", "k 4294967296 is out of range");
    expect_parse_error("1,6 0 0 99999999999999999999999,", "is out of range");
}

TEST(ParseXtBpf, RefusesMissingOrMalformedFields) {
    expect_parse_error("1,6 0 0,", "expected k");
    expect_parse_error("1,0x6 0 0 0,", "expected jt");
    expect_parse_error("1,6 -1 0 0,", "expected jt");
}

TEST(ParseXtBpf, RefusesTrailingGarbage) {
    expect_parse_error("1,6 0 0 0, junk", "more than the 1 instructions");
    expect_parse_error("1,6 0 0 0 junk", "expected ',' after instruction 0");
}

TEST(ParseXtBpf, ErrorNamesThePosition) {
    expect_parse_error("1,6 0 x 0,", "at character 7 near 'x 0,'");
}

}  // namespace
}  // namespace bpfgen
