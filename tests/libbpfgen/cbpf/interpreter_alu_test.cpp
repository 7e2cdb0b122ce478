// interpreter_alu_test.cpp: 32-bit unsigned arithmetic on A with #k or X, division and
// modulo by an X of zero ending the program with verdict 0, shifts by X taking X's low five
// bits (as the kernel's eBPF does), negation, and the register moves tax/txa.
#include <gtest/gtest.h>

#include <cstdint>

#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/program_builders.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

// A = a; A op= #k; ret a
uint32_t with_k(uint32_t a, uint16_t operation, uint32_t k) {
    return run(CheckedProgram({ld_imm(a), alu_k(operation, k), ret_a()}), {}).verdict;
}

// X = x; A = a; A op= X; ret a
uint32_t with_x(uint32_t a, uint16_t operation, uint32_t x) {
    return run(CheckedProgram({ldx_imm(x), ld_imm(a), alu_x(operation), ret_a()}), {}).verdict;
}

TEST(InterpreterAlu, AddWrapsAround) {
    EXPECT_EQ(with_k(0xffffffff, op::kAdd, 2), 1u);
    EXPECT_EQ(with_x(40, op::kAdd, 2), 42u);
}

TEST(InterpreterAlu, SubWrapsAround) {
    EXPECT_EQ(with_k(1, op::kSub, 2), 0xffffffffu);
    EXPECT_EQ(with_x(44, op::kSub, 2), 42u);
}

TEST(InterpreterAlu, MulKeepsTheLow32Bits) {
    EXPECT_EQ(with_k(0x10000, op::kMul, 0x10001), 0x10000u);
    EXPECT_EQ(with_x(6, op::kMul, 7), 42u);
}

TEST(InterpreterAlu, DivIsUnsigned) {
    EXPECT_EQ(with_k(0xfffffffe, op::kDiv, 2), 0x7fffffffu);
    EXPECT_EQ(with_x(85, op::kDiv, 2), 42u);
}

TEST(InterpreterAlu, ModIsUnsigned) {
    EXPECT_EQ(with_k(0xffffffff, op::kMod, 10), 5u);
    EXPECT_EQ(with_x(142, op::kMod, 100), 42u);
}

TEST(InterpreterAlu, DivByXZeroStopsTheProgramWithVerdictZero) {
    const RunResult result =
        run(CheckedProgram({ldx_imm(0), ld_imm(7), alu_x(op::kDiv), ret_k(9)}), {});
    EXPECT_EQ(result.verdict, 0u);
    EXPECT_EQ(result.instructions, 3u);
}

TEST(InterpreterAlu, ModByXZeroStopsTheProgramWithVerdictZero) {
    EXPECT_EQ(run(CheckedProgram({ld_imm(7), alu_x(op::kMod), ret_k(9)}), {}).verdict, 0u);
}

TEST(InterpreterAlu, BitwiseOperations) {
    EXPECT_EQ(with_k(0xf0f0, op::kAnd, 0xff00), 0xf000u);
    EXPECT_EQ(with_x(0xf0f0, op::kAnd, 0x0ff0), 0x00f0u);
    EXPECT_EQ(with_k(0xf0f0, op::kOr, 0x0f00), 0xfff0u);
    EXPECT_EQ(with_x(0xf0f0, op::kOr, 0x000f), 0xf0ffu);
    EXPECT_EQ(with_k(0xf0f0, op::kXor, 0xff00), 0x0ff0u);
    EXPECT_EQ(with_x(0xf0f0, op::kXor, 0xffff), 0x0f0fu);
}

TEST(InterpreterAlu, ShiftsByK) {
    EXPECT_EQ(with_k(0x80000001, op::kLsh, 1), 2u);
    EXPECT_EQ(with_k(1, op::kLsh, 31), 0x80000000u);
    EXPECT_EQ(with_k(0x80000000, op::kRsh, 31), 1u);
    EXPECT_EQ(with_k(0x80000000, op::kRsh, 0), 0x80000000u);  // logical, not arithmetic
}

TEST(InterpreterAlu, ShiftsByXBelow32) {
    EXPECT_EQ(with_x(3, op::kLsh, 4), 48u);
    EXPECT_EQ(with_x(0x80000000, op::kRsh, 31), 1u);
}

TEST(InterpreterAlu, ShiftsByX32OrMoreUseTheLowFiveBitsOfX) {
    EXPECT_EQ(with_x(1, op::kLsh, 32), 1u);
    EXPECT_EQ(with_x(1, op::kLsh, 33), 2u);
    EXPECT_EQ(with_x(0x1000, op::kRsh, 36), 0x100u);
    EXPECT_EQ(with_x(0x80000000, op::kRsh, 0xffffffff), 1u);
}

TEST(InterpreterAlu, NegIsTwosComplement) {
    EXPECT_EQ(run(CheckedProgram({ld_imm(1), neg(), ret_a()}), {}).verdict, 0xffffffffu);
    EXPECT_EQ(run(CheckedProgram({ld_imm(0x80000000), neg(), ret_a()}), {}).verdict, 0x80000000u);
    EXPECT_EQ(run(CheckedProgram({neg(), ret_a()}), {}).verdict, 0u);
}

TEST(InterpreterAlu, TaxCopiesAToX) {
    EXPECT_EQ(run(CheckedProgram({ld_imm(5), tax(), ld_imm(0), txa(), ret_a()}), {}).verdict, 5u);
}

TEST(InterpreterAlu, TxaCopiesXToA) {
    EXPECT_EQ(run(CheckedProgram({ldx_imm(6), txa(), ret_a()}), {}).verdict, 6u);
}

TEST(InterpreterAlu, AAndXStartAtZero) {
    EXPECT_EQ(run(CheckedProgram({ret_a()}), {}).verdict, 0u);
    EXPECT_EQ(run(CheckedProgram({txa(), ret_a()}), {}).verdict, 0u);
}

}  // namespace
}  // namespace bpfgen
