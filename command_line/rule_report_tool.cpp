// rule_report_tool.cpp: the --report mode of filter, between its command line and the
// library.
#include "command_line/rule_report_tool.h"

#include <cstdio>

#include <fmt/format.h>

#include "command_line/capture_tool.h"
#include "generators/candidate_rules.h"
#include "libbpfgen/base/atomic_file.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/merged_captures.h"
#include "libbpfgen/capture/rule_report.h"
#include "libbpfgen/capture/rule_report_format.h"
#include "libbpfgen/cbpf/checker.h"

namespace rule_report_tool {

using bpfgen::UsageError;

void add_options(bpfgen::ToolOptions& tool, ReportOptions* options) {
    tool.add_single_switch("report", &options->report)
        .add_single_value("rules,f", &options->rules_file)
        .add_single_switch("json", &options->json)
        .add_single_value("svg", &options->svg_file);
}

void check_options(const ReportOptions& options, const std::vector<OtherOption>& others) {
    if (!options.report) {
        if (options.rules_file) throw UsageError("-f gives the rules of --report; add --report");
        if (options.json) throw UsageError("--json prints the report of --report; add --report");
        if (options.svg_file) throw UsageError("--svg draws the report of --report; add --report");
        return;
    }
    if (!options.rules_file) throw UsageError("--report needs the rules: -f FILE");
    if (options.rules_file->empty()) throw UsageError("-f needs a file name");
    if (options.svg_file && options.svg_file->empty()) throw UsageError("--svg needs a file name");
    if (options.svg_file == "-") {
        throw UsageError("--svg needs a file name: the report itself goes to stdout");
    }
    for (const OtherOption& other : others) {
        if (other.given) {
            throw UsageError(fmt::format(
                "--report runs the rules of -f FILE and prints a report; it takes no {}",
                other.name));
        }
    }
}

int run(std::string_view tool, const ReportOptions& options,
        const std::vector<std::string>& inputs) {
    capture_tool::refuse_capture_from_terminal(inputs);
    const std::vector<bpfgen::CandidateRule> candidates =
        bpfgen::read_candidate_rules(*options.rules_file);
    std::vector<bpfgen::ReportRule> rules;
    for (const bpfgen::CandidateRule& candidate : candidates) {
        // The report is for choosing a rule to deploy: say which xt_bpf would refuse.
        if (const auto too_long = bpfgen::xt_bpf_length_warning(candidate.program.program())) {
            std::fprintf(stderr, "%.*s: warning: %s: %s\n", static_cast<int>(tool.size()),
                         tool.data(), candidate.location.c_str(), too_long->c_str());
        }
        rules.push_back(bpfgen::ReportRule{candidate.text, candidate.program});
    }

    bpfgen::MergedCaptures captures(inputs);
    const bpfgen::PcapReader& first = captures.first();
    capture_tool::require_ip_headers(first, "--report");
    const bpfgen::MergedRuleReport result = bpfgen::report_rules(captures, std::move(rules));
    if (options.svg_file) {
        bpfgen::write_whole_file(*options.svg_file, bpfgen::format_report_svg(result.report), 0644);
    }
    // A reader of the report gone (SIGPIPE) ends the printing: nothing else to do.
    if (capture_tool::write_stdout(options.json ? bpfgen::format_report_json(result.report)
                                                : bpfgen::format_report_table(result.report))) {
        (void)capture_tool::flush_stdout();
    }
    if (result.stopped) {
        std::fprintf(stderr, "%.*s: stopped by %s: the report covers the packets read before\n",
                     static_cast<int>(tool.size()), tool.data(),
                     bpfgen::stop_signal_name(bpfgen::StopSignals::received()));
    }
    for (const std::string& cut : result.cuts) {
        std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(tool.size()), tool.data(),
                     capture_tool::one_line(cut).c_str());
    }
    return result.cuts.empty() ? 0 : 1;
}

}  // namespace rule_report_tool
