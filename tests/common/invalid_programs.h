// invalid_programs.h: the table of programs the kernel refuses, one or more per rule of
// bpf_check_classic, with the instruction and message the checker must name, and a table of
// programs it accepts, close to each rule's edge. checker_test.cpp holds the checker to
// them; kernel_agreement_test.cpp holds the running kernel to the same verdicts.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/cbpf/program.h"
#include "tests/common/program_builders.h"

namespace bpftools::test {

struct InvalidProgram {
    std::string rule;  // a test name: letters and digits
    bpfgen::Program program;
    std::size_t index;    // the instruction CheckError names
    std::string message;  // a fragment of its message
    bpfgen::CheckTarget target = bpfgen::CheckTarget::Socket;

    friend void PrintTo(const InvalidProgram& refused, std::ostream* out) { *out << refused.rule; }
};

struct ValidProgram {
    std::string rule;  // a test name: letters and digits
    bpfgen::Program program;
    bpfgen::CheckTarget target = bpfgen::CheckTarget::Socket;

    friend void PrintTo(const ValidProgram& accepted, std::ostream* out) { *out << accepted.rule; }
};

// `count` copies of `filler` followed by `ret #0`.
inline bpfgen::Program filled_program(std::size_t count, const bpfgen::Instruction& filler) {
    std::vector<bpfgen::Instruction> instructions(count, filler);
    instructions.push_back(insn::ret_k(0));
    return bpfgen::Program(std::move(instructions));
}

// `first`, then `count` copies of `filler`, then `last`.
inline bpfgen::Program framed_program(const bpfgen::Instruction& first, std::size_t count,
                                      const bpfgen::Instruction& filler,
                                      const bpfgen::Instruction& last) {
    std::vector<bpfgen::Instruction> instructions{first};
    instructions.insert(instructions.end(), count, filler);
    instructions.push_back(last);
    return bpfgen::Program(std::move(instructions));
}

inline std::vector<InvalidProgram> invalid_programs() {
    using namespace insn;
    namespace ad = bpfgen::ancillary;
    using bpfgen::CheckTarget;
    using bpfgen::Program;
    return {
        {"Empty", Program{}, 0, "the program is empty"},
        {"LongerThan4096", filled_program(4096, ld_imm(0)), 4096,
         "4097 instructions, the kernel allows at most 4096"},
        {"LongerThan64ForXtBpf", filled_program(64, ld_imm(0)), 64,
         "65 instructions, xt_bpf allows at most 64", CheckTarget::XtBpf},
        {"RetX", Program{ld_imm(0), code_k(op::kRet | op::kX)}, 1,
         "opcode 0x0e is not an instruction the kernel accepts"},
        {"SeccompLoad", Program{code_k(op::kLdx | op::kW | op::kAbs, 0), ret_a()}, 0,
         "opcode 0x21 is not an instruction the kernel accepts"},
        {"LoadHalfImmediate", Program{code_k(op::kLd | op::kH | op::kImm, 1), ret_a()}, 0,
         "opcode 0x08"},
        {"NegOfX", Program{code_k(op::kAlu | op::kNeg | op::kX), ret_a()}, 0, "opcode 0x8c"},
        {"UnknownAluOperation", Program{code_k(op::kAlu | 0xb0, 1), ret_a()}, 0, "opcode 0xb4"},
        {"JumpOperationOfEbpf", Program{jmp_k(0x50, 0, 0, 0), ret_a()}, 0, "opcode 0x55"},
        {"HighBitsSet", Program{code_k(0x8006, 0)}, 0, "opcode 0x8006"},
        {"DivisionByConstantZero", Program{ld_imm(1), alu_k(op::kDiv, 0), ret_a()}, 1,
         "division by constant zero"},
        {"ModuloByConstantZero", Program{ld_imm(1), alu_k(op::kMod, 0), ret_a()}, 1,
         "modulo by constant zero"},
        {"LeftShiftBy32", Program{alu_k(op::kLsh, 32), ret_a()}, 0,
         "shift by constant 32, the kernel allows 0 to 31"},
        {"RightShiftByHuge", Program{alu_k(op::kRsh, 0xffffffff), ret_a()}, 0,
         "shift by constant 4294967295"},
        {"LoadScratch16", Program{st(0), ld_mem(16), ret_a()}, 1,
         "scratch memory index 16 out of range"},
        {"LoadXScratch16", Program{ldx_mem(16), ret_a()}, 0, "scratch memory index 16"},
        {"StoreScratch16", Program{st(16), ret_a()}, 0, "scratch memory index 16"},
        {"StoreXScratchHuge", Program{stx(0x80000000), ret_a()}, 0,
         "scratch memory index 2147483648"},
        {"JaPastTheEnd", Program{ja(1), ret_k(0)}, 0,
         "ja 1 lands on instruction 2, past the end of the 2-instruction program"},
        {"JaWrappingAround", Program{ld_imm(0), ja(0xffffffff), ret_k(0)}, 1,
         "ja 4294967295 lands on instruction 4294967297"},
        {"JumpTruePastTheEnd", Program{jmp_k(op::kJeq, 0, 1, 0), ret_k(0)}, 0,
         "jump-if-true offset 1 lands on instruction 2, past the end"},
        {"JumpFalsePastTheEnd", Program{ld_imm(0), jmp_x(op::kJset, 0, 255), ret_k(0)}, 1,
         "jump-if-false offset 255 lands on instruction 257"},
        {"LastIsAJumpToItsNext", Program{ld_imm(0), jmp_k(op::kJgt, 0, 0, 0)}, 1,
         "jump-if-true offset 0 lands on instruction 2"},
        {"LastIsNotARet", Program{ld_imm(0)}, 0, "the last instruction must be a ret"},
        {"LastIsTax", Program{ret_k(0), tax()}, 1, "the last instruction must be a ret"},
        {"UnknownExtension", Program{ld_ancillary(2), ret_a()}, 0,
         "ancillary load of SKF_AD_OFF+2 names no extension"},
        {"ExtensionMax", Program{ld_ancillary(ad::kMax, op::kB), ret_a()}, 0,
         "SKF_AD_OFF+64 names no extension"},
        {"LoadOfOffsetMinusOne", Program{ld_h(0xffffffff), ret_a()}, 0,
         "SKF_AD_OFF+4095 names no extension"},
        {"ScratchReadNeverWritten", Program{ld_mem(0), ret_a()}, 0,
         "M[0] is read before it is written on every path"},
        {"ScratchReadWrittenOnOnePath",
         // ld #1; jeq #1, store, skip; store: st M[3]; skip: ld M[3]; ret a
         Program{ld_imm(1), jmp_k(op::kJeq, 1, 0, 1), st(3), ld_mem(3), ret_a()}, 3,
         "M[3] is read before it is written"},
        {"ScratchReadOfOtherCell", Program{stx(1), ldx_mem(2), ret_a()}, 1, "M[2] is read"},
        {"ScratchReadAfterRetFallsThrough",
         // The kernel treats a ret as falling through: M[0] is written on the only path to
         // instruction 5 (0, 1, 2, 3, 5), yet the set from before the ret at 4 (nothing
         // written) reaches 5 too, so the kernel refuses this safe program.
         Program{ld_imm(1), jmp_k(op::kJeq, 1, 0, 2), st(0), ja(1), ret_k(0), ld_mem(0), ret_a()},
         5, "M[0] is read before it is written"},
        {"ScratchReadInUnreachableCode", Program{ret_k(0), ld_mem(2), ret_a()}, 1,
         "M[2] is read before it is written"},
        {"FirstViolationInKernelOrder",
         // The opcode check runs over every instruction before the scratch memory analysis,
         // so the bad opcode at 2 is named, not the unwritten read at 0.
         Program{ld_mem(0), ld_imm(0), code_k(op::kRet | op::kX), ret_a()}, 2, "opcode 0x0e"},
    };
}

inline std::vector<ValidProgram> valid_programs() {
    using namespace insn;
    namespace ad = bpfgen::ancillary;
    using bpfgen::CheckTarget;
    using bpfgen::Program;
    std::vector<ValidProgram> cases = {
        {"SingleRet", Program{ret_k(0)}},
        {"RetA", Program{ret_a()}},
        {"Exactly4096", filled_program(4095, ld_imm(0))},
        {"Exactly64ForXtBpf", filled_program(63, ld_imm(0)), CheckTarget::XtBpf},
        {"LongerThan64ForSockets", filled_program(64, ld_imm(0))},
        {"JaToTheLastInstruction", Program{ja(1), ret_k(1), ret_k(0)}},
        {"JaOverMany", framed_program(ja(300), 300, ld_imm(0), ret_k(0))},
        {"ConditionalJumpOf255",
         framed_program(jmp_k(op::kJge, 7, 255, 0), 255, ret_k(1), ret_k(0))},
        {"DivisionByOne", Program{ld_imm(7), alu_k(op::kDiv, 1), alu_k(op::kMod, 1), ret_a()}},
        {"DivisionByXMayBeZero", Program{alu_x(op::kDiv), alu_x(op::kMod), ret_a()}},
        {"ShiftBy31", Program{ld_imm(1), alu_k(op::kLsh, 31), alu_k(op::kRsh, 31), ret_a()}},
        {"ShiftByXMayBe32OrMore", Program{ldx_imm(40), alu_x(op::kLsh), alu_x(op::kRsh), ret_a()}},
        {"ScratchCell15", Program{st(15), ld_mem(15), stx(15), ldx_mem(15), ret_a()}},
        {"ScratchWrittenOnBothPaths",
         Program{ld_imm(1), jmp_k(op::kJeq, 1, 0, 2), st(4), ja(1), stx(4), ld_mem(4), ret_a()}},
        {"ScratchWrittenBeforeABranch",
         Program{st(5), ld_imm(0), jmp_k(op::kJeq, 0, 0, 2), ld_mem(5), ret_a(), ret_k(0)}},
        // The other side of the kernel's ret fall-through: unreachable code after a ret may
        // read what was written before it.
        {"ScratchWrittenBeforeARetReachesTheNextInstruction",
         Program{st(2), ret_k(0), ld_mem(2), ret_a()}},
        {"ScratchUnreadNeedNoWrite", Program{ld_imm(1), st(2), ret_a()}},
        {"UnreachableCodeAfterRet", Program{ret_k(0), ld_imm(1), tax(), ret_a()}},
        {"NetworkHeaderOffset", Program{ld_b(ad::kNetOffset + 9), ret_a()}},
        {"LinkLayerOffset", Program{ld_h(ad::kLinkLayerOffset + 12), ret_a()}},
        {"OffsetJustBelowExtensions", Program{ld_w(ad::kOffset - 1), ret_a()}},
        {"IndexedLoadInExtensionRange", Program{ld_ind_w(ad::kOffset + 2), ret_a()}},
        {"MshInExtensionRange", Program{ldx_msh(ad::kOffset + 2), ret_a()}},
        {"EveryOtherInstruction", Program{ld_w(0),
                                          ld_h(2),
                                          ld_b(3),
                                          ld_ind_w(0),
                                          ld_ind_h(1),
                                          ld_ind_b(2),
                                          ldx_msh(0),
                                          ld_len(),
                                          ldx_len(),
                                          st(0),
                                          ldx_mem(0),
                                          ld_mem(0),
                                          alu_k(op::kAdd, 1),
                                          alu_x(op::kSub),
                                          alu_k(op::kMul, 3),
                                          alu_x(op::kOr),
                                          alu_k(op::kAnd, 0xff),
                                          alu_x(op::kXor),
                                          neg(),
                                          tax(),
                                          txa(),
                                          jmp_k(op::kJset, 1, 0, 0),
                                          jmp_x(op::kJeq, 0, 0),
                                          jmp_x(op::kJgt, 0, 0),
                                          jmp_x(op::kJge, 0, 0),
                                          jmp_k(op::kJgt, 5, 0, 0),
                                          jmp_x(op::kJset, 0, 0),
                                          ret_k(0xffff)}},
    };
    const std::pair<uint32_t, const char*> extensions[] = {{ad::kProtocol, "Protocol"},
                                                           {ad::kPktType, "PktType"},
                                                           {ad::kIfIndex, "IfIndex"},
                                                           {ad::kNlAttr, "NlAttr"},
                                                           {ad::kNlAttrNest, "NlAttrNest"},
                                                           {ad::kMark, "Mark"},
                                                           {ad::kQueue, "Queue"},
                                                           {ad::kHaType, "HaType"},
                                                           {ad::kRxHash, "RxHash"},
                                                           {ad::kCpu, "Cpu"},
                                                           {ad::kAluXorX, "AluXorX"},
                                                           {ad::kVlanTag, "VlanTag"},
                                                           {ad::kVlanTagPresent, "VlanTagPresent"},
                                                           {ad::kPayOffset, "PayOffset"},
                                                           {ad::kRandom, "Random"},
                                                           {ad::kVlanTpid, "VlanTpid"}};
    const std::pair<uint16_t, const char*> sizes[] = {
        {op::kW, "Word"}, {op::kH, "Half"}, {op::kB, "Byte"}};
    for (const auto& [extension, extension_name] : extensions) {
        for (const auto& [size, size_name] : sizes) {
            cases.push_back({std::string("Extension") + extension_name + size_name,
                             Program{ld_ancillary(extension, size), ret_a()}});
        }
    }
    return cases;
}

}  // namespace bpftools::test
