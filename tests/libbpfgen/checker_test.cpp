// checker_test.cpp: each rule of the kernel's classic BPF checker refuses its program with
// the instruction index and a clear message; valid programs pass.
#include "libbpfgen/checker.h"

#include <gtest/gtest.h>

#include "libbpfgen/assembler.h"
#include "libbpfgen/format.h"
#include "tests/common/invalid_programs.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

TEST(Checker, RefusesEachRuleViolationWithIndexAndMessage) {
    for (const auto& invalid : bpftools::test::invalid_programs()) {
        SCOPED_TRACE(invalid.rule);
        try {
            check_kernel_rules(invalid.program);
            ADD_FAILURE() << "accepted";
        } catch (const CheckError& e) {
            EXPECT_EQ(e.index(), invalid.index);
            EXPECT_NE(std::string(e.what()).find(invalid.message), std::string::npos) << e.what();
        }
    }
}

TEST(Checker, AcceptsEveryReferenceProgram) {
    for (const auto& c : bpftools::test::load_reference_cases()) {
        if (c.rc != 0) continue;
        SCOPED_TRACE(c.describe());
        EXPECT_NO_THROW(check_kernel_rules(parse_xt_bpf(c.bytecode)));
    }
}

TEST(Checker, XtBpfAllowsAtMost64Instructions) {
    std::vector<Instruction> instructions(64, Instruction{op::kLd | op::kImm, 0, 0, 1});
    instructions.back() = Instruction{op::kRet | op::kRetA, 0, 0, 0};
    EXPECT_NO_THROW(check_kernel_rules(Program(instructions), CheckTarget::XtBpf));
    instructions.insert(instructions.begin(), Instruction{op::kLd | op::kImm, 0, 0, 2});
    EXPECT_NO_THROW(check_kernel_rules(Program(instructions), CheckTarget::Socket));
    try {
        check_kernel_rules(Program(instructions), CheckTarget::XtBpf);
        ADD_FAILURE() << "65 instructions accepted for xt_bpf";
    } catch (const CheckError& e) {
        EXPECT_NE(std::string(e.what()).find("xt_bpf allows at most 64"), std::string::npos);
    }
}

TEST(Checker, AcceptsScratchWrittenOnEveryPath) {
    EXPECT_NO_THROW(
        check_kernel_rules(assemble("ld #1\n"
                                    "jeq #1, yes, no\n"
                                    "yes: st M[4]\n"
                                    "ja join\n"
                                    "no: stx M[4]\n"
                                    "join: ldx M[4]\n"
                                    "ret a\n")));
}

TEST(Checker, AcceptsEveryKnownAncillaryLoad) {
    EXPECT_NO_THROW(check_kernel_rules(assemble(
        "ld #proto\nld #type\nld #ifidx\nld #nla\nld #nlan\nld #mark\nld #queue\nld #hatype\n"
        "ld #rxhash\nld #cpu\nld #vlan_tci\nld #vlan_avail\nld #poff\nld #rand\nld #vlan_tpid\n"
        "ldh #proto\nldb #type\nret a\n")));
}

TEST(Checker, AcceptsNegativeNetworkAndLinkLayerOffsets) {
    // SKF_NET_OFF and SKF_LL_OFF loads are below SKF_AD_OFF: the checker lets them through.
    EXPECT_NO_THROW(check_kernel_rules(Program{{op::kLd | op::kB | op::kAbs, 0, 0, 0xfff00009},
                                               {op::kLd | op::kH | op::kAbs, 0, 0, 0xffe0000c},
                                               {op::kRet | op::kRetA, 0, 0, 0}}));
}

TEST(Checker, AcceptsShiftBy31AndDivisionByNonZero) {
    EXPECT_NO_THROW(
        check_kernel_rules(assemble("ld #1\nlsh #31\nrsh #31\ndiv #3\nmod #7\nret a\n")));
}

}  // namespace
}  // namespace bpfgen
