// opcode_table_test.cpp: the opcode table against itself and against the consumers that read
// it: one entry per code and per operation, the entries' mnemonics and operand forms as the
// assembler parses them back, the kernel's accepted set as the checker applies it, and the
// extension names as the assembler reads them.
#include "libbpfgen/cbpf/opcode_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/disassembler.h"
#include "tests/common/program_builders.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

TEST(OpcodeTable, HasOneEntryPerCodeAndPerOperation) {
    std::set<uint16_t> codes;
    for (std::size_t i = 0; i < kOpcodes.size(); ++i) {
        EXPECT_TRUE(codes.insert(kOpcodes[i].code).second) << kOpcodes[i].mnemonic;
        EXPECT_EQ(&opcode_of(kOpcodes[i].operation), &kOpcodes[i]);
        EXPECT_EQ(find_opcode(kOpcodes[i].code), &kOpcodes[i]);
    }
    EXPECT_EQ(find_opcode(0xffff), nullptr);
}

TEST(OpcodeTable, EveryEntryIsWhatTheAssemblerMakesOfItsDisassembly) {
    for (const OpcodeInfo& info : kOpcodes) {
        Instruction instruction{info.code, 0, 0, 0};
        if (info.uses_k()) instruction.k = info.operand == OperandForm::JumpOffset ? 1 : 5;
        if (info.uses_jt_jf()) instruction.jf = 1;
        const Program program{instruction, ret_k(0), ret_k(1)};
        const std::string text = disassemble(program);
        EXPECT_EQ(assemble(text), program) << text;
        const std::string mnemonic(info.uses_jt_jf() && !info.negated_mnemonic.empty()
                                       ? info.negated_mnemonic
                                       : info.mnemonic);
        EXPECT_EQ(text.find("    " + mnemonic + (info.operand == OperandForm::None ? "\n" : " ")),
                  0u)
            << text;
    }
}

TEST(OpcodeTable, TheKernelAcceptsTheMarkedEntriesAndNoOtherCode) {
    std::size_t accepted = 0;
    for (uint32_t code = 0; code <= 0xffff; ++code) {
        const OpcodeInfo* info = find_opcode(static_cast<uint16_t>(code));
        // k == 1 and a write of M[1] first keep every other rule out of the way.
        const Program program{st(1), code_k(static_cast<uint16_t>(code), 1), ret_k(0), ret_k(0)};
        bool refused_opcode = false;
        try {
            check_kernel_rules(program);
        } catch (const CheckError& error) {
            refused_opcode =
                error.index() == 1 && std::string(error.what()).find("opcode") != std::string::npos;
        }
        EXPECT_EQ(!refused_opcode, info != nullptr && info->kernel_accepts) << code;
        accepted += !refused_opcode;
    }
    EXPECT_EQ(accepted, 49u);  // chk_code_allowed's list
}

TEST(OpcodeTable, EveryExtensionNameAssemblesToItsLoad) {
    std::set<std::string_view> names;
    for (const AncillaryExtension& extension : kAncillaryExtensions) {
        EXPECT_EQ(find_extension(ancillary::kOffset + extension.offset), &extension);
        if (extension.name.empty()) continue;  // SKF_AD_ALU_XOR_X has no bpf_asm name
        EXPECT_TRUE(names.insert(extension.name).second) << extension.name;
        for (const std::string prefix : {"#", ""}) {
            EXPECT_EQ(assemble("ldh " + prefix + std::string(extension.name) + "\nret a"),
                      (Program{ld_ancillary(extension.offset, op::kH), ret_a()}))
                << extension.name;
        }
    }
    EXPECT_EQ(assemble("ld #vlan_pr\nret a"),
              (Program{ld_ancillary(ancillary::kVlanTagPresent), ret_a()}));
    EXPECT_EQ(find_extension(ancillary::kOffset + ancillary::kMax), nullptr);
    EXPECT_EQ(find_extension(ancillary::kOffset - 1), nullptr);
}

}  // namespace
}  // namespace bpfgen
