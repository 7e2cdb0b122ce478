// interpreter.h: runs a checked classic BPF program over one packet with the kernel's
// semantics (loads past the end of the packet return 0, A / X with X == 0 returns 0,
// ancillary loads read the caller's SkbContext).
//
// Where the kernel needs an skb this interpreter does not have, it chooses:
// - negative offsets (SKF_NET_OFF, SKF_LL_OFF and any load at k or X + k >= 2^31) end the
//   program with 0, as a load outside the packet does;
// - #nla / #nlan search the packet for netlink attributes as the kernel does (host order);
// - the other ancillary values come from SkbContext as given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "libbpfgen/checker.h"
#include "libbpfgen/program.h"

namespace bpfgen {

// What the kernel would read from the skb for ancillary (SKF_AD_*) loads.
struct SkbContext {
    uint16_t protocol = 0;  // skb->protocol, host order value of the ethertype (e.g. 0x0800)
    uint32_t pkt_type = 0;
    uint32_t ifindex = 0;
    uint32_t mark = 0;
    uint32_t queue = 0;
    uint32_t hatype = 0;
    uint32_t rxhash = 0;
    uint32_t cpu = 0;
    uint16_t vlan_tci = 0;
    bool vlan_present = false;
    uint16_t vlan_tpid = 0;
    uint32_t random = 0;
    uint32_t payload_offset = 0;  // what the kernel's flow dissector finds (#poff)
};

namespace detail {

// The interpreter's pre-decoded form of one instruction: a dense operation number and
// absolute jump targets, so the run loop neither decodes fields nor checks ranges.
struct DecodedInstruction {
    uint8_t operation;
    uint16_t jump_true;   // absolute index (conditional jumps), or the target of ja
    uint16_t jump_false;  // absolute index (conditional jumps)
    uint32_t k;
};

}  // namespace detail

// A Program that passed check_kernel_rules (the constructor throws CheckError otherwise);
// only such programs can be run. Validated and decoded once, run many times.
class CheckedProgram {
  public:
    explicit CheckedProgram(Program program, CheckTarget target = CheckTarget::Socket);
    const Program& program() const { return program_; }
    const std::vector<detail::DecodedInstruction>& decoded() const { return decoded_; }

  private:
    Program program_;
    std::vector<detail::DecodedInstruction> decoded_;
};

struct RunResult {
    uint32_t verdict = 0;          // the value of the RET instruction (bytes to keep)
    std::size_t instructions = 0;  // instructions executed
};

// wire_length is what `ld #len` sees (the packet's length on the wire); it defaults to
// the captured length when zero.
RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context = {}, std::size_t wire_length = 0);

}  // namespace bpfgen
