// stepper.cpp: one classic BPF instruction at a time, with the kernel's semantics, reading
// what each opcode does from opcode_table.h and the packet through detail/packet_loads.h, as
// the interpreter does.
#include "libbpfgen/cbpf/stepper.h"

#include <string>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/detail/packet_loads.h"
#include "libbpfgen/cbpf/opcode_table.h"

namespace bpfgen {

Stepper::Stepper(const CheckedProgram& program, std::span<const uint8_t> packet,
                 const SkbContext& context, std::size_t wire_length)
    : program_(program),
      packet_(packet),
      context_(context),
      length_(static_cast<uint32_t>(wire_length != 0 ? wire_length : packet.size())) {}

std::optional<uint32_t> Stepper::load(int32_t offset, unsigned bytes) const {
    const detail::PacketReader reader(packet_, context_);
    uint32_t value = 0;
    bool loaded = false;
    switch (bytes) {
        case 4:
            loaded = reader.read_signed<4>(offset, value);
            break;
        case 2:
            loaded = reader.read_signed<2>(offset, value);
            break;
        default:
            loaded = reader.read_signed<1>(offset, value);
            break;
    }
    if (!loaded) return std::nullopt;
    return value;
}

uint32_t Stepper::ancillary(uint32_t extension) const {
    const detail::PacketReader reader(packet_, context_);
    switch (extension) {
        case ancillary::kProtocol:
            return context_.protocol;
        case ancillary::kPktType:
            return context_.pkt_type;
        case ancillary::kIfIndex:
            return context_.ifindex;
        case ancillary::kNlAttr:
            return reader.netlink_attribute(state_.a, state_.x);
        case ancillary::kNlAttrNest:
            return reader.nested_netlink_attribute(state_.a, state_.x);
        case ancillary::kMark:
            return context_.mark;
        case ancillary::kQueue:
            return context_.queue;
        case ancillary::kHaType:
            return context_.hatype;
        case ancillary::kRxHash:
            return context_.rxhash;
        case ancillary::kCpu:
            return context_.cpu;
        case ancillary::kAluXorX:
            return state_.a ^ state_.x;
        case ancillary::kVlanTag:
            return context_.vlan_tci;
        case ancillary::kVlanTagPresent:
            return context_.vlan_present ? 1 : 0;
        case ancillary::kPayOffset:
            return context_.payload_offset;
        case ancillary::kRandom:
            return context_.random;
        case ancillary::kVlanTpid:
            return context_.vlan_tpid;
    }
    // The checker refuses unknown extensions; kept as an error rather than a guess.
    throw Error("unknown ancillary extension " + std::to_string(extension));
}

std::optional<uint32_t> Stepper::step() {
    if (finished()) throw Error("the program has already ended");
    const Instruction& insn = program_.program()[state_.pc];
    const OpcodeInfo* info = find_opcode(insn.code);
    // A checked program has only codes the kernel accepts, all in the table.
    if (info == nullptr || !info->kernel_accepts) throw Error("cannot run " + to_string(insn));
    const uint32_t k = insn.k;
    uint32_t& a = state_.a;
    uint32_t& x = state_.x;
    auto& memory = state_.memory;
    std::size_t next = state_.pc + 1;
    const auto branch = [&](bool condition) { next += condition ? insn.jt : insn.jf; };
    // A packet load into A, or the end of the program with verdict 0 when out of range.
    const auto load_a = [&](int32_t offset, unsigned bytes) {
        if (const std::optional<uint32_t> value = load(offset, bytes)) {
            a = *value;
        } else {
            end(0);
        }
    };
    ++instructions_;

    switch (info->operation) {
        case Operation::LdAbsW:
        case Operation::LdAbsH:
        case Operation::LdAbsB:
            // Ancillary loads read the whole field whatever the size.
            if (k >= ancillary::kOffset) {
                a = ancillary(k - ancillary::kOffset);
            } else {
                load_a(static_cast<int32_t>(k), op::load_width(insn.code));
            }
            break;
        case Operation::LdIndW:
        case Operation::LdIndH:
        case Operation::LdIndB:
            load_a(static_cast<int32_t>(x + k), op::load_width(insn.code));
            break;
        case Operation::LdxMsh:
            if (const std::optional<uint32_t> byte = load(static_cast<int32_t>(k), 1)) {
                x = (*byte & 0xf) << 2;
            } else {
                end(0);
            }
            break;
        case Operation::LdImm:
            a = k;
            break;
        case Operation::LdxImm:
            x = k;
            break;
        case Operation::LdLen:
            a = length_;
            break;
        case Operation::LdxLen:
            x = length_;
            break;
        case Operation::LdMem:
            a = memory[k];
            break;
        case Operation::LdxMem:
            x = memory[k];
            break;
        case Operation::St:
            memory[k] = a;
            break;
        case Operation::Stx:
            memory[k] = x;
            break;
        case Operation::AddK:
            a += k;
            break;
        case Operation::AddX:
            a += x;
            break;
        case Operation::SubK:
            a -= k;
            break;
        case Operation::SubX:
            a -= x;
            break;
        case Operation::MulK:
            a *= k;
            break;
        case Operation::MulX:
            a *= x;
            break;
        case Operation::DivK:
            a /= k;  // the checker refuses k == 0
            break;
        case Operation::DivX:
            if (x == 0) {
                end(0);
            } else {
                a /= x;
            }
            break;
        case Operation::ModK:
            a %= k;
            break;
        case Operation::ModX:
            if (x == 0) {
                end(0);
            } else {
                a %= x;
            }
            break;
        case Operation::AndK:
            a &= k;
            break;
        case Operation::AndX:
            a &= x;
            break;
        case Operation::OrK:
            a |= k;
            break;
        case Operation::OrX:
            a |= x;
            break;
        case Operation::XorK:
            a ^= k;
            break;
        case Operation::XorX:
            a ^= x;
            break;
        case Operation::LshK:
            a <<= k;  // the checker refuses k >= 32
            break;
        case Operation::LshX:
            a <<= (x & 31);
            break;
        case Operation::RshK:
            a >>= k;
            break;
        case Operation::RshX:
            a >>= (x & 31);
            break;
        case Operation::Neg:
            a = 0u - a;
            break;
        case Operation::Ja:
            next += k;
            break;
        case Operation::JeqK:
            branch(a == k);
            break;
        case Operation::JeqX:
            branch(a == x);
            break;
        case Operation::JgtK:
            branch(a > k);
            break;
        case Operation::JgtX:
            branch(a > x);
            break;
        case Operation::JgeK:
            branch(a >= k);
            break;
        case Operation::JgeX:
            branch(a >= x);
            break;
        case Operation::JsetK:
            branch((a & k) != 0);
            break;
        case Operation::JsetX:
            branch((a & x) != 0);
            break;
        case Operation::RetK:
            end(k);
            break;
        case Operation::RetA:
            end(a);
            break;
        case Operation::RetX:  // refused by the checker (kernel_accepts is false)
            end(x);
            break;
        case Operation::Tax:
            x = a;
            break;
        case Operation::Txa:
            a = x;
            break;
    }
    if (!finished()) state_.pc = next;
    return verdict_;
}

uint32_t Stepper::finish() {
    while (!finished()) step();
    return *verdict_;
}

}  // namespace bpfgen
