// bpf_filter_differential_test.cpp: our interpreter against libpcap's bpf_filter() on the
// same random valid programs and random (often truncated) packets, where the kernel's and
// libpcap's semantics coincide. The known differences, left out of the random programs and
// pinned down by the tests at the end:
// - shifts by X >= 32: the kernel (eBPF) uses the count modulo 32, libpcap gives 0;
// - ancillary loads (SKF_AD_*): the kernel reads skb metadata, libpcap's bpf_filter reads
//   packet bytes at that huge offset and so returns 0;
// - indirect loads whose X + k passes 2^32: the kernel's load helper takes the 32-bit sum
//   (so 0xffffffff + 2 reads offset 1), libpcap refuses the overflow and returns 0.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <vector>

#include "libbpfgen/assembler.h"
#include "libbpfgen/format.h"
#include "libbpfgen/interpreter.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

uint32_t libpcap_verdict(const Program& program, const std::vector<uint8_t>& packet,
                         std::size_t wire_length) {
    std::vector<bpf_insn> code;
    for (const Instruction& i : program) code.push_back(bpf_insn{i.code, i.jt, i.jf, i.k});
    return bpf_filter(code.data(), packet.data(), static_cast<u_int>(wire_length),
                      static_cast<u_int>(packet.size()));
}

TEST(BpfFilterDifferential, RandomProgramsOnRandomPackets) {
    bpftools::test::RandomPrograms random(20141105);
    std::size_t compared = 0;
    std::size_t nonzero = 0;
    for (int p = 0; p < 3000; ++p) {
        const Program program = random.next();
        const CheckedProgram checked(program);
        for (int n = 0; n < 8; ++n) {
            const std::vector<uint8_t> packet = random.packet();
            const std::size_t wire = packet.size() + (n % 2 ? 0 : n * 10);
            const uint32_t ours = run(checked, packet, {}, wire).verdict;
            ASSERT_EQ(ours, libpcap_verdict(program, packet, wire))
                << "program " << format_xt_bpf(program) << " packet size " << packet.size();
            ++compared;
            nonzero += ours != 0;
        }
    }
    // Both outcomes must be well represented, or the comparison proves little.
    EXPECT_GT(nonzero, compared / 10);
    EXPECT_LT(nonzero, compared - compared / 10);
}

TEST(BpfFilterDifferential, ReferenceProgramsOnCraftedPackets) {
    bpftools::test::RandomPrograms random(7);
    std::vector<std::vector<uint8_t>> packets;
    // A DNS query for www.example.com over Ethernet/IPv4/UDP, and every truncation of it.
    const std::vector<uint8_t> query = {
        0,   1,   2,   3,   4,    5,    6, 7,   8,   9,   10,  11,  0x08, 0x00, 0x45,
        0,   0,   61,  0,   1,    0x40, 0, 64,  17,  0,   0,   10,  0,    0,    1,
        10,  0,   0,   2,   0x9c, 0x40, 0, 53,  0,   41,  0,   0,   0x12, 0x34, 1,
        0,   0,   1,   0,   0,    0,    0, 0,   0,   3,   'w', 'w', 'w',  7,    'e',
        'x', 'a', 'm', 'p', 'l',  'e',  3, 'c', 'o', 'm', 0,   0,   1,    0,    1};
    for (std::size_t n = 0; n <= query.size(); ++n) {
        packets.emplace_back(query.begin(), query.begin() + static_cast<long>(n));
        packets.emplace_back(query.begin() + 14,
                             query.begin() + static_cast<long>(std::max<std::size_t>(n, 14)));
    }
    for (int n = 0; n < 50; ++n) packets.push_back(random.packet(128));
    for (const auto& c : bpftools::test::load_reference_cases()) {
        if (c.rc != 0) continue;
        const Program program = parse_xt_bpf(c.bytecode);
        const CheckedProgram checked(program);
        for (const auto& packet : packets) {
            ASSERT_EQ(run(checked, packet).verdict, libpcap_verdict(program, packet, packet.size()))
                << c.describe() << " packet size " << packet.size();
        }
    }
}

TEST(BpfFilterDifferential, KnownDifferenceShiftByLargeX) {
    const Program program = assemble("ldx #33\nld #1\nlsh x\nret a\n");
    EXPECT_EQ(run(CheckedProgram(program), {}).verdict, 2u);
    EXPECT_EQ(libpcap_verdict(program, {}, 0), 0u);
}

TEST(BpfFilterDifferential, KnownDifferenceIndirectOffsetOverflow) {
    const Program program = assemble("ldx #0xffffffff\nldb [x + 2]\nret #7\n");
    const std::vector<uint8_t> packet(8, 0);
    EXPECT_EQ(run(CheckedProgram(program), packet).verdict, 7u);
    EXPECT_EQ(libpcap_verdict(program, packet, packet.size()), 0u);
}

TEST(BpfFilterDifferential, KnownDifferenceAncillaryLoads) {
    const Program program = assemble("ld #proto\nret a\n");
    SkbContext context;
    context.protocol = 0x0800;
    const std::vector<uint8_t> packet(64, 0);
    EXPECT_EQ(run(CheckedProgram(program), packet, context).verdict, 0x0800u);
    EXPECT_EQ(libpcap_verdict(program, packet, packet.size()), 0u);
}

}  // namespace
}  // namespace bpfgen
