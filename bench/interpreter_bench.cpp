// interpreter_bench.cpp: ns per packet of our interpreter, our JIT and libpcap's
// bpf_filter() on the same programs and the same packets, and instructions executed per
// packet.
//
// The machine this runs on is shared and loaded, so one long run per engine would mostly
// measure the neighbours. Instead each round times a short pass over the packets for every
// engine in turn (interleaved, so a burst of load hits all of them alike), and each engine's
// figure is its best round: the time it needs when nothing else is in the way.
// Usage: interpreter_bench [--rounds N] [--repeat R]   (passes of 1024 packets x R)
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "bench/flood_packets.h"
#include "generators/generator.h"
#include "libbpfgen/interpreter.h"

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

// ns per packet of one pass of `repeat` times over the packets; `matched` counts the
// packets `verdict` accepted (so that the work cannot be optimised away).
template <typename Verdict>
double pass(const std::vector<bench::Packet>& packets, int repeat, uint64_t& matched,
            Verdict&& verdict) {
    const auto start = std::chrono::steady_clock::now();
    uint64_t accepted = 0;
    for (int r = 0; r < repeat; ++r) {
        for (const bench::Packet& packet : packets) accepted += verdict(packet) != 0;
    }
    benchmark::DoNotOptimize(accepted);
    const auto end = std::chrono::steady_clock::now();
    matched += accepted;
    const double runs = static_cast<double>(repeat) * static_cast<double>(packets.size());
    return std::chrono::duration<double, std::nano>(end - start).count() / runs;
}

struct Best {
    double interpreter = std::numeric_limits<double>::infinity();
    double jit = std::numeric_limits<double>::infinity();
    double libpcap = std::numeric_limits<double>::infinity();
};

int parse_count(const char* text, const char* flag) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 1 || value > 1000000) {
        std::fprintf(stderr, "interpreter_bench: %s needs a positive count, not '%s'\n", flag,
                     text);
        std::exit(2);
    }
    return static_cast<int>(value);
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 200;
    int repeat = 4;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = parse_count(argv[++i], "--rounds");
        } else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = parse_count(argv[++i], "--repeat");
        } else {
            std::fprintf(stderr, "usage: interpreter_bench [--rounds N] [--repeat R]\n");
            return 2;
        }
    }
    std::printf("best of %d interleaved rounds of %d x 1024 packets per engine (ns/packet)\n",
                rounds, repeat);
    std::printf("%-22s %6s %11s %7s %10s %12s %9s %14s\n", "program", "insns", "interpreter", "JIT",
                "bpf_filter", "interp. gain", "JIT gain", "executed/pkt");
    for (const Case& c : cases()) {
        const Prepared p = prepare(c);
        if (!p.jit.uses_jit()) std::printf("(%s: no JIT on this system)\n", c.name.c_str());
        uint64_t executed = 0;
        uint64_t matched[3] = {};
        for (const bench::Packet& packet : p.packets) {
            executed += bpfgen::run(p.interpreter, packet).instructions;
        }
        Best best;
        for (int round = 0; round < rounds; ++round) {
            best.interpreter = std::min(
                best.interpreter, pass(p.packets, repeat, matched[0], [&](const auto& packet) {
                    return bpfgen::verdict(p.interpreter, packet);
                }));
            best.jit = std::min(
                best.jit, pass(p.packets, repeat, matched[1],
                               [&](const auto& packet) { return bpfgen::verdict(p.jit, packet); }));
            best.libpcap =
                std::min(best.libpcap, pass(p.packets, repeat, matched[2], [&](const auto& packet) {
                             const auto size = static_cast<u_int>(packet.size());
                             return bpf_filter(p.libpcap.data(), packet.data(), size, size);
                         }));
        }
        if (matched[0] != matched[1] || matched[0] != matched[2]) {
            std::fprintf(stderr, "interpreter_bench: %s: the engines disagree\n", c.name.c_str());
            return 1;
        }
        std::printf("%-22s %6zu %11.2f %7.2f %10.2f %11.2fx %8.2fx %14.1f\n", c.name.c_str(),
                    p.jit.program().size(), best.interpreter, best.jit, best.libpcap,
                    best.libpcap / best.interpreter, best.libpcap / best.jit,
                    static_cast<double>(executed) / static_cast<double>(p.packets.size()));
    }
    std::printf("gain: bpf_filter's time over ours (2.00x = twice as fast as bpf_filter)\n");
    return 0;
}
