// interpreter.cpp: decodes a checked program once into a dense operation set (ancillary
// loads, negative offsets and jump targets resolved up front) and runs it over packets
// with the kernel's semantics, described in interpreter.h, by direct threading (each decoded
// instruction holds the address of its handler). No allocation per packet and no run-time
// check of jump targets: the checker has proven every target in range.
#include "libbpfgen/cbpf/interpreter.h"

#include <bit>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/detail/jit_x86_64.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace detail {

// The operations, in one list for the enum and for the interpreter's table of handlers,
// so the two cannot disagree. The order of the fused loads matters: fuse_loads_with_jumps
// computes their position from the load and the jump.
#define BPFGEN_DECODED_OPS(X)                                                                                                                                                                                                                                          \
    /* Packet loads at a non-negative constant offset, and at a negative one (a     */                                                                                                                                                                                 \
    /* header-relative SKF_NET_OFF / SKF_LL_OFF offset, or out of range).            */                                                                                                                                                                                \
    X(LdAbsW)                                                                                                                                                                                                                                                          \
    X(LdAbsH)                                                                                                                                                                                                                                                          \
    X(LdAbsB)                                                                                                                                                                                                                                                          \
    X(LdAbsRelativeW)                                                                                                                                                                                                                                                  \
    X(LdAbsRelativeH) X(LdAbsRelativeB) X(LdIndW) X(LdIndH) X(LdIndB) X(LdxMsh) X(LdImm) X(LdxImm)                                                                                                                                                                     \
        X(LdLen) X(LdxLen) X(LdMem) X(LdxMem) X(St) X(Stx) X(AddK) X(AddX) X(SubK) X(SubX) X(MulK)                                                                                                                                                                     \
            X(MulX) X(DivK) X(DivX) X(ModK) X(ModX) X(AndK) X(AndX) X(OrK) X(OrX) X(XorK) X(XorX)                                                                                                                                                                      \
                X(LshK)                                                                                                                                                                                                                                                \
                    X(LshX)                                                                                                                                                                                                                                            \
                        X(RshK)                                                                                                                                                                                                                                        \
                            X(RshX)                                                                                                                                                                                                                                    \
                                X(Neg)                                                                                                                                                                                                                                 \
                                    X(Ja)                                                                                                                                                                                                                              \
                                        X(JeqK)                                                                                                                                                                                                                        \
                                            X(JeqX)                                                                                                                                                                                                                    \
                                                X(JgtK)                                                                                                                                                                                                                \
                                                    X(JgtX)                                                                                                                                                                                                            \
                                                        X(JgeK)                                                                                                                                                                                                        \
                                                            X(JgeX)                                                                                                                                                                                                    \
                                                                X(JsetK)                                                                                                                                                                                               \
                                                                    X(                                                                                                                                                                                                 \
                                                                        JsetX) X(RetK) X(RetA) /* A packet load and the conditional jump on a constant right after it, run as   */ /* one (the commonest pair in generated programs: one dispatch instead of two).  */ \
        X(LdAbsWJeqK) X(LdAbsWJgtK) X(LdAbsWJgeK) X(LdAbsWJsetK) X(LdAbsHJeqK) X(LdAbsHJgtK) X(                                                                                                                                                                        \
            LdAbsHJgeK) X(LdAbsHJsetK) X(LdAbsBJeqK) X(LdAbsBJgtK) X(LdAbsBJgeK) X(LdAbsBJsetK)                                                                                                                                                                        \
            X(LdIndWJeqK) X(LdIndWJgtK) X(LdIndWJgeK) X(LdIndWJsetK) X(LdIndHJeqK) X(LdIndHJgtK)                                                                                                                                                                       \
                X(LdIndHJgeK) X(LdIndHJsetK) X(LdIndBJeqK) X(LdIndBJgtK) X(LdIndBJgeK)                                                                                                                                                                                 \
                    X(LdIndBJsetK) X(Tax)                                                                                                                                                                                                                              \
                        X(Txa) /* Ancillary loads (SKF_AD_OFF + SKF_AD_*), whatever their size. */                                                                                                                                                                     \
        X(Protocol) X(PktType) X(IfIndex) X(NlAttr) X(NlAttrNest) X(Mark) X(Queue) X(HaType)                                                                                                                                                                           \
            X(RxHash) X(Cpu) X(AluXorX) X(VlanTag) X(VlanTagPresent) X(PayOffset) X(Random)                                                                                                                                                                            \
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
    using namespace op;
    const uint16_t code = instruction.code;
    switch (code) {
        case kLd | kW | kAbs:
        case kLd | kH | kAbs:
        case kLd | kB | kAbs:
            return decode_load_abs(size(code), instruction.k);
        case kLd | kW | kInd:
            return DecodedOp::LdIndW;
        case kLd | kH | kInd:
            return DecodedOp::LdIndH;
        case kLd | kB | kInd:
            return DecodedOp::LdIndB;
        case kLdx | kB | kMsh:
            return DecodedOp::LdxMsh;
        case kLd | kImm:
            return DecodedOp::LdImm;
        case kLdx | kImm:
            return DecodedOp::LdxImm;
        case kLd | kW | kLen:
            return DecodedOp::LdLen;
        case kLdx | kW | kLen:
            return DecodedOp::LdxLen;
        case kLd | kMem:
            return DecodedOp::LdMem;
        case kLdx | kMem:
            return DecodedOp::LdxMem;
        case kSt:
            return DecodedOp::St;
        case kStx:
            return DecodedOp::Stx;
        case kAlu | kAdd | kK:
            return DecodedOp::AddK;
        case kAlu | kAdd | kX:
            return DecodedOp::AddX;
        case kAlu | kSub | kK:
            return DecodedOp::SubK;
        case kAlu | kSub | kX:
            return DecodedOp::SubX;
        case kAlu | kMul | kK:
            return DecodedOp::MulK;
        case kAlu | kMul | kX:
            return DecodedOp::MulX;
        case kAlu | kDiv | kK:
            return DecodedOp::DivK;
        case kAlu | kDiv | kX:
            return DecodedOp::DivX;
        case kAlu | kMod | kK:
            return DecodedOp::ModK;
        case kAlu | kMod | kX:
            return DecodedOp::ModX;
        case kAlu | kAnd | kK:
            return DecodedOp::AndK;
        case kAlu | kAnd | kX:
            return DecodedOp::AndX;
        case kAlu | kOr | kK:
            return DecodedOp::OrK;
        case kAlu | kOr | kX:
            return DecodedOp::OrX;
        case kAlu | kXor | kK:
            return DecodedOp::XorK;
        case kAlu | kXor | kX:
            return DecodedOp::XorX;
        case kAlu | kLsh | kK:
            return DecodedOp::LshK;
        case kAlu | kLsh | kX:
            return DecodedOp::LshX;
        case kAlu | kRsh | kK:
            return DecodedOp::RshK;
        case kAlu | kRsh | kX:
            return DecodedOp::RshX;
        case kAlu | kNeg:
            return DecodedOp::Neg;
        case kJmp | kJa:
            return DecodedOp::Ja;
        case kJmp | kJeq | kK:
            return DecodedOp::JeqK;
        case kJmp | kJeq | kX:
            return DecodedOp::JeqX;
        case kJmp | kJgt | kK:
            return DecodedOp::JgtK;
        case kJmp | kJgt | kX:
            return DecodedOp::JgtX;
        case kJmp | kJge | kK:
            return DecodedOp::JgeK;
        case kJmp | kJge | kX:
            return DecodedOp::JgeX;
        case kJmp | kJset | kK:
            return DecodedOp::JsetK;
        case kJmp | kJset | kX:
            return DecodedOp::JsetX;
        case kRet | kK:
            return DecodedOp::RetK;
        case kRet | kRetA:
            return DecodedOp::RetA;
        case kMisc | kTax:
            return DecodedOp::Tax;
        case kMisc | kTxa:
            return DecodedOp::Txa;
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

uint32_t to_host(uint32_t big_endian) {
    if constexpr (std::endian::native == std::endian::little) {
        return __builtin_bswap32(big_endian);
    } else {
        return big_endian;
    }
}

// The packet as the load helpers see it: big-endian reads of 1, 2 or 4 bytes.
class PacketView {
  public:
    PacketView(std::span<const uint8_t> packet, const SkbContext& context)
        : data_(packet.data()), size_(packet.size()), context_(context) {}

    std::size_t size() const { return size_; }
    const uint8_t* data() const { return data_; }

    // Reads Bytes (1, 2 or 4) big-endian bytes at a non-negative offset; false when they
    // are not all inside the packet.
    template <unsigned Bytes>
    bool read_at(uint64_t offset, uint32_t& value) const {
        if (offset + Bytes > size_) return false;
        const uint8_t* p = data_ + offset;
        if constexpr (Bytes == 4) {
            uint32_t raw;
            std::memcpy(&raw, p, sizeof raw);
            value = to_host(raw);
        } else if constexpr (Bytes == 2) {
            value = uint32_t{p[0]} << 8 | p[1];
        } else {
            value = p[0];
        }
        return true;
    }

    // The kernel's view of an offset as a signed 32-bit value: non-negative is a packet
    // offset; [SKF_NET_OFF, 0) is relative to the network header and [SKF_LL_OFF,
    // SKF_NET_OFF) to the link-layer header; below is out of range.
    template <unsigned Bytes>
    bool read_signed(int32_t offset, uint32_t& value) const {
        if (offset >= 0) [[likely]] {
            return read_at<Bytes>(static_cast<uint64_t>(offset), value);
        }
        constexpr int32_t kNetOffset = static_cast<int32_t>(ancillary::kNetOffset);
        constexpr int32_t kLinkLayerOffset = static_cast<int32_t>(ancillary::kLinkLayerOffset);
        if (offset >= kNetOffset) {
            if (!context_.network_header) return false;
            return read_at<Bytes>(uint64_t{*context_.network_header} +
                                      static_cast<uint64_t>(int64_t{offset} - kNetOffset),
                                  value);
        }
        if (offset >= kLinkLayerOffset) {
            if (!context_.link_layer_header) return false;
            return read_at<Bytes>(uint64_t{*context_.link_layer_header} +
                                      static_cast<uint64_t>(int64_t{offset} - kLinkLayerOffset),
                                  value);
        }
        return false;
    }

    // The native-endian 16-bit length of the netlink attribute header at `offset`.
    uint16_t native_u16(std::size_t offset) const {
        uint16_t value;
        std::memcpy(&value, data_ + offset, sizeof value);
        return value;
    }

    // nla_find: the offset of the first attribute of `type` in the attribute stream of
    // `length` bytes at `offset`, or 0 (the kernel's "not found").
    uint32_t find_attribute(std::size_t offset, int64_t length, uint32_t type) const {
        constexpr int64_t kHeader = 4;          // struct nlattr {u16 nla_len; u16 nla_type;}
        constexpr uint16_t kTypeMask = 0x3fff;  // without NLA_F_NESTED, NLA_F_NET_BYTEORDER
        while (length >= kHeader) {
            const uint16_t attribute_length = native_u16(offset);
            if (attribute_length < kHeader || attribute_length > length) break;
            if ((native_u16(offset + 2) & kTypeMask) == type) {
                return static_cast<uint32_t>(offset);
            }
            const int64_t aligned = (attribute_length + 3) & ~3;
            offset += static_cast<std::size_t>(aligned);
            length -= aligned;
        }
        return 0;
    }

    // bpf_skb_get_nlattr: attribute of type x in the stream starting at offset a.
    uint32_t netlink_attribute(uint32_t a, uint32_t x) const {
        if (size_ < 4 || a > size_ - 4) return 0;
        return find_attribute(a, static_cast<int64_t>(size_ - a), x);
    }

    // bpf_skb_get_nlattr_nest: attribute of type x nested in the attribute at offset a.
    uint32_t nested_netlink_attribute(uint32_t a, uint32_t x) const {
        if (size_ < 4 || a > size_ - 4) return 0;
        const uint16_t outer_length = native_u16(a);
        if (outer_length > size_ - a) return 0;
        return find_attribute(a + 4, int64_t{outer_length} - 4, x);
    }

  private:
    const uint8_t* data_;
    std::size_t size_;
    const SkbContext& context_;
};

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

    const PacketView view(packet, context);
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

namespace detail {

bool load_at_signed_offset(std::span<const uint8_t> packet, const SkbContext& context,
                           int32_t offset, unsigned bytes, uint32_t& value) {
    const PacketView view(packet, context);
    switch (bytes) {
        case 4:
            return view.read_signed<4>(offset, value);
        case 2:
            return view.read_signed<2>(offset, value);
        default:
            return view.read_signed<1>(offset, value);
    }
}

uint32_t netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x) {
    const SkbContext unused;
    return PacketView(packet, unused).netlink_attribute(a, x);
}

uint32_t nested_netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x) {
    const SkbContext unused;
    return PacketView(packet, unused).nested_netlink_attribute(a, x);
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
}

RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context, std::size_t wire_length) {
    return detail::Execution::run(program, packet, context, wire_length);
}

uint32_t verdict(const CheckedProgram& program, std::span<const uint8_t> packet,
                 const SkbContext& context, std::size_t wire_length) {
    if (program.jit_ != nullptr) {
        // The interpreter's length rule, so that `ld #len` sees the same in both engines.
        const auto length = static_cast<uint32_t>(wire_length != 0 ? wire_length : packet.size());
        return program.jit_->run(packet, context, length);
    }
    return detail::Execution::run(program, packet, context, wire_length).verdict;
}

}  // namespace bpfgen
