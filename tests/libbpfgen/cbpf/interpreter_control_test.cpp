// interpreter_control_test.cpp: jumps (ja, and unsigned jeq/jgt/jge/jset against #k or X
// with their true and false offsets), ret #k / ret a, the count of executed instructions,
// and CheckedProgram refusing what the kernel refuses.
#include <gtest/gtest.h>

#include <cstdint>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/program_builders.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

// A = a; if (A op #k) ret #1 else ret #2
uint32_t branch_k(uint32_t a, uint16_t operation, uint32_t k) {
    return run(CheckedProgram({ld_imm(a), jmp_k(operation, k, 0, 1), ret_k(1), ret_k(2)}), {})
        .verdict;
}

// X = x; A = a; if (A op X) ret #1 else ret #2
uint32_t branch_x(uint32_t a, uint16_t operation, uint32_t x) {
    return run(CheckedProgram({ldx_imm(x), ld_imm(a), jmp_x(operation, 0, 1), ret_k(1), ret_k(2)}),
               {})
        .verdict;
}

TEST(InterpreterControl, JaSkipsKInstructions) {
    const RunResult result = run(CheckedProgram({ja(2), ret_k(1), ret_k(2), ret_k(3)}), {});
    EXPECT_EQ(result.verdict, 3u);
    EXPECT_EQ(result.instructions, 2u);
}

TEST(InterpreterControl, JaZeroGoesToTheNextInstruction) {
    EXPECT_EQ(run(CheckedProgram({ja(0), ret_k(1)}), {}).verdict, 1u);
}

TEST(InterpreterControl, Jeq) {
    EXPECT_EQ(branch_k(5, op::kJeq, 5), 1u);
    EXPECT_EQ(branch_k(5, op::kJeq, 6), 2u);
    EXPECT_EQ(branch_x(7, op::kJeq, 7), 1u);
    EXPECT_EQ(branch_x(7, op::kJeq, 8), 2u);
}

TEST(InterpreterControl, JgtIsUnsigned) {
    EXPECT_EQ(branch_k(6, op::kJgt, 5), 1u);
    EXPECT_EQ(branch_k(5, op::kJgt, 5), 2u);
    EXPECT_EQ(branch_k(0x80000000, op::kJgt, 1), 1u);
    EXPECT_EQ(branch_k(1, op::kJgt, 0xffffffff), 2u);
    EXPECT_EQ(branch_x(0xffffffff, op::kJgt, 0x7fffffff), 1u);
    EXPECT_EQ(branch_x(3, op::kJgt, 3), 2u);
}

TEST(InterpreterControl, JgeIsUnsigned) {
    EXPECT_EQ(branch_k(5, op::kJge, 5), 1u);
    EXPECT_EQ(branch_k(4, op::kJge, 5), 2u);
    EXPECT_EQ(branch_k(0xffffffff, op::kJge, 0x80000000), 1u);
    EXPECT_EQ(branch_x(9, op::kJge, 9), 1u);
    EXPECT_EQ(branch_x(8, op::kJge, 0xfffffff0), 2u);
}

TEST(InterpreterControl, JsetTestsAnyCommonBit) {
    EXPECT_EQ(branch_k(0x12, op::kJset, 0x02), 1u);
    EXPECT_EQ(branch_k(0x12, op::kJset, 0x0d), 2u);
    EXPECT_EQ(branch_k(0x80000000, op::kJset, 0x80000000), 1u);
    EXPECT_EQ(branch_x(0x12, op::kJset, 0x10), 1u);
    EXPECT_EQ(branch_x(0x12, op::kJset, 0), 2u);
}

TEST(InterpreterControl, TrueAndFalseOffsetsAreRelativeToTheNextInstruction) {
    // 0: ld #3; 1: jgt #2, 3, 1 -> true: 5, false: 3
    const Program program{ld_imm(3), jmp_k(op::kJgt, 2, 3, 1), ret_k(10), ret_k(11), ret_k(12),
                          ret_k(13)};
    EXPECT_EQ(run(CheckedProgram(program), {}).verdict, 13u);
    Program not_taken = program;
    not_taken[0] = ld_imm(1);
    EXPECT_EQ(run(CheckedProgram(not_taken), {}).verdict, 11u);
}

TEST(InterpreterControl, LongestConditionalJump) {
    std::vector<Instruction> list{jmp_k(op::kJeq, 0, 255, 0)};
    for (int i = 0; i < 255; ++i) list.push_back(ret_k(1));
    list.push_back(ret_k(2));
    EXPECT_EQ(run(CheckedProgram(Program(std::move(list))), {}).verdict, 2u);
}

TEST(InterpreterControl, RetKReturnsK) {
    EXPECT_EQ(run(CheckedProgram({ret_k(0xffffffff)}), {}).verdict, 0xffffffffu);
    EXPECT_EQ(run(CheckedProgram({ret_k(0)}), {}).verdict, 0u);
}

TEST(InterpreterControl, RetAReturnsA) {
    EXPECT_EQ(run(CheckedProgram({ld_imm(1514), ret_a()}), {}).verdict, 1514u);
}

TEST(InterpreterControl, InstructionsCountsWhatRanNotTheProgramLength) {
    // ld #1; jeq #1, 0, 2; ld #2; ret a; ret #0: 4 run (0, 1, 2, 3) when taken.
    const CheckedProgram program(
        {ld_imm(1), jmp_k(op::kJeq, 1, 0, 2), ld_imm(2), ret_a(), ret_k(0)});
    EXPECT_EQ(run(program, {}).instructions, 4u);
    const CheckedProgram not_taken(
        {ld_imm(0), jmp_k(op::kJeq, 1, 0, 2), ld_imm(2), ret_a(), ret_k(0)});
    EXPECT_EQ(run(not_taken, {}).instructions, 3u);
}

TEST(InterpreterControl, ProgramCanBeRunManyTimes) {
    const CheckedProgram program({ld_b(0), ret_a()});
    const std::vector<uint8_t> one = {1};
    const std::vector<uint8_t> two = {2};
    EXPECT_EQ(run(program, one).verdict, 1u);
    EXPECT_EQ(run(program, two).verdict, 2u);
    EXPECT_EQ(run(program, one).verdict, 1u);
}

TEST(CheckedProgram, RefusesWhatTheKernelRefuses) {
    EXPECT_THROW(CheckedProgram({ld_imm(0)}), CheckError);
    EXPECT_THROW(CheckedProgram({ld_mem(3), ret_a()}), CheckError);
}

TEST(CheckedProgram, AppliesTheXtBpfLimitWhenAskedTo) {
    const Program program(std::vector<Instruction>(65, ret_k(0)));
    EXPECT_NO_THROW(CheckedProgram(program, CheckTarget::Socket));
    EXPECT_THROW(CheckedProgram(program, CheckTarget::XtBpf), CheckError);
}

TEST(CheckedProgram, KeepsTheProgram) {
    const Program program{ld_h(12), ret_a()};
    EXPECT_EQ(CheckedProgram(program).program(), program);
}

}  // namespace
}  // namespace bpfgen
