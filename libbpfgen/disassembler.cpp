// disassembler.cpp: PLACEHOLDER until it lands.
#include "libbpfgen/disassembler.h"

#include "libbpfgen/error.h"

namespace bpfgen {

std::string disassemble(const Program&) { throw Error("disassembler not built yet"); }

}  // namespace bpfgen
