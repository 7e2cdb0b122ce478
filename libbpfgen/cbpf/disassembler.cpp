// disassembler.cpp: Program -> bpf_asm text. Each instruction is written in the one form
// the assembler encodes back to exactly the same {code, jt, jf, k}; an instruction that no
// bpf_asm text produces (unknown opcode, a field the syntax always leaves 0 but is not,
// a jump past the end) is refused with an Error naming its index, never printed wrongly.
#include "libbpfgen/cbpf/disassembler.h"

#include <cstdint>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace {

// Offsets, sizes and counts read best in decimal, large values (negative offsets) in hex.
std::string number(uint32_t k) {
    return k < 0x100000 ? fmt::format("{}", k) : fmt::format("{:#x}", k);
}
// Constants compared or masked read best in hex.
std::string bits(uint32_t k) {
    return fmt::format("{:#x}", k);
}

std::string label(std::size_t target) {
    return fmt::format("L{}", target);
}

// The operations whose constant is a mask, written with bits().
bool bitwise(Operation operation) {
    return operation == Operation::AndK || operation == Operation::OrK ||
           operation == Operation::XorK;
}

// Writes one instruction, marking the instructions its labels point at.
class InstructionWriter {
  public:
    InstructionWriter(const Program& program, std::vector<bool>& is_target)
        : program_(program), is_target_(is_target) {}

    std::string write(std::size_t index) {
        index_ = index;
        const Instruction& insn = program_[index];
        if (!insn.is_conditional_jump() && (insn.jt != 0 || insn.jf != 0)) {
            refuse("jt and jf must be 0 outside conditional jumps");
        }
        const OpcodeInfo* info = find_opcode(insn.code);
        if (info == nullptr) refuse("unknown opcode");
        const std::string_view name = info->mnemonic;
        switch (info->operand) {
            case OperandForm::None:
                require_zero_k(insn, name);
                return std::string(name);
            case OperandForm::Immediate:
                return fmt::format("{} #{}", name,
                                   bitwise(info->operation) ? bits(insn.k) : number(insn.k));
            case OperandForm::PacketLength:
                return without_k(insn, fmt::format("{} #len", name));
            case OperandForm::Absolute:
                if (const AncillaryExtension* extension = find_extension(insn.k);
                    extension != nullptr && !extension->name.empty()) {
                    return fmt::format("{} #{}", name, extension->name);
                }
                return fmt::format("{} [{}]", name, number(insn.k));
            case OperandForm::Indexed:
                return fmt::format("{} [x + {}]", name, number(insn.k));
            case OperandForm::Memory:
                return fmt::format("{} M[{}]", name, number(insn.k));
            case OperandForm::HeaderLength:
                return fmt::format("{} 4*([{}]&0xf)", name, number(insn.k));
            case OperandForm::X:
                return without_k(insn, fmt::format("{} x", name));
            case OperandForm::A:
                return without_k(insn, fmt::format("{} a", name));
            case OperandForm::JumpOffset:
                return fmt::format("{} {}", name, target(insn.k));
            case OperandForm::ConditionalK:
                return conditional_jump(insn, *info, fmt::format("#{}", bits(insn.k)));
            case OperandForm::ConditionalX:
                require_zero_k(insn, fmt::format("{} x", name));
                return conditional_jump(insn, *info, "x");
        }
        refuse("unknown opcode");
    }

  private:
    [[noreturn]] void refuse(std::string_view why) const {
        throw Error(fmt::format("instruction {} {}: {}; bpf_asm syntax cannot express it", index_,
                                to_string(program_[index_]), why));
    }

    void require_zero_k(const Instruction& insn, std::string_view form) const {
        if (insn.k != 0) refuse(fmt::format("'{}' always has k = 0", form));
    }

    std::string target(uint32_t offset) {
        const uint64_t destination = uint64_t{index_} + 1 + offset;
        if (destination >= program_.size()) {
            refuse(
                fmt::format("it jumps to instruction {}, past the end of the {}-instruction "
                            "program",
                            destination, program_.size()));
        }
        is_target_[destination] = true;
        return label(destination);
    }

    // An operand form that always has k = 0: the text, or a refusal when k is not 0.
    std::string without_k(const Instruction& insn, std::string form) const {
        require_zero_k(insn, form);
        return form;
    }

    std::string conditional_jump(const Instruction& insn, const OpcodeInfo& info,
                                 std::string_view operand) {
        if (insn.jf == 0) return fmt::format("{} {}, {}", info.mnemonic, operand, target(insn.jt));
        if (insn.jt == 0 && !info.negated_mnemonic.empty()) {
            return fmt::format("{} {}, {}", info.negated_mnemonic, operand, target(insn.jf));
        }
        std::string when_true = target(insn.jt);
        return fmt::format("{} {}, {}, {}", info.mnemonic, operand, when_true, target(insn.jf));
    }

    const Program& program_;
    std::vector<bool>& is_target_;
    std::size_t index_ = 0;
};

}  // namespace

std::string disassemble(const Program& program) {
    if (program.empty()) {
        throw Error("an empty program has no bpf_asm form: it needs at least one instruction");
    }
    if (program.size() > op::kMaxInstructions) {
        throw Error(fmt::format("a program of {} instructions has no bpf_asm form: at most {}",
                                program.size(), op::kMaxInstructions));
    }
    std::vector<bool> is_target(program.size(), false);
    InstructionWriter writer(program, is_target);
    std::vector<std::string> lines;
    lines.reserve(program.size());
    for (std::size_t i = 0; i < program.size(); ++i) lines.push_back(writer.write(i));

    std::string text;
    text.reserve(program.size() * 24);
    for (std::size_t i = 0; i < program.size(); ++i) {
        if (is_target[i]) fmt::format_to(std::back_inserter(text), "{}:\n", label(i));
        fmt::format_to(std::back_inserter(text), "    {}\n", lines[i]);
    }
    return text;
}

}  // namespace bpfgen
