// stepper_test.cpp: the single-step machine of libbpfgen/cbpf/stepper.h: its state after
// each instruction on small hand programs (registers, scratch memory, jumps, the end of the
// program), and its verdicts and instruction counts against the fast interpreter, the JIT
// and the reference interpreter of tests/common/reference_interpreter.h on random programs
// with every instruction family, random packets and random skb contexts.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/stepper.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_interpreter.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;
using Bytes = std::vector<uint8_t>;

const Bytes kPacket = {0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x08, 0x00, 0x11, 0x22};

TEST(Stepper, StartsWithEveryRegisterZeroAtTheFirstInstruction) {
    const CheckedProgram program(Program{ret_k(1)}, Engine::Interpreter);
    const Stepper stepper(program, kPacket);
    EXPECT_EQ(stepper.state(), MachineState{});
    EXPECT_FALSE(stepper.finished());
    EXPECT_EQ(stepper.instructions(), 0u);
}

TEST(Stepper, ShowsTheRegistersAndScratchMemoryAfterEachInstruction) {
    const CheckedProgram program(
        Program{ld_h(2), st(3), ldx_msh(0), stx(15), alu_x(op::kAdd), ret_a()},
        Engine::Interpreter);
    Stepper stepper(program, kPacket);
    EXPECT_EQ(stepper.step(), std::nullopt);
    EXPECT_EQ(stepper.state().a, 0x1cu);
    EXPECT_EQ(stepper.state().pc, 1u);
    stepper.step();
    EXPECT_EQ(stepper.state().memory[3], 0x1cu);
    stepper.step();
    EXPECT_EQ(stepper.state().x, 20u);  // 4 * (0x45 & 0xf)
    EXPECT_EQ(stepper.state().a, 0x1cu);
    stepper.step();
    EXPECT_EQ(stepper.state().memory[15], 20u);
    stepper.step();
    EXPECT_EQ(stepper.state().a, 0x1cu + 20);
    EXPECT_EQ(stepper.state().pc, 5u);
    EXPECT_EQ(stepper.step(), std::optional<uint32_t>(0x1c + 20));
    EXPECT_TRUE(stepper.finished());
    EXPECT_EQ(stepper.instructions(), 6u);
    // The state stays as the return left it.
    EXPECT_EQ(stepper.state().pc, 5u);
}

TEST(Stepper, FollowsConditionalJumpsAndJa) {
    const CheckedProgram program(
        Program{ld_h(6), jmp_k(op::kJeq, 0x0800, 1, 0), ret_k(0), ja(1), ret_k(1), ret_k(2)},
        Engine::Interpreter);
    Stepper stepper(program, kPacket);
    stepper.step();
    stepper.step();
    EXPECT_EQ(stepper.state().pc, 3u);
    stepper.step();
    EXPECT_EQ(stepper.state().pc, 5u);
    EXPECT_EQ(stepper.step(), std::optional<uint32_t>(2));
}

TEST(Stepper, EndsWithVerdictZeroOnALoadPastTheEndAndOnDivisionByZero) {
    const CheckedProgram past_end(Program{ld_w(8), ret_k(1)}, Engine::Interpreter);
    Stepper load(past_end, kPacket);
    EXPECT_EQ(load.step(), std::optional<uint32_t>(0));
    EXPECT_EQ(load.state().pc, 0u);  // the instruction that ended the program
    const CheckedProgram division(Program{ld_imm(7), alu_x(op::kDiv), ret_k(1)},
                                  Engine::Interpreter);
    Stepper divide(division, kPacket);
    EXPECT_EQ(divide.finish(), 0u);
    EXPECT_EQ(divide.instructions(), 2u);
}

TEST(Stepper, RefusesToStepPastTheEnd) {
    const CheckedProgram program(Program{ret_k(3)}, Engine::Interpreter);
    Stepper stepper(program, kPacket);
    EXPECT_EQ(stepper.finish(), 3u);
    EXPECT_THROW(stepper.step(), Error);
}

TEST(Stepper, SeesTheWireLengthAndTheSkbContext) {
    const CheckedProgram program(
        Program{ld_len(), tax(), ld_ancillary(ancillary::kProtocol, op::kB), alu_x(op::kAdd),
                ret_a()},
        Engine::Interpreter);
    SkbContext context;
    context.protocol = 0x86dd;
    Stepper stepper(program, kPacket, context, 1500);
    EXPECT_EQ(stepper.finish(), 1500u + 0x86dd);
}

// --- Against the other engines -----------------------------------------------------------

testing::AssertionResult agrees(const CheckedProgram& interpreted, const CheckedProgram& compiled,
                                std::span<const uint8_t> packet, const SkbContext& context,
                                std::size_t wire_length) {
    Stepper stepper(interpreted, packet, context, wire_length);
    const uint32_t stepped = stepper.finish();
    const RunResult fast = run(interpreted, packet, context, wire_length);
    const auto reference =
        bpftools::test::reference_run(interpreted.program(), packet, context, wire_length);
    const uint32_t jit = verdict(compiled, packet, context, wire_length);
    if (stepped == fast.verdict && stepper.instructions() == fast.instructions &&
        stepped == reference.verdict && stepper.instructions() == reference.instructions &&
        stepped == jit) {
        return testing::AssertionSuccess();
    }
    return testing::AssertionFailure()
           << "stepper " << stepped << " after " << stepper.instructions() << ", interpreter "
           << fast.verdict << " after " << fast.instructions << ", reference " << reference.verdict
           << " after " << reference.instructions << ", machine code " << jit << "\nprogram "
           << format_xt_bpf(interpreted.program()) << "\nwire length " << wire_length;
}

TEST(Stepper, AgreesWithTheInterpreterTheJitAndTheReferenceOnRandomPrograms) {
    bpftools::test::RandomProgramOptions options;
    options.max_length = 48;
    options.ancillary_loads = true;
    options.shifts_by_x = true;
    options.indexed_offsets = true;
    options.max_packet_offset = 48;
    bpftools::test::RandomPrograms generator(0xdb9, options);
    bpftools::test::RandomSource& random = generator.random();
    std::size_t runs = 0;
    std::size_t accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        const Program program = generator.next();
        const CheckedProgram interpreted(program, Engine::Interpreter);
        const CheckedProgram compiled(program);
        for (int j = 0; j < 6; ++j) {
            const Bytes packet = bpftools::test::random_packet(random, 64);
            const SkbContext context =
                random.chance(30) ? SkbContext{}
                                  : bpftools::test::random_skb_context(random, packet.size());
            const std::size_t wire = random.chance(50) ? 0 : packet.size() + random.below(100);
            ASSERT_TRUE(agrees(interpreted, compiled, packet, context, wire));
            ++runs;
            accepted += Stepper(interpreted, packet, context, wire).finish() != 0;
        }
    }
    // Verdicts of both kinds, so the comparison covers more than early drops.
    EXPECT_GT(accepted, runs / 10);
    EXPECT_LT(accepted, runs * 9 / 10);
}

}  // namespace
}  // namespace bpfgen
