// fuzz_xdp.cpp: arbitrary programs through the checker, the accepted ones compiled to XDP,
// loaded into the kernel and test-run on the input's frame: the kernel's drop or pass must
// be our interpreter's match or no match (packet_filter.h, at the network or link layer),
// and the verifier must accept every program the compiler makes.
// Input layout: byte 0 = instruction count - 1; byte 1 = flags (bit 0: a network-layer
// rule, else link layer); bytes 2 and 3 unused; then 8 bytes per instruction (code, jt, jf,
// k as little-endian), then the frame (test runs take 14 to 3500 bytes; others are skipped).
// Where bpf() is not permitted every input is skipped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "fuzz/fuzz_program.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace {

constexpr std::size_t kHeader = 4;

bool bpf_permitted() {
    static const bool permitted = [] {
        std::string reason;
        const bool available = bpfgen::ebpf::bpf_available(reason);
        if (!available)
            std::fprintf(stderr, "fuzz_xdp: skipping every input: %s\n", reason.c_str());
        return available;
    }();
    return permitted;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace ebpf = bpfgen::ebpf;
    if (size < kHeader) return 0;
    const std::size_t count = std::size_t{data[0]} + 1;
    const bool network = (data[1] & 1) != 0;
    if (size < kHeader + count * 8) return 0;
    const std::span<const uint8_t> frame(data + kHeader + count * 8, size - kHeader - count * 8);
    if (frame.size() < 14 || frame.size() > 3500 || !bpf_permitted()) return 0;
    // XDP rules look behind two VLAN tags at most (a documented difference).
    const auto link = bpfgen::summarize_link_header(bpfgen::linktype::kEthernet, frame);
    if (network && link && link->length > 22) return 0;
    try {
        ebpf::XdpRule rule{"fuzz",
                           bpfgen::CheckedProgram(fuzz::program_from_bytes(data + kHeader, count),
                                                  bpfgen::Engine::Interpreter),
                           network ? ebpf::RuleLayer::Network : ebpf::RuleLayer::LinkLayer,
                           ebpf::RuleAction::Drop};
        ebpf::CompiledXdp compiled;
        try {
            compiled = ebpf::compile_xdp({rule});
        } catch (const bpfgen::Error&) {
            return 0;  // loads with no meaning in XDP
        }
        const bpfgen::PacketFilter interpreter(
            rule.program, bpfgen::linktype::kEthernet,
            network ? bpfgen::FilterLayer::Network : bpfgen::FilterLayer::LinkLayer);
        const auto verdict = interpreter.verdict(frame, static_cast<uint32_t>(frame.size()));
        const ebpf::LoadedXdp loaded = ebpf::load_xdp(compiled, {"fuzz"});
        const int action = ebpf::test_run(loaded.program, frame);
        if (action != (verdict && *verdict != 0 ? ebpf::kXdpDrop : ebpf::kXdpPass)) std::abort();
    } catch (const bpfgen::CheckError&) {
        return 0;
    } catch (const bpfgen::Error& error) {
        // The verifier refused what the compiler made, or the kernel failed otherwise.
        std::fprintf(stderr, "fuzz_xdp: %s\n", error.what());
        std::abort();
    }
    return 0;
}
