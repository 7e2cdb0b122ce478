// instruction_builders.h: one constexpr function per classic BPF instruction, named after its
// bpf_asm mnemonic (ld_h(12) is `ldh [12]`), so code and tests can spell programs readably
// without the assembler: Program{ld_h(12), jmp_k(op::kJeq, 0x800, 0, 1), ret_k(0xffff),
// ret_k(0)}. Jump offsets are relative, as in the wire form.
#pragma once

#include <cstdint>

#include "libbpfgen/cbpf/instruction.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen::insn {

// Any code with k (codes without a builder, and ones the kernel refuses, for tests).
constexpr Instruction code_k(uint16_t code, uint32_t k = 0) {
    return {code, 0, 0, k};
}

// ld #k
constexpr Instruction ld_imm(uint32_t k) {
    return code_k(op::kLd | op::kImm, k);
}
// ldx #k
constexpr Instruction ldx_imm(uint32_t k) {
    return code_k(op::kLdx | op::kImm, k);
}
// ld [k]
constexpr Instruction ld_w(uint32_t k) {
    return code_k(op::kLd | op::kW | op::kAbs, k);
}
// ldh [k]
constexpr Instruction ld_h(uint32_t k) {
    return code_k(op::kLd | op::kH | op::kAbs, k);
}
// ldb [k]
constexpr Instruction ld_b(uint32_t k) {
    return code_k(op::kLd | op::kB | op::kAbs, k);
}
// ld [x + k]
constexpr Instruction ld_ind_w(uint32_t k) {
    return code_k(op::kLd | op::kW | op::kInd, k);
}
// ldh [x + k]
constexpr Instruction ld_ind_h(uint32_t k) {
    return code_k(op::kLd | op::kH | op::kInd, k);
}
// ldb [x + k]
constexpr Instruction ld_ind_b(uint32_t k) {
    return code_k(op::kLd | op::kB | op::kInd, k);
}
// ldx 4*([k]&0xf)
constexpr Instruction ldx_msh(uint32_t k) {
    return code_k(op::kLdx | op::kB | op::kMsh, k);
}
// ld #len
constexpr Instruction ld_len() {
    return code_k(op::kLd | op::kW | op::kLen);
}
// ldx #len
constexpr Instruction ldx_len() {
    return code_k(op::kLdx | op::kW | op::kLen);
}
// ld M[k]
constexpr Instruction ld_mem(uint32_t k) {
    return code_k(op::kLd | op::kMem, k);
}
// ldx M[k]
constexpr Instruction ldx_mem(uint32_t k) {
    return code_k(op::kLdx | op::kMem, k);
}
// st M[k]
constexpr Instruction st(uint32_t k) {
    return code_k(op::kSt, k);
}
// stx M[k]
constexpr Instruction stx(uint32_t k) {
    return code_k(op::kStx, k);
}
// neg
constexpr Instruction neg() {
    return code_k(op::kAlu | op::kNeg);
}
// ja +k
constexpr Instruction ja(uint32_t k) {
    return code_k(op::kJmp | op::kJa, k);
}
// ret #k
constexpr Instruction ret_k(uint32_t k) {
    return code_k(op::kRet | op::kK, k);
}
// ret a
constexpr Instruction ret_a() {
    return code_k(op::kRet | op::kRetA);
}
// tax
constexpr Instruction tax() {
    return code_k(op::kMisc | op::kTax);
}
// txa
constexpr Instruction txa() {
    return code_k(op::kMisc | op::kTxa);
}

// An ALU operation (op::kAdd ... op::kXor) with #k, or with x.
constexpr Instruction alu_k(uint16_t operation, uint32_t k) {
    return code_k(op::kAlu | operation | op::kK, k);
}
constexpr Instruction alu_x(uint16_t operation) {
    return code_k(op::kAlu | operation | op::kX);
}

// A conditional jump (op::kJeq, kJgt, kJge, kJset) with #k, or with x; jt/jf are relative.
constexpr Instruction jmp_k(uint16_t operation, uint32_t k, uint8_t jt, uint8_t jf) {
    return {static_cast<uint16_t>(op::kJmp | operation | op::kK), jt, jf, k};
}
constexpr Instruction jmp_x(uint16_t operation, uint8_t jt, uint8_t jf) {
    return {static_cast<uint16_t>(op::kJmp | operation | op::kX), jt, jf, 0};
}

// ld/ldh/ldb [SKF_AD_OFF + extension] (size op::kW, kH or kB).
constexpr Instruction ld_ancillary(uint32_t extension, uint16_t size = op::kW) {
    return code_k(op::kLd | size | op::kAbs, ancillary::kOffset + extension);
}

}  // namespace bpfgen::insn
