// fuzz_jit.cpp: arbitrary programs through the checker, and the ones it accepts run by the
// JIT's machine code, by the interpreter and by the test suite's simple reference
// interpreter on the same packet and skb context: the verdicts (and the interpreter's and
// the reference's instruction counts) must be equal. The packet is copied to the very end of mapped
// memory followed by an inaccessible guard page, so that a read past the packet by the
// generated code (which AddressSanitizer cannot see) faults at once.
// Input layout: byte 0 = instruction count - 1; byte 1 = flags (bit 0: the network header
// is known, bit 1: the link-layer header is known, bit 2: a VLAN tag is present, bit 3: the
// packet is longer on the wire than captured); bytes 2 and 3 = the network and link-layer
// header positions; then 8 bytes per instruction (code, jt, jf, k as little-endian), then
// the packet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz/fuzz_program.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/reference_interpreter.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#define BPFTOOLS_GUARD_PAGE 1
#endif

namespace {

constexpr std::size_t kHeader = 4;

#ifdef BPFTOOLS_GUARD_PAGE
// Read-write pages for packets, then one PROT_NONE page.
class GuardedPacketBuffer {
  public:
    GuardedPacketBuffer() {
        page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        capacity_ = 16 * page_;
        void* address = mmap(nullptr, capacity_ + page_, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (address == MAP_FAILED) std::abort();
        base_ = static_cast<uint8_t*>(address);
        if (mprotect(base_ + capacity_, page_, PROT_NONE) != 0) std::abort();
    }
    ~GuardedPacketBuffer() { munmap(base_, capacity_ + page_); }
    GuardedPacketBuffer(const GuardedPacketBuffer&) = delete;
    GuardedPacketBuffer& operator=(const GuardedPacketBuffer&) = delete;

    // The bytes, copied so that the last one is the last before the guard page (truncated
    // to the buffer's capacity).
    std::span<const uint8_t> place(const uint8_t* data, std::size_t size) {
        if (size > capacity_) size = capacity_;
        uint8_t* start = base_ + capacity_ - size;
        if (size != 0) std::memcpy(start, data, size);
        return {start, size};
    }

  private:
    std::size_t page_ = 0;
    std::size_t capacity_ = 0;
    uint8_t* base_ = nullptr;
};
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < kHeader) return 0;
    const std::size_t count = std::size_t{data[0]} + 1;
    const uint8_t flags = data[1];
    if (size < kHeader + count * 8) return 0;
    bpfgen::Program program = fuzz::program_from_bytes(data + kHeader, count);
    const uint8_t* packet_data = data + kHeader + count * 8;
    const std::size_t packet_size = size - kHeader - count * 8;
#ifdef BPFTOOLS_GUARD_PAGE
    // One mapping for the whole run: a fresh one per input would cost more than the input.
    static GuardedPacketBuffer buffer;
    const std::span<const uint8_t> packet = buffer.place(packet_data, packet_size);
#else
    const std::vector<uint8_t> copy(packet_data, packet_data + packet_size);
    const std::span<const uint8_t> packet(copy);
#endif

    bpfgen::SkbContext context;
    context.protocol = 0x0800;
    context.pkt_type = 1;
    context.ifindex = 2;
    context.mark = 0x1234;
    context.hatype = 1;
    context.rxhash = 0xfeedf00d;
    context.vlan_present = (flags & 4) != 0;
    context.vlan_tci = 0x0064;
    context.vlan_tpid = 0x8100;
    context.payload_offset = 42;
    if (flags & 1) context.network_header = data[2];
    if (flags & 2) context.link_layer_header = data[3];
    const std::size_t wire_length = (flags & 8) ? packet.size() + 1000 : 0;

    try {
        const bpfgen::CheckedProgram checked(std::move(program));
#if defined(__x86_64__) && defined(__linux__)
        // Otherwise both verdicts below would be the interpreter's.
        if (!checked.uses_jit()) std::abort();
#endif
        const bpfgen::RunResult interpreted = bpfgen::run(checked, packet, context, wire_length);
        const uint32_t compiled = bpfgen::verdict(checked, packet, context, wire_length);
        const bpftools::test::ReferenceResult reference =
            bpftools::test::reference_run(checked.program(), packet, context, wire_length);
        if (interpreted.verdict != reference.verdict ||
            interpreted.instructions != reference.instructions || compiled != reference.verdict) {
            std::abort();
        }
    } catch (const bpfgen::CheckError&) {
        return 0;
    }
    return 0;
}
