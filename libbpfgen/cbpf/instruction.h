// instruction.h: one classic BPF instruction in its wire form {code, jt, jf, k}, the
// unit every producer (assembler, generators, libpcap) emits and every consumer reads.
#pragma once

#include <cstdint>
#include <string>

#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

struct Instruction {
    uint16_t code = 0;
    uint8_t jt = 0;
    uint8_t jf = 0;
    uint32_t k = 0;

    friend bool operator==(const Instruction&, const Instruction&) = default;

    uint16_t cls() const { return op::cls(code); }
    bool is_return() const { return cls() == op::kRet; }
    bool is_jump() const { return cls() == op::kJmp; }
    bool is_conditional_jump() const { return is_jump() && op::jmp_op(code) != op::kJa; }
};

// Readable "{code jt jf k}" for messages and test failures.
std::string to_string(const Instruction& instruction);

}  // namespace bpfgen
