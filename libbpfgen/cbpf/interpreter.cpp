// interpreter.cpp: decodes a checked program once into a dense operation set (ancillary
// loads, negative offsets and jump targets resolved up front) and runs it over packets
// with the kernel's semantics, described in interpreter.h, by direct threading (each decoded
// instruction holds the address of its handler). No allocation per packet and no run-time
// check of jump targets: the checker has proven every target in range.
#include "libbpfgen/cbpf/interpreter.h"

#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/detail/jit_x86_64.h"
#include "libbpfgen/cbpf/detail/packet_loads.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace detail {

// The operations, in one list for the enum and for the interpreter's table of handlers,
// so the two cannot disagree. In order:
// - packet loads at a non-negative constant offset (LdAbs*), and at a negative one
//   (LdAbsRelative*: a header-relative SKF_NET_OFF / SKF_LL_OFF offset, or out of range);
// - the other loads and stores, ALU operations, jumps and returns, one per opcode;
// - a packet load fused with the conditional jump on a constant right after it (the
//   commonest pair in generated programs: one dispatch instead of two). Their order
//   matters: fuse_loads_with_jumps computes their position from the load and the jump;
// - tax, txa, and the ancillary loads (SKF_AD_OFF + SKF_AD_*) whatever their size.
// One entry per line (no comments inside the macro, which clang-format would reflow).
#define BPFGEN_DECODED_OPS(X) \
    X(LdAbsW)                 \
    X(LdAbsH)                 \
    X(LdAbsB)                 \
    X(LdAbsRelativeW)         \
    X(LdAbsRelativeH)         \
    X(LdAbsRelativeB)         \
    X(LdIndW)                 \
    X(LdIndH)                 \
    X(LdIndB)                 \
    X(LdxMsh)                 \
    X(LdImm)                  \
    X(LdxImm)                 \
    X(LdLen)                  \
    X(LdxLen)                 \
    X(LdMem)                  \
    X(LdxMem)                 \
    X(St)                     \
    X(Stx)                    \
    X(AddK)                   \
    X(AddX)                   \
    X(SubK)                   \
    X(SubX)                   \
    X(MulK)                   \
    X(MulX)                   \
    X(DivK)                   \
    X(DivX)                   \
    X(ModK)                   \
    X(ModX)                   \
    X(AndK)                   \
    X(AndX)                   \
    X(OrK)                    \
    X(OrX)                    \
    X(XorK)                   \
    X(XorX)                   \
    X(LshK)                   \
    X(LshX)                   \
    X(RshK)                   \
    X(RshX)                   \
    X(Neg)                    \
    X(Ja)                     \
    X(JeqK)                   \
    X(JeqX)                   \
    X(JgtK)                   \
    X(JgtX)                   \
    X(JgeK)                   \
    X(JgeX)                   \
    X(JsetK)                  \
    X(JsetX)                  \
    X(RetK)                   \
    X(RetA)                   \
    X(LdAbsWJeqK)             \
    X(LdAbsWJgtK)             \
    X(LdAbsWJgeK)             \
    X(LdAbsWJsetK)            \
    X(LdAbsHJeqK)             \
    X(LdAbsHJgtK)             \
    X(LdAbsHJgeK)             \
    X(LdAbsHJsetK)            \
    X(LdAbsBJeqK)             \
    X(LdAbsBJgtK)             \
    X(LdAbsBJgeK)             \
    X(LdAbsBJsetK)            \
    X(LdIndWJeqK)             \
    X(LdIndWJgtK)             \
    X(LdIndWJgeK)             \
    X(LdIndWJsetK)            \
    X(LdIndHJeqK)             \
    X(LdIndHJgtK)             \
    X(LdIndHJgeK)             \
    X(LdIndHJsetK)            \
    X(LdIndBJeqK)             \
    X(LdIndBJgtK)             \
    X(LdIndBJgeK)             \
    X(LdIndBJsetK)            \
    X(Tax)                    \
    X(Txa)                    \
    X(Protocol)               \
    X(PktType)                \
    X(IfIndex)                \
    X(NlAttr)                 \
    X(NlAttrNest)             \
    X(Mark)                   \
    X(Queue)                  \
    X(HaType)                 \
    X(RxHash)                 \
    X(Cpu)                    \
    X(AluXorX)                \
    X(VlanTag)                \
    X(VlanTagPresent)         \
    X(PayOffset)              \
    X(Random)                 \
    X(VlanTpid)

#define BPFGEN_ENUMERATOR(name) name,
enum class DecodedOp : uint8_t { BPFGEN_DECODED_OPS(BPFGEN_ENUMERATOR) };
#undef BPFGEN_ENUMERATOR

}  // namespace detail

namespace {

using detail::DecodedInstruction;
using detail::DecodedOp;

DecodedOp decode_ancillary(uint32_t extension) {
    switch (extension) {
        case ancillary::kProtocol:
            return DecodedOp::Protocol;
        case ancillary::kPktType:
            return DecodedOp::PktType;
        case ancillary::kIfIndex:
            return DecodedOp::IfIndex;
        case ancillary::kNlAttr:
            return DecodedOp::NlAttr;
        case ancillary::kNlAttrNest:
            return DecodedOp::NlAttrNest;
        case ancillary::kMark:
            return DecodedOp::Mark;
        case ancillary::kQueue:
            return DecodedOp::Queue;
        case ancillary::kHaType:
            return DecodedOp::HaType;
        case ancillary::kRxHash:
            return DecodedOp::RxHash;
        case ancillary::kCpu:
            return DecodedOp::Cpu;
        case ancillary::kAluXorX:
            return DecodedOp::AluXorX;
        case ancillary::kVlanTag:
            return DecodedOp::VlanTag;
        case ancillary::kVlanTagPresent:
            return DecodedOp::VlanTagPresent;
        case ancillary::kPayOffset:
            return DecodedOp::PayOffset;
        case ancillary::kRandom:
            return DecodedOp::Random;
        case ancillary::kVlanTpid:
            return DecodedOp::VlanTpid;
    }
    throw Error("unknown ancillary extension " + std::to_string(extension));
}

DecodedOp decode_load_abs(uint16_t size, uint32_t k) {
    if (k >= ancillary::kOffset) return decode_ancillary(k - ancillary::kOffset);
    const bool relative = static_cast<int32_t>(k) < 0;
    switch (size) {
        case op::kW:
            return relative ? DecodedOp::LdAbsRelativeW : DecodedOp::LdAbsW;
        case op::kH:
            return relative ? DecodedOp::LdAbsRelativeH : DecodedOp::LdAbsH;
        default:
            return relative ? DecodedOp::LdAbsRelativeB : DecodedOp::LdAbsB;
    }
}

// The operation of a code the checker accepted.
DecodedOp decode_op(const Instruction& instruction) {
    const OpcodeInfo* info = find_opcode(instruction.code);
    if (info == nullptr) throw Error("cannot decode " + to_string(instruction));
    switch (info->operation) {
        case Operation::LdAbsW:
        case Operation::LdAbsH:
        case Operation::LdAbsB:
            return decode_load_abs(op::size(instruction.code), instruction.k);
        case Operation::LdIndW:
            return DecodedOp::LdIndW;
        case Operation::LdIndH:
            return DecodedOp::LdIndH;
        case Operation::LdIndB:
            return DecodedOp::LdIndB;
        case Operation::LdxMsh:
            return DecodedOp::LdxMsh;
        case Operation::LdImm:
            return DecodedOp::LdImm;
        case Operation::LdxImm:
            return DecodedOp::LdxImm;
        case Operation::LdLen:
            return DecodedOp::LdLen;
        case Operation::LdxLen:
            return DecodedOp::LdxLen;
        case Operation::LdMem:
            return DecodedOp::LdMem;
        case Operation::LdxMem:
            return DecodedOp::LdxMem;
        case Operation::St:
            return DecodedOp::St;
        case Operation::Stx:
            return DecodedOp::Stx;
        case Operation::AddK:
            return DecodedOp::AddK;
        case Operation::AddX:
            return DecodedOp::AddX;
        case Operation::SubK:
            return DecodedOp::SubK;
        case Operation::SubX:
            return DecodedOp::SubX;
        case Operation::MulK:
            return DecodedOp::MulK;
        case Operation::MulX:
            return DecodedOp::MulX;
        case Operation::DivK:
            return DecodedOp::DivK;
        case Operation::DivX:
            return DecodedOp::DivX;
        case Operation::ModK:
            return DecodedOp::ModK;
        case Operation::ModX:
            return DecodedOp::ModX;
        case Operation::AndK:
            return DecodedOp::AndK;
        case Operation::AndX:
            return DecodedOp::AndX;
        case Operation::OrK:
            return DecodedOp::OrK;
        case Operation::OrX:
            return DecodedOp::OrX;
        case Operation::XorK:
            return DecodedOp::XorK;
        case Operation::XorX:
            return DecodedOp::XorX;
        case Operation::LshK:
            return DecodedOp::LshK;
        case Operation::LshX:
            return DecodedOp::LshX;
        case Operation::RshK:
            return DecodedOp::RshK;
        case Operation::RshX:
            return DecodedOp::RshX;
        case Operation::Neg:
            return DecodedOp::Neg;
        case Operation::Ja:
            return DecodedOp::Ja;
        case Operation::JeqK:
            return DecodedOp::JeqK;
        case Operation::JeqX:
            return DecodedOp::JeqX;
        case Operation::JgtK:
            return DecodedOp::JgtK;
        case Operation::JgtX:
            return DecodedOp::JgtX;
        case Operation::JgeK:
            return DecodedOp::JgeK;
        case Operation::JgeX:
            return DecodedOp::JgeX;
        case Operation::JsetK:
            return DecodedOp::JsetK;
        case Operation::JsetX:
            return DecodedOp::JsetX;
        case Operation::RetK:
            return DecodedOp::RetK;
        case Operation::RetA:
            return DecodedOp::RetA;
        case Operation::Tax:
            return DecodedOp::Tax;
        case Operation::Txa:
            return DecodedOp::Txa;
        case Operation::RetX:
            break;
    }
    // Unreachable for a checked program; kept as an error rather than undefined behaviour.
    throw Error("cannot decode " + to_string(instruction));
}

DecodedInstruction decode(const Instruction& instruction, std::size_t index) {
    DecodedInstruction decoded{decode_op(instruction), nullptr, 0, 0, instruction.k};
    if (instruction.is_conditional_jump()) {
        decoded.jump_true = static_cast<uint16_t>(index + 1 + instruction.jt);
        decoded.jump_false = static_cast<uint16_t>(index + 1 + instruction.jf);
    } else if (instruction.is_jump()) {
        decoded.jump_true = static_cast<uint16_t>(index + 1 + instruction.k);
    }
    return decoded;
}

// Rewrites each packet load followed by a conditional jump on a constant into one fused
// operation. The jump keeps its own entry, so jumps that land on it still work.
void fuse_loads_with_jumps(std::vector<DecodedInstruction>& code) {
    constexpr DecodedOp kLoads[] = {DecodedOp::LdAbsW, DecodedOp::LdAbsH, DecodedOp::LdAbsB,
                                    DecodedOp::LdIndW, DecodedOp::LdIndH, DecodedOp::LdIndB};
    constexpr DecodedOp kJumps[] = {DecodedOp::JeqK, DecodedOp::JgtK, DecodedOp::JgeK,
                                    DecodedOp::JsetK};
    for (std::size_t i = 0; i + 1 < code.size(); ++i) {
        for (std::size_t l = 0; l < std::size(kLoads); ++l) {
            if (code[i].op != kLoads[l]) continue;
            for (std::size_t j = 0; j < std::size(kJumps); ++j) {
                if (code[i + 1].op != kJumps[j]) continue;
                code[i].op = static_cast<DecodedOp>(static_cast<uint8_t>(DecodedOp::LdAbsWJeqK) +
                                                    l * std::size(kJumps) + j);
                code[i].jump_true = code[i + 1].jump_true;
                code[i].jump_false = code[i + 1].jump_false;
                code[i].jump_k = code[i + 1].k;
            }
        }
    }
}

}  // namespace

namespace detail {

// The interpreter proper. Direct threading: each handler ends with its own indirect jump to
// the handler of the next instruction, whose address the decoded instruction holds (no
// table lookup, no bounds check), and branch predictors follow these jumps far better than
// the single jump of a switch. Label addresses (GCC and Clang) are only known inside the
// function that has the labels, so one function both resolves them and runs.
struct Execution {
    static void resolve_handlers(std::vector<DecodedInstruction>& code) {
        execute(nullptr, {}, {}, 0, &code);
    }
    static RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
                         const SkbContext& context, std::size_t wire_length) {
        return execute(program.decoded_.data(), packet, context, wire_length, nullptr);
    }

  private:
    // With `unresolved`, stores each instruction's handler address and returns; otherwise
    // runs `code` over the packet.
    static RunResult execute(const DecodedInstruction* code, std::span<const uint8_t> packet,
                             const SkbContext& context, std::size_t wire_length,
                             std::vector<DecodedInstruction>* unresolved);
};

RunResult Execution::execute(const DecodedInstruction* const code, std::span<const uint8_t> packet,
                             const SkbContext& context, std::size_t wire_length,
                             std::vector<DecodedInstruction>* unresolved) {
#define BPFGEN_HANDLER_ADDRESS(name) &&name,
    static const void* const kHandlers[] = {BPFGEN_DECODED_OPS(BPFGEN_HANDLER_ADDRESS)};
#undef BPFGEN_HANDLER_ADDRESS
    if (unresolved != nullptr) {
        for (DecodedInstruction& instruction : *unresolved) {
            instruction.handler = kHandlers[static_cast<uint8_t>(instruction.op)];
        }
        return {};
    }

    const detail::PacketReader view(packet, context);
    const uint32_t length = static_cast<uint32_t>(wire_length != 0 ? wire_length : packet.size());
    uint32_t a = 0;
    uint32_t x = 0;
    uint32_t memory[op::kMemWords] = {};
    const DecodedInstruction* insn = code;
    std::size_t executed = 0;
    uint32_t value = 0;

// Runs the instruction at `target`; every handler ends in one of these.
#define GO_TO(target)           \
    do {                        \
        insn = code + (target); \
        ++executed;             \
        goto * insn->handler;   \
    } while (false)
#define NEXT() GO_TO(insn - code + 1)
#define BRANCH(condition) GO_TO((condition) ? insn->jump_true : insn->jump_false)
// A failed packet load or a division by zero ends the program with verdict 0.
#define LOAD_OR_DROP(load) \
    if (!(load)) return RunResult{0, executed}
// A fused load and jump counts as the two instructions it replaces.
#define FUSED_BRANCH(condition) \
    ++executed;                 \
    BRANCH(condition)
    GO_TO(0);

LdAbsW:
    LOAD_OR_DROP(view.read_at<4>(insn->k, a));
    NEXT();
LdAbsH:
    LOAD_OR_DROP(view.read_at<2>(insn->k, a));
    NEXT();
LdAbsB:
    LOAD_OR_DROP(view.read_at<1>(insn->k, a));
    NEXT();
LdAbsRelativeW:
    LOAD_OR_DROP(view.read_signed<4>(static_cast<int32_t>(insn->k), a));
    NEXT();
LdAbsRelativeH:
    LOAD_OR_DROP(view.read_signed<2>(static_cast<int32_t>(insn->k), a));
    NEXT();
LdAbsRelativeB:
    LOAD_OR_DROP(view.read_signed<1>(static_cast<int32_t>(insn->k), a));
    NEXT();
LdIndW:
    LOAD_OR_DROP(view.read_signed<4>(static_cast<int32_t>(x + insn->k), a));
    NEXT();
LdIndH:
    LOAD_OR_DROP(view.read_signed<2>(static_cast<int32_t>(x + insn->k), a));
    NEXT();
LdIndB:
    LOAD_OR_DROP(view.read_signed<1>(static_cast<int32_t>(x + insn->k), a));
    NEXT();
LdxMsh:
    LOAD_OR_DROP(view.read_signed<1>(static_cast<int32_t>(insn->k), value));
    x = (value & 0xf) << 2;
    NEXT();
LdImm:
    a = insn->k;
    NEXT();
LdxImm:
    x = insn->k;
    NEXT();
LdLen:
    a = length;
    NEXT();
LdxLen:
    x = length;
    NEXT();
LdMem:
    a = memory[insn->k];
    NEXT();
LdxMem:
    x = memory[insn->k];
    NEXT();
St:
    memory[insn->k] = a;
    NEXT();
Stx:
    memory[insn->k] = x;
    NEXT();
AddK:
    a += insn->k;
    NEXT();
AddX:
    a += x;
    NEXT();
SubK:
    a -= insn->k;
    NEXT();
SubX:
    a -= x;
    NEXT();
MulK:
    a *= insn->k;
    NEXT();
MulX:
    a *= x;
    NEXT();
DivK:
    a /= insn->k;
    NEXT();
DivX:
    LOAD_OR_DROP(x != 0);
    a /= x;
    NEXT();
ModK:
    a %= insn->k;
    NEXT();
ModX:
    LOAD_OR_DROP(x != 0);
    a %= x;
    NEXT();
AndK:
    a &= insn->k;
    NEXT();
AndX:
    a &= x;
    NEXT();
OrK:
    a |= insn->k;
    NEXT();
OrX:
    a |= x;
    NEXT();
XorK:
    a ^= insn->k;
    NEXT();
XorX:
AluXorX:
    a ^= x;
    NEXT();
LshK:
    a <<= insn->k;
    NEXT();
LshX:
    a <<= (x & 31);
    NEXT();
RshK:
    a >>= insn->k;
    NEXT();
RshX:
    a >>= (x & 31);
    NEXT();
Neg:
    a = 0u - a;
    NEXT();
Ja:
    GO_TO(insn->jump_true);
JeqK:
    BRANCH(a == insn->k);
JeqX:
    BRANCH(a == x);
JgtK:
    BRANCH(a > insn->k);
JgtX:
    BRANCH(a > x);
JgeK:
    BRANCH(a >= insn->k);
JgeX:
    BRANCH(a >= x);
JsetK:
    BRANCH((a & insn->k) != 0);
JsetX:
    BRANCH((a & x) != 0);
RetK:
    return {insn->k, executed};
RetA:
    return {a, executed};

// The fused loads: LOAD is the load of a handler above, then the jump on jump_k.
#define FUSED(name_prefix, load)             \
    name_prefix##JeqK : LOAD_OR_DROP(load);  \
    FUSED_BRANCH(a == insn->jump_k);         \
    name_prefix##JgtK : LOAD_OR_DROP(load);  \
    FUSED_BRANCH(a > insn->jump_k);          \
    name_prefix##JgeK : LOAD_OR_DROP(load);  \
    FUSED_BRANCH(a >= insn->jump_k);         \
    name_prefix##JsetK : LOAD_OR_DROP(load); \
    FUSED_BRANCH((a & insn->jump_k) != 0);
    FUSED(LdAbsW, view.read_at<4>(insn->k, a))
    FUSED(LdAbsH, view.read_at<2>(insn->k, a))
    FUSED(LdAbsB, view.read_at<1>(insn->k, a))
    FUSED(LdIndW, view.read_signed<4>(static_cast<int32_t>(x + insn->k), a))
    FUSED(LdIndH, view.read_signed<2>(static_cast<int32_t>(x + insn->k), a))
    FUSED(LdIndB, view.read_signed<1>(static_cast<int32_t>(x + insn->k), a))
#undef FUSED

Tax:
    x = a;
    NEXT();
Txa:
    a = x;
    NEXT();
Protocol:
    a = context.protocol;
    NEXT();
PktType:
    a = context.pkt_type;
    NEXT();
IfIndex:
    a = context.ifindex;
    NEXT();
NlAttr:
    a = view.netlink_attribute(a, x);
    NEXT();
NlAttrNest:
    a = view.nested_netlink_attribute(a, x);
    NEXT();
Mark:
    a = context.mark;
    NEXT();
Queue:
    a = context.queue;
    NEXT();
HaType:
    a = context.hatype;
    NEXT();
RxHash:
    a = context.rxhash;
    NEXT();
Cpu:
    a = context.cpu;
    NEXT();
VlanTag:
    a = context.vlan_tci;
    NEXT();
VlanTagPresent:
    a = context.vlan_present ? 1 : 0;
    NEXT();
PayOffset:
    a = context.payload_offset;
    NEXT();
Random:
    a = context.random;
    NEXT();
VlanTpid:
    a = context.vlan_tpid;
    NEXT();

#undef FUSED_BRANCH
#undef LOAD_OR_DROP
#undef BRANCH
#undef NEXT
#undef GO_TO
}

}  // namespace detail

CheckedProgram::CheckedProgram(Program program, CheckTarget target, Engine engine)
    : program_(std::move(program)) {
    check_kernel_rules(program_, target);
    decoded_.reserve(program_.size());
    for (std::size_t index = 0; index < program_.size(); ++index) {
        decoded_.push_back(decode(program_[index], index));
    }
    fuse_loads_with_jumps(decoded_);
    detail::Execution::resolve_handlers(decoded_);
    if (engine == Engine::JitWhenAvailable) jit_ = jit::CompiledProgram::compile(program_);
    if (jit_ != nullptr) machine_code_ = jit_->entry();
}

RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context, std::size_t wire_length) {
    return detail::Execution::run(program, packet, context, wire_length);
}

namespace detail {

uint32_t interpreted_verdict(const CheckedProgram& program, std::span<const uint8_t> packet,
                             const SkbContext& context, std::size_t wire_length) {
    return Execution::run(program, packet, context, wire_length).verdict;
}

}  // namespace detail

}  // namespace bpfgen
