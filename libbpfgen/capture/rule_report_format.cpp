// rule_report_format.cpp: the table, JSON and SVG forms of a rule report.
#include "libbpfgen/capture/rule_report_format.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/markup_escape.h"

namespace bpfgen {

namespace {

// The date and time of the timestamp's second, with `separator` between the two.
std::string utc_date_time(int64_t seconds, char separator) {
    const time_t time = static_cast<time_t>(seconds);
    struct tm parts {};
    if (::gmtime_r(&time, &parts) == nullptr) return fmt::format("@{}", seconds);
    return fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}", parts.tm_year + 1900LL,
                       parts.tm_mon + 1, parts.tm_mday, separator, parts.tm_hour, parts.tm_min,
                       parts.tm_sec);
}

std::string fraction(const Timestamp& timestamp, TimestampPrecision precision) {
    if (precision == TimestampPrecision::Nanoseconds) {
        return fmt::format(".{:09}", timestamp.nanoseconds);
    }
    return fmt::format(".{:06}", timestamp.nanoseconds / 1000);
}

std::string rfc3339_time(const std::optional<Timestamp>& timestamp, TimestampPrecision precision) {
    if (!timestamp) return "null";
    return fmt::format("\"{}{}Z\"", utc_date_time(timestamp->seconds, 'T'),
                       fraction(*timestamp, precision));
}

std::string table_time(const std::optional<Timestamp>& timestamp, TimestampPrecision precision) {
    return timestamp ? format_utc_time(*timestamp, precision) : "-";
}

std::string share_of(uint64_t part, uint64_t whole) {
    if (whole == 0) return "-";
    return fmt::format("{:.2f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

std::string format_utc_time(const Timestamp& timestamp, TimestampPrecision precision) {
    return utc_date_time(timestamp.seconds, ' ') + fraction(timestamp, precision);
}

std::string format_report_table(const RuleReport& report) {
    std::string text = fmt::format("{} packet{}", report.packets, report.packets == 1 ? "" : "s");
    if (report.first_packet) {
        text += fmt::format(" from {} to {} UTC",
                            format_utc_time(*report.first_packet, report.precision),
                            format_utc_time(*report.last_packet, report.precision));
    }
    text += fmt::format("; {} without an IP header (no rule matches those)\n", report.without_ip);

    using Row = std::array<std::string, 6>;
    std::vector<Row> rows;
    rows.push_back({"rule", "matched", "%", "only", "first match (UTC)", "last match (UTC)"});
    for (const RuleTally& tally : report.rules) {
        rows.push_back({tally.rule, std::to_string(tally.matched),
                        share_of(tally.matched, report.packets), std::to_string(tally.only),
                        table_time(tally.first, report.precision),
                        table_time(tally.last, report.precision)});
    }
    std::array<std::size_t, 6> widths{};
    for (const Row& row : rows) {
        for (std::size_t column = 0; column < row.size(); ++column) {
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    for (const Row& row : rows) {
        std::string line =
            fmt::format("{:<{}}  {:>{}}  {:>{}}  {:>{}}  {:<{}}  {}", row[0], widths[0], row[1],
                        widths[1], row[2], widths[2], row[3], widths[3], row[4], widths[4], row[5]);
        line.erase(line.find_last_not_of(' ') + 1);
        text += line + "\n";
    }
    return text;
}

std::string format_report_json(const RuleReport& report) {
    std::string text = fmt::format(
        "{{\"packets\": {}, \"without_ip\": {}, \"first_packet\": {}, \"last_packet\": {}, "
        "\"rules\": [",
        report.packets, report.without_ip, rfc3339_time(report.first_packet, report.precision),
        rfc3339_time(report.last_packet, report.precision));
    bool first_rule = true;
    for (const RuleTally& tally : report.rules) {
        text += first_rule ? "\n  " : ",\n  ";
        first_rule = false;
        text += fmt::format(
            "{{\"rule\": {}, \"matched\": {}, \"only\": {}, \"first\": {}, \"last\": {}}}",
            json_string_literal(tally.rule), tally.matched, tally.only,
            rfc3339_time(tally.first, report.precision),
            rfc3339_time(tally.last, report.precision));
    }
    text += report.rules.empty() ? "]}\n" : "\n]}\n";
    return text;
}

namespace {

constexpr int64_t kMaxBins = 600;
constexpr double kWidth = 960;
constexpr double kPlotLeft = 70;
constexpr double kPlotRight = kWidth - 30;
constexpr double kPlotTop = 50;
constexpr double kPlotBottom = 290;
constexpr double kLegendTop = 340;
constexpr double kLegendLine = 18;
// Colours that stay apart from each other on white; rules beyond ten reuse them.
constexpr std::array<std::string_view, 10> kColours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                       "#bcbd22", "#17becf"};

// Each rule's matches summed over bins of bin_seconds from the first packet's second.
struct Bins {
    int64_t start_second = 0;
    int64_t bin_seconds = 1;
    std::vector<std::vector<uint64_t>> counts;  // per rule, per bin
    uint64_t largest = 0;
};

Bins bin_matches(const RuleReport& report) {
    Bins bins;
    int64_t span = 1;
    if (report.first_packet) {
        bins.start_second = report.first_packet->seconds;
        span = report.last_packet->seconds - bins.start_second + 1;
    }
    bins.bin_seconds = std::max<int64_t>(1, (span + kMaxBins - 1) / kMaxBins);
    const int64_t bin_count = (span + bins.bin_seconds - 1) / bins.bin_seconds;
    for (const RuleTally& tally : report.rules) {
        std::vector<uint64_t> counts(static_cast<std::size_t>(bin_count), 0);
        for (const auto& [second, matches] : tally.matches_per_second) {
            const int64_t bin = (second - bins.start_second) / bins.bin_seconds;
            counts[static_cast<std::size_t>(std::clamp<int64_t>(bin, 0, bin_count - 1))] += matches;
        }
        for (const uint64_t count : counts) bins.largest = std::max(bins.largest, count);
        bins.counts.push_back(std::move(counts));
    }
    return bins;
}

}  // namespace

std::string format_report_svg(const RuleReport& report) {
    const Bins bins = bin_matches(report);
    const double height = kLegendTop + kLegendLine * static_cast<double>(report.rules.size()) + 10;
    const double top_count = static_cast<double>(std::max<uint64_t>(bins.largest, 1));
    const auto y_of = [&](uint64_t count) {
        return kPlotBottom - (kPlotBottom - kPlotTop) * static_cast<double>(count) / top_count;
    };
    std::string svg = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        kWidth, height);
    const std::string unit =
        bins.bin_seconds == 1 ? "second" : fmt::format("{} seconds", bins.bin_seconds);
    svg += fmt::format(
        "<text x=\"{}\" y=\"24\" font-size=\"14\">Matches per {} by rule, {} packets read</text>\n",
        kPlotLeft, unit, report.packets);
    // Axes, the count at the top and the span of time below.
    svg += fmt::format(
        "<path d=\"M{0},{1} V{2} H{3}\" stroke=\"black\" fill=\"none\"/>\n"
        "<text x=\"{4}\" y=\"{1}\" text-anchor=\"end\" dy=\"4\">{5}</text>\n"
        "<text x=\"{4}\" y=\"{2}\" text-anchor=\"end\" dy=\"4\">0</text>\n",
        kPlotLeft, kPlotTop, kPlotBottom, kPlotRight, kPlotLeft - 6,
        static_cast<uint64_t>(top_count));
    if (report.first_packet) {
        svg += fmt::format(
            "<text x=\"{0}\" y=\"{2}\">{3} UTC</text>\n"
            "<text x=\"{1}\" y=\"{2}\" text-anchor=\"end\">{4} UTC</text>\n",
            kPlotLeft, kPlotRight, kPlotBottom + 18,
            utc_date_time(report.first_packet->seconds, ' '),
            utc_date_time(report.last_packet->seconds, ' '));
    }
    const std::size_t bin_count = bins.counts.empty() ? 1 : bins.counts.front().size();
    const double bin_width = (kPlotRight - kPlotLeft) / static_cast<double>(bin_count);
    for (std::size_t index = 0; index < report.rules.size(); ++index) {
        const RuleTally& tally = report.rules[index];
        const std::string_view colour = kColours[index % kColours.size()];
        const std::string rule = xml_escaped(tally.rule);
        // A step line: across each bin at its count, down or up at its edges; points
        // only where the count changes, so that a long quiet stretch is one segment.
        std::string points;
        const auto point = [&](double x, double y) {
            points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x, y);
        };
        for (std::size_t bin = 0; bin < bin_count; ++bin) {
            const uint64_t count = bins.counts[index][bin];
            const double left = kPlotLeft + bin_width * static_cast<double>(bin);
            if (bin == 0 || count != bins.counts[index][bin - 1]) {
                if (bin > 0) point(left, y_of(bins.counts[index][bin - 1]));
                point(left, y_of(count));
            }
        }
        point(kPlotRight, y_of(bins.counts[index][bin_count - 1]));
        svg += fmt::format(
            "<polyline class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
            "points=\"{}\"><title>{}</title></polyline>\n",
            colour, points, rule);
        const double line_y = kLegendTop + kLegendLine * static_cast<double>(index);
        svg += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
            "<text class=\"legend\" x=\"{}\" y=\"{}\">{} ({} matched)</text>\n",
            kPlotLeft, line_y - 10, colour, kPlotLeft + 18, line_y, rule, tally.matched);
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace bpfgen
