// kernel_agreement_test.cpp: the running kernel as the reference for the checker and the
// interpreter. Acceptance: SO_ATTACH_FILTER on a UDP socket must accept exactly what
// check_kernel_rules accepts (the rule table, the original's recorded bytecode, random valid
// programs and random mutations of them). Execution: programs attached to a UDP socket
// on 127.0.0.1 filter real datagrams, and what arrives (dropped, or trimmed to the verdict)
// must be what the interpreter's verdict on the same bytes predicts.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/checker.h"
#include "libbpfgen/cbpf/disassembler.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/invalid_programs.h"
#include "tests/common/kernel_socket.h"
#include "tests/common/program_builders.h"
#include "tests/common/random_programs.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

using namespace bpftools::test::insn;
using bpftools::test::attach;
using bpftools::test::RandomProgramOptions;
using bpftools::test::RandomPrograms;
using bpftools::test::RandomSource;
using bpftools::test::Socket;

bool checker_accepts(const Program& program) {
    try {
        check_kernel_rules(program);
        return true;
    } catch (const CheckError&) {
        return false;
    }
}

class KernelAcceptance : public testing::Test {
  protected:
    void SetUp() override {
        if (!socket_.valid()) {
            GTEST_SKIP() << "no AF_INET/SOCK_DGRAM socket: " << std::strerror(errno);
        }
        if (const int error = attach(socket_, Program{ret_k(0)}); error != 0) {
            GTEST_SKIP() << "SO_ATTACH_FILTER unavailable: " << std::strerror(error);
        }
    }

    // The kernel's verdict; a refusal for another reason than the rules (EINVAL) fails.
    bool kernel_accepts(const Program& program) {
        const int error = attach(socket_, program);
        if (error != 0 && error != EINVAL) {
            ADD_FAILURE() << "SO_ATTACH_FILTER failed with " << std::strerror(error)
                          << ", not EINVAL, for " << format_xt_bpf(program);
        }
        return error == 0;
    }

    Socket socket_{::socket(AF_INET, SOCK_DGRAM, 0)};
};

TEST_F(KernelAcceptance, RefusesEachProgramOfTheRuleTable) {
    for (const auto& refused : bpftools::test::invalid_programs()) {
        if (refused.target != CheckTarget::Socket) continue;  // xt_bpf's limit is not a socket's
        EXPECT_FALSE(kernel_accepts(refused.program)) << refused.rule;
    }
}

TEST_F(KernelAcceptance, AcceptsEachValidProgramOfTheRuleTable) {
    for (const auto& accepted : bpftools::test::valid_programs()) {
        const int error = attach(socket_, accepted.program);
        if (error == ENOMEM) {
            // Valid, but larger than the socket's option memory (net.core.optmem_max).
            std::cout << "note: no verdict for " << accepted.rule << ": " << std::strerror(error)
                      << " (net.core.optmem_max too small for it)\n";
            continue;
        }
        EXPECT_EQ(error, 0) << accepted.rule << ": " << std::strerror(error);
    }
}

TEST_F(KernelAcceptance, AcceptsEveryRecordedBytecodeOfTheOriginalAsTheCheckerDoes) {
    std::size_t checked = 0;
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0 || reference.bytecode.empty()) continue;
        const Program program = parse_xt_bpf(reference.bytecode);
        EXPECT_EQ(kernel_accepts(program), checker_accepts(program)) << reference.describe();
        EXPECT_TRUE(checker_accepts(program)) << reference.describe();
        ++checked;
    }
    EXPECT_GT(checked, 100u);
}

TEST_F(KernelAcceptance, AcceptsRandomValidPrograms) {
    RandomPrograms generator(
        20240601,
        {.max_length = 300, .ancillary_loads = true, .shifts_by_x = true, .indexed_offsets = true});
    for (int i = 0; i < 400; ++i) {
        const Program program = generator.next();
        ASSERT_TRUE(kernel_accepts(program)) << format_xt_bpf(program);
    }
}

TEST_F(KernelAcceptance, GivesTheCheckersVerdictOnEveryOpcode) {
    // Every code below 0x400, and every low byte with each higher bit set (each attach
    // costs the kernel an allocation: all 65536 codes take most of a second for nothing
    // more), before a ret, with operands that break no other rule.
    std::vector<uint16_t> codes;
    for (uint32_t code = 0; code < 0x400; ++code) codes.push_back(static_cast<uint16_t>(code));
    for (uint32_t bit = 10; bit < 16; ++bit) {
        for (uint32_t low = 0; low < 0x100; ++low) {
            codes.push_back(static_cast<uint16_t>(1u << bit | low));
        }
    }
    for (const uint16_t code : codes) {
        const Program program{code_k(code, 1), ret_k(0)};
        const bool checker = checker_accepts(program);
        ASSERT_EQ(kernel_accepts(program), checker)
            << "code " << code << ": the checker " << (checker ? "accepts" : "refuses") << " it";
    }
}

TEST_F(KernelAcceptance, GivesTheCheckersVerdictOnEveryOffsetAroundTheExtensions) {
    const auto check = [this](uint32_t k) {
        for (const Instruction& load :
             {ld_w(k), ld_h(k), ld_b(k), ld_ind_w(k), ld_ind_b(k), ldx_msh(k)}) {
            const Program program{load, ret_a()};
            ASSERT_EQ(kernel_accepts(program), checker_accepts(program)) << to_string(load);
        }
    };
    for (uint32_t k = ancillary::kOffset - 8; k <= ancillary::kOffset + ancillary::kMax + 16; ++k) {
        check(k);
    }
    for (uint32_t k = 0xfffffff8; k != 0; ++k) check(k);  // up to 0xffffffff
    check(ancillary::kNetOffset);
    check(ancillary::kLinkLayerOffset);
    check(0x80000000);
}

// A few changes that each may break one rule: codes (known or not), constants at the edges
// of the rules, jump offsets, a missing ret, reads of scratch cells.
Program mutate(Program program, RandomSource& random) {
    using namespace bpfgen::op;
    static const std::vector<uint16_t> codes = {kAlu | kDiv | kK,
                                                kAlu | kMod | kK,
                                                kAlu | kLsh | kK,
                                                kAlu | kRsh | kK,
                                                kLd | kMem,
                                                kLdx | kMem,
                                                kSt,
                                                kStx,
                                                kJmp | kJa,
                                                kJmp | kJeq | kK,
                                                kJmp | kJset | kX,
                                                kLd | kW | kAbs,
                                                kLd | kB | kAbs,
                                                kLd | kH | kInd,
                                                kLdx | kB | kMsh,
                                                kRet | kK,
                                                kRet | kRetA,
                                                kRet | kX,
                                                kLdx | kW | kAbs,
                                                kAlu | kNeg | kX,
                                                kMisc | kTax | 8,
                                                kLd | kH | kLen,
                                                kJmp | kJa | kX,
                                                kAlu | 0xb0 | kK,
                                                0x3f,
                                                0xff,
                                                0x100,
                                                0x8000};
    static const std::vector<uint32_t> edges = {0,
                                                1,
                                                15,
                                                16,
                                                17,
                                                31,
                                                32,
                                                33,
                                                0xffffffff,
                                                ancillary::kOffset,
                                                ancillary::kOffset + 2,
                                                ancillary::kOffset + 60,
                                                ancillary::kOffset + 64,
                                                ancillary::kOffset - 1,
                                                ancillary::kNetOffset};
    const uint32_t changes = random.between(1, 3);
    for (uint32_t change = 0; change < changes && !program.empty(); ++change) {
        Instruction& victim = program[random.below(static_cast<uint32_t>(program.size()))];
        switch (random.below(6)) {
            case 0:
                victim.code = random.pick(codes);
                break;
            case 1:
                victim.k = random.pick(edges);
                break;
            case 2:
                victim.k = random.below(static_cast<uint32_t>(program.size()) + 2);
                break;
            case 3:
                victim.jt =
                    static_cast<uint8_t>(random.below(static_cast<uint32_t>(program.size()) + 2));
                victim.jf =
                    static_cast<uint8_t>(random.below(static_cast<uint32_t>(program.size()) + 2));
                break;
            case 4: {
                std::vector<Instruction> shorter(program.begin(), program.end() - 1);
                program = Program(std::move(shorter));
                break;
            }
            default:
                victim = random.chance(50) ? ld_mem(random.below(17)) : ldx_mem(random.below(17));
                break;
        }
    }
    return program;
}

TEST_F(KernelAcceptance, GivesTheCheckersVerdictOnRandomMutations) {
    RandomPrograms generator(977, {.max_length = 24,
                                   .ancillary_loads = true,
                                   .shifts_by_x = true,
                                   .max_packet_offset = 32,
                                   .indexed_offsets = true});
    RandomSource random(4242);
    std::size_t accepted = 0;
    std::size_t refused = 0;
    for (int i = 0; i < 3000; ++i) {
        const Program program = mutate(generator.next(), random);
        const bool checker = checker_accepts(program);
        ASSERT_EQ(kernel_accepts(program), checker)
            << "checker " << (checker ? "accepts" : "refuses")
            << " but the kernel does not: " << format_xt_bpf(program) << "\n"
            << disassemble(program);
        ++(checker ? accepted : refused);
    }
    // Both verdicts must be well represented for the comparison to mean something.
    EXPECT_GT(accepted, 300u);
    EXPECT_GT(refused, 300u);
}

TEST_F(KernelAcceptance, RefusesJumpsTooLongForEbpfWhichTheCheckerDeliberatelyAccepts) {
    // Documents a rule the checker does not apply (see checker.cpp): each `ldb [0]` becomes
    // about a dozen eBPF instructions, so this ja no longer fits eBPF's 16-bit offset.
    const Program program = bpftools::test::framed_program(ja(3000), 3000, ld_b(0), ret_k(0));
    EXPECT_TRUE(checker_accepts(program));
    EXPECT_FALSE(kernel_accepts(program));
}

// Datagrams to a UDP socket on 127.0.0.1 whose filter is the program under test. A socket
// filter sees the UDP header and payload; a verdict v keeps max(v, 8) bytes of it, 0 drops.
// Each datagram is followed by a marker from another port, which a prefix of the filter
// always accepts: when the marker arrives first, the datagram was dropped.
class LoopbackUdp {
  public:
    static constexpr uint32_t kMark = 0x5eed;

    // Empty when the machine offers no loopback UDP; `why` says why.
    static std::optional<LoopbackUdp> open(std::string& why) {
        LoopbackUdp udp;
        for (const Socket* socket : {&udp.receiver_, &udp.sender_, &udp.marker_}) {
            if (!socket->valid()) return fail(why, "socket");
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (bind(socket->fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
                return fail(why, "bind to 127.0.0.1");
            }
        }
        udp.receiver_port_ = port_of(udp.receiver_);
        udp.sender_port_ = port_of(udp.sender_);
        udp.marker_port_ = port_of(udp.marker_);
        const timeval timeout{2, 0};
        setsockopt(udp.receiver_.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        // Checksum 0 ("none"), so every byte the filter sees is known here.
        const int one = 1;
        if (setsockopt(udp.sender_.fd(), SOL_SOCKET, SO_NO_CHECK, &one, sizeof one) != 0) {
            return fail(why, "SO_NO_CHECK");
        }
        // skb->mark for SKF_AD_MARK; needs CAP_NET_ADMIN, else the mark stays 0.
        const uint32_t mark = kMark;
        udp.mark_ =
            setsockopt(udp.sender_.fd(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) == 0 ? kMark : 0;
        udp.loopback_index_ = if_nametoindex("lo");
        if (attach(udp.receiver_, Program{ret_k(0)}) != 0) return fail(why, "SO_ATTACH_FILTER");
        return udp;
    }

    // What the kernel reads from the skb of these datagrams.
    SkbContext context() const {
        SkbContext context;
        context.protocol = 0x0800;  // ETH_P_IP
        context.pkt_type = 0;       // PACKET_HOST
        context.ifindex = loopback_index_;
        context.mark = mark_;
        context.hatype = 772;  // ARPHRD_LOOPBACK
        return context;
    }

    // The bytes the filter sees for `payload`: the UDP header (checksum 0), then the payload.
    std::vector<uint8_t> datagram(std::span<const uint8_t> payload) const {
        const auto length = static_cast<uint16_t>(8 + payload.size());
        std::vector<uint8_t> bytes = {static_cast<uint8_t>(sender_port_ >> 8),
                                      static_cast<uint8_t>(sender_port_),
                                      static_cast<uint8_t>(receiver_port_ >> 8),
                                      static_cast<uint8_t>(receiver_port_),
                                      static_cast<uint8_t>(length >> 8),
                                      static_cast<uint8_t>(length),
                                      0,
                                      0};
        bytes.insert(bytes.end(), payload.begin(), payload.end());
        return bytes;
    }

    // Payload bytes received for one datagram through `program` (at most 4092 instructions),
    // nullopt when the filter dropped it. Failures of the machinery are test failures.
    std::optional<std::size_t> deliver(const Program& program, std::span<const uint8_t> payload) {
        using namespace bpfgen::op;
        // ldh [0]; jeq #marker_port, 0, 1; ret #-1; ld #0 (A as the program expects it)
        std::vector<Instruction> wrapped = {ld_h(0), jmp_k(kJeq, marker_port_, 0, 1),
                                            ret_k(0xffffffff), ld_imm(0)};
        wrapped.insert(wrapped.end(), program.begin(), program.end());
        uint8_t buffer[2048];
        if (recv(receiver_.fd(), buffer, sizeof buffer, MSG_DONTWAIT) >= 0) {
            ADD_FAILURE() << "a datagram arrived out of order";
        }
        if (const int error = attach(receiver_, Program(std::move(wrapped))); error != 0) {
            ADD_FAILURE() << "SO_ATTACH_FILTER: " << std::strerror(error);
            return std::nullopt;
        }
        send_to_receiver(sender_, payload);
        const uint8_t marker = 0;
        send_to_receiver(marker_, std::span(&marker, 1));
        std::optional<std::size_t> received;
        for (;;) {
            sockaddr_in from{};
            socklen_t from_length = sizeof from;
            const ssize_t size = recvfrom(receiver_.fd(), buffer, sizeof buffer, MSG_TRUNC,
                                          reinterpret_cast<sockaddr*>(&from), &from_length);
            if (size < 0) {
                ADD_FAILURE() << "recvfrom: " << std::strerror(errno);
                return received;
            }
            if (ntohs(from.sin_port) == marker_port_) return received;
            received = static_cast<std::size_t>(size);
        }
    }

  private:
    LoopbackUdp()
        : receiver_(::socket(AF_INET, SOCK_DGRAM, 0)),
          sender_(::socket(AF_INET, SOCK_DGRAM, 0)),
          marker_(::socket(AF_INET, SOCK_DGRAM, 0)) {}

    static std::optional<LoopbackUdp> fail(std::string& why, const char* step) {
        why = std::string(step) + ": " + std::strerror(errno);
        return std::nullopt;
    }

    static uint16_t port_of(const Socket& socket) {
        sockaddr_in address{};
        socklen_t length = sizeof address;
        getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
        return ntohs(address.sin_port);
    }

    void send_to_receiver(const Socket& from, std::span<const uint8_t> payload) const {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(receiver_port_);
        if (sendto(from.fd(), payload.data(), payload.size(), 0,
                   reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
            ADD_FAILURE() << "sendto: " << std::strerror(errno);
        }
    }

    Socket receiver_;
    Socket sender_;
    Socket marker_;
    uint16_t receiver_port_ = 0;
    uint16_t sender_port_ = 0;
    uint16_t marker_port_ = 0;
    uint32_t mark_ = 0;
    uint32_t loopback_index_ = 0;
};

// The payload bytes that arrive for a verdict on a datagram of `datagram_size` bytes.
std::optional<std::size_t> predicted_delivery(uint32_t verdict, std::size_t datagram_size) {
    if (verdict == 0) return std::nullopt;
    return std::min<std::size_t>(std::max<uint32_t>(verdict, 8), datagram_size) - 8;
}

std::string describe(const std::optional<std::size_t>& delivery) {
    return delivery ? std::to_string(*delivery) + " payload bytes" : "dropped";
}

class KernelExecution : public testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        udp_ = LoopbackUdp::open(why);
        if (!udp_) GTEST_SKIP() << "no UDP on 127.0.0.1 with socket filters: " << why;
    }

    // Runs `program` in the kernel and in the interpreter on the same datagram; returns the
    // interpreter's verdict after checking the kernel delivered what it predicts.
    uint32_t expect_same_delivery(const Program& program, std::span<const uint8_t> payload) {
        const std::vector<uint8_t> datagram = udp_->datagram(payload);
        const uint32_t verdict = run(CheckedProgram(program), datagram, udp_->context()).verdict;
        const auto predicted = predicted_delivery(verdict, datagram.size());
        const auto delivered = udp_->deliver(program, payload);
        EXPECT_EQ(delivered, predicted)
            << "kernel: " << describe(delivered) << ", interpreter: verdict " << verdict << " so "
            << describe(predicted) << "\nprogram: " << format_xt_bpf(program) << "\n"
            << disassemble(program) << "datagram: " << format_bytes(datagram);
        return verdict;
    }

    static std::string format_bytes(const std::vector<uint8_t>& bytes) {
        std::string text;
        for (const uint8_t byte : bytes) text += fmt_hex(byte);
        return text;
    }

    static std::string fmt_hex(uint8_t byte) {
        static const char digits[] = "0123456789abcdef";
        return {digits[byte >> 4], digits[byte & 0xf]};
    }

    std::optional<LoopbackUdp> udp_;
};

const std::vector<uint8_t> kPayload = [] {
    std::vector<uint8_t> payload(40);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
    return payload;
}();

// `condition` (ending with A to compare), then: A == expected ? keep 20 : keep 10 bytes.
Program probe(std::vector<Instruction> condition, uint32_t expected) {
    condition.insert(condition.end(),
                     {jmp_k(op::kJeq, expected, 0, 1), ret_k(8 + 20), ret_k(8 + 10)});
    return Program(std::move(condition));
}

TEST_F(KernelExecution, ShiftByXOf32OrMoreUsesTheLowFiveBits) {
    EXPECT_EQ(expect_same_delivery(probe({ldx_imm(33), ld_imm(1), alu_x(op::kLsh)}, 2), kPayload),
              28u);
    EXPECT_EQ(expect_same_delivery(probe({ldx_imm(36), ld_imm(0x1000), alu_x(op::kRsh)}, 0x100),
                                   kPayload),
              28u);
}

TEST_F(KernelExecution, IndexedOffsetWrapsAroundAt32Bits) {
    // X + 9 == 8 (mod 2^32): the first payload byte, 0.
    EXPECT_EQ(expect_same_delivery(probe({ldx_imm(0xffffffff), ld_ind_b(9)}, 0), kPayload), 28u);
}

TEST_F(KernelExecution, DivisionByXZeroDrops) {
    EXPECT_EQ(expect_same_delivery({ld_imm(5), alu_x(op::kDiv), ret_k(0xffff)}, kPayload), 0u);
    EXPECT_EQ(expect_same_delivery({ld_imm(5), alu_x(op::kMod), ret_k(0xffff)}, kPayload), 0u);
}

TEST_F(KernelExecution, LoadPastTheEndDrops) {
    EXPECT_EQ(expect_same_delivery({ld_w(8 + 37), ret_k(0xffff)}, kPayload), 0u);
    EXPECT_EQ(expect_same_delivery({ld_w(8 + 36), ret_k(0xffff)}, kPayload), 0xffffu);
}

TEST_F(KernelExecution, LenIsTheDatagramLength) {
    EXPECT_EQ(expect_same_delivery(probe({ld_len()}, 48), kPayload), 28u);
}

TEST_F(KernelExecution, ProtocolIsTheEthertypeValueWhateverTheLoadSize) {
    EXPECT_EQ(expect_same_delivery(probe({ld_ancillary(ancillary::kProtocol)}, 0x0800), kPayload),
              28u);
    EXPECT_EQ(
        expect_same_delivery(probe({ld_ancillary(ancillary::kProtocol, op::kB)}, 0x0800), kPayload),
        28u);
}

TEST_F(KernelExecution, DeviceFieldsOfLoopback) {
    EXPECT_EQ(expect_same_delivery(probe({ld_ancillary(ancillary::kHaType)}, 772), kPayload), 28u);
    EXPECT_EQ(expect_same_delivery(
                  probe({ld_ancillary(ancillary::kIfIndex)}, udp_->context().ifindex), kPayload),
              28u);
}

TEST_F(KernelExecution, MarkOfTheSender) {
    if (udp_->context().mark == 0) GTEST_SKIP() << "SO_MARK needs CAP_NET_ADMIN";
    EXPECT_EQ(
        expect_same_delivery(probe({ld_ancillary(ancillary::kMark)}, LoopbackUdp::kMark), kPayload),
        28u);
}

TEST_F(KernelExecution, VerdictTrimsTheDatagram) {
    EXPECT_EQ(expect_same_delivery({ret_k(8 + 5)}, kPayload), 13u);
    EXPECT_EQ(expect_same_delivery({ret_k(1)}, kPayload), 1u);  // kept: the UDP header
    EXPECT_EQ(expect_same_delivery({ret_k(0xffffffff)}, kPayload), 0xffffffffu);
}

// `program` with every `ret a` turned into a jump to `and #63; ret a`, so that the kept
// length reveals A exactly in more runs (a verdict above the datagram's size keeps it
// whole). The kernel accepts the result: after a jump its scratch analysis assumes more,
// not less, than after a ret.
Program with_observable_returns(const Program& program) {
    std::vector<Instruction> list(program.begin(), program.end());
    const std::size_t epilogue = list.size();
    for (std::size_t index = 0; index < epilogue; ++index) {
        if (list[index] == ret_a()) list[index] = ja(static_cast<uint32_t>(epilogue - index - 1));
    }
    list.insert(list.end(), {alu_k(op::kAnd, 63), ret_a()});
    return Program(std::move(list));
}

TEST_F(KernelExecution, RandomProgramsOnRandomDatagramsDeliverWhatTheInterpreterPredicts) {
    namespace ad = ancillary;
    // Everything but what the kernel computes from state this test cannot know (CPU,
    // random, hash, flow dissection) and header-relative loads (the IP header precedes the
    // datagram in the kernel's buffer, outside the bytes the interpreter sees).
    RandomPrograms generator(
        31337, {.max_length = 40,
                .ancillary_loads = true,
                .shifts_by_x = true,
                .max_packet_offset = 48,
                .min_length = 1,
                .far_offsets = false,
                .indexed_offsets = true,
                .extensions = {ad::kProtocol, ad::kPktType, ad::kIfIndex, ad::kNlAttr,
                               ad::kNlAttrNest, ad::kMark, ad::kQueue, ad::kHaType, ad::kAluXorX,
                               ad::kVlanTag, ad::kVlanTagPresent, ad::kVlanTpid}});
    RandomSource random(99);
    std::size_t kept = 0;
    std::size_t dropped = 0;
    for (int i = 0; i < 1000 && !HasFailure(); ++i) {
        const Program program = with_observable_returns(generator.next());
        for (int j = 0; j < 3; ++j) {
            const std::vector<uint8_t> payload = bpftools::test::random_packet(random, 48);
            ++(expect_same_delivery(program, payload) != 0 ? kept : dropped);
        }
    }
    EXPECT_GT(kept, 100u);
    EXPECT_GT(dropped, 100u);
}

}  // namespace
}  // namespace bpfgen
