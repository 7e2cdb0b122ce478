// bpf_filter_differential_test.cpp: the interpreter against libpcap's bpf_filter(), an
// independent implementation, on the same programs and packets: random valid programs on
// random packets, and the original bpfgen's recorded bytecode on crafted DNS, TCP, ICMP and
// UDP packets behind each supported link-layer header, cut at every length.
//
// Where the kernel (and so the interpreter) and libpcap 1.10 differ, each difference is
// pinned by a test below, and the random programs avoid it:
// - Ancillary loads (ld [SKF_AD_OFF + n]): the kernel reads skb metadata; bpf_filter takes k
//   as a packet offset, so the load is out of range and the verdict is 0.
// - Shift by X of 32 or more: the kernel shifts by X & 31; libpcap gives 0.
// - `ld [x + k]` with X + k >= 2^32: the kernel wraps around and reads (X + k) mod 2^32;
//   libpcap refuses the load (verdict 0).
// - Header-relative offsets (SKF_NET_OFF, SKF_LL_OFF): the kernel reads the header;
//   libpcap has no such notion (out of range, 0). Without a known header they coincide.
// - What is accepted at all: libpcap runs programs the kernel refuses (a scratch cell read
//   before written reads 0 in libpcap; no 4096-instruction limit); only checked programs
//   are compared here.
// Division and modulo by an X of zero (verdict 0), MOD, XOR, NEG, `ld #len` as the wire
// length and loads past the captured bytes (verdict 0) agree.
#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "libbpfgen/base/hex.h"
#include "libbpfgen/cbpf/disassembler.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/crafted_packets.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;

class PcapProgram {
  public:
    explicit PcapProgram(const Program& program) {
        for (const Instruction& instruction : program) {
            instructions_.push_back(
                bpf_insn{instruction.code, instruction.jt, instruction.jf, instruction.k});
        }
    }
    uint32_t run(const std::vector<uint8_t>& packet, std::size_t wire_length) const {
        return bpf_filter(instructions_.data(), packet.data(), static_cast<u_int>(wire_length),
                          static_cast<u_int>(packet.size()));
    }

  private:
    std::vector<bpf_insn> instructions_;
};

// The two implementations' verdicts on one program and packet.
struct Verdicts {
    uint32_t interpreter;
    uint32_t libpcap;
};

Verdicts both(const Program& program, const std::vector<uint8_t>& packet,
              std::size_t wire_length = 0, const SkbContext& context = {}) {
    const std::size_t wire = wire_length != 0 ? wire_length : packet.size();
    return {run(CheckedProgram(program), packet, context, wire).verdict,
            PcapProgram(program).run(packet, wire)};
}

TEST(BpfFilterDifferential, RandomProgramsOnRandomPackets) {
    // Without the instruction families where the two differ (see the top of this file).
    bpftools::test::RandomPrograms generator(
        0xb9f, {.max_length = 48, .max_packet_offset = 64, .far_offsets = true});
    bpftools::test::RandomSource random(20241123);
    std::size_t accepted = 0;
    std::size_t runs = 0;
    for (int i = 0; i < 3000; ++i) {
        const Program program = generator.next();
        const CheckedProgram checked(program);
        const PcapProgram pcap(program);
        for (int j = 0; j < 4; ++j) {
            const std::vector<uint8_t> packet = bpftools::test::random_packet(random, 80);
            // Sometimes a capture shorter than the packet on the wire.
            const std::size_t wire = packet.size() + (random.chance(30) ? random.below(1500) : 0);
            const uint32_t ours = run(checked, packet, {}, wire).verdict;
            const uint32_t theirs = pcap.run(packet, wire);
            ASSERT_EQ(ours, theirs) << "program: " << format_xt_bpf(program) << "\n"
                                    << disassemble(program) << "packet: " << hex_encode(packet)
                                    << " wire length " << wire;
            accepted += ours != 0;
            ++runs;
        }
    }
    // Verdicts of both kinds, so the comparison covers more than early drops.
    EXPECT_GT(accepted, runs / 5);
    EXPECT_LT(accepted, runs * 4 / 5);
}

using bpftools::test::Bytes;
using bpftools::test::crafted_packets;

TEST(BpfFilterDifferential, RecordedBytecodeOnCraftedPacketsCutAtEveryLength) {
    const std::vector<Bytes> packets = crafted_packets();
    std::size_t programs = 0;
    std::size_t accepted = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0 || reference.bytecode.empty()) continue;
        const Program program = parse_xt_bpf(reference.bytecode);
        const CheckedProgram checked(program);
        const PcapProgram pcap(program);
        ++programs;
        bpftools::test::for_each_cut(packets, [&](const Bytes& captured, std::size_t wire) {
            const uint32_t ours = run(checked, captured, {}, wire).verdict;
            const uint32_t theirs = pcap.run(captured, wire);
            ASSERT_EQ(ours, theirs) << reference.describe() << "\npacket: " << hex_encode(captured)
                                    << " wire length " << wire;
            accepted += ours != 0;
        });
        if (HasFatalFailure()) return;
    }
    EXPECT_GT(programs, 100u);
    EXPECT_GT(accepted, 10000u);  // the packets reach the rules' accepting paths
}

// The documented differences: each is what the interpreter (kernel) and libpcap give.

TEST(BpfFilterDifference, AncillaryLoadReadsTheSkbOnlyInTheKernel) {
    SkbContext context;
    context.protocol = 0x0800;
    const Verdicts verdicts =
        both({ld_ancillary(ancillary::kProtocol), ret_a()}, Bytes(64, 1), 0, context);
    EXPECT_EQ(verdicts.interpreter, 0x0800u);
    EXPECT_EQ(verdicts.libpcap, 0u);
}

TEST(BpfFilterDifference, ShiftByX32OrMoreIsMaskedInTheKernelAndZeroInLibpcap) {
    const Verdicts verdicts = both({ldx_imm(33), ld_imm(1), alu_x(op::kLsh), ret_a()}, {});
    EXPECT_EQ(verdicts.interpreter, 2u);
    EXPECT_EQ(verdicts.libpcap, 0u);
    const Verdicts right = both({ldx_imm(32), ld_imm(7), alu_x(op::kRsh), ret_a()}, {});
    EXPECT_EQ(right.interpreter, 7u);
    EXPECT_EQ(right.libpcap, 0u);
}

TEST(BpfFilterDifference, IndexedOffsetWrapsInTheKernelAndIsOutOfRangeInLibpcap) {
    const Verdicts verdicts = both({ldx_imm(0xffffffff), ld_ind_b(1), ret_a()}, {42, 43});
    EXPECT_EQ(verdicts.interpreter, 42u);
    EXPECT_EQ(verdicts.libpcap, 0u);
}

TEST(BpfFilterDifference, HeaderRelativeOffsetsReadOnlyInTheKernel) {
    SkbContext context;
    context.network_header = 0;
    const Verdicts verdicts =
        both({ld_b(ancillary::kNetOffset + 1), ret_a()}, {0x45, 0x10}, 0, context);
    EXPECT_EQ(verdicts.interpreter, 0x10u);
    EXPECT_EQ(verdicts.libpcap, 0u);
}

// And where they agree although one might expect otherwise.

TEST(BpfFilterAgreement, HeaderRelativeOffsetsWithoutAKnownHeaderGiveZero) {
    const Verdicts verdicts = both({ld_b(ancillary::kNetOffset + 1), ret_k(9)}, {0x45, 0x10});
    EXPECT_EQ(verdicts.interpreter, 0u);
    EXPECT_EQ(verdicts.libpcap, 0u);
}

TEST(BpfFilterAgreement, DivisionAndModuloByXZeroGiveZero) {
    for (const uint16_t operation : {op::kDiv, op::kMod}) {
        const Verdicts verdicts = both({ld_imm(5), alu_x(operation), ret_k(9)}, {});
        EXPECT_EQ(verdicts.interpreter, 0u);
        EXPECT_EQ(verdicts.libpcap, 0u);
    }
}

TEST(BpfFilterAgreement, ModXorAndNegAreSupported) {
    const Verdicts verdicts = both({ld_imm(47), alu_k(op::kMod, 10), alu_k(op::kXor, 0xf0), neg(),
                                    ldx_imm(3), alu_x(op::kMod), ret_a()},
                                   {});
    // 47 % 10 = 7; 7 ^ 0xf0 = 0xf7; -0xf7 = 0xffffff09; % 3 = 0
    EXPECT_EQ(verdicts.interpreter, 0xffffff09u % 3);
    EXPECT_EQ(verdicts.libpcap, verdicts.interpreter);
}

TEST(BpfFilterAgreement, LenIsTheWireLengthAndLoadsStopAtTheCapture) {
    const Verdicts length = both({ld_len(), ret_a()}, Bytes(60), 1514);
    EXPECT_EQ(length.interpreter, 1514u);
    EXPECT_EQ(length.libpcap, 1514u);
    const Verdicts past = both({ld_b(60), ret_k(9)}, Bytes(60), 1514);
    EXPECT_EQ(past.interpreter, 0u);
    EXPECT_EQ(past.libpcap, 0u);
}

}  // namespace
}  // namespace bpfgen
