// interpreter.h: runs a checked classic BPF program over one packet with the kernel's
// semantics (loads past the end of the packet return 0, A / X with X == 0 returns 0,
// ancillary loads read the caller's SkbContext).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

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
};

// A Program that passed check_kernel_rules; only such programs can be run.
class CheckedProgram {
public:
    explicit CheckedProgram(Program program, CheckTarget target = CheckTarget::Socket);
    const Program& program() const { return program_; }

private:
    Program program_;
};

struct RunResult {
    uint32_t verdict = 0;            // the value of the RET instruction (bytes to keep)
    std::size_t instructions = 0;    // instructions executed
};

// wire_length is what `ld #len` sees (the packet's length on the wire); it defaults to
// the captured length when zero.
RunResult run(const CheckedProgram& program, std::span<const uint8_t> packet,
              const SkbContext& context = {}, std::size_t wire_length = 0);

}  // namespace bpfgen
