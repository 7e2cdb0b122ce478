// interpreter.h: runs a checked classic BPF program over one packet with the kernel's
// semantics (loads past the end of the packet return 0, A / X with X == 0 returns 0,
// ancillary loads read the caller's SkbContext).
//
// Kernel semantics in detail (net/core/filter.c's classic-to-eBPF conversion and
// bpf_skb_load_helper_*; checked against a running kernel by kernel_agreement_test):
// - A and X start at 0. ALU is 32-bit unsigned; a shift by X uses X & 31 (the eBPF
//   interpreter and JITs mask 32-bit shift counts), so `lsh x` with X == 33 shifts by 1.
// - A / X and A % X with X == 0 end the program with verdict 0.
// - A packet load whose bytes are not all inside the packet ends the program with verdict 0.
//   `ld [x + k]` addresses (X + k) mod 2^32 taken as a signed 32-bit offset, so X ==
//   0xffffffff, k == 1 reads byte 0.
// - Negative offsets address relative to a header: SKF_NET_OFF + n is byte n of the network
//   header, SKF_LL_OFF + n byte n of the link-layer header (ABS, IND and `ldx 4*([k]&0xf)`
//   alike). Here these headers are positions inside `packet` given by the SkbContext; when
//   the context does not know them (the default, as for a bare packet without an skb) such
//   loads are out of range and give verdict 0. Offsets below SKF_LL_OFF are always out of
//   range.
// - `ld [k]`, `ldh [k]` and `ldb [k]` with k = SKF_AD_OFF + SKF_AD_* all load the whole
//   field from the SkbContext (the size is ignored); `ldx 4*([k]&0xf)` and `ld [x + k]`
//   never read ancillary data.
// - `ld #len` / `ldx #len` give skb->len, the length on the wire (wire_length).
//
// Two engines run a CheckedProgram: this interpreter, the reference, which also counts the
// instructions executed (run), and machine code from jit_x86_64.h where that is available
// (verdict), which must give the same verdict for every checked program and packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

// What the kernel would read from the skb for ancillary (SKF_AD_*) loads. Fields are
// returned as given; the kernel's own fields are narrower where noted.
struct SkbContext {
    // SKF_AD_PROTOCOL: skb->protocol is the big-endian ethertype and the kernel converts it
    // with ntohs, so a program sees the ethertype's value: 0x0800 for IPv4, as `ldh [12]`
    // reads it from an Ethernet header. Give it here as that value.
    uint16_t protocol = 0;
    uint32_t pkt_type = 0;  // PACKET_HOST (0), PACKET_BROADCAST (1)...; 3 bits in the kernel
    // skb->dev->ifindex; an skb without a device (where the kernel ends the program
    // returning A) is not modelled.
    uint32_t ifindex = 0;
    uint32_t mark = 0;            // skb->mark (SO_MARK of a local sender)
    uint32_t queue = 0;           // skb->queue_mapping, 16 bits in the kernel
    uint32_t hatype = 0;          // skb->dev->type, ARPHRD_* (ARPHRD_ETHER 1, ARPHRD_LOOPBACK 772)
    uint32_t rxhash = 0;          // skb->hash as it is (the kernel does not compute it for this)
    uint32_t cpu = 0;             // the CPU running the filter
    uint16_t vlan_tci = 0;        // SKF_AD_VLAN_TAG: the whole TCI of an offloaded VLAN tag
    bool vlan_present = false;    // SKF_AD_VLAN_TAG_PRESENT gives 1 or 0
    uint16_t vlan_tpid = 0;       // SKF_AD_VLAN_TPID: like protocol, the value (0x8100)
    uint32_t random = 0;          // SKF_AD_RANDOM: the kernel's prandom value
    uint32_t payload_offset = 0;  // SKF_AD_PAY_OFFSET: what the kernel's flow dissector finds
    // Positions in `packet` of the network and link-layer headers, for SKF_NET_OFF and
    // SKF_LL_OFF loads; unknown (nullopt): those loads are out of range.
    std::optional<uint32_t> network_header;
    std::optional<uint32_t> link_layer_header;
};

struct RunResult {
    uint32_t verdict = 0;          // the value of the RET instruction (bytes to keep)
    std::size_t instructions = 0;  // instructions executed
};

class CheckedProgram;

// wire_length is what `ld #len` sees (the packet's length on the wire); it defaults to
// the captured length when zero.
RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context = {}, std::size_t wire_length = 0);

// The fast path: the same verdict as run(), from the program's machine code when it has
// some (CheckedProgram::uses_jit), else from the interpreter. No instruction count.
uint32_t verdict(const CheckedProgram& program, std::span<const uint8_t> packet,
                 const SkbContext& context = {}, std::size_t wire_length = 0);

// Which engine verdict() uses.
enum class Engine {
    JitWhenAvailable,  // machine code where the platform has a code generator (x86-64
                       // Linux) and the system grants executable memory; else the interpreter
    Interpreter,       // always the interpreter
};

namespace jit {
class CompiledProgram;
}

namespace detail {

// The interpreter's pre-decoded form of one instruction (the operation set is private to
// interpreter.cpp): jump targets are absolute instruction indexes, already checked.
enum class DecodedOp : uint8_t;
struct DecodedInstruction {
    DecodedOp op;
    const void* handler = nullptr;  // where the interpreter's code for `op` starts
    uint16_t jump_true;             // target of a conditional jump or of ja
    uint16_t jump_false;            // target of a conditional jump
    uint32_t k;
    uint32_t jump_k = 0;  // a load fused with the conditional jump after it: the jump's k
};

struct Execution;

// The interpreter's own code for the loads the JIT's machine code calls out to (rare and
// intricate: header-relative offsets and netlink attribute searches), so that both engines
// share one definition of them.
// A load of `bytes` (1, 2 or 4) at a signed offset with the rules above: false when out of
// range, else the big-endian value in `value`.
bool load_at_signed_offset(std::span<const uint8_t> packet, const SkbContext& context,
                           int32_t offset, unsigned bytes, uint32_t& value);
// SKF_AD_NLATTR and SKF_AD_NLATTR_NEST with A == a, X == x.
uint32_t netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x);
uint32_t nested_netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x);

}  // namespace detail

// A Program that passed check_kernel_rules; only such programs can be run.
class CheckedProgram {
  public:
    // Throws CheckError when the program breaks one of the kernel's rules. With
    // Engine::JitWhenAvailable it is also compiled to machine code where possible; where
    // not (another platform, or executable memory refused), verdict() interprets it.
    explicit CheckedProgram(Program program, CheckTarget target = CheckTarget::Socket,
                            Engine engine = Engine::JitWhenAvailable);
    CheckedProgram(Program program, Engine engine)
        : CheckedProgram(std::move(program), CheckTarget::Socket, engine) {}

    const Program& program() const { return program_; }
    // Whether verdict() runs machine code (for tests and benchmarks).
    bool uses_jit() const { return jit_ != nullptr; }
    // The machine code verdict() runs, or nullptr.
    const jit::CompiledProgram* jit_code() const { return jit_.get(); }

  private:
    friend RunResult run(const CheckedProgram&, std::span<const uint8_t>, const SkbContext&,
                         std::size_t);
    friend uint32_t verdict(const CheckedProgram&, std::span<const uint8_t>, const SkbContext&,
                            std::size_t);
    friend struct detail::Execution;

    Program program_;
    std::vector<detail::DecodedInstruction> decoded_;
    // Shared by copies: machine code never changes once made, so copies may run it at once.
    std::shared_ptr<const jit::CompiledProgram> jit_;
};

}  // namespace bpfgen
