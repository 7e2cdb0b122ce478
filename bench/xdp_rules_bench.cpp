// xdp_rules_bench.cpp: ns per packet of the XDP program of 1, 100 and 1,000 dns rules in the
// kernel (BPF_PROG_TEST_RUN with `repeat`, the kernel's own clock) next to our classic BPF
// interpreter and JIT running the same rules, in order and first match winning, on the same
// frames. The last rule (*.www.example.uk) is the one the flood's names match, so every rule
// runs on every frame. Prints a table; the fastest of several rounds counts, so that load
// from elsewhere on the machine drops out.
// Usage: xdp_rules_bench (needs CAP_BPF, or root; says so and exits 0 without)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "bench/flood_packets.h"
#include "generators/generator.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace {

constexpr int kRounds = 5;
constexpr std::size_t kFrames = 256;

struct RuleSet {
    std::vector<bpfgen::CheckedProgram> interpreted, jitted;
    std::vector<bpfgen::ebpf::XdpRule> xdp;
};

RuleSet dns_rules(std::size_t count) {
    RuleSet set;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string pattern =
            i + 1 == count ? "*.www.example.uk" : "*.site" + std::to_string(i) + ".example";
        const bpfgen::Program program = bpfgen::generate("dns", {pattern}, {}).program;
        set.interpreted.emplace_back(program, bpfgen::Engine::Interpreter);
        set.jitted.emplace_back(program, bpfgen::Engine::JitWhenAvailable);
        set.xdp.emplace_back("dns -- " + pattern,
                             bpfgen::CheckedProgram(program, bpfgen::Engine::Interpreter));
    }
    return set;
}

// First match wins, as the XDP program and an iptables chain run them: 1 when a rule matched.
// The rules see the IP packet (offset 0): the flood's frames are Ethernet without padding.
int first_match(const std::vector<bpfgen::CheckedProgram>& rules, const bench::Packet& frame) {
    const std::span<const uint8_t> ip(frame.data() + 14, frame.size() - 14);
    for (const bpfgen::CheckedProgram& rule : rules) {
        if (bpfgen::verdict(rule, ip) != 0) return 1;
    }
    return 0;
}

// Best of kRounds, ns per frame, of `repeat` passes over every frame.
double user_space_ns(const std::vector<bpfgen::CheckedProgram>& rules,
                     const std::vector<bench::Packet>& frames, int repeat, std::size_t& matched) {
    double best = std::numeric_limits<double>::max();
    for (int round = 0; round < kRounds; ++round) {
        matched = 0;
        const auto start = std::chrono::steady_clock::now();
        for (int r = 0; r < repeat; ++r) {
            for (const bench::Packet& frame : frames) matched += first_match(rules, frame);
        }
        const double ns =
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                .count();
        best = std::min(best, ns / static_cast<double>(repeat * frames.size()));
    }
    matched /= static_cast<std::size_t>(repeat);
    return best;
}

}  // namespace

int main() {
    std::string reason;
    if (!bpfgen::ebpf::bpf_available(reason)) {
        std::printf("skipped: bpf() is not permitted here: %s\n", reason.c_str());
        return 0;
    }
    const std::vector<bench::Packet> frames = bench::dns_flood(kFrames);
    std::printf(
        "%zu flood frames (70%% *.www.example.uk, 20%% www.example.uk, 10%% other); ns/packet, "
        "best of %d rounds\n\n",
        frames.size(), kRounds);
    std::printf(
        "| dns rules | eBPF programs | XDP (BPF_PROG_TEST_RUN) | interpreter | JIT | "
        "interpreter / XDP | JIT / XDP | frames dropped |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const std::size_t count : {1u, 100u, 1000u}) {
        const RuleSet set = dns_rules(count);
        const bpfgen::ebpf::CompiledXdp compiled = bpfgen::ebpf::compile_xdp(set.xdp);
        const bpfgen::ebpf::LoadedXdp loaded = bpfgen::ebpf::load_xdp(compiled, {});
        const int repeat = static_cast<int>(std::max<std::size_t>(4, 2000 / count));
        double xdp = std::numeric_limits<double>::max();
        std::size_t xdp_dropped = 0;
        for (int round = 0; round < kRounds; ++round) {
            uint64_t total = 0;
            xdp_dropped = 0;
            for (const bench::Packet& frame : frames) {
                const bpfgen::ebpf::TimedTestRun run = bpfgen::ebpf::timed_test_run(
                    loaded.program, frame, static_cast<uint32_t>(repeat));
                total += run.nanoseconds_per_run;
                xdp_dropped += run.action == bpfgen::ebpf::kXdpDrop;
            }
            xdp = std::min(xdp, static_cast<double>(total) / static_cast<double>(frames.size()));
        }
        std::size_t interpreted_matched = 0, jitted_matched = 0;
        const double interpreter =
            user_space_ns(set.interpreted, frames, repeat, interpreted_matched);
        const double jit = user_space_ns(set.jitted, frames, repeat, jitted_matched);
        if (interpreted_matched != xdp_dropped || jitted_matched != xdp_dropped) {
            std::fprintf(stderr, "verdicts differ: XDP dropped %zu, interpreter %zu, JIT %zu\n",
                         xdp_dropped, interpreted_matched, jitted_matched);
            return 1;
        }
        std::printf("| %zu | %zu | %.1f | %.1f | %.1f%s | %.2fx | %.2fx | %zu of %zu |\n", count,
                    compiled.programs.size(), xdp, interpreter, jit,
                    set.jitted.front().uses_jit() ? "" : " (no JIT)", interpreter / xdp, jit / xdp,
                    xdp_dropped, frames.size());
        std::fflush(stdout);
    }
    std::printf("\n('/ XDP' > 1: the kernel's program takes less time a packet)\n");
    return 0;
}
