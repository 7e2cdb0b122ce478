// reference_interpreter.h: a deliberately simple classic BPF interpreter, one `switch` over
// the opcode, written from the kernel semantics listed at the top of
// libbpfgen/cbpf/interpreter.h and sharing no code with the library's engines (only the
// opcode constants), so the fast interpreter and the JIT can be checked against it. Slow on
// purpose: no decoding, no fusing, every rule spelled out where it applies. The program must
// have passed check_kernel_rules (jumps in range, known codes, scratch cells written first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>

#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/cbpf/program.h"
#include "libbpfgen/cbpf/skb_context.h"

namespace bpftools::test {

struct ReferenceResult {
    uint32_t verdict = 0;
    std::size_t instructions = 0;  // executed, the last one included
};

class ReferenceInterpreter {
  public:
    ReferenceInterpreter(std::span<const uint8_t> packet, const bpfgen::SkbContext& context,
                         std::size_t wire_length)
        : packet_(packet),
          context_(context),
          length_(static_cast<uint32_t>(wire_length != 0 ? wire_length : packet.size())) {}

    ReferenceResult run(const bpfgen::Program& program) {
        using namespace bpfgen::op;
        uint32_t a = 0;
        uint32_t x = 0;
        uint32_t memory[kMemWords] = {};
        std::size_t executed = 0;
        std::size_t pc = 0;
        for (;;) {
            const bpfgen::Instruction& insn = program[pc];
            const uint32_t k = insn.k;
            ++executed;
            ++pc;
            std::optional<uint32_t> loaded;  // packet loads; nullopt: out of range, verdict 0
            // One case per line, as a table of the opcodes' meanings.
            // clang-format off
            switch (insn.code) {
                case kLd | kW | kAbs:
                case kLd | kH | kAbs:
                case kLd | kB | kAbs:
                    if (k >= bpfgen::ancillary::kOffset) {
                        a = ancillary(k - bpfgen::ancillary::kOffset, a, x);
                        continue;
                    }
                    loaded = load(static_cast<int32_t>(k), bytes_of(insn.code));
                    if (!loaded) return {0, executed};
                    a = *loaded;
                    break;
                case kLd | kW | kInd:
                case kLd | kH | kInd:
                case kLd | kB | kInd:
                    loaded = load(static_cast<int32_t>(x + k), bytes_of(insn.code));
                    if (!loaded) return {0, executed};
                    a = *loaded;
                    break;
                case kLdx | kB | kMsh:
                    loaded = load(static_cast<int32_t>(k), 1);
                    if (!loaded) return {0, executed};
                    x = (*loaded & 0xf) * 4;
                    break;
                case kLd | kImm: a = k; break;
                case kLdx | kImm: x = k; break;
                case kLd | kW | kLen: a = length_; break;
                case kLdx | kW | kLen: x = length_; break;
                case kLd | kMem: a = memory[k]; break;
                case kLdx | kMem: x = memory[k]; break;
                case kSt: memory[k] = a; break;
                case kStx: memory[k] = x; break;
                case kAlu | kAdd | kK: a += k; break;
                case kAlu | kAdd | kX: a += x; break;
                case kAlu | kSub | kK: a -= k; break;
                case kAlu | kSub | kX: a -= x; break;
                case kAlu | kMul | kK: a *= k; break;
                case kAlu | kMul | kX: a *= x; break;
                case kAlu | kDiv | kK: a /= k; break;  // the checker refused k == 0
                case kAlu | kDiv | kX:
                    if (x == 0) return {0, executed};
                    a /= x;
                    break;
                case kAlu | kMod | kK: a %= k; break;
                case kAlu | kMod | kX:
                    if (x == 0) return {0, executed};
                    a %= x;
                    break;
                case kAlu | kAnd | kK: a &= k; break;
                case kAlu | kAnd | kX: a &= x; break;
                case kAlu | kOr | kK: a |= k; break;
                case kAlu | kOr | kX: a |= x; break;
                case kAlu | kXor | kK: a ^= k; break;
                case kAlu | kXor | kX: a ^= x; break;
                case kAlu | kLsh | kK: a <<= k; break;  // the checker refused k >= 32
                case kAlu | kLsh | kX: a <<= (x % 32); break;
                case kAlu | kRsh | kK: a >>= k; break;
                case kAlu | kRsh | kX: a >>= (x % 32); break;
                case kAlu | kNeg: a = ~a + 1; break;
                case kJmp | kJa: pc += k; break;
                case kJmp | kJeq | kK: pc += a == k ? insn.jt : insn.jf; break;
                case kJmp | kJeq | kX: pc += a == x ? insn.jt : insn.jf; break;
                case kJmp | kJgt | kK: pc += a > k ? insn.jt : insn.jf; break;
                case kJmp | kJgt | kX: pc += a > x ? insn.jt : insn.jf; break;
                case kJmp | kJge | kK: pc += a >= k ? insn.jt : insn.jf; break;
                case kJmp | kJge | kX: pc += a >= x ? insn.jt : insn.jf; break;
                case kJmp | kJset | kK: pc += (a & k) != 0 ? insn.jt : insn.jf; break;
                case kJmp | kJset | kX: pc += (a & x) != 0 ? insn.jt : insn.jf; break;
                case kRet | kK: return {k, executed};
                case kRet | kRetA: return {a, executed};
                case kMisc | kTax: x = a; break;
                case kMisc | kTxa: a = x; break;
                default: throw std::logic_error("reference interpreter: unchecked program");
            }
            // clang-format on
        }
    }

  private:
    static unsigned bytes_of(uint16_t code) {
        using namespace bpfgen::op;
        return size(code) == kW ? 4 : size(code) == kH ? 2 : 1;
    }

    // `bytes` big-endian bytes at a signed offset: 0 and up into the packet, [SKF_NET_OFF, 0)
    // from the network header, [SKF_LL_OFF, SKF_NET_OFF) from the link-layer header.
    std::optional<uint32_t> load(int32_t offset, unsigned bytes) const {
        const int64_t net = static_cast<int32_t>(bpfgen::ancillary::kNetOffset);
        const int64_t link = static_cast<int32_t>(bpfgen::ancillary::kLinkLayerOffset);
        int64_t position = offset;
        if (offset < 0) {
            const bool in_net = offset >= net;
            const std::optional<uint32_t> header =
                in_net ? context_.network_header
                       : (offset >= link ? context_.link_layer_header : std::nullopt);
            if (!header) return std::nullopt;
            position = int64_t{*header} + (offset - (in_net ? net : link));
        }
        if (position + bytes > static_cast<int64_t>(packet_.size())) return std::nullopt;
        uint32_t value = 0;
        for (unsigned i = 0; i < bytes; ++i) value = value << 8 | packet_[position + i];
        return value;
    }

    uint32_t ancillary(uint32_t extension, uint32_t a, uint32_t x) const {
        using namespace bpfgen::ancillary;
        // clang-format off
        switch (extension) {
            case kProtocol: return context_.protocol;
            case kPktType: return context_.pkt_type;
            case kIfIndex: return context_.ifindex;
            case kNlAttr: return find_attribute_in_stream(a, x);
            case kNlAttrNest: return find_attribute_in_nest(a, x);
            case kMark: return context_.mark;
            case kQueue: return context_.queue;
            case kHaType: return context_.hatype;
            case kRxHash: return context_.rxhash;
            case kCpu: return context_.cpu;
            case kAluXorX: return a ^ x;
            case kVlanTag: return context_.vlan_tci;
            case kVlanTagPresent: return context_.vlan_present ? 1 : 0;
            case kPayOffset: return context_.payload_offset;
            case kRandom: return context_.random;
            case kVlanTpid: return context_.vlan_tpid;
            default: throw std::logic_error("reference interpreter: unknown extension");
        }
        // clang-format on
    }

    // The native-endian u16 at `at` (struct nlattr's nla_len and nla_type).
    uint16_t u16_at(std::size_t at) const {
        uint16_t value;
        std::memcpy(&value, packet_.data() + at, 2);
        return value;
    }

    // nla_find over the `remaining` bytes at `at`: walk the attributes while a whole valid
    // header (nla_len from 4 to what remains) is there; the offset of the first of `type`
    // (without the two flag bits), or 0.
    uint32_t walk_attributes(int64_t at, int64_t remaining, uint32_t type) const {
        while (remaining >= 4) {
            const uint16_t attribute_length = u16_at(at);
            if (attribute_length < 4 || attribute_length > remaining) return 0;
            if ((u16_at(at + 2) & 0x3fff) == type) return static_cast<uint32_t>(at);
            const int64_t padded = (attribute_length + 3) / 4 * 4;
            at += padded;
            remaining -= padded;
        }
        return 0;
    }

    uint32_t find_attribute_in_stream(uint32_t a, uint32_t x) const {
        const int64_t size = static_cast<int64_t>(packet_.size());
        if (size < 4 || int64_t{a} > size - 4) return 0;
        return walk_attributes(a, size - a, x);
    }

    uint32_t find_attribute_in_nest(uint32_t a, uint32_t x) const {
        const int64_t size = static_cast<int64_t>(packet_.size());
        if (size < 4 || int64_t{a} > size - 4) return 0;
        const uint16_t nest_length = u16_at(a);
        if (nest_length > size - a) return 0;
        return walk_attributes(int64_t{a} + 4, int64_t{nest_length} - 4, x);
    }

    std::span<const uint8_t> packet_;
    const bpfgen::SkbContext& context_;
    uint32_t length_;
};

// The reference's verdict and instruction count for a checked program.
inline ReferenceResult reference_run(const bpfgen::Program& program,
                                     std::span<const uint8_t> packet,
                                     const bpfgen::SkbContext& context = {},
                                     std::size_t wire_length = 0) {
    return ReferenceInterpreter(packet, context, wire_length).run(program);
}

}  // namespace bpftools::test
