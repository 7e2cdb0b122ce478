// bpfgen_command_test.cpp: bpfgen's work between its command line and its output: the IP
// header's place from -o and --l2, the output format, the help's generator list, and a run
// (the generator's help, its program in each format, the warning for a long xt_bpf program).
#include "command_line/bpfgen_command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {
namespace {

using Strings = std::vector<std::string>;

TEST(BpfgenCommand, OffsetComesFromOffsetOrLinkLayerTheLastOneCounting) {
    EXPECT_EQ(l3_offset_of_options({}, {}, 7), 7u);
    EXPECT_EQ(l3_offset_of_options({"16", "14"}, {}, 0), 14u);
    EXPECT_EQ(l3_offset_of_options({}, {"ether", "vlan"}, 0), 18u);
    EXPECT_THROW(l3_offset_of_options({"14"}, {"ether"}, 0), UsageError);
    EXPECT_THROW(l3_offset_of_options({"x"}, {}, 0), UsageError);
    EXPECT_THROW(l3_offset_of_options({}, {"token-ring"}, 0), UsageError);
}

TEST(BpfgenCommand, FormatIsNamedAndExcludesTheAnnotatedAssembly) {
    EXPECT_EQ(output_format_of_option("c", false), Format::C);
    EXPECT_EQ(output_format_of_option("xt_bpf", false), Format::XtBpf);
    try {
        output_format_of_option("hex", false);
        ADD_FAILURE() << "an unknown format was taken";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "unknown format 'hex' (choose from xt_bpf, c, decimal, asm)");
    }
    EXPECT_THROW(output_format_of_option("c", true), UsageError);
}

TEST(BpfgenCommand, HelpListsEveryGeneratorWithItsSummary) {
    const std::string list = generator_summaries();
    for (const GeneratorInfo& info : generators()) {
        EXPECT_NE(list.find("  " + std::string(info.name) + " "), std::string::npos) << info.name;
        EXPECT_NE(list.find(info.summary), std::string::npos) << info.name;
    }
}

TEST(BpfgenCommand, RunPrintsTheProgramInTheFormatAskedFor) {
    BpfgenRequest request;
    request.generator = "suffix";
    request.generator_args = {"deadbeef"};
    const GeneratedProgram generated = generate("suffix", {"deadbeef"}, {});
    EXPECT_EQ(run_bpfgen(request).text, format_xt_bpf(generated.program) + "\n");
    request.format = Format::C;
    EXPECT_EQ(run_bpfgen(request).text, format_program(generated.program, Format::C));
    request.annotated_assembly = true;
    EXPECT_EQ(run_bpfgen(request).text, generated.assembly + "\n");
    EXPECT_EQ(run_bpfgen(request).warning, "");
}

TEST(BpfgenCommand, RunAnswersTheGeneratorsHelpInsteadOfAProgram) {
    BpfgenRequest request;
    request.generator = "dns";
    request.generator_args = {"--help"};
    EXPECT_EQ(run_bpfgen(request).text, std::string(find_generator("dns")->help));
}

TEST(BpfgenCommand, RunWarnsOfAProgramTooLongForXtBpfAtOffsetZeroOnly) {
    BpfgenRequest request;
    request.generator = "dns";
    for (int i = 0; i < 10; ++i) {
        request.generator_args.push_back("*.attack" + std::to_string(i) + ".example.com");
    }
    const BpfgenOutput at_zero = run_bpfgen(request);
    EXPECT_NE(at_zero.warning.find("iptables' bpf match (xt_bpf) takes at most 64"),
              std::string::npos)
        << at_zero.warning;
    request.options.l3_offset = 14;
    EXPECT_EQ(run_bpfgen(request).warning, "");
}

TEST(BpfgenCommand, RunRefusesAMissingGeneratorNamingTheChoices) {
    try {
        run_bpfgen({});
        ADD_FAILURE() << "ran without a generator";
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what()).find("no generator given (choose from dns,"),
                  std::string::npos);
    }
}

}  // namespace
}  // namespace bpfgen
