// disassembler.h: Program -> readable bpf_asm text, one instruction per line with labels
// where jumps land, that assemble() turns back into the same Program (round trip).
#pragma once

#include <string>

#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

std::string disassemble(const Program& program);

}  // namespace bpfgen
