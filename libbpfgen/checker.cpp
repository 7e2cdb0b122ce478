// checker.cpp: the kernel's classic BPF rules (net/core/filter.c: bpf_check_basics_ok,
// chk_code_allowed, bpf_check_classic, bpf_anc_helper, check_load_and_stores), applied in
// the kernel's order so the first violation reported is the one the kernel stops at.
//
// Deliberately not modelled: the kernel's memory-allocation limits (a 4096-instruction
// program always fits) and the socket-level rules outside bpf_check_classic (e.g. a
// locked filter, SO_LOCK_FILTER), which depend on the socket, not on the program.
#include "libbpfgen/checker.h"

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace bpfgen {

namespace {

// The kernel's codes[] table of chk_code_allowed: every opcode classic BPF may use.
// Note that `ret x` (BPF_RET | BPF_X) is not in it: the kernel refuses it.
constexpr uint16_t kAllowedCodes[] = {
    op::kAlu | op::kAdd | op::kK,
    op::kAlu | op::kAdd | op::kX,
    op::kAlu | op::kSub | op::kK,
    op::kAlu | op::kSub | op::kX,
    op::kAlu | op::kMul | op::kK,
    op::kAlu | op::kMul | op::kX,
    op::kAlu | op::kDiv | op::kK,
    op::kAlu | op::kDiv | op::kX,
    op::kAlu | op::kMod | op::kK,
    op::kAlu | op::kMod | op::kX,
    op::kAlu | op::kAnd | op::kK,
    op::kAlu | op::kAnd | op::kX,
    op::kAlu | op::kOr | op::kK,
    op::kAlu | op::kOr | op::kX,
    op::kAlu | op::kXor | op::kK,
    op::kAlu | op::kXor | op::kX,
    op::kAlu | op::kLsh | op::kK,
    op::kAlu | op::kLsh | op::kX,
    op::kAlu | op::kRsh | op::kK,
    op::kAlu | op::kRsh | op::kX,
    op::kAlu | op::kNeg,
    op::kLd | op::kW | op::kAbs,
    op::kLd | op::kH | op::kAbs,
    op::kLd | op::kB | op::kAbs,
    op::kLd | op::kW | op::kLen,
    op::kLd | op::kW | op::kInd,
    op::kLd | op::kH | op::kInd,
    op::kLd | op::kB | op::kInd,
    op::kLd | op::kImm,
    op::kLd | op::kMem,
    op::kLdx | op::kW | op::kLen,
    op::kLdx | op::kB | op::kMsh,
    op::kLdx | op::kImm,
    op::kLdx | op::kMem,
    op::kSt,
    op::kStx,
    op::kMisc | op::kTax,
    op::kMisc | op::kTxa,
    op::kRet | op::kK,
    op::kRet | op::kRetA,
    op::kJmp | op::kJa,
    op::kJmp | op::kJeq | op::kK,
    op::kJmp | op::kJeq | op::kX,
    op::kJmp | op::kJge | op::kK,
    op::kJmp | op::kJge | op::kX,
    op::kJmp | op::kJgt | op::kK,
    op::kJmp | op::kJgt | op::kX,
    op::kJmp | op::kJset | op::kK,
    op::kJmp | op::kJset | op::kX,
};

bool code_allowed(uint16_t code) {
    for (uint16_t allowed : kAllowedCodes) {
        if (allowed == code) return true;
    }
    return false;
}

bool is_conditional_jump(uint16_t code) {
    return op::cls(code) == op::kJmp && op::jmp_op(code) != op::kJa;
}

bool known_ancillary(uint32_t k) {
    switch (k - ancillary::kOffset) {
        case ancillary::kProtocol:
        case ancillary::kPktType:
        case ancillary::kIfIndex:
        case ancillary::kNlAttr:
        case ancillary::kNlAttrNest:
        case ancillary::kMark:
        case ancillary::kQueue:
        case ancillary::kHaType:
        case ancillary::kRxHash:
        case ancillary::kCpu:
        case ancillary::kAluXorX:
        case ancillary::kVlanTag:
        case ancillary::kVlanTagPresent:
        case ancillary::kPayOffset:
        case ancillary::kRandom:
        case ancillary::kVlanTpid:
            return true;
        default:
            return false;
    }
}

void check_instruction(const Instruction& insn, std::size_t pc, std::size_t length) {
    if (!code_allowed(insn.code)) {
        throw CheckError(pc, fmt::format("opcode {:#04x} is not a classic BPF instruction the "
                                         "kernel accepts",
                                         insn.code));
    }
    switch (insn.code) {
        case op::kAlu | op::kDiv | op::kK:
            if (insn.k == 0) throw CheckError(pc, "division by constant zero");
            break;
        case op::kAlu | op::kMod | op::kK:
            if (insn.k == 0) throw CheckError(pc, "modulo by constant zero");
            break;
        case op::kAlu | op::kLsh | op::kK:
        case op::kAlu | op::kRsh | op::kK:
            if (insn.k >= 32) {
                throw CheckError(pc, fmt::format("shift by constant {} (at most 31)", insn.k));
            }
            break;
        case op::kLd | op::kMem:
        case op::kLdx | op::kMem:
        case op::kSt:
        case op::kStx:
            if (insn.k >= op::kMemWords) {
                throw CheckError(pc, fmt::format("scratch memory M[{}] does not exist (M[0] to "
                                                 "M[15])",
                                                 insn.k));
            }
            break;
        case op::kJmp | op::kJa:
            if (insn.k >= length - pc - 1) {
                throw CheckError(pc, fmt::format("ja +{} jumps past the end of the program "
                                                 "({} instructions)",
                                                 insn.k, length));
            }
            break;
        case op::kLd | op::kW | op::kAbs:
        case op::kLd | op::kH | op::kAbs:
        case op::kLd | op::kB | op::kAbs:
            if (insn.k >= ancillary::kOffset && !known_ancillary(insn.k)) {
                throw CheckError(pc, fmt::format("unknown ancillary load at k={:#x} (SKF_AD_OFF "
                                                 "+ {})",
                                                 insn.k, insn.k - ancillary::kOffset));
            }
            break;
        default:
            if (is_conditional_jump(insn.code)) {
                if (pc + insn.jt + 1 >= length || pc + insn.jf + 1 >= length) {
                    throw CheckError(pc, fmt::format("conditional jump (jt {}, jf {}) lands past "
                                                     "the end of the program ({} instructions)",
                                                     insn.jt, insn.jf, length));
                }
            }
            break;
    }
}

// check_load_and_stores: a scratch word may be read only when every path to the read
// stores it first. Mirrors the kernel's single forward pass, including its treatment of
// the instruction after a return (it inherits the state of the straight-line path).
void check_scratch_memory(const Program& program) {
    const std::size_t length = program.size();
    std::vector<uint16_t> masks(length, 0xffff);
    uint16_t valid = 0;
    for (std::size_t pc = 0; pc < length; ++pc) {
        const Instruction& insn = program[pc];
        valid &= masks[pc];
        switch (insn.code) {
            case op::kSt:
            case op::kStx:
                valid |= static_cast<uint16_t>(1u << insn.k);
                break;
            case op::kLd | op::kMem:
            case op::kLdx | op::kMem:
                if (!(valid & (1u << insn.k))) {
                    throw CheckError(pc, fmt::format("M[{}] is read before it is written on some "
                                                     "path",
                                                     insn.k));
                }
                break;
            case op::kJmp | op::kJa:
                masks[pc + 1 + insn.k] &= valid;
                valid = 0xffff;
                break;
            default:
                if (is_conditional_jump(insn.code)) {
                    masks[pc + 1 + insn.jt] &= valid;
                    masks[pc + 1 + insn.jf] &= valid;
                    valid = 0xffff;
                }
                break;
        }
    }
}

}  // namespace

void check_kernel_rules(const Program& program, CheckTarget target) {
    const std::size_t length = program.size();
    if (length == 0) throw CheckError(0, "empty program (at least one instruction)");
    if (length > op::kMaxInstructions) {
        throw CheckError(op::kMaxInstructions,
                         fmt::format("program has {} instructions, the kernel allows at most {}",
                                     length, op::kMaxInstructions));
    }
    if (target == CheckTarget::XtBpf && length > op::kXtBpfMaxInstructions) {
        throw CheckError(op::kXtBpfMaxInstructions,
                         fmt::format("program has {} instructions, xt_bpf allows at most {}",
                                     length, op::kXtBpfMaxInstructions));
    }
    for (std::size_t pc = 0; pc < length; ++pc) check_instruction(program[pc], pc, length);
    const uint16_t last = program[length - 1].code;
    if (last != (op::kRet | op::kK) && last != (op::kRet | op::kRetA)) {
        throw CheckError(length - 1, "the last instruction must be a return (ret #k or ret a)");
    }
    check_scratch_memory(program);
}

}  // namespace bpfgen
