// interpreter_scratch_test.cpp: the sixteen scratch memory cells M[0]..M[15]: st/stx
// write A/X, ld/ldx read them back, cells are independent, and nothing of one run is seen
// by the next (the checker only lets a program read a cell it wrote on every path).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/program_builders.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

uint32_t verdict(Program program, const std::vector<uint8_t>& packet = {}) {
    return run(CheckedProgram(std::move(program)), packet).verdict;
}

TEST(InterpreterScratch, StThenLdRoundTripsA) {
    EXPECT_EQ(verdict({ld_imm(0xabcdef01), st(3), ld_imm(0), ld_mem(3), ret_a()}), 0xabcdef01u);
}

TEST(InterpreterScratch, StxThenLdxRoundTripsX) {
    EXPECT_EQ(verdict({ldx_imm(77), stx(15), ldx_imm(0), ldx_mem(15), txa(), ret_a()}), 77u);
}

TEST(InterpreterScratch, StoresOfAAndXShareTheCells) {
    EXPECT_EQ(verdict({ldx_imm(5), stx(0), ld_mem(0), ret_a()}), 5u);
    EXPECT_EQ(verdict({ld_imm(6), st(1), ldx_mem(1), txa(), ret_a()}), 6u);
}

TEST(InterpreterScratch, CellsAreIndependent) {
    std::vector<Instruction> list;
    for (uint32_t cell = 0; cell < op::kMemWords; ++cell) {
        list.push_back(ld_imm(100 + cell));
        list.push_back(st(cell));
    }
    // A = M[0] + M[7] + M[15] = 100 + 107 + 115
    list.insert(list.end(), {ld_mem(7), tax(), ld_mem(0), alu_x(op::kAdd), tax(), ld_mem(15),
                             alu_x(op::kAdd), ret_a()});
    EXPECT_EQ(verdict(Program(std::move(list))), 322u);
}

TEST(InterpreterScratch, LaterStoreOverwrites) {
    EXPECT_EQ(verdict({ld_imm(1), st(2), ld_imm(2), st(2), ld_mem(2), ret_a()}), 2u);
}

TEST(InterpreterScratch, WriteOnEveryPathBeforeTheRead) {
    // ldb [0]; jeq #1, one, other; one: st M[4] (A = 1); ja read; other: stx M[4] (X = 0);
    // read: ld M[4]; ret a
    const CheckedProgram program(
        {ld_b(0), jmp_k(op::kJeq, 1, 0, 2), st(4), ja(1), stx(4), ld_mem(4), ret_a()});
    const std::vector<uint8_t> one = {1};
    const std::vector<uint8_t> other = {2};
    EXPECT_EQ(run(program, one).verdict, 1u);
    EXPECT_EQ(run(program, other).verdict, 0u);
}

TEST(InterpreterScratch, NothingCarriesOverBetweenRuns) {
    // The cell is written from the packet each run; a stale value would show.
    const CheckedProgram program({ld_b(0), st(9), ld_imm(0), ld_mem(9), ret_a()});
    const std::vector<uint8_t> first = {200};
    const std::vector<uint8_t> second = {3};
    EXPECT_EQ(run(program, first).verdict, 200u);
    EXPECT_EQ(run(program, second).verdict, 3u);
}

}  // namespace
}  // namespace bpfgen
