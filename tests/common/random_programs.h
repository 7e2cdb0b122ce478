// random_programs.h: deterministic random classic BPF programs that pass the kernel's rules
// (check_kernel_rules), and random packets to run them on, for differential tests, fuzzing
// and benchmarks. Header-only. The same seed gives the same programs on every platform (own
// generator, no std distributions). By default the programs avoid the instructions where
// libpcap's bpf_filter() differs from the kernel (see bpf_filter_differential_test.cpp);
// options switch the kernel's extras on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/cbpf/program.h"
#include "libbpfgen/cbpf/skb_context.h"

namespace bpftools::test {

// SplitMix64: small, fast, and the same everywhere.
class RandomSource {
  public:
    explicit RandomSource(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform enough in [0, bound) for tests; bound > 0.
    uint32_t below(uint32_t bound) { return static_cast<uint32_t>(next() % bound); }
    // In [low, high].
    uint32_t between(uint32_t low, uint32_t high) { return low + below(high - low + 1); }
    bool chance(uint32_t percent) { return below(100) < percent; }
    template <typename T>
    const T& pick(const std::vector<T>& values) {
        return values[below(static_cast<uint32_t>(values.size()))];
    }

  private:
    uint64_t state_;
};

// Every SKF_AD_* extension the kernel knows.
inline std::vector<uint32_t> all_extensions() {
    using namespace bpfgen::ancillary;
    return {kProtocol,       kPktType,   kIfIndex, kNlAttr,  kNlAttrNest, kMark,
            kQueue,          kHaType,    kRxHash,  kCpu,     kAluXorX,    kVlanTag,
            kVlanTagPresent, kPayOffset, kRandom,  kVlanTpid};
}

struct RandomProgramOptions {
    // The defaults give only instructions on which the kernel and libpcap's bpf_filter()
    // agree (see bpf_filter_differential_test.cpp); the kernel's extras are opt-in.
    std::size_t max_length = 32;      // at most this many (<= 4095) before the final ret
    bool ancillary_loads = false;     // SKF_AD_* loads (libpcap reads them as packet bytes)
    bool shifts_by_x = false;         // lsh/rsh x (the kernel masks the count, libpcap gives 0)
    uint32_t max_packet_offset = 80;  // packet loads mostly address bytes below this
    std::size_t min_length = 0;       // at least this many instructions before the final ret
    // Sometimes load far past any packet: huge offsets and negative, header-relative ones
    // (SKF_NET_OFF + n, SKF_LL_OFF + n), out of range for both without a known header.
    bool far_offsets = true;
    // `ld [x + k]` with any k (X + k may wrap past 2^32: the kernel reads, libpcap refuses);
    // false: k == 0 only.
    bool indexed_offsets = false;
    bool scratch_memory = true;
    std::vector<uint32_t> extensions = all_extensions();  // the ones ancillary loads name
};

// A packet of up to max_size bytes, mostly from values filters test (0, 0x45, 0xff...), so
// comparisons sometimes succeed; every length from 0 up is possible, truncated ones too.
inline std::vector<uint8_t> random_packet(RandomSource& random, std::size_t max_size) {
    static const std::vector<uint8_t> interesting = {0, 0, 1,    2,    4,    5,
                                                     6, 8, 0x11, 0x45, 0x60, 0xff};
    std::vector<uint8_t> packet(random.below(static_cast<uint32_t>(max_size) + 1));
    for (uint8_t& byte : packet) {
        byte = random.chance(60) ? random.pick(interesting) : static_cast<uint8_t>(random.next());
    }
    return packet;
}

// An skb context with every field random, and the network and link-layer headers at random
// positions of a packet of packet_size bytes, sometimes past its end, sometimes unknown.
inline bpfgen::SkbContext random_skb_context(RandomSource& random, std::size_t packet_size) {
    bpfgen::SkbContext context;
    context.protocol = random.chance(50) ? 0x0800 : static_cast<uint16_t>(random.next());
    context.pkt_type = random.below(8);
    context.ifindex = static_cast<uint32_t>(random.next());
    context.mark = random.chance(50) ? 0 : static_cast<uint32_t>(random.next());
    context.queue = random.below(0x10000);
    context.hatype = random.chance(50) ? 1 : 772;
    context.rxhash = static_cast<uint32_t>(random.next());
    context.cpu = random.below(64);
    context.vlan_tci = static_cast<uint16_t>(random.next());
    context.vlan_present = random.chance(50);
    context.vlan_tpid = random.chance(50) ? 0x8100 : 0x88a8;
    context.random = static_cast<uint32_t>(random.next());
    context.payload_offset = random.below(128);
    const auto position = [&]() -> std::optional<uint32_t> {
        if (random.chance(35)) return std::nullopt;
        if (random.chance(5)) return 0xffffffff - random.below(8);
        return random.below(static_cast<uint32_t>(packet_size) + 8);  // sometimes past the end
    };
    context.network_header = position();
    context.link_layer_header = position();
    return context;
}

// Generates programs that check_kernel_rules accepts, with jumps, scratch memory, every ALU
// operation, and packet loads that sometimes fall off the packet.
class RandomPrograms {
  public:
    explicit RandomPrograms(uint64_t seed, RandomProgramOptions options = {})
        : random_(seed), options_(std::move(options)) {}

    bpfgen::Program next() {
        const auto length = 1 + static_cast<std::size_t>(
                                    random_.between(static_cast<uint32_t>(options_.min_length),
                                                    static_cast<uint32_t>(options_.max_length)));
        std::vector<bpfgen::Instruction> instructions;
        instructions.reserve(length);
        for (std::size_t pc = 0; pc + 1 < length; ++pc) {
            instructions.push_back(instruction(pc, length));
        }
        instructions.push_back(ret());
        bpfgen::Program program(std::move(instructions));
        make_scratch_reads_safe(program);
        return program;
    }

    // A constant a filter is likely to compare with or compute from.
    uint32_t constant() {
        static const std::vector<uint32_t> interesting = {
            0,      1,       2,          3,          4,          5,         8,
            14,     20,      0x45,       0x60,       0xff,       0x800,     0x86dd,
            0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};
        switch (random_.below(3)) {
            case 0:
                return random_.pick(interesting);
            case 1:
                return random_.below(256);
            default:
                return static_cast<uint32_t>(random_.next());
        }
    }

    // A packet of up to max_size bytes (see random_packet).
    std::vector<uint8_t> packet(std::size_t max_size = 96) {
        return random_packet(random_, max_size);
    }

    RandomSource& random() { return random_; }

  private:
    using Instruction = bpfgen::Instruction;

    Instruction ret() {
        if (random_.chance(40)) return {bpfgen::op::kRet | bpfgen::op::kRetA, 0, 0, 0};
        static const std::vector<uint32_t> verdicts = {0, 0, 1, 64, 0xffff, 0x40000, 0xffffffff};
        return {bpfgen::op::kRet | bpfgen::op::kK, 0, 0,
                random_.chance(80) ? random_.pick(verdicts) : constant()};
    }

    uint32_t packet_offset() {
        using namespace bpfgen::ancillary;
        if (options_.far_offsets && random_.chance(8)) {
            static const std::vector<uint32_t> far = {0x7fffffff, 0x80000000, 0xfffff000 - 1,
                                                      0x10000, 0xffff};
            switch (random_.below(3)) {
                case 0:
                    return random_.pick(far);
                case 1:
                    return kNetOffset + random_.below(options_.max_packet_offset);
                default:
                    return kLinkLayerOffset + random_.below(options_.max_packet_offset);
            }
        }
        return random_.below(options_.max_packet_offset + 1);
    }

    uint16_t load_size() {
        static const std::vector<uint16_t> sizes = {bpfgen::op::kW, bpfgen::op::kH, bpfgen::op::kB};
        return random_.pick(sizes);
    }

    Instruction alu(bool by_x) {
        using namespace bpfgen::op;
        static const std::vector<uint16_t> operations = {kAdd, kSub, kMul, kDiv, kOr, kAnd,
                                                         kLsh, kRsh, kNeg, kMod, kXor};
        uint16_t operation = random_.pick(operations);
        if (operation == kNeg) return {kAlu | kNeg, 0, 0, 0};
        if (by_x) {
            if ((operation == kLsh || operation == kRsh) && !options_.shifts_by_x) operation = kAnd;
            return {static_cast<uint16_t>(kAlu | operation | kX), 0, 0, 0};
        }
        uint32_t k = constant();
        if (operation == kLsh || operation == kRsh) k %= 32;
        if ((operation == kDiv || operation == kMod) && k == 0) k = 1 + random_.below(16);
        return {static_cast<uint16_t>(kAlu | operation | kK), 0, 0, k};
    }

    Instruction jump(std::size_t pc, std::size_t length) {
        using namespace bpfgen::op;
        // Targets stay inside the program: at most the last instruction.
        const auto reach = static_cast<uint32_t>(length - pc - 2);
        const auto offset = [&] {
            // Mostly short jumps, as compilers emit; sometimes to the very end.
            const uint32_t limit = reach < 255 ? reach : 255;
            return static_cast<uint8_t>(
                random_.chance(20) ? limit : random_.below(limit < 8 ? limit + 1 : 8));
        };
        if (random_.chance(15)) return {kJmp | kJa, 0, 0, random_.below(reach + 1)};
        static const std::vector<uint16_t> operations = {kJeq, kJgt, kJge, kJset};
        const uint16_t source = random_.chance(30) ? kX : kK;
        return {static_cast<uint16_t>(kJmp | random_.pick(operations) | source), offset(), offset(),
                source == kK ? constant() : 0};
    }

    Instruction instruction(std::size_t pc, std::size_t length) {
        using namespace bpfgen::op;
        const uint32_t roll = random_.below(100);
        if (roll < 14)
            return {static_cast<uint16_t>(kLd | load_size() | kAbs), 0, 0, packet_offset()};
        if (roll < 22) {
            const uint32_t k = options_.indexed_offsets ? packet_offset() : 0;
            return {static_cast<uint16_t>(kLd | load_size() | kInd), 0, 0, k};
        }
        if (roll < 25) return {kLdx | kB | kMsh, 0, 0, packet_offset()};
        if (roll < 30) return {kLd | kImm, 0, 0, constant()};
        if (roll < 35) return {kLdx | kImm, 0, 0, constant()};
        if (roll < 37)
            return {static_cast<uint16_t>((random_.chance(50) ? kLd : kLdx) | kW | kLen), 0, 0, 0};
        if (roll < 45 && options_.scratch_memory) {
            static const std::vector<uint16_t> codes = {kLd | kMem, kLdx | kMem, kSt, kStx};
            return {random_.pick(codes), 0, 0, random_.below(kMemWords)};
        }
        if (roll < 55) return alu(false);
        if (roll < 63) return alu(true);
        if (roll < 80) return jump(pc, length);
        if (roll < 85)
            return {static_cast<uint16_t>(kMisc | (random_.chance(50) ? kTax : kTxa)), 0, 0, 0};
        if (roll < 89 && options_.ancillary_loads && !options_.extensions.empty()) {
            return {static_cast<uint16_t>(kLd | load_size() | kAbs), 0, 0,
                    bpfgen::ancillary::kOffset + random_.pick(options_.extensions)};
        }
        if (roll < 92) return ret();
        return alu(false);
    }

    // The kernel refuses a scratch read it cannot prove preceded by a write on every path:
    // turn each such read into a write of the same cell until the program passes.
    void make_scratch_reads_safe(bpfgen::Program& program) {
        using namespace bpfgen::op;
        for (;;) {
            try {
                bpfgen::check_kernel_rules(program);
                return;
            } catch (const bpfgen::CheckError& error) {
                Instruction& read = program[error.index()];
                if (read.code == (kLd | kMem)) {
                    read.code = kSt;
                } else if (read.code == (kLdx | kMem)) {
                    read.code = kStx;
                } else {
                    throw;  // a generator bug: every other rule holds by construction
                }
            }
        }
    }

    RandomSource random_;
    RandomProgramOptions options_;
};

}  // namespace bpftools::test
