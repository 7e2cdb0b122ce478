// rule_report_tool.h: filter's --report mode on the command line: its options, the
// combinations refused, and the run that reads a rules file, reports on every rule over
// the captures (libbpfgen/capture/rule_report.h) and prints the table or JSON, and writes
// the SVG chart.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command_line/tool_options.h"

namespace rule_report_tool {

struct ReportOptions {
    bool report = false;                    // --report
    std::optional<std::string> rules_file;  // -f, --rules FILE
    bool json = false;                      // --json
    std::optional<std::string> svg_file;    // --svg FILE
};

// Adds --report, -f/--rules, --json and --svg, each given at most once.
void add_options(bpfgen::ToolOptions& tool, ReportOptions* options);

// An option of the tool's that --report does not take, and whether it was given.
struct OtherOption {
    std::string_view name;
    bool given;
};

// Throws UsageError for --report without -f, for -f, --json or --svg without --report, and
// for --report with any option of `others` given.
void check_options(const ReportOptions& options, const std::vector<OtherOption>& others);

// Reads the rules, then the captures (`inputs`, "-" for standard input), prints the table
// (or with --json the JSON) on stdout and writes the SVG chart when asked. Returns 0, or 1
// when a capture was cut short (its whole packets are counted, the cut named on stderr);
// throws UsageError for a bad rule (naming FILE:LINE) and Error for what else fails.
int run(std::string_view tool, const ReportOptions& options,
        const std::vector<std::string>& inputs);

}  // namespace rule_report_tool
