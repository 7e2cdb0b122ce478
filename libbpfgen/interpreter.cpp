// interpreter.cpp: decodes a checked program once into a dense form, then runs it over
// packets with the kernel's classic BPF semantics (see interpreter.h for the choices made
// where the kernel would consult an skb).
#include "libbpfgen/interpreter.h"

#include <cstring>
#include <limits>

namespace bpfgen {

namespace {

enum Operation : uint8_t {
    kLdAbsW,
    kLdAbsH,
    kLdAbsB,
    kLdIndW,
    kLdIndH,
    kLdIndB,
    kLdLen,
    kLdImm,
    kLdMem,
    kLdAncillary,  // k is the SKF_AD_* number
    kLdxImm,
    kLdxMem,
    kLdxLen,
    kLdxMsh,
    kSt,
    kStx,
    kAddK,
    kSubK,
    kMulK,
    kDivK,
    kModK,
    kAndK,
    kOrK,
    kXorK,
    kLshK,
    kRshK,
    kAddX,
    kSubX,
    kMulX,
    kDivX,
    kModX,
    kAndX,
    kOrX,
    kXorX,
    kLshX,
    kRshX,
    kNeg,
    kJa,
    kJeqK,
    kJgtK,
    kJgeK,
    kJsetK,
    kJeqX,
    kJgtX,
    kJgeX,
    kJsetX,
    kRetK,
    kRetA,
    kTax,
    kTxa,
};

uint8_t alu_operation(uint16_t code) {
    const bool x = op::src(code) == op::kX;
    switch (op::alu_op(code)) {
        case op::kAdd:
            return x ? kAddX : kAddK;
        case op::kSub:
            return x ? kSubX : kSubK;
        case op::kMul:
            return x ? kMulX : kMulK;
        case op::kDiv:
            return x ? kDivX : kDivK;
        case op::kMod:
            return x ? kModX : kModK;
        case op::kAnd:
            return x ? kAndX : kAndK;
        case op::kOr:
            return x ? kOrX : kOrK;
        case op::kXor:
            return x ? kXorX : kXorK;
        case op::kLsh:
            return x ? kLshX : kLshK;
        case op::kRsh:
            return x ? kRshX : kRshK;
        default:
            return kNeg;
    }
}

// Only called on checked programs, so every code is one the kernel allows.
detail::DecodedInstruction decode(const Instruction& insn, std::size_t pc) {
    detail::DecodedInstruction d{};
    d.k = insn.k;
    const auto next = static_cast<uint16_t>(pc + 1);
    switch (insn.cls()) {
        case op::kLd:
            switch (op::mode(insn.code)) {
                case op::kAbs:
                    if (insn.k >= ancillary::kOffset) {
                        d.operation = kLdAncillary;
                        d.k = insn.k - ancillary::kOffset;
                    } else {
                        d.operation = op::size(insn.code) == op::kW   ? kLdAbsW
                                      : op::size(insn.code) == op::kH ? kLdAbsH
                                                                      : kLdAbsB;
                    }
                    break;
                case op::kInd:
                    d.operation = op::size(insn.code) == op::kW   ? kLdIndW
                                  : op::size(insn.code) == op::kH ? kLdIndH
                                                                  : kLdIndB;
                    break;
                case op::kLen:
                    d.operation = kLdLen;
                    break;
                case op::kMem:
                    d.operation = kLdMem;
                    break;
                default:
                    d.operation = kLdImm;
                    break;
            }
            break;
        case op::kLdx:
            switch (op::mode(insn.code)) {
                case op::kMem:
                    d.operation = kLdxMem;
                    break;
                case op::kLen:
                    d.operation = kLdxLen;
                    break;
                case op::kMsh:
                    d.operation = kLdxMsh;
                    break;
                default:
                    d.operation = kLdxImm;
                    break;
            }
            break;
        case op::kSt:
            d.operation = kSt;
            break;
        case op::kStx:
            d.operation = kStx;
            break;
        case op::kAlu:
            d.operation = alu_operation(insn.code);
            break;
        case op::kJmp: {
            const bool x = op::src(insn.code) == op::kX;
            switch (op::jmp_op(insn.code)) {
                case op::kJa:
                    d.operation = kJa;
                    d.jump_true = static_cast<uint16_t>(next + insn.k);
                    return d;
                case op::kJeq:
                    d.operation = x ? kJeqX : kJeqK;
                    break;
                case op::kJgt:
                    d.operation = x ? kJgtX : kJgtK;
                    break;
                case op::kJge:
                    d.operation = x ? kJgeX : kJgeK;
                    break;
                default:
                    d.operation = x ? kJsetX : kJsetK;
                    break;
            }
            d.jump_true = static_cast<uint16_t>(next + insn.jt);
            d.jump_false = static_cast<uint16_t>(next + insn.jf);
            break;
        }
        case op::kRet:
            d.operation = op::rval(insn.code) == op::kRetA ? kRetA : kRetK;
            break;
        default:
            d.operation = op::misc_op(insn.code) == op::kTxa ? kTxa : kTax;
            break;
    }
    return d;
}

// Little-endian (host order) netlink attribute header fields, as the kernel reads them.
uint16_t host16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// nla_find over [offset, offset + length) of the packet: the offset of the first attribute
// of the given type, or 0.
uint32_t find_netlink_attribute(std::span<const uint8_t> packet, uint32_t offset, uint32_t length,
                                uint32_t type) {
    constexpr uint32_t kHeader = 4;
    while (length >= kHeader) {
        const uint16_t attribute_length = host16(packet.data() + offset);
        const uint16_t attribute_type = host16(packet.data() + offset + 2) & 0x3fff;
        if (attribute_length < kHeader || attribute_length > length) break;
        if (attribute_type == type) return offset;
        const uint32_t aligned = (attribute_length + 3u) & ~3u;
        if (aligned >= length) break;
        offset += aligned;
        length -= aligned;
    }
    return 0;
}

uint32_t netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x, bool nested) {
    const auto size = static_cast<uint32_t>(packet.size());
    if (size < 4 || a > size - 4) return 0;
    if (!nested) return find_netlink_attribute(packet, a, size - a, x);
    const uint16_t outer_length = host16(packet.data() + a);
    if (outer_length > size - a || outer_length < 4) return 0;
    return find_netlink_attribute(packet, a + 4, outer_length - 4u, x);
}

uint32_t ancillary_value(uint32_t which, const SkbContext& c, std::span<const uint8_t> packet,
                         uint32_t a, uint32_t x) {
    switch (which) {
        case ancillary::kProtocol:
            return c.protocol;
        case ancillary::kPktType:
            return c.pkt_type;
        case ancillary::kIfIndex:
            return c.ifindex;
        case ancillary::kNlAttr:
            return netlink_attribute(packet, a, x, false);
        case ancillary::kNlAttrNest:
            return netlink_attribute(packet, a, x, true);
        case ancillary::kMark:
            return c.mark;
        case ancillary::kQueue:
            return c.queue;
        case ancillary::kHaType:
            return c.hatype;
        case ancillary::kRxHash:
            return c.rxhash;
        case ancillary::kCpu:
            return c.cpu;
        case ancillary::kAluXorX:
            return a ^ x;
        case ancillary::kVlanTag:
            return c.vlan_tci;
        case ancillary::kVlanTagPresent:
            return c.vlan_present ? 1 : 0;
        case ancillary::kPayOffset:
            return c.payload_offset;
        case ancillary::kRandom:
            return c.random;
        case ancillary::kVlanTpid:
            return c.vlan_tpid;
        default:
            return 0;  // unreachable for checked programs
    }
}

}  // namespace

CheckedProgram::CheckedProgram(Program program, CheckTarget target) : program_(std::move(program)) {
    check_kernel_rules(program_, target);
    decoded_.reserve(program_.size());
    for (std::size_t pc = 0; pc < program_.size(); ++pc)
        decoded_.push_back(decode(program_[pc], pc));
}

RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context, std::size_t wire_length) {
    const uint8_t* data = packet.data();
    const std::size_t size = packet.size();
    const auto length = static_cast<uint32_t>(std::min<std::size_t>(
        wire_length != 0 ? wire_length : size, std::numeric_limits<uint32_t>::max()));
    const detail::DecodedInstruction* code = program.decoded().data();
    uint32_t a = 0;
    uint32_t x = 0;
    uint32_t memory[op::kMemWords] = {};
    std::size_t executed = 0;
    std::size_t pc = 0;

    // A load of n bytes at offset is inside the packet (offsets are unsigned, so the kernel's
    // negative offsets land far outside).
    auto inside = [size](uint32_t offset, std::size_t n) {
        return offset <= size && size - offset >= n;
    };
    auto load32 = [data](uint32_t offset) {
        return (uint32_t{data[offset]} << 24) | (uint32_t{data[offset + 1]} << 16) |
               (uint32_t{data[offset + 2]} << 8) | uint32_t{data[offset + 3]};
    };
    auto load16 = [data](uint32_t offset) {
        return (uint32_t{data[offset]} << 8) | uint32_t{data[offset + 1]};
    };

    for (;;) {
        const detail::DecodedInstruction& in = code[pc];
        ++executed;
        ++pc;
        switch (in.operation) {
            case kLdAbsW:
                if (!inside(in.k, 4)) return {0, executed};
                a = load32(in.k);
                break;
            case kLdAbsH:
                if (!inside(in.k, 2)) return {0, executed};
                a = load16(in.k);
                break;
            case kLdAbsB:
                if (!inside(in.k, 1)) return {0, executed};
                a = data[in.k];
                break;
            case kLdIndW: {
                const uint32_t offset = x + in.k;
                if (!inside(offset, 4)) return {0, executed};
                a = load32(offset);
                break;
            }
            case kLdIndH: {
                const uint32_t offset = x + in.k;
                if (!inside(offset, 2)) return {0, executed};
                a = load16(offset);
                break;
            }
            case kLdIndB: {
                const uint32_t offset = x + in.k;
                if (!inside(offset, 1)) return {0, executed};
                a = data[offset];
                break;
            }
            case kLdLen:
                a = length;
                break;
            case kLdImm:
                a = in.k;
                break;
            case kLdMem:
                a = memory[in.k];
                break;
            case kLdAncillary:
                a = ancillary_value(in.k, context, packet, a, x);
                break;
            case kLdxImm:
                x = in.k;
                break;
            case kLdxMem:
                x = memory[in.k];
                break;
            case kLdxLen:
                x = length;
                break;
            case kLdxMsh:
                if (!inside(in.k, 1)) return {0, executed};
                x = 4u * (data[in.k] & 0xfu);
                break;
            case kSt:
                memory[in.k] = a;
                break;
            case kStx:
                memory[in.k] = x;
                break;
            case kAddK:
                a += in.k;
                break;
            case kSubK:
                a -= in.k;
                break;
            case kMulK:
                a *= in.k;
                break;
            case kDivK:
                a /= in.k;
                break;  // the checker refused k == 0
            case kModK:
                a %= in.k;
                break;
            case kAndK:
                a &= in.k;
                break;
            case kOrK:
                a |= in.k;
                break;
            case kXorK:
                a ^= in.k;
                break;
            case kLshK:
                a <<= in.k;
                break;  // the checker refused k >= 32
            case kRshK:
                a >>= in.k;
                break;
            case kAddX:
                a += x;
                break;
            case kSubX:
                a -= x;
                break;
            case kMulX:
                a *= x;
                break;
            case kDivX:
                if (x == 0) return {0, executed};
                a /= x;
                break;
            case kModX:
                if (x == 0) return {0, executed};
                a %= x;
                break;
            case kAndX:
                a &= x;
                break;
            case kOrX:
                a |= x;
                break;
            case kXorX:
                a ^= x;
                break;
            case kLshX:
                a <<= (x & 31u);
                break;  // eBPF's 32-bit shift masks the count
            case kRshX:
                a >>= (x & 31u);
                break;
            case kNeg:
                a = 0u - a;
                break;
            case kJa:
                pc = in.jump_true;
                break;
            case kJeqK:
                pc = a == in.k ? in.jump_true : in.jump_false;
                break;
            case kJgtK:
                pc = a > in.k ? in.jump_true : in.jump_false;
                break;
            case kJgeK:
                pc = a >= in.k ? in.jump_true : in.jump_false;
                break;
            case kJsetK:
                pc = (a & in.k) ? in.jump_true : in.jump_false;
                break;
            case kJeqX:
                pc = a == x ? in.jump_true : in.jump_false;
                break;
            case kJgtX:
                pc = a > x ? in.jump_true : in.jump_false;
                break;
            case kJgeX:
                pc = a >= x ? in.jump_true : in.jump_false;
                break;
            case kJsetX:
                pc = (a & x) ? in.jump_true : in.jump_false;
                break;
            case kRetK:
                return {in.k, executed};
            case kRetA:
                return {a, executed};
            case kTax:
                x = a;
                break;
            case kTxa:
                a = x;
                break;
        }
    }
}

}  // namespace bpfgen
