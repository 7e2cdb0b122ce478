// filter.cpp: reads pcap/pcapng captures and writes the packets a cBPF program accepts
// (or, with --invert, rejects) as a pcap capture, running the program with kernel
// semantics (PacketFilter::verdict, through the project's JIT). --l3 shows the program
// each packet from its IP header on, as iptables' xt_bpf does, so offset-0 rules can be
// tried on link-layer captures. The command line is parsed here; the run is
// command_line/filter_command.h's.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "command_line/capture_tool.h"
#include "command_line/filter_command.h"
#include "command_line/rule_report_tool.h"
#include "libbpfgen/base/error.h"

namespace {

using bpfgen::UsageError;

const std::string kUsage =
    R"USAGE(usage: filter [-b BYTECODE | -e EXPRESSION | -c ASMFILE] [--l3] [--invert]
              [--stats] [-U] [-w FILE] [FILE...]
       filter --report -f RULES [--json] [--svg FILE] [FILE...]

Reads pcap or pcapng captures (the FILEs, or standard input when there are none or for
'-') and writes the packets the program accepts as a pcap capture to standard output, or
to FILE with -w. Without a program every packet passes. All FILEs must share a link type.

  -b, --bytecode BYTECODE  xt_bpf bytecode, "N,code jt jf k,..." (bpfgen's output)
  -e, --expr EXPRESSION    a tcpdump/pcap-filter expression, compiled by libpcap for the
                           captures' link type (for raw IP with --l3)
  -c, --compile ASMFILE    a program in bpf_asm syntax
      --l3                 run the program on each packet from its IP header on, as
                           iptables' xt_bpf does (for offset-0 rules, bpfgen -o 0); packets
                           without an IPv4/IPv6 header do not match
      --invert             write the packets that do NOT match
      --stats              print "filter: wrote N of M packets (K matched the rule)"
                           on stderr
  -w, --write FILE         write to FILE (replaced only once complete) instead of stdout
  -U, --packet-buffered    write each packet as soon as it is read and selected (a live
                           pipeline, as tcpdump -U); by default packets go out in large
                           blocks. With -w the file appears once the input ends or stops.
      --report             run every rule of -f RULES over the packets in one pass, each
                           as --l3 runs it, and print a table: rule, packets matched, %
                           of the capture, packets this rule alone matched, first and
                           last match (UTC); no -b/-e/-c/--invert/--stats/-w
  -f, --rules RULES        one rule a line: a bpfgen command line at offset 0
                           ("dns -- *.example.com", "-6 tcpdump -- udp port 53") or
                           "bytecode:N,c t f k,..."; words split as a POSIX shell does
                           ('...', "...", \ escapes, no expansion), # starts a comment
      --json               print the report as JSON instead of the table
      --svg FILE           also draw each rule's matches per second as an SVG chart
  -h, --help               this text

A packet matches when the program returns non-zero. A capture cut short (its last
record incomplete) keeps its whole packets: they are filtered and written, the cut is
named, and the exit status is 1. A program that cannot be used exits with 2. A rule whose
loads show another IP header offset than the captures have (an offset-16 rule on the Linux
cooked v2 of `tcpdump -i any`, which needs bpfgen -o 20 or --l2 sll2) is named in a warning.
SIGINT (Ctrl-C) or SIGTERM stops the reading: the output is a valid capture of every
packet processed, --stats says "; stopped by SIGINT", and the exit status is 0, as
tcpdump's. So is it when the output's reader goes away (SIGPIPE: `| head -c 100`).
Examples:
  filter -e "udp port 53" capture.pcap > dns.pcap
  filter --l3 -b "$(bpfgen dns -- example.com)" --stats capture.pcap > hits.pcap
  tcpdump -U -i eth0 -w - udp port 53 | filter -U --stats -b "$R" > hits.pcap
  filter --report -f candidates.txt --svg matches.svg capture.pcap
)USAGE";

using Options = filter_command::FilterOptions;

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    bool help = false;
    std::optional<std::string> output;
    bpfgen::ToolOptions tool("filter");
    tool.add_single_value("bytecode,b", &options.bytecode)
        .add_single_value("expr,e", &options.expression)
        .add_single_value("compile,c", &options.assembly_file)
        .add_single_switch("l3", &options.network_layer)
        .add_single_switch("invert", &options.invert)
        .add_single_switch("stats", &options.stats)
        .add_single_switch("packet-buffered,U", &options.unbuffered)
        .add_single_value("write,w", &output);
    rule_report_tool::add_options(tool, &options.report);
    std::vector<std::string> operands = bpfgen::parse_options_and_operands(tool, argc, argv, &help);
    if (help) return std::nullopt;
    if (output) options.output = *output;
    const int programs =
        (options.bytecode ? 1 : 0) + (options.expression ? 1 : 0) + (options.assembly_file ? 1 : 0);
    if (programs > 1) throw UsageError("give at most one of -b, -e and -c");
    rule_report_tool::check_options(options.report, {{"-b", options.bytecode.has_value()},
                                                     {"-e", options.expression.has_value()},
                                                     {"-c", options.assembly_file.has_value()},
                                                     {"--invert", options.invert},
                                                     {"--stats", options.stats},
                                                     {"-U", options.unbuffered},
                                                     {"-w", output.has_value()}});
    if (options.output.empty()) throw UsageError("-w needs a file name");
    options.inputs = capture_tool::inputs_or_stdin(std::move(operands));
    return options;
}

int filter_main(int argc, char** argv) {
    const std::optional<Options> parsed = parse_options(argc, argv);
    if (!parsed) return -1;
    const Options& options = *parsed;
    if (options.report.report)
        return rule_report_tool::run("filter", options.report, options.inputs);

    const filter_command::FilterOutcome outcome = filter_command::run_filter(options);
    // A cut input is no reason to take back what was written: the body returns the
    // failure rather than throwing it, which would cut a regular-file stdout back.
    for (const std::string& cut : outcome.counts.cuts) {
        std::fprintf(stderr, "filter: %s\n", capture_tool::one_line(cut).c_str());
    }
    if (options.stats) {
        std::fprintf(stderr, "%s\n",
                     filter_command::stats_line(outcome, options.network_layer).c_str());
    }
    return outcome.counts.cuts.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return capture_tool::run("filter", kUsage, [&] { return filter_main(argc, argv); });
}
