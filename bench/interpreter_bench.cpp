// interpreter_bench.cpp: ns per packet of our interpreter against libpcap's bpf_filter() on
// the same programs and the same packets, and instructions executed per packet.
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/flood_packets.h"
#include "generators/generator.h"
#include "libbpfgen/interpreter.h"

namespace {

struct Case {
    std::string generator;
    std::vector<std::string> args;
    bool syn_packets = false;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> kCases = {
        {"dns", {"*.www.example.uk"}},
        {"dns_validate", {}},
        {"p0f", {"4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"}, true},
        // A long tcpdump rule: about 60 instructions after libpcap's optimizer.
        {"tcpdump",
         {"(udp port 53 and (ip[8] < 10 or len > 512)) or (tcp dst port 80 and tcp[tcpflags] & "
          "tcp-syn != 0) or host 192.0.2.1 or net 10.0.0.0/8 or icmp or (udp and udp[8:2] == "
          "0x1234) or (tcp and tcp[14:2] < 1024)"}},
    };
    return kCases;
}

struct Prepared {
    bpfgen::CheckedProgram ours;
    std::vector<bpf_insn> theirs;
    std::vector<bench::Packet> packets;
};

Prepared prepare(const Case& c) {
    bpfgen::GeneratorOptions options;
    options.l3_offset = 14;
    const bpfgen::GeneratedProgram generated = bpfgen::generate(c.generator, c.args, options);
    std::vector<bpf_insn> theirs;
    for (const bpfgen::Instruction& i : generated.program) {
        theirs.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
    }
    std::vector<bench::Packet> packets =
        c.syn_packets ? std::vector<bench::Packet>(1024, bench::tcp_syn()) : bench::dns_flood(1024);
    return Prepared{bpfgen::CheckedProgram(generated.program), std::move(theirs),
                    std::move(packets)};
}

void BM_ours(benchmark::State& state) {
    const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
    const Prepared p = prepare(c);
    std::size_t i = 0;
    uint64_t matched = 0;
    uint64_t executed = 0;
    for (auto _ : state) {
        const bench::Packet& packet = p.packets[i++ & 1023];
        const bpfgen::RunResult result = bpfgen::run(p.ours, packet);
        matched += result.verdict != 0;
        executed += result.instructions;
    }
    state.SetLabel(c.generator + " (" + std::to_string(p.ours.program().size()) + " insns)");
    state.counters["insns_per_packet"] =
        benchmark::Counter(static_cast<double>(executed), benchmark::Counter::kAvgIterations);
    state.counters["match_ratio"] =
        benchmark::Counter(static_cast<double>(matched), benchmark::Counter::kAvgIterations);
}

void BM_libpcap_bpf_filter(benchmark::State& state) {
    const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
    const Prepared p = prepare(c);
    std::size_t i = 0;
    uint64_t matched = 0;
    for (auto _ : state) {
        const bench::Packet& packet = p.packets[i++ & 1023];
        const auto size = static_cast<u_int>(packet.size());
        matched += bpf_filter(p.theirs.data(), packet.data(), size, size) != 0;
    }
    state.SetLabel(c.generator);
    state.counters["match_ratio"] =
        benchmark::Counter(static_cast<double>(matched), benchmark::Counter::kAvgIterations);
}

BENCHMARK(BM_ours)->DenseRange(0, 3);
BENCHMARK(BM_libpcap_bpf_filter)->DenseRange(0, 3);

}  // namespace

BENCHMARK_MAIN();
