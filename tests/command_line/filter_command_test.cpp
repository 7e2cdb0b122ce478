// filter_command_test.cpp: filter's run without a process: what it reads, matches and
// writes with and without --invert and --l3, the programs it refuses as usage errors, and
// its --stats line, including a stop by a signal.
#include "command_line/filter_command.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/pcap_io.h"
#include "tests/common/capture_files.h"
#include "tests/common/test_files.h"

namespace filter_command {
namespace {

using bpftools::test::data_file;
using bpftools::test::TemporaryDirectory;

uint64_t packets_in(const std::string& path) {
    bpfgen::PcapReader reader(path);
    while (reader.next()) {
    }
    return reader.packets_read();
}

FilterOptions dns_queries_into(const std::string& output) {
    FilterOptions options;
    options.expression = "udp dst port 53";
    options.inputs = {data_file("dns_udp.pcap")};
    options.output = output;
    return options;
}

TEST(RunFilter, WritesTheMatchesAndCountsThem) {
    TemporaryDirectory directory;
    const std::string out = directory.file("out.pcap");
    const FilterOutcome outcome = run_filter(dns_queries_into(out));
    const uint64_t total = packets_in(data_file("dns_udp.pcap"));
    EXPECT_EQ(outcome.counts.read, total);
    EXPECT_GT(outcome.counts.matched, 0u);
    EXPECT_LT(outcome.counts.matched, total);
    EXPECT_EQ(outcome.written, outcome.counts.matched);
    EXPECT_EQ(packets_in(out), outcome.written);
    EXPECT_FALSE(outcome.counts.stopped);
    EXPECT_EQ(stats_line(outcome, false),
              "filter: wrote " + std::to_string(outcome.written) + " of " + std::to_string(total) +
                  " packets (" + std::to_string(outcome.written) + " matched the rule)");
}

TEST(RunFilter, InvertedWritesTheOthersAndStillCountsTheMatches) {
    TemporaryDirectory directory;
    FilterOptions options = dns_queries_into(directory.file("out.pcap"));
    options.invert = true;
    const FilterOutcome outcome = run_filter(options);
    EXPECT_EQ(outcome.written, outcome.counts.read - outcome.counts.matched);
    EXPECT_EQ(packets_in(options.output), outcome.written);
}

TEST(RunFilter, AtTheNetworkLayerCountsPacketsWithoutIp) {
    TemporaryDirectory directory;
    FilterOptions options;
    options.network_layer = true;
    options.inputs = {data_file("ldp-common-session.pcap")};
    options.output = directory.file("out.pcap");
    const FilterOutcome outcome = run_filter(options);
    EXPECT_EQ(outcome.written + outcome.counts.without_ip, outcome.counts.read);
    EXPECT_NE(stats_line(outcome, true).find(" without an IP header)"), std::string::npos);
}

TEST(RunFilter, AProgramThatCannotBeUsedIsAUsageError) {
    TemporaryDirectory directory;
    FilterOptions options = dns_queries_into(directory.file("out.pcap"));
    options.expression.reset();
    options.bytecode = "garbage";
    EXPECT_THROW(run_filter(options), bpfgen::UsageError);
    options.bytecode.reset();
    options.expression = "udp prot 53";
    EXPECT_THROW(run_filter(options), bpfgen::UsageError);
    EXPECT_TRUE(directory.entries().empty());
}

TEST(StatsLine, SaysWhatStoppedTheReading) {
    const bpfgen::StopSignals stop_signals;
    ::raise(SIGTERM);
    FilterOutcome outcome;
    outcome.written = 2;
    outcome.counts.read = 5;
    outcome.counts.matched = 3;
    outcome.counts.stopped = true;
    EXPECT_EQ(stats_line(outcome, false),
              "filter: wrote 2 of 5 packets (3 matched the rule); stopped by SIGTERM");
    outcome.counts.output_closed = true;
    EXPECT_EQ(stats_line(outcome, false),
              "filter: wrote 2 of 5 packets (3 matched the rule); stopped by SIGPIPE: the "
              "output's reader is gone");
}

}  // namespace
}  // namespace filter_command
