// opcodes.h: the classic BPF instruction encoding (classes, sizes, modes, operations)
// and the kernel's ancillary-data offsets (SKF_AD_*), as constants shared by every
// producer and consumer of a Program.
#pragma once

#include <cstdint>

namespace bpfgen::op {

// Instruction classes (code & 0x07).
inline constexpr uint16_t kLd = 0x00;
inline constexpr uint16_t kLdx = 0x01;
inline constexpr uint16_t kSt = 0x02;
inline constexpr uint16_t kStx = 0x03;
inline constexpr uint16_t kAlu = 0x04;
inline constexpr uint16_t kJmp = 0x05;
inline constexpr uint16_t kRet = 0x06;
inline constexpr uint16_t kMisc = 0x07;

// Load sizes (code & 0x18).
inline constexpr uint16_t kW = 0x00;
inline constexpr uint16_t kH = 0x08;
inline constexpr uint16_t kB = 0x10;

// Load modes (code & 0xe0).
inline constexpr uint16_t kImm = 0x00;
inline constexpr uint16_t kAbs = 0x20;
inline constexpr uint16_t kInd = 0x40;
inline constexpr uint16_t kMem = 0x60;
inline constexpr uint16_t kLen = 0x80;
inline constexpr uint16_t kMsh = 0xa0;

// ALU and jump operations (code & 0xf0).
inline constexpr uint16_t kAdd = 0x00;
inline constexpr uint16_t kSub = 0x10;
inline constexpr uint16_t kMul = 0x20;
inline constexpr uint16_t kDiv = 0x30;
inline constexpr uint16_t kOr = 0x40;
inline constexpr uint16_t kAnd = 0x50;
inline constexpr uint16_t kLsh = 0x60;
inline constexpr uint16_t kRsh = 0x70;
inline constexpr uint16_t kNeg = 0x80;
inline constexpr uint16_t kMod = 0x90;
inline constexpr uint16_t kXor = 0xa0;

inline constexpr uint16_t kJa = 0x00;
inline constexpr uint16_t kJeq = 0x10;
inline constexpr uint16_t kJgt = 0x20;
inline constexpr uint16_t kJge = 0x30;
inline constexpr uint16_t kJset = 0x40;

// Operand source (code & 0x08).
inline constexpr uint16_t kK = 0x00;
inline constexpr uint16_t kX = 0x08;

// Return value source (code & 0x18).
inline constexpr uint16_t kRetA = 0x10;

// Misc operations (code & 0xf8).
inline constexpr uint16_t kTax = 0x00;
inline constexpr uint16_t kTxa = 0x80;

constexpr uint16_t cls(uint16_t code) {
    return code & 0x07;
}
constexpr uint16_t size(uint16_t code) {
    return code & 0x18;
}
constexpr uint16_t mode(uint16_t code) {
    return code & 0xe0;
}
constexpr uint16_t alu_op(uint16_t code) {
    return code & 0xf0;
}
constexpr uint16_t jmp_op(uint16_t code) {
    return code & 0xf0;
}
constexpr uint16_t src(uint16_t code) {
    return code & 0x08;
}
constexpr uint16_t rval(uint16_t code) {
    return code & 0x18;
}
constexpr uint16_t misc_op(uint16_t code) {
    return code & 0xf8;
}
// How many bytes a packet load of this size reads: 4 (kW), 2 (kH) or 1 (kB).
constexpr unsigned load_width(uint16_t code) {
    return size(code) == kW ? 4 : size(code) == kH ? 2 : 1;
}

// Limits of classic BPF.
inline constexpr uint32_t kMaxInstructions = 4096;     // BPF_MAXINSNS
inline constexpr uint32_t kXtBpfMaxInstructions = 64;  // XT_BPF_MAX_NUM_INSTR
inline constexpr uint32_t kMemWords = 16;              // BPF_MEMWORDS

}  // namespace bpfgen::op

namespace bpfgen::ancillary {

// Loads at k = kOffset + X read skb metadata instead of packet bytes (SKF_AD_*).
inline constexpr uint32_t kOffset = 0xfffff000;  // SKF_AD_OFF = -0x1000
inline constexpr uint32_t kProtocol = 0;
inline constexpr uint32_t kPktType = 4;
inline constexpr uint32_t kIfIndex = 8;
inline constexpr uint32_t kNlAttr = 12;
inline constexpr uint32_t kNlAttrNest = 16;
inline constexpr uint32_t kMark = 20;
inline constexpr uint32_t kQueue = 24;
inline constexpr uint32_t kHaType = 28;
inline constexpr uint32_t kRxHash = 32;
inline constexpr uint32_t kCpu = 36;
inline constexpr uint32_t kAluXorX = 40;
inline constexpr uint32_t kVlanTag = 44;
inline constexpr uint32_t kVlanTagPresent = 48;
inline constexpr uint32_t kPayOffset = 52;
inline constexpr uint32_t kRandom = 56;
inline constexpr uint32_t kVlanTpid = 60;
inline constexpr uint32_t kMax = 64;  // SKF_AD_MAX

// Negative offsets that address the network and link-layer headers (SKF_NET_OFF, SKF_LL_OFF).
inline constexpr uint32_t kNetOffset = 0xfff00000;        // -0x100000
inline constexpr uint32_t kLinkLayerOffset = 0xffe00000;  // -0x200000

}  // namespace bpfgen::ancillary
