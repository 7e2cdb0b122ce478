// random_programs.h: deterministic random classic BPF programs that the kernel's checker
// accepts, for differential tests, fuzz seeds and benchmarks. Options leave out the
// instructions whose meaning differs between the kernel and libpcap's bpf_filter().
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "libbpfgen/checker.h"
#include "libbpfgen/error.h"
#include "libbpfgen/opcodes.h"
#include "libbpfgen/program.h"

namespace bpftools::test {

struct RandomProgramOptions {
    std::size_t max_length = 32;      // instructions before the final return
    bool ancillary_loads = false;     // SKF_AD_* loads (libpcap reads them as packet bytes)
    bool shifts_by_x = false;         // lsh/rsh x (kernel masks the count, libpcap zeroes)
    uint32_t max_packet_offset = 80;  // constants used as packet offsets
};

class RandomPrograms {
  public:
    explicit RandomPrograms(uint32_t seed, RandomProgramOptions options = {})
        : rng_(seed), options_(options) {}

    // A program the kernel's rules accept (checked; regenerated until it passes).
    bpfgen::Program next() {
        for (;;) {
            bpfgen::Program program = candidate();
            try {
                bpfgen::check_kernel_rules(program);
                return program;
            } catch (const bpfgen::CheckError&) {
            }
        }
    }

    std::vector<uint8_t> packet(std::size_t max_size = 96) {
        std::vector<uint8_t> bytes(pick(max_size + 1));
        for (uint8_t& b : bytes) b = static_cast<uint8_t>(pick(4) == 0 ? pick(16) : pick(256));
        return bytes;
    }

  private:
    uint32_t pick(std::size_t bound) {
        return static_cast<uint32_t>(
            std::uniform_int_distribution<std::size_t>(0, bound - 1)(rng_));
    }
    uint32_t constant() {
        switch (pick(4)) {
            case 0:
                return pick(options_.max_packet_offset);
            case 1:
                return pick(16);
            case 2:
                return static_cast<uint32_t>(rng_());
            default:
                return pick(256);
        }
    }

    bpfgen::Instruction random_instruction(std::size_t pc, std::size_t length) {
        namespace op = bpfgen::op;
        using bpfgen::Instruction;
        const uint16_t sizes[] = {op::kW, op::kH, op::kB};
        const uint16_t alu_ops[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kMod, op::kAnd,
                                    op::kOr,  op::kXor, op::kLsh, op::kRsh, op::kNeg};
        const uint16_t jumps[] = {op::kJeq, op::kJgt, op::kJge, op::kJset};
        const auto remaining = static_cast<uint32_t>(length - pc - 1);
        auto target = [&] {
            return static_cast<uint8_t>(pick(std::min<uint32_t>(remaining, 256)));
        };
        switch (pick(10)) {
            case 0:
                if (options_.ancillary_loads && pick(4) == 0) {
                    return {static_cast<uint16_t>(op::kLd | sizes[pick(3)] | op::kAbs), 0, 0,
                            bpfgen::ancillary::kOffset + 4 * pick(16)};
                }
                return {static_cast<uint16_t>(op::kLd | sizes[pick(3)] | op::kAbs), 0, 0,
                        pick(options_.max_packet_offset)};
            case 1:
                return {static_cast<uint16_t>(op::kLd | sizes[pick(3)] | op::kInd), 0, 0,
                        pick(options_.max_packet_offset)};
            case 2: {
                const uint16_t codes[] = {op::kLd | op::kImm,          op::kLd | op::kLen,
                                          op::kLd | op::kMem,          op::kLdx | op::kImm,
                                          op::kLdx | op::kLen,         op::kLdx | op::kMem,
                                          op::kLdx | op::kB | op::kMsh};
                const uint16_t code = codes[pick(7)];
                if (op::mode(code) == op::kMem) return {code, 0, 0, pick(4)};
                if (op::mode(code) == op::kMsh)
                    return {code, 0, 0, pick(options_.max_packet_offset)};
                return {code, 0, 0, pick(2) ? pick(options_.max_packet_offset) : constant()};
            }
            case 3:
                return {static_cast<uint16_t>(pick(2) ? op::kSt : op::kStx), 0, 0, pick(4)};
            case 4:
            case 5: {
                const uint16_t alu = alu_ops[pick(11)];
                if (alu == op::kNeg) return {op::kAlu | op::kNeg, 0, 0, 0};
                const bool by_x =
                    pick(2) == 0 && (options_.shifts_by_x || (alu != op::kLsh && alu != op::kRsh));
                uint32_t k = constant();
                if (alu == op::kLsh || alu == op::kRsh) k %= 32;
                if ((alu == op::kDiv || alu == op::kMod) && k == 0) k = 1;
                return {static_cast<uint16_t>(op::kAlu | alu | (by_x ? op::kX : op::kK)), 0, 0,
                        by_x ? 0 : k};
            }
            case 6: {
                const bool by_x = pick(3) == 0;
                return {static_cast<uint16_t>(op::kJmp | jumps[pick(4)] | (by_x ? op::kX : op::kK)),
                        target(), target(), by_x ? 0 : constant()};
            }
            case 7:
                if (remaining > 1 && pick(3) == 0)
                    return {op::kJmp | op::kJa, 0, 0, pick(remaining - 1)};
                return {static_cast<uint16_t>(op::kMisc | (pick(2) ? op::kTax : op::kTxa)), 0, 0,
                        0};
            case 8:
                return {static_cast<uint16_t>(op::kRet | (pick(2) ? op::kK : op::kRetA)), 0, 0,
                        constant()};
            default:
                return {static_cast<uint16_t>(op::kJmp | jumps[pick(4)] | op::kK), target(),
                        target(), pick(256)};
        }
    }

    bpfgen::Program candidate() {
        namespace op = bpfgen::op;
        const std::size_t body = 1 + pick(options_.max_length);
        const std::size_t length = body + 5;
        std::vector<bpfgen::Instruction> instructions = {
            {op::kSt, 0, 0, 0}, {op::kSt, 0, 0, 1}, {op::kStx, 0, 0, 2}, {op::kStx, 0, 0, 3}};
        while (instructions.size() < length - 1) {
            instructions.push_back(random_instruction(instructions.size(), length));
        }
        instructions.push_back(
            {static_cast<uint16_t>(op::kRet | (pick(2) ? op::kK : op::kRetA)), 0, 0, constant()});
        return bpfgen::Program(std::move(instructions));
    }

    std::mt19937 rng_;
    RandomProgramOptions options_;
};

}  // namespace bpftools::test
