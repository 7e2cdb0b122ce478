// dns_optimize_bench.cpp: what bpfgen -O does to dns programs, measured against the
// default program in the same run: instruction counts for 1 to 1,000 patterns (names under
// a few domains, and unrelated names), ns per packet of our interpreter, our JIT,
// libpcap's bpf_filter() and the kernel on the same matching and non-matching queries, and
// the largest pattern set that fits the kernel's 4096 instructions.
//
// The kernel column: the program compiled to XDP by our cBPF-to-eBPF compiler (a link-layer
// rule), loaded through the verifier, and run by BPF_PROG_TEST_RUN with `repeat` on each
// distinct query frame (the kernel's own clock, its mean ns per run); its XDP action must
// agree with our interpreter's verdict on every query. Without bpf() (not root, no BPF) or
// when the verifier refuses a program, one line says why and the column shows '-'.
//
// Each time is the fastest of several repetitions (on a shared machine the minimum is what
// the engine needs when nothing else is in the way); the ratios are default over -O.
// Usage: dns_optimize_bench [--quick]
#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/flood_packets.h"
#include "generators/dns.h"
#include "generators/generator.h"
#include "generators/xt_bpf_rules.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace {

using bench::Packet;

class Words {
  public:
    explicit Words(uint32_t seed) : random_(seed) {}
    std::string word(std::size_t min, std::size_t max) {
        static const std::string kLetters = "abcdefghijklmnopqrstuvwxyz0123456789";
        std::string text(std::uniform_int_distribution<std::size_t>(min, max)(random_), 'a');
        for (char& c : text) c = kLetters[pick(kLetters.size() - 10)];
        if (pick(3) == 0) text.back() = kLetters[26 + pick(10)];
        return text;
    }
    std::size_t pick(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
    }

  private:
    std::mt19937 random_;
};

// A set of patterns and queries: names the patterns match, and names they do not.
struct Workload {
    std::vector<std::string> patterns;
    std::vector<std::string> matching;
    std::vector<std::string> other;
};

const std::vector<std::string> kDomains = {"example.com", "example.org", "shop.example.net",
                                           "corp.example.co.uk", "cdn.example.io"};

// Hosts under five domains, one pattern in ten a wildcard under a sub-domain.
Workload under_few_domains(std::size_t count) {
    Words words(count * 7 + 1);
    Workload load;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string& domain = kDomains[i % kDomains.size()];
        if (i % 10 == 9) {
            const std::string sub = words.word(3, 8) + "." + domain;
            load.patterns.push_back("*." + sub);
            load.matching.push_back(words.word(1, 12) + "." + sub);
        } else {
            const std::string name = words.word(3, 12) + "." + domain;
            load.patterns.push_back(name);
            load.matching.push_back(name);
        }
        load.other.push_back(words.word(3, 12) + "." + domain);  // same domain, other host
    }
    return load;
}

// Names with nothing in common but some top-level domains.
Workload unrelated(std::size_t count) {
    static const std::vector<std::string> kTops = {"com", "net", "org", "de", "uk", "io", "fr"};
    Words words(count * 11 + 2);
    Workload load;
    auto name = [&] {
        std::string text = words.word(3, 10);
        if (words.pick(2) == 0) text = words.word(2, 8) + "." + text;
        return text + "." + kTops[words.pick(kTops.size())];
    };
    for (std::size_t i = 0; i < count; ++i) {
        load.patterns.push_back(name());
        load.matching.push_back(load.patterns.back());
        load.other.push_back(name());
    }
    return load;
}

std::vector<Packet> packets(const std::vector<std::string>& names) {
    std::vector<Packet> result;
    for (std::size_t i = 0; i < 1024; ++i)
        result.push_back(bench::dns_query(names[i % names.size()]));
    return result;
}

bpfgen::GeneratorOptions options(bool optimize) {
    bpfgen::GeneratorOptions result;
    result.l3_offset = 14;
    result.optimize = optimize;
    return result;
}

std::size_t length_of(const std::vector<std::string>& patterns, bool optimize) {
    const bpfgen::DnsPatterns set(patterns, options(optimize));
    return set.program_size(0, set.size());
}

// The whole set's program, when the kernel takes it.
std::optional<bpfgen::Program> program_for(const std::vector<std::string>& patterns,
                                           bool optimize) {
    const bpfgen::DnsPatterns set(patterns, options(optimize));
    if (set.program_size(0, set.size()) > bpfgen::op::kMaxInstructions) return std::nullopt;
    return set.program(0, set.size()).program;
}

template <typename Verdict>
double fastest_ns(const std::vector<Packet>& traffic, Verdict&& verdict, bool quick) {
    double best = 1e30;
    uint64_t matched = 0;
    for (int repetition = 0; repetition < (quick ? 3 : 7); ++repetition) {
        std::size_t rounds = 0;
        const auto start = std::chrono::steady_clock::now();
        auto now = start;
        do {
            for (const Packet& packet : traffic) matched += verdict(packet) != 0;
            ++rounds;
            now = std::chrono::steady_clock::now();
        } while (now - start < std::chrono::milliseconds(quick ? 5 : 20));
        const double ns = std::chrono::duration<double, std::nano>(now - start).count() /
                          static_cast<double>(rounds * traffic.size());
        best = std::min(best, ns);
    }
    if (matched == 1) std::puts("");  // keeps the verdicts alive
    return best;
}

struct Times {
    std::optional<double> interpreter, jit;
    std::optional<double> libpcap;
    std::optional<double> kernel;
    std::optional<double> executed;  // instructions per packet, on average
};

// A verdict of the kernel's program that is not our interpreter's: the bench stops.
class Disagreement : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The kernel column: programs loaded as XDP programs and timed by BPF_PROG_TEST_RUN.
class Kernel {
  public:
    explicit Kernel(bool quick) : quick_(quick) {
        std::string reason;
        usable_ = bpfgen::ebpf::bpf_available(reason);
        if (!usable_) {
            std::printf("kernel column left '-': bpf() is not permitted here: %s\n",
                        reason.c_str());
        }
    }

    // The program as the XDP program of one link-layer rule, loaded; nothing (and one line
    // saying why) when the kernel cannot take it. `what` names it in that line.
    std::optional<bpfgen::ebpf::LoadedXdp> load(const bpfgen::Program& program,
                                                const std::string& what) const {
        if (!usable_) return std::nullopt;
        try {
            const std::vector<bpfgen::ebpf::XdpRule> rules = {bpfgen::ebpf::XdpRule(
                what, bpfgen::CheckedProgram(program, bpfgen::Engine::Interpreter),
                bpfgen::ebpf::RuleLayer::LinkLayer)};
            return bpfgen::ebpf::load_xdp(bpfgen::ebpf::compile_xdp(rules), {what});
        } catch (const bpfgen::Error& error) {
            std::printf("kernel column left '-' for %s: %s\n", what.c_str(), error.what());
            return std::nullopt;
        }
    }

    // ns per packet over the traffic, as the kernel measures it: for each distinct frame the
    // fastest of several BPF_PROG_TEST_RUNs with `repeat` (the kernel's mean, whole ns),
    // weighted by how often the frame occurs. Throws Disagreement when an XDP action is
    // not the interpreter's verdict (drop for a match, pass otherwise).
    double ns_per_packet(const bpfgen::ebpf::LoadedXdp& loaded,
                         const bpfgen::CheckedProgram& interpreter,
                         const std::vector<Packet>& traffic, const std::string& what) const {
        std::map<Packet, std::size_t> occurrences;
        for (const Packet& packet : traffic) ++occurrences[packet];
        std::vector<std::pair<const Packet*, int>> frames;  // and the action expected
        for (const auto& [frame, count] : occurrences) {
            const int expected = bpfgen::verdict(interpreter, frame) != 0 ? bpfgen::ebpf::kXdpDrop
                                                                          : bpfgen::ebpf::kXdpPass;
            frames.emplace_back(&frame, expected);
        }
        auto checked = [&](const std::pair<const Packet*, int>& frame, uint32_t repeat) {
            const bpfgen::ebpf::TimedTestRun run =
                bpfgen::ebpf::timed_test_run(loaded.program, *frame.first, repeat);
            if (run.action != frame.second) {
                auto action = [](int code) {
                    return code == bpfgen::ebpf::kXdpDrop   ? std::string("XDP_DROP")
                           : code == bpfgen::ebpf::kXdpPass ? std::string("XDP_PASS")
                                                            : fmt::format("action {}", code);
                };
                throw Disagreement(fmt::format(
                    "{}: the kernel's XDP program returns {} for a {}-byte query, our "
                    "interpreter's verdict means {}",
                    what, action(run.action), frame.first->size(), action(frame.second)));
            }
            return run.nanoseconds_per_run;
        };
        // Every frame runs in at least the bench's repetitions, and in at least 64 runs over
        // all frames: a set of one or a few queries would otherwise be timed in a few
        // milliseconds, at the mercy of whatever else the machine does then. The first
        // query's time sets `repeat` so that the rounds take about the budget together; every
        // run checks its action.
        const std::size_t rounds =
            std::max<std::size_t>(quick_ ? 3 : 7, (64 + frames.size() - 1) / frames.size());
        const uint32_t first_ns = checked(frames.front(), 1000);
        const double budget_ns = quick_ ? 15e6 : 280e6;
        const double wanted = budget_ns / (static_cast<double>(rounds * frames.size()) *
                                           std::max<uint32_t>(first_ns, 1));
        const auto repeat = static_cast<uint32_t>(std::clamp(wanted, 200.0, 100000.0));
        std::vector<uint32_t> fastest(frames.size(), std::numeric_limits<uint32_t>::max());
        for (std::size_t round = 0; round < rounds; ++round) {
            for (std::size_t i = 0; i < frames.size(); ++i)
                fastest[i] = std::min(fastest[i], checked(frames[i], repeat));
        }
        double total = 0;
        std::size_t i = 0;
        for (const auto& [frame, count] : occurrences)
            total += static_cast<double>(fastest[i++]) * static_cast<double>(count);
        return total / static_cast<double>(traffic.size());
    }

  private:
    bool quick_ = false;
    bool usable_ = false;
};

Times measure(const std::optional<bpfgen::Program>& maybe, const std::vector<Packet>& traffic,
              bool quick, const Kernel& kernel,
              const std::optional<bpfgen::ebpf::LoadedXdp>& loaded, const std::string& what) {
    Times times;
    if (!maybe) return times;
    const bpfgen::Program& program = *maybe;
    std::vector<bpf_insn> libpcap;
    for (const bpfgen::Instruction& i : program)
        libpcap.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
    times.libpcap = fastest_ns(
        traffic,
        [&](const Packet& p) {
            return bpf_filter(libpcap.data(), p.data(), static_cast<u_int>(p.size()),
                              static_cast<u_int>(p.size()));
        },
        quick);
    const bpfgen::CheckedProgram jit(program);
    const bpfgen::CheckedProgram interpreter(program, bpfgen::Engine::Interpreter);
    std::size_t executed = 0;
    for (const Packet& p : traffic) executed += bpfgen::run(interpreter, p).instructions;
    times.executed = static_cast<double>(executed) / static_cast<double>(traffic.size());
    times.interpreter = fastest_ns(
        traffic, [&](const Packet& p) { return bpfgen::verdict(interpreter, p); }, quick);
    if (jit.uses_jit()) {
        times.jit = fastest_ns(
            traffic, [&](const Packet& p) { return bpfgen::verdict(jit, p); }, quick);
    }
    if (loaded) times.kernel = kernel.ns_per_packet(*loaded, interpreter, traffic, what);
    return times;
}

std::string cell(std::optional<double> value) {
    return value ? fmt::format("{:.1f}", *value) : std::string("-");
}

std::string ratio(std::optional<double> before, std::optional<double> after) {
    return before && after ? fmt::format("{:.2f}x", *before / *after) : std::string("-");
}

// The largest count of the workload's patterns whose program fits the kernel's limit.
std::size_t largest_fitting(Workload (*make)(std::size_t), bool optimize) {
    std::size_t low = 1, high = 1;
    auto fits = [&](std::size_t count) {
        const bpfgen::DnsPatterns set(make(count).patterns, options(optimize));
        return set.program_size(0, set.size()) <= bpfgen::op::kMaxInstructions;
    };
    while (fits(high * 2)) high *= 2;
    high *= 2;  // fits(low), not fits(high)
    low = high / 2;
    while (high - low > 1) {
        const std::size_t middle = (low + high) / 2;
        (fits(middle) ? low : high) = middle;
    }
    return low;
}

struct Kind {
    const char* name;
    Workload (*make)(std::size_t);
};

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const std::vector<Kind> kinds = {{"under 5 domains", under_few_domains},
                                     {"unrelated", unrelated}};
    const std::vector<std::size_t> counts = {1, 10, 100, 300, 1000};

    std::puts("instructions (Ethernet, -o 14)\n");
    std::puts("| patterns | set | default | -O | -O saves |");
    std::puts("| ---: | --- | ---: | ---: | ---: |");
    for (const std::size_t count : counts) {
        for (const Kind& kind : kinds) {
            const Workload load = kind.make(count);
            const std::size_t before = length_of(load.patterns, false);
            const std::size_t after = length_of(load.patterns, true);
            std::printf("| %zu | %s | %zu | %zu | %.0f%% |\n", count, kind.name, before, after,
                        100.0 * (1.0 - static_cast<double>(after) / static_cast<double>(before)));
        }
    }

    std::puts("");
    const Kernel kernel(quick);
    std::puts(
        "ns per packet, default / -O (default / -O = default over -O: above 1, -O is faster;");
    std::puts(
        "'-': a program over 4096 instructions, which the kernel, our interpreter and JIT "
        "refuse;\nkernel: the XDP program BPF_PROG_TEST_RUN times; counts with no program "
        "left out)\n");
    std::puts(
        "| patterns | set | queries | executed: default / -O | interpreter | JIT | bpf_filter | "
        "kernel |");
    std::puts("| ---: | --- | --- | --- | --- | --- | --- | --- |");
    // Not matching, per set and count: default and -O.
    std::map<std::pair<std::string, std::size_t>, std::pair<Times, Times>> missing;
    std::vector<std::size_t> measured;
    std::map<std::string, Times> fixed;  // per set: `ret #0` on its non-matching queries
    try {
        for (const std::size_t count : counts) {
            for (const Kind& kind : kinds) {
                const Workload load = kind.make(count);
                const std::optional<bpfgen::Program> before = program_for(load.patterns, false);
                const std::optional<bpfgen::Program> after = program_for(load.patterns, true);
                if (!before && !after) continue;
                if (measured.empty() || measured.back() != count) measured.push_back(count);
                const std::string name = fmt::format("dns ({}, {} patterns)", kind.name, count);
                std::optional<bpfgen::ebpf::LoadedXdp> kernel_before, kernel_after;
                if (before) kernel_before = kernel.load(*before, name);
                if (after) kernel_after = kernel.load(*after, name + " -O");
                for (const bool matching : {true, false}) {
                    const std::vector<Packet> traffic =
                        packets(matching ? load.matching : load.other);
                    const char* queries = matching ? "matching" : "not matching";
                    const Times b = measure(before, traffic, quick, kernel, kernel_before,
                                            fmt::format("{}, {} queries", name, queries));
                    const Times a = measure(after, traffic, quick, kernel, kernel_after,
                                            fmt::format("{} -O, {} queries", name, queries));
                    if (!matching) missing[{kind.name, count}] = {b, a};
                    if (!matching && count == 1) {
                        const std::optional<bpfgen::Program> nothing = bpfgen::assemble("ret #0");
                        const std::string what = fmt::format("ret #0 ({})", kind.name);
                        fixed[kind.name] =
                            measure(nothing, traffic, quick, kernel, kernel.load(*nothing, what),
                                    what + ", not matching queries");
                    }
                    auto both = [&](std::optional<double> x, std::optional<double> y) {
                        return fmt::format("{} / {} = {}", cell(x), cell(y), ratio(x, y));
                    };
                    std::printf(
                        "| %zu | %s | %s | %s | %s | %s | %s | %s |\n", count, kind.name, queries,
                        fmt::format("{} / {}", cell(b.executed), cell(a.executed)).c_str(),
                        both(b.interpreter, a.interpreter).c_str(), both(b.jit, a.jit).c_str(),
                        both(b.libpcap, a.libpcap).c_str(), both(b.kernel, a.kernel).c_str());
                    std::fflush(stdout);
                }
            }
        }
    } catch (const Disagreement& disagreement) {
        std::fprintf(stderr, "dns_optimize_bench: %s\n", disagreement.what());
        return 1;
    } catch (const bpfgen::Error& error) {
        std::fprintf(stderr, "dns_optimize_bench: %s\n", error.what());
        return 1;
    }

    std::puts(
        "\na query no pattern matches: its cost with N patterns over its cost with one "
        "pattern, in the same run\n(executed instructions and ns of each engine; '-': over "
        "4096 instructions, or no kernel)\n");
    std::puts("| patterns | set | program | executed | interpreter | JIT | bpf_filter | kernel |");
    std::puts("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (const std::size_t count : measured) {
        if (count == 1) continue;
        for (const Kind& kind : kinds) {
            if (!missing.count({kind.name, count})) continue;
            const auto& [one_before, one_after] = missing.at({kind.name, 1});
            const auto& [before, after] = missing.at({kind.name, count});
            for (const bool optimized : {false, true}) {
                const Times& one = optimized ? one_after : one_before;
                const Times& many = optimized ? after : before;
                std::printf(
                    "| %zu | %s | %s | %s | %s | %s | %s | %s |\n", count, kind.name,
                    optimized ? "-O" : "default", ratio(many.executed, one.executed).c_str(),
                    ratio(many.interpreter, one.interpreter).c_str(),
                    ratio(many.jit, one.jit).c_str(), ratio(many.libpcap, one.libpcap).c_str(),
                    ratio(many.kernel, one.kernel).c_str());
            }
        }
    }

    std::puts(
        "\nthe fixed cost of a packet: ns of a program of one `ret #0` on the same "
        "non-matching queries\n");
    std::puts("| set | interpreter | JIT | bpf_filter | kernel |");
    std::puts("| --- | ---: | ---: | ---: | ---: |");
    for (const auto& [set, times] : fixed) {
        std::printf("| %s | %s | %s | %s | %s |\n", set.c_str(), cell(times.interpreter).c_str(),
                    cell(times.jit).c_str(), cell(times.libpcap).c_str(),
                    cell(times.kernel).c_str());
    }

    std::puts(
        "\niptables_bpf: xt_bpf rules of at most 64 instructions for the whole set, and the "
        "time to plan them\n");
    std::puts("| patterns | set | rules: default | rules: -O | ms: default | ms: -O |");
    std::puts("| ---: | --- | ---: | ---: | ---: | ---: |");
    for (const std::size_t count : counts) {
        if (count < 100) continue;
        for (const Kind& kind : kinds) {
            const Workload load = kind.make(count);
            std::vector<std::string> args = {"--"};
            args.insert(args.end(), load.patterns.begin(), load.patterns.end());
            std::size_t rules[2] = {0, 0};
            double ms[2] = {0, 0};
            for (const bool optimize : {false, true}) {
                bpfgen::GeneratorOptions xt_bpf;
                xt_bpf.optimize = optimize;
                const auto start = std::chrono::steady_clock::now();
                rules[optimize] =
                    bpfgen::generate_xt_bpf_rules("dns", args, xt_bpf).programs.size();
                ms[optimize] = std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - start)
                                   .count();
            }
            std::printf("| %zu | %s | %zu | %zu | %.0f | %.0f |\n", count, kind.name, rules[0],
                        rules[1], ms[0], ms[1]);
        }
    }

    std::puts("\nlargest set whose one program fits 4096 instructions\n");
    std::puts("| set | default | -O |");
    std::puts("| --- | ---: | ---: |");
    for (const Kind& kind : kinds) {
        std::printf("| %s | %zu patterns | %zu patterns |\n", kind.name,
                    largest_fitting(kind.make, false), largest_fitting(kind.make, true));
    }
    return 0;
}
