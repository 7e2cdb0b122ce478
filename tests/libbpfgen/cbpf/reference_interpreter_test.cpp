// reference_interpreter_test.cpp: the library's two engines, the fast interpreter (run(),
// verdict and instruction count) and the JIT (verdict()), against the deliberately simple
// reference interpreter of tests/common/reference_interpreter.h: on random checked programs
// with every instruction family and random skb contexts, on the original bpfgen's recorded
// bytecode and the shared valid programs over crafted packets and the captures of
// tests/data, and on the edges one by one: every ancillary load with a given SkbContext,
// division by zero, loads out of range, negative (header-relative) offsets, netlink
// attribute searches. The reference is itself pinned by a few values worked out by hand.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/base/hex.h"
#include "libbpfgen/cbpf/disassembler.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/capture_files.h"
#include "tests/common/crafted_packets.h"
#include "tests/common/invalid_programs.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_cases.h"
#include "tests/common/reference_interpreter.h"

namespace bpfgen {
namespace {

using bpftools::test::Bytes;
using bpftools::test::reference_run;
using namespace bpftools::test::insn;
namespace ad = ancillary;

// The program run by the interpreter only, and by the JIT where there is one.
struct Engines {
    explicit Engines(const Program& program)
        : interpreted(program, Engine::Interpreter), compiled(program) {}
    CheckedProgram interpreted;
    CheckedProgram compiled;
};

std::string describe(const Program& program, std::span<const uint8_t> packet,
                     const SkbContext& context, std::size_t wire_length) {
    const auto header = [](const std::optional<uint32_t>& position) {
        return position ? std::to_string(*position) : std::string("-");
    };
    return "program: " + format_xt_bpf(program) + "\n" + disassemble(program) +
           "packet: " + hex_encode(packet) + "\nwire length " + std::to_string(wire_length) +
           ", network header " + header(context.network_header) + ", link-layer header " +
           header(context.link_layer_header);
}

// Both engines agree with the reference: the interpreter on verdict and instruction count,
// the JIT on the verdict.
testing::AssertionResult agree(const Engines& engines, std::span<const uint8_t> packet,
                               const SkbContext& context = {}, std::size_t wire_length = 0) {
    const Program& program = engines.interpreted.program();
    const auto expected = reference_run(program, packet, context, wire_length);
    const RunResult interpreted = run(engines.interpreted, packet, context, wire_length);
    if (interpreted.verdict != expected.verdict ||
        interpreted.instructions != expected.instructions) {
        return testing::AssertionFailure()
               << "interpreter: verdict " << interpreted.verdict << " after "
               << interpreted.instructions << " instructions, reference: " << expected.verdict
               << " after " << expected.instructions << "\n"
               << describe(program, packet, context, wire_length);
    }
    const uint32_t compiled = verdict(engines.compiled, packet, context, wire_length);
    if (compiled != expected.verdict) {
        return testing::AssertionFailure()
               << (engines.compiled.uses_jit() ? "JIT" : "interpreter") << ": verdict " << compiled
               << ", reference: " << expected.verdict << "\n"
               << describe(program, packet, context, wire_length);
    }
    return testing::AssertionSuccess();
}

uint32_t reference_verdict(const Program& program, const Bytes& packet,
                           const SkbContext& context = {}, std::size_t wire_length = 0) {
    check_kernel_rules(program);
    return reference_run(program, packet, context, wire_length).verdict;
}

const Bytes kEight = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

// --- The reference itself, on values worked out by hand -------------------------------

TEST(ReferenceInterpreter, ReadsBigEndianAndDropsPastTheEnd) {
    EXPECT_EQ(reference_verdict({ld_w(1), ret_a()}, kEight), 0x3456789au);
    EXPECT_EQ(reference_verdict({ld_h(6), ret_a()}, kEight), 0xdef0u);
    EXPECT_EQ(reference_verdict({ld_h(7), ret_k(1)}, kEight), 0u);
    EXPECT_EQ(reference_verdict({ldx_msh(0), txa(), ret_a()}, kEight), 8u);  // (0x12 & 0xf) * 4
}

TEST(ReferenceInterpreter, FollowsTheKernelOnDivisionShiftsAndLength) {
    EXPECT_EQ(reference_verdict({ld_imm(7), alu_x(op::kDiv), ret_k(1)}, {}), 0u);
    EXPECT_EQ(reference_verdict({ld_imm(7), ldx_imm(2), alu_x(op::kMod), ret_a()}, {}), 1u);
    EXPECT_EQ(reference_verdict({ld_imm(1), ldx_imm(33), alu_x(op::kLsh), ret_a()}, {}), 2u);
    EXPECT_EQ(reference_verdict({ld_len(), ret_a()}, kEight, {}, 1500), 1500u);
    EXPECT_EQ(reference_verdict({ld_imm(1), neg(), ret_a()}, {}), 0xffffffffu);
}

TEST(ReferenceInterpreter, ReadsHeaderRelativeOffsetsAndTheContext) {
    SkbContext context;
    context.network_header = 2;
    context.link_layer_header = 0;
    context.vlan_present = true;
    EXPECT_EQ(reference_verdict({ld_b(ad::kNetOffset + 1), ret_a()}, kEight, context), 0x78u);
    EXPECT_EQ(reference_verdict({ld_b(ad::kLinkLayerOffset + 1), ret_a()}, kEight, context), 0x34u);
    EXPECT_EQ(reference_verdict({ld_b(ad::kNetOffset + 1), ret_k(1)}, kEight), 0u);
    EXPECT_EQ(reference_verdict({ld_ancillary(ad::kVlanTagPresent, op::kB), ret_a()}, {}, context),
              1u);
}

// --- Random programs with every family, random packets and contexts -------------------

TEST(ReferenceInterpreter, BothEnginesAgreeOnRandomProgramsWithEveryFamily) {
    bpftools::test::RandomProgramOptions options;
    options.max_length = 48;
    options.ancillary_loads = true;
    options.shifts_by_x = true;
    options.indexed_offsets = true;
    options.max_packet_offset = 48;
    bpftools::test::RandomPrograms generator(0x5eed, options);
    bpftools::test::RandomSource& random = generator.random();
    std::size_t runs = 0;
    std::size_t accepted = 0;
    for (int i = 0; i < 6000; ++i) {
        const Engines engines(generator.next());
        for (int j = 0; j < 6; ++j) {
            const Bytes packet = bpftools::test::random_packet(random, 64);
            const SkbContext context =
                random.chance(30) ? SkbContext{}
                                  : bpftools::test::random_skb_context(random, packet.size());
            const std::size_t wire = random.chance(50) ? 0 : packet.size() + random.below(100);
            ASSERT_TRUE(agree(engines, packet, context, wire));
            ++runs;
            accepted +=
                reference_run(engines.interpreted.program(), packet, context, wire).verdict != 0;
        }
    }
    // Verdicts of both kinds, so the comparison covers more than early drops.
    EXPECT_GT(accepted, runs / 10);
    EXPECT_LT(accepted, runs * 9 / 10);
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnRandomProgramsWithoutTheKernelsExtras) {
    bpftools::test::RandomPrograms generator(0x5eee, {.max_length = 120});
    bpftools::test::RandomSource& random = generator.random();
    for (int i = 0; i < 2000; ++i) {
        const Engines engines(generator.next());
        const Bytes packet = bpftools::test::random_packet(random, 96);
        for (std::size_t length = 0; length <= packet.size(); length += 7) {
            ASSERT_TRUE(agree(engines, std::span<const uint8_t>(packet).first(length)));
        }
    }
}

// --- The corpora the other tests use ----------------------------------------------------

TEST(ReferenceInterpreter, BothEnginesAgreeOnTheRecordedBytecodeOverCraftedPackets) {
    const std::vector<Bytes> packets = bpftools::test::crafted_packets();
    std::size_t programs = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0 || reference.bytecode.empty()) continue;
        const Engines engines(parse_xt_bpf(reference.bytecode));
        ++programs;
        bool agreed = true;
        bpftools::test::for_each_cut(packets, [&](const Bytes& captured, std::size_t wire) {
            if (!agreed) return;
            const testing::AssertionResult result = agree(engines, captured, {}, wire);
            if (!result) {
                ADD_FAILURE() << reference.describe() << "\n" << result.message();
                agreed = false;
            }
        });
        if (!agreed) break;
    }
    EXPECT_GT(programs, 100u);
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnTheSharedValidProgramsOverCraftedPackets) {
    const std::vector<Bytes> packets = bpftools::test::crafted_packets();
    for (const auto& valid : bpftools::test::valid_programs()) {
        const Engines engines(valid.program);
        SkbContext context;
        context.network_header = 14;
        context.link_layer_header = 0;
        for (const Bytes& packet : packets) {
            ASSERT_TRUE(agree(engines, packet)) << valid.rule;
            ASSERT_TRUE(agree(engines, packet, context)) << valid.rule;
        }
    }
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnTheCapturesOfTestData) {
    std::vector<Program> programs;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc == 0 && !reference.bytecode.empty()) {
            programs.push_back(parse_xt_bpf(reference.bytecode));
        }
        if (programs.size() == 40) break;
    }
    bpftools::test::RandomPrograms generator(0xca9, {.max_length = 40, .ancillary_loads = true});
    for (int i = 0; i < 40; ++i) programs.push_back(generator.next());
    std::size_t packets = 0;
    for (std::string_view name :
         {"dns_udp.pcap", "dns_tcp.pcap", "dnssec.pcap", "edns-opts.pcap", "802.1ad_QinQ.pcap",
          "LINKTYPE_IPV4.pcap", "LINKTYPE_IPV6.pcap", "tcp-handshake-nano.pcap", "babel.pcap"}) {
        const bpftools::test::Capture capture = bpftools::test::read_capture(name);
        for (const Program& program : programs) {
            const Engines engines(program);
            for (const auto& packet : capture.packets) {
                ASSERT_TRUE(agree(engines, packet.data, {}, packet.wire_length)) << name;
            }
        }
        packets += capture.packets.size();
    }
    EXPECT_GT(packets, 50u);
}

// --- The edges, one by one ---------------------------------------------------------------

TEST(ReferenceInterpreter, BothEnginesAgreeOnEveryAncillaryLoadOfEverySize) {
    bpftools::test::RandomSource random(0xad);
    for (const uint32_t extension : bpftools::test::all_extensions()) {
        for (const uint16_t size : {op::kW, op::kH, op::kB}) {
            const Engines engines(
                {ld_imm(3), ldx_imm(0x0f0f), ld_ancillary(extension, size), ret_a()});
            for (int i = 0; i < 50; ++i) {
                const Bytes packet = bpftools::test::random_packet(random, 40);
                ASSERT_TRUE(agree(engines, packet, bpftools::test::random_skb_context(random, 40)));
            }
        }
    }
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnDivisionByZero) {
    for (const uint16_t operation : {op::kDiv, op::kMod}) {
        for (const uint32_t x : {0u, 1u, 3u, 0xffffffffu}) {
            const Engines engines({ld_imm(1000), ldx_imm(x), alu_x(operation), ret_a()});
            ASSERT_TRUE(agree(engines, kEight));
        }
        const Engines from_packet({ldx_msh(0), ld_imm(5), alu_x(operation), ret_k(7)});
        ASSERT_TRUE(agree(from_packet, Bytes{0x00}));  // X = 0
        ASSERT_TRUE(agree(from_packet, Bytes{0x01}));
    }
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnLoadsAtEveryEdgeOfThePacket) {
    for (uint32_t k = 0; k <= 10; ++k) {
        for (const Program& program :
             {Program{ld_w(k), ret_a()}, Program{ld_h(k), ret_a()}, Program{ld_b(k), ret_a()},
              Program{ldx_imm(k), ld_ind_w(0), ret_a()}, Program{ldx_imm(1), ld_ind_h(k), ret_a()},
              Program{ldx_msh(k), txa(), ret_a()}, Program{ld_w(k), ld_imm(1), ret_a()}}) {
            const Engines engines(program);
            for (std::size_t length = 0; length <= kEight.size(); ++length) {
                ASSERT_TRUE(agree(engines, std::span<const uint8_t>(kEight).first(length)));
            }
        }
    }
    // Far offsets, and X + k wrapping past 2^32 (X == 0xffffffff, k == 1 reads byte 0).
    for (const Program& program :
         {Program{ld_w(0x7fffffff), ret_a()}, Program{ld_b(ad::kOffset - 1), ret_a()},
          Program{ldx_imm(0xffffffff), ld_ind_b(1), ret_a()},
          Program{ldx_imm(0xfffffffe), ld_ind_h(1), ret_a()},
          Program{ldx_imm(0x80000000), ld_ind_w(0), ret_a()}}) {
        ASSERT_TRUE(agree(Engines(program), kEight));
    }
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnNegativeOffsets) {
    const std::vector<uint32_t> offsets = {
        ad::kNetOffset,           ad::kNetOffset + 1,   ad::kNetOffset + 6,
        ad::kNetOffset + 7,       ad::kLinkLayerOffset, ad::kLinkLayerOffset + 5,
        ad::kLinkLayerOffset - 1, ad::kOffset - 1,      ad::kNetOffset - 1};
    const std::vector<std::optional<uint32_t>> positions = {std::nullopt, 0, 3, 7, 8, 0xffffffff};
    for (const uint32_t offset : offsets) {
        for (const Program& program :
             {Program{ld_w(offset), ret_a()}, Program{ld_h(offset), ret_a()},
              Program{ld_b(offset), ret_a()}, Program{ldx_msh(offset), txa(), ret_a()},
              Program{ldx_imm(offset), ld_ind_b(0), ret_a()},
              Program{ldx_imm(offset - 2), ld_ind_h(2), ret_a()}}) {
            const Engines engines(program);
            for (const auto& network : positions) {
                for (const auto& link_layer : positions) {
                    SkbContext context;
                    context.network_header = network;
                    context.link_layer_header = link_layer;
                    ASSERT_TRUE(agree(engines, kEight, context));
                }
            }
        }
    }
}

// A stream of netlink attributes {u16 length, u16 type, payload} in native byte order, each
// payload random bytes or attributes nested `depth` levels more, some of them broken (a
// length below 4 or past the end, missing padding), for SKF_AD_NLATTR and _NEST.
Bytes random_attributes(bpftools::test::RandomSource& random, int depth) {
    Bytes stream;
    const uint32_t count = random.below(5);
    for (uint32_t i = 0; i < count; ++i) {
        Bytes payload;
        if (depth > 0 && random.chance(50)) {
            payload = random_attributes(random, depth - 1);
        } else {
            payload.resize(random.below(9));
            for (uint8_t& byte : payload) byte = static_cast<uint8_t>(random.next());
        }
        auto length = static_cast<uint16_t>(4 + payload.size());
        if (random.chance(8)) length = static_cast<uint16_t>(random.below(40));
        auto type = static_cast<uint16_t>(random.below(4));
        if (random.chance(20)) type |= 0x8000;  // NLA_F_NESTED
        for (const uint16_t field : {length, type}) {
            const auto* bytes = reinterpret_cast<const uint8_t*>(&field);
            stream.insert(stream.end(), bytes, bytes + 2);
        }
        stream.insert(stream.end(), payload.begin(), payload.end());
        while (random.chance(90) && stream.size() % 4 != 0) stream.push_back(0);
    }
    return stream;
}

TEST(ReferenceInterpreter, BothEnginesAgreeOnNetlinkAttributeSearches) {
    bpftools::test::RandomSource random(0x41a);
    std::size_t found = 0;
    for (int i = 0; i < 3000; ++i) {
        Bytes packet(random.below(3) * 4);  // bytes before the stream, skipped by A
        const auto start = static_cast<uint32_t>(packet.size());
        const Bytes attributes = random_attributes(random, 2);
        packet.insert(packet.end(), attributes.begin(), attributes.end());
        const uint32_t a = random.chance(80) ? start : random.below(24);
        const uint32_t type = random.below(4);
        for (const uint32_t extension : {ad::kNlAttr, ad::kNlAttrNest}) {
            const Program program{ld_imm(a), ldx_imm(type), ld_ancillary(extension), ret_a()};
            ASSERT_TRUE(agree(Engines(program), packet));
            found += reference_run(program, packet).verdict != 0;
        }
    }
    EXPECT_GT(found, 500u);  // the searches also find attributes, not only fail
}

}  // namespace
}  // namespace bpfgen
