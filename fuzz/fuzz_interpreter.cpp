// fuzz_interpreter.cpp: arbitrary programs through the checker, and the ones it accepts run
// over an arbitrary packet held in a buffer of exactly its size, so any read outside the
// packet or the scratch memory is caught by AddressSanitizer; the single-step machine
// (stepper.h) must give the interpreter's verdict after as many instructions.
// Where the kernel's and libpcap's semantics coincide (no ancillary or negative-offset
// loads, no indirect loads, whose X + k may wrap or land on a header-relative offset, no
// shift by X), the verdict must equal libpcap's bpf_filter() on the same program and
// packet: a differential check (the differences:
// tests/libbpfgen/cbpf/bpf_filter_differential_test.cpp). Input layout: byte 0 = instruction count
// - 1 (mod 64), then 8 bytes per instruction (code, jt, jf, k as little-endian), then the packet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_program.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/stepper.h"

#include <pcap/pcap.h>

namespace {

bool comparable_with_libpcap(const bpfgen::Program& program) {
    namespace op = bpfgen::op;
    for (const bpfgen::Instruction& i : program) {
        const bool load = i.cls() == op::kLd || i.cls() == op::kLdx;
        if (load && op::mode(i.code) == op::kAbs && i.k >= 0x80000000u) return false;
        if (load && op::mode(i.code) == op::kInd) return false;
        if (i.cls() == op::kAlu && op::src(i.code) == op::kX &&
            (op::alu_op(i.code) == op::kLsh || op::alu_op(i.code) == op::kRsh)) {
            return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const std::size_t count = (data[0] % 64) + 1;
    if (size < 1 + count * 8) return 0;
    bpfgen::Program program = fuzz::program_from_bytes(data + 1, count);
    const std::vector<uint8_t> packet(data + 1 + count * 8, data + size);
    try {
        const bpfgen::CheckedProgram checked(std::move(program));
        bpfgen::SkbContext context;
        context.protocol = 0x0800;
        const bpfgen::RunResult result = bpfgen::run(checked, packet, context);
        // Jumps only go forward, so no instruction runs twice.
        if (result.instructions == 0 || result.instructions > count) std::abort();
        // The debugger's single-step machine gives the same verdict after as many steps.
        bpfgen::Stepper stepper(checked, packet, context);
        if (stepper.finish() != result.verdict || stepper.instructions() != result.instructions) {
            std::abort();
        }
        if (comparable_with_libpcap(checked.program())) {
            std::vector<bpf_insn> code;
            for (const bpfgen::Instruction& i : checked.program()) {
                code.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
            }
            const auto size = static_cast<u_int>(packet.size());
            if (bpf_filter(code.data(), packet.data(), size, size) != result.verdict) std::abort();
        }
    } catch (const bpfgen::CheckError&) {
        return 0;
    }
    return 0;
}
