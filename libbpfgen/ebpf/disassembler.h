// disassembler.h: eBPF instructions as readable text in the verifier log's notation
// ("r2 = *(u16 *)(r8 +12)", "if w6 == 0x800 goto accept"), for golden tests and messages.
#pragma once

#include <string>

#include "libbpfgen/ebpf/instruction.h"

namespace bpfgen::ebpf {

std::string to_string(const Instruction& instruction);
// One instruction a line, each label on its own line ("name:") before its instruction.
std::string disassemble(const Program& program);

}  // namespace bpfgen::ebpf
