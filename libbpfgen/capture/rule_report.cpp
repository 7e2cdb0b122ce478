// rule_report.cpp: counting many rules' verdicts over the same packets.
#include "libbpfgen/capture/rule_report.h"

#include <fmt/format.h>

#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/merged_captures.h"

namespace bpfgen {

bool earlier(const Timestamp& a, const Timestamp& b) {
    return a.seconds != b.seconds ? a.seconds < b.seconds : a.nanoseconds < b.nanoseconds;
}

namespace {

void widen(std::optional<Timestamp>& first, std::optional<Timestamp>& last,
           const Timestamp& timestamp) {
    if (!first || earlier(timestamp, *first)) first = timestamp;
    if (!last || earlier(*last, timestamp)) last = timestamp;
}

}  // namespace

RuleReporter::RuleReporter(std::vector<ReportRule> rules, int link_type,
                           TimestampPrecision precision)
    : link_type_(link_type) {
    report_.precision = precision;
    filters_.reserve(rules.size());
    report_.rules.reserve(rules.size());
    for (ReportRule& rule : rules) {
        filters_.emplace_back(std::move(rule.program), link_type, FilterLayer::Network);
        RuleTally tally;
        tally.rule = std::move(rule.text);
        report_.rules.push_back(std::move(tally));
    }
    matching_.reserve(rules.size());
}

void RuleReporter::add(const PcapPacket& packet) {
    ++report_.packets;
    widen(report_.first_packet, report_.last_packet, packet.timestamp);
    matching_.clear();
    // Without a rule, nothing else tells whether the packet has an IP header.
    bool has_ip = !filters_.empty() || find_network_layer(link_type_, packet.data).has_value();
    for (std::size_t index = 0; index < filters_.size(); ++index) {
        const std::optional<uint32_t> verdict =
            filters_[index].verdict(packet.data, packet.wire_length);
        if (!verdict) {
            has_ip = false;  // the same for every rule: none sees such a packet
            break;
        }
        if (*verdict != 0) matching_.push_back(index);
    }
    if (!has_ip) {
        ++report_.without_ip;
        return;
    }
    for (const std::size_t index : matching_) {
        RuleTally& tally = report_.rules[index];
        ++tally.matched;
        widen(tally.first, tally.last, packet.timestamp);
        ++tally.matches_per_second[packet.timestamp.seconds];
    }
    if (matching_.size() == 1) ++report_.rules[matching_.front()].only;
}

MergedRuleReport report_rules(MergedCaptures& captures, std::vector<ReportRule> rules) {
    RuleReporter reporter(std::move(rules), captures.link_type(), captures.finest_precision());
    MergedRuleReport result;
    MergedCaptures::ReadEnd end =
        captures.read_each([&](const PcapPacket& packet) { reporter.add(packet); });
    result.cuts = std::move(end.cuts);
    result.stopped = end.stopped;
    for (std::string& cut : result.cuts) {
        cut += " (the capture ends there: the packets before it were counted)";
    }
    result.report = reporter.report();
    return result;
}

}  // namespace bpfgen
