// jit_test.cpp: the JIT's machine code (verdict()) against the interpreter (run()); both are
// also checked against the simple reference in reference_interpreter_test. Small programs
// per instruction class with the value both must give, tens of thousands of random checked
// programs with every instruction family on random packets and skb contexts, and the
// original bpfgen's recorded bytecode on crafted packets cut at every length. Also that the
// JIT is really in use on x86-64 Linux (else these tests would compare the interpreter with
// itself), that Engine::Interpreter and a system refusing executable memory both give the
// interpreter.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/base/hex.h"
#include "libbpfgen/cbpf/detail/jit_x86_64.h"
#include "libbpfgen/cbpf/disassembler.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/crafted_packets.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_cases.h"

#if defined(__x86_64__) && defined(__linux__)
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#define BPFTOOLS_JIT_EXPECTED 1
#endif

namespace bpfgen {
namespace {

using bpftools::test::Bytes;
using namespace bpftools::test::insn;

std::string describe(const Program& program, const Bytes& packet, std::size_t wire_length) {
    return "program: " + format_xt_bpf(program) + "\n" + disassemble(program) +
           "packet: " + hex_encode(packet) + " wire length " + std::to_string(wire_length);
}

// The JIT's verdict, after checking that it is the JIT's where one is expected.
uint32_t jit_verdict(const CheckedProgram& program, const Bytes& packet,
                     const SkbContext& context = {}, std::size_t wire_length = 0) {
#ifdef BPFTOOLS_JIT_EXPECTED
    EXPECT_TRUE(program.uses_jit());
#endif
    return verdict(program, packet, context, wire_length);
}

// Both engines give `expected`.
void expect_verdict(const Program& program, const Bytes& packet, uint32_t expected,
                    const SkbContext& context = {}, std::size_t wire_length = 0) {
    const CheckedProgram checked(program);
    EXPECT_EQ(run(checked, packet, context, wire_length).verdict, expected)
        << "interpreter\n"
        << describe(program, packet, wire_length);
    EXPECT_EQ(jit_verdict(checked, packet, context, wire_length), expected)
        << "JIT\n"
        << describe(program, packet, wire_length);
}

const Bytes kFive = {0x12, 0x34, 0x56, 0x78, 0x9a};
// Each byte its own offset: a header-relative load shows where it read.
const Bytes kCounting = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

// --- JIT in use, and the interpreter when asked or when the system refuses ------------

TEST(Jit, IsInUseOnX86_64Linux) {
#ifdef BPFTOOLS_JIT_EXPECTED
    EXPECT_TRUE(jit::available());
    const CheckedProgram checked({ld_b(1), ret_a()});
    ASSERT_TRUE(checked.uses_jit());
    ASSERT_NE(checked.jit_code(), nullptr);
    EXPECT_FALSE(checked.jit_code()->machine_code().empty());
    // The generated function itself, called directly, not through verdict().
    const SkbContext context;
    EXPECT_EQ(checked.jit_code()->run(kFive, context, 5), 0x34u);
#else
    EXPECT_FALSE(jit::available());
    EXPECT_FALSE(CheckedProgram({ld_b(1), ret_a()}).uses_jit());
#endif
}

TEST(Jit, InterpreterEngineNeverCompiles) {
    const Program program = {ld_w(1), ret_a()};
    const CheckedProgram interpreted(program, Engine::Interpreter);
    EXPECT_FALSE(interpreted.uses_jit());
    EXPECT_EQ(interpreted.jit_code(), nullptr);
    EXPECT_EQ(verdict(interpreted, kFive), 0x3456789au);
    const CheckedProgram socket(program, CheckTarget::XtBpf, Engine::Interpreter);
    EXPECT_FALSE(socket.uses_jit());
    EXPECT_EQ(verdict(socket, kFive), 0x3456789au);
}

TEST(Jit, CopiesShareTheMachineCode) {
    const CheckedProgram original({ld_h(0), ret_a()});
    const CheckedProgram copy = original;
    EXPECT_EQ(copy.uses_jit(), original.uses_jit());
    EXPECT_EQ(copy.jit_code(), original.jit_code());
    EXPECT_EQ(verdict(copy, kFive), 0x1234u);
}

TEST(Jit, ExecutableMemoryHoldsTheCode) {
    const Bytes code = {0x31, 0xc0, 0xc3};  // xor eax, eax; ret
    std::optional<jit::ExecutableMemory> memory = jit::ExecutableMemory::create(code);
#ifdef BPFTOOLS_JIT_EXPECTED
    ASSERT_TRUE(memory.has_value());
    EXPECT_EQ(Bytes(memory->code().begin(), memory->code().end()), code);
    const jit::ExecutableMemory moved = std::move(*memory);
    EXPECT_EQ(Bytes(moved.code().begin(), moved.code().end()), code);
    EXPECT_TRUE(memory->code().empty());  // a moved-from object owns nothing
    // Called as a function: the page really is executable.
    using Function = uint32_t (*)();
    EXPECT_EQ(reinterpret_cast<Function>(const_cast<void*>(moved.address()))(), 0u);
#else
    EXPECT_FALSE(memory.has_value());
#endif
}

#ifdef BPFTOOLS_JIT_EXPECTED
// A seccomp policy that refuses mprotect(PROT_EXEC), as a hardened system would.
bool refuse_executable_memory() {
    struct sock_filter policy[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };
    struct sock_fprog program = {static_cast<unsigned short>(sizeof policy / sizeof policy[0]),
                                 policy};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0;
}

// In a child process: exits 0 when, without executable memory, CheckedProgram falls back
// to the interpreter and still gives the right verdict.
void fall_back_without_executable_memory() {
    if (!refuse_executable_memory()) _exit(2);
    if (jit::ExecutableMemory::create(Bytes{0xc3})) _exit(3);  // the policy is not in force
    const CheckedProgram checked({ld_b(4), ret_a()});
    if (checked.uses_jit()) _exit(4);
    if (verdict(checked, kFive) != 0x9a) _exit(5);
    _exit(0);
}

TEST(JitDeathTest, FallsBackToTheInterpreterWhenExecutableMemoryIsRefused) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(fall_back_without_executable_memory(), testing::ExitedWithCode(0), "");
}
#endif

// --- Per instruction class: both engines give the expected value ----------------------

TEST(JitLoad, AbsoluteWordHalfByteAreBigEndian) {
    expect_verdict({ld_w(1), ret_a()}, kFive, 0x3456789a);
    expect_verdict({ld_h(3), ret_a()}, kFive, 0x789a);
    expect_verdict({ld_b(4), ret_a()}, kFive, 0x9a);
    expect_verdict({ld_w(0), ld_h(0), ret_a()}, kFive, 0x1234);  // the half replaces all of A
}

TEST(JitLoad, AbsoluteLoadPastTheEndGivesZero) {
    expect_verdict({ld_w(1), ret_k(7)}, kFive, 7);
    expect_verdict({ld_w(2), ret_k(7)}, kFive, 0);
    expect_verdict({ld_h(4), ret_k(7)}, kFive, 0);
    expect_verdict({ld_b(5), ret_k(7)}, kFive, 0);
    expect_verdict({ld_b(0), ret_k(7)}, {}, 0);
    expect_verdict({ld_w(0x7ffffffc), ret_k(7)}, kFive, 0);
    expect_verdict({ld_w(0x7fffffff), ret_k(7)}, kFive, 0);  // k + 4 is past a signed imm32
    expect_verdict({ld_b(0x7fffffff), ret_k(7)}, kFive, 0);
    expect_verdict({ld_h(0x10000), ret_k(7)}, kFive, 0);
}

TEST(JitLoad, LoadsReadCapturedBytesNotTheWireLength) {
    const Bytes captured(60, 0xab);
    expect_verdict({ld_b(59), ret_a()}, captured, 0xab, {}, 1500);
    expect_verdict({ld_b(60), ret_k(7)}, captured, 0, {}, 1500);
}

TEST(JitLoad, ALengthProvenOnOnePathIsNotAssumedOnAnother) {
    // ldb [0]; jeq #1 -> ldb [40] then join, else join directly; join: ldb [39].
    const Program program = {ld_b(0), jmp_k(op::kJeq, 1, 0, 2), ld_b(40), ja(0), ld_b(39), ret_a()};
    Bytes forty(40, 0x55);
    forty[0] = 1;
    expect_verdict(program, forty, 0);  // byte 40 is missing
    forty[0] = 2;
    expect_verdict(program, forty, 0x55);
    const Bytes thirty_nine(39, 2);
    expect_verdict(program, thirty_nine, 0);  // byte 39 is missing: its check must be there
    Bytes forty_one(41, 0x66);
    forty_one[0] = 1;
    expect_verdict(program, forty_one, 0x66);
    // A longer load first proves the shorter ones after it.
    expect_verdict({ld_w(20), ld_b(3), ld_h(22), ret_a()}, Bytes(24, 0x11), 0x1111);
    expect_verdict({ld_w(20), ld_b(3), ld_h(23), ret_a()}, Bytes(24, 0x11), 0);
}

TEST(JitLoad, IndexedLoadAddsXAndWrapsAt32Bits) {
    expect_verdict({ldx_imm(2), ld_ind_h(1), ret_a()}, kFive, 0x789a);
    expect_verdict({ldx_imm(1), ld_ind_w(0), ret_a()}, kFive, 0x3456789a);
    expect_verdict({ldx_imm(4), ld_ind_b(0), ret_a()}, kFive, 0x9a);
    expect_verdict({ldx_imm(3), ld_ind_h(1), ret_k(7)}, kFive, 0);
    expect_verdict({ldx_imm(0xffffffff), ld_ind_b(1), ret_a()}, kFive, 0x12);
    expect_verdict({ldx_imm(0xfffffffe), ld_ind_w(3), ret_a()}, kFive, 0x3456789a);
    expect_verdict({ldx_imm(0x7fffffff), ld_ind_b(0x7fffffff), ret_k(7)}, kFive, 0);
    expect_verdict({ldx_imm(0x7fffffff), ld_ind_b(0), ret_k(7)}, kFive, 0);
    expect_verdict({ld_ind_b(0), ret_k(7)}, {}, 0);
}

TEST(JitLoad, NegativeOffsetsAreHeaderRelative) {
    const Bytes& packet = kCounting;
    SkbContext context;
    context.network_header = 4;
    context.link_layer_header = 1;
    const uint32_t net = ancillary::kNetOffset;
    const uint32_t link = ancillary::kLinkLayerOffset;
    expect_verdict({ld_b(net + 2), ret_a()}, packet, 6, context);
    expect_verdict({ld_h(net), ret_a()}, packet, 0x0405, context);
    expect_verdict({ld_w(link + 1), ret_a()}, packet, 0x02030405, context);
    expect_verdict({ld_w(net + 2), ret_k(7)}, packet, 7, context);  // bytes 6-9: the last
    expect_verdict({ld_w(net + 3), ret_k(7)}, packet, 0, context);
    expect_verdict({ld_b(link - 1), ret_k(7)}, packet, 0, context);  // below SKF_LL_OFF
    expect_verdict({ld_b(net + 2), ret_k(7)}, packet, 0);            // no header known
    expect_verdict({ld_b(link), ret_k(7)}, packet, 0);
    // Indexed and header-length loads with offsets that come out negative.
    expect_verdict({ldx_imm(net + 1), ld_ind_b(2), ret_a()}, packet, 7, context);
    expect_verdict({ldx_imm(2), ld_ind_h(link), ret_a()}, packet, 0x0304, context);
    expect_verdict({ldx_imm(2), ld_ind_h(link), ret_k(7)}, packet, 0);
    expect_verdict({ldx_msh(net + 5), txa(), ret_a()}, packet, 36, context);
    expect_verdict({ldx_msh(net + 5), ret_k(7)}, packet, 0);
    // A header position past the packet: out of range, not a wild read.
    context.network_header = 0xfffffff0;
    expect_verdict({ld_b(net), ret_k(7)}, packet, 0, context);
}

#ifdef BPFTOOLS_JIT_EXPECTED
// The in-line check of an indexed load compares with a bound below 2^31 and the captured
// length; past it, the out-of-line code reads what the captured length still covers, so a
// capture longer than 2 GiB (mapped, not filled) is read as the interpreter reads it.
TEST(JitLoad, IndexedLoadsPastTheInLineBoundOfACaptureOver2GiB) {
    const std::size_t length = (std::size_t{1} << 31) + 1;  // the bound is 1
    void* mapping = mmap(nullptr, length, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) GTEST_SKIP() << "cannot map 2 GiB of address space";
    const std::unique_ptr<void, std::function<void(void*)>> unmap(
        mapping, [length](void* address) { munmap(address, length); });
    auto* bytes = static_cast<uint8_t*>(mapping);
    const uint8_t last[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
    std::memcpy(bytes + length - sizeof last, last, sizeof last);
    bytes[0] = 0x45;
    const std::span<const uint8_t> packet(bytes, length);
    const auto expect = [&](const Program& program, uint32_t expected) {
        const CheckedProgram checked(program);
        EXPECT_EQ(run(checked, packet, {}, 0).verdict, expected) << disassemble(program);
        EXPECT_EQ(verdict(checked, packet, {}, 0), expected) << disassemble(program);
    };
    expect({ldx_imm(0x7ffffffd), ld_ind_w(0), ret_a()}, 0x3456789a);  // the last 4 bytes
    expect({ldx_imm(0x7ffffffc), ld_ind_h(2), ret_a()}, 0x5678);
    expect({ldx_imm(0x7ffffffe), ld_ind_w(0), ret_k(7)}, 0);     // one byte past the end
    expect({ldx_imm(0x7ffffff0), ld_ind_b(0x10), ret_k(7)}, 0);  // X + k negative: no header
    expect({ldx_imm(0), ld_ind_b(0), ret_a()}, 0x45);            // within the bound
}
#endif

TEST(JitLoad, HeaderLengthLoad) {
    expect_verdict({ldx_msh(0), txa(), ret_a()}, {0x45}, 20);
    expect_verdict({ldx_msh(1), txa(), ret_a()}, {0x45, 0xff}, 60);
    expect_verdict({ldx_msh(1), ret_k(7)}, {0x45}, 0);
    expect_verdict({ldx_msh(0x7fffffff), ret_k(7)}, {0x45}, 0);
}

TEST(JitLoad, LengthIsTheWireLength) {
    expect_verdict({ld_len(), ret_a()}, kFive, 1500, {}, 1500);
    expect_verdict({ld_len(), ret_a()}, kFive, 5);  // zero: the captured length
    expect_verdict({ldx_len(), txa(), ret_a()}, kFive, 70000, {}, 70000);
}

TEST(JitLoad, AncillaryFieldsWhateverTheSize) {
    SkbContext context;
    context.protocol = 0x86dd;
    context.pkt_type = 3;
    context.ifindex = 0x01020304;
    context.mark = 0xdeadbeef;
    context.queue = 9;
    context.hatype = 772;
    context.rxhash = 0x89abcdef;
    context.cpu = 17;
    context.vlan_tci = 0xf064;
    context.vlan_present = true;
    context.vlan_tpid = 0x88a8;
    context.random = 0x5eed;
    context.payload_offset = 54;
    const std::vector<std::pair<uint32_t, uint32_t>> fields = {{ancillary::kProtocol, 0x86dd},
                                                               {ancillary::kPktType, 3},
                                                               {ancillary::kIfIndex, 0x01020304},
                                                               {ancillary::kMark, 0xdeadbeef},
                                                               {ancillary::kQueue, 9},
                                                               {ancillary::kHaType, 772},
                                                               {ancillary::kRxHash, 0x89abcdef},
                                                               {ancillary::kCpu, 17},
                                                               {ancillary::kVlanTag, 0xf064},
                                                               {ancillary::kVlanTagPresent, 1},
                                                               {ancillary::kVlanTpid, 0x88a8},
                                                               {ancillary::kRandom, 0x5eed},
                                                               {ancillary::kPayOffset, 54}};
    for (const auto& [extension, value] : fields) {
        for (const uint16_t size : {op::kW, op::kH, op::kB}) {
            expect_verdict({ld_ancillary(extension, size), ret_a()}, {}, value, context);
        }
    }
    context.vlan_present = false;
    expect_verdict({ld_ancillary(ancillary::kVlanTagPresent), ret_a()}, {}, 0, context);
    expect_verdict({ld_imm(0xff00), ldx_imm(0x0ff0), ld_ancillary(ancillary::kAluXorX), ret_a()},
                   {}, 0xf0f0);
}

TEST(JitLoad, NetlinkAttributes) {
    // Two attributes: type 1 (8 bytes) at 0, type 2 (12 bytes, nesting type 7) at 8.
    const Bytes stream = {8, 0, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd, 12, 0, 2, 0, 8, 0, 7, 0, 1, 2, 3, 4};
    expect_verdict({ldx_imm(2), ld_imm(0), ld_ancillary(ancillary::kNlAttr), ret_a()}, stream, 8);
    expect_verdict({ldx_imm(1), ld_imm(0), ld_ancillary(ancillary::kNlAttr), ret_a()}, stream, 0);
    expect_verdict({ldx_imm(9), ld_imm(0), ld_ancillary(ancillary::kNlAttr), ret_a()}, stream, 0);
    expect_verdict({ldx_imm(7), ld_imm(8), ld_ancillary(ancillary::kNlAttrNest), ret_a()}, stream,
                   12);
    expect_verdict({ldx_imm(7), ld_imm(99), ld_ancillary(ancillary::kNlAttrNest), ret_a()}, stream,
                   0);
    // A and X survive the call.
    expect_verdict(
        {ldx_imm(2), ld_imm(0), ld_ancillary(ancillary::kNlAttr), alu_x(op::kAdd), ret_a()}, stream,
        10);
}

// The loads the machine code leaves to a C++ helper (header-relative offsets, netlink
// searches) are calls that may clobber every caller-saved register, where the code keeps A,
// X, the packet, its lengths and the context, and the red zone below rsp, where it keeps
// M[]: each load here is followed by uses of all of them.
TEST(JitHelperCall, RegistersAndScratchMemorySurviveEveryHelperCall) {
    const Bytes& packet = kCounting;
    // Two attributes: type 1 (8 bytes) at 0, type 2 (12 bytes, nesting type 7) at 8.
    const Bytes stream = {8, 0, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd, 12, 0, 2, 0, 8, 0, 7, 0, 1, 2, 3, 4};
    SkbContext context;
    context.network_header = 4;
    context.link_layer_header = 1;
    context.mark = 0x5000000;
    const uint32_t net = ancillary::kNetOffset;
    const uint32_t link = ancillary::kLinkLayerOffset;
    constexpr uint32_t kWireLength = 1500;
    // M[0] = wire length, M[15] = 0x1000, X = x, A = a; the load; then
    // A + X + M[0] + M[15] + wire length + the context's mark (read after the call).
    const auto around = [&](uint32_t a, uint32_t x, Instruction load) {
        return Program{
            ld_len(),        st(0),           ld_imm(0x1000), st(15),
            ldx_imm(x),      ld_imm(a),       load,           alu_x(op::kAdd),
            ldx_mem(0),      alu_x(op::kAdd), ldx_mem(15),    alu_x(op::kAdd),
            ldx_len(),       alu_x(op::kAdd), tax(),          ld_ancillary(ancillary::kMark),
            alu_x(op::kAdd), ret_a()};
    };
    const uint32_t rest = kWireLength + 0x1000 + kWireLength + 0x5000000;
    // Into A, at a constant offset: A is the loaded value, X must survive.
    expect_verdict(around(0x7000, 0x30, ld_b(net + 2)), packet, 6 + 0x30 + rest, context,
                   kWireLength);
    expect_verdict(around(0x7000, 0x30, ld_h(net)), packet, 0x0405 + 0x30 + rest, context,
                   kWireLength);
    expect_verdict(around(0x7000, 0x30, ld_w(link + 1)), packet, 0x02030405 + 0x30 + rest, context,
                   kWireLength);
    // Into A, at X + k with X negative: X (the offset's base) must survive.
    expect_verdict(around(0x7000, net + 1, ld_ind_b(2)), packet, 7 + (net + 1) + rest, context,
                   kWireLength);
    expect_verdict(around(0x7000, link + 2, ld_ind_h(0)), packet, 0x0304 + (link + 2) + rest,
                   context, kWireLength);
    // Into X (4 * (byte & 0xf)): A must survive.
    expect_verdict(around(0x7000, 0x30, ldx_msh(net + 5)), packet, 0x7000 + 36 + rest, context,
                   kWireLength);
    // A netlink search: A is the attribute's offset, X the type it searched for.
    expect_verdict(around(0, 2, ld_ancillary(ancillary::kNlAttr)), stream, 8 + 2 + rest, context,
                   kWireLength);
    expect_verdict(around(8, 7, ld_ancillary(ancillary::kNlAttrNest)), stream, 12 + 7 + rest,
                   context, kWireLength);
    // Out of range: the program ends with 0, whatever the registers held.
    expect_verdict(around(0x7000, 0x30, ld_b(net + 6)), packet, 0, context, kWireLength);
    expect_verdict(around(0x7000, net + 6, ld_ind_b(0)), packet, 0, context, kWireLength);
}

// Division takes edx, where the code keeps the context: a context read after a division
// must still see it.
TEST(JitHelperCall, DivisionKeepsTheContext) {
    const Bytes& packet = kCounting;
    SkbContext context;
    context.network_header = 4;
    context.mark = 0x100;
    const uint32_t net = ancillary::kNetOffset;
    expect_verdict(
        {ld_imm(100), ldx_imm(7), alu_x(op::kDiv), tax(), ld_b(net + 2), alu_x(op::kAdd), ret_a()},
        packet, 14 + 6, context);
    expect_verdict(
        {ld_imm(100), ldx_imm(7), alu_x(op::kMod), tax(), ld_b(net + 2), alu_x(op::kAdd), ret_a()},
        packet, 2 + 6, context);
    expect_verdict({ld_imm(100), alu_k(op::kDiv, 7), tax(), ld_ancillary(ancillary::kMark),
                    alu_x(op::kAdd), ret_a()},
                   packet, 14 + 0x100, context);
    expect_verdict({ld_imm(100), alu_k(op::kMod, 7), tax(), ld_ancillary(ancillary::kMark),
                    alu_x(op::kAdd), ret_a()},
                   packet, 2 + 0x100, context);
}

// A and X start at 0 on every path that reads them before writing them, even where another
// path writes them first (the machine code zeroes them only when some path needs it; the
// wire length arrives in X's register).
TEST(JitRegisters, AAndXStartAtZeroOnEveryPath) {
    const Program x_on_one_path = {ld_b(0), jmp_k(op::kJeq, 1, 0, 1), ldx_imm(9), txa(), ret_a()};
    expect_verdict(x_on_one_path, {1}, 9, {}, 1500);
    expect_verdict(x_on_one_path, {2}, 0, {}, 1500);
    const Program a_on_one_path = {ldx_msh(0), jmp_x(op::kJeq, 0, 1), ld_imm(9), ret_a()};
    expect_verdict(a_on_one_path, {0x40}, 9, {}, 1500);  // A (0) equals X (0)
    expect_verdict(a_on_one_path, {0x42}, 0, {}, 1500);
    expect_verdict({ja(1), ld_imm(5), ret_a()}, kFive, 0, {}, 1500);
    expect_verdict({ld_ind_b(0), ret_a()}, kFive, 0x12, {}, 1500);
}

TEST(JitScratch, EveryCellKeepsItsValue) {
    std::vector<Instruction> instructions;
    for (uint32_t cell = 0; cell < op::kMemWords; ++cell) {
        instructions.push_back(ld_imm(0x1000 + cell));
        instructions.push_back(st(cell));
    }
    for (uint32_t cell = 0; cell < op::kMemWords; ++cell) {
        instructions.push_back(ldx_mem(cell));
        instructions.push_back(txa());
        instructions.push_back(jmp_k(op::kJeq, 0x1000 + cell, 1, 0));
        instructions.push_back(ret_k(cell + 1));
    }
    instructions.push_back(ldx_imm(0xabcd));
    instructions.push_back(stx(15));
    instructions.push_back(ld_mem(15));
    instructions.push_back(ret_a());
    expect_verdict(Program(instructions), {}, 0xabcd);
}

TEST(JitAlu, OperationsWithConstants) {
    const auto alu = [](uint32_t a, uint16_t operation, uint32_t k) {
        return Program{ld_imm(a), alu_k(operation, k), ret_a()};
    };
    expect_verdict(alu(0xfffffff0, op::kAdd, 0x20), {}, 0x10);
    expect_verdict(alu(5, op::kAdd, 0xffffffff), {}, 4);  // an imm8 form, sign-extended
    expect_verdict(alu(5, op::kSub, 7), {}, 0xfffffffe);
    expect_verdict(alu(0x10000, op::kMul, 0x10001), {}, 0x10000);
    expect_verdict(alu(7, op::kMul, 0xffffffff), {}, 0xfffffff9);
    expect_verdict(alu(100, op::kDiv, 7), {}, 14);
    expect_verdict(alu(0xffffffff, op::kDiv, 16), {}, 0x0fffffff);  // unsigned
    expect_verdict(alu(0xffffffff, op::kDiv, 1), {}, 0xffffffff);
    expect_verdict(alu(0xffffffff, op::kDiv, 0x80000000), {}, 1);
    expect_verdict(alu(100, op::kMod, 7), {}, 2);
    expect_verdict(alu(0xffffffff, op::kMod, 16), {}, 15);
    expect_verdict(alu(0xffffffff, op::kMod, 1), {}, 0);
    expect_verdict(alu(0xffffffff, op::kMod, 0xfffffffe), {}, 1);
    expect_verdict(alu(0xf0f0, op::kAnd, 0xff00), {}, 0xf000);
    expect_verdict(alu(0xf0f0, op::kAnd, 0), {}, 0);
    expect_verdict(alu(0xf0f0, op::kOr, 0x0f00000f), {}, 0x0f00f0ff);
    expect_verdict(alu(0xf0f0, op::kXor, 0xffffffff), {}, 0xffff0f0f);
    expect_verdict(alu(1, op::kLsh, 31), {}, 0x80000000);
    expect_verdict(alu(3, op::kLsh, 0), {}, 3);
    expect_verdict(alu(0x80000000, op::kRsh, 31), {}, 1);  // logical
    expect_verdict(alu(0x80000000, op::kRsh, 0), {}, 0x80000000);
    expect_verdict({ld_imm(5), neg(), ret_a()}, {}, 0xfffffffb);
    expect_verdict({ld_imm(0), neg(), ret_a()}, {}, 0);
}

TEST(JitAlu, OperationsWithX) {
    const auto alu = [](uint32_t a, uint16_t operation, uint32_t x) {
        return Program{ldx_imm(x), ld_imm(a), alu_x(operation), ret_a()};
    };
    expect_verdict(alu(0xfffffff0, op::kAdd, 0x20), {}, 0x10);
    expect_verdict(alu(5, op::kSub, 7), {}, 0xfffffffe);
    expect_verdict(alu(0x10000, op::kMul, 0x10001), {}, 0x10000);
    expect_verdict(alu(100, op::kDiv, 7), {}, 14);
    expect_verdict(alu(0xffffffff, op::kDiv, 0xfffffffe), {}, 1);
    expect_verdict(alu(100, op::kMod, 7), {}, 2);
    expect_verdict(alu(0xf0f0, op::kAnd, 0xff00), {}, 0xf000);
    expect_verdict(alu(0xf0f0, op::kOr, 0x0f00000f), {}, 0x0f00f0ff);
    expect_verdict(alu(0xf0f0, op::kXor, 0xffffffff), {}, 0xffff0f0f);
    expect_verdict(alu(1, op::kLsh, 31), {}, 0x80000000);
    expect_verdict(alu(1, op::kLsh, 33), {}, 2);  // X & 31
    expect_verdict(alu(1, op::kLsh, 32), {}, 1);
    expect_verdict(alu(0x80000000, op::kRsh, 31), {}, 1);
    expect_verdict(alu(7, op::kRsh, 32), {}, 7);
    expect_verdict(alu(0x80000000, op::kRsh, 0xffffffff), {}, 1);
}

TEST(JitAlu, DivisionAndModuloByXZeroGiveVerdictZero) {
    expect_verdict({ldx_imm(0), ld_imm(10), alu_x(op::kDiv), ret_k(7)}, {}, 0);
    expect_verdict({ldx_imm(0), ld_imm(10), alu_x(op::kMod), ret_k(7)}, {}, 0);
    expect_verdict({ldx_imm(1), ld_imm(10), alu_x(op::kMod), ret_k(7)}, {}, 7);
}

TEST(JitAlu, TransfersBetweenAAndX) {
    expect_verdict({ld_imm(42), tax(), ld_imm(0), txa(), ret_a()}, {}, 42);
    expect_verdict({ldx_imm(9), txa(), alu_x(op::kAdd), ret_a()}, {}, 18);
}

TEST(JitJump, ConditionsWithConstantsAndX) {
    struct Case {
        uint16_t operation;
        uint32_t a;
        uint32_t operand;
        bool taken;
    };
    const std::vector<Case> cases = {
        {op::kJeq, 5, 5, true},
        {op::kJeq, 5, 6, false},
        {op::kJeq, 0, 0, true},
        {op::kJeq, 1, 0, false},
        {op::kJgt, 6, 5, true},
        {op::kJgt, 5, 5, false},
        {op::kJgt, 0x80000000, 1, true},
        {op::kJgt, 1, 0, true},
        {op::kJgt, 0, 0, false},
        {op::kJge, 5, 5, true},
        {op::kJge, 4, 5, false},
        {op::kJge, 0, 0, true},
        {op::kJge, 0xffffffff, 0xffffffff, true},
        {op::kJset, 0x100, 0x100, true},
        {op::kJset, 0x100, 0xff, false},
        {op::kJset, 0x80000000, 0xffffffff, true},
        {op::kJset, 5, 0, false},
        {op::kJset, 0x12345678, 0x8, true},
    };
    for (const Case& c : cases) {
        const uint32_t expected = c.taken ? 1 : 2;
        expect_verdict({ld_imm(c.a), jmp_k(c.operation, c.operand, 0, 1), ret_k(1), ret_k(2)}, {},
                       expected);
        expect_verdict({ld_imm(c.a), jmp_k(c.operation, c.operand, 1, 0), ret_k(2), ret_k(1)}, {},
                       expected);
        expect_verdict(
            {ld_imm(c.a), jmp_k(c.operation, c.operand, 1, 2), ret_k(3), ret_k(1), ret_k(2)}, {},
            expected);
        expect_verdict(
            {ldx_imm(c.operand), ld_imm(c.a), jmp_x(c.operation, 0, 1), ret_k(1), ret_k(2)}, {},
            expected);
    }
}

TEST(JitJump, BothWaysToTheSamePlace) {
    expect_verdict({ld_imm(1), jmp_k(op::kJeq, 1, 1, 1), ret_k(1), ret_k(2)}, {}, 2);
    expect_verdict({ld_imm(1), jmp_k(op::kJeq, 1, 0, 0), ret_k(1), ret_k(2)}, {}, 1);
}

TEST(JitJump, LongJumpsNeedRel32) {
    // ja over 3000 instructions, and conditional jumps of 255 over long ALU code.
    std::vector<Instruction> instructions = {ld_imm(1), ja(3000)};
    for (int i = 0; i < 3000; ++i) instructions.push_back(alu_k(op::kMul, 0x12345678));
    instructions.push_back(jmp_k(op::kJeq, 1, 255, 0));
    instructions.push_back(ret_k(9));
    for (int i = 0; i < 254; ++i) instructions.push_back(alu_k(op::kDiv, 3));
    instructions.push_back(ret_a());
    expect_verdict(Program(instructions), {}, 1);
    // Through the multiplications instead: A = 0x12345678^3000 mod 2^32 = 0 (an even factor).
    instructions[1] = ja(0);
    const CheckedProgram checked{Program(instructions)};
    EXPECT_EQ(jit_verdict(checked, {}), run(checked, {}).verdict);
    EXPECT_EQ(jit_verdict(checked, {}), 9u);
}

TEST(JitRet, ConstantsAndA) {
    expect_verdict({ret_k(0)}, {}, 0);
    expect_verdict({ret_k(0xffffffff)}, {}, 0xffffffff);
    expect_verdict({ret_a()}, {}, 0);         // A starts at 0
    expect_verdict({txa(), ret_a()}, {}, 0);  // and X too
    expect_verdict({ld_imm(0x40000), ret_a()}, kFive, 0x40000);
}

// --- Differential: random programs with every family on ------------------------------

struct DifferentialCounts {
    std::size_t programs = 0;
    std::size_t runs = 0;
    std::size_t accepted = 0;
};

// Runs `count` programs from `generator`, each on `packets` random packets (and on every
// prefix of the first), and stops at the first disagreement.
void compare_random_programs(bpftools::test::RandomPrograms& generator, int count, int packets,
                             std::size_t max_packet, DifferentialCounts& counts) {
    bpftools::test::RandomSource& random = generator.random();
    for (int i = 0; i < count; ++i) {
        const Program program = generator.next();
        const CheckedProgram checked(program);
        ++counts.programs;
        for (int j = 0; j < packets; ++j) {
            const Bytes packet = bpftools::test::random_packet(random, max_packet);
            const SkbContext context = bpftools::test::random_skb_context(random, packet.size());
            const std::size_t wire = random.chance(50) ? 0 : packet.size() + random.below(2000);
            // The first packet also cut at every length.
            const std::size_t shortest = j == 0 ? 0 : packet.size();
            for (std::size_t length = shortest; length <= packet.size(); ++length) {
                const Bytes captured(packet.begin(),
                                     packet.begin() + static_cast<std::ptrdiff_t>(length));
                const uint32_t expected = run(checked, captured, context, wire).verdict;
                const uint32_t actual = jit_verdict(checked, captured, context, wire);
                ASSERT_EQ(actual, expected)
                    << describe(program, captured, wire) << "\nnetwork header "
                    << (context.network_header ? std::to_string(*context.network_header) : "-")
                    << ", link-layer header "
                    << (context.link_layer_header ? std::to_string(*context.link_layer_header)
                                                  : "-");
                ++counts.runs;
                counts.accepted += expected != 0;
            }
        }
    }
}

bpftools::test::RandomProgramOptions every_family(std::size_t max_length) {
    bpftools::test::RandomProgramOptions options;
    options.max_length = max_length;
    options.ancillary_loads = true;
    options.shifts_by_x = true;
    options.indexed_offsets = true;
    options.far_offsets = true;
    options.scratch_memory = true;
    options.max_packet_offset = 64;
    return options;
}

TEST(JitDifferential, ShortRandomProgramsWithEveryFamily) {
    bpftools::test::RandomPrograms generator(0x7177, every_family(64));
    DifferentialCounts counts;
    compare_random_programs(generator, 25000, 4, 80, counts);
    EXPECT_EQ(counts.programs, 25000u);
    // Verdicts of both kinds, so the comparison covers more than early drops.
    EXPECT_GT(counts.accepted, counts.runs / 10);
    EXPECT_LT(counts.accepted, counts.runs * 9 / 10);
}

TEST(JitDifferential, TinyPacketsAndOffsets) {
    // Loads near the end of packets of a few bytes: every boundary of every check.
    bpftools::test::RandomProgramOptions options = every_family(24);
    options.max_packet_offset = 8;
    bpftools::test::RandomPrograms generator(0x7178, options);
    DifferentialCounts counts;
    compare_random_programs(generator, 10000, 3, 12, counts);
    EXPECT_GT(counts.accepted, counts.runs / 10);
}

TEST(JitDifferential, LongRandomProgramsUpTo4096Instructions) {
    bpftools::test::RandomProgramOptions options = every_family(4095);
    options.min_length = 1000;
    bpftools::test::RandomPrograms generator(0x7179, options);
    DifferentialCounts counts;
    compare_random_programs(generator, 150, 4, 96, counts);
    EXPECT_EQ(counts.programs, 150u);
}

TEST(JitDifferential, ProgramsWithoutExtras) {
    // The generators' own dialect: no ancillary loads, no scratch memory, near offsets.
    bpftools::test::RandomProgramOptions options;
    options.max_length = 48;
    options.far_offsets = false;
    options.scratch_memory = false;
    bpftools::test::RandomPrograms generator(0x717a, options);
    DifferentialCounts counts;
    compare_random_programs(generator, 5000, 4, 96, counts);
    EXPECT_GT(counts.accepted, counts.runs / 10);
}

// --- Recorded bytecode on crafted packets --------------------------------------------

TEST(JitDifferential, RecordedBytecodeOnCraftedPacketsCutAtEveryLength) {
    const std::vector<Bytes> packets = bpftools::test::crafted_packets();
    std::size_t programs = 0;
    std::size_t accepted = 0;
    SkbContext with_headers;
    with_headers.protocol = 0x0800;
    with_headers.network_header = 14;
    with_headers.link_layer_header = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0 || reference.bytecode.empty()) continue;
        const Program program = parse_xt_bpf(reference.bytecode);
        const CheckedProgram checked(program);
        ++programs;
        bpftools::test::for_each_cut(packets, [&](const Bytes& captured, std::size_t wire) {
            for (const SkbContext& context : {SkbContext{}, with_headers}) {
                const uint32_t expected = run(checked, captured, context, wire).verdict;
                ASSERT_EQ(jit_verdict(checked, captured, context, wire), expected)
                    << reference.describe() << "\n"
                    << describe(program, captured, wire);
                accepted += expected != 0;
            }
        });
        if (HasFatalFailure()) return;
    }
    EXPECT_GT(programs, 100u);
    EXPECT_GT(accepted, 10000u);  // the packets reach the rules' accepting paths
}

}  // namespace
}  // namespace bpfgen
