// assembler.cpp: PLACEHOLDER until it lands.
#include "libbpfgen/assembler.h"

#include "libbpfgen/error.h"

namespace bpfgen {

Program assemble(std::string_view) { throw Error("assembler not built yet"); }

}  // namespace bpfgen
