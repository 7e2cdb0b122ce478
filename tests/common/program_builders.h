// program_builders.h: one function per classic BPF instruction, named after its bpf_asm
// mnemonic, so checker and interpreter tests spell programs readably without depending on
// the assembler they do not test.
#pragma once

#include <cstdint>

#include "libbpfgen/cbpf/instruction.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpftools::test::insn {

using bpfgen::Instruction;
namespace op = bpfgen::op;

// Any code with k, for codes without a builder (including ones the kernel refuses).
inline Instruction code_k(uint16_t code, uint32_t k = 0) {
    return {code, 0, 0, k};
}

// clang-format off
inline Instruction ld_imm(uint32_t k) { return code_k(op::kLd | op::kImm, k); }            // ld #k
inline Instruction ldx_imm(uint32_t k) { return code_k(op::kLdx | op::kImm, k); }          // ldx #k
inline Instruction ld_w(uint32_t k) { return code_k(op::kLd | op::kW | op::kAbs, k); }     // ld [k]
inline Instruction ld_h(uint32_t k) { return code_k(op::kLd | op::kH | op::kAbs, k); }     // ldh [k]
inline Instruction ld_b(uint32_t k) { return code_k(op::kLd | op::kB | op::kAbs, k); }     // ldb [k]
inline Instruction ld_ind_w(uint32_t k) { return code_k(op::kLd | op::kW | op::kInd, k); } // ld [x + k]
inline Instruction ld_ind_h(uint32_t k) { return code_k(op::kLd | op::kH | op::kInd, k); } // ldh [x + k]
inline Instruction ld_ind_b(uint32_t k) { return code_k(op::kLd | op::kB | op::kInd, k); } // ldb [x + k]
inline Instruction ldx_msh(uint32_t k) { return code_k(op::kLdx | op::kB | op::kMsh, k); } // ldx 4*([k]&0xf)
inline Instruction ld_len() { return code_k(op::kLd | op::kW | op::kLen); }                // ld #len
inline Instruction ldx_len() { return code_k(op::kLdx | op::kW | op::kLen); }              // ldx #len
inline Instruction ld_mem(uint32_t k) { return code_k(op::kLd | op::kMem, k); }            // ld M[k]
inline Instruction ldx_mem(uint32_t k) { return code_k(op::kLdx | op::kMem, k); }          // ldx M[k]
inline Instruction st(uint32_t k) { return code_k(op::kSt, k); }                           // st M[k]
inline Instruction stx(uint32_t k) { return code_k(op::kStx, k); }                         // stx M[k]
inline Instruction neg() { return code_k(op::kAlu | op::kNeg); }                           // neg
inline Instruction ja(uint32_t k) { return code_k(op::kJmp | op::kJa, k); }                // ja +k
inline Instruction ret_k(uint32_t k) { return code_k(op::kRet | op::kK, k); }              // ret #k
inline Instruction ret_a() { return code_k(op::kRet | op::kRetA); }                        // ret a
inline Instruction tax() { return code_k(op::kMisc | op::kTax); }                          // tax
inline Instruction txa() { return code_k(op::kMisc | op::kTxa); }                          // txa
// clang-format on

// An ALU operation (op::kAdd ... op::kXor) with #k, or with x.
inline Instruction alu_k(uint16_t operation, uint32_t k) {
    return code_k(op::kAlu | operation | op::kK, k);
}
inline Instruction alu_x(uint16_t operation) {
    return code_k(op::kAlu | operation | op::kX);
}

// A conditional jump (op::kJeq, kJgt, kJge, kJset) with #k, or with x; jt/jf are relative.
inline Instruction jmp_k(uint16_t operation, uint32_t k, uint8_t jt, uint8_t jf) {
    return {static_cast<uint16_t>(op::kJmp | operation | op::kK), jt, jf, k};
}
inline Instruction jmp_x(uint16_t operation, uint8_t jt, uint8_t jf) {
    return {static_cast<uint16_t>(op::kJmp | operation | op::kX), jt, jf, 0};
}

// ld/ldh/ldb [SKF_AD_OFF + extension] (size op::kW, kH or kB).
inline Instruction ld_ancillary(uint32_t extension, uint16_t size = op::kW) {
    return code_k(op::kLd | size | op::kAbs, bpfgen::ancillary::kOffset + extension);
}

}  // namespace bpftools::test::insn
