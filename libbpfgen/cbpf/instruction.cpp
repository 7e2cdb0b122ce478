// instruction.cpp: printing of a single wire-form instruction for messages.
#include "libbpfgen/cbpf/instruction.h"

#include <fmt/format.h>

namespace bpfgen {

std::string to_string(const Instruction& instruction) {
    return fmt::format("{{code={:#04x} jt={} jf={} k={:#x}}}", instruction.code, instruction.jt,
                       instruction.jf, instruction.k);
}

}  // namespace bpfgen
