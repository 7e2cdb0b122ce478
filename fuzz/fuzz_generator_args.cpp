// fuzz_generator_args.cpp: arbitrary arguments into the dns, suffix and p0f generators (the
// pattern, hex and signature parsers). Byte 0 picks the generator, the IP version, the
// offset and negation; the rest, split at NUL bytes, are the arguments. Whatever a generator
// accepts must be a program the kernel accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    static constexpr const char* kGenerators[] = {"dns", "suffix", "p0f", "dns_validate"};
    static constexpr uint32_t kOffsets[] = {0, 14, 16, 18, 20};
    const uint8_t selector = data[0];
    bpfgen::GeneratorOptions options;
    options.ip_version = (selector & 0x04) ? 6 : 4;
    options.negate = (selector & 0x08) != 0;
    options.l3_offset = kOffsets[((selector >> 4) & 0x07) % 5];  // bits 4-6
    const char* generator = kGenerators[selector & 0x03];

    std::vector<std::string> args(1);
    for (std::size_t i = 1; i < size; ++i) {
        if (data[i] == 0) {
            args.emplace_back();
        } else {
            args.back().push_back(static_cast<char>(data[i]));
        }
    }
    try {
        const bpfgen::GeneratedProgram generated = bpfgen::generate(generator, args, options);
        bpfgen::check_kernel_rules(generated.program);
    } catch (const bpfgen::CheckError&) {
        std::abort();  // a generator emitted a program the kernel would refuse
    } catch (const bpfgen::Error&) {
        return 0;
    }
    return 0;
}
