// opcode_table.h: the one description of every classic BPF opcode: its code, what it does,
// its bpf_asm mnemonic and operand form, and whether the kernel accepts it; and the names of
// the ancillary (SKF_AD_*) extensions. The checker, the assembler, the disassembler, the
// interpreter's and the JIT's decoders and the libpcap import all read these tables instead
// of spelling out opcode bits themselves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

// What an instruction does, one value per opcode of the table.
enum class Operation : uint8_t {
    LdAbsW,  // A = 32 bits at [k]
    LdAbsH,
    LdAbsB,
    LdIndW,  // A = 32 bits at [X + k]
    LdIndH,
    LdIndB,
    LdxMsh,  // X = 4 * ([k] & 0xf)
    LdImm,   // A = k
    LdxImm,  // X = k
    LdLen,   // A = the packet's length
    LdxLen,  // X = the packet's length
    LdMem,   // A = M[k]
    LdxMem,  // X = M[k]
    St,      // M[k] = A
    Stx,     // M[k] = X
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
    Neg,  // A = -A
    Ja,   // jump k forward
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
    RetX,  // bpf_asm encodes it; the kernel refuses it
    Tax,   // X = A
    Txa,   // A = X
};

// How bpf_asm writes the operand of an instruction, and so which fields it uses.
enum class OperandForm : uint8_t {
    None,          // neg, tax, txa
    Immediate,     // #k
    PacketLength,  // #len
    Absolute,      // [k], or an extension (#proto) when k is SKF_AD_OFF + SKF_AD_*
    Indexed,       // [x + k]
    Memory,        // M[k]
    HeaderLength,  // 4*([k]&0xf)
    X,             // x
    A,             // a (ret a)
    JumpOffset,    // ja: k is the forward offset
    ConditionalK,  // #k with jt and jf
    ConditionalX,  // x with jt and jf
};

struct OpcodeInfo {
    uint16_t code;
    Operation operation;
    std::string_view mnemonic;  // as the disassembler writes it
    OperandForm operand;
    bool kernel_accepts;                // chk_code_allowed lets it through
    std::string_view negated_mnemonic;  // conditional jumps: the one-label form taken on false

    constexpr uint16_t cls() const { return op::cls(code); }
    // Whether k means something (else the canonical encoding has k == 0).
    constexpr bool uses_k() const {
        switch (operand) {
            case OperandForm::None:
            case OperandForm::PacketLength:
            case OperandForm::X:
            case OperandForm::A:
            case OperandForm::ConditionalX:
                return false;
            default:
                return true;
        }
    }
    constexpr bool uses_jt_jf() const {
        return operand == OperandForm::ConditionalK || operand == OperandForm::ConditionalX;
    }
};

namespace detail {

constexpr OpcodeInfo opcode(uint16_t code, Operation operation, std::string_view mnemonic,
                            OperandForm operand, std::string_view negated_mnemonic = {}) {
    return {code, operation, mnemonic, operand, true, negated_mnemonic};
}

}  // namespace detail

// Every opcode the kernel accepts (chk_code_allowed), and `ret x`, which only bpf_asm knows,
// in the order of Operation.
inline constexpr auto kOpcodes = [] {
    using namespace op;
    using detail::opcode;
    using O = Operation;
    using F = OperandForm;
    return std::array{
        opcode(kLd | kW | kAbs, O::LdAbsW, "ld", F::Absolute),
        opcode(kLd | kH | kAbs, O::LdAbsH, "ldh", F::Absolute),
        opcode(kLd | kB | kAbs, O::LdAbsB, "ldb", F::Absolute),
        opcode(kLd | kW | kInd, O::LdIndW, "ld", F::Indexed),
        opcode(kLd | kH | kInd, O::LdIndH, "ldh", F::Indexed),
        opcode(kLd | kB | kInd, O::LdIndB, "ldb", F::Indexed),
        opcode(kLdx | kB | kMsh, O::LdxMsh, "ldxb", F::HeaderLength),
        opcode(kLd | kImm, O::LdImm, "ld", F::Immediate),
        opcode(kLdx | kImm, O::LdxImm, "ldx", F::Immediate),
        opcode(kLd | kW | kLen, O::LdLen, "ld", F::PacketLength),
        opcode(kLdx | kW | kLen, O::LdxLen, "ldx", F::PacketLength),
        opcode(kLd | kMem, O::LdMem, "ld", F::Memory),
        opcode(kLdx | kMem, O::LdxMem, "ldx", F::Memory),
        opcode(kSt, O::St, "st", F::Memory),
        opcode(kStx, O::Stx, "stx", F::Memory),
        opcode(kAlu | kAdd | kK, O::AddK, "add", F::Immediate),
        opcode(kAlu | kAdd | kX, O::AddX, "add", F::X),
        opcode(kAlu | kSub | kK, O::SubK, "sub", F::Immediate),
        opcode(kAlu | kSub | kX, O::SubX, "sub", F::X),
        opcode(kAlu | kMul | kK, O::MulK, "mul", F::Immediate),
        opcode(kAlu | kMul | kX, O::MulX, "mul", F::X),
        opcode(kAlu | kDiv | kK, O::DivK, "div", F::Immediate),
        opcode(kAlu | kDiv | kX, O::DivX, "div", F::X),
        opcode(kAlu | kMod | kK, O::ModK, "mod", F::Immediate),
        opcode(kAlu | kMod | kX, O::ModX, "mod", F::X),
        opcode(kAlu | kAnd | kK, O::AndK, "and", F::Immediate),
        opcode(kAlu | kAnd | kX, O::AndX, "and", F::X),
        opcode(kAlu | kOr | kK, O::OrK, "or", F::Immediate),
        opcode(kAlu | kOr | kX, O::OrX, "or", F::X),
        opcode(kAlu | kXor | kK, O::XorK, "xor", F::Immediate),
        opcode(kAlu | kXor | kX, O::XorX, "xor", F::X),
        opcode(kAlu | kLsh | kK, O::LshK, "lsh", F::Immediate),
        opcode(kAlu | kLsh | kX, O::LshX, "lsh", F::X),
        opcode(kAlu | kRsh | kK, O::RshK, "rsh", F::Immediate),
        opcode(kAlu | kRsh | kX, O::RshX, "rsh", F::X),
        opcode(kAlu | kNeg, O::Neg, "neg", F::None),
        opcode(kJmp | kJa, O::Ja, "ja", F::JumpOffset),
        opcode(kJmp | kJeq | kK, O::JeqK, "jeq", F::ConditionalK, "jneq"),
        opcode(kJmp | kJeq | kX, O::JeqX, "jeq", F::ConditionalX, "jneq"),
        opcode(kJmp | kJgt | kK, O::JgtK, "jgt", F::ConditionalK, "jle"),
        opcode(kJmp | kJgt | kX, O::JgtX, "jgt", F::ConditionalX, "jle"),
        opcode(kJmp | kJge | kK, O::JgeK, "jge", F::ConditionalK, "jlt"),
        opcode(kJmp | kJge | kX, O::JgeX, "jge", F::ConditionalX, "jlt"),
        opcode(kJmp | kJset | kK, O::JsetK, "jset", F::ConditionalK),
        opcode(kJmp | kJset | kX, O::JsetX, "jset", F::ConditionalX),
        opcode(kRet | kK, O::RetK, "ret", F::Immediate),
        opcode(kRet | kRetA, O::RetA, "ret", F::A),
        OpcodeInfo{kRet | kX, O::RetX, "ret", F::X, false, {}},
        opcode(kMisc | kTax, O::Tax, "tax", F::None),
        opcode(kMisc | kTxa, O::Txa, "txa", F::None),
    };
}();

namespace detail {

// kOpcodes' index of each code below 256 (every opcode is), 0xff for none.
inline constexpr auto kOpcodeIndexByCode = [] {
    std::array<uint8_t, 256> index{};
    index.fill(0xff);
    for (std::size_t i = 0; i < kOpcodes.size(); ++i) {
        index[kOpcodes[i].code] = static_cast<uint8_t>(i);
    }
    return index;
}();

}  // namespace detail

// The entry of `code`, or nullptr for a code no instruction has.
constexpr const OpcodeInfo* find_opcode(uint16_t code) {
    if (code >= detail::kOpcodeIndexByCode.size()) return nullptr;
    const uint8_t index = detail::kOpcodeIndexByCode[code];
    return index == 0xff ? nullptr : &kOpcodes[index];
}

// The entry of an operation (every Operation has one).
constexpr const OpcodeInfo& opcode_of(Operation operation) {
    return kOpcodes[static_cast<uint8_t>(operation)];
}

// The code of `mnemonic` with that operand form, or kNoOpcode when there is none.
inline constexpr uint16_t kNoOpcode = 0xffff;
constexpr uint16_t find_code(std::string_view mnemonic, OperandForm operand) {
    for (const OpcodeInfo& info : kOpcodes) {
        if (info.mnemonic == mnemonic && info.operand == operand) return info.code;
    }
    return kNoOpcode;
}

// One SKF_AD_* extension: its offset from SKF_AD_OFF and bpf_asm's name for it (without
// the '#'; empty for SKF_AD_ALU_XOR_X, which bpf_asm cannot name).
struct AncillaryExtension {
    uint32_t offset;
    std::string_view name;
};

// Every extension the kernel knows (bpf_anc_helper), with the name the disassembler writes.
inline constexpr AncillaryExtension kAncillaryExtensions[] = {
    {ancillary::kProtocol, "proto"},
    {ancillary::kPktType, "type"},
    {ancillary::kIfIndex, "ifidx"},
    {ancillary::kNlAttr, "nla"},
    {ancillary::kNlAttrNest, "nlan"},
    {ancillary::kMark, "mark"},
    {ancillary::kQueue, "queue"},
    {ancillary::kHaType, "hatype"},
    {ancillary::kRxHash, "rxhash"},
    {ancillary::kCpu, "cpu"},
    {ancillary::kAluXorX, ""},
    {ancillary::kVlanTag, "vlan_tci"},
    {ancillary::kVlanTagPresent, "vlan_avail"},
    {ancillary::kPayOffset, "poff"},
    {ancillary::kRandom, "rand"},
    {ancillary::kVlanTpid, "vlan_tpid"},
};

// The older spelling of vlan_avail, which the assembler also reads.
inline constexpr AncillaryExtension kVlanPresentAlias = {ancillary::kVlanTagPresent, "vlan_pr"};

// The extension a load at k = SKF_AD_OFF + offset reads, or nullptr when the kernel knows none.
constexpr const AncillaryExtension* find_extension(uint32_t k) {
    if (k < ancillary::kOffset) return nullptr;
    for (const AncillaryExtension& extension : kAncillaryExtensions) {
        if (k - ancillary::kOffset == extension.offset) return &extension;
    }
    return nullptr;
}

namespace detail {

constexpr bool operations_are_in_table_order() {
    for (std::size_t i = 0; i < std::size(kOpcodes); ++i) {
        if (static_cast<std::size_t>(kOpcodes[i].operation) != i) return false;
    }
    return true;
}
static_assert(operations_are_in_table_order(), "opcode_of indexes kOpcodes by Operation");

}  // namespace detail

}  // namespace bpfgen
