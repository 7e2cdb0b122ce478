// rule_report_test.cpp: the rule report's counts on hand-made Ethernet packets: what each
// rule matched, what it alone matched, its first and last match by timestamp (not by
// order of reading), matches per second, packets without an IP header, and its table,
// JSON and SVG forms.
#include "libbpfgen/capture/rule_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/pcap_compiler.h"
#include "libbpfgen/capture/rule_report_format.h"
#include "tests/common/crafted_packets.h"

namespace bpfgen {
namespace {

using bpftools::test::Bytes;
using bpftools::test::concat;
using bpftools::test::dns_query;
using bpftools::test::ipv4;
using bpftools::test::ipv6;
using bpftools::test::tcp_syn;
using bpftools::test::udp;

// An offset-0 rule, compiled by libpcap for raw IP as bpfgen's tcpdump generator does.
ReportRule rule(const std::string& expression) {
    return ReportRule{expression,
                      CheckedProgram(compile_pcap_filter(expression, linktype::kRaw, 65535))};
}

Bytes ethernet(const Bytes& packet, bool v6 = false) {
    return concat(
        {{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}, v6 ? Bytes{0x86, 0xdd} : Bytes{0x08, 0x00}, packet});
}

const Bytes kDns = ethernet(ipv4(17, {192, 0, 2, 1}, udp(3333, 53, dns_query("example.com"))));
const Bytes kDns6 = ethernet(ipv6(17, udp(3333, 53, dns_query("example.com"))), true);
const Bytes kSyn = ethernet(ipv4(6, {10, 9, 8, 7}, tcp_syn(40000, 80)));
const Bytes kArp =
    concat({{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06}, Bytes(28, 0)});

void add(RuleReporter& reporter, const Bytes& frame, int64_t seconds, uint32_t nanoseconds = 0) {
    PcapPacket packet;
    packet.timestamp = Timestamp{seconds, nanoseconds};
    packet.data = frame;
    packet.wire_length = static_cast<uint32_t>(frame.size());
    reporter.add(packet);
}

std::vector<ReportRule> three_rules() {
    std::vector<ReportRule> rules;
    rules.push_back(rule("udp"));
    rules.push_back(rule("udp port 53 and ip"));
    rules.push_back(rule("tcp"));
    return rules;
}

TEST(RuleReporter, CountsWhatEachRuleMatchedAndWhatOnlyItMatched) {
    RuleReporter reporter(three_rules(), linktype::kEthernet);
    add(reporter, kDns, 100);   // udp, udp port 53 and ip
    add(reporter, kDns6, 101);  // udp alone
    add(reporter, kSyn, 102);   // tcp alone
    add(reporter, kSyn, 103);   // tcp alone
    add(reporter, kArp, 104);   // no IP header: no rule
    const RuleReport& report = reporter.report();
    EXPECT_EQ(report.packets, 5u);
    EXPECT_EQ(report.without_ip, 1u);
    ASSERT_EQ(report.rules.size(), 3u);
    EXPECT_EQ(report.rules[0].rule, "udp");
    EXPECT_EQ(report.rules[0].matched, 2u);
    EXPECT_EQ(report.rules[0].only, 1u);
    EXPECT_EQ(report.rules[1].matched, 1u);
    EXPECT_EQ(report.rules[1].only, 0u);
    EXPECT_EQ(report.rules[2].matched, 2u);
    EXPECT_EQ(report.rules[2].only, 2u);
}

TEST(RuleReporter, FirstAndLastMatchAreTheEarliestAndLatestTimestamps) {
    RuleReporter reporter(three_rules(), linktype::kEthernet);
    add(reporter, kSyn, 200, 5);
    add(reporter, kSyn, 150, 7);  // read later, earlier in time
    add(reporter, kSyn, 200, 9);
    add(reporter, kDns, 50);
    const RuleReport& report = reporter.report();
    const RuleTally& tcp = report.rules[2];
    EXPECT_EQ(tcp.first, (Timestamp{150, 7}));
    EXPECT_EQ(tcp.last, (Timestamp{200, 9}));
    EXPECT_EQ(report.first_packet, (Timestamp{50, 0}));
    EXPECT_EQ(report.last_packet, (Timestamp{200, 9}));
    EXPECT_EQ(report.rules[1].first, (Timestamp{50, 0}));
    EXPECT_EQ(report.rules[1].last, (Timestamp{50, 0}));
}

TEST(RuleReporter, ARuleThatMatchesNothingHasNoFirstOrLast) {
    std::vector<ReportRule> rules;
    rules.push_back(rule("icmp"));
    RuleReporter reporter(std::move(rules), linktype::kEthernet);
    add(reporter, kDns, 1);
    EXPECT_EQ(reporter.report().rules[0].matched, 0u);
    EXPECT_FALSE(reporter.report().rules[0].first);
    EXPECT_FALSE(reporter.report().rules[0].last);
    EXPECT_TRUE(reporter.report().rules[0].matches_per_second.empty());
}

TEST(RuleReporter, CountsMatchesPerSecond) {
    RuleReporter reporter(three_rules(), linktype::kEthernet);
    add(reporter, kSyn, 10, 1);
    add(reporter, kSyn, 10, 999999999);
    add(reporter, kSyn, 12);
    add(reporter, kDns, 11);
    const std::map<int64_t, uint64_t> expected = {{10, 2}, {12, 1}};
    EXPECT_EQ(reporter.report().rules[2].matches_per_second, expected);
}

TEST(RuleReporter, SeesPacketsFromTheirIpHeaderAsFilterL3Does) {
    // An offset-0 rule reading the IP version nibble: on the frame it would read a MAC.
    std::vector<ReportRule> rules;
    rules.push_back(rule("ip[0] & 0xf0 = 0x40"));
    RuleReporter reporter(std::move(rules), linktype::kEthernet);
    add(reporter, kDns, 1);
    add(reporter, kDns6, 2);
    EXPECT_EQ(reporter.report().rules[0].matched, 1u);
}

TEST(RuleReporter, RefusesALinkTypeWithoutIpHeadersItKnows) {
    EXPECT_THROW(RuleReporter(three_rules(), 160), Error);
}

TEST(RuleReporter, WithoutRulesStillCountsPacketsWithoutIp) {
    RuleReporter reporter({}, linktype::kEthernet);
    add(reporter, kDns, 1);
    add(reporter, kArp, 2);
    EXPECT_EQ(reporter.report().packets, 2u);
    EXPECT_EQ(reporter.report().without_ip, 1u);
}

RuleReport sample_report() {
    std::vector<ReportRule> rules;
    rules.push_back(rule("udp"));
    rules.push_back(rule("tcp"));
    rules.back().text = R"(say "tcp" \ <&> ')";
    RuleReporter reporter(std::move(rules), linktype::kEthernet);
    add(reporter, kDns, 1396353600, 123456000);  // 2014-04-01 12:00:00.123456 UTC
    add(reporter, kSyn, 1396353602);
    add(reporter, kSyn, 1396353603);
    return reporter.report();
}

TEST(RuleReportFormat, TimesAreUtcToTheCapturesPrecision) {
    EXPECT_EQ(format_utc_time(Timestamp{1396353600, 123456789}, TimestampPrecision::Microseconds),
              "2014-04-01 12:00:00.123456");
    EXPECT_EQ(format_utc_time(Timestamp{1396353600, 123456789}, TimestampPrecision::Nanoseconds),
              "2014-04-01 12:00:00.123456789");
}

TEST(RuleReportFormat, TableHasOneAlignedRowPerRule) {
    const std::string table = format_report_table(sample_report());
    EXPECT_EQ(table,
              "3 packets from 2014-04-01 12:00:00.123456 to 2014-04-01 12:00:03.000000 UTC; 0 "
              "without an IP header (no rule matches those)\n"
              "rule               matched       %  only  first match (UTC)           last "
              "match (UTC)\n"
              "udp                      1  33.33%     1  2014-04-01 12:00:00.123456  "
              "2014-04-01 12:00:00.123456\n"
              "say \"tcp\" \\ <&> '        2  66.67%     2  2014-04-01 12:00:02.000000  "
              "2014-04-01 12:00:03.000000\n");
}

TEST(RuleReportFormat, JsonEscapesTheRuleText) {
    const std::string json = format_report_json(sample_report());
    EXPECT_NE(json.find(R"({"rule": "say \"tcp\" \\ <&> '", "matched": 2, "only": 2, )"
                        R"("first": "2014-04-01T12:00:02.000000Z", )"
                        R"("last": "2014-04-01T12:00:03.000000Z"})"),
              std::string::npos)
        << json;
    EXPECT_TRUE(json.starts_with(R"({"packets": 3, "without_ip": 0, )")) << json;
}

TEST(RuleReportFormat, JsonHasNullTimesForARuleWithoutMatches) {
    std::vector<ReportRule> rules;
    rules.push_back(rule("icmp"));
    const std::string json = format_report_json(RuleReporter(std::move(rules), 1).report());
    EXPECT_EQ(json,
              "{\"packets\": 0, \"without_ip\": 0, \"first_packet\": null, \"last_packet\": "
              "null, \"rules\": [\n  {\"rule\": \"icmp\", \"matched\": 0, \"only\": 0, "
              "\"first\": null, \"last\": null}\n]}\n");
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

TEST(RuleReportFormat, SvgHasOneSeriesPerRuleAndEscapesTheLegend) {
    const std::string svg = format_report_svg(sample_report());
    EXPECT_EQ(occurrences(svg, "<polyline class=\"series\""), 2u);
    EXPECT_NE(svg.find("say &quot;tcp&quot; \\ &lt;&amp;&gt; &apos; (2 matched)"),
              std::string::npos);
    EXPECT_EQ(svg.find("<&>"), std::string::npos);
    EXPECT_NE(svg.find("Matches per second"), std::string::npos);
    // Four seconds: the tcp series is 0, 0, 1, 1 high; the udp series 1, 0, 0, 0.
    const auto points_of = [&](std::size_t series) {
        const std::size_t start = svg.find("points=\"", series) + 8;
        return svg.substr(start, svg.find('"', start) - start);
    };
    const std::size_t udp = svg.find("<polyline");
    const std::size_t tcp = svg.find("<polyline", udp + 1);
    EXPECT_EQ(points_of(udp), "70.0,50.0 285.0,50.0 285.0,290.0 930.0,290.0");
    EXPECT_EQ(points_of(tcp), "70.0,290.0 500.0,290.0 500.0,50.0 930.0,50.0");
}

TEST(RuleReportFormat, SvgBinsALongSpanIntoAtMostSixHundredSteps) {
    std::vector<ReportRule> rules;
    rules.push_back(rule("tcp"));
    RuleReporter reporter(std::move(rules), linktype::kEthernet);
    add(reporter, kSyn, 0);
    add(reporter, kSyn, 3599);
    const std::string svg = format_report_svg(reporter.report());
    EXPECT_NE(svg.find("Matches per 6 seconds"), std::string::npos);
    // 600 bins: the first and the last at 1, the ones between at 0.
    const std::size_t series = svg.find("points=\"") + 8;
    const std::string points = svg.substr(series, svg.find('"', series) - series);
    EXPECT_EQ(points, "70.0,50.0 71.4,50.0 71.4,290.0 928.6,290.0 928.6,50.0 930.0,50.0");
}

}  // namespace
}  // namespace bpfgen
