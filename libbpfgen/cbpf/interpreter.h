// interpreter.h: runs a checked classic BPF program over one packet with the kernel's
// semantics (loads past the end of the packet return 0, A / X with X == 0 returns 0,
// ancillary loads read the caller's SkbContext).
//
// Kernel semantics in detail (net/core/filter.c's classic-to-eBPF conversion and
// bpf_skb_load_helper_*; checked against a running kernel by kernel_agreement_test):
// - A and X start at 0. ALU is 32-bit unsigned; a shift by X uses X & 31 (the eBPF
//   interpreter and JITs mask 32-bit shift counts), so `lsh x` with X == 33 shifts by 1.
// - A / X and A % X with X == 0 end the program with verdict 0.
// - A packet load whose bytes are not all inside the packet ends the program with verdict 0.
//   `ld [x + k]` addresses (X + k) mod 2^32 taken as a signed 32-bit offset, so X ==
//   0xffffffff, k == 1 reads byte 0.
// - Negative offsets address relative to a header: SKF_NET_OFF + n is byte n of the network
//   header, SKF_LL_OFF + n byte n of the link-layer header (ABS, IND and `ldx 4*([k]&0xf)`
//   alike). Here these headers are positions inside `packet` given by the SkbContext; when
//   the context does not know them (the default, as for a bare packet without an skb) such
//   loads are out of range and give verdict 0. Offsets below SKF_LL_OFF are always out of
//   range.
// - `ld [k]`, `ldh [k]` and `ldb [k]` with k = SKF_AD_OFF + SKF_AD_* all load the whole
//   field from the SkbContext (the size is ignored); `ldx 4*([k]&0xf)` and `ld [x + k]`
//   never read ancillary data.
// - `ld #len` / `ldx #len` give skb->len, the length on the wire (wire_length).
//
// Two engines run a CheckedProgram: this interpreter, which also counts the instructions
// executed (run), and machine code from jit_x86_64.h where that is available (verdict).
// Both must give the verdict of the test suite's deliberately simple reference interpreter
// for every checked program and packet. The arrows go one way: the interpreter (and
// CheckedProgram) use the JIT; both use skb_context.h and detail/packet_loads.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/program.h"
#include "libbpfgen/cbpf/skb_context.h"

namespace bpfgen {

struct RunResult {
    uint32_t verdict = 0;          // the value of the RET instruction (bytes to keep)
    std::size_t instructions = 0;  // instructions executed
};

class CheckedProgram;

// wire_length is what `ld #len` sees (the packet's length on the wire); it defaults to
// the captured length when zero.
RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context = {}, std::size_t wire_length = 0);

// The fast path: the same verdict as run(), from the program's machine code when it has
// some (CheckedProgram::uses_jit), else from the interpreter. No instruction count.
// Inline (see below): one call per packet, straight into the machine code.
inline uint32_t verdict(const CheckedProgram& program, std::span<const uint8_t> packet,
                        const SkbContext& context = {}, std::size_t wire_length = 0);

// Which engine verdict() uses.
enum class Engine {
    JitWhenAvailable,  // machine code where the platform has a code generator (x86-64
                       // Linux) and the system grants executable memory; else the interpreter
    Interpreter,       // always the interpreter
};

namespace jit {
class CompiledProgram;
}

namespace detail {

// The interpreter's pre-decoded form of one instruction (the operation set is private to
// interpreter.cpp): jump targets are absolute instruction indexes, already checked.
enum class DecodedOp : uint8_t;
struct DecodedInstruction {
    DecodedOp op;
    const void* handler = nullptr;  // where the interpreter's code for `op` starts
    uint16_t jump_true;             // target of a conditional jump or of ja
    uint16_t jump_false;            // target of a conditional jump
    uint32_t k;
    uint32_t jump_k = 0;  // a load fused with the conditional jump after it: the jump's k
};

struct Execution;

// The entry of a program's machine code: A and X start at 0; wire_length is what `ld #len`
// sees.
using MachineCode = uint32_t (*)(const uint8_t* packet, uint64_t captured_length,
                                 const SkbContext* context, uint32_t wire_length);

// verdict() from the interpreter.
uint32_t interpreted_verdict(const CheckedProgram& program, std::span<const uint8_t> packet,
                             const SkbContext& context, std::size_t wire_length);

}  // namespace detail

// A Program that passed check_kernel_rules; only such programs can be run.
class CheckedProgram {
  public:
    // Throws CheckError when the program breaks one of the kernel's rules. With
    // Engine::JitWhenAvailable it is also compiled to machine code where possible; where
    // not (another platform, or executable memory refused), verdict() interprets it.
    explicit CheckedProgram(Program program, CheckTarget target = CheckTarget::Socket,
                            Engine engine = Engine::JitWhenAvailable);
    CheckedProgram(Program program, Engine engine)
        : CheckedProgram(std::move(program), CheckTarget::Socket, engine) {}

    const Program& program() const { return program_; }
    // Whether verdict() runs machine code (for tests and benchmarks).
    bool uses_jit() const { return jit_ != nullptr; }
    // The machine code verdict() runs, or nullptr.
    const jit::CompiledProgram* jit_code() const { return jit_.get(); }

  private:
    friend RunResult run(const CheckedProgram&, std::span<const uint8_t>, const SkbContext&,
                         std::size_t);
    friend uint32_t verdict(const CheckedProgram&, std::span<const uint8_t>, const SkbContext&,
                            std::size_t);
    friend struct detail::Execution;

    Program program_;
    std::vector<detail::DecodedInstruction> decoded_;
    // Shared by copies: machine code never changes once made, so copies may run it at once.
    std::shared_ptr<const jit::CompiledProgram> jit_;
    // Its entry (null without machine code), which jit_ keeps valid, for verdict().
    detail::MachineCode machine_code_ = nullptr;
};

inline uint32_t verdict(const CheckedProgram& program, std::span<const uint8_t> packet,
                        const SkbContext& context, std::size_t wire_length) {
    if (program.machine_code_ != nullptr) [[likely]] {
        // The interpreter's length rule, so that `ld #len` sees the same in both engines.
        const auto length = static_cast<uint32_t>(wire_length != 0 ? wire_length : packet.size());
        return program.machine_code_(packet.data(), packet.size(), &context, length);
    }
    return detail::interpreted_verdict(program, packet, context, wire_length);
}

}  // namespace bpfgen
