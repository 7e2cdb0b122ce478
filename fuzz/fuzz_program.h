// fuzz_program.h: the classic BPF program a fuzz input spells, for the targets that run
// programs (fuzz_interpreter, fuzz_jit): 8 bytes per instruction, code (16 bits), jt, jf,
// then k (32 bits), numbers little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/program.h"

namespace fuzz {

// The `count` instructions at `bytes` (which holds at least 8 * count bytes).
inline bpfgen::Program program_from_bytes(const uint8_t* bytes, std::size_t count) {
    std::vector<bpfgen::Instruction> instructions;
    instructions.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const uint8_t* raw = bytes + i * 8;
        bpfgen::Instruction instruction;
        instruction.code = static_cast<uint16_t>(raw[0] | raw[1] << 8);
        instruction.jt = raw[2];
        instruction.jf = raw[3];
        instruction.k = uint32_t{raw[4]} | uint32_t{raw[5]} << 8 | uint32_t{raw[6]} << 16 |
                        uint32_t{raw[7]} << 24;
        instructions.push_back(instruction);
    }
    return bpfgen::Program(std::move(instructions));
}

}  // namespace fuzz
