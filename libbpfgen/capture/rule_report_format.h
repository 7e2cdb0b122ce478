// rule_report_format.h: a rule report (rule_report.h) as the operator reads it: a table,
// JSON for scripts, and an SVG chart of each rule's matches over time.
#pragma once

#include <string>

#include "libbpfgen/capture/pcap_io.h"
#include "libbpfgen/capture/rule_report.h"

namespace bpfgen {

// "2014-04-01 12:00:00.123456" (UTC), to the microsecond or, with Nanoseconds, to the
// nanosecond.
std::string format_utc_time(const Timestamp& timestamp, TimestampPrecision precision);

// A line saying how many packets were read over which span, then one row per rule:
// rule, packets matched, their share of the capture, packets only this rule matched,
// first and last match time (UTC; "-" when none). Columns are aligned; ends with "\n".
std::string format_report_table(const RuleReport& report);

// {"packets": N, "without_ip": N, "first_packet": TIME, "last_packet": TIME,
//  "rules": [{"rule": "...", "matched": N, "only": N, "first": TIME, "last": TIME}, ...]}
// with TIME an RFC 3339 UTC string ("2014-04-01T12:00:00.123456Z") or null. Valid JSON
// whatever the rules' text holds.
std::string format_report_json(const RuleReport& report);

// An SVG document charting each rule's matches per second from the first packet read to
// the last, one step line (a polyline of class "series", titled with the rule, with a
// point where its count changes) per rule,
// and a legend naming each rule and its count. Over a span longer than 600 seconds the
// counts are summed over bins of several seconds, as the title says.
std::string format_report_svg(const RuleReport& report);

}  // namespace bpfgen
