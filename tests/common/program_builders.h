// program_builders.h: the library's instruction builders (libbpfgen/cbpf/instruction_builders.h)
// under the name the tests use, so checker and interpreter tests spell programs readably
// without depending on the assembler they do not test.
#pragma once

#include "libbpfgen/cbpf/instruction_builders.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpftools::test::insn {

using bpfgen::Instruction;
namespace op = bpfgen::op;
using namespace bpfgen::insn;

}  // namespace bpftools::test::insn
