// assembler_test.cpp: the assembler against the kernel's bpf_asm: the recorded outputs of
// the kernel's tool, then each syntax feature with the instruction it must give, the
// kernel lexer's quirks (same bytes), and every refusal with its line and column.
#include "libbpfgen/cbpf/assembler.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

Instruction insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
    return {code, jt, jf, k};
}

// The single instruction `text` assembles to.
Instruction one(std::string_view text) {
    const Program program = assemble(text);
    EXPECT_EQ(program.size(), 1u) << text;
    return program.empty() ? Instruction{} : program[0];
}

void expect_one(std::string_view text, const Instruction& expected) {
    EXPECT_EQ(one(text), expected) << "text: " << text << "\n got: " << to_string(one(text))
                                   << "\n want: " << to_string(expected);
}

// `text` is refused at line:column with a message containing `reason`.
void expect_error(std::string_view text, std::size_t line, std::size_t column,
                  std::string_view reason) {
    try {
        const Program program = assemble(text);
        ADD_FAILURE() << "assembled without error: " << text << "\n -> " << format_xt_bpf(program);
    } catch (const AssembleError& error) {
        EXPECT_EQ(error.line(), line) << text << "\n" << error.what();
        EXPECT_EQ(error.column(), column) << text << "\n" << error.what();
        EXPECT_NE(std::string_view(error.what()).find(reason), std::string_view::npos)
            << "message: " << error.what() << "\nshould contain: " << reason;
    }
}

// --- the kernel's own outputs --------------------------------------------------------

TEST(AssemblerReference, EveryRecordedProgramAssemblesToTheKernelsBytecode) {
    std::size_t checked = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0) continue;
        SCOPED_TRACE(reference.describe());
        try {
            const Program program = assemble(reference.assembly);
            EXPECT_EQ(format_xt_bpf(program), reference.bytecode);
            EXPECT_EQ(program, parse_xt_bpf(reference.bytecode));
        } catch (const Error& error) {
            ADD_FAILURE() << "refused: " << error.what();
        }
        ++checked;
    }
    EXPECT_GE(checked, 200u) << "the reference file lost its cases";
}

// --- loads -----------------------------------------------------------------------------

TEST(AssemblerLoads, AbsoluteWordHalfAndByte) {
    expect_one("ld [12]", insn(0x20, 0, 0, 12));
    expect_one("ldh [12]", insn(0x28, 0, 0, 12));
    expect_one("ldb [23]", insn(0x30, 0, 0, 23));
}

TEST(AssemblerLoads, IndirectWithOrWithoutPercent) {
    expect_one("ld [x + 4]", insn(0x40, 0, 0, 4));
    expect_one("ldh [x + 2]", insn(0x48, 0, 0, 2));
    expect_one("ldb [%x + 14]", insn(0x50, 0, 0, 14));
    expect_one("ld [% x + 0]", insn(0x40, 0, 0, 0));
}

TEST(AssemblerLoads, ImmediateIntoAAndX) {
    expect_one("ld #5", insn(0x00, 0, 0, 5));
    expect_one("ldi #5", insn(0x00, 0, 0, 5));
    expect_one("ldi 5", insn(0x00, 0, 0, 5));
    expect_one("ldx #7", insn(0x01, 0, 0, 7));
    expect_one("ldxi #7", insn(0x01, 0, 0, 7));
    expect_one("ldxi 7", insn(0x01, 0, 0, 7));
}

TEST(AssemblerLoads, PacketLengthIsLenMode) {
    expect_one("ld #len", insn(0x80, 0, 0, 0));
    expect_one("ld len", insn(0x80, 0, 0, 0));
    expect_one("ldx #len", insn(0x81, 0, 0, 0));
    expect_one("ldx len", insn(0x81, 0, 0, 0));
}

TEST(AssemblerLoads, ScratchMemoryLoadsAndStores) {
    expect_one("ld M[3]", insn(0x60, 0, 0, 3));
    expect_one("ldx M[3]", insn(0x61, 0, 0, 3));
    expect_one("st M[0]", insn(0x02, 0, 0, 0));
    expect_one("stx M[15]", insn(0x03, 0, 0, 15));
}

TEST(AssemblerLoads, IpHeaderLengthWithLdxOrLdxb) {
    expect_one("ldxb 4*([14]&0xf)", insn(0xb1, 0, 0, 14));
    expect_one("ldx 4*([0]&0xf)", insn(0xb1, 0, 0, 0));
    expect_one("ldx 4 * ( [ 3 ] & 15 )", insn(0xb1, 0, 0, 3));
    expect_one("ldxb 0x4*([3]&017)", insn(0xb1, 0, 0, 3));
}

TEST(AssemblerLoads, EveryExtensionIsAnAncillaryAbsoluteLoad) {
    const struct {
        std::string_view name;
        uint32_t offset;
    } extensions[] = {
        {"proto", 0},       {"type", 4},  {"ifidx", 8},     {"nla", 12},
        {"nlan", 16},       {"mark", 20}, {"queue", 24},    {"hatype", 28},
        {"rxhash", 32},     {"cpu", 36},  {"vlan_tci", 44}, {"vlan_pr", 48},
        {"vlan_avail", 48}, {"poff", 52}, {"rand", 56},     {"vlan_tpid", 60},
    };
    for (const auto& extension : extensions) {
        const uint32_t k = 0xfffff000 + extension.offset;
        const std::string name(extension.name);
        expect_one("ld #" + name, insn(0x20, 0, 0, k));
        expect_one("ld " + name, insn(0x20, 0, 0, k));
        expect_one("ldh #" + name, insn(0x28, 0, 0, k));
        expect_one("ldb " + name, insn(0x30, 0, 0, k));
    }
    expect_one("ld #proto", insn(0x20, 0, 0, 0xfffff000));
}

// --- arithmetic, returns, transfers ----------------------------------------------------

TEST(AssemblerAlu, EveryOperationWithConstantOrX) {
    const struct {
        std::string_view name;
        uint16_t operation;
    } operations[] = {
        {"add", 0x00}, {"sub", 0x10}, {"mul", 0x20}, {"div", 0x30}, {"or", 0x40},
        {"and", 0x50}, {"lsh", 0x60}, {"rsh", 0x70}, {"mod", 0x90}, {"xor", 0xa0},
    };
    for (const auto& operation : operations) {
        const std::string name(operation.name);
        expect_one(name + " #9", insn(0x04 | operation.operation, 0, 0, 9));
        expect_one(name + " x", insn(0x0c | operation.operation, 0, 0, 0));
        expect_one(name + " %x", insn(0x0c | operation.operation, 0, 0, 0));
    }
}

TEST(AssemblerAlu, NegTakesNoOperand) {
    expect_one("neg", insn(0x84, 0, 0, 0));
}

TEST(AssemblerMisc, TaxAndTxa) {
    expect_one("tax", insn(0x07, 0, 0, 0));
    expect_one("txa", insn(0x87, 0, 0, 0));
}

TEST(AssemblerRet, ConstantAOrX) {
    expect_one("ret #65535", insn(0x06, 0, 0, 65535));
    expect_one("ret a", insn(0x16, 0, 0, 0));
    expect_one("ret %a", insn(0x16, 0, 0, 0));
    expect_one("ret x", insn(0x0e, 0, 0, 0));
    expect_one("ret %x", insn(0x0e, 0, 0, 0));
}

// --- jumps -------------------------------------------------------------------------------

TEST(AssemblerJumps, JaAndJmpTakeTheDistanceInK) {
    const Program expected{insn(0x05, 0, 0, 1), insn(0x00, 0, 0, 1), insn(0x16, 0, 0, 0)};
    EXPECT_EQ(assemble("ja out\n ld #1\nout: ret a\n"), expected);
    EXPECT_EQ(assemble("jmp out\n ld #1\nout: ret a\n"), expected);
}

TEST(AssemblerJumps, JumpToTheNextInstructionIsZero) {
    EXPECT_EQ(assemble("ja next\nnext: ret a"),
              (Program{insn(0x05, 0, 0, 0), insn(0x16, 0, 0, 0)}));
    EXPECT_EQ(assemble("jeq #1, next, next\nnext: ret a"),
              (Program{insn(0x15, 0, 0, 1), insn(0x16, 0, 0, 0)}));
}

TEST(AssemblerJumps, OneLabelIsJtAndFalseFallsThrough) {
    const std::string tail = "\n ret #0\nyes: ret #1\n";
    EXPECT_EQ(assemble("jeq #1, yes" + tail)[0], insn(0x15, 1, 0, 1));
    EXPECT_EQ(assemble("jgt #2, yes" + tail)[0], insn(0x25, 1, 0, 2));
    EXPECT_EQ(assemble("jge #3, yes" + tail)[0], insn(0x35, 1, 0, 3));
    EXPECT_EQ(assemble("jset #4, yes" + tail)[0], insn(0x45, 1, 0, 4));
}

TEST(AssemblerJumps, TwoLabelsAreJtThenJf) {
    const std::string tail = "\n ret #0\nyes: ret #1\nno: ret #2\n";
    EXPECT_EQ(assemble("jeq #1, yes, no" + tail)[0], insn(0x15, 1, 2, 1));
    EXPECT_EQ(assemble("jgt #2, no, yes" + tail)[0], insn(0x25, 2, 1, 2));
    EXPECT_EQ(assemble("jge x, yes, no" + tail)[0], insn(0x3d, 1, 2, 0));
    EXPECT_EQ(assemble("jset %x, yes, no" + tail)[0], insn(0x4d, 1, 2, 0));
}

TEST(AssemblerJumps, NegatedFormsPutTheLabelInJf) {
    const std::string tail = "\n ret #0\nno: ret #1\n";
    EXPECT_EQ(assemble("jneq #1, no" + tail)[0], insn(0x15, 0, 1, 1));  // jeq, jf
    EXPECT_EQ(assemble("jne #1, no" + tail)[0], insn(0x15, 0, 1, 1));
    EXPECT_EQ(assemble("jlt #5, no" + tail)[0], insn(0x35, 0, 1, 5));  // jge, jf
    EXPECT_EQ(assemble("jle #5, no" + tail)[0], insn(0x25, 0, 1, 5));  // jgt, jf
    EXPECT_EQ(assemble("jneq x, no" + tail)[0], insn(0x1d, 0, 1, 0));
    EXPECT_EQ(assemble("jlt %x, no" + tail)[0], insn(0x3d, 0, 1, 0));
}

TEST(AssemblerJumps, XOperandForms) {
    const std::string tail = "\nl1: ret a\n";
    EXPECT_EQ(assemble("jeq x, l1" + tail)[0], insn(0x1d, 0, 0, 0));
    EXPECT_EQ(assemble("jgt %x, l1" + tail)[0], insn(0x2d, 0, 0, 0));
}

TEST(AssemblerJumps, ConditionalJumpReaches255Ahead) {
    std::string text = "jeq #1, far\n";
    for (int i = 0; i < 255; ++i) text += "ld #0\n";
    text += "far: ret a\n";
    EXPECT_EQ(assemble(text)[0], insn(0x15, 255, 0, 1));
}

TEST(AssemblerJumps, JaReachesPast255) {
    std::string text = "ja far\n";
    for (int i = 0; i < 1000; ++i) text += "ld #0\n";
    text += "far: ret a\n";
    EXPECT_EQ(assemble(text)[0], insn(0x05, 0, 0, 1000));
}

// --- labels ------------------------------------------------------------------------------

TEST(AssemblerLabels, LabelNamesTheInstructionAfterIt) {
    const Program program = assemble("jeq #1, b1\na1: ld #1\nb1:\n\n ld #2\n ret a");
    EXPECT_EQ(program[0], insn(0x15, 1, 0, 1));
}

TEST(AssemblerLabels, NamesAreCaseSensitive) {
    expect_error("ja Out\nout: ret a", 1, 4, "unknown label 'Out'");
    EXPECT_EQ(assemble("ja Out\nout: ret #1\nOut: ret #2")[0], insn(0x05, 0, 0, 1));
}

TEST(AssemblerLabels, LongerWordsAreLabelsKeywordsWinTies) {
    // "ldx1", "retx" and "lenx" are labels (longer than any keyword they start with).
    EXPECT_EQ(assemble("ja ldx1\nldx1: ret a")[0], insn(0x05, 0, 0, 0));
    EXPECT_EQ(assemble("ja retx\nretx: ret a")[0], insn(0x05, 0, 0, 0));
    EXPECT_EQ(assemble("ja lenx\nlenx: ret a")[0], insn(0x05, 0, 0, 0));
    // "len" is the packet-length keyword, never a label.
    expect_error("ja len\nlen: ret a", 1, 4, "expected a label, found 'len'");
}

TEST(AssemblerLabels, UnderscoresAndDigitsAfterTheFirstCharacter) {
    EXPECT_EQ(assemble("ja _9\n_9: ret a").size(), 2u);
    EXPECT_EQ(assemble("ja lb_0\nlb_0: ret a").size(), 2u);
}

// --- numbers -----------------------------------------------------------------------------

TEST(AssemblerNumbers, DecimalHexBinaryOctal) {
    expect_one("ret #1500", insn(0x06, 0, 0, 1500));
    expect_one("ret #0", insn(0x06, 0, 0, 0));
    expect_one("ret #0x5dc", insn(0x06, 0, 0, 1500));
    expect_one("ret #0X5DC", insn(0x06, 0, 0, 1500));
    expect_one("ret #0b101", insn(0x06, 0, 0, 5));
    expect_one("ret #0B11", insn(0x06, 0, 0, 3));
    expect_one("ret #017", insn(0x06, 0, 0, 15));
    expect_one("ret #0000000000000000000000001", insn(0x06, 0, 0, 1));
}

TEST(AssemblerNumbers, ExtremesOfThirtyTwoBits) {
    expect_one("ret #4294967295", insn(0x06, 0, 0, 0xffffffff));
    expect_one("ret #0xffffffff", insn(0x06, 0, 0, 0xffffffff));
    expect_one("ret #0x000000000000ffffffff", insn(0x06, 0, 0, 0xffffffff));
}

TEST(AssemblerNumbers, SignedDecimalsWrapLikeTheKernel) {
    expect_one("ret #+5", insn(0x06, 0, 0, 5));
    expect_one("ret #-1", insn(0x06, 0, 0, 0xffffffff));
    expect_one("ld [x + -4]", insn(0x40, 0, 0, 0xfffffffc));
    expect_one("ret #-2147483648", insn(0x06, 0, 0, 0x80000000));
}

// --- comments, case, spacing -------------------------------------------------------------

TEST(AssemblerComments, SemicolonToEndOfLine) {
    EXPECT_EQ(assemble("ld #1 ; ld #2\n; ret #3\nret a ;"),
              (Program{insn(0x00, 0, 0, 1), insn(0x16, 0, 0, 0)}));
}

TEST(AssemblerComments, BlockCommentsMaySpanLines) {
    EXPECT_EQ(assemble("/* one\n ld #7\n */ ret /* a */ a"), (Program{insn(0x16, 0, 0, 0)}));
}

TEST(AssemblerComments, HashFirstOnALineIsAComment) {
    EXPECT_EQ(assemble("# the filter\n#ret #1\nret #2\n"), (Program{insn(0x06, 0, 0, 2)}));
}

TEST(AssemblerCase, MnemonicsRegistersAndExtensionsIgnoreCase) {
    expect_one("LD M[1]", insn(0x60, 0, 0, 1));
    expect_one("ld m[1]", insn(0x60, 0, 0, 1));
    expect_one("Ret A", insn(0x16, 0, 0, 0));
    expect_one("RET %X", insn(0x0e, 0, 0, 0));
    expect_one("LDXB 4*([14]&0XF)", insn(0xb1, 0, 0, 14));
    expect_one("LdH #PROTO", insn(0x28, 0, 0, 0xfffff000));
    expect_one("LD #LEN", insn(0x80, 0, 0, 0));
    EXPECT_EQ(assemble("JNE #1, l1\nl1: ret a")[0], insn(0x15, 0, 0, 1));
}

TEST(AssemblerSpacing, SpacesAreOptionalBetweenTokens) {
    EXPECT_EQ(assemble("ret#1ret#2"), (Program{insn(0x06, 0, 0, 1), insn(0x06, 0, 0, 2)}));
    expect_one("ldb[x+0]", insn(0x50, 0, 0, 0));
    expect_one("ld#proto", insn(0x20, 0, 0, 0xfffff000));
    EXPECT_EQ(assemble("jeq#1,l1\nl1:ret a")[0], insn(0x15, 0, 0, 1));
}

TEST(AssemblerSpacing, LinesDoNotMatterOnlyTokens) {
    EXPECT_EQ(assemble("ld\n #1 ret\na"), (Program{insn(0x00, 0, 0, 1), insn(0x16, 0, 0, 0)}));
}

// --- the kernel lexer's quirks: same bytes as the kernel's bpf_asm (checked with it) ------

TEST(AssemblerKernelQuirks, HashWordAloneOnALineIsATokenNotAComment) {
    // flex prefers the earlier rule on equal length: "#len" beats ^#.* when nothing follows.
    EXPECT_EQ(assemble("ld\n#len\nret a"), (Program{insn(0x80, 0, 0, 0), insn(0x16, 0, 0, 0)}));
    EXPECT_EQ(assemble("ret\n#\n5"), (Program{insn(0x06, 0, 0, 5)}));
    // With anything after it, the line is a comment again.
    expect_error("ld\n#len x\nret a", 3, 1, "ld: expected");
}

TEST(AssemblerKernelQuirks, StarBeforeStarSlashDoesNotCloseAComment) {
    // In "/*"([^*]|\*[^/])*"*/" a '*' swallows the next character, so "**/" runs on.
    EXPECT_EQ(assemble("/* a **/ ld #1 */ ret #2"), (Program{insn(0x06, 0, 0, 2)}));
    expect_error("/***/ ret #3", 1, 1, "unknown character '/'");
}

TEST(AssemblerKernelQuirks, NumberFollowedByLettersStartsALabel) {
    // "0x1fz9" is 0x1f then the label z9.
    EXPECT_EQ(assemble("ret #0x1fz9: ret #2"),
              (Program{insn(0x06, 0, 0, 0x1f), insn(0x06, 0, 0, 2)}));
}

TEST(AssemblerKernelQuirks, PlusDigitIsASignedNumber) {
    // "[x+4]" is '[' 'x' number(+4) ']' to the kernel's lexer: a syntax error there too.
    expect_error("ld [x+4]", 1, 6, "expected '+', found '+4' (a signed number: write '+ 4')");
    expect_one("ld [x+0]", insn(0x40, 0, 0, 0));  // "+0" is no number: '+' then 0
}

TEST(AssemblerKernelQuirks, ALabelMayFollowOnTheSameLine) {
    EXPECT_EQ(assemble("jeq #1,lb,lb lb: ret #1"),
              (Program{insn(0x15, 0, 0, 1), insn(0x06, 0, 0, 1)}));
}

// --- refusals ----------------------------------------------------------------------------

TEST(AssemblerErrors, UnknownCharacter) {
    expect_error("ld #1\nret #1 $", 2, 8, "unknown character '$'");
    expect_error("ret a\r\n", 1, 6, "carriage return");
    expect_error("ret #-0x10", 1, 6, "unknown character '-'");
    expect_error("ret q", 1, 5, "unknown character 'q'");
}

TEST(AssemblerErrors, SyntaxErrorSaysWhatWasExpected) {
    expect_error("ld [x + 1\nret a", 2, 1, "ld: expected ']', found 'ret'");
    expect_error("jeq #1 out\nout: ret a", 1, 8, "jeq: expected ',', found 'out'");
    expect_error("ret", 1, 4, "ret: expected '#k', 'a' or 'x', found end of input");
    expect_error("ldb #1", 1, 5, "ldb: expected '[k]', '[x + k]' or an extension");
    expect_error("st #1", 1, 4, "st: expected 'M[k]', found '#'");
    expect_error("ldi len", 1, 5, "ldi: expected a number, found 'len'");
    expect_error("add a", 1, 5, "add: expected '#k' or 'x', found 'a'");
    expect_error("ret #1 ,", 1, 8, "expected an instruction or a label, found ','");
}

TEST(AssemblerErrors, OnlyJeqJgtJgeJsetTakeTwoLabels) {
    expect_error("jneq #1, a1, a2\na1: a2: ret a", 1, 12, "expected an instruction or a label");
    expect_error("jlt #1, a1, a2\na1: ret a", 1, 11, "expected an instruction or a label");
}

TEST(AssemblerErrors, UnknownInstructionLooksLikeAMissingColon) {
    expect_error("load #1", 1, 6, "expected ':' after label 'load'");
}

TEST(AssemblerErrors, LabelNeedsAnInstruction) {
    expect_error("ret a\nend:\n", 3, 1, "expected an instruction after label 'end', found end");
    expect_error("a1: a2: ret a", 1, 5, "expected an instruction after label 'a1'");
}

TEST(AssemblerErrors, UnknownLabelAtItsUse) {
    expect_error("ld #1\njeq #1, nowhere, l1\nl1: ret a", 2, 9, "unknown label 'nowhere'");
    expect_error("ja missing\nret a", 1, 4, "unknown label 'missing'");
}

TEST(AssemblerErrors, DuplicateLabelAtItsSecondDefinition) {
    expect_error("ja l1\nl1: ret #1\n l1: ret #2", 3, 2, "duplicate label 'l1'");
}

TEST(AssemblerErrors, BackwardOrSelfJumps) {
    expect_error("top: ld #1\njeq #1, top\nret a", 2, 9, "jeq to label 'top' jumps backward");
    expect_error("top: jneq #1, top\nret a", 1, 15, "jumps to itself");
    expect_error("top: ld #1\nja top", 2, 4, "ja to label 'top' jumps backward");
}

TEST(AssemblerErrors, ConditionalJumpFurtherThan255) {
    std::string text = "ld #1\njgt #1, l1, far\nl1: ld #0\n";
    for (int i = 0; i < 255; ++i) text += "ld #0\n";
    text += "far: ret a\n";
    expect_error(text, 2, 13, "skips 256 instructions");
}

TEST(AssemblerErrors, NumbersBeyondThirtyTwoBits) {
    expect_error("ret #0x100000000", 1, 6, "number '0x100000000' does not fit in 32 bits");
    expect_error("ret #4294967296", 1, 6, "does not fit in 32 bits");
    expect_error("ld\n [ 99999999999999999999999999 ]", 2, 4, "does not fit in 32 bits");
    expect_error("ret #-2147483649", 1, 6, "does not fit in 32 bits");
    expect_error("ret #0b100000000000000000000000000000000", 1, 6, "does not fit in 32 bits");
    expect_error("ret #040000000000", 1, 6, "does not fit in 32 bits");
}

TEST(AssemblerErrors, MalformedNumbers) {
    expect_error("ret #09", 1, 6, "malformed number '09' (a leading 0 makes it octal)");
    expect_error("ret #0b102", 1, 6, "malformed number '0b102'");
}

TEST(AssemblerErrors, IpHeaderLengthNeedsFourAndMask0xf) {
    expect_error("ldx 5*([14]&0xf)", 1, 5, "the multiplier must be 4, not 5");
    expect_error("ldxb 4*([14]&0x7)", 1, 14, "the mask must be 0xf, not 0x7");
    expect_error("ldxb #4", 1, 6, "ldxb: expected '4*([k]&0xf)', found '#'");
}

TEST(AssemblerErrors, MoreThan4096Instructions) {
    std::string text;
    for (int i = 0; i < 4096; ++i) text += "ret a\n";
    EXPECT_EQ(assemble(text).size(), 4096u);
    expect_error(text + "  ret a\n", 4097, 3, "more than 4096 instructions");
}

TEST(AssemblerErrors, EmptyProgram) {
    expect_error("", 1, 1, "no instructions");
    expect_error("; nothing\n/* at all */\n", 3, 1, "no instructions");
}

}  // namespace
}  // namespace bpfgen
