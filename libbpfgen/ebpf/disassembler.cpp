// disassembler.cpp: eBPF instructions printed in the verifier log's notation.
#include "libbpfgen/ebpf/disassembler.h"

#include <fmt/format.h>

namespace bpfgen::ebpf {

namespace {

std::string register_name(Register reg, bool wide) {
    return fmt::format("{}{}", wide ? 'r' : 'w', static_cast<int>(reg));
}

const char* alu_symbol(uint8_t operation) {
    switch (static_cast<Alu>(operation)) {
        case Alu::Add:
            return "+=";
        case Alu::Sub:
            return "-=";
        case Alu::Mul:
            return "*=";
        case Alu::Div:
            return "/=";
        case Alu::Or:
            return "|=";
        case Alu::And:
            return "&=";
        case Alu::Lsh:
            return "<<=";
        case Alu::Rsh:
            return ">>=";
        case Alu::Mod:
            return "%=";
        case Alu::Xor:
            return "^=";
        case Alu::Mov:
            return "=";
        case Alu::Arsh:
            return "s>>=";
        default:
            return "?=";
    }
}

const char* jump_symbol(uint8_t condition) {
    switch (static_cast<Jump>(condition)) {
        case Jump::Eq:
            return "==";
        case Jump::Gt:
            return ">";
        case Jump::Ge:
            return ">=";
        case Jump::Set:
            return "&";
        case Jump::Ne:
            return "!=";
        case Jump::Lt:
            return "<";
        case Jump::Le:
            return "<=";
        default:
            return "?";
    }
}

const char* size_name(uint8_t size) {
    switch (size) {
        case code::kB:
            return "u8";
        case code::kH:
            return "u16";
        case code::kW:
            return "u32";
        default:
            return "u64";
    }
}

std::string hex(int32_t imm) {
    return fmt::format("{:#x}", static_cast<uint32_t>(imm));
}

}  // namespace

std::string to_string(const Instruction& instruction) {
    const uint8_t opcode = instruction.opcode;
    const uint8_t cls = opcode & 0x07;
    const bool from_register = (opcode & code::kX) != 0;
    switch (cls) {
        case code::kAlu:
        case code::kAlu64: {
            const bool wide = cls == code::kAlu64;
            const std::string dst = register_name(instruction.dst, wide);
            const uint8_t operation = opcode & 0xf0;
            if (operation == code::kEnd)
                return fmt::format("{} = be{} {}", dst, instruction.imm, dst);
            if (operation == static_cast<uint8_t>(Alu::Neg))
                return fmt::format("{} = -{}", dst, dst);
            const std::string operand =
                from_register ? register_name(instruction.src, wide) : hex(instruction.imm);
            return fmt::format("{} {} {}", dst, alu_symbol(operation), operand);
        }
        case code::kLdx:
            return fmt::format("{} = *({} *)({} {:+d})", register_name(instruction.dst, true),
                               size_name(opcode & 0x18), register_name(instruction.src, true),
                               instruction.offset);
        case code::kStx:
            return fmt::format("*({} *)({} {:+d}) = {}", size_name(opcode & 0x18),
                               register_name(instruction.dst, true), instruction.offset,
                               register_name(instruction.src, true));
        case code::kLd:
            return fmt::format("{} = map[{}]", register_name(instruction.dst, true),
                               instruction.map);
        case code::kJmp:
        case code::kJmp32: {
            const uint8_t operation = opcode & 0xf0;
            if (operation == code::kExit) return "exit";
            if (operation == code::kCall) return fmt::format("call {}", instruction.imm);
            const std::string target = instruction.target.empty()
                                           ? fmt::format("{:+d}", instruction.offset)
                                           : instruction.target;
            if (operation == static_cast<uint8_t>(Jump::Always)) return "goto " + target;
            const bool wide = cls == code::kJmp;
            const std::string operand =
                from_register ? register_name(instruction.src, wide) : hex(instruction.imm);
            return fmt::format("if {} {} {} goto {}", register_name(instruction.dst, wide),
                               jump_symbol(operation), operand, target);
        }
        default:
            return fmt::format("unknown opcode {:#04x}", opcode);
    }
}

std::string disassemble(const Program& program) {
    std::string text;
    const auto& labels = program.labels();
    const auto& instructions = program.instructions();
    for (std::size_t i = 0; i <= instructions.size(); ++i) {
        const auto [first, last] = labels.equal_range(i);
        for (auto label = first; label != last; ++label) text += label->second + ":\n";
        if (i < instructions.size()) text += "    " + to_string(instructions[i]) + "\n";
    }
    return text;
}

}  // namespace bpfgen::ebpf
