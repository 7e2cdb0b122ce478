// disassembler.cpp: Program -> bpf_asm text. Each instruction is written in the one form
// the assembler encodes back to exactly the same {code, jt, jf, k}; an instruction that no
// bpf_asm text produces (unknown opcode, a field the syntax always leaves 0 but is not,
// a jump past the end) is refused with an Error naming its index, never printed wrongly.
#include "libbpfgen/cbpf/disassembler.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace {

struct NamedExtension {
    uint32_t offset;
    std::string_view name;
};

// The assembler's names for ancillary loads (vlan_pr is the older spelling of vlan_avail).
constexpr NamedExtension kExtensions[] = {
    {ancillary::kProtocol, "#proto"},     {ancillary::kPktType, "#type"},
    {ancillary::kIfIndex, "#ifidx"},      {ancillary::kNlAttr, "#nla"},
    {ancillary::kNlAttrNest, "#nlan"},    {ancillary::kMark, "#mark"},
    {ancillary::kQueue, "#queue"},        {ancillary::kHaType, "#hatype"},
    {ancillary::kRxHash, "#rxhash"},      {ancillary::kCpu, "#cpu"},
    {ancillary::kVlanTag, "#vlan_tci"},   {ancillary::kVlanTagPresent, "#vlan_avail"},
    {ancillary::kPayOffset, "#poff"},     {ancillary::kRandom, "#rand"},
    {ancillary::kVlanTpid, "#vlan_tpid"},
};

std::optional<std::string_view> extension_name(uint32_t k) {
    for (const NamedExtension& extension : kExtensions) {
        if (k == ancillary::kOffset + extension.offset) return extension.name;
    }
    return std::nullopt;
}

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

std::string_view alu_name(uint16_t operation) {
    switch (operation) {
        case op::kAdd:
            return "add";
        case op::kSub:
            return "sub";
        case op::kMul:
            return "mul";
        case op::kDiv:
            return "div";
        case op::kMod:
            return "mod";
        case op::kAnd:
            return "and";
        case op::kOr:
            return "or";
        case op::kXor:
            return "xor";
        case op::kLsh:
            return "lsh";
        case op::kRsh:
            return "rsh";
        default:
            return {};
    }
}

bool bitwise(uint16_t operation) {
    return operation == op::kAnd || operation == op::kOr || operation == op::kXor;
}

std::string_view jump_name(uint16_t operation) {
    switch (operation) {
        case op::kJeq:
            return "jeq";
        case op::kJgt:
            return "jgt";
        case op::kJge:
            return "jge";
        case op::kJset:
            return "jset";
        default:
            return {};
    }
}

// The kernel's one-label negations: jneq = jeq with jf, jlt = jge with jf, jle = jgt with jf.
std::string_view negated_jump_name(uint16_t operation) {
    switch (operation) {
        case op::kJeq:
            return "jneq";
        case op::kJge:
            return "jlt";
        case op::kJgt:
            return "jle";
        default:
            return {};
    }
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
        switch (insn.cls()) {
            case op::kLd:
                return load(insn);
            case op::kLdx:
                return load_index(insn);
            case op::kSt:
            case op::kStx:
                if (insn.code != insn.cls()) refuse("unknown opcode");
                return fmt::format("{} M[{}]", insn.cls() == op::kSt ? "st" : "stx",
                                   number(insn.k));
            case op::kAlu:
                return arithmetic(insn);
            case op::kJmp:
                return jump(insn);
            case op::kRet:
                return ret(insn);
            default:
                return misc(insn);
        }
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

    std::string load(const Instruction& insn) {
        const std::string_view name =
            insn.code == (op::kLd | op::kB | op::kAbs) || insn.code == (op::kLd | op::kB | op::kInd)
                ? "ldb"
            : insn.code == (op::kLd | op::kH | op::kAbs) ||
                    insn.code == (op::kLd | op::kH | op::kInd)
                ? "ldh"
                : "ld";
        switch (insn.code) {
            case op::kLd | op::kImm:
                return fmt::format("ld #{}", number(insn.k));
            case op::kLd | op::kW | op::kAbs:
            case op::kLd | op::kH | op::kAbs:
            case op::kLd | op::kB | op::kAbs:
                if (const auto extension = extension_name(insn.k)) {
                    return fmt::format("{} {}", name, *extension);
                }
                return fmt::format("{} [{}]", name, number(insn.k));
            case op::kLd | op::kW | op::kInd:
            case op::kLd | op::kH | op::kInd:
            case op::kLd | op::kB | op::kInd:
                return fmt::format("{} [x + {}]", name, number(insn.k));
            case op::kLd | op::kMem:
                return fmt::format("ld M[{}]", number(insn.k));
            case op::kLd | op::kW | op::kLen:
                require_zero_k(insn, "ld #len");
                return "ld #len";
            default:
                refuse("unknown opcode");
        }
    }

    std::string load_index(const Instruction& insn) {
        switch (insn.code) {
            case op::kLdx | op::kImm:
                return fmt::format("ldx #{}", number(insn.k));
            case op::kLdx | op::kMem:
                return fmt::format("ldx M[{}]", number(insn.k));
            case op::kLdx | op::kW | op::kLen:
                require_zero_k(insn, "ldx #len");
                return "ldx #len";
            case op::kLdx | op::kMsh | op::kB:
                return fmt::format("ldxb 4*([{}]&0xf)", number(insn.k));
            default:
                refuse("unknown opcode");
        }
    }

    std::string arithmetic(const Instruction& insn) {
        const uint16_t operation = op::alu_op(insn.code);
        if (insn.code == (op::kAlu | op::kNeg)) {
            require_zero_k(insn, "neg");
            return "neg";
        }
        const std::string_view name = alu_name(operation);
        if (name.empty() || insn.code != (op::kAlu | operation | op::src(insn.code))) {
            refuse("unknown opcode");
        }
        if (op::src(insn.code) == op::kX) {
            require_zero_k(insn, fmt::format("{} x", name));
            return fmt::format("{} x", name);
        }
        return fmt::format("{} #{}", name, bitwise(operation) ? bits(insn.k) : number(insn.k));
    }

    std::string jump(const Instruction& insn) {
        const uint16_t operation = op::jmp_op(insn.code);
        if (insn.code == (op::kJmp | op::kJa)) return fmt::format("ja {}", target(insn.k));
        const std::string_view name = jump_name(operation);
        if (name.empty() || insn.code != (op::kJmp | operation | op::src(insn.code))) {
            refuse("unknown opcode");
        }
        std::string operand = "#" + bits(insn.k);
        if (op::src(insn.code) == op::kX) {
            require_zero_k(insn, fmt::format("{} x", name));
            operand = "x";
        }
        if (insn.jf == 0) return fmt::format("{} {}, {}", name, operand, target(insn.jt));
        const std::string_view negated = negated_jump_name(operation);
        if (insn.jt == 0 && !negated.empty()) {
            return fmt::format("{} {}, {}", negated, operand, target(insn.jf));
        }
        std::string when_true = target(insn.jt);
        return fmt::format("{} {}, {}, {}", name, operand, when_true, target(insn.jf));
    }

    std::string ret(const Instruction& insn) {
        switch (insn.code) {
            case op::kRet | op::kK:
                return fmt::format("ret #{}", number(insn.k));
            case op::kRet | op::kRetA:
                require_zero_k(insn, "ret a");
                return "ret a";
            case op::kRet | op::kX:
                require_zero_k(insn, "ret x");
                return "ret x";
            default:
                refuse("unknown opcode");
        }
    }

    std::string misc(const Instruction& insn) {
        switch (insn.code) {
            case op::kMisc | op::kTax:
                require_zero_k(insn, "tax");
                return "tax";
            case op::kMisc | op::kTxa:
                require_zero_k(insn, "txa");
                return "txa";
            default:
                refuse("unknown opcode");
        }
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
