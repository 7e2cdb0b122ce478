// filter_command.h: what filter does once its command line is parsed: the program loaded
// (-b, -e, -c) and checked, the captures read as one, the packets it selects (or, with
// --invert, rejects) written as a pcap capture, and what --stats says about them. Tool glue
// over the library (MergedCaptures, PacketFilter, PcapWriter), kept here so a test can run
// it without a process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "command_line/rule_report_tool.h"
#include "libbpfgen/capture/merged_captures.h"

namespace filter_command {

// filter's command line, parsed.
struct FilterOptions {
    std::optional<std::string> bytecode;       // -b
    std::optional<std::string> expression;     // -e
    std::optional<std::string> assembly_file;  // -c
    bool network_layer = false;                // --l3
    bool invert = false;
    bool stats = false;
    bool unbuffered = false;  // -U
    std::string output = "-";
    std::vector<std::string> inputs;
    rule_report_tool::ReportOptions report;  // --report and its options
};

// What a run read and wrote.
struct FilterOutcome {
    uint64_t written = 0;
    bpfgen::MergeCounts counts;
};

// Filters options.inputs into options.output. Throws UsageError for a program that cannot be
// used, Error for inputs that cannot be read or an output that cannot be written; a capture
// cut short is no throw (counts.cuts names it).
FilterOutcome run_filter(const FilterOptions& options);

// What --stats prints (without its line end): "filter: wrote N of M packets (K matched the
// rule)", with --l3 how many had no IP header, and what stopped the reading if anything did.
std::string stats_line(const FilterOutcome& outcome, bool network_layer);

}  // namespace filter_command
