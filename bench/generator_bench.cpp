// generator_bench.cpp: time to generate one dns program for many domain patterns (and the
// checker's verdict on it), and for a typical single-pattern rule.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"

namespace {

std::vector<std::string> patterns(std::size_t count) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(i % 3 == 0   ? "*.attack" + std::to_string(i) + ".example.uk"
                      : i % 3 == 1 ? "www" + std::to_string(i) + ".example.com"
                                   : "*{4-20}.cdn" + std::to_string(i) + ".example.net");
    }
    return out;
}

void BM_dns_patterns(benchmark::State& state) {
    const std::vector<std::string> args = patterns(static_cast<std::size_t>(state.range(0)));
    std::size_t instructions = 0;
    std::string verdict;
    for (auto _ : state) {
        // The dns generator refuses programs over the kernel's 4096 instructions itself.
        try {
            const bpfgen::GeneratedProgram generated = bpfgen::generate("dns", args, {});
            instructions = generated.program.size();
            bpfgen::check_kernel_rules(generated.program);
            verdict = std::to_string(instructions) + " insns; kernel accepts";
        } catch (const bpfgen::Error& e) {
            verdict = std::string("refused: ") + e.what();
        }
        benchmark::DoNotOptimize(instructions);
    }
    state.SetLabel(verdict);
}

BENCHMARK(BM_dns_patterns)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
