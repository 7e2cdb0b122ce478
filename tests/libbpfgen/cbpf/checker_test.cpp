// checker_test.cpp: the kernel's rules for classic BPF as check_kernel_rules applies them:
// each refused program of the shared table with the instruction and reason named, each
// accepted one close to a rule's edge, the generators' recorded bytecode, and random raw
// programs decided as the kernel's rules, written out again in the test, decide them.
#include "libbpfgen/cbpf/checker.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/common/invalid_programs.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

using bpftools::test::invalid_programs;
using bpftools::test::valid_programs;

class CheckerRefuses : public testing::TestWithParam<bpftools::test::InvalidProgram> {};

TEST_P(CheckerRefuses, NamingTheInstructionAndTheRule) {
    const auto& refused = GetParam();
    try {
        check_kernel_rules(refused.program, refused.target);
        ADD_FAILURE() << "accepted " << format_xt_bpf(refused.program);
    } catch (const CheckError& error) {
        EXPECT_EQ(error.index(), refused.index) << error.what();
        const std::string message = error.what();
        EXPECT_NE(message.find(refused.message), std::string::npos)
            << "message: " << message << "\nshould contain: " << refused.message;
        EXPECT_EQ(message.rfind("instruction " + std::to_string(refused.index) + ": ", 0), 0u)
            << message;
    }
}

INSTANTIATE_TEST_SUITE_P(KernelRules, CheckerRefuses, testing::ValuesIn(invalid_programs()),
                         [](const auto& info) { return info.param.rule; });

class CheckerAccepts : public testing::TestWithParam<bpftools::test::ValidProgram> {};

TEST_P(CheckerAccepts, ProgramWithinTheRules) {
    const auto& accepted = GetParam();
    EXPECT_NO_THROW(check_kernel_rules(accepted.program, accepted.target));
}

INSTANTIATE_TEST_SUITE_P(KernelRules, CheckerAccepts, testing::ValuesIn(valid_programs()),
                         [](const auto& info) { return info.param.rule; });

TEST(Checker, XtBpfLimitDoesNotApplyToSockets) {
    const Program program = bpftools::test::filled_program(64, bpftools::test::insn::ld_imm(0));
    EXPECT_NO_THROW(check_kernel_rules(program, CheckTarget::Socket));
    EXPECT_THROW(check_kernel_rules(program, CheckTarget::XtBpf), CheckError);
}

TEST(Checker, TheSocketTargetIsTheDefault) {
    EXPECT_NO_THROW(
        check_kernel_rules(bpftools::test::filled_program(100, bpftools::test::insn::ld_imm(0))));
}

TEST(Checker, CheckErrorIsAnError) {
    // Tools map library errors to exit codes through the common base.
    EXPECT_THROW(check_kernel_rules(Program{}), Error);
}

TEST(Checker, AcceptsEveryRecordedBytecodeOfTheOriginalForXtBpf) {
    std::size_t checked = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0 || reference.bytecode.empty()) continue;
        const Program program = parse_xt_bpf(reference.bytecode);
        EXPECT_NO_THROW(check_kernel_rules(program, CheckTarget::XtBpf)) << reference.describe();
        ++checked;
    }
    EXPECT_GT(checked, 100u);
}

// The kernel's rules written out again, as plainly as possible and without the library's
// opcode table: the index of the first instruction the kernel would refuse, or nullopt.
std::optional<std::size_t> first_violation(const Program& program) {
    // chk_code_allowed's list, in hex.
    static const std::set<uint16_t> allowed = {
        0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44,
        0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x20, 0x28, 0x30, 0x80, 0x40,
        0x48, 0x50, 0x00, 0x60, 0x81, 0xb1, 0x01, 0x61, 0x02, 0x03, 0x07, 0x87, 0x06,
        0x16, 0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d};
    const std::size_t length = program.size();
    if (length == 0) return 0;
    if (length > 4096) return 4096;
    for (std::size_t pc = 0; pc < length; ++pc) {
        const Instruction& insn = program[pc];
        const uint32_t k = insn.k;
        if (allowed.count(insn.code) == 0) return pc;
        const bool refused =
            ((insn.code == 0x34 || insn.code == 0x94) && k == 0) ||
            ((insn.code == 0x64 || insn.code == 0x74) && k >= 32) ||
            ((insn.code == 0x60 || insn.code == 0x61 || insn.code == 0x02 || insn.code == 0x03) &&
             k >= 16) ||
            (insn.code == 0x05 && uint64_t{pc} + 1 + k >= length) ||
            ((insn.code & 0x07) == 0x05 && insn.code != 0x05 &&
             (pc + 1 + insn.jt >= length || pc + 1 + insn.jf >= length)) ||
            ((insn.code == 0x20 || insn.code == 0x28 || insn.code == 0x30) && k >= 0xfffff000 &&
             !((k - 0xfffff000) % 4 == 0 && k - 0xfffff000 <= 60));
        if (refused) return pc;
    }
    if (program[length - 1].code != 0x06 && program[length - 1].code != 0x16) return length - 1;
    // check_load_and_stores: a bit per cell known written; jumps narrow their targets.
    std::vector<uint16_t> known_at(length, 0xffff);
    uint16_t known = 0;
    for (std::size_t pc = 0; pc < length; ++pc) {
        const Instruction& insn = program[pc];
        known &= known_at[pc];
        if (insn.code == 0x02 || insn.code == 0x03) known |= 1u << insn.k;
        if ((insn.code == 0x60 || insn.code == 0x61) && (known & (1u << insn.k)) == 0) return pc;
        if (insn.code == 0x05) {
            known_at[pc + 1 + insn.k] &= known;
            known = 0xffff;
        } else if ((insn.code & 0x07) == 0x05) {
            known_at[pc + 1 + insn.jt] &= known;
            known_at[pc + 1 + insn.jf] &= known;
            known = 0xffff;
        }
    }
    return std::nullopt;
}

// Short raw programs, mostly of allowed codes with fields near the rules' edges, so that
// about half pass: every rule is met both ways many times.
Program random_raw_program(bpftools::test::RandomSource& random) {
    static const std::vector<uint16_t> common = {0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x15,
                                                 0x16, 0x1d, 0x20, 0x28, 0x30, 0x34, 0x40, 0x45,
                                                 0x60, 0x61, 0x64, 0x74, 0x80, 0x87, 0x94, 0xb1};
    static const std::vector<uint32_t> constants = {
        0,          1,          2,          15,         16,         31,        32,
        0xfffff000, 0xfffff004, 0xfffff03c, 0xfffff040, 0xfffff002, 0xffffffff};
    const std::size_t length = 1 + random.below(7);
    std::vector<Instruction> instructions;
    for (std::size_t pc = 0; pc < length; ++pc) {
        Instruction insn;
        insn.code =
            random.chance(90) ? random.pick(common) : static_cast<uint16_t>(random.below(0x100));
        insn.k = random.chance(70) ? random.pick(constants) : random.below(8);
        if ((insn.code & 0x07) == 0x05 || random.chance(3)) {
            insn.jt = static_cast<uint8_t>(random.below(4));
            insn.jf = static_cast<uint8_t>(random.below(4));
        }
        instructions.push_back(insn);
    }
    if (random.chance(85))
        instructions.back() =
            Instruction{random.chance(50) ? uint16_t{0x06} : uint16_t{0x16}, 0, 0, 0};
    return Program(std::move(instructions));
}

TEST(Checker, DecidesRandomRawProgramsAsTheKernelsRulesWrittenOutAgain) {
    bpftools::test::RandomSource random(0xc4ec);
    std::size_t accepted = 0;
    std::size_t refused = 0;
    for (int i = 0; i < 200000; ++i) {
        const Program program = random_raw_program(random);
        const std::optional<std::size_t> expected = first_violation(program);
        try {
            check_kernel_rules(program);
            ASSERT_FALSE(expected) << "accepted, but instruction " << *expected
                                   << " breaks a rule: " << format_xt_bpf(program);
            ++accepted;
        } catch (const CheckError& error) {
            ASSERT_TRUE(expected) << "refused a valid program: " << error.what() << "\n"
                                  << format_xt_bpf(program);
            ASSERT_EQ(error.index(), *expected) << error.what() << "\n" << format_xt_bpf(program);
            ++refused;
        }
    }
    EXPECT_GT(accepted, 20000u);
    EXPECT_GT(refused, 20000u);
}

// 64 instructions fit iptables' bpf match; the warning names the length and the limit.
TEST(Checker, WarnsOfAProgramLongerThanXtBpfTakes) {
    const auto returns = [](std::size_t count) {
        return Program(std::vector<Instruction>(count, Instruction{0x06, 0, 0, 0}));
    };
    EXPECT_EQ(xt_bpf_length_warning(returns(64)), std::nullopt);
    EXPECT_EQ(xt_bpf_length_warning(returns(65)),
              "65 instructions; iptables' bpf match (xt_bpf) takes at most 64");
}

}  // namespace
}  // namespace bpfgen
