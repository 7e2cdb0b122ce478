// xdp_compiler.cpp: classic BPF rules -> one eBPF XDP program (see xdp_compiler.h).
//
// Registers while a rule runs: w6 = A, w7 = X, r8 = the first byte the rule sees, r9 = the
// frame's end (the verifier's packet-end pointer), r5 = `len`; r0..r4 are scratch. Every
// rule re-derives these from the stack, so the verifier's states at the start of each rule
// are alike and it prunes there. Each load is checked twice: against `len` (the semantics:
// the IP packet cut to its stated length) and, as pointers, against the frame's end (what
// the verifier understands).
#include "libbpfgen/ebpf/xdp_compiler.h"

#include <algorithm>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen::ebpf {

namespace {

// The stack frame (offsets from r10).
constexpr int16_t kContextSlot = -8;  // the xdp_md pointer
// Where the IP header starts (u8, 0 when none) and the IP packet's length, cut as ip_rcv cuts
// it (u16). Both are stored at offsets that are no multiple of 8 on purpose: the verifier
// then forgets their values and reads them back as any u8 and u16, so every frame's path
// reaches each rule in the same state and it verifies each rule once, not once per header
// layout (14, 18, 22 bytes) and length bound.
constexpr int16_t kNetworkOffsetSlot = -13;
constexpr int16_t kNetworkLengthSlot = -22;
constexpr int32_t kLargestNetworkOffset = 22;  // Ethernet and two VLAN tags
constexpr int16_t kFrameLengthSlot = -32;      // data_end - data
constexpr int16_t kCounterKeySlot = -40;       // u32 key of a map lookup
constexpr int16_t kScratchSlot = -104;         // M[0]; M[i] is 4 * i bytes above

// Offsets into struct xdp_md.
constexpr int16_t kXdpData = 0;
constexpr int16_t kXdpDataEnd = 4;

constexpr int32_t kHelperMapLookup = 1;  // BPF_FUNC_map_lookup_elem

// Loads must end at or before this byte: the verifier refuses packet pointers past 0xffff,
// and the IP header may start up to 22 bytes in.
constexpr uint32_t kLoadEndLimit = 0xffbf;

// The cBPF assembler's names of the ancillary loads, for messages.
const char* ancillary_name(uint32_t extension) {
    switch (extension) {
        case ancillary::kProtocol:
            return "proto";
        case ancillary::kPktType:
            return "type";
        case ancillary::kIfIndex:
            return "ifidx";
        case ancillary::kNlAttr:
            return "nla";
        case ancillary::kNlAttrNest:
            return "nlan";
        case ancillary::kMark:
            return "mark";
        case ancillary::kQueue:
            return "queue";
        case ancillary::kHaType:
            return "hatype";
        case ancillary::kRxHash:
            return "rxhash";
        case ancillary::kCpu:
            return "cpu";
        case ancillary::kVlanTag:
            return "vlan_tci";
        case ancillary::kVlanTagPresent:
            return "vlan_avail";
        case ancillary::kPayOffset:
            return "poff";
        case ancillary::kRandom:
            return "rand";
        case ancillary::kVlanTpid:
            return "vlan_tpid";
        default:
            return "unknown";
    }
}

Size size_of(uint16_t cbpf_size) {
    switch (cbpf_size) {
        case op::kB:
            return Size::U8;
        case op::kH:
            return Size::U16;
        default:
            return Size::U32;
    }
}

int32_t bytes_of(Size size) {
    switch (size) {
        case Size::U8:
            return 1;
        case Size::U16:
            return 2;
        case Size::U32:
            return 4;
        default:
            return 8;
    }
}

Jump jump_of(uint16_t cbpf_jump) {
    switch (cbpf_jump) {
        case op::kJeq:
            return Jump::Eq;
        case op::kJgt:
            return Jump::Gt;
        case op::kJge:
            return Jump::Ge;
        default:
            return Jump::Set;
    }
}

Alu alu_of(uint16_t cbpf_alu) {
    return static_cast<Alu>(cbpf_alu);  // the classic and extended encodings agree here
}

// Which instructions of a checked program can run: the verifier refuses unreachable code.
std::vector<bool> reachable_instructions(const bpfgen::Program& program) {
    std::vector<bool> reachable(program.size(), false);
    if (program.empty()) return reachable;
    reachable[0] = true;
    for (std::size_t i = 0; i < program.size(); ++i) {
        if (!reachable[i]) continue;
        const bpfgen::Instruction& instruction = program[i];
        if (instruction.is_return()) continue;
        if (instruction.is_jump()) {
            if (op::jmp_op(instruction.code) == op::kJa) {
                reachable[i + 1 + instruction.k] = true;
            } else {
                reachable[i + 1 + instruction.jt] = true;
                reachable[i + 1 + instruction.jf] = true;
            }
            continue;
        }
        reachable[i + 1] = true;
    }
    return reachable;
}

class RuleCompiler {
  public:
    RuleCompiler(Program& out, const XdpRule& rule, std::size_t index)
        : out_(out), rule_(rule), index_(index) {}

    void compile() {
        const bpfgen::Program& program = rule_.program.program();
        const std::vector<bool> reachable = reachable_instructions(program);
        out_.label(CompiledXdp::rule_label(index_));
        prologue();
        for (std::size_t i = 0; i < program.size(); ++i) {
            if (!reachable[i]) continue;
            out_.label(at(i));
            instruction(i, program[i]);
        }
        if (matched_) {
            out_.label(match_label());
            count(index_);
            if (rule_.action == RuleAction::Drop) {
                out_.label(next_after_count());
                out_ << mov64(R0, kXdpDrop) << exit_program();
            } else {
                out_ << jump(no_match_label());
            }
        }
        out_.label(no_match_label());
    }

    // Adds this rule's frame to counter slot `slot`.
    static void count_into(Program& out, std::size_t slot, const std::string& done) {
        out << mov32(R1, static_cast<int32_t>(slot)) << store(Size::U32, R10, kCounterKeySlot, R1)
            << load_map(R1, kCountersMap) << mov64(R2, R10) << alu64(Alu::Add, R2, kCounterKeySlot)
            << call(kHelperMapLookup) << jump_if(Jump::Eq, R0, 0, done)
            << load(Size::U64, R1, R0, 0) << alu64(Alu::Add, R1, 1) << store(Size::U64, R0, 0, R1)
            << load(Size::U64, R1, R10, kFrameLengthSlot) << load(Size::U64, R2, R0, 8)
            << alu64(Alu::Add, R2, R1) << store(Size::U64, R0, 8, R2);
    }

  private:
    std::string at(std::size_t i) const { return fmt::format("r{}.{}", index_, i); }
    std::string match_label() const { return fmt::format("r{}.match", index_); }
    std::string no_match_label() const { return fmt::format("r{}.next", index_); }
    bool network() const { return rule_.layer == RuleLayer::Network; }

    [[noreturn]] void refuse(std::size_t i, const std::string& what) const {
        throw Error(fmt::format("rule {}: instruction {} ({}) has no meaning in XDP",
                                quote_for_message(rule_.name), i, what));
    }

    void prologue() {
        if (network()) {
            out_ << load(Size::U8, R2, R10, kNetworkOffsetSlot)
                 << jump_if(Jump::Eq, R2, 0, no_match_label())
                 << jump_if(Jump::Gt, R2, kLargestNetworkOffset, no_match_label());
        }
        out_ << load(Size::U64, R1, R10, kContextSlot) << load(Size::U32, R8, R1, kXdpData)
             << load(Size::U32, R9, R1, kXdpDataEnd);
        if (network()) {
            out_ << alu64(Alu::Add, R8, R2) << load(Size::U16, R5, R10, kNetworkLengthSlot);
        } else {
            out_ << load(Size::U64, R5, R10, kFrameLengthSlot);
        }
        if (!rule_.destinations.empty() || rule_.destination_port) destination_filter();
        out_ << mov32(R6, 0) << mov32(R7, 0);
    }

    std::string local(const std::string& what) const { return fmt::format("r{}.{}", index_, what); }

    // The destination prefixes and port, for the packet's IP version.
    void destination_filter() {
        if (!network()) {
            throw Error(fmt::format("rule {}: destinations and ports need a network-layer rule",
                                    quote_for_message(rule_.name)));
        }
        for (const DestinationPrefix& prefix : rule_.destinations) {
            if ((prefix.address.size() != 4 && prefix.address.size() != 16) ||
                prefix.length > prefix.address.size() * 8) {
                throw Error(fmt::format("rule {}: a destination prefix of {} bytes, /{}",
                                        quote_for_message(rule_.name), prefix.address.size(),
                                        prefix.length));
            }
        }
        load_constant(0, Size::U8, R3, 0, false);
        out_ << alu32(Alu::Rsh, R3, 4) << jump32_if(Jump::Eq, R3, 6, local("ipv6"));
        for (const int version : {4, 6}) {
            if (version == 6) out_.label(local("ipv6"));
            const std::size_t bytes = version == 4 ? 4 : 16;
            const uint32_t address_offset = version == 4 ? 16 : 24;
            if (!rule_.destinations.empty()) {
                std::size_t prefix_index = 0;
                for (const DestinationPrefix& prefix : rule_.destinations) {
                    if (prefix.address.size() != bytes) continue;
                    const std::string other =
                        local(fmt::format("v{}.prefix{}", version, ++prefix_index));
                    for (std::size_t word = 0; word < bytes / 4; ++word) {
                        uint32_t value = 0, mask = 0;
                        for (std::size_t b = 0; b < 4; ++b) {
                            const std::size_t bit = (word * 4 + b) * 8;
                            const unsigned bits =
                                prefix.length > bit
                                    ? std::min(8u, prefix.length - static_cast<unsigned>(bit))
                                    : 0;
                            const uint32_t byte_mask = bits == 0 ? 0 : (0xffu << (8 - bits)) & 0xff;
                            mask = mask << 8 | byte_mask;
                            value = value << 8 | (prefix.address[word * 4 + b] & byte_mask);
                        }
                        if (mask == 0) continue;
                        load_constant(0, Size::U32, R3,
                                      address_offset + static_cast<uint32_t>(word) * 4, false);
                        out_ << alu32(Alu::And, R3, static_cast<int32_t>(mask))
                             << jump32_if(Jump::Ne, R3, static_cast<int32_t>(value), other);
                    }
                    out_ << jump(local(fmt::format("v{}.address", version)));
                    out_.label(other);
                }
                out_ << jump(no_match_label());
                out_.label(local(fmt::format("v{}.address", version)));
            }
            if (rule_.destination_port) {
                // UDP (17) or TCP (6), the port 2 bytes into its header.
                load_constant(0, Size::U8, R3, version == 4 ? 9 : 6, false);
                const std::string transport = local(fmt::format("v{}.transport", version));
                out_ << jump32_if(Jump::Eq, R3, 17, transport)
                     << jump32_if(Jump::Eq, R3, 6, transport) << jump(no_match_label());
                out_.label(transport);
                if (version == 4) {
                    // Fragments after the first carry no port (iptables' --dport skips them).
                    load_constant(0, Size::U16, R3, 6, false);
                    out_ << alu32(Alu::And, R3, 0x1fff)
                         << jump32_if(Jump::Ne, R3, 0, no_match_label());
                    load_constant(0, Size::U8, R7, 0, true);
                    out_ << alu32(Alu::And, R7, 0xf) << alu32(Alu::Lsh, R7, 2);
                    load_indirect(Size::U16, 2);
                } else {
                    load_constant(0, Size::U16, R6, 42, false);
                }
                out_ << jump32_if(Jump::Ne, R6, *rule_.destination_port, no_match_label());
            }
            out_ << jump(local("destination"));
        }
        out_.label(local("destination"));
    }

    void count(std::size_t slot) { count_into(out_, slot, next_after_count()); }
    std::string next_after_count() const {
        return rule_.action == RuleAction::Drop ? fmt::format("r{}.drop", index_)
                                                : no_match_label();
    }

    // The offset k of an absolute load as the rules of the interpreter see it.
    enum class Offset { InPacket, OutOfRange, Ancillary, HeaderRelative };
    static Offset classify(uint32_t k, bool ancillary_allowed) {
        if (k < 0x80000000u) return Offset::InPacket;
        if (ancillary_allowed && k >= ancillary::kOffset) return Offset::Ancillary;
        if (k >= ancillary::kLinkLayerOffset && k < ancillary::kOffset) {
            return Offset::HeaderRelative;
        }
        return Offset::OutOfRange;
    }

    // dst = the bytes at the constant offset k, big endian; else no match.
    void load_constant(std::size_t i, Size size, Register dst, uint32_t k, bool msh) {
        switch (classify(k, !msh)) {
            case Offset::Ancillary:
                refuse(i,
                       fmt::format("ancillary load #{}", ancillary_name(k - ancillary::kOffset)));
            case Offset::HeaderRelative:
                refuse(i, fmt::format("load relative to the {} header",
                                      k >= ancillary::kNetOffset ? "network" : "link-layer"));
            case Offset::OutOfRange:
                out_ << jump(no_match_label());
                return;
            case Offset::InPacket:
                break;
        }
        const int32_t bytes = bytes_of(size);
        if (uint64_t{k} + static_cast<uint64_t>(bytes) > kLoadEndLimit) {
            out_ << jump(no_match_label());
            return;
        }
        const auto end = static_cast<int32_t>(k) + bytes;
        if (network()) out_ << jump_if(Jump::Lt, R5, end, no_match_label());
        out_ << mov64(R2, R8) << alu64(Alu::Add, R2, end)
             << jump_if(Jump::Gt, R2, R9, no_match_label());
        if (k <= 0x7fff) {
            out_ << load(size, dst, R8, static_cast<int16_t>(k));
        } else {
            out_ << mov64(R2, R8) << alu64(Alu::Add, R2, static_cast<int32_t>(k))
                 << load(size, dst, R2, 0);
        }
        if (bytes > 1) out_ << to_big_endian(dst, bytes * 8);
    }

    // A = the bytes at X + k (a 32-bit sum; "negative" sums are out of range here).
    void load_indirect(Size size, uint32_t k) {
        const int32_t bytes = bytes_of(size);
        out_ << mov32(R2, R7) << alu32(Alu::Add, R2, static_cast<int32_t>(k))
             << jump_if(Jump::Gt, R2, static_cast<int32_t>(kLoadEndLimit) - bytes,
                        no_match_label());
        if (network()) {
            out_ << mov64(R3, R2) << alu64(Alu::Add, R3, bytes)
                 << jump_if(Jump::Gt, R3, R5, no_match_label());
        }
        out_ << mov64(R1, R8) << alu64(Alu::Add, R1, R2) << mov64(R3, R1)
             << alu64(Alu::Add, R3, bytes) << jump_if(Jump::Gt, R3, R9, no_match_label())
             << load(size, R6, R1, 0);
        if (bytes > 1) out_ << to_big_endian(R6, bytes * 8);
    }

    std::string verdict_label(uint32_t verdict) {
        if (verdict == 0) return no_match_label();
        matched_ = true;
        return match_label();
    }

    static int16_t scratch(uint32_t cell) {
        return static_cast<int16_t>(kScratchSlot + 4 * static_cast<int32_t>(cell));
    }

    void instruction(std::size_t i, const bpfgen::Instruction& instruction) {
        const uint16_t code = instruction.code;
        const uint32_t k = instruction.k;
        const auto imm = static_cast<int32_t>(k);
        switch (op::cls(code)) {
            case op::kLd:
                switch (op::mode(code)) {
                    case op::kImm:
                        out_ << mov32(R6, imm);
                        return;
                    case op::kAbs:
                        load_constant(i, size_of(op::size(code)), R6, k, false);
                        return;
                    case op::kInd:
                        load_indirect(size_of(op::size(code)), k);
                        return;
                    case op::kMem:
                        out_ << load(Size::U32, R6, R10, scratch(k));
                        return;
                    case op::kLen:
                        out_ << mov32(R6, R5);
                        return;
                    default:
                        break;
                }
                break;
            case op::kLdx:
                switch (op::mode(code)) {
                    case op::kImm:
                        out_ << mov32(R7, imm);
                        return;
                    case op::kMem:
                        out_ << load(Size::U32, R7, R10, scratch(k));
                        return;
                    case op::kLen:
                        out_ << mov32(R7, R5);
                        return;
                    case op::kMsh:
                        load_constant(i, Size::U8, R7, k, true);
                        out_ << alu32(Alu::And, R7, 0xf) << alu32(Alu::Lsh, R7, 2);
                        return;
                    default:
                        break;
                }
                break;
            case op::kSt:
                out_ << store(Size::U32, R10, scratch(k), R6);
                return;
            case op::kStx:
                out_ << store(Size::U32, R10, scratch(k), R7);
                return;
            case op::kAlu: {
                const uint16_t operation = op::alu_op(code);
                if (operation == op::kNeg) {
                    out_ << alu32(Alu::Neg, R6, 0);
                    return;
                }
                if (op::src(code) == op::kK) {
                    out_ << alu32(alu_of(operation), R6, imm);
                    return;
                }
                if (operation == op::kDiv || operation == op::kMod) {
                    out_ << jump32_if(Jump::Eq, R7, 0, no_match_label());
                }
                if (operation == op::kLsh || operation == op::kRsh) {
                    // The kernel masks a 32-bit shift count to 5 bits.
                    out_ << mov32(R2, R7) << alu32(Alu::And, R2, 31)
                         << alu32(alu_of(operation), R6, R2);
                    return;
                }
                out_ << alu32(alu_of(operation), R6, R7);
                return;
            }
            case op::kJmp: {
                if (op::jmp_op(code) == op::kJa) {
                    out_ << jump(at(i + 1 + k));
                    return;
                }
                const Jump condition = jump_of(op::jmp_op(code));
                const std::string when_true = at(i + 1 + instruction.jt);
                if (op::src(code) == op::kK) {
                    out_ << jump32_if(condition, R6, imm, when_true);
                } else {
                    out_ << jump32_if(condition, R6, R7, when_true);
                }
                out_ << jump(at(i + 1 + instruction.jf));
                return;
            }
            case op::kRet:
                if (op::rval(code) == op::kRetA) {
                    matched_ = true;
                    out_ << jump32_if(Jump::Ne, R6, 0, match_label()) << jump(no_match_label());
                } else {
                    out_ << jump(verdict_label(k));
                }
                return;
            case op::kMisc:
                out_ << (op::misc_op(code) == op::kTax ? mov32(R7, R6) : mov32(R6, R7));
                return;
            default:
                break;
        }
        throw Error(fmt::format("rule {}: instruction {} {} cannot be compiled to eBPF",
                                quote_for_message(rule_.name), i, to_string(instruction)));
    }

    Program& out_;
    const XdpRule& rule_;
    std::size_t index_;
    bool matched_ = false;
};

// Finds the IP header once for all network rules: its offset and the packet's length cut
// to what the header states (packet_filter.cpp's stated_ip_length), into the stack.
void find_network_layer(Program& out) {
    const std::string done = "l3.done", store_it = "l3.store", type = "l3.type";
    out << mov64(R2, R8) << alu64(Alu::Add, R2, 14) << jump_if(Jump::Gt, R2, R9, done)
        << load(Size::U16, R3, R8, 12) << to_big_endian(R3, 16) << mov64(R4, 14);
    for (int tag = 1; tag <= 2; ++tag) {
        const std::string next = fmt::format("l3.tag{}", tag);
        const int16_t header_end = static_cast<int16_t>(14 + 4 * tag);
        out << jump_if(Jump::Eq, R3, 0x8100, next) << jump_if(Jump::Eq, R3, 0x88a8, next)
            << jump_if(Jump::Eq, R3, 0x9100, next) << jump(type);
        out.label(next);
        out << mov64(R2, R8) << alu64(Alu::Add, R2, header_end) << jump_if(Jump::Gt, R2, R9, done)
            << load(Size::U16, R3, R8, static_cast<int16_t>(header_end - 2))
            << to_big_endian(R3, 16) << mov64(R4, header_end);
    }
    out.label(type);
    out << jump_if(Jump::Eq, R3, 0x0800, "l3.ipv4") << jump_if(Jump::Eq, R3, 0x86dd, "l3.ipv6")
        << jump(done);
    for (const int version : {4, 6}) {
        out.label(fmt::format("l3.ipv{}", version));
        // r2 = the IP header; its version must be the ethertype's; r5 = the bytes from it.
        out << mov64(R2, R8) << alu64(Alu::Add, R2, R4) << mov64(R0, R2) << alu64(Alu::Add, R0, 1)
            << jump_if(Jump::Gt, R0, R9, done) << load(Size::U8, R0, R2, 0)
            << alu64(Alu::Rsh, R0, 4) << jump_if(Jump::Ne, R0, version, done) << mov64(R5, R9)
            << alu64(Alu::Sub, R5, R2);
        if (version == 4) {
            // The total length, if at least the header's and 20.
            out << mov64(R0, R2) << alu64(Alu::Add, R0, 4) << jump_if(Jump::Gt, R0, R9, store_it)
                << load(Size::U16, R0, R2, 2) << to_big_endian(R0, 16) << load(Size::U8, R1, R2, 0)
                << alu64(Alu::And, R1, 0xf) << alu64(Alu::Lsh, R1, 2)
                << jump_if(Jump::Lt, R0, R1, store_it) << jump_if(Jump::Lt, R0, 20, store_it);
        } else {
            // The payload length plus the header's 40 (a jumbogram's 0 states nothing).
            out << mov64(R0, R2) << alu64(Alu::Add, R0, 6) << jump_if(Jump::Gt, R0, R9, store_it)
                << load(Size::U16, R0, R2, 4) << to_big_endian(R0, 16)
                << jump_if(Jump::Eq, R0, 0, store_it) << alu64(Alu::Add, R0, 40);
        }
        out << jump_if(Jump::Gt, R0, R5, store_it) << mov64(R5, R0) << jump(store_it);
    }
    out.label(store_it);
    out << store(Size::U8, R10, kNetworkOffsetSlot, R4)
        << store(Size::U16, R10, kNetworkLengthSlot, R5);
    out.label(done);
}

}  // namespace

std::string CompiledXdp::rule_label(std::size_t rule) {
    return fmt::format("rule {}", rule);
}

namespace {

constexpr int32_t kHelperTailCall = 12;  // BPF_FUNC_tail_call
// Conditional branches per program: three quarters of the verifier's stack of pending
// branches (8192), as each conditional jump can leave one there (those it can decide leave
// none, so this is cautious: about 200 dns rules a program).
constexpr std::size_t kBranchBudget = 6144;
// The first program and the 33 tail calls the kernel follows (MAX_TAIL_CALL_CNT).
constexpr std::size_t kMaxChainedPrograms = 34;

std::size_t conditional_branches(const Program& program) {
    std::size_t branches = 0;
    for (const Instruction& instruction : program.instructions()) {
        const uint8_t cls = instruction.opcode & 0x07;
        if ((cls == code::kJmp || cls == code::kJmp32) && !instruction.target.empty() &&
            (instruction.opcode & 0xf0) != static_cast<uint8_t>(Jump::Always)) {
            ++branches;
        }
    }
    return branches;
}

// The start of every program of the chain: the context and the frame's length saved, the IP
// header found.
Program program_prologue(bool any_network) {
    Program out;
    out << store(Size::U64, R10, kContextSlot, R1) << load(Size::U32, R8, R1, kXdpData)
        << load(Size::U32, R9, R1, kXdpDataEnd) << mov64(R2, R9) << alu64(Alu::Sub, R2, R8)
        << store(Size::U64, R10, kFrameLengthSlot, R2) << mov64(R2, 0)
        << store(Size::U8, R10, kNetworkOffsetSlot, R2)
        << store(Size::U16, R10, kNetworkLengthSlot, R2);
    if (any_network) find_network_layer(out);
    return out;
}

// The end of a program: the next one of the chain, if any, else (also when the tail call
// fails) the frame is counted as passed and passed.
void program_epilogue(Program& out, std::size_t next_program, bool last, std::size_t rules) {
    out.label("passed");
    if (!last) {
        out << load(Size::U64, R1, R10, kContextSlot) << load_map(R2, kChainMap)
            << mov64(R3, static_cast<int32_t>(next_program)) << call(kHelperTailCall);
    }
    RuleCompiler::count_into(out, rules, "passed.done");
    out.label("passed.done");
    out << mov64(R0, kXdpPass) << exit_program();
    out.remove_unreachable();
}

}  // namespace

CompiledXdp compile_xdp(const std::vector<XdpRule>& rules) {
    CompiledXdp compiled;
    compiled.rule_count = rules.size();
    const bool any_network = std::any_of(rules.begin(), rules.end(), [](const XdpRule& rule) {
        return rule.layer == RuleLayer::Network;
    });
    Program out = program_prologue(any_network);
    compiled.first_rule.push_back(0);
    std::size_t branches = 0;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        Program alone;
        RuleCompiler(alone, rules[i], i).compile();
        const std::size_t rule_branches = conditional_branches(alone);
        if (branches > 0 && branches + rule_branches > kBranchBudget) {
            program_epilogue(out, compiled.programs.size() + 1, false, rules.size());
            compiled.programs.push_back(std::move(out));
            compiled.first_rule.push_back(i);
            out = program_prologue(any_network);
            branches = 0;
        }
        RuleCompiler(out, rules[i], i).compile();
        branches += rule_branches;
    }
    program_epilogue(out, 0, true, rules.size());
    compiled.programs.push_back(std::move(out));
    if (compiled.programs.size() > kMaxChainedPrograms) {
        throw Error(
            fmt::format("{} rules need {} chained XDP programs, but the kernel follows at "
                        "most {} tail calls: the first {} rules fit",
                        rules.size(), compiled.programs.size(), kMaxChainedPrograms - 1,
                        compiled.first_rule[kMaxChainedPrograms]));
    }
    return compiled;
}

}  // namespace bpfgen::ebpf
