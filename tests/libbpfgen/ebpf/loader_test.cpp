// loader_test.cpp: what the loader says when the kernel's verifier refuses a program: one
// line naming the rule the verifier stopped in (or the program's prologue, or the program)
// and the verifier's own reason. The programs are crafted eBPF, refused on purpose.
#include "libbpfgen/ebpf/loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/base/error.h"

namespace bpfgen::ebpf {
namespace {

class VerifierRefusalTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string reason;
        if (!bpf_available(reason)) GTEST_SKIP() << "bpf() is not permitted here: " << reason;
    }

    // The message load_xdp throws for one crafted program holding `rules` rules.
    static std::string refusal(Program program, std::size_t rules,
                               const std::vector<std::string>& names) {
        CompiledXdp compiled;
        compiled.programs.push_back(std::move(program));
        compiled.first_rule = {0};
        compiled.rule_count = rules;
        try {
            load_xdp(compiled, names);
        } catch (const Error& error) {
            return error.what();
        }
        ADD_FAILURE() << "the verifier took the program";
        return "";
    }
};

// The packet pointers, as every compiled program starts.
Program with_packet_pointers() {
    Program program;
    program << load(Size::U32, R8, R1, 0) << load(Size::U32, R9, R1, 4);
    return program;
}

void passes(Program& program) {
    program << mov64(R0, 2) << exit_program();
}

void expect_one_line(const std::string& message) {
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_FALSE(message.empty());
}

TEST_F(VerifierRefusalTest, APacketLoadWithoutBoundsCheckNamesItsRuleAndTheReason) {
    Program program = with_packet_pointers();
    program.label(CompiledXdp::rule_label(0));
    program << load(Size::U8, R0, R8, 0);
    passes(program);
    const std::string message = refusal(std::move(program), 1, {"dns -- *.example.com"});
    std::printf("refusal: %s\n", message.c_str());
    expect_one_line(message);
    EXPECT_TRUE(
        message.starts_with("the verifier refused rule 'dns -- *.example.com' (5 instructions): "))
        << message;
    EXPECT_NE(message.find("outside of the packet"), std::string::npos) << message;
}

TEST_F(VerifierRefusalTest, TheRuleNamedIsTheOneTheVerifierStoppedIn) {
    Program program = with_packet_pointers();
    program.label(CompiledXdp::rule_label(0));
    program << mov64(R2, R8) << alu64(Alu::Add, R2, 1) << jump_if(Jump::Gt, R2, R9, "rule 1")
            << load(Size::U8, R0, R8, 0);
    program.label(CompiledXdp::rule_label(1));
    program << load(Size::U8, R0, R8, 4);  // past the byte rule 0 checked, and unchecked
    passes(program);
    const std::string message = refusal(std::move(program), 2, {"first", "second"});
    std::printf("refusal: %s\n", message.c_str());
    expect_one_line(message);
    EXPECT_NE(message.find("refused rule 'second'"), std::string::npos) << message;
    EXPECT_NE(message.find("outside of the packet"), std::string::npos) << message;
}

TEST_F(VerifierRefusalTest, ARefusalBeforeTheFirstRuleNamesThePrologue) {
    Program program;
    program << mov64(R0, R3);  // r3 holds nothing at the start
    program.label(CompiledXdp::rule_label(0));
    passes(program);
    const std::string message = refusal(std::move(program), 1, {"rule"});
    std::printf("refusal: %s\n", message.c_str());
    expect_one_line(message);
    EXPECT_NE(message.find("refused the program's prologue"), std::string::npos) << message;
    EXPECT_NE(message.find("R3 !read_ok"), std::string::npos) << message;
}

TEST_F(VerifierRefusalTest, ARefusalOfTheWholeProgramSaysSo) {
    // Code after the exit that no jump reaches: refused before any instruction is run.
    Program program;
    passes(program);
    program << mov64(R0, 1) << exit_program();
    const std::string message = refusal(std::move(program), 0, {});
    std::printf("refusal: %s\n", message.c_str());
    expect_one_line(message);
    EXPECT_TRUE(message.starts_with("the verifier refused the program (4 instructions): "))
        << message;
    EXPECT_NE(message.find("unreachable insn 2"), std::string::npos) << message;
}

}  // namespace
}  // namespace bpfgen::ebpf
