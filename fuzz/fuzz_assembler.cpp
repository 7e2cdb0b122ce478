// fuzz_assembler.cpp: arbitrary text into the assembler. Text it accepts must survive the
// round trip through the disassembler unchanged; text it refuses must raise bpfgen::Error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/disassembler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    bpfgen::Program program;
    try {
        program = bpfgen::assemble(text);
    } catch (const bpfgen::Error&) {
        return 0;
    }
    // Everything the assembler produces is expressible in its own syntax.
    const bpfgen::Program again = bpfgen::assemble(bpfgen::disassemble(program));
    if (!(again == program)) std::abort();
    return 0;
}
