// xdp_differential_test.cpp: the proof that a rule compiled to XDP matches exactly the
// frames our interpreter matches. Every recorded bytecode of the reference cases (every
// generator, offset form and IP version) runs in both layouts (network: the semantics of
// `filter --l3`; link layer: the frame as is) over every test capture's frames and over
// crafted frames cut at every length, in the kernel through BPF_PROG_TEST_RUN; the kernel's
// drop or pass must be our interpreter's match or no match, with no exception.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"
#include "tests/common/capture_files.h"
#include "tests/common/crafted_packets.h"
#include "tests/common/reference_cases.h"

namespace bpfgen::ebpf {
namespace {

using bpftools::test::Bytes;

// XDP_PROG_TEST_RUN takes a frame that fits in one page beside its headroom and tail.
constexpr std::size_t kLargestTestFrame = 3500;

// Frames with more than two VLAN tags: XDP rules look behind two at most (a documented
// difference), so they are not part of the comparison of network rules.
bool has_more_than_two_vlan_tags(const Bytes& frame) {
    const std::optional<LinkSummary> link = summarize_link_header(linktype::kEthernet, frame);
    return link && link->length > 22;
}

std::vector<Bytes> test_frames() {
    std::vector<Bytes> frames;
    const auto add = [&frames](Bytes frame) {
        if (frame.size() >= 14 && frame.size() <= kLargestTestFrame) {
            frames.push_back(std::move(frame));
        }
    };
    for (const char* name :
         {"802.1ad_QinQ.pcap", "LINKTYPE_IPV4.pcap", "LINKTYPE_IPV6.pcap", "LINKTYPE_RAW_ipv4.pcap",
          "LINKTYPE_RAW_ipv6.pcap", "ahcp.pcapng", "babel.pcap", "dns-badcookie.pcap",
          "dns-zlip-1.pcap", "dns_tcp.pcap", "dns_udp.pcap", "dnssec.pcap", "edns-opts.pcap",
          "ldp-common-session.pcap", "tcp-handshake-nano.pcap", "time_2107.pcapng"}) {
        const bpftools::test::Capture capture = bpftools::test::read_capture(name);
        for (const auto& packet : capture.packets) {
            add(capture.link_type == linktype::kEthernet
                    ? packet.data
                    : normalize_to_ethernet(capture.link_type, packet.data));
        }
    }
    // Every cut of the crafted Ethernet and 802.1Q frames: loads just inside and just past
    // the end, IP lengths longer and shorter than the frame.
    for (const Bytes& packet : bpftools::test::crafted_packets()) {
        for (std::size_t length = 14; length <= std::min<std::size_t>(packet.size(), 160);
             ++length) {
            add(Bytes(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(length)));
        }
        add(packet);
    }
    return frames;
}

class XdpDifferentialTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string reason;
        if (!bpf_available(reason)) GTEST_SKIP() << "bpf() is not permitted here: " << reason;
    }
};

TEST_F(XdpDifferentialTest, EveryReferenceBytecodeAgreesWithTheInterpreterOnEveryFrame) {
    const std::vector<Bytes> frames = test_frames();
    std::size_t programs = 0, runs = 0, drops = 0, disagreements = 0, deep_vlan_frames = 0;
    for (const Bytes& frame : frames) deep_vlan_frames += has_more_than_two_vlan_tags(frame);
    for (const auto& reference : bpftools::test::load_reference_cases()) {
        if (reference.rc != 0 || reference.bytecode.empty()) continue;
        const bpfgen::Program program = parse_xt_bpf(reference.bytecode);
        for (const RuleLayer layer : {RuleLayer::Network, RuleLayer::LinkLayer}) {
            const bool network = layer == RuleLayer::Network;
            XdpRule rule{reference.describe(), CheckedProgram(program, Engine::Interpreter), layer,
                         RuleAction::Drop};
            const PacketFilter interpreter(rule.program, linktype::kEthernet,
                                           network ? FilterLayer::Network : FilterLayer::LinkLayer);
            const LoadedXdp loaded = load_xdp(compile_xdp({rule}), {rule.name});
            ++programs;
            for (const Bytes& frame : frames) {
                if (network && has_more_than_two_vlan_tags(frame)) continue;
                const std::optional<uint32_t> verdict =
                    interpreter.verdict(frame, static_cast<uint32_t>(frame.size()));
                const bool matches = verdict && *verdict != 0;
                const int action = test_run(loaded.program, frame);
                ++runs;
                drops += action == kXdpDrop;
                if (action != (matches ? kXdpDrop : kXdpPass)) {
                    if (++disagreements <= 20) {
                        ADD_FAILURE()
                            << reference.describe() << (network ? " network" : " link")
                            << " layer: the interpreter says " << (matches ? "match" : "no match")
                            << ", the kernel returns XDP action " << action << " for the "
                            << frame.size() << "-byte frame " << hex_encode(frame);
                    }
                }
            }
        }
    }
    std::printf(
        "%zu programs, %zu frames (%zu with more than two VLAN tags, link layer only), "
        "%zu kernel test runs (%zu drops), %zu disagreements\n",
        programs, frames.size(), deep_vlan_frames, runs, drops, disagreements);
    EXPECT_GT(programs, 400u);
    // Both verdicts must be common for the comparison to mean anything.
    EXPECT_GT(drops, runs / 100);
    EXPECT_LT(drops, runs - runs / 100);
    EXPECT_EQ(disagreements, 0u);
}

}  // namespace
}  // namespace bpfgen::ebpf
