// interpreter.cpp: decodes a checked program once into a dense operation set (ancillary
// loads, negative offsets and jump targets resolved up front) and runs it over packets
// with the kernel's semantics, described in interpreter.h. No allocation per packet and no
// run-time check of jump targets: the checker has proven every target in range.
#include "libbpfgen/interpreter.h"

#include <cstring>
#include <iterator>
#include <vector>
#include <string>
#include <utility>

#include "libbpfgen/error.h"
#include "libbpfgen/opcodes.h"

namespace bpfgen {
namespace detail {

enum class DecodedOp : uint8_t {
    // Packet loads at a non-negative constant offset, and at a negative one (a header-relative
    // SKF_NET_OFF / SKF_LL_OFF offset, or out of range).
    LdAbsW,
    LdAbsH,
    LdAbsB,
    LdAbsRelativeW,
    LdAbsRelativeH,
    LdAbsRelativeB,
    LdIndW,
    LdIndH,
    LdIndB,
    LdxMsh,
    LdImm,
    LdxImm,
    LdLen,
    LdxLen,
    LdMem,
    LdxMem,
    St,
    Stx,
    AddK,
    AddX,
    SubK,
    SubX,
    MulK,
    MulX,
    DivK,
    DivX,
    ModK,
    ModX,
    AndK,
    AndX,
    OrK,
    OrX,
    XorK,
    XorX,
    LshK,
    LshX,
    RshK,
    RshX,
    Neg,
    Ja,
    JeqK,
    JeqX,
    JgtK,
    JgtX,
    JgeK,
    JgeX,
    JsetK,
    JsetX,
    RetK,
    RetA,
    // A packet load and the conditional jump on a constant right after it, run as one
    // (the commonest pair in generated programs: one dispatch instead of two).
    LdAbsWJeqK,
    LdAbsWJgtK,
    LdAbsWJgeK,
    LdAbsWJsetK,
    LdAbsHJeqK,
    LdAbsHJgtK,
    LdAbsHJgeK,
    LdAbsHJsetK,
    LdAbsBJeqK,
    LdAbsBJgtK,
    LdAbsBJgeK,
    LdAbsBJsetK,
    LdIndWJeqK,
    LdIndWJgtK,
    LdIndWJgeK,
    LdIndWJsetK,
    LdIndHJeqK,
    LdIndHJgtK,
    LdIndHJgeK,
    LdIndHJsetK,
    LdIndBJeqK,
    LdIndBJgtK,
    LdIndBJgeK,
    LdIndBJsetK,

    Tax,
    Txa,
    // Ancillary loads (SKF_AD_OFF + SKF_AD_*), whatever their size.
    Protocol,
    PktType,
    IfIndex,
    NlAttr,
    NlAttrNest,
    Mark,
    Queue,
    HaType,
    RxHash,
    Cpu,
    AluXorX,
    VlanTag,
    VlanTagPresent,
    PayOffset,
    Random,
    VlanTpid,
};

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
    DecodedInstruction decoded{decode_op(instruction), 0, 0, instruction.k};
    if (instruction.is_conditional_jump()) {
        decoded.jump_true = static_cast<uint16_t>(index + 1 + instruction.jt);
        decoded.jump_false = static_cast<uint16_t>(index + 1 + instruction.jf);
    } else if (instruction.is_jump()) {
        decoded.jump_true = static_cast<uint16_t>(index + 1 + instruction.k);
    }
    return decoded;
}

// The packet as the load helpers see it: big-endian reads of 1, 2 or 4 bytes.
class PacketView {
  public:
    PacketView(std::span<const uint8_t> packet, const SkbContext& context)
        : data_(packet.data()), size_(packet.size()), context_(context) {}

    std::size_t size() const { return size_; }
    const uint8_t* data() const { return data_; }

    // Reads `bytes` bytes at a non-negative offset; false when they are not all inside.
    bool read(uint64_t offset, unsigned bytes, uint32_t& value) const {
        if (offset > size_ || bytes > size_ - offset) return false;
        const uint8_t* p = data_ + offset;
        switch (bytes) {
            case 4:
                value = uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
                break;
            case 2:
                value = uint32_t{p[0]} << 8 | p[1];
                break;
            default:
                value = p[0];
                break;
        }
        return true;
    }

    // The kernel's view of an offset as a signed 32-bit value: non-negative is a packet
    // offset; [SKF_NET_OFF, 0) is relative to the network header and [SKF_LL_OFF,
    // SKF_NET_OFF) to the link-layer header; below is out of range.
    bool read_signed(int32_t offset, unsigned bytes, uint32_t& value) const {
        if (offset >= 0) return read(static_cast<uint64_t>(offset), bytes, value);
        constexpr int32_t kNetOffset = static_cast<int32_t>(ancillary::kNetOffset);
        constexpr int32_t kLinkLayerOffset = static_cast<int32_t>(ancillary::kLinkLayerOffset);
        if (offset >= kNetOffset) {
            if (!context_.network_header) return false;
            return read(uint64_t{*context_.network_header} +
                            static_cast<uint64_t>(int64_t{offset} - kNetOffset),
                        bytes, value);
        }
        if (offset >= kLinkLayerOffset) {
            if (!context_.link_layer_header) return false;
            return read(uint64_t{*context_.link_layer_header} +
                            static_cast<uint64_t>(int64_t{offset} - kLinkLayerOffset),
                        bytes, value);
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

CheckedProgram::CheckedProgram(Program program, CheckTarget target) : program_(std::move(program)) {
    check_kernel_rules(program_, target);
    decoded_.reserve(program_.size());
    for (std::size_t index = 0; index < program_.size(); ++index) {
        decoded_.push_back(decode(program_[index], index));
    }
    fuse_loads_with_jumps(decoded_);
}

RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context, std::size_t wire_length) {
    const DecodedInstruction* const code = program.decoded_.data();
    const PacketView view(packet, context);
    const uint32_t length = static_cast<uint32_t>(wire_length != 0 ? wire_length : packet.size());
    uint32_t a = 0;
    uint32_t x = 0;
    uint32_t memory[op::kMemWords] = {};
    std::size_t pc = 0;
    std::size_t executed = 0;
    uint32_t value = 0;
    // A failed packet load or a division by zero ends the program with verdict 0.
    const auto dropped = [&executed] { return RunResult{0, executed}; };

    for (;;) {
        const DecodedInstruction& insn = code[pc];
        ++executed;
        ++pc;
        switch (insn.op) {
            case DecodedOp::LdAbsW:
                if (!view.read(insn.k, 4, a)) return dropped();
                break;
            case DecodedOp::LdAbsH:
                if (!view.read(insn.k, 2, a)) return dropped();
                break;
            case DecodedOp::LdAbsB:
                if (!view.read(insn.k, 1, a)) return dropped();
                break;
            case DecodedOp::LdAbsRelativeW:
                if (!view.read_signed(static_cast<int32_t>(insn.k), 4, a)) return dropped();
                break;
            case DecodedOp::LdAbsRelativeH:
                if (!view.read_signed(static_cast<int32_t>(insn.k), 2, a)) return dropped();
                break;
            case DecodedOp::LdAbsRelativeB:
                if (!view.read_signed(static_cast<int32_t>(insn.k), 1, a)) return dropped();
                break;
            case DecodedOp::LdIndW:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 4, a)) return dropped();
                break;
            case DecodedOp::LdIndH:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 2, a)) return dropped();
                break;
            case DecodedOp::LdIndB:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 1, a)) return dropped();
                break;
            case DecodedOp::LdxMsh:
                if (!view.read_signed(static_cast<int32_t>(insn.k), 1, value)) return dropped();
                x = (value & 0xf) << 2;
                break;
            case DecodedOp::LdImm:
                a = insn.k;
                break;
            case DecodedOp::LdxImm:
                x = insn.k;
                break;
            case DecodedOp::LdLen:
                a = length;
                break;
            case DecodedOp::LdxLen:
                x = length;
                break;
            case DecodedOp::LdMem:
                a = memory[insn.k];
                break;
            case DecodedOp::LdxMem:
                x = memory[insn.k];
                break;
            case DecodedOp::St:
                memory[insn.k] = a;
                break;
            case DecodedOp::Stx:
                memory[insn.k] = x;
                break;
            case DecodedOp::AddK:
                a += insn.k;
                break;
            case DecodedOp::AddX:
                a += x;
                break;
            case DecodedOp::SubK:
                a -= insn.k;
                break;
            case DecodedOp::SubX:
                a -= x;
                break;
            case DecodedOp::MulK:
                a *= insn.k;
                break;
            case DecodedOp::MulX:
                a *= x;
                break;
            case DecodedOp::DivK:
                a /= insn.k;
                break;
            case DecodedOp::DivX:
                if (x == 0) return dropped();
                a /= x;
                break;
            case DecodedOp::ModK:
                a %= insn.k;
                break;
            case DecodedOp::ModX:
                if (x == 0) return dropped();
                a %= x;
                break;
            case DecodedOp::AndK:
                a &= insn.k;
                break;
            case DecodedOp::AndX:
                a &= x;
                break;
            case DecodedOp::OrK:
                a |= insn.k;
                break;
            case DecodedOp::OrX:
                a |= x;
                break;
            case DecodedOp::XorK:
                a ^= insn.k;
                break;
            case DecodedOp::XorX:
            case DecodedOp::AluXorX:
                a ^= x;
                break;
            case DecodedOp::LshK:
                a <<= insn.k;
                break;
            case DecodedOp::LshX:
                a <<= (x & 31);
                break;
            case DecodedOp::RshK:
                a >>= insn.k;
                break;
            case DecodedOp::RshX:
                a >>= (x & 31);
                break;
            case DecodedOp::Neg:
                a = 0u - a;
                break;
            case DecodedOp::Ja:
                pc = insn.jump_true;
                break;
            case DecodedOp::JeqK:
                pc = a == insn.k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JeqX:
                pc = a == x ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JgtK:
                pc = a > insn.k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JgtX:
                pc = a > x ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JgeK:
                pc = a >= insn.k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JgeX:
                pc = a >= x ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JsetK:
                pc = (a & insn.k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::JsetX:
                pc = (a & x) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsWJeqK:
                if (!view.read(insn.k, 4, a)) return dropped();
                ++executed;
                pc = a == insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsWJgtK:
                if (!view.read(insn.k, 4, a)) return dropped();
                ++executed;
                pc = a > insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsWJgeK:
                if (!view.read(insn.k, 4, a)) return dropped();
                ++executed;
                pc = a >= insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsWJsetK:
                if (!view.read(insn.k, 4, a)) return dropped();
                ++executed;
                pc = (a & insn.jump_k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsHJeqK:
                if (!view.read(insn.k, 2, a)) return dropped();
                ++executed;
                pc = a == insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsHJgtK:
                if (!view.read(insn.k, 2, a)) return dropped();
                ++executed;
                pc = a > insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsHJgeK:
                if (!view.read(insn.k, 2, a)) return dropped();
                ++executed;
                pc = a >= insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsHJsetK:
                if (!view.read(insn.k, 2, a)) return dropped();
                ++executed;
                pc = (a & insn.jump_k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsBJeqK:
                if (!view.read(insn.k, 1, a)) return dropped();
                ++executed;
                pc = a == insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsBJgtK:
                if (!view.read(insn.k, 1, a)) return dropped();
                ++executed;
                pc = a > insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsBJgeK:
                if (!view.read(insn.k, 1, a)) return dropped();
                ++executed;
                pc = a >= insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdAbsBJsetK:
                if (!view.read(insn.k, 1, a)) return dropped();
                ++executed;
                pc = (a & insn.jump_k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndWJeqK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 4, a)) return dropped();
                ++executed;
                pc = a == insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndWJgtK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 4, a)) return dropped();
                ++executed;
                pc = a > insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndWJgeK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 4, a)) return dropped();
                ++executed;
                pc = a >= insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndWJsetK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 4, a)) return dropped();
                ++executed;
                pc = (a & insn.jump_k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndHJeqK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 2, a)) return dropped();
                ++executed;
                pc = a == insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndHJgtK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 2, a)) return dropped();
                ++executed;
                pc = a > insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndHJgeK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 2, a)) return dropped();
                ++executed;
                pc = a >= insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndHJsetK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 2, a)) return dropped();
                ++executed;
                pc = (a & insn.jump_k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndBJeqK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 1, a)) return dropped();
                ++executed;
                pc = a == insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndBJgtK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 1, a)) return dropped();
                ++executed;
                pc = a > insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndBJgeK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 1, a)) return dropped();
                ++executed;
                pc = a >= insn.jump_k ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::LdIndBJsetK:
                if (!view.read_signed(static_cast<int32_t>(x + insn.k), 1, a)) return dropped();
                ++executed;
                pc = (a & insn.jump_k) != 0 ? insn.jump_true : insn.jump_false;
                break;
            case DecodedOp::RetK:
                return {insn.k, executed};
            case DecodedOp::RetA:
                return {a, executed};
            case DecodedOp::Tax:
                x = a;
                break;
            case DecodedOp::Txa:
                a = x;
                break;
            case DecodedOp::Protocol:
                a = context.protocol;
                break;
            case DecodedOp::PktType:
                a = context.pkt_type;
                break;
            case DecodedOp::IfIndex:
                a = context.ifindex;
                break;
            case DecodedOp::NlAttr:
                a = view.netlink_attribute(a, x);
                break;
            case DecodedOp::NlAttrNest:
                a = view.nested_netlink_attribute(a, x);
                break;
            case DecodedOp::Mark:
                a = context.mark;
                break;
            case DecodedOp::Queue:
                a = context.queue;
                break;
            case DecodedOp::HaType:
                a = context.hatype;
                break;
            case DecodedOp::RxHash:
                a = context.rxhash;
                break;
            case DecodedOp::Cpu:
                a = context.cpu;
                break;
            case DecodedOp::VlanTag:
                a = context.vlan_tci;
                break;
            case DecodedOp::VlanTagPresent:
                a = context.vlan_present ? 1 : 0;
                break;
            case DecodedOp::PayOffset:
                a = context.payload_offset;
                break;
            case DecodedOp::Random:
                a = context.random;
                break;
            case DecodedOp::VlanTpid:
                a = context.vlan_tpid;
                break;
        }
    }
}

}  // namespace bpfgen
