// invalid_programs.h: one program per rule of the kernel's classic BPF checker, each with
// the index and a fragment of the message our checker gives. Shared by the checker's unit
// tests and the test that the real kernel refuses the same programs.
#pragma once

#include <string>
#include <vector>

#include "libbpfgen/opcodes.h"
#include "libbpfgen/program.h"

namespace bpftools::test {

struct InvalidProgram {
    std::string rule;
    bpfgen::Program program;
    std::size_t index;
    std::string message;
};

inline std::vector<InvalidProgram> invalid_programs() {
    using bpfgen::Instruction;
    using bpfgen::Program;
    namespace op = bpfgen::op;
    const Instruction ret0{op::kRet | op::kK, 0, 0, 0};
    const Instruction ld0{op::kLd | op::kImm, 0, 0, 0};
    std::vector<Instruction> too_long(4097, ld0);
    too_long.back() = ret0;
    return {
        {"empty program", Program{}, 0, "empty program"},
        {"more than 4096 instructions", Program(too_long), 4096, "at most 4096"},
        {"unknown opcode", Program{{0xff, 0, 0, 0}, ret0}, 0, "opcode 0xff"},
        {"ret x is not allowed", Program{{op::kRet | op::kX, 0, 0, 0}}, 0, "opcode 0x0e"},
        {"ld imm with size bits", Program{{op::kLd | op::kImm | op::kH, 0, 0, 0}, ret0}, 0,
         "opcode 0x08"},
        {"division by constant zero", Program{{op::kAlu | op::kDiv | op::kK, 0, 0, 0}, ret0}, 0,
         "division by constant zero"},
        {"modulo by constant zero", Program{ld0, {op::kAlu | op::kMod | op::kK, 0, 0, 0}, ret0}, 1,
         "modulo by constant zero"},
        {"left shift by 32", Program{{op::kAlu | op::kLsh | op::kK, 0, 0, 32}, ret0}, 0,
         "shift by constant 32"},
        {"right shift by 40", Program{{op::kAlu | op::kRsh | op::kK, 0, 0, 40}, ret0}, 0,
         "shift by constant 40"},
        {"store to M[16]", Program{{op::kSt, 0, 0, 16}, ret0}, 0, "M[16]"},
        {"load from M[99]", Program{{op::kLdx | op::kMem, 0, 0, 99}, ret0}, 0, "M[99]"},
        {"ja past the end", Program{{op::kJmp | op::kJa, 0, 0, 1}, ret0}, 0, "past the end"},
        {"ja far past the end", Program{{op::kJmp | op::kJa, 0, 0, 0xffffffff}, ret0}, 0,
         "past the end"},
        {"jt past the end", Program{{op::kJmp | op::kJeq | op::kK, 1, 0, 0}, ret0}, 0,
         "past the end"},
        {"jf past the end", Program{ld0, {op::kJmp | op::kJgt | op::kX, 0, 200, 0}, ret0}, 1,
         "past the end"},
        {"unknown ancillary load",
         Program{{op::kLd | op::kW | op::kAbs, 0, 0, 0xfffff000 + 64}, ret0}, 0,
         "unknown ancillary"},
        {"unaligned ancillary load", Program{{op::kLd | op::kB | op::kAbs, 0, 0, 0xfffff001}, ret0},
         0, "unknown ancillary"},
        {"last instruction not a return", Program{ret0, ld0}, 1, "last instruction"},
        {"scratch read before any write", Program{{op::kLd | op::kMem, 0, 0, 3}, ret0}, 0,
         "M[3] is read before"},
        {"scratch written on one path only",
         Program{ld0,
                 {op::kJmp | op::kJeq | op::kK, 0, 1, 0},
                 {op::kSt, 0, 0, 2},
                 {op::kLdx | op::kMem, 0, 0, 2},
                 ret0},
         3, "M[2] is read before"},
    };
}

}  // namespace bpftools::test
