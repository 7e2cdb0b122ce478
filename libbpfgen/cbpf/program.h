// program.h: a classic BPF program, the one intermediate form of the project: a sequence
// of Instructions that generators, the assembler and libpcap produce and that formatters,
// the checker, the interpreter and the deployment scripts consume.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "libbpfgen/cbpf/instruction.h"

namespace bpfgen {

class Program {
  public:
    Program() = default;
    Program(std::initializer_list<Instruction> instructions) : instructions_(instructions) {}
    explicit Program(std::vector<Instruction> instructions)
        : instructions_(std::move(instructions)) {}

    std::size_t size() const { return instructions_.size(); }
    bool empty() const { return instructions_.empty(); }
    const Instruction& operator[](std::size_t index) const { return instructions_[index]; }
    Instruction& operator[](std::size_t index) { return instructions_[index]; }
    auto begin() const { return instructions_.begin(); }
    auto end() const { return instructions_.end(); }
    const std::vector<Instruction>& instructions() const { return instructions_; }
    void push_back(const Instruction& instruction) { instructions_.push_back(instruction); }

    friend bool operator==(const Program&, const Program&) = default;

  private:
    std::vector<Instruction> instructions_;
};

}  // namespace bpfgen
