// assembler.h: bpf_asm text (the kernel's tools/bpf syntax) -> Program. Accepts exactly
// what the kernel's bpf_asm accepts and gives the same instructions; refuses with an
// AssembleError (line, column, reason) where bpf_asm would fail or print garbage.
#pragma once

#include <string_view>

#include "libbpfgen/program.h"

namespace bpfgen {

Program assemble(std::string_view text);

}  // namespace bpfgen
