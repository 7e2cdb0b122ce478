// xdp_rules_test.cpp: xdp_bpf's rules from generator runs: the two offsets, destinations and
// ports, and the errors that name the rule.
#include "generators/xdp_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::expect_error;

XdpRuleRequest dns_request(const std::string& offset = "0") {
    XdpRuleRequest request;
    request.text = "the rule";
    request.generator = "dns";
    request.generator_args = {"--", "*.example.com"};
    request.offset = offset;
    return request;
}

TEST(XdpRulesTest, OffsetZeroIsANetworkRuleAndFourteenALinkLayerOne) {
    const ebpf::XdpRule network = make_xdp_rule(dns_request("0"));
    EXPECT_EQ(network.name, "the rule");
    EXPECT_EQ(network.layer, ebpf::RuleLayer::Network);
    GeneratorOptions at_zero;
    EXPECT_EQ(network.program.program(), generate("dns", {"--", "*.example.com"}, at_zero).program);
    const ebpf::XdpRule link = make_xdp_rule(dns_request("14"));
    EXPECT_EQ(link.layer, ebpf::RuleLayer::LinkLayer);
    GeneratorOptions at_fourteen;
    at_fourteen.l3_offset = 14;
    EXPECT_EQ(link.program.program(),
              generate("dns", {"--", "*.example.com"}, at_fourteen).program);
    expect_error([] { make_xdp_rule(dns_request("18")); },
                 {"rule 'the rule': offset '18'", "0, or the Ethernet frame, 14"});
}

TEST(XdpRulesTest, CountOnlyMakesACountingRule) {
    XdpRuleRequest request = dns_request();
    EXPECT_EQ(make_xdp_rule(request).action, ebpf::RuleAction::Drop);
    request.count_only = true;
    EXPECT_EQ(make_xdp_rule(request).action, ebpf::RuleAction::Count);
}

TEST(XdpRulesTest, DestinationsAndTheLastPortRestrictANetworkRule) {
    XdpRuleRequest request = dns_request();
    request.destinations = {"192.0.2.0/24", "2001:db8::1"};
    request.ports = {"54", "53"};
    const ebpf::XdpRule rule = make_xdp_rule(request);
    ASSERT_EQ(rule.destinations.size(), 2u);
    EXPECT_EQ(rule.destinations[0].address, (std::vector<uint8_t>{192, 0, 2, 0}));
    EXPECT_EQ(rule.destinations[0].length, 24u);
    EXPECT_EQ(rule.destinations[1].address.size(), 16u);
    EXPECT_EQ(rule.destinations[1].length, 128u);
    EXPECT_EQ(rule.destination_port, 53);
    request.offset = "14";
    expect_error([&] { make_xdp_rule(request); }, {"--dst and --dport need offset 0"});
}

TEST(XdpRulesTest, BadPrefixesAndPortsAreUsageErrorsNamingTheRule) {
    for (const char* text :
         {"example.com", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/0024"}) {
        EXPECT_THROW(parse_destination_prefix("r", text), UsageError) << text;
    }
    expect_error([] { parse_destination_prefix("r", "x/8"); },
                 {"rule 'r': --dst 'x/8' is no IPv4 or IPv6 address"});
    EXPECT_EQ(parse_destination_prefix("r", "10.0.0.0/0").length, 0u);
    for (const char* text : {"", "65536", "-1", "53x", "123456"}) {
        EXPECT_THROW(parse_destination_port("r", text), UsageError) << text;
    }
    EXPECT_EQ(parse_destination_port("r", "65535"), 65535);
    expect_error([] { parse_destination_port("r", "http"); },
                 {"rule 'r': --dport 'http' is no port number (0-65535)"});
}

TEST(XdpRulesTest, BytecodeIsANetworkRuleOfThatProgram) {
    const ebpf::XdpRule rule = xdp_rule_from_bytecode("bytecode:2,6 0 0 0,6 0 0 1", true);
    EXPECT_EQ(rule.name, "bytecode:2,6 0 0 0,6 0 0 1");
    EXPECT_EQ(rule.program.program().size(), 2u);
    EXPECT_EQ(rule.layer, ebpf::RuleLayer::Network);
    EXPECT_EQ(rule.action, ebpf::RuleAction::Count);
    EXPECT_THROW(xdp_rule_from_bytecode("bytecode:2,6 0 0 0", false), Error);
}

}  // namespace
}  // namespace bpfgen
