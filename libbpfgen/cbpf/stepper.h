// stepper.h: runs a checked classic BPF program one instruction at a time, for a debugger:
// between two instructions the machine's state (A, X, the scratch memory M[] and the program
// counter) can be read, and the verdict is known once a return (or a load out of range, or
// a division by zero) ends the program. The semantics are the interpreter's, the kernel's
// (see interpreter.h), over the same opcode table and packet loads; the fast interpreter is
// untouched by it, and tests check that both (and the reference interpreter) agree.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/cbpf/skb_context.h"

namespace bpfgen {

// The registers of the classic BPF machine between two instructions.
struct MachineState {
    uint32_t a = 0;
    uint32_t x = 0;
    std::array<uint32_t, op::kMemWords> memory{};
    std::size_t pc = 0;  // the instruction to execute next

    friend bool operator==(const MachineState&, const MachineState&) = default;
};

class Stepper {
  public:
    // The program, the packet and the context must outlive the stepper. wire_length is what
    // `ld #len` sees; zero means the captured length, as for run().
    Stepper(const CheckedProgram& program, std::span<const uint8_t> packet,
            const SkbContext& context = {}, std::size_t wire_length = 0);

    const MachineState& state() const { return state_; }
    // The verdict once the program has ended, else nullopt.
    const std::optional<uint32_t>& verdict() const { return verdict_; }
    bool finished() const { return verdict_.has_value(); }
    // Instructions executed so far (the one that ended the program included), as run()
    // counts them.
    std::size_t instructions() const { return instructions_; }

    // Executes the instruction at state().pc and returns the verdict when it ended the
    // program. Throws Error when the program has already ended.
    std::optional<uint32_t> step();
    // Steps until the program ends; returns its verdict.
    uint32_t finish();

  private:
    // Ends the program with `verdict`.
    void end(uint32_t verdict) { verdict_ = verdict; }
    // The packet load of `bytes` (1, 2 or 4) at the signed `offset`, nullopt when out of
    // range.
    std::optional<uint32_t> load(int32_t offset, unsigned bytes) const;
    uint32_t ancillary(uint32_t extension) const;

    const CheckedProgram& program_;
    std::span<const uint8_t> packet_;
    const SkbContext& context_;
    uint32_t length_;
    MachineState state_;
    std::optional<uint32_t> verdict_;
    std::size_t instructions_ = 0;
};

}  // namespace bpfgen
