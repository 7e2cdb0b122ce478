// jit_x86_64.h: compiles checked classic BPF programs to x86-64 machine code (JIT).
//
// Only on x86-64 Linux; elsewhere the JIT is "not available" and CheckedProgram interprets.
// The machine code is a function of (packet, captured length, SkbContext*, wire length)
// that returns the verdict. It keeps A, X, the packet and its lengths in the registers the
// caller may clobber (no prologue or epilogue on the common path), checks each packet load
// against the captured length as the interpreter does, and calls the loads it shares with
// the interpreter (detail/packet_loads.h) for the rare ones it does not inline
// (header-relative offsets, netlink attribute searches), saving its registers around them.
// interpreter.h's header lists the semantics; tests/common/reference_interpreter.h is the
// reference, and tests/libbpfgen/cbpf/jit_test.cpp and fuzz/fuzz_jit.cpp compare the two.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

struct SkbContext;

namespace jit {

// Whether this build has a code generator (x86-64 Linux). Where it has one, compiling can
// still fail at run time when the system refuses executable memory.
bool available();

// Pages of machine code owned by one object: mapped read-write, filled, then switched to
// read-execute (never writable and executable at once); unmapped on destruction.
class ExecutableMemory {
  public:
    // nullopt when the system refuses the mapping or the switch to executable (a hardened
    // kernel, a seccomp policy), and always where this build has no code generator.
    static std::optional<ExecutableMemory> create(std::span<const uint8_t> code);

    ExecutableMemory(ExecutableMemory&& other) noexcept;
    ExecutableMemory& operator=(ExecutableMemory&& other) noexcept;
    ExecutableMemory(const ExecutableMemory&) = delete;
    ExecutableMemory& operator=(const ExecutableMemory&) = delete;
    ~ExecutableMemory();

    const void* address() const { return address_; }
    // The bytes given to create(), without the padding to a whole page.
    std::span<const uint8_t> code() const {
        return {static_cast<const uint8_t*>(address_), code_size_};
    }

  private:
    ExecutableMemory(void* address, std::size_t mapped_size, std::size_t code_size)
        : address_(address), mapped_size_(mapped_size), code_size_(code_size) {}

    void* address_ = nullptr;
    std::size_t mapped_size_ = 0;
    std::size_t code_size_ = 0;
};

// One program's machine code, ready to run.
class CompiledProgram {
  public:
    // The generated function: A and X start at 0; wire_length is what `ld #len` sees.
    using Function = detail::MachineCode;

    // `program` must have passed check_kernel_rules (CheckedProgram's constructor calls this).
    // nullptr where there is no code generator or the system refuses executable memory.
    static std::unique_ptr<CompiledProgram> compile(const Program& program);

    uint32_t run(std::span<const uint8_t> packet, const SkbContext& context,
                 uint32_t wire_length) const {
        return function_(packet.data(), packet.size(), &context, wire_length);
    }

    // The generated function, valid as long as this object.
    Function entry() const { return function_; }

    // The generated function's instructions (to disassemble when debugging).
    std::span<const uint8_t> machine_code() const;

  private:
    explicit CompiledProgram(ExecutableMemory memory);

    ExecutableMemory memory_;
    Function function_;
};

}  // namespace jit
}  // namespace bpfgen
