// jit_x86_64.cpp: translates a checked classic BPF program into x86-64 machine code.
//
// Register allocation (System V ABI). Everything lives in caller-saved registers, most of it
// where the caller put it, so that the common path needs no prologue, no epilogue and no
// stack frame:
//   eax  A (so `ret a` is a bare ret)    ecx  X (so shifts by X use cl directly)
//   rdi  packet pointer                  rsi  captured length (64-bit)
//   rdx  SkbContext*                     r9d  wire length (`ld #len`), moved from ecx
//   r11  the captured length's low 31 bits, for indexed loads
//   r8, r10: temporaries
//   [rsp - 64 + 4 * k]                   scratch memory M[k], in the ABI's red zone
// A call to a C++ helper (a header-relative load, a netlink attribute search: the cold
// paths) pushes what it would clobber and pops it afterwards, below M[] and with rsp
// 16-byte aligned at the call. M[] is not zeroed: check_kernel_rules refuses a program
// that could read a cell before writing it (the kernel's own rule), and only checked
// programs are compiled. A and X are zeroed at entry unless every path writes them
// before reading them.
//
// Loads: a constant offset is checked against the captured length unless the loads on
// every path to it have already proven the packet long enough; an indexed offset (X + k,
// 32-bit, signed) + size is compared once with the captured length's low 31 bits (r11, set
// at entry: at most the length and below 2^31), which proves it both non-negative and in
// range; past that, an out-of-line stub calls the header-relative load shared with the
// interpreter for a negative offset and checks a non-negative one against the captured
// length itself. A failed check jumps to the shared "return 0" exit. Every packet read is exactly
// the load's size.
//
// Jumps are emitted in passes: the first uses 32-bit displacements everywhere; each later
// pass picks the 8-bit form for every jump whose distance fitted in the previous pass.
// Code only shrinks from pass to pass, so a distance never grows and a chosen 8-bit form
// always fits; passes stop when the size no longer changes.
//
// Encodings follow the Intel 64 and IA-32 Architectures Software Developer's Manual,
// volume 2 (instruction formats: REX prefix, ModRM and SIB bytes; opcode tables).
#include "libbpfgen/cbpf/detail/jit_x86_64.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/detail/packet_loads.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/cbpf/skb_context.h"

#if defined(__x86_64__) && defined(__linux__)
#define BPFGEN_JIT_X86_64
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace bpfgen::jit {

// ---------------------------------------------------------------------------------------
// Executable memory

std::optional<ExecutableMemory> ExecutableMemory::create(std::span<const uint8_t> code) {
#ifdef BPFGEN_JIT_X86_64
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || code.empty()) return std::nullopt;
    const auto page_size = static_cast<std::size_t>(page);
    const std::size_t mapped_size = (code.size() + page_size - 1) / page_size * page_size;
    void* address =
        mmap(nullptr, mapped_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED) return std::nullopt;
    ExecutableMemory memory(address, mapped_size, code.size());  // unmaps on failure below
    std::memcpy(address, code.data(), code.size());
    // int3 in the rest of the page: a jump past the code would trap, not run stale bytes.
    std::memset(static_cast<uint8_t*>(address) + code.size(), 0xcc, mapped_size - code.size());
    if (mprotect(address, mapped_size, PROT_READ | PROT_EXEC) != 0) return std::nullopt;
    return memory;
#else
    (void)code;
    return std::nullopt;
#endif
}

ExecutableMemory::ExecutableMemory(ExecutableMemory&& other) noexcept
    : address_(std::exchange(other.address_, nullptr)),
      mapped_size_(std::exchange(other.mapped_size_, 0)),
      code_size_(std::exchange(other.code_size_, 0)) {}

ExecutableMemory& ExecutableMemory::operator=(ExecutableMemory&& other) noexcept {
    if (this != &other) {
        ExecutableMemory old(std::move(*this));
        address_ = std::exchange(other.address_, nullptr);
        mapped_size_ = std::exchange(other.mapped_size_, 0);
        code_size_ = std::exchange(other.code_size_, 0);
    }
    return *this;
}

ExecutableMemory::~ExecutableMemory() {
#ifdef BPFGEN_JIT_X86_64
    if (address_ != nullptr) munmap(address_, mapped_size_);
#endif
}

#ifdef BPFGEN_JIT_X86_64

namespace {

// ---------------------------------------------------------------------------------------
// The C++ the generated code calls (System V calling convention, plain integer arguments).

// A header-relative (or any signed) offset load: the value, or -1 when out of range.
int64_t load_at_signed_offset(const uint8_t* packet, uint64_t captured_length,
                              const SkbContext* context, int32_t offset, uint32_t bytes) noexcept {
    uint32_t value = 0;
    if (!detail::load_at_signed_offset({packet, static_cast<std::size_t>(captured_length)},
                                       *context, offset, bytes, value)) {
        return -1;
    }
    return value;
}

uint32_t netlink_attribute(const uint8_t* packet, uint64_t captured_length, uint32_t a,
                           uint32_t x) noexcept {
    return detail::netlink_attribute({packet, static_cast<std::size_t>(captured_length)}, a, x);
}

uint32_t nested_netlink_attribute(const uint8_t* packet, uint64_t captured_length, uint32_t a,
                                  uint32_t x) noexcept {
    return detail::nested_netlink_attribute({packet, static_cast<std::size_t>(captured_length)}, a,
                                            x);
}

template <typename Function>
uint64_t address_of(Function* function) {
    return reinterpret_cast<uint64_t>(function);
}

// The generated code reads SkbContext fields at offsetof() positions.
static_assert(std::is_standard_layout_v<SkbContext>);

// ---------------------------------------------------------------------------------------
// x86-64 encoding

enum Register : uint8_t {
    kRax = 0,
    kRcx = 1,
    kRdx = 2,
    kRbx = 3,
    kRsp = 4,
    kRbp = 5,
    kRsi = 6,
    kRdi = 7,
    kR8 = 8,
    kR9 = 9,
    kR10 = 10,
    kR11 = 11,
};

// The register allocation described at the top of this file.
constexpr Register kAccumulator = kRax;
constexpr Register kIndex = kRcx;
constexpr Register kPacket = kRdi;
constexpr Register kCapturedLength = kRsi;
constexpr Register kContext = kRdx;
constexpr Register kWireLength = kR9;
constexpr Register kOffset = kR8;  // an indexed load's X + k; a helper's `bytes` argument
// Within one instruction's code: an indexed load's offset + size, the context while a
// division needs edx, a helper's result while the registers are restored.
constexpr Register kTemporary = kR10;
// The captured length's low 31 bits when the program has indexed loads (see indexed_load).
constexpr Register kIndexedLoadBound = kR11;
// The choices the code relies on: `ret a` returns eax; shifts by X count with cl; div
// divides edx:eax.
static_assert(kAccumulator == kRax && kIndex == kRcx && kContext == kRdx);

// The "tttn" condition codes of Jcc (0F 80+cc, 70+cc); cc ^ 1 is the negation.
enum Condition : uint8_t {
    kBelow = 0x2,
    kAboveOrEqual = 0x3,
    kEqual = 0x4,
    kNotEqual = 0x5,
    kAbove = 0x7,
    kSign = 0x8,
};

Condition negation(Condition condition) {
    return static_cast<Condition>(condition ^ 1);
}

// Immediate group 1 (opcodes 81 /n and 83 /n); the register forms are opcode 8n + 1.
enum class Alu : uint8_t {
    kAdd = 0,
    kOr = 1,
    kAnd = 4,
    kSub = 5,
    kXor = 6,
    kCmp = 7,
};

// Shift group 2 (C1 /n ib, D3 /n).
enum class Shift : uint8_t {
    kLeft = 4,
    kRight = 5,  // logical
};

// [base + displacement] or [base + index + displacement]; the index is never rsp.
struct Memory {
    Memory(Register base_register, int32_t offset = 0)
        : base(base_register), displacement(offset) {}
    Memory(Register base_register, int32_t offset, Register index_register)
        : base(base_register), displacement(offset), index(index_register) {}

    Register base;
    int32_t displacement;
    std::optional<Register> index;
};

bool fits_int8(int64_t value) {
    return value >= std::numeric_limits<int8_t>::min() &&
           value <= std::numeric_limits<int8_t>::max();
}

using Label = std::size_t;

// Where the labels and the jumps of one pass landed, for the next pass's choice of jump forms.
struct Layout {
    std::vector<std::size_t> labels;     // code offset of each label
    std::vector<std::size_t> jump_ends;  // code offset right after each jump, in emission order
};

// Encodes x86-64 machine instructions into a byte buffer, with labels for jumps (not the
// classic BPF assembler: this one writes machine code).
class X86Encoder {
  public:
    explicit X86Encoder(const Layout* previous) : previous_(previous) {}

    Label new_label() {
        layout_.labels.push_back(kUnbound);
        return layout_.labels.size() - 1;
    }
    void bind(Label label) { layout_.labels[label] = code_.size(); }

    // Writes every jump's displacement. False when a label was never bound or an 8-bit
    // jump cannot reach (neither happens; the caller then keeps an earlier pass's code).
    bool resolve_jumps() {
        for (const Fixup& fixup : fixups_) {
            const std::size_t target = layout_.labels[fixup.target];
            if (target == kUnbound) return false;
            const int64_t displacement =
                static_cast<int64_t>(target) - static_cast<int64_t>(fixup.end);
            if (fixup.is_short) {
                if (!fits_int8(displacement)) return false;
                code_[fixup.end - 1] = static_cast<uint8_t>(displacement);
            } else {
                const auto value = static_cast<uint32_t>(static_cast<int32_t>(displacement));
                for (std::size_t i = 0; i < 4; ++i) {
                    code_[fixup.end - 4 + i] = static_cast<uint8_t>(value >> (8 * i));
                }
            }
        }
        return true;
    }

    std::vector<uint8_t>& code() { return code_; }
    const Layout& layout() const { return layout_; }

    // mov r32, r32 (89 /r) and mov r64, r64 (REX.W 89 /r).
    void mov(Register destination, Register source) {
        with_register({0x89}, false, source, destination);
    }
    void mov64(Register destination, Register source) {
        with_register({0x89}, true, source, destination);
    }
    // mov r32, imm32 (B8+r id): zero-extends into the 64-bit register.
    void mov(Register destination, uint32_t value) {
        rex(false, 0, 0, destination);
        byte(static_cast<uint8_t>(0xb8 + (destination & 7)));
        dword(value);
    }
    // mov r64, imm64 (REX.W B8+r io).
    void mov64(Register destination, uint64_t value) {
        rex(true, 0, 0, destination);
        byte(static_cast<uint8_t>(0xb8 + (destination & 7)));
        dword(static_cast<uint32_t>(value));
        dword(static_cast<uint32_t>(value >> 32));
    }
    // xor r32, r32: the shortest zeroing (changes the flags).
    void zero(Register destination) { alu(Alu::kXor, destination, destination); }

    // mov r32, m32 (8B /r); movzx r32, m16 (0F B7 /r); movzx r32, m8 (0F B6 /r).
    void load32(Register destination, const Memory& memory) {
        with_memory({0x8b}, false, destination, memory);
    }
    void load_zero_extended16(Register destination, const Memory& memory) {
        with_memory({0x0f, 0xb7}, false, destination, memory);
    }
    void load_zero_extended8(Register destination, const Memory& memory) {
        with_memory({0x0f, 0xb6}, false, destination, memory);
    }
    // mov m32, r32 and mov m64, r64 (89 /r).
    void store32(const Memory& memory, Register source) {
        with_memory({0x89}, false, source, memory);
    }
    void store64(const Memory& memory, Register source) {
        with_memory({0x89}, true, source, memory);
    }
    // lea r64, m (REX.W 8D /r).
    void lea64(Register destination, const Memory& memory) {
        with_memory({0x8d}, true, destination, memory);
    }
    // lea r32, m (8D /r): the address's low 32 bits, zero-extended.
    void lea32(Register destination, const Memory& memory) {
        with_memory({0x8d}, false, destination, memory);
    }

    // op r/m, r (8n + 1 /r), 32- or 64-bit.
    void alu(Alu operation, Register destination, Register source, bool wide = false) {
        with_register({static_cast<uint8_t>(8 * static_cast<unsigned>(operation) + 1)}, wide,
                      source, destination);
    }
    // op r/m, imm: 83 /n ib when the immediate fits a sign-extended byte, else 81 /n id.
    // A 64-bit operation sign-extends the 32-bit immediate.
    void alu(Alu operation, Register destination, uint32_t value, bool wide = false) {
        const auto signed_value = static_cast<int32_t>(value);
        if (fits_int8(signed_value)) {
            with_register({0x83}, wide, static_cast<unsigned>(operation), destination);
            byte(static_cast<uint8_t>(signed_value));
        } else {
            with_register({0x81}, wide, static_cast<unsigned>(operation), destination);
            dword(value);
        }
    }
    // test r/m32, r32 (85 /r); test r/m64, r64 (REX.W 85 /r).
    void test(Register left, Register right, bool wide = false) {
        with_register({0x85}, wide, right, left);
    }
    // test r/m8, imm8 (F6 /0 ib) for al..bl when the mask fits a byte, else test r/m32,
    // imm32 (F7 /0 id). Both set ZF exactly when A & mask == 0.
    void test(Register left, uint32_t mask) {
        if (mask <= 0xff && left <= kRbx) {
            with_register({0xf6}, false, 0, left);
            byte(static_cast<uint8_t>(mask));
        } else {
            with_register({0xf7}, false, 0, left);
            dword(mask);
        }
    }
    // imul r32, r/m32 (0F AF /r); imul r32, r/m32, imm (6B /r ib, 69 /r id). The low 32
    // bits of a product are the same signed or unsigned.
    void imul(Register destination, Register source) {
        with_register({0x0f, 0xaf}, false, destination, source);
    }
    void imul(Register destination, Register source, uint32_t value) {
        const auto signed_value = static_cast<int32_t>(value);
        if (fits_int8(signed_value)) {
            with_register({0x6b}, false, destination, source);
            byte(static_cast<uint8_t>(signed_value));
        } else {
            with_register({0x69}, false, destination, source);
            dword(value);
        }
    }
    // div r/m32 (F7 /6): edx:eax / divisor, quotient in eax, remainder in edx.
    void div(Register divisor) { with_register({0xf7}, false, 6, divisor); }
    // neg r/m32 (F7 /3).
    void neg(Register destination) { with_register({0xf7}, false, 3, destination); }
    // shl/shr r/m32, imm8 (C1 /n ib) and by cl (D3 /n); a 32-bit shift masks its count to
    // 5 bits, which is the kernel's `X & 31`.
    void shift(Shift operation, Register destination, uint8_t count) {
        with_register({0xc1}, false, static_cast<unsigned>(operation), destination);
        byte(count);
    }
    void shift_by_cl(Shift operation, Register destination) {
        with_register({0xd3}, false, static_cast<unsigned>(operation), destination);
    }
    // bswap r32 (0F C8+r).
    void bswap(Register destination) {
        rex(false, 0, 0, destination);
        byte(0x0f);
        byte(static_cast<uint8_t>(0xc8 + (destination & 7)));
    }
    // rol r/m16, 8 (66 C1 /0 ib): swaps the two low bytes, leaving bits 16-31 alone.
    void swap_low_bytes(Register destination) {
        byte(0x66);
        with_register({0xc1}, false, 0, destination);
        byte(8);
    }
    // push r64 (50+r), pop r64 (58+r), call r/m64 (FF /2), ret (C3).
    void push(Register source) {
        rex(false, 0, 0, source);
        byte(static_cast<uint8_t>(0x50 + (source & 7)));
    }
    void pop(Register destination) {
        rex(false, 0, 0, destination);
        byte(static_cast<uint8_t>(0x58 + (destination & 7)));
    }
    void call(Register target) { with_register({0xff}, false, 2, target); }
    void ret() { byte(0xc3); }

    // jmp rel8/rel32 (EB cb, E9 cd) and jcc rel8/rel32 (70+cc cb, 0F 80+cc cd).
    void jump(Label target) { branch(std::nullopt, target); }
    void jump_if(Condition condition, Label target) { branch(condition, target); }

  private:
    static constexpr std::size_t kUnbound = std::numeric_limits<std::size_t>::max();

    struct Fixup {
        std::size_t end;  // the offset right after the jump, where its displacement counts from
        Label target;
        bool is_short;
    };

    void byte(uint8_t value) { code_.push_back(value); }
    void dword(uint32_t value) {
        for (int i = 0; i < 4; ++i) byte(static_cast<uint8_t>(value >> (8 * i)));
    }

    // The REX prefix 0100WRXB, emitted only when one of its bits is set: W for a 64-bit
    // operand, R, X and B for registers r8-r15 in ModRM.reg, SIB.index and ModRM.rm/SIB.base.
    void rex(bool wide, unsigned reg, unsigned index, unsigned base) {
        const unsigned bits =
            (wide ? 8u : 0u) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((base >> 3) & 1);
        if (bits != 0) byte(static_cast<uint8_t>(0x40 | bits));
    }
    void modrm(unsigned mod, unsigned reg, unsigned rm) {
        byte(static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | (rm & 7)));
    }

    // An instruction whose ModRM.rm is a register (mod 11); `reg` is a register or an
    // opcode extension (/n).
    void with_register(std::initializer_list<uint8_t> opcode, bool wide, unsigned reg,
                       Register rm) {
        rex(wide, reg, 0, rm);
        for (const uint8_t b : opcode) byte(b);
        modrm(3, reg, rm);
    }

    // An instruction whose ModRM.rm is a memory operand. rsp and r12 as base need a SIB
    // byte; rbp and r13 as base need a displacement (mod 00 would mean "no base").
    void with_memory(std::initializer_list<uint8_t> opcode, bool wide, unsigned reg,
                     const Memory& memory) {
        const unsigned index = memory.index ? *memory.index : 0;
        rex(wide, reg, index, memory.base);
        for (const uint8_t b : opcode) byte(b);
        unsigned mod = 2;
        if (memory.displacement == 0 && (memory.base & 7) != kRbp) {
            mod = 0;
        } else if (fits_int8(memory.displacement)) {
            mod = 1;
        }
        if (memory.index || (memory.base & 7) == kRsp) {
            modrm(mod, reg, 4);
            const unsigned sib_index = memory.index ? (*memory.index & 7) : 4;  // 100: none
            byte(static_cast<uint8_t>(sib_index << 3 | (memory.base & 7)));     // scale 1
        } else {
            modrm(mod, reg, memory.base);
        }
        if (mod == 1) byte(static_cast<uint8_t>(memory.displacement));
        if (mod == 2) dword(static_cast<uint32_t>(memory.displacement));
    }

    void branch(std::optional<Condition> condition, Label target) {
        const std::size_t jump = layout_.jump_ends.size();
        bool is_short = false;
        if (previous_ != nullptr) {
            is_short = fits_int8(static_cast<int64_t>(previous_->labels[target]) -
                                 static_cast<int64_t>(previous_->jump_ends[jump]));
        }
        if (is_short) {
            byte(condition ? static_cast<uint8_t>(0x70 | *condition) : 0xeb);
            byte(0);
        } else {
            if (condition) {
                byte(0x0f);
                byte(static_cast<uint8_t>(0x80 | *condition));
            } else {
                byte(0xe9);
            }
            dword(0);
        }
        layout_.jump_ends.push_back(code_.size());
        fixups_.push_back({code_.size(), target, is_short});
    }

    const Layout* previous_;
    Layout layout_;
    std::vector<uint8_t> code_;
    std::vector<Fixup> fixups_;
};

// ---------------------------------------------------------------------------------------
// What the code generator needs to know about the whole program before emitting it.

constexpr uint32_t kFirstNegativeOffset = 0x80000000;
constexpr uint64_t kNoPathYet = std::numeric_limits<uint64_t>::max();

bool is_absolute_load(uint16_t code) {
    return code == (op::kLd | op::kW | op::kAbs) || code == (op::kLd | op::kH | op::kAbs) ||
           code == (op::kLd | op::kB | op::kAbs);
}

struct ProgramFacts {
    bool uses_scratch_memory = false;
    bool uses_wire_length = false;  // ld #len, ldx #len
    bool has_indexed_loads = false;
    // Whether A (X) may be read before the program writes it, so must start at 0.
    bool a_read_before_written = true;
    bool x_read_before_written = true;
    // Before each instruction: a captured length that the loads on every path to it have
    // proven (a load that got past its check proves offset + size bytes).
    std::vector<uint64_t> proven_length;
};

enum class BpfRegister { A, X };

struct RegisterUse {
    bool reads = false;
    bool writes = false;
};

// What one instruction does with A or X (a load that fails ends the program, reading
// nothing).
RegisterUse register_use(const Instruction& instruction, BpfRegister target) {
    const OpcodeInfo* info = find_opcode(instruction.code);
    if (info == nullptr) return {true, false};
    const bool a = target == BpfRegister::A;
    switch (info->operation) {
        case Operation::LdAbsW:
        case Operation::LdAbsH:
        case Operation::LdAbsB: {
            if (instruction.k < ancillary::kOffset) return {false, a};
            const uint32_t extension = instruction.k - ancillary::kOffset;
            // A = A ^ X and the netlink searches read both; the fields read neither.
            if (extension == ancillary::kAluXorX || extension == ancillary::kNlAttr ||
                extension == ancillary::kNlAttrNest) {
                return {true, a};
            }
            return {false, a};
        }
        case Operation::LdIndW:
        case Operation::LdIndH:
        case Operation::LdIndB:
            return {!a, a};
        case Operation::LdImm:
        case Operation::LdLen:
        case Operation::LdMem:
            return {false, a};
        case Operation::LdxMsh:
        case Operation::LdxImm:
        case Operation::LdxLen:
        case Operation::LdxMem:
            return {false, !a};
        case Operation::St:
        case Operation::RetA:
            return {a, false};
        case Operation::Stx:
            return {!a, false};
        case Operation::Tax:
            return {a, !a};
        case Operation::Txa:
            return {!a, a};
        case Operation::RetK:
        case Operation::Ja:
            return {false, false};
        case Operation::AddK:
        case Operation::SubK:
        case Operation::MulK:
        case Operation::DivK:
        case Operation::ModK:
        case Operation::AndK:
        case Operation::OrK:
        case Operation::XorK:
        case Operation::LshK:
        case Operation::RshK:
        case Operation::Neg:
        case Operation::JeqK:
        case Operation::JgtK:
        case Operation::JgeK:
        case Operation::JsetK:
            return {a, false};
        default:  // the X forms of the operations and jumps read both; ret x
            return {true, false};
    }
}

// Whether some path from the entry may read `target` before writing it. Jumps only go
// forward, so one backward pass sees every instruction's successors first.
bool read_before_written(const Program& program, BpfRegister target) {
    const std::size_t length = program.size();
    std::vector<bool> may_read(length, false);  // from this instruction on
    for (std::size_t pc = length; pc-- > 0;) {
        const Instruction& instruction = program[pc];
        const RegisterUse use = register_use(instruction, target);
        bool read = use.reads;
        if (!read && !use.writes && !instruction.is_return()) {
            const auto from = [&](std::size_t next) { return next < length && may_read[next]; };
            if (instruction.is_conditional_jump()) {
                read = from(pc + 1 + instruction.jt) || from(pc + 1 + instruction.jf);
            } else if (instruction.is_jump()) {
                read = from(pc + 1 + instruction.k);
            } else {
                read = from(pc + 1);
            }
        }
        may_read[pc] = read;
    }
    return may_read[0];
}

ProgramFacts study(const Program& program) {
    ProgramFacts facts;
    const std::size_t length = program.size();
    facts.proven_length.assign(length, kNoPathYet);
    facts.proven_length[0] = 0;
    for (std::size_t pc = 0; pc < length; ++pc) {
        const Instruction& instruction = program[pc];
        const uint16_t code = instruction.code;
        const uint32_t k = instruction.k;
        // Unreachable instructions prove nothing (and never run).
        if (facts.proven_length[pc] == kNoPathYet) facts.proven_length[pc] = 0;
        uint64_t proven = facts.proven_length[pc];
        if (is_absolute_load(code)) {
            if (k < kFirstNegativeOffset) {
                proven = std::max(proven, uint64_t{k} + op::load_width(code));
            }
        } else if (code == (op::kLdx | op::kB | op::kMsh)) {
            if (k < kFirstNegativeOffset) proven = std::max(proven, uint64_t{k} + 1);
        } else if (code == (op::kLd | op::kW | op::kInd) || code == (op::kLd | op::kH | op::kInd) ||
                   code == (op::kLd | op::kB | op::kInd)) {
            facts.has_indexed_loads = true;
        } else if (code == (op::kLd | op::kW | op::kLen) ||
                   code == (op::kLdx | op::kW | op::kLen)) {
            facts.uses_wire_length = true;
        } else if (code == (op::kLd | op::kMem) || code == (op::kLdx | op::kMem) ||
                   code == op::kSt || code == op::kStx) {
            facts.uses_scratch_memory = true;
        }
        const auto reaches = [&](std::size_t target) {
            if (target < length) {
                facts.proven_length[target] = std::min(facts.proven_length[target], proven);
            }
        };
        if (instruction.is_return()) continue;
        if (instruction.is_conditional_jump()) {
            reaches(pc + 1 + instruction.jt);
            reaches(pc + 1 + instruction.jf);
        } else if (instruction.is_jump()) {
            reaches(pc + 1 + k);
        } else {
            reaches(pc + 1);
        }
    }
    facts.a_read_before_written = read_before_written(program, BpfRegister::A);
    facts.x_read_before_written = read_before_written(program, BpfRegister::X);
    return facts;
}

// ---------------------------------------------------------------------------------------
// One emission pass over the program.

class ProgramCompiler {
  public:
    ProgramCompiler(const Program& program, const ProgramFacts& facts, const Layout* previous)
        : program_(program), facts_(facts), x86_(previous) {
        for (std::size_t i = 0; i < program.size(); ++i)
            instruction_labels_.push_back(x86_.new_label());
        drop_ = x86_.new_label();
    }

    // The machine code, or nullopt for an instruction the checker would have refused.
    std::optional<std::vector<uint8_t>> emit() {
        prologue();
        for (std::size_t pc = 0; pc < program_.size(); ++pc) {
            x86_.bind(instruction_labels_[pc]);
            if (!instruction(pc)) return std::nullopt;
        }
        x86_.bind(drop_);
        x86_.zero(kAccumulator);
        x86_.ret();
        for (const SignedOffsetStub& stub : stubs_) indexed_load_stub(stub);
        if (!x86_.resolve_jumps()) return std::nullopt;
        return std::move(x86_.code());
    }

    const Layout& layout() const { return x86_.layout(); }

  private:
    // An indexed load whose offset came out negative continues here, out of line.
    struct SignedOffsetStub {
        Label entry;
        Label read;       // the in-line read, for an offset the bound was too small for
        Label resume;     // after the load
        Register offset;  // kOffset, or X's register for an offset of X + 0
        unsigned bytes;
    };

    // The arguments are already where the code keeps them (packet, captured length,
    // context), except the wire length, which arrives in X's register.
    void prologue() {
        if (facts_.uses_wire_length) x86_.mov(kWireLength, kRcx);
        if (facts_.a_read_before_written) x86_.zero(kAccumulator);
        if (facts_.x_read_before_written) x86_.zero(kIndex);
        if (facts_.has_indexed_loads) {
            // The low 32 bits of the captured length without bit 31: at most the captured
            // length and below 2^31.
            x86_.mov(kIndexedLoadBound, kCapturedLength);
            x86_.alu(Alu::kAnd, kIndexedLoadBound, 0x7fffffffu);
        }
    }

    // M[] sits below rsp, in the red zone the ABI leaves to a function that calls nothing;
    // around a helper call rsp moves below it (save_for_call).
    static Memory scratch(uint32_t cell) {
        return {kRsp, static_cast<int32_t>(4 * cell) - kScratchBytes};
    }
    static constexpr int32_t kScratchBytes = 4 * static_cast<int32_t>(op::kMemWords);

    // The registers a helper call would clobber and the code still needs afterwards
    // (A too when `keep_a`), in push order.
    std::vector<Register> live_across_call(bool keep_a) const {
        std::vector<Register> live = {kPacket, kCapturedLength, kContext, kIndex};
        if (facts_.uses_wire_length) live.push_back(kWireLength);
        if (facts_.has_indexed_loads) live.push_back(kIndexedLoadBound);
        if (keep_a) live.push_back(kAccumulator);
        return live;
    }

    // Steps rsp below M[] (when the program has it) and pushes `live`, leaving rsp 16-byte
    // aligned for a call; returns the bytes skipped, for restore_after_call. At entry rsp
    // is 8 past a 16-byte boundary (the return address), and the code never moves it.
    uint32_t save_for_call(const std::vector<Register>& live) {
        uint32_t skipped = facts_.uses_scratch_memory ? kScratchBytes : 0;
        if ((8 + skipped + 8 * live.size()) % 16 != 0) skipped += 8;
        if (skipped != 0) x86_.alu(Alu::kSub, kRsp, skipped, true);
        for (const Register r : live) x86_.push(r);
        return skipped;
    }

    void restore_after_call(const std::vector<Register>& live, uint32_t skipped) {
        for (auto r = live.rbegin(); r != live.rend(); ++r) x86_.pop(*r);
        if (skipped != 0) x86_.alu(Alu::kAdd, kRsp, skipped, true);
    }

    // Reads `bytes` big-endian bytes at `memory` into `destination`, zero-extended.
    void read_big_endian(Register destination, const Memory& memory, unsigned bytes) {
        if (bytes == 4) {
            x86_.load32(destination, memory);
            x86_.bswap(destination);
        } else if (bytes == 2) {
            x86_.load_zero_extended16(destination, memory);
            x86_.swap_low_bytes(destination);
        } else {
            x86_.load_zero_extended8(destination, memory);
        }
    }

    // Drops the packet unless its captured length is at least `end`, where the loads
    // before have not already proven that.
    void check_captured_length(uint64_t end, std::size_t pc) {
        if (end <= facts_.proven_length[pc]) return;
        if (end <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
            x86_.alu(Alu::kCmp, kCapturedLength, static_cast<uint32_t>(end), true);
        } else {
            // Past a sign-extended imm32, but below 2^32: mov r32 zero-extends it.
            x86_.mov(kTemporary, static_cast<uint32_t>(end));
            x86_.alu(Alu::kCmp, kCapturedLength, kTemporary, true);
        }
        x86_.jump_if(kBelow, drop_);
    }

    // x = (value & 0xf) << 2, for ldx 4*([k]&0xf).
    void header_length_to_x(Register value) {
        x86_.alu(Alu::kAnd, value, 0xfu);
        x86_.shift(Shift::kLeft, value, 2);
        if (value != kIndex) x86_.mov(kIndex, value);
    }

    // Calls the shared signed-offset load with the offset in `offset`, or the constant
    // `offset_value`; drops the packet when it is out of range,
    // else puts the value in A (or, to_x, the header length in X, keeping A).
    void call_signed_offset_load(std::optional<Register> offset, unsigned bytes, bool to_x,
                                 uint32_t offset_value = 0) {
        const std::vector<Register> live = live_across_call(to_x);
        const uint32_t skipped = save_for_call(live);
        // packet, captured length and context are already the first three arguments.
        if (offset) {
            if (*offset != kRcx) x86_.mov(kRcx, *offset);
        } else {
            x86_.mov(kRcx, offset_value);
        }
        x86_.mov(kR8, static_cast<uint32_t>(bytes));
        x86_.mov64(kRax, address_of(&load_at_signed_offset));
        x86_.call(kRax);
        x86_.mov64(kTemporary, kRax);
        restore_after_call(live, skipped);
        x86_.test(kTemporary, kTemporary, true);
        x86_.jump_if(kSign, drop_);
        if (to_x) {
            header_length_to_x(kTemporary);
        } else {
            x86_.mov(kAccumulator, kTemporary);
        }
    }

    void absolute_load(uint32_t k, unsigned bytes, std::size_t pc) {
        if (k >= kFirstNegativeOffset) {
            call_signed_offset_load(std::nullopt, bytes, false, k);
            return;
        }
        check_captured_length(uint64_t{k} + bytes, pc);
        read_big_endian(kAccumulator, {kPacket, static_cast<int32_t>(k)}, bytes);
    }

    // ld [x + k]: the offset X + k wraps at 32 bits and, read as signed, is negative for a
    // header-relative load. The in-line check is one compare of offset + size with a bound
    // below both 2^31 and the captured length: passing it proves the offset non-negative
    // and the bytes captured. Anything else goes to the stub, which tells the two apart.
    void indexed_load(uint32_t k, unsigned bytes) {
        // With k 0 the offset is X itself (whose upper 32 bits, like every register's the
        // code writes with a 32-bit operation, are zero).
        Register offset = kIndex;
        if (k != 0) {
            offset = kOffset;
            x86_.lea32(kOffset, {kIndex, static_cast<int32_t>(k)});
        }
        const SignedOffsetStub stub{x86_.new_label(), x86_.new_label(), x86_.new_label(), offset,
                                    bytes};
        stubs_.push_back(stub);
        // offset < 2^32, so offset + bytes cannot wrap in 64 bits.
        x86_.lea64(kTemporary, {offset, static_cast<int32_t>(bytes)});
        x86_.alu(Alu::kCmp, kTemporary, kIndexedLoadBound, true);
        x86_.jump_if(kAbove, stub.entry);
        x86_.bind(stub.read);
        read_big_endian(kAccumulator, {kPacket, 0, offset}, bytes);
        x86_.bind(stub.resume);
    }

    // Out of line: a negative offset is header-relative; a non-negative one is read in line
    // if the captured length (not only the bound) covers it, else the packet is dropped.
    void indexed_load_stub(const SignedOffsetStub& stub) {
        const Label header_relative = x86_.new_label();
        x86_.bind(stub.entry);
        x86_.test(stub.offset, stub.offset);
        x86_.jump_if(kSign, header_relative);
        x86_.alu(Alu::kCmp, kTemporary, kCapturedLength, true);
        x86_.jump_if(kAbove, drop_);
        x86_.jump(stub.read);
        x86_.bind(header_relative);
        call_signed_offset_load(stub.offset, stub.bytes, false);
        x86_.jump(stub.resume);
    }

    void header_length_load(uint32_t k, std::size_t pc) {
        if (k >= kFirstNegativeOffset) {
            call_signed_offset_load(std::nullopt, 1, true, k);
            return;
        }
        check_captured_length(uint64_t{k} + 1, pc);
        x86_.load_zero_extended8(kIndex, {kPacket, static_cast<int32_t>(k)});
        header_length_to_x(kIndex);
    }

    // A = helper(packet, captured length, A, X).
    void call_netlink_helper(uint64_t helper) {
        const std::vector<Register> live = live_across_call(false);
        const uint32_t skipped = save_for_call(live);
        // packet and captured length are already the first two arguments, X the fourth.
        x86_.mov(kRdx, kAccumulator);
        x86_.mov64(kRax, helper);
        x86_.call(kRax);
        restore_after_call(live, skipped);
    }

    // ld [SKF_AD_OFF + extension], whatever the load's size: the whole field.
    bool ancillary_load(uint32_t extension) {
        const auto field = [](std::size_t offset) {
            return Memory{kContext, static_cast<int32_t>(offset)};
        };
        switch (extension) {
            case ancillary::kProtocol:
                x86_.load_zero_extended16(kAccumulator, field(offsetof(SkbContext, protocol)));
                return true;
            case ancillary::kPktType:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, pkt_type)));
                return true;
            case ancillary::kIfIndex:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, ifindex)));
                return true;
            case ancillary::kNlAttr:
                call_netlink_helper(address_of(&netlink_attribute));
                return true;
            case ancillary::kNlAttrNest:
                call_netlink_helper(address_of(&nested_netlink_attribute));
                return true;
            case ancillary::kMark:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, mark)));
                return true;
            case ancillary::kQueue:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, queue)));
                return true;
            case ancillary::kHaType:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, hatype)));
                return true;
            case ancillary::kRxHash:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, rxhash)));
                return true;
            case ancillary::kCpu:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, cpu)));
                return true;
            case ancillary::kAluXorX:
                x86_.alu(Alu::kXor, kAccumulator, kIndex);
                return true;
            case ancillary::kVlanTag:
                x86_.load_zero_extended16(kAccumulator, field(offsetof(SkbContext, vlan_tci)));
                return true;
            case ancillary::kVlanTagPresent:
                // A bool object holds 0 or 1.
                x86_.load_zero_extended8(kAccumulator, field(offsetof(SkbContext, vlan_present)));
                return true;
            case ancillary::kPayOffset:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, payload_offset)));
                return true;
            case ancillary::kRandom:
                x86_.load32(kAccumulator, field(offsetof(SkbContext, random)));
                return true;
            case ancillary::kVlanTpid:
                x86_.load_zero_extended16(kAccumulator, field(offsetof(SkbContext, vlan_tpid)));
                return true;
        }
        return false;
    }

    // A / k and A % k (k != 0, by the checker): a shift or a mask for powers of two.
    void divide_by_constant(uint32_t k, bool remainder) {
        if ((k & (k - 1)) == 0) {
            if (remainder) {
                x86_.alu(Alu::kAnd, kAccumulator, k - 1);
            } else if (k > 1) {
                x86_.shift(Shift::kRight, kAccumulator, static_cast<uint8_t>(std::countr_zero(k)));
            }
            return;
        }
        x86_.mov(kOffset, k);
        divide_a_by(kOffset, remainder);
    }

    // div takes edx:eax and leaves the quotient in eax (A) and the remainder in edx, where
    // the context lives: kept in a temporary meanwhile.
    void divide_a_by(Register divisor, bool remainder) {
        x86_.mov64(kTemporary, kContext);
        x86_.zero(kRdx);
        x86_.div(divisor);
        if (remainder) x86_.mov(kAccumulator, kRdx);
        x86_.mov64(kContext, kTemporary);
    }

    // A / X and A % X: X == 0 ends the program with verdict 0.
    void divide_by_x(bool remainder) {
        x86_.test(kIndex, kIndex);
        x86_.jump_if(kEqual, drop_);
        divide_a_by(kIndex, remainder);
    }

    // A conditional jump: `compare` sets the flags, `when_true` reads them.
    template <typename Compare>
    void conditional_jump(std::size_t pc, Condition when_true, Compare compare) {
        const Instruction& instruction = program_[pc];
        const std::size_t next = pc + 1;
        const std::size_t if_true = next + instruction.jt;
        const std::size_t if_false = next + instruction.jf;
        if (if_true == if_false) {
            // Both ways lead to the same place: no comparison needed.
            if (if_true != next) x86_.jump(instruction_labels_[if_true]);
            return;
        }
        compare();
        if (if_true == next) {
            x86_.jump_if(negation(when_true), instruction_labels_[if_false]);
        } else {
            x86_.jump_if(when_true, instruction_labels_[if_true]);
            if (if_false != next) x86_.jump(instruction_labels_[if_false]);
        }
    }

    void compare_a_with(uint32_t k) {
        // test sets ZF and clears CF exactly as cmp with 0 does.
        if (k == 0) {
            x86_.test(kAccumulator, kAccumulator);
        } else {
            x86_.alu(Alu::kCmp, kAccumulator, k);
        }
    }

    bool instruction(std::size_t pc) {
        using namespace op;
        const Instruction& instruction = program_[pc];
        const uint16_t code = instruction.code;
        const uint32_t k = instruction.k;
        const OpcodeInfo* info = find_opcode(code);
        if (info == nullptr) return false;
        switch (info->operation) {
            case Operation::LdAbsW:
            case Operation::LdAbsH:
            case Operation::LdAbsB:
                if (k >= ancillary::kOffset) return ancillary_load(k - ancillary::kOffset);
                absolute_load(k, op::load_width(code), pc);
                return true;
            case Operation::LdIndW:
            case Operation::LdIndH:
            case Operation::LdIndB:
                indexed_load(k, op::load_width(code));
                return true;
            case Operation::LdxMsh:
                header_length_load(k, pc);
                return true;
            case Operation::LdImm:
                if (k == 0) {
                    x86_.zero(kAccumulator);
                } else {
                    x86_.mov(kAccumulator, k);
                }
                return true;
            case Operation::LdxImm:
                if (k == 0) {
                    x86_.zero(kIndex);
                } else {
                    x86_.mov(kIndex, k);
                }
                return true;
            case Operation::LdLen:
                x86_.mov(kAccumulator, kWireLength);
                return true;
            case Operation::LdxLen:
                x86_.mov(kIndex, kWireLength);
                return true;
            case Operation::LdMem:
                x86_.load32(kAccumulator, scratch(k));
                return true;
            case Operation::LdxMem:
                x86_.load32(kIndex, scratch(k));
                return true;
            case Operation::St:
                x86_.store32(scratch(k), kAccumulator);
                return true;
            case Operation::Stx:
                x86_.store32(scratch(k), kIndex);
                return true;
            case Operation::AddK:
                if (k != 0) x86_.alu(Alu::kAdd, kAccumulator, k);
                return true;
            case Operation::AddX:
                x86_.alu(Alu::kAdd, kAccumulator, kIndex);
                return true;
            case Operation::SubK:
                if (k != 0) x86_.alu(Alu::kSub, kAccumulator, k);
                return true;
            case Operation::SubX:
                x86_.alu(Alu::kSub, kAccumulator, kIndex);
                return true;
            case Operation::MulK:
                x86_.imul(kAccumulator, kAccumulator, k);
                return true;
            case Operation::MulX:
                x86_.imul(kAccumulator, kIndex);
                return true;
            case Operation::DivK:
                divide_by_constant(k, false);
                return true;
            case Operation::DivX:
                divide_by_x(false);
                return true;
            case Operation::ModK:
                divide_by_constant(k, true);
                return true;
            case Operation::ModX:
                divide_by_x(true);
                return true;
            case Operation::AndK:
                x86_.alu(Alu::kAnd, kAccumulator, k);
                return true;
            case Operation::AndX:
                x86_.alu(Alu::kAnd, kAccumulator, kIndex);
                return true;
            case Operation::OrK:
                if (k != 0) x86_.alu(Alu::kOr, kAccumulator, k);
                return true;
            case Operation::OrX:
                x86_.alu(Alu::kOr, kAccumulator, kIndex);
                return true;
            case Operation::XorK:
                if (k != 0) x86_.alu(Alu::kXor, kAccumulator, k);
                return true;
            case Operation::XorX:
                x86_.alu(Alu::kXor, kAccumulator, kIndex);
                return true;
            case Operation::LshK:
                if (k >= 32) return false;
                if (k != 0) x86_.shift(Shift::kLeft, kAccumulator, static_cast<uint8_t>(k));
                return true;
            case Operation::LshX:  // X is in ecx
                x86_.shift_by_cl(Shift::kLeft, kAccumulator);
                return true;
            case Operation::RshK:
                if (k >= 32) return false;
                if (k != 0) x86_.shift(Shift::kRight, kAccumulator, static_cast<uint8_t>(k));
                return true;
            case Operation::RshX:
                x86_.shift_by_cl(Shift::kRight, kAccumulator);
                return true;
            case Operation::Neg:
                x86_.neg(kAccumulator);
                return true;
            case Operation::Ja:
                if (k != 0) x86_.jump(instruction_labels_[pc + 1 + k]);
                return true;
            case Operation::JeqK:
                conditional_jump(pc, kEqual, [&] { compare_a_with(k); });
                return true;
            case Operation::JeqX:
                conditional_jump(pc, kEqual, [&] { x86_.alu(Alu::kCmp, kAccumulator, kIndex); });
                return true;
            case Operation::JgtK:
                conditional_jump(pc, kAbove, [&] { compare_a_with(k); });
                return true;
            case Operation::JgtX:
                conditional_jump(pc, kAbove, [&] { x86_.alu(Alu::kCmp, kAccumulator, kIndex); });
                return true;
            case Operation::JgeK:
                conditional_jump(pc, kAboveOrEqual, [&] { compare_a_with(k); });
                return true;
            case Operation::JgeX:
                conditional_jump(pc, kAboveOrEqual,
                                 [&] { x86_.alu(Alu::kCmp, kAccumulator, kIndex); });
                return true;
            case Operation::JsetK:
                conditional_jump(pc, kNotEqual, [&] { x86_.test(kAccumulator, k); });
                return true;
            case Operation::JsetX:
                conditional_jump(pc, kNotEqual, [&] { x86_.test(kAccumulator, kIndex); });
                return true;
            case Operation::RetK:
                if (k == 0) {
                    x86_.zero(kRax);
                } else {
                    x86_.mov(kRax, k);
                }
                x86_.ret();
                return true;
            case Operation::RetA:  // A is in eax
                x86_.ret();
                return true;
            case Operation::Tax:
                x86_.mov(kIndex, kAccumulator);
                return true;
            case Operation::Txa:
                x86_.mov(kAccumulator, kIndex);
                return true;
            case Operation::RetX:  // the checker refuses it
                return false;
        }
        return false;
    }

    const Program& program_;
    const ProgramFacts& facts_;
    X86Encoder x86_;
    std::vector<Label> instruction_labels_;
    Label drop_;
    std::vector<SignedOffsetStub> stubs_;
};

// The function starts this far into its memory, after int3 bytes: a sanitizer checking an
// indirect call may read a few bytes before the callee (clang's -fsanitize=function looks
// for a type signature there), which must then be mapped and not look like one.
constexpr std::size_t kEntryOffset = 16;

// The machine code of a checked program after kEntryOffset int3 bytes, empty if it cannot
// be generated.
std::vector<uint8_t> generate(const Program& program) {
    if (program.empty()) return {};
    const ProgramFacts facts = study(program);
    constexpr int kMaxPasses = 16;  // in practice two or three
    std::vector<uint8_t> code;
    std::optional<Layout> previous;
    for (int pass = 0; pass < kMaxPasses; ++pass) {
        ProgramCompiler compiler(program, facts, previous ? &*previous : nullptr);
        std::optional<std::vector<uint8_t>> emitted = compiler.emit();
        if (!emitted) break;  // keeps the previous pass's code, which is complete
        const bool converged = previous && emitted->size() == code.size();
        code = std::move(*emitted);
        previous = compiler.layout();
        if (converged) break;
    }
    if (code.empty()) return {};
    code.insert(code.begin(), kEntryOffset, 0xcc);
    return code;
}

}  // namespace

bool available() {
    return true;
}

std::unique_ptr<CompiledProgram> CompiledProgram::compile(const Program& program) {
    const std::vector<uint8_t> code = generate(program);
    if (code.empty()) return nullptr;
    std::optional<ExecutableMemory> memory = ExecutableMemory::create(code);
    if (!memory) return nullptr;
    return std::unique_ptr<CompiledProgram>(new CompiledProgram(std::move(*memory)));
}

CompiledProgram::CompiledProgram(ExecutableMemory memory)
    : memory_(std::move(memory)),
      function_(reinterpret_cast<Function>(
          const_cast<uint8_t*>(static_cast<const uint8_t*>(memory_.address()) + kEntryOffset))) {}

std::span<const uint8_t> CompiledProgram::machine_code() const {
    return memory_.code().subspan(kEntryOffset);
}

#else  // no code generator for this platform

bool available() {
    return false;
}

std::unique_ptr<CompiledProgram> CompiledProgram::compile(const Program&) {
    return nullptr;
}

CompiledProgram::CompiledProgram(ExecutableMemory memory)
    : memory_(std::move(memory)), function_(nullptr) {}

std::span<const uint8_t> CompiledProgram::machine_code() const {
    return {};
}

#endif

}  // namespace bpfgen::jit
