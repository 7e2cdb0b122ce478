// rule_report.h: many candidate rules run over the same packets in one pass, each as
// iptables' xt_bpf would run it (from the IP header on, as filter --l3 does), and what an
// operator weighs before choosing one: how many packets each matched, how many only it
// matched, when its matches began and ended, and how many it matched in each second.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libbpfgen/capture/packet_filter.h"
#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/cbpf/interpreter.h"

namespace bpfgen {

class MergedCaptures;

// One candidate: the text the operator wrote and the program it stands for, an offset-0
// program (it sees each packet from its IP header on).
struct ReportRule {
    std::string text;
    CheckedProgram program;
};

// What one rule matched.
struct RuleTally {
    std::string rule;
    uint64_t matched = 0;
    uint64_t only = 0;  // matched by this rule and by no other rule of the report
    // The earliest and latest timestamps of the packets it matched (not the first and last
    // read: captures need not be in time order), or nullopt when it matched none.
    std::optional<Timestamp> first;
    std::optional<Timestamp> last;
    // Packets matched in each second (the seconds of their timestamps since the epoch,
    // UTC); seconds without a match are absent.
    std::map<int64_t, uint64_t> matches_per_second;
};

struct RuleReport {
    uint64_t packets = 0;     // every packet read
    uint64_t without_ip = 0;  // of them, those without an IPv4/IPv6 header: no rule matches
    // The earliest and latest timestamps of every packet read, or nullopt when none was.
    std::optional<Timestamp> first_packet;
    std::optional<Timestamp> last_packet;
    TimestampPrecision precision = TimestampPrecision::Microseconds;  // of the captures
    std::vector<RuleTally> rules;  // in the order of the rules given
};

bool earlier(const Timestamp& a, const Timestamp& b);

// Counts packets for a report, one packet at a time.
class RuleReporter {
  public:
    // Throws Error when link_type is one whose IP headers cannot be found (link_layer.h).
    RuleReporter(std::vector<ReportRule> rules, int link_type,
                 TimestampPrecision precision = TimestampPrecision::Microseconds);

    // Runs every rule on the packet and counts its verdicts.
    void add(const PcapPacket& packet);
    const RuleReport& report() const { return report_; }

  private:
    std::vector<PacketFilter> filters_;
    int link_type_;
    RuleReport report_;
    std::vector<std::size_t> matching_;  // the rules matching the packet being added
};

struct MergedRuleReport {
    RuleReport report;
    // One message for each capture cut short: its whole packets were counted, and reading
    // went on with the next capture.
    std::vector<std::string> cuts;
    // A stop signal (SIGINT, SIGTERM) ended the reading: the report covers the packets
    // read before it.
    bool stopped = false;
};

// Reads every packet of the captures and reports on the rules over them. Throws Error as
// RuleReporter does, and naming the capture and packet that cannot be read.
MergedRuleReport report_rules(MergedCaptures& captures, std::vector<ReportRule> rules);

}  // namespace bpfgen
