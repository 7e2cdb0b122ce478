// rule_report_tool_test.cpp: the option combinations filter --report refuses, without a
// process: --report needs -f and takes no program or output option; -f, --json and --svg
// need --report.
#include "command_line/rule_report_tool.h"

#include <gtest/gtest.h>

#include <string>

#include "libbpfgen/base/error.h"
#include "tests/common/usage_error.h"

namespace rule_report_tool {
namespace {

using bpftools::test::usage_error;

ReportOptions report_with_rules() {
    ReportOptions options;
    options.report = true;
    options.rules_file = "rules.txt";
    return options;
}

TEST(CheckReportOptions, TakesAReportWithRulesJsonAndSvg) {
    ReportOptions options = report_with_rules();
    options.json = true;
    options.svg_file = "chart.svg";
    EXPECT_NO_THROW(check_options(options, {{"-b", false}, {"--stats", false}}));
    EXPECT_NO_THROW(check_options(ReportOptions{}, {{"-b", true}}));
}

TEST(CheckReportOptions, RefusesAReportWithoutRules) {
    ReportOptions options;
    options.report = true;
    EXPECT_EQ(usage_error([&] { check_options(options, {}); }),
              "--report needs the rules: -f FILE");
    options.rules_file = "";
    EXPECT_EQ(usage_error([&] { check_options(options, {}); }), "-f needs a file name");
}

TEST(CheckReportOptions, RefusesAnSvgOnStdoutWhereTheReportGoes) {
    ReportOptions options = report_with_rules();
    options.svg_file = "-";
    EXPECT_EQ(usage_error([&] { check_options(options, {}); }),
              "--svg needs a file name: the report itself goes to stdout");
}

TEST(CheckReportOptions, RefusesReportOptionsWithoutReport) {
    ReportOptions rules;
    rules.rules_file = "rules.txt";
    EXPECT_NE(usage_error([&] { check_options(rules, {}); }).find("add --report"),
              std::string::npos);
    ReportOptions json;
    json.json = true;
    EXPECT_NE(usage_error([&] { check_options(json, {}); }).find("--json"), std::string::npos);
    ReportOptions svg;
    svg.svg_file = "x.svg";
    EXPECT_NE(usage_error([&] { check_options(svg, {}); }).find("--svg"), std::string::npos);
}

TEST(CheckReportOptions, RefusesAReportWithAnotherModesOption) {
    EXPECT_EQ(usage_error([] {
                  check_options(report_with_rules(), {{"-b", false}, {"--invert", true}});
              }),
              "--report runs the rules of -f FILE and prints a report; it takes no --invert");
}

}  // namespace
}  // namespace rule_report_tool
