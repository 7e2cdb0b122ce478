// fuzz_bytecode.cpp: arbitrary text into the xt_bpf bytecode parser. What it accepts must
// print back to a string that parses to the same program.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    bpfgen::Program program;
    try {
        program = bpfgen::parse_xt_bpf(text);
    } catch (const bpfgen::Error&) {
        return 0;
    }
    if (!(bpfgen::parse_xt_bpf(bpfgen::format_xt_bpf(program)) == program)) std::abort();
    return 0;
}
