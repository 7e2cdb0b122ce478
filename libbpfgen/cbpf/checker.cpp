// checker.cpp: the kernel's acceptance rules for classic BPF, as net/core/filter.c applies
// them at SO_ATTACH_FILTER (bpf_check_basics_ok, bpf_check_classic, chk_code_allowed,
// bpf_anc_helper, check_load_and_stores) and xt_bpf adds (at most 64 instructions), in the
// kernel's order, so the first violation found is the one the kernel would stop at.
//
// Rules the kernel applies that this checker deliberately does not:
// - After bpf_check_classic, bpf_convert_filter rewrites the program into eBPF and refuses
//   it (EINVAL) when a jump no longer fits the 16-bit eBPF offset: each packet load grows
//   to about a dozen eBPF instructions, so a jump over roughly 2500 loads fails. The
//   expansion depends on the architecture and kernel version; such programs are far beyond
//   anything the generators emit (xt_bpf allows 64 instructions).
// - The attached program is charged to the socket's option memory (net.core.optmem_max),
//   which can refuse (ENOMEM) a valid program of a few thousand instructions.
// - seccomp's own checker (seccomp_check_filter) allows other codes (ld [k] of
//   seccomp_data); this is the socket/xt_bpf dialect only.
#include "libbpfgen/cbpf/checker.h"

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace {

using namespace op;

// chk_code_allowed: the exact codes the kernel accepts, the table's entries it marks so. Any
// other value, including unused bits set in an otherwise known instruction (e.g. `ret x`,
// 0x0e), is refused: nullptr.
const OpcodeInfo* allowed_opcode(uint16_t code) {
    const OpcodeInfo* info = find_opcode(code);
    return info != nullptr && info->kernel_accepts ? info : nullptr;
}

// bpf_anc_helper: the SKF_AD_* extensions the kernel knows.
bool is_known_extension(uint32_t k) {
    return find_extension(k) != nullptr;
}

// bpf_check_classic's per-instruction checks (after chk_code_allowed).
void check_instruction(const Instruction& instruction, std::size_t index, std::size_t length) {
    const uint16_t code = instruction.code;
    const uint32_t k = instruction.k;
    const OpcodeInfo* info = allowed_opcode(code);
    if (info == nullptr) {
        throw CheckError(index, fmt::format("opcode {:#04x} is not an instruction the kernel "
                                            "accepts",
                                            code));
    }
    switch (info->operation) {
        case Operation::DivK:
            if (k == 0) throw CheckError(index, "division by constant zero");
            break;
        case Operation::ModK:
            if (k == 0) throw CheckError(index, "modulo by constant zero");
            break;
        case Operation::LshK:
        case Operation::RshK:
            if (k >= 32) {
                throw CheckError(index,
                                 fmt::format("shift by constant {}, the kernel allows 0 to 31", k));
            }
            break;
        case Operation::LdMem:
        case Operation::LdxMem:
        case Operation::St:
        case Operation::Stx:
            if (k >= kMemWords) {
                throw CheckError(index, fmt::format("scratch memory index {} out of range, "
                                                    "M[0] to M[{}] exist",
                                                    k, kMemWords - 1));
            }
            break;
        case Operation::Ja: {
            const uint64_t target = uint64_t{index} + 1 + k;
            if (target >= length) {
                // libpcap's optimiser emits loops (protochain) as ja with a "negative" k.
                const std::string backwards =
                    k >= 0x80000000u
                        ? fmt::format(
                              " (read as signed, {}: a jump backwards, which the kernel "
                              "never takes)",
                              static_cast<int32_t>(k))
                        : "";
                throw CheckError(index, fmt::format("ja {} lands on instruction {}, past the end "
                                                    "of the {}-instruction program{}",
                                                    k, target, length, backwards));
            }
            break;
        }
        case Operation::LdAbsW:
        case Operation::LdAbsH:
        case Operation::LdAbsB:
            if (k >= ancillary::kOffset && !is_known_extension(k)) {
                throw CheckError(index, fmt::format("ancillary load of SKF_AD_OFF+{} names no "
                                                    "extension the kernel knows",
                                                    k - ancillary::kOffset));
            }
            break;
        default:
            if (info->uses_jt_jf()) {
                for (const auto& [offset, name] :
                     {std::pair{instruction.jt, "true"}, std::pair{instruction.jf, "false"}}) {
                    const std::size_t target = index + 1 + offset;
                    if (target >= length) {
                        throw CheckError(index, fmt::format("jump-if-{} offset {} lands on "
                                                            "instruction {}, past the end of the "
                                                            "{}-instruction program",
                                                            name, offset, target, length));
                    }
                }
            }
            break;
    }
}

// check_load_and_stores, with the kernel's exact data flow: one bit per scratch cell;
// a jump narrows the set known at its targets and everything is assumed written right
// after it; a ret, however, passes its set on to the next instruction as if it fell
// through. So a read the kernel cannot prove safe this way is refused, even where every
// real path writes the cell first.
void check_scratch_memory(const Program& program) {
    const std::size_t length = program.size();
    std::vector<uint16_t> valid_at(length, 0xffff);
    uint16_t valid = 0;
    for (std::size_t pc = 0; pc < length; ++pc) {
        const Instruction& instruction = program[pc];
        valid &= valid_at[pc];
        const Operation operation = find_opcode(instruction.code)->operation;  // checked
        if (operation == Operation::St || operation == Operation::Stx) {
            valid |= static_cast<uint16_t>(1u << instruction.k);
        } else if (operation == Operation::LdMem || operation == Operation::LdxMem) {
            if ((valid & (1u << instruction.k)) == 0) {
                throw CheckError(pc, fmt::format("M[{}] is read before it is written on every "
                                                 "path to this instruction",
                                                 instruction.k));
            }
        } else if (operation == Operation::Ja) {
            valid_at[pc + 1 + instruction.k] &= valid;
            valid = 0xffff;
        } else if (instruction.is_conditional_jump()) {
            valid_at[pc + 1 + instruction.jt] &= valid;
            valid_at[pc + 1 + instruction.jf] &= valid;
            valid = 0xffff;
        }
    }
}

}  // namespace

void check_kernel_rules(const Program& program, CheckTarget target) {
    const std::size_t length = program.size();
    if (length == 0)
        throw CheckError(0, "the program is empty, the kernel needs at least one instruction");
    if (target == CheckTarget::XtBpf && length > kXtBpfMaxInstructions) {
        throw CheckError(kXtBpfMaxInstructions,
                         fmt::format("the program has {} instructions, xt_bpf allows at most {}",
                                     length, kXtBpfMaxInstructions));
    }
    if (length > kMaxInstructions) {
        throw CheckError(kMaxInstructions,
                         fmt::format("the program has {} instructions, the kernel allows at "
                                     "most {}",
                                     length, kMaxInstructions));
    }
    for (std::size_t index = 0; index < length; ++index) {
        check_instruction(program[index], index, length);
    }
    if (!program[length - 1].is_return()) {  // ret x, the only other, is refused above
        throw CheckError(length - 1, "the last instruction must be a ret");
    }
    check_scratch_memory(program);
}

std::optional<std::string> xt_bpf_length_warning(const Program& program) {
    if (program.size() <= op::kXtBpfMaxInstructions) return std::nullopt;
    return fmt::format("{} instructions; iptables' bpf match (xt_bpf) takes at most {}",
                       program.size(), op::kXtBpfMaxInstructions);
}

}  // namespace bpfgen
