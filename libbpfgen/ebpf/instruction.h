// instruction.h: the eBPF instruction model: one typed Instruction {opcode, dst, src,
// offset, imm} per slot, builders that read like the instruction they make
// (`mov64(R0, 2)`, `jump_if(Jump::Eq, R1, 0, "drop")`), symbolic jump labels and named map
// references resolved once, when a Program is encoded into the kernel's struct bpf_insn
// form. Knows nothing about file descriptors or the bpf() syscall (loader.h does).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bpfgen::ebpf {

enum class Register : uint8_t { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
using enum Register;

// Opcode parts (the low 3 bits are the class).
namespace code {
inline constexpr uint8_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04, kJmp = 0x05,
                         kJmp32 = 0x06, kAlu64 = 0x07;
inline constexpr uint8_t kW = 0x00, kH = 0x08, kB = 0x10, kDw = 0x18;
inline constexpr uint8_t kImm = 0x00, kMem = 0x60;
inline constexpr uint8_t kK = 0x00, kX = 0x08;
inline constexpr uint8_t kEnd = 0xd0, kToBe = 0x08;
inline constexpr uint8_t kCall = 0x80, kExit = 0x90;
inline constexpr uint8_t kPseudoMapFd = 1;  // src of a 64-bit immediate load of a map fd
}  // namespace code

enum class Alu : uint8_t {
    Add = 0x00,
    Sub = 0x10,
    Mul = 0x20,
    Div = 0x30,
    Or = 0x40,
    And = 0x50,
    Lsh = 0x60,
    Rsh = 0x70,
    Neg = 0x80,
    Mod = 0x90,
    Xor = 0xa0,
    Mov = 0xb0,
    Arsh = 0xc0,
};

enum class Jump : uint8_t {
    Always = 0x00,
    Eq = 0x10,
    Gt = 0x20,
    Ge = 0x30,
    Set = 0x40,
    Ne = 0x50,
    Lt = 0xa0,
    Le = 0xb0,
};

enum class Size : uint8_t { U8 = code::kB, U16 = code::kH, U32 = code::kW, U64 = code::kDw };

// One instruction. A jump names its target by `target` (a label of the Program); a 64-bit
// immediate load of a map names it by `map` and takes two slots when encoded.
struct Instruction {
    uint8_t opcode = 0;
    Register dst = R0;
    Register src = R0;
    int16_t offset = 0;
    int32_t imm = 0;
    std::string target;  // jumps: the label jumped to
    std::string map;     // map loads: the map's name

    friend bool operator==(const Instruction&, const Instruction&) = default;
};

// Builders. `32` variants operate on the low 32 bits and zero the upper half.
Instruction alu64(Alu operation, Register dst, int32_t imm);
Instruction alu64(Alu operation, Register dst, Register src);
Instruction alu32(Alu operation, Register dst, int32_t imm);
Instruction alu32(Alu operation, Register dst, Register src);
inline Instruction mov64(Register dst, int32_t imm) {
    return alu64(Alu::Mov, dst, imm);
}
inline Instruction mov64(Register dst, Register src) {
    return alu64(Alu::Mov, dst, src);
}
inline Instruction mov32(Register dst, int32_t imm) {
    return alu32(Alu::Mov, dst, imm);
}
inline Instruction mov32(Register dst, Register src) {
    return alu32(Alu::Mov, dst, src);
}
// dst = the low `bits` (16, 32) of dst taken as big endian (a no-op swap on big-endian hosts).
Instruction to_big_endian(Register dst, int32_t bits);
Instruction load(Size size, Register dst, Register base, int16_t offset);  // dst = *(base + off)
Instruction store(Size size, Register base, int16_t offset, Register src);
Instruction load_map(Register dst, std::string map);  // dst = the map's address
// Conditional jumps compare 64 bits (jump_if) or the low 32 (jump32_if), unsigned.
Instruction jump_if(Jump condition, Register dst, int32_t imm, std::string target);
Instruction jump_if(Jump condition, Register dst, Register src, std::string target);
Instruction jump32_if(Jump condition, Register dst, int32_t imm, std::string target);
Instruction jump32_if(Jump condition, Register dst, Register src, std::string target);
Instruction jump(std::string target);
Instruction call(int32_t helper);
Instruction exit_program();

// The kernel's struct bpf_insn, as the bpf() syscall takes it.
struct RawInstruction {
    uint8_t opcode;
    uint8_t registers;  // dst in the low nibble, src in the high one
    int16_t offset;
    int32_t imm;
};
static_assert(sizeof(RawInstruction) == 8);

// Instructions and the labels between them.
class Program {
  public:
    void add(Instruction instruction);
    Program& operator<<(Instruction instruction) {
        add(std::move(instruction));
        return *this;
    }
    // The next instruction added gets this label. Throws Error for a label given twice.
    void label(const std::string& name);

    const std::vector<Instruction>& instructions() const { return instructions_; }
    // Labels by the index of the instruction they stand before.
    const std::multimap<std::size_t, std::string>& labels() const { return labels_by_index_; }
    // Slots once encoded (a map load takes two).
    std::size_t slots() const { return slots_; }
    // Drops the instructions no path from the first reaches (the verifier refuses them);
    // their labels move to the next instruction kept.
    void remove_unreachable();
    // The slot of the instruction a label stands before; throws Error for an unknown label.
    std::size_t slot_of_label(const std::string& name) const;

    // The kernel's form: jumps resolved to slot offsets, map loads given the fds of
    // `map_fds`. Throws Error for an unknown label or map, a jump out of 16-bit range, or
    // a program that does not end with exit or an unconditional jump.
    std::vector<RawInstruction> encode(const std::map<std::string, int>& map_fds = {}) const;

  private:
    std::vector<Instruction> instructions_;
    std::map<std::string, std::size_t> label_index_;
    std::multimap<std::size_t, std::string> labels_by_index_;
    std::size_t slots_ = 0;
};

}  // namespace bpfgen::ebpf
