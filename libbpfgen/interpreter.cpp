// interpreter.cpp: PLACEHOLDER until it lands.
#include "libbpfgen/interpreter.h"

#include "libbpfgen/error.h"

namespace bpfgen {

CheckedProgram::CheckedProgram(Program program, CheckTarget target) : program_(std::move(program)) {
    check_kernel_rules(program_, target);
}

RunResult run(const CheckedProgram&, std::span<const uint8_t>, const SkbContext&, std::size_t) {
    throw Error("interpreter not built yet");
}

}  // namespace bpfgen
