// checker_test.cpp: the kernel's rules for classic BPF as check_kernel_rules applies them:
// each refused program of the shared table with the instruction and reason named, each
// accepted one close to a rule's edge, the generators' recorded bytecode, and random
// programs from the shared generator.
#include "libbpfgen/cbpf/checker.h"

#include <gtest/gtest.h>

#include <string>

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

TEST(Checker, AcceptsRandomProgramsOfTheSharedGenerator) {
    bpftools::test::RandomPrograms generator(
        7,
        {.max_length = 200, .ancillary_loads = true, .shifts_by_x = true, .indexed_offsets = true});
    for (int i = 0; i < 500; ++i) {
        const Program program = generator.next();
        ASSERT_NO_THROW(check_kernel_rules(program)) << format_xt_bpf(program);
    }
}

}  // namespace
}  // namespace bpfgen
