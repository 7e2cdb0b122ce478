// interpreter_bench.cpp: Google Benchmark, ns per packet of our interpreter, our JIT and
// libpcap's bpf_filter() on the same programs and the same packets, with the instructions
// executed per packet; at the end a table of the three side by side and their ratios.
//
// Each benchmark runs in repetitions, and the table takes each one's fastest: on a shared,
// loaded machine the minimum is the time the engine needs when nothing else is in the way.
// Usage: interpreter_bench [Google Benchmark flags], e.g. --benchmark_min_time=0.05
// (10 repetitions each, set here: the table needs them).
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/flood_packets.h"
#include "generators/generator.h"
#include "libbpfgen/cbpf/interpreter.h"

namespace {

struct Case {
    std::string name;
    std::string generator;
    std::vector<std::string> args;
    bool syn_packets = false;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> kCases = {
        {"dns *.www.example.uk", "dns", {"*.www.example.uk"}},
        {"dns_validate", "dns_validate", {}},
        {"p0f (Linux SYN)", "p0f", {"4:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"}, true},
        // A long tcpdump rule: about 60 instructions after libpcap's optimizer.
        {"tcpdump (long rule)",
         "tcpdump",
         {"(udp port 53 and (ip[8] < 10 or len > 512)) or (tcp dst port 80 and tcp[tcpflags] & "
          "tcp-syn != 0) or host 192.0.2.1 or net 10.0.0.0/8 or icmp or (udp and udp[8:2] == "
          "0x1234) or (tcp and tcp[14:2] < 1024)"}},
    };
    return kCases;
}

struct Prepared {
    bpfgen::CheckedProgram jit;
    bpfgen::CheckedProgram interpreter;
    std::vector<bpf_insn> libpcap;
    std::vector<bench::Packet> packets;
};

Prepared prepare(const Case& c) {
    bpfgen::GeneratorOptions options;
    options.l3_offset = 14;
    const bpfgen::GeneratedProgram generated = bpfgen::generate(c.generator, c.args, options);
    std::vector<bpf_insn> libpcap;
    for (const bpfgen::Instruction& i : generated.program) {
        libpcap.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
    }
    std::vector<bench::Packet> packets =
        c.syn_packets ? std::vector<bench::Packet>(1024, bench::tcp_syn()) : bench::dns_flood(1024);
    return Prepared{bpfgen::CheckedProgram(generated.program),
                    bpfgen::CheckedProgram(generated.program, bpfgen::Engine::Interpreter),
                    std::move(libpcap), std::move(packets)};
}

// One packet per iteration, the 1024 packets in turn; the verdicts are counted so that the
// work cannot be optimised away, and shown as the share of packets matched.
template <typename Verdict>
void measure(benchmark::State& state, const Prepared& p, Verdict&& verdict) {
    std::size_t i = 0;
    uint64_t matched = 0;
    for (auto _ : state) {
        matched += verdict(p.packets[i++ & 1023]) != 0;
    }
    benchmark::DoNotOptimize(matched);
    state.counters["match_ratio"] =
        benchmark::Counter(static_cast<double>(matched), benchmark::Counter::kAvgIterations);
}

void BM_interpreter(benchmark::State& state) {
    const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
    const Prepared p = prepare(c);
    uint64_t executed = 0;
    for (const bench::Packet& packet : p.packets) {
        executed += bpfgen::run(p.interpreter, packet).instructions;
    }
    measure(state, p,
            [&](const bench::Packet& packet) { return bpfgen::verdict(p.interpreter, packet); });
    state.SetLabel(c.name);
    state.counters["insns"] = static_cast<double>(p.interpreter.program().size());
    state.counters["executed_per_packet"] =
        static_cast<double>(executed) / static_cast<double>(p.packets.size());
}

void BM_jit(benchmark::State& state) {
    const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
    const Prepared p = prepare(c);
    if (!p.jit.uses_jit()) {
        state.SkipWithError("no JIT on this system");
        return;
    }
    measure(state, p, [&](const bench::Packet& packet) { return bpfgen::verdict(p.jit, packet); });
    state.SetLabel(c.name);
}

void BM_bpf_filter(benchmark::State& state) {
    const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
    const Prepared p = prepare(c);
    measure(state, p, [&](const bench::Packet& packet) {
        const auto size = static_cast<u_int>(packet.size());
        return bpf_filter(p.libpcap.data(), packet.data(), size, size);
    });
    state.SetLabel(c.name);
}

double fastest(const std::vector<double>& times) {
    return *std::min_element(times.begin(), times.end());
}

// Repetitions, reported as their fastest (the median and mean stay in the console output).
void configure(benchmark::internal::Benchmark* benchmark) {
    benchmark->DenseRange(0, static_cast<int>(cases().size()) - 1)
        ->Repetitions(10)
        ->ComputeStatistics("min", fastest)
        ->ReportAggregatesOnly(true);
}

BENCHMARK(BM_interpreter)->Apply(configure);
BENCHMARK(BM_jit)->Apply(configure);
BENCHMARK(BM_bpf_filter)->Apply(configure);

// The console output, then one table: per program the fastest ns/packet of each engine and
// how many times faster than bpf_filter ours are.
class RatioReporter : public benchmark::ConsoleReporter {
  public:
    // Colours only for a terminal.
    RatioReporter() : ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "min") continue;
            const std::string name = run.run_name.function_name;
            Row& row = rows_[run.report_label];
            const double ns = run.GetAdjustedCPUTime();
            if (name == "BM_interpreter") {
                row.interpreter = ns;
                row.length = counter(run, "insns");
                row.executed = counter(run, "executed_per_packet");
            } else if (name == "BM_jit") {
                row.jit = ns;
            } else if (name == "BM_bpf_filter") {
                row.bpf_filter = ns;
            }
        }
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\nfastest repetition, CPU ns/packet; gain = bpf_filter's time over ours\n");
        std::printf("%-22s %11s %7s %10s %12s %9s %16s\n", "program", "interpreter", "JIT",
                    "bpf_filter", "interp. gain", "JIT gain", "executed/length");
        for (const Case& c : cases()) {
            const auto found = rows_.find(c.name);
            if (found == rows_.end()) continue;
            const Row& row = found->second;
            std::printf("%-22s %11.2f %7.2f %10.2f %11.2fx %8.2fx %9.1f / %-4.0f\n", c.name.c_str(),
                        row.interpreter, row.jit, row.bpf_filter, row.bpf_filter / row.interpreter,
                        row.bpf_filter / row.jit, row.executed, row.length);
        }
    }

  private:
    struct Row {
        double interpreter = 0, jit = 0, bpf_filter = 0, length = 0, executed = 0;
    };

    static double counter(const Run& run, const char* name) {
        const auto found = run.counters.find(name);
        return found == run.counters.end() ? 0 : static_cast<double>(found->second);
    }

    std::map<std::string, Row> rows_;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
