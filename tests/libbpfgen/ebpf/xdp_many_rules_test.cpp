// xdp_many_rules_test.cpp: many rules in one XDP program: they run in order, the first
// drop wins, count-only rules count and let later rules run, every rule's counters and the
// passed packets add up, and a thousand dns rules pass the verifier.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"
#include "tests/common/crafted_packets.h"

namespace bpfgen::ebpf {
namespace {

using bpftools::test::Bytes;

XdpRule dns_rule(const std::string& pattern, RuleAction action = RuleAction::Drop) {
    return XdpRule{
        "dns -- " + pattern,
        CheckedProgram(generate("dns", {pattern}, GeneratorOptions{}).program, Engine::Interpreter),
        RuleLayer::Network, action};
}

Bytes dns_frame(const std::string& name) {
    using namespace bpftools::test;
    return framed(ipv4(17, {192, 0, 2, 1}, udp(3333, 53, dns_query(name))), false)[1];
}

class XdpManyRulesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string reason;
        if (!bpf_available(reason)) GTEST_SKIP() << "bpf() is not permitted here: " << reason;
    }
};

TEST_F(XdpManyRulesTest, TheFirstDropWinsAndEveryRuleCountsItsMatches) {
    const std::vector<XdpRule> rules = {dns_rule("*.example.com", RuleAction::Count),
                                        dns_rule("www.example.com"), dns_rule("*.com")};
    const LoadedXdp loaded = load_xdp(compile_xdp(rules), {});
    const Bytes www = dns_frame("www.example.com"), other = dns_frame("other.com"),
                uk = dns_frame("example.uk");
    EXPECT_EQ(test_run(loaded.program, www), kXdpDrop);    // counted by 0, dropped by 1
    EXPECT_EQ(test_run(loaded.program, other), kXdpDrop);  // dropped by 2
    EXPECT_EQ(test_run(loaded.program, uk), kXdpPass);
    EXPECT_EQ(test_run(loaded.program, uk), kXdpPass);
    const std::vector<CounterSlot> counters = read_counters(loaded.counters, 4);
    EXPECT_EQ(counters[0].packets, 1u);
    EXPECT_EQ(counters[0].bytes, www.size());
    EXPECT_EQ(counters[1].packets, 1u);
    EXPECT_EQ(counters[2].packets, 1u);
    EXPECT_EQ(counters[2].bytes, other.size());
    EXPECT_EQ(counters[3].packets, 2u);  // passed
    EXPECT_EQ(counters[3].bytes, 2 * uk.size());
}

TEST_F(XdpManyRulesTest, AThousandDnsRulesLoadInOneProgram) {
    std::vector<XdpRule> rules;
    for (int i = 0; i < 1000; ++i)
        rules.push_back(dns_rule("*.site" + std::to_string(i) + ".example"));
    const auto start = std::chrono::steady_clock::now();
    const CompiledXdp compiled = compile_xdp(rules);
    const LoadedXdp loaded = load_xdp(compiled, {});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t slots = 0;
    for (const Program& program : compiled.programs) slots += program.slots();
    std::printf(
        "1000 dns rules: %zu eBPF instructions in %zu chained programs, compiled and "
        "loaded in %.2f s\n",
        slots, compiled.programs.size(), seconds);
    EXPECT_EQ(test_run(loaded.program, dns_frame("x.site0.example")), kXdpDrop);
    EXPECT_EQ(test_run(loaded.program, dns_frame("x.site500.example")), kXdpDrop);
    EXPECT_EQ(test_run(loaded.program, dns_frame("x.site999.example")), kXdpDrop);
    const std::vector<CounterSlot> counters = read_counters(loaded.counters, 1001);
    EXPECT_EQ(counters[0].packets, 1u);
    EXPECT_EQ(counters[500].packets, 1u);
    EXPECT_EQ(counters[999].packets, 1u);
    EXPECT_EQ(test_run(loaded.program, dns_frame("x.site1000.example")), kXdpPass);
    EXPECT_EQ(read_counters(loaded.counters, 1001)[1000].packets, 1u);  // passed
}

}  // namespace
}  // namespace bpfgen::ebpf
